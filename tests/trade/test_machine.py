"""The differential campaign of the bilateral market: model and contracts agree on random runs, and a
contract that departs from the model is caught."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, compile_sources, compile_tree
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


def _mutant(old: str, new: str) -> dict:
    sources = {p.relative_to(CONTRACTS).as_posix(): p.read_text() for p in CONTRACTS.rglob("*.sol")}
    assert old in sources["BilateralMarket.sol"]
    sources["BilateralMarket.sol"] = sources["BilateralMarket.sol"].replace(old, new)
    return compile_sources(sources)


@pytest.mark.slow
@pytest.mark.parametrize(
    "old, new",
    [
        ("2 * uint256(t.passes) > t.certifiers", "2 * uint256(t.passes) >= t.certifiers"),  # half passes
    ],
)
def test_a_departing_contract_is_caught(old, new):
    machine.deploy(_mutant(old, new), FAST)
    with pytest.raises(machine.Mismatch):
        run_state_machine_as_test(machine.TradeMachine, settings=settings(SETTINGS, max_examples=60))
