"""The bilateral market's and the energy accounts' vectors with every role a contract account, and the
malformed signatures: green on the contracts, and each kills mutants the plain vectors let live (issue #14),
built here from the source text."""

import pytest

from verify.mutation import killers, runner
from verify.mutation.runner import CACHE
from verify.toolchain.chain import FAST
from verify.trade import edge_vectors, vectors
from verify.trade.wallets import WalletTrade

ORIGIN_BUYER = {"if (msg.sender != t.buyer) revert NotBuyer": "if (tx.origin != t.buyer) revert NotBuyer"}
"""authenticateMatch asks whether ``tx.origin`` is the buyer: the same account while the buyer is an EOA."""
LONG_SIGNATURE = {"signature.length != 65": "signature.length < 65"}
"""A 66-byte signature read as its first 65 bytes (slither-mutate's ROR)."""
MALLEABLE = {" || uint256(s) > HALF_N)": ")"}
"""The high-``s`` twin of a signature accepted: ``ecrecover`` recovers the same signer from it."""
ORIGIN_MOVE = {"_move(msg.sender, target, amount);": "_move(tx.origin, target, amount);"}
"""transferEnergy moves ``tx.origin``'s Wh (slither-mutate's SBR)."""
ORIGIN_PAID = {"msg.sender.call{value: amount}": "tx.origin.call{value: amount}"}
"""withdraw pays ``tx.origin``: the relayer, when the caller is a contract account."""
ORIGIN_GENESIS = {"genesis = msg.sender;": "genesis = tx.origin;"}
"""The constructor takes ``tx.origin`` for the genesis account: the relayer, when a wallet deploys."""
NAMES = ("trade-vectors", "trade-wallets")


@pytest.fixture(scope="module")
def market() -> list[dict]:
    return runner.patched("BilateralMarket.sol", ORIGIN_BUYER, LONG_SIGNATURE, MALLEABLE, cache=CACHE)


@pytest.fixture(scope="module")
def energy() -> list[dict]:
    return runner.patched("EnergyAccounts.sol", ORIGIN_MOVE, ORIGIN_PAID, ORIGIN_GENESIS, cache=CACHE)[1:]


def _kill(artifacts: dict, names: tuple[str, ...] = NAMES) -> tuple[str, str]:
    return killers.kill(killers.Target(artifacts, {}, "SBR", 1, 1), {"BilateralMarket"}, names)


@pytest.mark.clauses("TRD-1", "TRD-3", "TRD-4", "TRD-5", "TRD-8", "ENG-1", "ENG-3", "ENG-5", "FPR-7")
def test_every_trade_vector_replays_green_with_every_role_a_contract_account(market):
    cases = killers._trade_cases()
    results = {case["name"]: vectors.replay(case, WalletTrade.deploy(market[0], FAST)) for case in cases}
    assert len(results) == len(cases) and results == {name: [] for name in results}
    steps = [step for case in cases for step in case["steps"]]
    assert {s["action"] for s in steps} >= {"authenticate_match", "withdraw", "anchor_evidence", "register_user"}


@pytest.mark.clauses("TRD-3", "TRD-8", "ENG-1", "ENG-3")
def test_contract_accounts_kill_the_tx_origin_mutants_of_both_contracts(market, energy):
    origin_buyer, (origin_move, origin_paid, origin_genesis) = market[1], energy
    for mutant, seen in (
        (origin_buyer, "NotBuyer"),
        (origin_move, "transfer_energy"),
        (origin_paid, "NotPaid"),
        (origin_genesis, "add_certifier"),  # only the genesis account registers certifiers: the relayer is it
    ):
        killer, evidence = _kill(mutant)  # EOAs: tx.origin is the sender, and the plain vectors pass
        if mutant is origin_paid:  # but for the refusing wallet's withdrawal: paid to the relayer, it succeeds
            assert killer == "trade-vectors" and "edge_refusing_receiver" in evidence, evidence
            killer, evidence = _kill(mutant, ("trade-wallets",))
        assert killer == "trade-wallets" and seen in evidence, evidence


@pytest.mark.clauses("TRD-3")
def test_malformed_signatures_are_refused_alike_and_kill_the_lax_checks(market):
    case = edge_vectors.malformed_signatures().case()
    refused = [s["expect"] for s in case["steps"] if s["action"] == "authenticate_match"]
    assert [r.get("error") for r in refused] == ["BadSignature"] * 2 * len(vectors.FORMS) + [None]
    for mutant, form in ((market[2], "long"), (market[3], "high-s")):
        problems = vectors.replay(case, WalletTrade.deploy(mutant, FAST))
        assert problems and "expected BadSignature, got None" in problems[0], problems  # accepted
        killer, evidence = _kill(mutant)
        assert killer == "trade-vectors" and "edge_malformed_signatures" in evidence, evidence
        step = int(problems[0].split()[1])
        assert case["steps"][step]["args"]["seller_signature"]["signed"].get("form") == form
