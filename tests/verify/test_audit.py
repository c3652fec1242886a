"""fairwatt audit: one findings list, every report format, the exit-code gate, and nothing passing silently."""

import json
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from reference import params
from verify import audit
from verify.checks.proofs.auction import WinnerHighest
from verify.cli import main
from verify.mutation import MUTANTS, apply
from verify.toolchain.compiler import CONTRACTS

FAST = ["compile", "proofs", "fig7", "vectors", "slither", "cei"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit")
    code = main(["audit", "--out", str(out), "--only", *FAST, "--no-cache"])
    return code, out


def test_every_report_is_written_from_one_findings_list(report):
    code, out = report
    assert code == 0
    findings = json.loads((out / "findings.json").read_text())["findings"]
    assert {f["check"] for f in findings} >= {"compile", "prove-second-price", "fig7", "vectors", "slither", "cei"}
    assert all(len(f["id"]) == 16 for f in findings)
    sarif = json.loads((out / "audit.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["rules"]
    for result in sarif["runs"][0]["results"]:
        assert result["partialFingerprints"]["fairwattFindingId/v1"] in {f["id"] for f in findings}
    suites = ET.parse(out / "junit.xml").getroot()
    assert sum(int(s.get("tests")) for s in suites) == len(findings)
    markdown = (out / "audit.md").read_text()
    for section in ("## Proof obligations", "## Errata", "## Traceability", "ERR-17", "AUC-7"):
        assert section in markdown
    html = (out / "audit.html").read_text()
    assert "data:image/png;base64," in html and 'id="traceability"' in html and "<script" not in html


def test_stable_ids_across_runs(report, tmp_path):
    _, out = report
    assert main(["audit", "--out", str(tmp_path), "--only", "compile", "vectors"]) == 0
    first = {f["id"] for f in json.loads((out / "findings.json").read_text())["findings"] if f["check"] == "vectors"}
    again = {
        f["id"] for f in json.loads((tmp_path / "findings.json").read_text())["findings"] if f["check"] == "vectors"
    }
    assert first == again


def test_a_broken_contract_fails_the_gate_and_names_the_clause(tmp_path, capsys):
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    apply(next(m for m in MUTANTS if m.id == "first-price"), root)
    code = main(["audit", "--contracts", str(root), "--out", str(tmp_path / "out"), "--only", "compile", "vectors"])
    assert code == 1
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]
    broken = [f for f in findings if f["status"] == "violation"]
    assert broken and broken[0]["clause"] == "AUC-7" and "AuctionSettled" in broken[0]["evidence"]
    assert "AUC-7" in (tmp_path / "out" / "audit.md").read_text()


def test_an_uncompilable_contract_is_one_clear_line_plus_the_report(fixtures, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        ["audit", "--contracts", str(fixtures / "uncompilable"), "--out", str(out), "--only", "compile", "vectors"]
    )
    assert code == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if "do not compile" in line]
    assert errors == ["fairwatt: contracts do not compile: Broken.sol:6: DeclarationError: Undeclared identifier."]
    findings = json.loads((out / "findings.json").read_text())["findings"]
    assert {f["check"]: f["status"] for f in findings} == {"compile": "violation", "vectors": "not_verified"}


def test_a_missing_tool_is_not_verified_and_fails_the_gate(monkeypatch, tmp_path):
    monkeypatch.setenv("FAIRWATT_MYTH", str(tmp_path / "no-myth"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert main(["audit", "--out", str(tmp_path), "--only", "mythril", "--no-cache"]) == 2
    findings = json.loads((tmp_path / "findings.json").read_text())["findings"]
    assert [f["status"] for f in findings] == ["not_verified"]
    assert main(["audit", "--out", str(tmp_path), "--only", "mythril", "--no-cache", "--allow-unverified"]) == 0


def test_a_crashing_check_is_not_verified(monkeypatch, tmp_path):
    def crash(self, ctx):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(WinnerHighest, "run", crash)
    assert main(["audit", "--out", str(tmp_path), "--only", "prove-winner-highest", "--no-cache"]) == 2
    (finding,) = json.loads((tmp_path / "findings.json").read_text())["findings"]
    assert finding["status"] == "not_verified" and "solver exploded" in finding["evidence"]


def test_a_stage_that_times_out_is_not_verified(monkeypatch, tmp_path):
    monkeypatch.setitem(audit.TIMEOUTS, "symbolic", 0)
    assert main(["audit", "--out", str(tmp_path), "--only", "crosshair", "--no-cache"]) == 2
    (finding,) = json.loads((tmp_path / "findings.json").read_text())["findings"]
    assert finding["status"] == "not_verified" and "timed out" in finding["title"]


def test_malformed_parameters_are_a_configuration_error(monkeypatch, tmp_path, capsys):
    broken = tmp_path / "params.toml"
    broken.write_text("[resolved]\nwad = 1\n")
    monkeypatch.setattr(params, "PARAMS_FILE", broken)
    params.load.cache_clear()
    try:
        assert main(["audit", "--out", str(tmp_path), "--only", "compile"]) == 2
    finally:
        params.load.cache_clear()
    assert "malformed parameters" in capsys.readouterr().err


def test_unchanged_inputs_reuse_earlier_results(tmp_path):
    first = audit.run(CONTRACTS, tmp_path / "a", {"params": ("resolved",)}, only=["proofs", "fig7"])
    again = audit.run(CONTRACTS, tmp_path / "b", {"params": ("resolved",)}, only=["proofs", "fig7"])
    assert all(o.cached for o in again.outcomes)
    assert [f.id for f in first.findings] == [f.id for f in again.findings]
    assert (tmp_path / "b" / "artifacts" / "fig7" / "paper-fig7.png").exists()  # artifacts come back too


def test_the_html_report_renders_in_headless_chromium(report, tmp_path):
    _, out = report
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is installed by `make test` (apt-get install chromium)"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    page = (out / "audit.html").resolve().as_uri()
    dom = subprocess.run([chromium, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120).stdout
    for text in ("fairwatt audit", "Proof obligations", "Traceability", "Errata", "prove-second-price"):
        assert text in dom
    shot = tmp_path / "audit.png"
    subprocess.run(
        [chromium, *flags, f"--screenshot={shot}", "--window-size=1280,1600", page], capture_output=True, timeout=120
    )
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    shutil.copy(shot, Path(out) / "audit-screenshot.png")
