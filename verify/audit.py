"""``fairwatt audit``: every registered check, in parallel processes with per-stage timeouts, cached by
the content hash of each stage's inputs; one list of findings for every report format.

A check that crashes, runs out of time, is interrupted or returns nothing yields a ``not_verified`` finding;
nothing passes silently. ``findings.json`` is rewritten as each check finishes, so an interrupted audit
(SIGINT, SIGTERM) keeps what was done.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from verify.check import Check, Context
from verify.findings import IMPACT_ORDER, Finding, Impact, Status
from verify.registry import discover
from verify.toolchain.compiler import CACHE, ROOT, CompileError, compile_tree, solc_version

TOOLCHAIN_ERRORS = (CompileError, OSError, subprocess.SubprocessError)
"""What the compiler's look-alike raises when Node or npm is missing or broken."""

STAGE_INPUTS = {
    "compile": ("contracts",),
    "static": ("contracts",),
    "gas": ("contracts",),
    "differential": ("contracts", "reference", "spec"),
    "attacks": ("contracts", "reference", "spec"),
    "proofs": ("reference", "spec"),
    "bytecode": ("contracts",),
    "symbolic": ("reference", "spec"),
    "simulation": ("reference", "spec"),
    "economics": ("reference", "spec"),
    "traceability": ("contracts", "reference", "spec", "tests", ".fairwatt-cache/tests"),
    "trade": ("contracts", "reference", "spec"),
    "points": ("contracts", "reference", "spec"),
}
"""What each stage reads besides verify/ itself: its results are reused while these are unchanged."""
TIMEOUTS = {
    "compile": 120,
    "static": 900,  # Mythril on each root contract file, one after the other
    "gas": 300,
    "differential": 480,
    "attacks": 300,
    "proofs": 180,
    "bytecode": 300,
    "symbolic": 300,
    "simulation": 120,
    "economics": 180,
    "traceability": 60,
    "trade": 300,
    "points": 300,
}
"""Seconds each stage may take before it counts as not verified."""
NEEDS_CONTRACTS = {"static", "gas", "differential", "attacks", "bytecode", "trade", "points"}
"""Stages skipped when the contracts do not compile; with ``compile`` too when they cannot be read or the
compiler cannot run (then they are not verified)."""
AUDIT_CACHE = CACHE.parent / "audit"


@dataclass
class Outcome:
    """One check's result in one audit."""

    check: str
    stage: str
    findings: list[Finding]
    seconds: float
    cached: bool = False

    @property
    def status(self) -> str:
        return summary(self.findings)


def summary(findings: list[Finding]) -> str:
    """One word for a check or a stage: a defect first, then what is not known; nothing at all is not verified."""
    statuses = {f.status for f in findings}
    for status in (Status.REFUTED, Status.VIOLATION, Status.NOT_VERIFIED, Status.UNKNOWN):
        if status in statuses:
            return status.value.replace("_", " ")
    if not statuses:
        return "not verified"
    return "proved" if statuses == {Status.PROVED} else "passed"


@dataclass
class Audit:
    """Everything an audit produced, for the renderers."""

    contracts: Path
    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    """Contracts that do not compile: a finding about the input (exit 1)."""
    problems: list[str] = field(default_factory=list)
    """What kept checks from running: unreadable contracts, a missing compiler, an interruption (exit 2)."""
    only: tuple[str, ...] = ()
    """The stages or check ids selected; empty: every check."""
    fail_on: Impact = Impact.MEDIUM
    """The gate: a bad finding at or above this impact fails the audit."""
    allow_unverified: bool = False
    """The gate accepts not-verified and unknown results."""
    complete: bool = False
    """Every selected check has reported (False while running and after an interruption)."""

    @property
    def findings(self) -> list[Finding]:
        return [f for o in self.outcomes for f in o.findings]

    def stages(self) -> dict[str, str]:
        """Every stage's one-word status; a stage none of whose checks ran is not verified."""
        found: dict[str, list[Finding]] = {stage: [] for stage in STAGE_INPUTS}
        for outcome in self.outcomes:
            found.setdefault(outcome.stage, []).extend(outcome.findings)
        return {stage: summary(findings) for stage, findings in found.items()}

    def verdict(self) -> str:
        """The gate's verdict in words, with its exit code and what the audit left out."""
        code = exit_code(self)
        words = {
            0: "clean",
            1: f"findings at or above {self.fail_on.value}",
            2: "not everything could be verified",
        }[code]
        scope = f"; only {' '.join(self.only)}" if self.only else ""
        return f"{words} (exit {code} with --fail-on {self.fail_on.value}{scope})"

    def to_json(self) -> dict:
        return {
            "contracts": str(self.contracts),
            "complete": self.complete,
            "only": list(self.only),
            "verdict": self.verdict(),
            "seconds": round(self.seconds, 1),
            "errors": self.errors,
            "problems": self.problems,
            "stages": self.stages(),
            "findings": [f.to_json() for f in self.findings],
        }

    def checkpoint(self) -> None:
        """Rewrite ``findings.json`` with what has been done so far (atomically)."""
        tmp = self.out / "findings.json.tmp"
        tmp.write_text(json.dumps(self.to_json(), indent=2))
        tmp.replace(self.out / "findings.json")


