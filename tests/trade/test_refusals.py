"""The trade vectors' refusals the paper cases leave out — a receiver that refuses its wei (TRD-8), offers read
past the last (TRD-1), the execution record anchored as another kind (FPR-7): the model refuses each, the
contracts alike, and each kills a mutant the other vectors let live, built here from the source text."""

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from reference import energy as en
from reference import errors
from reference import market as mk
from verify.mutation import killers, runner
from verify.mutation.runner import CACHE
from verify.toolchain.chain import FAST
from verify.trade import edge_vectors, vectors
from verify.trade.driver import ContractTrade
from verify.trade.roles import REFUSING, address
from verify.trade.wallets import WalletTrade

ORIGIN_REFUSED = {"revert TransferFailed(msg.sender)": "revert TransferFailed(tx.origin)"}
"""withdraw names ``tx.origin`` as the refusing receiver: the relayer, when the withdrawer is a contract."""
PAST_THE_END = {"offerId >= _offers.length": "offerId > _offers.length"}
"""getOffer reads one past the last offer: a ``Panic`` (array out of bounds), not ``UnknownOffer``."""
ONLY_AT_THE_END = {"offerId >= _offers.length": "offerId == _offers.length"}
"""getOffer refuses only the id one past the last."""
METER_READINGS = {"kind != 2 ||": "kind > 2 ||"}
"""A pass certifies a record anchored as a meter reading (kind 1)."""
SUPPLY_RECORDS = {"kind != 2 ||": "kind < 2 ||"}
"""A pass certifies a record anchored as a supply record (kind 3)."""
CASES = (edge_vectors.offer_boundaries, edge_vectors.evidence_kinds, edge_vectors.refusing_receiver)


@pytest.fixture(scope="module")
def energy() -> list[dict]:
    return runner.patched("EnergyAccounts.sol", ORIGIN_REFUSED, cache=CACHE)


@pytest.fixture(scope="module")
def market() -> list[dict]:
    variants = (PAST_THE_END, ONLY_AT_THE_END, METER_READINGS, SUPPLY_RECORDS)
    return runner.patched("BilateralMarket.sol", *variants, cache=CACHE)[1:]


@pytest.mark.clauses("TRD-8", "SET-7")
def test_a_refusing_receiver_keeps_its_wei_in_both_ledgers_by_one_rule():
    e = en.credit(en.EnergyAccounts(genesis=address("genesis"), tariff=1), address("u0"), 5)
    m = mk.Market(operator=address("genesis"), pending={address("u0"): 5}, balance=5)
    withdraws: list[Callable[..., tuple[Any, list]]] = [partial(en.withdraw, e), partial(mk.withdraw, m)]
    for withdraw in withdraws:
        with pytest.raises(errors.TransferFailed) as refused:
            withdraw(address("u0"), False)
        assert refused.value.args == (address("u0"),)
        with pytest.raises(errors.NothingToWithdraw):  # owed nothing: that is said first
            withdraw(address("u1"), False)
        assert withdraw(address("u0"))[0].pending == {}


@pytest.mark.clauses("TRD-8", "TRD-1", "FPR-7")
def test_the_refusals_are_the_models_and_replay_green_on_the_contracts(energy):
    by_name = {make().name: make().case() for make in CASES}
    steps = by_name["edge_refusing_receiver"]["steps"]
    refused = [(i, s["expect"]) for i, s in enumerate(steps) if s["action"] == "withdraw" and not s["expect"]["ok"]]
    assert [e for _, e in refused] == [{"ok": False, "error": "TransferFailed", "args": [REFUSING]}] * 2
    assert all(steps[i]["post"] == steps[i - 1]["post"] for i, _ in refused)  # nothing changed
    assert steps[refused[0][0]]["post"]["accounts"][REFUSING]["pending"] > 0
    reads = [s["expect"].get("error") for s in by_name["edge_offer_boundaries"]["steps"] if s["action"] == "get_offer"]
    kinds = by_name["edge_evidence_kinds"]["steps"]
    passes = [s["expect"].get("error") for s in kinds if s["action"] == "certify_execution" and s["args"]["approve"]]
    assert reads == [None, "UnknownOffer", "UnknownOffer"] and passes == ["NoDeliveryEvidence"] * 2
    for deploy in (ContractTrade.deploy, WalletTrade.deploy):
        assert {name: vectors.replay(case, deploy(energy[0], FAST)) for name, case in by_name.items()} == {
            name: [] for name in by_name
        }


@pytest.mark.clauses("TRD-8", "TRD-1", "FPR-7")
def test_the_refusals_kill_mutants_the_other_vectors_let_live(energy, market):
    origin, (past, only_end, meter, supply) = energy[1], market
    for mutant, case, seen in (
        (origin, "edge_refusing_receiver", "expected TransferFailed['hostile'], got TransferFailed"),
        (past, "edge_offer_boundaries", "expected UnknownOffer[5]"),
        (only_end, "edge_offer_boundaries", "expected UnknownOffer[6]"),
        (meter, "edge_evidence_kinds", "expected NoDeliveryEvidence"),
        (supply, "edge_evidence_kinds", "expected NoDeliveryEvidence"),
    ):
        target = killers.Target(mutant, {}, "ROR", 1, 1)
        killer, evidence = killers.kill(target, {"BilateralMarket"}, ("trade-vectors",))
        assert killer == "trade-vectors" and case in evidence and seen in evidence, evidence
