"""The points stage's checks pass on the contracts and fail on known-bad ones: a PowerPoints that forgets to
burn what is spent (a double spend), a GreenCertificates that forgets a trade was certified, and one that
certifies beyond the seller's generation (ERR-41's wash trade)."""

import json
import shutil

import pytest

from verify.check import Context
from verify.checks import points
from verify.findings import Status
from verify.points import vectors
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, compile_tree

FORGETS_TO_BURN = (
    "PowerPoints.sol",
    "        _debit(msg.sender, amount);\n        burned += amount;",
    "        if (pointsOf[msg.sender] < amount) revert InsufficientPoints(pointsOf[msg.sender], amount);\n"
    "        burned += amount;",
)
CERTIFIES_TWICE = (
    "GreenCertificates.sol",
    "        if (certified[market][tradeId]) revert CertifiedAlready(market, tradeId);\n",
    "",
)

CERTIFIES_BEYOND_GENERATION = (  # the claim checks against unbounded generation: CRT-4's check dropped
    "GreenCertificates.sol",
    "uint256 available = bilateral.generatedOf(source) - done;",
    "uint256 available = type(uint256).max - done;",
)
CERTIFIES_UNSETTLED_ENERGY = (
    "GreenCertificates.sol",
    "o.status != IFairwattMarket.OrderStatus.Completed || !bilateral.energySettled(tradeId)",
    "o.status != IFairwattMarket.OrderStatus.Completed",
)


def _context(tmp_path, contracts=CONTRACTS, **options):
    return Context(root=tmp_path, out=tmp_path, contracts=contracts, options=options)


def _mutated(tmp_path, mutation):
    name, old, new = mutation
    target = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, target)
    path = target / name
    assert path.read_text().count(old) == 1
    path.write_text(path.read_text().replace(old, new))
    return target


@pytest.mark.clauses("PTS-1", "PTS-2", "PTS-3", "PTS-4", "PTS-5", "PTS-6", "CRT-1", "CRT-3")
def test_every_vector_is_green_and_a_wrong_expectation_is_reported(tmp_path):
    [finding] = points.PointsVectorsCheck().run(_context(tmp_path))
    assert finding.status == Status.PASSED, finding.evidence
    case = json.loads(json.dumps(vectors.scenarios()[1].case()))
    claim = next(s for s in case["steps"] if s["action"] == "claim_certificate" and s["expect"]["ok"])
    claim["expect"]["events"][1][1]["amount"] += 1
    claim["post"]["accounts"]["u0"]["points"] += 1
    problems = vectors.replay_all([case], compile_tree(), FAST)[case["name"]]
    assert len(problems) == 2 and "events" in problems[0] and "points" in problems[1]


@pytest.mark.clauses("CRT-1")
def test_a_contract_certifying_auction_energy_never_settled_is_refuted(tmp_path):
    bad = _mutated(tmp_path / "d", CERTIFIES_UNSETTLED_ENERGY)
    [finding] = points.PointsVectorsCheck().run(_context(tmp_path, bad))
    assert finding.status == Status.VIOLATION
    assert "certificate_auction" in finding.title and "expected TradeNotSettled, got None" in finding.evidence


@pytest.mark.clauses("PTS-7", "PTS-5")
def test_no_double_spend_holds_and_is_refuted_on_a_ledger_that_forgets_to_burn(tmp_path):
    [finding] = points.PointsPropertiesCheck().run(_context(tmp_path))
    assert finding.status == Status.PASSED, finding.evidence
    found = points.PointsPropertiesCheck().run(_context(tmp_path, _mutated(tmp_path / "a", FORGETS_TO_BURN)))
    assert [f.status for f in found] == [Status.VIOLATION]
    assert "points_ledger" in found[0].title and "double spend" in found[0].evidence


@pytest.mark.clauses("CRT-2")
def test_certificate_uniqueness_is_refuted_on_a_contract_that_forgets_the_claim(tmp_path):
    bad = _mutated(tmp_path / "b", CERTIFIES_TWICE)
    found = points.PointsPropertiesCheck().run(_context(tmp_path, bad))
    assert {f.status for f in found} == {Status.VIOLATION} and len(found) == 2  # both certificate vectors
    assert all("certificate issued twice" in f.evidence and "double spend" not in f.evidence for f in found)


@pytest.mark.clauses("CRT-4")
def test_certified_within_generation_is_refuted_on_a_contract_that_drops_the_check(tmp_path):
    bad = _mutated(tmp_path / "e", CERTIFIES_BEYOND_GENERATION)
    found = points.PointsPropertiesCheck().run(_context(tmp_path, bad))
    assert [f.status for f in found] == [Status.VIOLATION] and "certificate_wash_trade" in found[0].title
    assert "certified beyond generation" in found[0].evidence and "double spend" not in found[0].evidence
    [finding] = points.PointsDifferentialCheck().run(_context(tmp_path, bad, examples=10, shrinks=0))
    assert finding.status == Status.VIOLATION and "NotGenerated" in finding.evidence


@pytest.mark.clauses("PTS-7", "CRT-2", "PTS-6")
def test_differential_check_passes_and_catches_the_forgotten_burn(tmp_path):
    [finding] = points.PointsDifferentialCheck().run(_context(tmp_path, examples=5))
    assert finding.status == Status.PASSED, finding.evidence
    bad = _mutated(tmp_path / "c", FORGETS_TO_BURN)
    [finding] = points.PointsDifferentialCheck().run(_context(tmp_path, bad, examples=10, shrinks=0))
    assert finding.status == Status.VIOLATION and "spend_points" in finding.title


def test_the_views_read_are_the_bilateral_markets_abi():
    """GreenCertificates declares the bilateral market's views instead of importing it: the same ABI."""
    artifacts = compile_tree()

    def plain(entry):  # the ABI as encoded: names and types, not the Solidity type names
        if isinstance(entry, dict):
            return {k: plain(v) for k, v in entry.items() if k != "internalType"}
        return [plain(v) for v in entry] if isinstance(entry, list) else entry

    def views(name):
        return {
            e["name"]: plain(e)
            for e in artifacts[name].abi
            if e.get("name") in ("getTrade", "tradeCount", "voted", "energySettled", "generatedOf")
        }

    assert views("IBilateralTrades") == views("BilateralMarket") and len(views("BilateralMarket")) == 5
