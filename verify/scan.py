"""``fairwatt scan``: Slither, the CEI detector and Mythril on any Solidity file or folder.

Each file is compiled with a compiler its ``pragma solidity`` accepts (``verify.scan_compilers``).
Files are scanned ``jobs`` at a time (each tool is its own process; a queue of threads drives them):
Slither and the CEI detector on every file, the largest first, then Mythril per contract where it
pays — after every Slither run, first on the files Slither could not analyse, then on contracts that
transfer value, then the rest, never where Slither or the CEI detector already found what Mythril's
modules look for, nor, for reentrancy, where the bytecode makes no external call — with the modules of
the question (by default reentrancy's) and execution timeouts that fit the budget.
What the budget does not reach is "not verified", with the reason. The JSON is rewritten after each
step. The queue is :mod:`verify.scan_queue`; which contracts Mythril is given, :mod:`verify.scan_mythril`.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from verify.checks.static import scanners
from verify.checks.static.checks import roots
from verify.findings import Finding, Status
from verify.scan_compilers import COMPILE_TIMEOUT, ScanError, compiler_for
from verify.scan_compilers import Choice as Choice  # callers of the scan use scan.Choice
from verify.scan_mythril import REENTRANCY, SLITHER_RANK, MythrilTask, mythril_tasks
from verify.scan_queue import Queue

PENDING = "not scanned: the scan stopped before this file"
SLITHER_OLDEST = (0, 4)
"""Slither 0.11 says "solc <0.4 is not supported", analyses no contract, and reports success."""
MIN_MYTHRIL = 30
"""The shortest execution timeout worth giving Mythril (seconds); a budget that leaves less skips it.
Measured on the SolidiFI contracts: with 10 s Mythril found nothing, its solver queries refused."""
MYTHRIL_OVERHEAD = 30
"""Seconds a Mythril run spends outside its execution timeout (start, compile, creation transaction)."""


def targets(paths: list[Path]) -> list[Path]:
    """The files to scan: each file named, and the root files of each folder. Raises :class:`ScanError`
    on a path that does not exist, a folder without Solidity, or a file that is not UTF-8 text."""
    out = []
    for path in paths:
        if not path.exists():
            raise ScanError(f"{path}: no such file or folder")
        found = sorted(path.rglob("*.sol")) if path.is_dir() else [path]
        if not found:
            raise ScanError(f"{path}: no .sol file in this folder")
        for file in found:
            try:
                file.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise ScanError(f"{file}: not UTF-8 text (byte {exc.start}); Solidity sources are UTF-8") from None
            except OSError as exc:
                raise ScanError(f"{file}: cannot be read ({exc.strerror})") from None
        out += roots(path) if path.is_dir() else [path.resolve()]
    return out


def _write(report: dict, out: Path) -> None:
    """``report`` as JSON at ``out``, replaced whole (an interruption never leaves half a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(report, indent=2))
    partial.replace(out)


class Progress:
    """What a scan tells as it goes (this one tells nothing; ``verify.scan_view`` shows it)."""

    def planned(self, steps: int) -> None:
        """``steps`` more steps (one per file, one per Mythril run) are to come."""

    def event(self, file: str, what: str, done: bool) -> None:
        """Something happened to ``file``; ``done``: a step finished."""


