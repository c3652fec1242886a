"""``fairwatt scan``: Slither, the CEI detector and Mythril on any Solidity file or folder.

Each file is compiled with a compiler its ``pragma solidity`` accepts: fairwatt's pinned solc when it
does, else the newest matching solc-js release, falling back to the newest release of each older
matching minor series when that one rejects the code (the outcome is cached per source text). Releases
are installed once from the npm registry into a cache (old compilers run through the same native-solc
look-alike).

Files are scanned ``jobs`` at a time (each tool is its own process; a pool of threads drives them):
Slither and the CEI detector on every file first, then Mythril per contract where it pays — first
on the files Slither could not analyse, then on contracts that transfer value, then the rest — with
the modules of the question (by default reentrancy's) and execution timeouts that fit the budget.
What the budget does not reach is "not verified", with the reason. The JSON is rewritten after each
step.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from verify.checks.static import scanners
from verify.checks.static.checks import IMPORT, roots
from verify.findings import Finding, Status
from verify.toolchain.compiler import CACHE, ROOT, SOLC, ensure_compiler, solc_version

PRAGMA = re.compile(r"pragma\s+solidity\s+([^;]+);")
COMPILERS = CACHE.parent / "solc"
BROKEN = {"0.4.0"}
NPM_TIMEOUT = 600  # solc@0.4.0's soljson.js is an HTML error page
COMPILE_TIMEOUT = 120
PENDING = "not scanned: the scan stopped before this file"
REENTRANCY = ("ExternalCalls", "StateChangeAfterCall")
"""Mythril's modules for the reentrancy question: calls to user-supplied addresses, state access after a call."""
MIN_MYTHRIL = 30
"""The shortest execution timeout worth giving Mythril (seconds); a budget that leaves less skips it.
Measured on the SolidiFI contracts: with 10 s Mythril found nothing, its solver queries refused."""
MYTHRIL_OVERHEAD = 30
"""Seconds a Mythril run spends outside its execution timeout (start, compile, creation transaction)."""
CONTRACT = re.compile(r"^\s*(?:abstract\s+)?(contract|library|interface)\s+(\w+)", re.M)
VALUE_TRANSFER = re.compile(r"\.\s*(?:call\s*\.\s*value\s*\(|call\s*\{[^}]*value\s*:|transfer\s*\(|send\s*\()")
_INSTALLING: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


class ScanError(Exception):
    """A file cannot be scanned (no pragma a published compiler satisfies, npm unreachable), or the
    input is unusable (no such path, no Solidity, not UTF-8, a malformed triage file)."""


