"""Wall time of the full audit, cold (no cache) and warm (nothing changed), against 5 min and 30 s."""

import shutil
import sys
import tempfile
import time
from pathlib import Path

from verify import audit
from verify.toolchain.compiler import CONTRACTS

OPTIONS = {"examples": 30, "params": ("resolved", "paper-literal"), "mythril_timeout": 200}
TARGETS = {"cold": 300.0, "warm": 30.0}

if "--keep-cache" not in sys.argv:
    shutil.rmtree(audit.AUDIT_CACHE, ignore_errors=True)
with tempfile.TemporaryDirectory() as tmp:
    for run in ("cold", "warm"):
        start = time.perf_counter()
        result = audit.run(CONTRACTS, Path(tmp) / run, OPTIONS)
        seconds = time.perf_counter() - start
        cached = sum(o.cached for o in result.outcomes)
        print(
            f"{run}: {seconds:7.1f} s ({cached}/{len(result.outcomes)} checks from the cache); "
            f"target {TARGETS[run]:.0f} s; ratio {seconds / TARGETS[run]:.2f}"
        )
