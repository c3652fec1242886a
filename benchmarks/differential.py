"""Contract steps per second of the differential campaign on py-evm, against the 300/s target."""

import sys

from verify.differential import campaign

TARGET = 300.0
examples = int(sys.argv[1]) if len(sys.argv) > 1 else 20
report = campaign.run(examples, steps=40)
print(f"{report.steps} contract steps in {report.seconds:.1f} s: {report.steps_per_second} steps/s")
ratio = report.steps_per_second / TARGET
print(f"target {TARGET:.0f} steps/s; ratio {ratio:.3f}; failures {len(report.failures)}")