@dataclass
class Scan:
    """One scan's settings and its report as it grows (shared by the queue's threads under ``lock``).

    Order: Slither on every file, the largest first (the longest runs first, so that the last ones end
    together); as each file's Slither run ends, its Mythril runs are queued behind every Slither run:
    first where Slither could not analyse the file, then on contracts that transfer value, then the rest,
    each group's smallest contract first."""

    files: list[Path]
    mythril: bool = True
    mythril_timeout: int = 60
    modules: tuple[str, ...] | None = REENTRANCY
    """Mythril's modules (``None``: all of them)."""
    depth: int = 2
    triage: Path | None = None
    out: Path | None = None
    jobs: int = 1
    budget: float | None = None
    progress: Progress = field(default_factory=Progress)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.start = self.clock()
        self.lock = threading.Lock()
        self.outputs: Path | None = None
        """The folder where this scan's compiles are kept while it runs (see :meth:`run`)."""
        self.report: dict[str, dict] = {str(path): {"error": PENDING} for path in self.files}

    def left(self) -> float:
        """Seconds of the budget left (infinite without a budget)."""
        return float("inf") if self.budget is None else self.budget - (self.clock() - self.start)

    def out_of_budget(self) -> str:
        return f"the scan's budget of {self.budget:g} s ran out"

    def record(self, path: Path, update: Callable[[dict], None], event: str) -> None:
        """Apply ``update`` to the report of ``path``, rewrite the JSON, and tell that a step finished."""
        with self.lock:
            update(self.report[str(path)])
            if self.out is not None:
                _write(self.report, self.out)
        self.progress.event(str(path), event, True)

    def static(self, path: Path) -> None:
        """Choose the compiler of ``path``, then Slither and the CEI detector on it; then queue Mythril."""
        if self.left() <= 0:
            self.record(path, lambda r: r.update(error=f"not scanned: {self.out_of_budget()}"), "not scanned")
            return
        self.progress.event(str(path), "compiling", False)
        try:
            choice = compiler_for(path, max(1.0, min(COMPILE_TIMEOUT, self.left())), self.outputs)
        except ScanError as exc:
            why = str(exc)
            self.record(path, lambda r: r.update(error=why), "no compiler")
            return
        if _release(choice.compiler.version) < SLITHER_OLDEST:
            why = f"Slither parses no output of solc < 0.4 (solc {choice.compiler.version} compiles this file)"
            slither, cei = (
                [scanners.not_verified("slither", path, why, 0)],
                [scanners.not_verified("cei", path, why, 0)],
            )
        else:
            self.progress.event(str(path), f"Slither (solc {choice.compiler.version})", False)
            timeout = max(1, int(min(300, self.left())))
            slither, cei = scanners.slither(path, choice.compiler, triage_file=self.triage, timeout=timeout)
        tools = {"slither": [f.to_json() for f in slither], "fairwatt-cei": [f.to_json() for f in cei]}
        result = {"compiler": choice.compiler.version, "tools": tools}
        if choice.tried:
            result["compilers_rejected"] = list(choice.tried)
        tasks, skips = mythril_tasks(path, result, choice, self.modules == REENTRANCY)
        if self.mythril:
            tools["mythril"] = [f.to_json() for f in skips]
            if not choice.contracts:
                tools["mythril"] = [_nothing_for_mythril(path)]

        def update(entry: dict) -> None:
            entry.clear()
            entry.update(result)

        self.record(path, update, "Slither " + _word(slither + cei))
        if self.mythril:
            self.progress.planned(len(tasks))
            for task in tasks:
                self.queue.put((task.rank, task.size), partial(self.run_mythril, task))

    def run_mythril(self, task: MythrilTask) -> None:
        """Mythril on one contract, with an execution timeout that fits the budget left, shared with the
        Mythril runs not started yet (where Slither could not analyse the file: with those like it only)."""
        blind = task.priority == 0  # no other tool analysed the file: shared with the other such runs only
        waiting = 1 + self.queue.count(lambda key: key[0] == task.rank if blind else key[0] > SLITHER_RANK)
        share = self.left() * min(1.0, self.jobs / waiting) - MYTHRIL_OVERHEAD
        timeout = int(max(MIN_MYTHRIL, min(self.mythril_timeout, share)))
        if self.left() < MIN_MYTHRIL + MYTHRIL_OVERHEAD:
            why = f"{self.out_of_budget()} before Mythril reached {task.contract}"
            found = [scanners.not_verified("mythril", task.path, why, 0)]
        else:
            self.progress.event(str(task.path), f"Mythril on {task.contract} ({timeout} s)", False)
            found = scanners.mythril(
                task.path,
                task.compiler,
                execution_timeout=timeout,
                depth=self.depth,
                modules=list(self.modules) if self.modules else None,
                contract=task.contract,
                limit=max(1, int(min(timeout * 4 + 120, self.left()))),
            )
        self.record(
            task.path,
            lambda r: r["tools"].setdefault("mythril", []).extend(f.to_json() for f in found),
            f"Mythril on {task.contract} " + _word(found),
        )

    def run(self) -> dict:
        """Scan; each file is compiled once, for choosing its compiler and for Slither (the compiles
        are kept in a folder of this scan's, removed at the end)."""
        if self.out is not None:
            _write(self.report, self.out)
        self.progress.planned(len(self.files))
        self.queue = Queue(self.jobs)
        for path in self.files:
            self.queue.put((SLITHER_RANK, -path.stat().st_size), partial(self.static, path))
        with tempfile.TemporaryDirectory(prefix="fairwatt-scan-solc-") as outputs:
            self.outputs = Path(outputs)
            self.queue.run()
        return self.report


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def _nothing_for_mythril(path: Path) -> dict:
    return scanners.not_verified("mythril", path, "no contract with bytecode to analyse", 0).to_json()


def _word(findings: list[Finding]) -> str:
    """A tool run in a word: not verified, N findings, or clean."""
    if any(f.status == Status.NOT_VERIFIED for f in findings):
        return "not verified"
    bad = [f for f in findings if f.status == Status.VIOLATION]
    return f"{len(bad)} findings" if bad else "clean"


def scan(
    paths: list[Path],
    mythril: bool = True,
    mythril_timeout: int = 60,
    triage: Path | None = None,
    out: Path | None = None,
    jobs: int | None = None,
    budget: float | None = None,
    modules: tuple[str, ...] | None = REENTRANCY,
    progress: Progress | None = None,
) -> dict:
    """Scan every file; the result per file and per tool, written to ``out`` after each step (a file
    not reached yet says so). Nothing is written beside the sources. ``jobs``: tool processes at a
    time (default: the number of cores); ``budget``: seconds for the whole scan."""
    files = targets(paths)
    if triage is not None:
        try:
            scanners.load_triage(triage)
        except scanners.TriageError as exc:
            raise ScanError(str(exc)) from None
    settings = Scan(files, mythril, mythril_timeout, modules, triage=triage, out=out, budget=budget)
    settings.jobs = jobs or os.cpu_count() or 1
    if progress is not None:
        settings.progress = progress
    return settings.run()
