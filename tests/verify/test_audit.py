"""fairwatt audit: one findings list, every report format, the exit-code gate, and nothing passing silently."""

import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from verify import audit
from verify.check import Context
from verify.checks.callgraph import CallGraphCheck
from verify.checks.proofs.auction import WinnerHighest
from verify.cli import main
from verify.findings import Finding, Impact, Status
from verify.mutation import MUTANTS, apply
from verify.registry import discover
from verify.render import markdown
from verify.render.data import report_data
from verify.toolchain.compiler import CONTRACTS, ROOT

FAST = ["compile", "prove-second-price", "prove-winner-highest", "fig7", "vectors", "slither", "cei"]


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
    assert findings and {f["status"] for f in findings} == {"not_verified"}  # one per root contract file
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


@pytest.mark.parametrize("text", ["[resolved]\nwad = 1\n", "[resolved\n", "[resolved]\nwad = 'one'\n"])
@pytest.mark.parametrize("command", [["audit", "--only", "compile"], ["simulate", "reputation"]])
def test_malformed_parameters_are_one_line_in_a_fresh_process(tmp_path, text, command):
    broken = tmp_path / "params.toml"
    broken.write_text(text)
    script = (
        "import sys; from pathlib import Path; import reference.params as p; p.PARAMS_FILE = Path(sys.argv[1]); "
        "from verify.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    argv = [sys.executable, "-c", script, str(broken), *command, "--out", str(tmp_path / "out")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stderr.splitlines() if line.startswith("fairwatt:")]
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(lines) == 1 and "malformed parameters" in lines[0] and str(broken) in lines[0]


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


def one_line(capsys) -> str:
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "fairwatt" in line]
    return line


def test_an_unknown_stage_or_check_is_exit_2_naming_the_valid_ones(tmp_path, capsys):
    assert main(["audit", "--out", str(tmp_path), "--only", "compile", "proofz"]) == 2
    line = one_line(capsys)
    assert "unknown stage or check proofz" in line and "proofs" in line and "prove-second-price" in line
    assert not (tmp_path / "findings.json").exists()


def test_the_written_verdict_is_the_exit_codes_gate(report):
    _, out = report
    data = json.loads((out / "findings.json").read_text())
    assert data["complete"] and data["verdict"].startswith("clean (exit 0 with --fail-on medium; only compile")
    assert data["stages"]["compile"] == "passed" and data["stages"]["proofs"] == "proved"
    assert data["stages"]["gas"] == "not verified"  # not selected: never reads as clean
    assert "| gas | not verified (not run) |" in (out / "audit.md").read_text()
    low = audit.Audit(CONTRACTS, out, [audit.Outcome("gas", "gas", [finding(Status.VIOLATION, Impact.LOW)], 0)])
    assert audit.exit_code(low) == 0 and low.verdict().startswith("clean (exit 0 with --fail-on medium")
    low.fail_on = Impact.LOW
    assert audit.exit_code(low) == 1 and low.verdict().startswith("findings at or above low (exit 1 with --fail-on low")
    assert low.verdict() in markdown.render(report_data(low))


def finding(status: Status, impact: Impact = Impact.HIGH) -> Finding:
    return Finding(check="gas", title="a result", status=status, impact=impact)


@pytest.mark.parametrize(
    ("statuses", "word"),
    [
        ([], "not verified"),
        ([Status.PROVED], "proved"),
        ([Status.PROVED, Status.PASSED, Status.ACCEPTED], "passed"),
        ([Status.PASSED, Status.UNKNOWN], "unknown"),
        ([Status.UNKNOWN, Status.NOT_VERIFIED], "not verified"),
        ([Status.NOT_VERIFIED, Status.VIOLATION], "violation"),
        ([Status.VIOLATION, Status.REFUTED], "refuted"),
    ],
)
def test_every_stage_reads_one_of_six_words(statuses, word):
    assert audit.summary([finding(s) for s in statuses]) == word


def test_a_check_that_reports_nothing_is_not_verified(monkeypatch, tmp_path):
    monkeypatch.setattr(WinnerHighest, "run", lambda self, ctx: [])
    assert main(["audit", "--out", str(tmp_path), "--only", "prove-winner-highest", "--no-cache"]) == 2
    data = json.loads((tmp_path / "findings.json").read_text())
    assert [f["title"] for f in data["findings"]] == ["not verified: no result"]
    assert data["stages"]["proofs"] == "not verified"


