"""The trade stage's checks pass on the contracts and fail on known-bad inputs."""

import shutil

import pytest

from verify.check import Context
from verify.checks import trade
from verify.findings import Status
from verify.mutation.semantic import MUTANTS
from verify.toolchain.compiler import CONTRACTS
from verify.trade import vectors


def _context(tmp_path, contracts=CONTRACTS, **options):
    return Context(root=tmp_path, out=tmp_path, contracts=contracts, options=options)


def _mutated(tmp_path, old: str, new: str):
    target = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, target)
    path = target / "BilateralMarket.sol"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    return target


@pytest.mark.clauses("TRD-5")
def test_certification_majority_holds_and_a_half_rule_is_refuted(tmp_path):
    [finding] = trade.CertificationMajorityCheck().run(_context(tmp_path))
    assert finding.status == Status.PASSED
    assert trade.majority_counterexample(lambda p, n: 2 * p >= n, lambda o, n: 2 * o >= n) == (
        1,
        2,
    )  # half of two passes
    assert trade.majority_counterexample(lambda p, n: p > n - p, lambda o, n: o > 0) == (2, 3)  # both outcomes


def test_the_vectors_check_names_exactly_the_clauses_the_vectors_declare():
    assert set(trade.TradeVectorsCheck.CLAUSES) == {c for s in vectors.scenarios() for c in s.clauses}


@pytest.mark.slow
@pytest.mark.clauses("TRD-5", "TRD-3")
def test_vectors_check_passes_and_catches_double_votes_and_unsigned_terms(tmp_path):
    [finding] = trade.TradeVectorsCheck().run(_context(tmp_path))
    assert finding.status == Status.PASSED
    bad = _mutated(tmp_path / "a", "if (voted[tradeId][msg.sender]) revert AlreadyVoted(msg.sender);", "")
    path = bad / "BilateralMarket.sol"  # and signatures checked for being signatures, not for their signer
    path.write_text(path.read_text().replace("found == address(0) || found != party", "found == address(0)"))
    found = trade.TradeVectorsCheck().run(_context(tmp_path, bad))
    evidence = "\n".join(f.evidence for f in found)
    assert {f.status for f in found} == {Status.VIOLATION} and "AlreadyVoted" in evidence and "BadSignature" in evidence


@pytest.mark.slow
@pytest.mark.clauses("TRD-8", "ENG-8")
def test_differential_check_catches_a_wrong_escrow(tmp_path):
    """The check passing on the real contracts is tests/trade/test_machine.py."""
    bad = _mutated(
        tmp_path / "c", "uint256 due = uint256(t.volume) * t.price + fee;", "uint256 due = uint256(t.volume) * t.price;"
    )
    [finding] = trade.TradeDifferentialCheck().run(_context(tmp_path, bad, examples=30, shrinks=0))
    assert finding.status == Status.VIOLATION and "authenticate_match" in finding.title


@pytest.mark.slow
@pytest.mark.clauses("FPR-7", "TRD-5")
def test_both_checks_catch_a_pass_without_delivery_evidence(tmp_path):
    """The mutant ``pass-without-evidence`` (verify/mutation/semantic.py): a pass vote certifies an execution
    record the grid never fingerprinted. The vectors and the campaign of both markets each refute it."""
    mutant = next(m for m in MUTANTS if m.id == "pass-without-evidence")
    bad = _mutated(tmp_path / "e", mutant.original, mutant.mutated)
    found = trade.TradeVectorsCheck().run(_context(tmp_path, bad))
    assert {f.status for f in found} == {Status.VIOLATION}
    assert "NoDeliveryEvidence" in "\n".join(f.evidence for f in found)
    [finding] = trade.TradeDifferentialCheck().run(_context(tmp_path, bad, examples=10, shrinks=0))
    assert finding.status == Status.VIOLATION and "NoDeliveryEvidence" in finding.evidence
