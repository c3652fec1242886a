"""The power points' edge vectors and the replay with contract accounts: green on the contracts, and each kills
a mutant of PowerPoints.sol that the other vectors let live (issue #14), built here from the source text."""

import pytest

from verify.mutation import killers, runner
from verify.points import edge_vectors, vectors
from verify.points.driver import ContractPoints
from verify.toolchain.chain import FAST

FILE = "PowerPoints.sol"
NARROW_OFFER = (
    "Offer(msg.sender, true, uint128(amount), uint128(price))",
    "Offer(msg.sender, true, uint64(amount), uint64(price))",
)
"""An offer's amount and price cut to 64 bits (slither-mutate's SBR)."""
ORIGIN_DEBIT = (
    "_debit(msg.sender, amount);\n        pointsOf[target]",
    "_debit(tx.origin, amount);\n        pointsOf[target]",
)
"""transferPoints debits ``tx.origin``: the same account as long as every user is an externally owned one."""
ORIGIN_PAID = ("msg.sender.call{value: amount}", "tx.origin.call{value: amount}")
"""withdrawProceeds pays ``tx.origin``: the relayer, when the caller is a contract account."""


def _cases(scripts) -> list[dict]:
    return [s.case() for s in scripts]


@pytest.fixture(scope="module")
def built() -> list[dict]:
    """The whole system, mocks included, as it is and with each patch of ``PowerPoints.sol`` in turn."""
    return runner.patched(FILE, *(dict([patch]) for patch in (NARROW_OFFER, ORIGIN_DEBIT, ORIGIN_PAID)))


def _replay(cases, artifacts, deploy) -> dict[str, list[str]]:
    return {case["name"]: vectors.replay(case, deploy(artifacts, FAST)) for case in cases}


@pytest.mark.clauses("PTS-4", "PTS-5", "PTS-6", "PTS-7", "PTS-2")
def test_the_edge_vectors_replay_green_with_users_as_accounts_and_as_contracts(built):
    edges = _cases(edge_vectors.scenarios())
    for cases, deploy in ((edges, ContractPoints.deploy), (killers._points_cases(), edge_vectors.WalletPoints.deploy)):
        results = _replay(cases, built[0], deploy)
        assert results and all(problems == [] for problems in results.values()), results
    errors = {s["expect"].get("error") for c in edges for s in c["steps"]}
    assert errors >= {"InvalidPoints", "InvalidPrice", "InsufficientPoints", "WrongPayment", "NoSuchOffer",
                      "OfferClosed", "NotRegistered", "NothingToWithdraw"}  # fmt: skip


@pytest.mark.clauses("PTS-6", "PTS-4")
def test_the_edge_vectors_and_contract_accounts_kill_what_the_other_vectors_let_live(built):
    _, narrow, origin_debit, origin_paid = built
    paper = _replay(_cases(vectors.scenarios()), narrow, ContractPoints.deploy)
    assert all(problems == [] for problems in paper.values()), paper  # the gap: no price reaches 2^64
    killer, evidence = killers.kill(killers.Target(narrow, {}, "SBR", 1, 1), {"GreenCertificates"}, ("points-vectors",))
    assert killer == "points-vectors" and "points_edges" in evidence and "offers" in evidence, evidence
    for mutant, seen, names in (
        (origin_debit, "InsufficientPoints", ("points-vectors", "points-wallets")),  # EOAs: tx.origin is the sender
        (origin_paid, "NotPaid", ("points-wallets",)),
    ):
        killer, evidence = killers.kill(killers.Target(mutant, {}, "SBR", 1, 1), {"GreenCertificates"}, names)
        assert killer == "points-wallets" and seen in evidence, evidence