def test_every_file_a_recommendation_or_template_names_exists():
    texts = [c.RECOMMENDATION + " " + c.DESCRIPTION for c in discover().values()]
    texts += [p.read_text() for p in (ROOT / "verify" / "render" / "templates").iterdir()]
    paths = {
        m
        for text in texts
        for m in re.findall(r"[A-Za-z_][\w.-]*/[\w./-]*\w\.[a-z]+|[\w-]+\.(?:md|toml|sol|json)\b", text)
    }
    named = {m for text in texts for m in re.findall(r"\b[A-Z]{3,}(?:-[A-Z]{2,})+\b", text)}  # GAS-NOTES, ...
    assert "contracts/slither-triage.toml" in paths and "spec/auction.md" in paths
    files = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if ".tox" not in p.parts}
    missing = [p for p in paths if p not in files and not any(f.endswith("/" + p) for f in files)]
    missing += [n for n in named if not any(Path(f).stem == n for f in files)]
    assert not missing, f"named but not in the project: {missing}"


def test_the_audit_draws_the_call_graph_and_flags_a_missing_function(tmp_path):
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    ctx = Context(root=ROOT, out=tmp_path / "out", contracts=root)
    drawn = CallGraphCheck().run(ctx)
    assert drawn and all(f.status == Status.PASSED for f in drawn)
    assert (tmp_path / "out" / "artifacts" / "callgraph" / "callgraph.png").read_bytes().startswith(b"\x89PNG")
    market = root / "FairwattMarket.sol"
    market.write_text(market.read_text().replace("_tally(", "_count("))
    (broken,) = [f for f in CallGraphCheck().run(ctx) if f.status != Status.PASSED]
    assert broken.status == Status.VIOLATION and broken.location == "FairwattMarket._tally"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_nothing_is_written_into_the_contracts_folder(tmp_path):
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    before = tree(root)
    out = tmp_path / "out"
    main(["audit", "--contracts", str(root), "--out", str(out), "--only", "compile", "callgraph", "vectors", "cei"])
    assert tree(root) == before
    assert (out / "artifacts" / "callgraph" / "callgraph.dot").exists()


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    """Exit code and the one error line of ``fairwatt argv``."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if re.match(r"fairwatt( \w+)?: ", line)]
    return code, line


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["compile", "{tmp}/nowhere"], "no folder at {tmp}/nowhere"),
        (["audit", "--contracts", "{tmp}/nowhere"], "no folder at {tmp}/nowhere"),
        (["diff", "--contracts", "{tmp}/nowhere"], "no folder at {tmp}/nowhere"),
        (["callgraph", "--contracts", "{tmp}/empty", "--out", "{tmp}/cg"], "no .sol file under {tmp}/empty"),
        (["gas", "--bidders", "5", "--out", "{tmp}/gas"], "at least two different bidder counts"),
        (["gas", "--bidders", "0", "5"], "at least 1"),
        (["audit", "--gas-bidders", "5", "--out", "{tmp}/a"], "at least two different bidder counts"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, says):
    (tmp_path / "empty").mkdir()
    code, line = run_cli([a.format(tmp=tmp_path) for a in argv], capsys)
    assert code == 2 and says.format(tmp=tmp_path) in line


def test_a_contract_that_is_not_utf8_is_one_line_and_exit_2_with_the_report(tmp_path, capsys):
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    (root / "Latin.sol").write_bytes("// caf\xe9\ncontract Latin {}\n".encode("latin-1"))
    assert run_cli(["compile", str(root)], capsys) == (2, f"fairwatt: {root / 'Latin.sol'} is not UTF-8 text (byte 6)")
    out = tmp_path / "out"
    code, line = run_cli(["audit", "--contracts", str(root), "--out", str(out), "--only", "compile", "fig7"], capsys)
    assert code == 2 and line.endswith("Latin.sol is not UTF-8 text (byte 6)")
    data = json.loads((out / "findings.json").read_text())
    assert {f["check"]: f["status"] for f in data["findings"]} == {"compile": "not_verified", "fig7": "passed"}
    assert "Latin.sol is not UTF-8" in (out / "audit.md").read_text()


def test_a_missing_node_is_one_line_and_exit_2_with_what_did_run(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither node nor npm
    assert run_cli(["compile"], capsys) == (
        2,
        "fairwatt: the Solidity compiler cannot run: node and npm not found on PATH",
    )
    out = tmp_path / "out"
    code, line = run_cli(["audit", "--out", str(out), "--only", "compile", "fig7", "--no-cache"], capsys)
    assert (code, line) == (2, "fairwatt: the Solidity compiler cannot run: node and npm not found on PATH")
    data = json.loads((out / "findings.json").read_text())
    assert {f["check"]: f["status"] for f in data["findings"]} == {"compile": "not_verified", "fig7": "passed"}


SLEEPER = """
import sys, time
from verify.checks.proofs.auction import WinnerHighest
WinnerHighest.run = lambda self, ctx: time.sleep(3600)
from verify.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_audit_keeps_what_was_done(tmp_path, signum):
    out = tmp_path / "out"
    argv = ["audit", "--out", str(out), "--only", "fig7", "prove-winner-highest", "--no-cache", "--jobs", "2"]
    process = subprocess.Popen([sys.executable, "-c", SLEEPER, *argv], stderr=subprocess.PIPE, text=True)
    for _ in range(2400):  # fig7 finishes; the sleeper never does
        if (out / "findings.json").exists() and "fig7" in (out / "findings.json").read_text():
            break
        assert process.poll() is None
        subprocess.run(["sleep", "0.1"])
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 2, err
    data = json.loads((out / "findings.json").read_text())
    statuses = {f["check"]: (f["status"], f["title"]) for f in data["findings"]}
    name = signal.Signals(signum).name
    assert statuses["fig7"][0] == "passed"
    assert statuses["prove-winner-highest"] == ("not_verified", f"not verified: interrupted by {name}")
    assert not data["complete"] and f"interrupted by {name}" in err
    assert "**Incomplete:**" in (out / "audit.md").read_text()


