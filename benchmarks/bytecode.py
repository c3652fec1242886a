"""Seconds of the halmos obligations on the bytecode (contracts and known-bad twins), against the 120 s target;
the solvency invariant runs at the depth k of ``verify.checks.bytecode.INVARIANT_DEPTH``."""

import time
from pathlib import Path

from verify.check import Context
from verify.checks.bytecode import BytecodeProofs
from verify.toolchain.compiler import CONTRACTS, ROOT

TARGET = 120.0

start = time.perf_counter()
options = {"bytecode_invariants": True}  # the solvency invariant too, which the stage leaves out by default
findings = BytecodeProofs().run(Context(root=ROOT, out=Path("/tmp"), contracts=CONTRACTS, options=options))
total = time.perf_counter() - start
for f in findings:
    print(f"{f.data['obligation']:24} {f.status.value:13} twin {f.data['refuted_by']:26} {f.data['variant_status']:9}")
    if f.status.value != "proved":
        print(f"    {f.evidence[:160]}")
print(
    f"total {total:.2f} s wall (one forge build + halmos on {len(findings)} obligations and their twins); "
    f"target {TARGET:.0f} s; ratio {total / TARGET:.2f}"
)
