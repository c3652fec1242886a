"""ERR-42: the bilateral market gives locked Wh back (TRD-5's rejection) and delivers them (TRD-7) through the
ledger's 128-bit check: a balance past 2^128 − 1 raises ``InvalidAmount`` with the value that does not fit and
changes nothing, on the model and on the contract alike (edge vector ``edge_uint128_returns``), where a checked
128-bit ``+=`` panicked and the model went on. A period's energy total likewise (TRD-6): on a chain the escrow
alone of 2^128 delivered Wh would be more than 2^128 wei, so the contract's total is preset in its storage (at the
slot solc's storage layout gives) and the model's alike, and the clearing replayed on both."""

from dataclasses import replace

import pytest
from eth_utils import keccak

from reference import energy as en
from reference import trade as tr
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, Artifact, compile_sources, compile_tree, read_tree
from verify.trade import edge_vectors, vectors
from verify.trade.driver import CONTRACT, ContractTrade
from verify.trade.roles import address, fresh

TOP = en.UINT128_MAX
STORE = "        Account storage a = _accounts[account];\n"
CHECKED = STORE + "        a.balance = _u128(a.balance + amount);\n"
PANICKING = STORE + "        a.balance += uint128(amount);\n"
"""The checked 128-bit ``+=`` the market gave Wh back with: ``Panic(0x11)`` past the bound."""
PERIOD_TOTAL = "        p.energy = _u128(uint256(p.energy) + t.delivered);\n"
PERIOD_PLUS_EQUALS = "        p.energy += t.delivered;\n"
"""The checked 128-bit ``+=`` ``clearTrade`` added to a period's energy total with: ``Panic(0x11)`` past the bound."""
DELIVERED = 4 * vectors.KWH


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


def _energy_slot(artifact: Artifact, period: int) -> tuple[int, int]:
    """Where ``getPeriod[period].energy`` lies in the market's storage: (slot, bit offset in the word). The
    mapping's slot and the member's slot and byte offset come from solc's storage layout; a mapping's value for
    ``key`` starts at ``keccak256(key . slot)``, both 32-byte words (Solidity's layout of mappings)."""
    layout = artifact.storage_layout
    mapping = next(v for v in layout["storage"] if v["label"] == "getPeriod")
    members = layout["types"][layout["types"][mapping["type"]]["value"]]["members"]
    energy = next(m for m in members if m["label"] == "energy")
    start = int.from_bytes(keccak(period.to_bytes(32, "big") + int(mapping["slot"]).to_bytes(32, "big")), "big")
    return start + int(energy["slot"]), 8 * energy["offset"]


def _preset_contract(contract: ContractTrade, period: int, total: int) -> None:
    """``getPeriod[period].energy = total`` written into the contract's storage (pyrevm), the word's other
    member kept."""
    slot, shift = _energy_slot(contract.artifacts[CONTRACT], period)
    word = contract.chain.evm.storage(contract.address, slot)  # type: ignore[attr-defined]
    word = word & ~(en.UINT128_MAX << shift) | total << shift
    contract.chain.evm.insert_account_storage(contract.address, slot, word)  # type: ignore[attr-defined]


def _period_total_case() -> tuple[dict, int, list[tuple[int | None, list[dict]]]]:
    """A trade certified with DELIVERED Wh, then cleared on its period's energy total preset one past
    ``TOP − DELIVERED`` (refused) and then at it (cleared, the total at exactly ``TOP``): the case, the period,
    and the case's steps in parts, each with the total preset before it (None: none)."""
    s = vectors.setup("period_total_uint128", ["TRD-6", "ENG-2"])
    s, delivery = vectors.trade_to_execution(s, delivered=DELIVERED)
    s.do("anchor_evidence", "grid", "grid", 0, DELIVERED)
    s.do("certify_execution", "c0", 0, True).do("certify_execution", "c1", 0, True)
    s.now, period = delivery + tr.PERIOD, tr.period_of(delivery)
    parts: list[tuple[int | None, list[dict]]] = [(None, list(s.steps))]
    for total in (TOP - DELIVERED + 1, TOP - DELIVERED):
        s.tm = replace(s.tm, periods={period: tr.Period(0, total, 0)})
        done = len(s.steps)
        s.do("clear_trade", 0)
        parts.append((total, s.steps[done:]))
    return s.case(), period, parts


def _replay_with_presets(artifacts: dict[str, Artifact]) -> list[str]:
    case, period, parts = _period_total_case()
    contract = ContractTrade.deploy(artifacts, FAST)
    problems = []
    for total, steps in parts:
        if total is not None:
            _preset_contract(contract, period, total)
        problems += vectors.replay({**case, "steps": steps}, contract)
    return problems


@pytest.mark.clauses("TRD-6", "ENG-2")
def test_a_period_total_past_the_bound_is_refused_by_the_contract_and_a_checked_plus_equals_is_refuted():
    _, _, parts = _period_total_case()
    (_, before), (_, [refused]), (_, [cleared]) = parts
    assert refused["expect"] == {"ok": False, "error": "InvalidAmount", "args": [TOP + 1]}
    assert {k: v for k, v in refused["post"].items() if k != "periods"} == {
        k: v for k, v in before[-1]["post"].items() if k != "periods"
    }  # nothing changed but the preset total
    assert list(refused["post"]["periods"].values()) == [[0, TOP - DELIVERED + 1, 0]]
    assert cleared["expect"]["ok"] and list(cleared["post"]["periods"].values()) == [
        [1, TOP, DELIVERED * vectors.PRICE]
    ]
    assert _replay_with_presets(compile_tree()) == []
    sources = read_tree(CONTRACTS)
    assert sources["BilateralMarket.sol"].count(PERIOD_TOTAL) == 1
    sources["BilateralMarket.sol"] = sources["BilateralMarket.sol"].replace(PERIOD_TOTAL, PERIOD_PLUS_EQUALS)
    problems = _replay_with_presets(compile_sources(sources))
    assert len(problems) == 1 and problems[0].startswith("step 0 clear_trade: expected InvalidAmount"), problems
    assert "got Panic" in problems[0], problems
