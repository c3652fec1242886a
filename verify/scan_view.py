"""What ``fairwatt scan`` shows: a progress bar with each running file's status (on stderr), each
file's findings, a summary table (file, compiler, tools run, verdict), and the exit code."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from verify import scan
from verify.audit import Audit, Outcome, summary
from verify.checks.static import scanners
from verify.findings import Finding, Impact, Status
from verify.render import html, markdown, sarif
from verify.render.data import report_data

GOOD = ("passed", "accepted", "proved")
"""Statuses that are no finding (``proved``: e.g. reentrancy impossible, no external call in the bytecode)."""


def _name(file: str) -> str:
    return os.path.relpath(file) if len(os.path.relpath(file)) < len(file) else file


class Bar(scan.Progress):
    """A rich progress bar: one overall bar, one line per file at work, a line per finished step."""

    def __init__(self, console: Console):
        self.view = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.total = self.view.add_task("scan", total=0)
        self.rows: dict[str, TaskID] = {}
        self.lock = threading.Lock()

    def __enter__(self) -> Bar:
        self.view.start()
        return self

    def __exit__(self, *exc) -> None:
        self.view.stop()

    def planned(self, steps: int) -> None:
        with self.lock:
            self.view.update(self.total, total=(self.view.tasks[self.total].total or 0) + steps)

    def event(self, file: str, what: str, done: bool) -> None:
        with self.lock:
            if done:
                self.view.advance(self.total)
                self.view.console.print(f"{_name(file)}: {what}", highlight=False, soft_wrap=True)
                if file in self.rows:
                    self.view.remove_task(self.rows.pop(file))
            elif file in self.rows:
                self.view.update(self.rows[file], description=f"  {_name(file)}: {what}")
            else:
                self.rows[file] = self.view.add_task(f"  {_name(file)}: {what}", total=None)


def _tool_word(findings: list[dict]) -> str:
    if any(f["status"] == "not_verified" for f in findings):
        return "not verified"
    shown = [f for f in findings if f["status"] not in GOOD]
    return f"{len(shown)} findings" if shown else "clean"


def verdict(result: dict) -> str:
    """One file's verdict: its error, else the worst of its tools' results."""
    if "error" in result:
        return f"not verified: {result['error'][:160]}"
    findings = [f for tool in result["tools"].values() for f in tool]
    bad = [f for f in findings if f["status"] == "violation" and f["impact"] in ("high", "medium")]
    missing = [tool for tool, found in result["tools"].items() if _tool_word(found) == "not verified"]
    words = f"{len(bad)} high/medium findings" if bad else "no high/medium finding"
    return words + (f"; not verified by {', '.join(missing)}" if missing else "")


def show(report: dict, console: Console) -> int:
    """Print every file's findings and the summary table; the exit code (0 clean, 1 a high or medium
    finding, 2 anything not verified)."""
    bad = unverified = False
    for path, result in report.items():
        console.print(f"{path} (solc {result.get('compiler', '?')})", highlight=False)
        if "error" in result:
            console.print(f"  not verified: {result['error']}", highlight=False)
            unverified = True
            continue
        for tool, findings in result["tools"].items():
            shown = [f for f in findings if f["status"] not in GOOD]
            console.print(f"  {tool}: {f'{len(shown)} findings' if shown else 'clean'}")
            for f in shown:
                where = f" [SWC-{f['swc']}]" if f["swc"] else ""
                console.print(f"    {f['status']:12} {f['impact']:13}{where} {f['title'][:110]}", highlight=False)
            unverified |= any(f["status"] == "not_verified" for f in shown)
            bad |= any(f["status"] != "not_verified" and f["impact"] in ("high", "medium") for f in shown)
    table = Table("file", "compiler", "tools run", "verdict", title="fairwatt scan")
    top = os.path.commonpath([str(Path(path).parent) for path in report]) if report else ""
    for path, result in report.items():
        tools = ", ".join(f"{tool}: {_tool_word(found)}" for tool, found in result.get("tools", {}).items())
        table.add_row(os.path.relpath(path, top), result.get("compiler", "-"), tools or "-", verdict(result))
    console.print(table)
    return 2 if unverified else 1 if bad else 0


def _finding(data: dict) -> Finding:
    fields = {k: v for k, v in data.items() if k != "id"}
    return Finding(**{**fields, "status": Status(data["status"]), "impact": Impact(data["impact"])})


def _run_seconds(found: list[Finding]) -> float:
    """The seconds of a tool's runs (the findings of one run share its time)."""
    return sum(seconds for _, seconds in {(f.data.get("file", f.location), f.seconds) for f in found})


def write_reports(report: dict, paths: list[Path], out: Path, seconds: float = 0.0) -> list[Path]:
    """The scan as an audit of its one stage, ``static``, rendered by the audit's renderers: audit.md,
    audit.html, audit.sarif and findings.json in ``out`` (the audit's project-only sections left empty)."""
    by_tool: dict[str, list[Finding]] = {}
    for path, result in report.items():
        if "error" in result:
            by_tool.setdefault("scan", []).append(
                Finding(
                    "scan",
                    f"{Path(path).name} not verified: {result['error'][:200]}",
                    Status.NOT_VERIFIED,
                    Impact.HIGH,
                    location=path,
                    evidence=result["error"],
                )  # fmt: skip
            )
        for tool, found in result.get("tools", {}).items():
            by_tool.setdefault("cei" if tool == scanners.CEI else tool, []).extend(_finding(f) for f in found)
    outcomes = [Outcome(tool, "static", found, _run_seconds(found)) for tool, found in by_tool.items()]
    contracts = Path(os.path.commonpath([p.resolve() for p in paths]))
    out.mkdir(parents=True, exist_ok=True)
    audit = Audit(contracts, out, outcomes, seconds, only=("static",), complete=True)
    data = report_data(audit)
    data.update(stages={"static": summary(audit.findings)}, proofs=[], attacks=[], differential={}, gas=None)
    data.update(errata=[], trace=[], images={})
    written = {"audit.md": markdown.render(data), "audit.html": html.render(data), "audit.sarif": sarif.render(audit)}
    for name, text in written.items():
        (out / name).write_text(text)
    audit.checkpoint()
    return [out / name for name in [*written, "findings.json"]]
