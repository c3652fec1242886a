"""The edge vectors of the bilateral market and the energy accounts: green on the contracts, and they kill
mutants the paper cases let live (issue #14), each built here from the source text."""

import pytest

from verify.mutation import killers, runner
from verify.mutation.runner import CACHE
from verify.toolchain.chain import FAST
from verify.trade import combined, edge_vectors, vectors
from verify.trade.machine import Mismatch

SELLER_UNSIGNED = {"_requireSigned(digest, t.seller, sellerSignature);": ""}
"""The seller's signature never checked: the paper cases only ever forge the buyer's."""
NARROW_OFFER = {"false, uint128(volume), uint128(price))": "false, uint64(volume), uint64(price))"}
"""An offer's volume and price cut to 64 bits."""
SILENT_SETTLEMENT = {"emit AuctionEnergySettled(orderId, o.quantity);": ""}
"""An auction order's energy settled without its event (ENG-9): only both markets on one deployment see it."""


@pytest.fixture(scope="module")
def built() -> list[dict]:
    """The contracts; with two independent defects, each only the edge vectors see; with a silent settlement."""
    return runner.patched("BilateralMarket.sol", SELLER_UNSIGNED | NARROW_OFFER, SILENT_SETTLEMENT, cache=CACHE)


def _replayed(artifacts: dict, scripts) -> dict[str, list[str]]:
    return vectors.replay_all([s.case() for s in scripts], artifacts, FAST)


@pytest.mark.clauses("TRD-1", "TRD-2", "TRD-3", "TRD-4", "TRD-5", "TRD-9", "ENG-2", "ENG-3", "ENG-4", "ENG-5")
def test_the_edge_vectors_replay_green_on_the_contracts_and_catch_an_unchecked_seller(built):
    original, unsigned, _ = built
    results = _replayed(original, edge_vectors.scenarios())
    assert results and all(problems == [] for problems in results.values()), results
    hostile = [s for s in vectors.scenarios() if s.name == "trade_rejected_and_hostile"]
    assert _replayed(unsigned, hostile) == {"trade_rejected_and_hostile": []}  # it forges the buyer's only
    first = _replayed(unsigned, [edge_vectors.two_certifiers()])["edge_two_certifiers"][0]
    assert "authenticate_match: expected BadSignature, got None" in first, first  # the buyer signing as seller


@pytest.mark.clauses("TRD-1", "ENG-9")
def test_a_narrowed_offer_and_a_silent_energy_settlement_are_killed(built):
    original, narrow, silent = built
    [problem, *_] = _replayed(narrow, [edge_vectors.offer_boundaries()])["edge_offer_boundaries"]
    assert "declare_ask" in problem and "offers" in problem, problem  # a volume beyond 2^64 cut to 64 bits
    # the both-campaign killer's machine, one auction round driven to its energy settlement (ENG-9)
    assert "BilateralMarket" in next(k for k in killers.KILLERS if k.name == "both-campaign").reach
    _auction_round(original)  # the contracts agree with the model
    with pytest.raises(
        Mismatch, match="settle_auction_energy.*AuctionEnergySettled.*contract \\(True, None, \\(\\), \\[\\]\\)"
    ):
        _auction_round(silent)


def _auction_round(artifacts: dict) -> None:
    """:class:`BothMarketsMachine`'s set-up, then one auction order driven to the settlement of its energy."""
    combined.deploy(artifacts, FAST)
    machine = combined.BothMarketsMachine()
    machine.setup()
    machine.auction_round("u0", "u1", 10**9)
