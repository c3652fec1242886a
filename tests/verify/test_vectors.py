"""Test vectors: generated from the model, documented in spec/vectors.md, green on the contracts."""

import json

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
