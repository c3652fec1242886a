"""The bilateral market's vectors, replayed on the contracts: every step's outcome, events and state agree."""

import json

import pytest

from verify.toolchain.chain import FAST
from verify.toolchain.compiler import compile_tree
from verify.trade import vectors
from verify.trade.roles import address


@pytest.fixture(scope="module")
def artifacts():
    return compile_tree()


@pytest.fixture(scope="module")
def cases():
    return [s.case() for s in vectors.scenarios()]


@pytest.mark.clauses(
    "TRD-1", "TRD-2", "TRD-3", "TRD-4", "TRD-5", "TRD-6", "TRD-7", "TRD-8", "TRD-9", "TRD-10",
    "ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5", "ENG-6", "ENG-7", "ENG-8",
)  # fmt: skip
def test_every_vector_is_green_on_the_contracts(artifacts, cases):
    results = vectors.replay_all(cases, artifacts, FAST)
    assert set(results) == {c["name"] for c in cases}
    assert results == {name: [] for name in results}


def test_the_paper_cases_are_vectors(cases):
    by_name = {c["name"]: c for c in cases}
    settled = [s for s in by_name["trade_paper_case"]["steps"] if s["action"] == "settle_trade" and s["expect"]["ok"]]
    events = settled[0]["expect"]["events"]
    assert events[0] == ["TradeSettled", {"tradeId": 0, "payment": 67 * 10**17, "fee": 2 * 10**17, "refund": 0}]
    assert [(name, data["account"]) for name, data in events[1:]] == [("ReputationUpdated", "u0"),
                                                                      ("ReputationUpdated", "u1")]  # fmt: skip
    last = by_name["energy_paper_experiment"]["steps"][-1]["post"]["accounts"]
    assert (last["grid"]["balance"], last["u1"]["balance"], last["u0"]["balance"]) == (9_999_000_000, 10**6, 10**5)


def test_a_wrong_expectation_is_reported(artifacts, cases):
    case = json.loads(json.dumps(cases[0]))
    settle = next(s for s in case["steps"] if s["action"] == "settle_trade" and s["expect"]["ok"])
    settle["expect"]["events"][0][1]["fee"] += 1
    settle["post"]["accounts"]["fee"]["pending"] += 1
    problems = vectors.replay_all([case], artifacts, FAST)[case["name"]]
    assert len(problems) == 2 and "events" in problems[0] and "pending" in problems[1]


@pytest.mark.clauses("TRD-9")
def test_each_deployment_is_under_the_size_limit(artifacts):
    """EIP-170: the auction, the bilateral market (with the evidence check) and the fingerprints deploy apart."""
    sizes = {
        name: len(bytes.fromhex(artifacts[name].runtime))
        for name in ("FairwattMarket", "BilateralMarket", "Fingerprints")
    }
    print(sizes)
    assert all(size < 24_576 for size in sizes.values()), sizes


@pytest.mark.clauses("TRD-5")
def test_a_market_without_an_evidence_source_is_not_deployed(artifacts):
    """No Fingerprints contract, or no grid: no pass vote could ever be cast (FPR-7), so the deployment reverts."""
    from verify.trade.driver import CONTRACT, ContractTrade
    from verify.trade.roles import FEE, TARIFF

    trade = ContractTrade.deploy(artifacts, FAST)
    zero, fingerprints = "0x" + "00" * 20, trade.fingerprints.address
    for source, grid in ((zero, address("grid")), (address("u0"), address("grid")), (fingerprints, zero)):
        args = (trade.auction.address, source, grid, TARIFF, FEE, address("fee"))
        deployed = trade.chain.deploy(artifacts[CONTRACT], *args, sender=address("genesis"))
        assert (deployed.ok, deployed.error) == (False, "InvalidEvidenceSource")
    assert (
        trade.chain.call(trade.f.grid()) == address("grid") and trade.chain.call(trade.f.fingerprints()) == fingerprints
    )


def test_roles_are_the_chain_accounts():
    from verify.toolchain.chain import account_keys

    assert address("genesis") == account_keys(1)[0].public_key.to_checksum_address()


@pytest.mark.clauses("TRD-10")
def test_only_the_operator_links_the_bilateral_market_and_only_once(artifacts):
    """A stranger linking its own contract, or a second link, would let any caller write reputation
    through ``recordBilateralTrade``: both are refused and the link stays where it was."""
    from verify.trade.driver import ContractTrade

    trade = ContractTrade.deploy(artifacts, FAST)
    link, linked = trade.auction.functions.linkBilateral, trade.contract.address
    refused = [
        trade.chain.transact(link(address("u0")), sender=address("u0")),
        trade.chain.transact(link(address("u0")), sender=address("genesis")),
        trade.chain.transact(link("0x" + "00" * 20), sender=address("genesis")),
    ]
    got = [(o.ok, o.error, tuple(o.error_args)) for o in refused]
    assert got == [
        (False, "NotOperator", (address("u0"),)),
        (False, "AlreadyRegistered", (address("u0"),)),
        (False, "AlreadyRegistered", ("0x" + "00" * 20,)),
    ]
    assert trade.chain.call(trade.auction.functions.bilateral()) == linked
