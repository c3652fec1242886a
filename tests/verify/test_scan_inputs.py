"""`fairwatt scan` and the Slither adapter on bad input: one clear line and exit 2, nothing written beside
the sources, results kept as they arrive; the triage file, Slither's configuration and the CEI plugin
each shown to matter (SET-7)."""

import json
import shutil
import stat
import sys
from pathlib import Path

import pytest

from verify.checks.static import scanners
from verify.cli import main
from verify.findings import Status

FIXTURES = Path(__file__).parents[1] / "fixtures"
SCAN = FIXTURES / "scan"
# Slither exactly as fairwatt runs it, but with the `slither_analyzer.plugin` entry points gone.
WITHOUT_PLUGINS = (
    "import runpy, sys, importlib.metadata as m\n"
    "found = m.entry_points\n"
    "m.entry_points = lambda **kw: [] if kw.get('group') == 'slither_analyzer.plugin' else found(**kw)\n"
    "sys.argv[0] = 'slither'\n"
    "runpy.run_module('slither', run_name='__main__')\n"
)


def checks_of(findings):
    return {f.data.get("tool_check") for f in findings if f.status == Status.VIOLATION}


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda tmp: tmp / "missing", "no such file or folder"),
        (lambda tmp: tmp, "no .sol file"),
        (lambda tmp: (tmp / "Latin1.sol").write_bytes(b"// \xe9t\xe9\npragma solidity ^0.8.0;\n") and tmp, "UTF-8"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(make, said, tmp_path, capsys):
    assert main(["scan", str(make(tmp_path)), "--no-mythril"]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_read_only_folder_scans_and_is_left_byte_for_byte_unchanged(tmp_path, capsys):
    folder = tmp_path / "sources"
    shutil.copytree(SCAN, folder)
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")}
    for path in [*folder.iterdir(), folder]:
        path.chmod(stat.S_IRUSR | (stat.S_IXUSR if path.is_dir() else 0))
    out = tmp_path / "scan.json"
    try:
        code = main(
            ["scan", str(folder / "ReentrancyBank.sol"), str(folder / "SafeBank.sol"), "--no-mythril"]
            + ["--json", str(out)]
        )
        after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")}
    finally:
        folder.chmod(0o755)
    assert code == 1  # ReentrancyBank's reentrancy-eth
    assert after == before
    report = json.loads(out.read_text())
    assert all(result["tools"]["slither"][-1]["status"] == "passed" for result in report.values())


def test_results_are_written_as_they_arrive(tmp_path, monkeypatch):
    real = scanners.slither
    seen = []

    def stopped_on_the_second_file(path, *args, **kwargs):
        seen.append(path)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(scanners, "slither", stopped_on_the_second_file)
    out = tmp_path / "scan.json"
    with pytest.raises(KeyboardInterrupt):
        main(
            ["scan", str(SCAN / "SafeBank.sol"), str(SCAN / "TxOriginAuth.sol"), "--no-mythril", "--jobs", "1"]
            + ["--json", str(out)]
        )
    report = json.loads(out.read_text())
    assert report[str(seen[0])]["tools"]["slither"][-1]["status"] == "passed"
    assert report[str(seen[1])] == {"error": "not scanned: the scan stopped before this file"}


def test_a_triage_entry_with_an_empty_where_is_refused(tmp_path):
    triage = tmp_path / "triage.toml"
    triage.write_text('[[accepted]]\ncheck = "reentrancy-eth"\nwhere = " "\nreason = "reviewed"\n')
    with pytest.raises(scanners.TriageError, match="empty `where`: it would accept every future finding"):
        scanners.slither(SCAN / "ReentrancyBank.sol", triage_file=triage)
    triage.write_text('[[accepted]]\ncheck = "reentrancy-eth"\nwhere = "ReentrancyBank.withdraw"\nreason = ""\n')
    with pytest.raises(scanners.TriageError, match="empty `reason`"):
        scanners.load_triage(triage)
    assert all(entry["where"].strip() for entry in scanners.load_triage(scanners.TRIAGE))


def test_slither_reads_fairwatts_configuration():
    constable = FIXTURES / "scan_config" / "Constable.sol"
    without, _ = scanners.slither(constable, config_file=None)
    assert "constable-states" in checks_of(without)
    configured, _ = scanners.slither(constable)  # slither.config.json: exclude_optimization
    assert "constable-states" not in checks_of(configured)
    assert configured[-1].status == Status.PASSED


def test_an_unreadable_slither_configuration_is_not_verified(tmp_path):
    config = tmp_path / "slither.config.json"
    config.write_text("{not json")
    slither, cei = scanners.slither(SCAN / "SafeBank.sol", config_file=config)
    assert [f.status for f in slither + cei] == [Status.NOT_VERIFIED] * 2


def test_a_cei_detector_that_did_not_run_is_not_verified(tmp_path, monkeypatch):
    config = tmp_path / "slither.config.json"
    config.write_text(json.dumps({"detectors_to_exclude": "fairwatt-cei"}))
    slither, cei = scanners.slither(SCAN / "ReentrancyBank.sol", config_file=config)
    assert slither[-1].status == Status.PASSED
    assert [f.status for f in cei] == [Status.NOT_VERIFIED] and "detectors_to_exclude" in cei[0].title

    monkeypatch.setattr(scanners, "SLITHER", [sys.executable, "-c", WITHOUT_PLUGINS])
    slither, cei = scanners.slither(SCAN / "ReentrancyBank.sol")
    assert "reentrancy-eth" in checks_of(slither)  # Slither itself ran
    assert [f.status for f in cei] == [Status.NOT_VERIFIED] and "not registered" in cei[0].title
