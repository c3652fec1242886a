"""The energy ledger's 128-bit slots never wrap: a balance, meter or generation that would pass 2^128 − 1 raises
``InvalidAmount`` with the value that does not fit and changes nothing, on the model and on the contracts, and
one at exactly 2^128 − 1 is accepted (vector ``energy_uint128_bound``). A bare narrowing wrapped: the wrapped
generation then underflowed CRT-4's ``generatedOf − certifiedBy``."""

import pytest

from reference import energy as en
from verify.points import vectors as pv
from verify.points.driver import ContractPoints
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, compile_sources, compile_tree, read_tree
from verify.trade.roles import address

GUARD = "        if (value > type(uint128).max) revert InvalidAmount(value);\n"


def bound() -> pv.Script:
    [scenario] = [s for s in pv.scenarios() if s.name == "energy_uint128_bound"]
    return scenario


@pytest.mark.clauses("ENG-2", "ENG-3", "ENG-6")
def test_a_slot_past_the_bound_raises_invalid_amount_on_the_model_and_changes_nothing():
    scenario = bound()
    steps = scenario.steps
    refused = [(s["action"], s["expect"]["args"][0] - en.UINT128_MAX) for s in steps if not s["expect"]["ok"]]
    past = en.METER_SET_VALUE - en.UINT128_MAX % en.METER_SET_VALUE  # one set value more than fits
    assert refused == [
        ("issue_energy", 1),  # the grid's balance at the bound, one more
        ("transfer_energy", 1),  # the target's balance
        ("report_generation", past),  # u0's balance, checked before its generation
        ("report_generation", past),  # the whole set values that fit were accepted, one more is not
        ("report_generation", past - 1),  # the meter reaches N after a consumption of 1 Wh
    ]
    assert all(s["expect"]["error"] == "InvalidAmount" for s in steps if not s["expect"]["ok"])
    for before, step in zip(steps, steps[1:], strict=False):
        if not step["expect"]["ok"]:
            assert step["post"] == before["post"]  # state unchanged
    energy = scenario.g.markets.energy.accounts
    assert energy[address("u1")].balance == en.UINT128_MAX  # exactly at the bound is accepted
    assert energy[address("u0")].generated == en.UINT128_MAX - en.UINT128_MAX % en.METER_SET_VALUE
    assert steps[-1]["action"] == "claim_certificate" and steps[-1]["expect"]["ok"]  # CRT-4 near the bound


@pytest.mark.clauses("ENG-2", "ENG-6")
def test_the_contracts_refuse_past_the_bound_and_a_bare_narrowing_is_refuted():
    case = bound().case()
    assert pv.replay(case, ContractPoints.deploy(compile_tree(), FAST)) == []
    sources = read_tree(CONTRACTS)
    assert sources["EnergyAccounts.sol"].count(GUARD) == 1
    sources["EnergyAccounts.sol"] = sources["EnergyAccounts.sol"].replace(GUARD, "")  # uint128(value) wraps
    problems = pv.replay(case, ContractPoints.deploy(compile_sources(sources), FAST))
    assert "step 13 issue_energy: expected InvalidAmount, got None" in problems
    assert "step 17 report_generation: expected InvalidAmount, got None" in problems
    assert any(p.startswith("step 33 claim_certificate") for p in problems)  # the wrapped generation