def _npm(*args: str, cwd: Path = ROOT) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise ScanError("npm is needed to install compilers")
    try:
        done = subprocess.run([npm, *args], capture_output=True, text=True, cwd=cwd, timeout=NPM_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ScanError(f"npm {' '.join(args)}: no answer from the registry in {NPM_TIMEOUT} s") from None
    if done.returncode != 0:
        raise ScanError(f"npm {' '.join(args)}: {done.stderr.strip()[-300:]}")
    return done.stdout


def published_versions() -> list[str]:
    """Every solc-js release on the npm registry (cached for the session in .fairwatt-cache)."""
    cached = COMPILERS / "versions.json"
    with _GUARD:
        if not cached.exists():
            COMPILERS.mkdir(parents=True, exist_ok=True)
            cached.write_text(_npm("view", "solc", "versions", "--json"))
    return [v for v in json.loads(cached.read_text()) if v not in BROKEN]


def satisfying(pragma: str, versions: list[str]) -> list[str]:
    """The ``versions`` satisfying ``pragma`` (npm's semver, as solc-js uses), newest first."""
    ensure_compiler()
    script = (
        "const s=require('semver');const [r,v]=JSON.parse(process.argv[1]);"
        "process.stdout.write(JSON.stringify(v.filter(x=>s.satisfies(x,r)).sort(s.rcompare)))"
    )
    done = subprocess.run(
        ["node", "-e", script, json.dumps([pragma, versions])], capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(done.stdout or "[]")


def newest(pragma: str, versions: list[str]) -> str:
    """The newest of ``versions`` satisfying ``pragma``, or ``""``."""
    return next(iter(satisfying(pragma, versions)), "")


def semver_range(pragma: str) -> str:
    """``pragma``'s version range as npm's semver reads it: solc accepts ``^0.5.00``, semver only ``^0.5.0``."""
    return re.sub(r"(?<=\.)0+(?=\d)", "", pragma)


def candidates(pragma: str) -> list[str]:
    """The compilers to try for ``pragma``, in order: fairwatt's when it satisfies it, else the newest
    satisfying release; then the newest satisfying release of each older minor series (``0.8.x``
    rejects 0.5 code that ``>=0.5.11`` admits)."""
    pinned = solc_version().split("+")[0]
    out = [pinned] if newest(pragma, [pinned]) == pinned else []
    for version in satisfying(pragma, published_versions()):
        series = version.rsplit(".", 1)[0]
        if all(series != known.rsplit(".", 1)[0] for known in out):
            out.append(version)
    return out


def install(version: str) -> scanners.Compiler:
    """The solc-js ``version`` (fairwatt's own when pinned), installed once from the npm registry."""
    if version == solc_version().split("+")[0]:
        return scanners.Compiler(version)
    home = COMPILERS / version
    package = home / "node_modules" / "solc"
    with _GUARD:
        lock = _INSTALLING.setdefault(version, threading.Lock())
    home.mkdir(parents=True, exist_ok=True)
    with lock, open(home / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # other processes (scans, test workers) may install it at once
        if not (package / "soljson.js").exists():
            _npm("install", "--prefix", str(home), f"solc@{version}", "--no-audit", "--no-fund", "--loglevel=error")
    return scanners.Compiler(version, package)


def _compile(path: Path, compiler: scanners.Compiler, timeout: float) -> tuple[list[str], str]:
    """``(deployable contracts, error)`` of ``path`` under ``compiler``, run as Slither runs it (a
    compiler that does not finish raises :class:`ScanError`: that is no reason to try an older one)."""
    command = [str(SOLC), str(path), "--combined-json", "abi,bin", *compiler.evm_args.split()]
    with tempfile.TemporaryDirectory(prefix="fairwatt-solc-") as work:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=compiler.env(), cwd=work, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise ScanError(f"solc {compiler.version} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        return [], done.stderr.strip() or f"solc {compiler.version} exited with {done.returncode}"
    contracts = json.loads(done.stdout).get("contracts", {})
    return sorted({name.rsplit(":", 1)[-1] for name, c in contracts.items() if c.get("bin")}), ""


@dataclass(frozen=True)
class Choice:
    """The compiler chosen for a file, and what it compiled."""

    compiler: scanners.Compiler
    contracts: tuple[str, ...]
    """The deployable contracts (with bytecode), the ones Mythril analyses."""
    tried: tuple[str, ...] = ()
    """Newer satisfying releases that rejected the code."""


def _source_key(path: Path) -> str:
    """The content hash of ``path`` and the files it imports directly (the compile outcome's key)."""
    text = path.read_text()
    digest = hashlib.sha256(text.encode())
    for name in IMPORT.findall(text):
        imported = path.parent / name
        digest.update(imported.read_bytes() if imported.exists() else name.encode())
    return digest.hexdigest()[:32]


def compiler_for(path: Path, timeout: float = COMPILE_TIMEOUT) -> Choice:
    """The compiler to scan ``path`` with: the first candidate that compiles it within ``timeout``
    seconds each (the outcome cached by source text). Raises :class:`ScanError` when none does."""
    match = PRAGMA.search(path.read_text())
    pragma = semver_range(match.group(1).strip()) if match else "*"
    cached = COMPILERS / "choices" / f"{_source_key(path)}.json"
    if cached.exists():
        known = json.loads(cached.read_text())
        return Choice(install(known["version"]), tuple(known["contracts"]), tuple(known["tried"]))
    versions = candidates(pragma)
    if not versions:
        raise ScanError(f"no published solc satisfies `pragma solidity {pragma}`")
    errors: list[tuple[str, str]] = []
    for version in versions:
        compiler = install(version)
        contracts, error = _compile(path, compiler, timeout)
        if not error:
            cached.parent.mkdir(parents=True, exist_ok=True)
            record = {"version": version, "contracts": contracts, "tried": [v for v, _ in errors]}
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_text(json.dumps(record))
            partial.replace(cached)
            return Choice(compiler, tuple(contracts), tuple(v for v, _ in errors))
        errors.append((version, error))
    tried = ", ".join(v for v, _ in errors)
    raise ScanError(f"no satisfying compiler compiles it (tried {tried}); {tried.split(',')[0]}: {errors[0][1][:400]}")


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


def transfers_value(path: Path, contract: str) -> bool:
    """``contract``'s own text in ``path`` sends ether (``call`` with value, ``transfer``, ``send``)."""
    text = path.read_text()
    starts = [(m.start(), m[2]) for m in CONTRACT.finditer(text)] + [(len(text), "")]
    return any(
        name == contract and VALUE_TRANSFER.search(text[start:end])
        for (start, name), (end, _) in zip(starts, starts[1:], strict=False)
    )


@dataclass(frozen=True)
class MythrilTask:
    """One Mythril run: one contract of one file."""

    path: Path
    contract: str
    compiler: scanners.Compiler
    priority: int
    """0: Slither could not analyse the file; 1: the contract transfers value; 2: the rest."""


def mythril_tasks(report: dict, choices: dict[Path, Choice]) -> list[MythrilTask]:
    """Mythril's runs, the ones that pay first (in the order of the files within a priority)."""
    tasks = []
    for path, choice in sorted(choices.items(), key=lambda item: list(report).index(str(item[0]))):
        slither = report[str(path)]["tools"]["slither"]
        blind = any(f["status"] == Status.NOT_VERIFIED for f in slither)
        for contract in choice.contracts:
            priority = 0 if blind else 1 if transfers_value(path, contract) else 2
            tasks.append(MythrilTask(path, contract, choice.compiler, priority))
    return sorted(tasks, key=lambda t: t.priority)


class Progress:
    """What a scan tells as it goes (this one tells nothing; ``verify.scan_view`` shows it)."""

    def planned(self, steps: int) -> None:
        """``steps`` more steps (one per file, one per Mythril run) are to come."""

    def event(self, file: str, what: str, done: bool) -> None:
        """Something happened to ``file``; ``done``: a step finished."""


@dataclass
class Scan:
    """One scan's settings and its report as it grows (shared by the pool's threads under ``lock``)."""

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
        self.report: dict[str, dict] = {str(path): {"error": PENDING} for path in self.files}
        self.choices: dict[Path, Choice] = {}

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
        """Choose the compiler of ``path``, then Slither and the CEI detector on it."""
        if self.left() <= 0:
            self.record(path, lambda r: r.update(error=f"not scanned: {self.out_of_budget()}"), "not scanned")
            return
        self.progress.event(str(path), "compiling", False)
        try:
            choice = compiler_for(path, max(1.0, min(COMPILE_TIMEOUT, self.left())))
        except ScanError as exc:
            why = str(exc)
            self.record(path, lambda r: r.update(error=why), "no compiler")
            return
        self.progress.event(str(path), f"Slither (solc {choice.compiler.version})", False)
        timeout = max(1, int(min(300, self.left())))
        slither, cei = scanners.slither(path, choice.compiler, triage_file=self.triage, timeout=timeout)
        tools = {"slither": [f.to_json() for f in slither], "fairwatt-cei": [f.to_json() for f in cei]}
        result = {"compiler": choice.compiler.version, "tools": tools}
        if choice.tried:
            result["compilers_rejected"] = list(choice.tried)
        with self.lock:
            self.choices[path] = choice

        def update(entry: dict) -> None:
            entry.clear()
            entry.update(result)

        self.record(path, update, "Slither " + _word(slither + cei))

    def run_mythril(self, task: MythrilTask, waiting: int) -> None:
        """Mythril on one contract, with an execution timeout that fits the budget left: shared with the
        ``waiting`` runs not started yet, or all of it where Slither could not analyse the file."""
        alone = task.priority == 0  # no other tool analysed the file: it may take what is left
        share = self.left() * (1 if alone else self.jobs / max(1, waiting)) - MYTHRIL_OVERHEAD
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
        if self.out is not None:
            _write(self.report, self.out)
        self.progress.planned(len(self.files))
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            _drain([pool.submit(self.static, path) for path in self.files])
            if self.mythril:
                tasks = mythril_tasks(self.report, self.choices)
                for path in [path for path, choice in self.choices.items() if not choice.contracts]:
                    self.record(path, _nothing_for_mythril(path), "Mythril: nothing to run")
                self.progress.planned(len(tasks))
                waiting = iter(range(len(tasks), 0, -1))
                _drain([pool.submit(lambda t: self.run_mythril(t, next(waiting)), task) for task in tasks])
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return self.report


def _nothing_for_mythril(path: Path) -> Callable[[dict], None]:
    empty = scanners.not_verified("mythril", path, "no contract with bytecode to analyse", 0).to_json()
    return lambda result: result["tools"].update(mythril=[empty])


def _drain(futures: list[Future]) -> None:
    """Wait for every future; the first exception (an interruption included) cancels the rest and is raised."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            if future.exception() is not None:
                for other in pending:
                    other.cancel()
                raise future.exception()  # type: ignore[misc]


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
