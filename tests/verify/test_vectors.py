"""Test vectors: generated from the model, documented in spec/vectors.md, green on the contracts."""

import json

import pytest

from reference.market import OrderStatus
from reference.params import RESOLVED
from verify import vectors
from verify.cli import main
from verify.toolchain.compiler import CONTRACTS


def test_vectors_are_written_and_deterministic(tmp_path, capsys):
    assert main(["vectors", "--out", str(tmp_path / "a")]) == 0
    assert main(["vectors", "--out", str(tmp_path / "b")]) == 0
    a = sorted((tmp_path / "a").glob("*.json"))
    assert len(a) >= 9
    for path in a:
        assert path.read_text() == (tmp_path / "b" / path.name).read_text()
        case = json.loads(path.read_text())
        assert case["format"] == vectors.FORMAT and case["clauses"] and case["steps"]
        assert {"time", "action", "args", "expect", "post"} <= set(case["steps"][0])


REJECTIONS = {
    "WrongPhase",
    "WrongKey",
    "NotSeller",
    "WrongDeposit",
    "SellerCannotBid",
    "NotRegistered",
    "UserBanned",
    "InvalidOrder",
    "InvalidPublicKey",
    "KeyReused",
    "UnknownOrder",
    "NotOperator",
    "AlreadyRegistered",
    "NothingToWithdraw",
    "NotBuyerOrOperator",
    "NotWinner",
    "OrderTooLarge",
    "WrongPayment",
    "TransferFailed",
    "CiphertextMismatch",
}


def test_vectors_cover_successes_and_every_rejection_kind():
    steps = [s for script in vectors.scenarios() for s in script.case()["steps"]]
    errors = {s["expect"]["error"] for s in steps if not s["expect"]["ok"]}
    assert REJECTIONS <= errors
    assert sum(s["expect"]["ok"] for s in steps) > 60


def test_vectors_replay_green_on_the_contracts():
    results = vectors.replay_all(CONTRACTS, [script.case() for script in vectors.scenarios()])
    assert results and all(problems == [] for problems in results.values()), results


def test_a_tampered_vector_is_caught():
    case = next(s for s in vectors.scenarios() if s.name == "single_bid_pays_the_start_price").case()
    case["steps"][-1]["expect"]["events"][0][1]["price"] += 1
    (problems,) = vectors.replay_all(CONTRACTS, [case]).values()
    assert problems and "events" in problems[0]


def test_the_edge_vectors_reach_the_bands_and_refuse_a_copy_as_a_forgery():
    cases = {s.name: s for s in vectors.scenarios()}
    top, bottom = cases["reputation_climbs_to_the_cap"], cases["serial_fraud_hits_the_floor"]
    assert top.user("s0").seller_reputation == RESOLVED.max_reputation  # held at the cap (ERR-5)
    assert bottom.user("s0").seller_reputation == RESOLVED.min_reputation  # held at the floor
    big = cases["price_above_64_bits"].market.orders[0]
    assert big.price > 2**64 and big.status == OrderStatus.COMPLETED
    forged = [s for s in cases["forged_openings_are_refused"].steps if "forged" in s["args"]]
    assert forged and all(s["expect"]["error"] == "CiphertextMismatch" for s in forged)
    assert all(vectors.NOBODY in s["post"]["users"] for s in top.steps)  # nobody is credited, step by step
    with pytest.raises(ValueError, match="only open_bids, by a maul that changes it"):
        cases["forged_openings_are_refused"].do("open_bids", 0, 1, forged="copy")
