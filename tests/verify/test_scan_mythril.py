"""Mythril never reads as clean when it did not finish everything it was given, and it runs offline on
fairwatt's compiler whatever the pragma says (SET-7)."""

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from verify.checks.static import scanners
from verify.findings import Status

FIXTURES = Path(__file__).parents[1] / "fixtures"
RECORD = scanners.MARKER + json.dumps([{"contract": "Fine", "finished": True, "cut_short": "", "seconds": 3.1}])
# The jsonv2 Mythril 0.24.8 printed (exit 0) for a file solc rejects, trimmed to its message's first line.
COMPILE_FAILURE = [
    {
        "issues": [],
        "sourceType": "",
        "sourceFormat": "",
        "sourceList": [],
        "meta": {"logs": [{"level": "error", "hidden": True, "msg": "Solc experienced a fatal error.\n"}]},
    }
]
ISSUE = {
    "swcID": "SWC-115",
    "severity": "Medium",
    "description": {"head": "Use of tx.origin", "tail": "tx.origin decides."},
}


def statuses(findings):
    return [f.status for f in findings if f.check == "mythril" and f.status != Status.VIOLATION]


def read(report, returncode=0, stderr=RECORD):
    return scanners.read_mythril(Path("X.sol"), returncode, json.dumps(report), stderr, 1.0)


def test_a_clean_run_on_every_contract_is_analysed():
    (finding,) = read([{"issues": [], "meta": {}}])
    assert finding.status == Status.PASSED and "Fine" in finding.title


@pytest.mark.parametrize(
    ("report", "returncode", "stderr", "why"),
    [
        (COMPILE_FAILURE, 0, scanners.MARKER + "[]", "Solc experienced a fatal error"),
        ([{"issues": [], "meta": {}}], 0, "", "left no record"),
        ([{"issues": [], "meta": {}}], 0, scanners.MARKER + "[]", "no contract"),
        ([{"issues": [], "meta": {}}], 1, RECORD, "exited with 1"),
        ([{"issues": [ISSUE], "meta": {}}], 0, RECORD, "exited with 0"),
        ([{"issues": [], "meta": {}}, {"issues": [], "meta": COMPILE_FAILURE[0]["meta"]}], 0, RECORD, "fatal"),
        (
            [{"issues": [], "meta": {}}],
            0,
            RECORD.replace('"cut_short": ""', '"cut_short": "execution timeout"'),
            "Fine cut short by its execution timeout",
        ),
        ([{"issues": [], "meta": {}}], 0, RECORD.replace("true", "false"), "Fine: Mythril aborted"),
        (
            [{"issues": [], "meta": {}}],
            0,
            RECORD.replace('"seconds"', '"open_states": 0, "seconds"'),
            "Fine: its creation transaction left no state to call",
        ),
    ],
)
def test_every_sign_of_an_unfinished_run_is_not_verified(report, returncode, stderr, why):
    findings = read(report, returncode, stderr)
    assert Status.PASSED not in statuses(findings)
    assert any(f.status == Status.NOT_VERIFIED and why in f.evidence for f in findings)


def test_output_that_is_not_a_report_is_not_verified():
    findings = scanners.read_mythril(Path("X.sol"), 1, "Traceback ...", "KeyError: 'x'\n" + RECORD, 1.0)
    assert statuses(findings) == [Status.NOT_VERIFIED] and "KeyError" in findings[0].title


def test_a_mythril_without_a_python_beside_it_or_in_its_first_line_is_not_verified(tmp_path, monkeypatch):
    myth = tmp_path / "myth"
    myth.write_text("#!/bin/sh\nexit 0\n")
    monkeypatch.setattr(scanners, "myth_executable", lambda: myth)
    (finding,) = scanners.mythril(FIXTURES / "scan" / "SafeBank.sol")
    assert finding.status == Status.NOT_VERIFIED and "Python" in finding.title


def read_only_copy(source: Path, folder: Path) -> tuple[Path, dict]:
    """``source`` alone in a read-only ``folder``, and the folder's contents to compare with later."""
    folder.mkdir()
    copy = folder / source.name
    shutil.copy(source, copy)
    copy.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    return copy, snapshot(folder)


def snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fixture", "why"),
    [
        ("uncompilable/Broken.sol", "Undeclared identifier"),
        ("scan_mythril/Throws.sol", "TypeError: list indices must be integers"),
    ],
)
def test_a_compile_failure_and_a_mythril_crash_are_not_verified(fixture, why, tmp_path):
    path, before = read_only_copy(FIXTURES / fixture, tmp_path / "sources")
    findings = scanners.mythril(path, execution_timeout=30, depth=1, modules=["TxOrigin"])
    assert Status.PASSED not in statuses(findings)
    assert any(f.status == Status.NOT_VERIFIED and why in f.evidence for f in findings)
    assert snapshot(path.parent) == before  # nothing written beside the source


def network_free(python: str | None, folder: Path) -> str | None:
    """``python`` in a network namespace of its own (no network at all), when this machine allows it."""
    unshare = shutil.which("unshare")
    if python is None or unshare is None:
        return python
    if subprocess.run([unshare, "-n", "true"], capture_output=True).returncode != 0:
        return python
    wrapper = folder / "python-without-network"
    wrapper.write_text(f'#!/bin/sh\nexec {unshare} -n {python} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@pytest.mark.slow
def test_mythril_runs_offline_on_our_compiler_whatever_the_pragma(tmp_path, monkeypatch):
    # py-solc-x's installed compilers are where Mythril looks for the pragma's (^0.8.20) version
    # when the network fails: a decoy there, which records its use and fails.
    decoy = tmp_path / "solcx" / "solc-v0.8.20"
    decoy.parent.mkdir()
    decoy.write_text(f"#!/bin/sh\ntouch {tmp_path / 'decoy-used'}\nexit 1\n")
    decoy.chmod(0o755)
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(decoy.parent))
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    python = scanners.mythril_python
    monkeypatch.setattr(scanners, "mythril_python", lambda myth: network_free(python(myth), tmp_path))
    findings = scanners.mythril(FIXTURES / "scan" / "TxOriginAuth.sol", depth=1, modules=["TxOrigin"])
    assert {f.swc for f in findings if f.status == Status.VIOLATION} == {"115"}
    assert statuses(findings) == [Status.PASSED]
    assert not (tmp_path / "decoy-used").exists()


def test_an_issue_keeps_its_line(tmp_path):
    source = tmp_path / "Bank.sol"
    source.write_text("pragma solidity ^0.4.24;\ncontract Bank {\n  function f() public { msg.sender.call(); }\n}\n")
    offset = source.read_text().index("msg.sender")
    issue = {**ISSUE, "locations": [{"sourceMap": f"{offset}:10:2"}]}  # Mythril's index: not the list's
    report = [{"issues": [issue], "meta": {}, "sourceList": [str(source)]}]
    findings = scanners.read_mythril(source, 1, json.dumps(report), RECORD, 1.0)
    assert findings[0].location == f"{source}#L3"
    report[0]["sourceList"] = ["Other.sol"]  # an offset in another file: no line
    assert scanners.read_mythril(source, 1, json.dumps(report), RECORD, 1.0)[0].location == str(source)
