"""ERR-42: the bilateral market gives locked Wh back (TRD-5's rejection) and delivers them (TRD-7) through the
ledger's 128-bit check: a balance past 2^128 − 1 raises ``InvalidAmount`` with the value that does not fit and
changes nothing, on the model and on the contract alike (edge vector ``edge_uint128_returns``), where a checked
128-bit ``+=`` panicked and the model went on. A period's energy total likewise (TRD-6), on the model: on a chain
the escrow alone of 2^128 delivered Wh would be more than 2^128 wei."""

from dataclasses import replace

import pytest

from reference import energy as en
from reference import trade as tr
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, compile_sources, compile_tree, read_tree
from verify.trade import edge_vectors, vectors
from verify.trade.driver import ContractTrade
from verify.trade.roles import address, fresh

TOP = en.UINT128_MAX
STORE = "        Account storage a = _accounts[account];\n"
CHECKED = STORE + "        a.balance = _u128(a.balance + amount);\n"
PANICKING = STORE + "        a.balance += uint128(amount);\n"
"""The checked 128-bit ``+=`` the market gave Wh back with: ``Panic(0x11)`` past the bound."""


@pytest.mark.clauses("TRD-5", "TRD-7", "ENG-2")
def test_wh_given_back_or_delivered_past_the_bound_raise_invalid_amount_on_the_model():
    steps = edge_vectors.uint128_returns().steps
    refused = [
        (s["action"], s["expect"]["error"], s["expect"]["args"][0] - TOP) for s in steps if not s["expect"]["ok"]
    ]
    assert refused == [
        ("certify_execution", "InvalidAmount", 1),  # the seller's Wh back on a rejection
        ("settle_trade", "InvalidAmount", 1),  # the buyer's delivered Wh, checked first (the seller is 2 past)
        ("settle_trade", "InvalidAmount", 2),  # the seller's undelivered Wh
    ]
    for before, step in zip(steps, steps[1:], strict=False):
        if not step["expect"]["ok"]:
            assert step["post"] == before["post"]  # nothing changed
    final = steps[-1]
    assert final["action"] == "settle_trade" and final["expect"]["ok"]
    assert final["post"]["accounts"]["u0"]["balance"] == final["post"]["accounts"]["u1"]["balance"] == TOP


@pytest.mark.clauses("TRD-5", "TRD-7", "ENG-2")
def test_the_contract_refuses_at_the_same_steps_and_a_checked_plus_equals_is_refuted():
    case = edge_vectors.uint128_returns().case()
    assert vectors.replay(case, ContractTrade.deploy(compile_tree(), FAST)) == []
    sources = read_tree(CONTRACTS)
    assert sources["EnergyAccounts.sol"].count(CHECKED) == 1
    sources["EnergyAccounts.sol"] = sources["EnergyAccounts.sol"].replace(CHECKED, PANICKING)
    problems = vectors.replay(case, ContractTrade.deploy(compile_sources(sources), FAST))
    assert [p.split(": ")[0] for p in problems if "expected InvalidAmount" in p] == [
        "step 21 certify_execution",
        "step 37 settle_trade",
        "step 39 settle_trade",
    ], problems
    assert all("got Panic" in p for p in problems if "expected InvalidAmount" in p), problems


@pytest.mark.clauses("TRD-6", "ENG-2")
def test_a_period_energy_total_past_the_bound_raises_invalid_amount_and_at_it_clears():
    delivery = 10 * tr.PERIOD
    seller, buyer = address("u0"), address("u1")
    trade = tr.Trade(seller, buyer, 3, 1, delivery, tr.TradeStatus.CERTIFIED, delivered=2)
    tm = replace(fresh(), trades=(trade,), periods={tr.period_of(delivery): tr.Period(1, TOP - 1, 0)})
    with pytest.raises(en.InvalidAmount) as refused:
        tr.clear_trade(tm, 0, delivery + tr.PERIOD)
    assert refused.value.args == (TOP + 1,)
    tm = replace(tm, trades=(replace(trade, delivered=1),))
    cleared, _ = tr.clear_trade(tm, 0, delivery + tr.PERIOD)
    assert cleared.periods[tr.period_of(delivery)] == tr.Period(2, TOP, 1)
