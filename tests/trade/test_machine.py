"""The differential campaign of the bilateral market: model and contracts agree on random runs. That the
campaign catches a contract departing from the model is shown by the trade-differential check's test (a fee
left out of the escrow, tests/trade/test_checks.py); the half-vote rule is refuted by enumeration there."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from verify.toolchain.chain import FAST
from verify.toolchain.compiler import compile_tree
from verify.trade import machine

SETTINGS = settings(
    max_examples=25, stateful_step_count=40, derandomize=True, deadline=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


@pytest.mark.slow
@pytest.mark.clauses("TRD-3", "TRD-5", "TRD-8", "ENG-7", "ENG-8")
def test_model_and_contracts_agree():
    machine.deploy(compile_tree(), FAST)
    run_state_machine_as_test(machine.TradeMachine, settings=SETTINGS)
    assert machine.TradeMachine.CONTRACT is not None
