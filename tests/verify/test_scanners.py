"""Slither, the CEI detector and Mythril: positive controls flagged as expected, our contracts clean or
triaged, and every failure to verify reported as such (SET-7, ERR-12)."""

import json
import shutil
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from verify.check import Context
from verify.checks.static import scanners
from verify.checks.static.checks import CeiCheck, SlitherCheck
from verify.cli import main
from verify.findings import Impact, Status
from verify.mutation import MUTANTS, apply
from verify.toolchain.compiler import CONTRACTS, ROOT

SCAN = Path(__file__).parents[1] / "fixtures" / "scan"
EXPECTED = tomllib.loads((SCAN / "expectations.toml").read_text())


def checks_of(findings):
    return {f.data.get("tool_check") for f in findings if f.status == Status.VIOLATION}


def test_the_cei_detector_is_a_slither_plugin():
    plugins = entry_points(group="slither_analyzer.plugin")
    assert any(p.value == "verify.slither_plugin:make_plugin" for p in plugins)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_positive_controls_are_flagged_as_expected(name):
    slither, cei = scanners.slither(SCAN / f"{name}.sol")
    assert set(EXPECTED[name]["slither"]) <= checks_of(slither)
    assert bool(checks_of(cei)) == EXPECTED[name]["cei"]
    if not EXPECTED[name]["slither"]:  # the known-good control: nothing above informational
        assert not [f for f in slither if f.status == Status.VIOLATION and f.impact != Impact.INFORMATIONAL]


def test_the_paper_fig8_functions_are_both_flagged_ERR_12():
    _, cei = scanners.slither(SCAN / "Fig8OrderCrypto.sol")
    flagged = " ".join(f.title for f in cei if f.status == Status.VIOLATION)
    assert "OrderCon.updateOrderList" in flagged and "CryptoCon.decryptedBidding" in flagged


@pytest.mark.clauses("SET-7")
def test_our_contracts_have_no_untriaged_high_or_medium_finding(tmp_path):
    ctx = Context(root=ROOT, out=tmp_path, contracts=CONTRACTS)
    findings = SlitherCheck().run(ctx) + CeiCheck().run(ctx)
    assert not [
        f for f in findings if f.bad or (f.status == Status.VIOLATION and f.impact in (Impact.HIGH, Impact.MEDIUM))
    ]
    assert all(f.recommendation for f in findings if f.status == Status.ACCEPTED)  # every acceptance has a reason
    assert any(f.status == Status.PASSED and f.check == "cei" for f in findings)


@pytest.mark.clauses("SET-7")
def test_the_cei_reordering_mutant_is_flagged(tmp_path):
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    apply(next(m for m in MUTANTS if m.id == "withdraw-effects-after-call"), root)
    _, cei = scanners.slither(root / "FairwattMarket.sol")
    assert any("FairwattMarket.withdraw" in f.title for f in cei if f.status == Status.VIOLATION)


def test_an_uncompilable_file_is_not_verified(fixtures):
    slither, cei = scanners.slither(fixtures / "uncompilable" / "Broken.sol")
    assert [f.status for f in slither + cei] == [Status.NOT_VERIFIED] * 2


def test_missing_mythril_is_not_verified(monkeypatch):
    monkeypatch.setattr(scanners, "myth_executable", lambda: None)
    (finding,) = scanners.mythril(SCAN / "TxOriginAuth.sol")
    assert finding.status == Status.NOT_VERIFIED and "not installed" in finding.title


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "module", "swc"),
    [
        ("ReentrancyBank", "StateChangeAfterCall", "107"),
        ("TxOriginAuth", "TxOrigin", "115"),
        ("SafeBank", "StateChangeAfterCall", None),
    ],
)
def test_mythril_flags_the_controls(name, module, swc):
    findings = scanners.mythril(SCAN / f"{name}.sol", execution_timeout=60, depth=2, modules=[module])
    assert not [f for f in findings if f.status == Status.NOT_VERIFIED]
    found = {f.swc for f in findings if f.status == Status.VIOLATION}
    assert found == ({swc} if swc else set())
    if swc:
        assert swc in EXPECTED[name].get("mythril", [])


def test_scan_picks_an_old_compiler_from_the_pragma(fixtures, tmp_path, capsys):
    out = tmp_path / "scan.json"
    code = main(["scan", str(fixtures / "scan_old" / "OldDao.sol"), "--no-mythril", "--json", str(out)])
    assert code == 1  # a high finding
    (result,) = json.loads(out.read_text()).values()
    assert result["compiler"].startswith("0.4.")
    assert any(f["title"].startswith("reentrancy-eth") for f in result["tools"]["slither"])
    assert any(f["status"] == "violation" for f in result["tools"]["fairwatt-cei"])
    assert "fairwatt-cei: 1 findings" in capsys.readouterr().out


def test_call_graph_is_written_as_dot_and_png(tmp_path, capsys):
    assert main(["callgraph", "--out", str(tmp_path)]) == 0
    dot = (tmp_path / "callgraph.dot").read_text()
    assert "FairwattMarket" in dot and "openBids" in dot and "->" in dot
    assert (tmp_path / "callgraph.png").read_bytes().startswith(b"\x89PNG")
    assert not list(CONTRACTS.glob("*.dot"))  # nothing written beside the sources
