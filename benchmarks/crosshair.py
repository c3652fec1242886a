"""Determinism of the CrossHair stage: 10 runs on the unchanged tree, the tally of distinct results."""

import time
from collections import Counter
from pathlib import Path

from verify.check import Context
from verify.checks.symbolic.crosshair import CrossHairCheck

RUNS = 10
ROOT = Path(__file__).resolve().parents[1]

outcomes: Counter = Counter()
not_verified = 0
start = time.perf_counter()
for i in range(RUNS):
    findings = CrossHairCheck().run(Context(root=ROOT, out=ROOT, contracts=ROOT, options={"crosshair_seconds": 4}))
    result = tuple(sorted((f.location, f.status.value) for f in findings))
    outcomes[result] += 1
    not_verified += sum(f.bad for f in findings)
    print(f"run {i + 1}: {len(findings)} conditions, {Counter(s for _, s in result)}", flush=True)
print(
    f"{RUNS} runs in {time.perf_counter() - start:.1f} s: {len(outcomes)} distinct result(s), "
    f"{max(outcomes.values())} identical; conditions not proved over all runs: {not_verified}"
)
