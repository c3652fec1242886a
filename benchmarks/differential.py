"""Contract steps per second of the differential campaign (full-state comparison after every step) on
pyrevm, and on eth-tester in the same run: the ratio, against the 3,000 steps/s target.

Wall-clock rates depend on what else the machine runs; the CPU rates (steps per second of this process's
own CPU time) are what one idle core would do."""

import sys
import time

from verify.differential import campaign
from verify.differential.machine import artifacts_with_mocks

TARGET = 3000.0
examples = int(sys.argv[1]) if len(sys.argv) > 1 else 50
artifacts = artifacts_with_mocks(campaign.CONTRACTS)  # compiled before the clock starts
rates = {}
for engine, runs in (("pyrevm", examples), ("eth-tester", max(examples // 10, 2))):
    cpu = time.process_time()
    report = campaign.run(runs, steps=40, shrinks=0, backend=engine, artifacts=artifacts)
    cpu = time.process_time() - cpu
    rates[engine] = report.steps_per_second, report.steps / cpu if cpu else 0.0
    print(
        f"{engine}: {report.steps} contract steps in {report.seconds:.1f} s: {report.steps_per_second} steps/s "
        f"(CPU {rates[engine][1]:.0f} steps/s); failures: {len(report.failures)}"
    )
(fast, fast_cpu), (slow, slow_cpu) = rates["pyrevm"], rates["eth-tester"]
print(f"pyrevm / eth-tester: {fast / slow if slow else 0:.1f}x wall, {fast_cpu / slow_cpu if slow_cpu else 0:.1f}x CPU")
print(f"target {TARGET:.0f} steps/s on pyrevm: {fast / TARGET:.2f} wall, {fast_cpu / TARGET:.2f} CPU")