def test_a_cached_result_of_another_shape_is_run_again(tmp_path, monkeypatch):
    monkeypatch.setattr(audit, "AUDIT_CACHE", tmp_path / "cache")
    first = audit.run(CONTRACTS, tmp_path / "a", only=["fig7"])
    (home,) = (tmp_path / "cache").iterdir()
    saved = json.loads((home / "findings.json").read_text())
    cache = tmp_path / "cache"
    assert [o.cached for o in audit.run(CONTRACTS, tmp_path / "b", only=["fig7"]).outcomes] == [True]
    for reshaped in ([dict(f, severity="high") for f in saved], [dict(f, id="0" * 16) for f in saved], [], "{"):
        for home in cache.iterdir():  # (another entry appears if the tree changes meanwhile)
            (home / "findings.json").write_text(reshaped if isinstance(reshaped, str) else json.dumps(reshaped))
        again = audit.run(CONTRACTS, tmp_path / "c", only=["fig7"])
        assert [o.cached for o in again.outcomes] == [False]
        assert [f.id for f in again.findings] == [f.id for f in first.findings]


def test_the_proof_table_shows_model_and_bytecode_obligations_with_their_level(tmp_path):
    model = Finding(check="prove-winner-highest", title="winner highest", status=Status.PROVED, impact=Impact.HIGH)
    bytecode = Finding(
        check="bytecode",
        title="withdraw pays at most the pending balance",
        status=Status.PROVED,
        impact=Impact.HIGH,
        data={"level": "bytecode", "obligation": "bytecode-withdraw"},
    )
    unrelated = finding(Status.PASSED)
    result = audit.Audit(CONTRACTS, tmp_path, [audit.Outcome("x", "proofs", [model, bytecode, unrelated], 0)])
    table = markdown.render(report_data(result)).split("## Proof obligations")[1].split("\n## ")[0]
    assert "| prove-winner-highest | model |" in table and "| bytecode-withdraw | bytecode |" in table
    assert "gas" not in table


def test_the_tree_digest_skips_what_the_checks_generate_and_nothing_else(tmp_path, monkeypatch):
    (tmp_path / "verify" / "twins").mkdir(parents=True)
    (tmp_path / "verify" / "check.py").write_text("a = 1")
    monkeypatch.setattr(audit, "GENERATED", (tmp_path / "verify" / "twins",))
    before = audit._digest([tmp_path / "verify"])
    (tmp_path / "verify" / "twins" / "Twin.sol").write_text("contract Twin {}")  # a bytecode twin written by a test
    assert audit._digest([tmp_path / "verify"]) == before
    (tmp_path / "verify" / "check.py").write_text("a = 2")
    assert audit._digest([tmp_path / "verify"]) != before
