"""The differential machine's rules on the model alone: SET-6 solvency and conservation, REP-7 bounds,
MKT-2 atomicity, over random action sequences."""

import pytest
from hypothesis import settings

from verify.differential.machine import S, machine

pytestmark = pytest.mark.clauses("SET-6", "REP-7", "MKT-2")

ModelMachine = machine(None)
ModelMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=50, deadline=None, derandomize=True)
TestModelMachine = ModelMachine.TestCase


def test_the_machine_reaches_every_terminal_status():
    """Guard against a machine that passes because it never gets anywhere."""
    reached: set = set()
    original = ModelMachine.teardown

    def record(self):
        reached.update(self.reached)
        original(self)

    ModelMachine.teardown = record
    run = ModelMachine.TestCase("runTest")
    run.settings = settings(max_examples=300, stateful_step_count=50, deadline=None, derandomize=True)
    try:
        run.runTest()
    finally:
        ModelMachine.teardown = original
    assert {S.COMPLETED, S.FAILED, S.UNSOLD, S.ABANDONED, S.PAID, S.SETTLED} <= reached