class UnknownSelection(ValueError):
    """``--only`` named something that is neither a stage nor a check id."""


def select(only: list[str] | None) -> list[type[Check]]:
    """The checks ``only`` names (stages or check ids; all when empty); an unknown name raises."""
    checks = discover()
    stages = sorted({c.STAGE for c in checks.values()})
    unknown = [name for name in only or [] if name not in checks and name not in stages]
    if unknown:
        raise UnknownSelection(
            f"unknown stage or check {', '.join(unknown)}; stages: {', '.join(stages)}; checks: {', '.join(checks)}"
        )
    return [c for c in checks.values() if not only or c.ID in only or c.STAGE in only]


def unreadable(folder: Path) -> list[str]:
    """One line per ``.sol`` file under ``folder`` that is not UTF-8 text."""
    bad = []
    for path in sorted(folder.rglob("*.sol")):
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            bad.append(f"{path} is not UTF-8 text (byte {exc.start})")
    return bad


def toolchain_problem() -> str:
    """One line when the pinned compiler cannot run (no Node, no npm to install it), else ``""``."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if "node" in missing:  # checked first: the compiler's version is remembered once it has run
        return f"the Solidity compiler cannot run: {' and '.join(missing)} not found on PATH"
    try:
        solc_version()
    except TOOLCHAIN_ERRORS as exc:
        why = "npm not found on PATH" if missing else str(exc).splitlines()[0]
        return f"the Solidity compiler cannot run: {why}"
    return ""


GENERATED = (ROOT / "verify" / "bytecode" / "twins",)
"""Folders the checks write inside the tree (the bytecode twins): no input, so never hashed."""


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix in (".dot",):
                continue
            if any(path.is_relative_to(folder) for folder in GENERATED):
                continue
            h.update(str(path.relative_to(base.parent)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(check: type[Check], ctx: Context, compiler: str) -> str:
    """The inputs a check's result depends on: its stage's folders, verify/, options and the compiler."""
    folders = [ROOT / "verify"] + [
        ctx.contracts if name == "contracts" else ROOT / name for name in STAGE_INPUTS[check.STAGE]
    ]
    options = {k: v for k, v in ctx.options.items() if not k.startswith("_")}
    shape = ",".join(f.name for f in dataclasses.fields(Finding))
    parts = [check.ID, _digest(folders), json.dumps(options, sort_keys=True, default=str), compiler, shape]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _child(check: type[Check], ctx: Context, queue: mp.Queue) -> None:
    try:
        queue.put(("ok", check().run(ctx)))
    except BaseException:  # the report must say what broke, whatever it was
        queue.put(("crash", traceback.format_exc()[-3000:]))


def _not_verified(check: type[Check], why: str, evidence: str = "", seconds: float = 0.0) -> Finding:
    return Finding(
        check=check.ID,
        title=f"not verified: {why}",
        status=Status.NOT_VERIFIED,
        impact=check.IMPACT,
        clause=check.CLAUSES[0] if check.CLAUSES else "",
        evidence=evidence,
        seconds=seconds,
    )


def _save(key: str, outcome: Outcome, artifacts: Path) -> None:
    """Written apart, then renamed into place: audits running at once may save the same key."""
    home = AUDIT_CACHE / key
    draft = AUDIT_CACHE / f"{key}.{os.getpid()}.tmp"
    shutil.rmtree(draft, ignore_errors=True)
    draft.mkdir(parents=True)
    (draft / "findings.json").write_text(json.dumps([f.to_json() for f in outcome.findings]))
    (draft / "seconds").write_text(str(outcome.seconds))
    if artifacts.exists():
        shutil.copytree(artifacts, draft / "artifacts")
    shutil.rmtree(home, ignore_errors=True)
    try:
        draft.rename(home)
    except OSError:  # another audit saved the same outcome in between
        shutil.rmtree(draft, ignore_errors=True)


def _load(key: str, check: type[Check], artifacts: Path) -> Outcome | None:
    """The saved outcome, or None when there is none or it no longer reads as findings (then the check runs)."""
    home = AUDIT_CACHE / key
    try:
        findings = [_finding(d) for d in json.loads((home / "findings.json").read_text())]
        seconds = float((home / "seconds").read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if not findings:
        return None
    if (home / "artifacts").exists():
        shutil.copytree(home / "artifacts", artifacts, dirs_exist_ok=True)
    return Outcome(check.ID, check.STAGE, findings, seconds, cached=True)


def _finding(data: dict) -> Finding:
    fields = {k: v for k, v in data.items() if k != "id"}
    fields.update(status=Status(data["status"]), impact=Impact(data["impact"]))
    finding = Finding(**fields)
    if finding.id != data["id"]:
        raise ValueError("saved under another id scheme")
    return finding


class Interrupted(Exception):
    """SIGTERM, turned into an exception so that the audit can report what was done."""


def _terminate(signum, frame):
    raise Interrupted("SIGTERM")


def run(
    contracts: Path,
    out: Path,
    options: dict | None = None,
    only: list[str] | None = None,
    jobs: int = 2,
    use_cache: bool = True,
    progress=None,
    fail_on: Impact = Impact.MEDIUM,
    allow_unverified: bool = False,
) -> Audit:
    """Run the checks (all, or ``only`` these stages or ids) and return the audit.

    Raises :class:`UnknownSelection` when ``only`` names no stage or check. SIGINT and SIGTERM stop the
    audit: the checks still running or pending become not verified, and the audit is returned.
    """
    start = time.perf_counter()
    checks = select(only)
    out.mkdir(parents=True, exist_ok=True)
    audit = Audit(
        contracts=contracts, out=out, only=tuple(only or ()), fail_on=fail_on, allow_unverified=allow_unverified
    )
    ctx = Context(root=ROOT, out=out, contracts=contracts, options=dict(options or {}))
    audit.problems.extend(unreadable(contracts))
    if not audit.problems and (problem := toolchain_problem()):
        audit.problems.append(problem)
    compiler = "unavailable" if audit.problems else solc_version()
    skip = {"compile", *NEEDS_CONTRACTS} if audit.problems else set()
    if not audit.problems:
        try:
            compile_tree(contracts)
        except CompileError as exc:
            audit.errors.append(f"contracts do not compile: {exc.messages[0]}")
            skip = NEEDS_CONTRACTS
    reason = (audit.problems or audit.errors or [""])[0]
    pending: list[type[Check]] = list(checks)
    running: dict[str, tuple] = {}
    context = mp.get_context("fork")

    def finish(outcome: Outcome) -> None:
        audit.outcomes.append(outcome)
        audit.checkpoint()
        if progress is not None:
            progress(outcome)

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main else None
    try:
        while pending or running:
            while pending and len(running) < jobs:
                check = pending.pop(0)
                artifacts = out / "artifacts" / check.ID
                if check.STAGE in skip:
                    finish(Outcome(check.ID, check.STAGE, [_not_verified(check, f"skipped: {reason}", reason)], 0.0))
                    continue
                key = cache_key(check, ctx, compiler)
                hit = _load(key, check, artifacts) if use_cache else None
                if hit is not None:
                    finish(hit)
                    continue
                queue = context.Queue()
                process = context.Process(target=_child, args=(check, ctx, queue), daemon=True)
                process.start()
                running[check.ID] = (check, process, queue, time.perf_counter(), key, artifacts)
            time.sleep(0.05)
            for check_id, (check, process, queue, began, key, artifacts) in list(running.items()):
                elapsed = time.perf_counter() - began
                result = None
                if not queue.empty():
                    result = queue.get()
                elif not process.is_alive():
                    result = ("crash", f"the check's process exited with code {process.exitcode}")
                elif elapsed > TIMEOUTS[check.STAGE]:
                    process.kill()
                    result = (
                        "timeout",
                        f"no result within the {TIMEOUTS[check.STAGE]} s limit of stage {check.STAGE}",
                    )
                if result is None:
                    continue
                process.join(timeout=5)
                del running[check_id]
                kind, payload = result
                if kind == "ok" and not payload:
                    kind, payload = "empty", "the check returned no finding at all"
                if kind == "ok":
                    outcome = Outcome(check.ID, check.STAGE, payload, elapsed)
                    if not any(f.status == Status.NOT_VERIFIED for f in payload):
                        _save(key, outcome, artifacts)
                else:
                    why = {"crash": "the check crashed", "timeout": "timed out", "empty": "no result"}[kind]
                    outcome = Outcome(check.ID, check.STAGE, [_not_verified(check, why, payload, elapsed)], elapsed)
                finish(outcome)
        audit.complete = True
    except (KeyboardInterrupt, Interrupted) as exc:
        signame = str(exc) or "SIGINT"
        audit.problems.append(f"interrupted by {signame}: {len(running) + len(pending)} checks did not finish")
        for _, process, *_ in running.values():
            process.kill()
            process.join(timeout=5)
        for check in [entry[0] for entry in running.values()] + pending:
            stopped = _not_verified(check, f"interrupted by {signame}")
            audit.outcomes.append(Outcome(check.ID, check.STAGE, [stopped], 0.0))
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
    audit.outcomes.sort(key=lambda o: (o.stage, o.check))
    audit.seconds = time.perf_counter() - start
    audit.checkpoint()
    return audit


def exit_code(audit: Audit) -> int:
    """0 clean; 1 a finding at or above the audit's ``fail_on``; 2 something could not be verified.

    Contracts that do not compile are a finding (1): the stages they skip follow from it. Contracts that
    cannot be read, a compiler that cannot run and an interruption leave things not verified (2).
    """
    findings = audit.findings
    if audit.errors:
        return 1
    if audit.problems:
        return 2
    if not audit.allow_unverified and any(f.status in (Status.NOT_VERIFIED, Status.UNKNOWN) for f in findings):
        return 2
    threshold = IMPACT_ORDER.index(audit.fail_on)
    bad = [f for f in findings if f.status in (Status.VIOLATION, Status.REFUTED)]
    return 1 if any(IMPACT_ORDER.index(f.impact) >= threshold for f in bad) else 0
