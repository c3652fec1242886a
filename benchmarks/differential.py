"""Contract steps per second of the differential campaign (full-state comparison after every step) on
pyrevm, and on eth-tester in the same run: the ratio, against the 3,000 steps/s target."""

import sys

from verify.differential import campaign
from verify.differential.machine import artifacts_with_mocks

TARGET = 3000.0
examples = int(sys.argv[1]) if len(sys.argv) > 1 else 50
artifacts = artifacts_with_mocks(campaign.CONTRACTS)  # compiled before the clock starts
fast = campaign.run(examples, steps=40, shrinks=0, backend="pyrevm", artifacts=artifacts)
slow = campaign.run(max(examples // 10, 2), steps=40, shrinks=0, backend="eth-tester", artifacts=artifacts)
print(f"pyrevm: {fast.steps} contract steps in {fast.seconds:.1f} s: {fast.steps_per_second} steps/s")
print(f"eth-tester: {slow.steps} contract steps in {slow.seconds:.1f} s: {slow.steps_per_second} steps/s")
ratio = fast.steps_per_second / slow.steps_per_second if slow.steps_per_second else 0.0
print(f"pyrevm / eth-tester: {ratio:.1f}x; target {TARGET:.0f} steps/s on pyrevm: {fast.steps_per_second / TARGET:.3f}")
print(f"failures: {len(fast.failures)} + {len(slow.failures)}")
