"""``fairwatt audit``: every registered check, in parallel processes with per-stage timeouts, cached by
the content hash of each stage's inputs; one list of findings for every report format.

A check that crashes or runs out of time yields a ``not_verified`` finding; nothing passes silently.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from verify.check import Check, Context
from verify.findings import IMPACT_ORDER, Finding, Impact, Status
from verify.registry import discover
from verify.toolchain.compiler import CACHE, ROOT, CompileError, compile_tree, solc_version

STAGE_INPUTS = {
    "compile": ("contracts",),
    "static": ("contracts",),
    "gas": ("contracts",),
    "differential": ("contracts", "reference", "spec"),
    "proofs": ("reference", "spec"),
    "symbolic": ("reference", "spec"),
    "simulation": ("reference", "spec"),
}
"""What each stage reads besides verify/ itself: its results are reused while these are unchanged."""
TIMEOUTS = {
    "compile": 120,
    "static": 420,
    "gas": 300,
    "differential": 480,
    "proofs": 180,
    "symbolic": 300,
    "simulation": 120,
}
"""Seconds each stage may take before it counts as not verified."""
NEEDS_CONTRACTS = {"static", "gas", "differential"}
AUDIT_CACHE = CACHE.parent / "audit"


@dataclass
class Outcome:
    """One check's result in one audit."""

    check: str
    stage: str
    findings: list[Finding]
    seconds: float
    cached: bool = False


@dataclass
class Audit:
    """Everything an audit produced, for the renderers."""

    contracts: Path
    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    """One-line problems with the input (a contract that does not compile, ...)."""

    @property
    def findings(self) -> list[Finding]:
        return [f for o in self.outcomes for f in o.findings]


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix in (".dot",):
                continue
            h.update(str(path.relative_to(base.parent)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def cache_key(check: type[Check], ctx: Context) -> str:
    """The inputs a check's result depends on: its stage's folders, verify/, options and the compiler."""
    folders = [ROOT / "verify"] + [
        ctx.contracts if name == "contracts" else ROOT / name for name in STAGE_INPUTS[check.STAGE]
    ]
    options = {k: v for k, v in ctx.options.items() if not k.startswith("_")}
    parts = [check.ID, _digest(folders), json.dumps(options, sort_keys=True, default=str), solc_version()]
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
    home = AUDIT_CACHE / key
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / "findings.json").write_text(json.dumps([f.to_json() for f in outcome.findings]))
    (home / "seconds").write_text(str(outcome.seconds))
    if artifacts.exists():
        shutil.copytree(artifacts, home / "artifacts")


def _load(key: str, check: type[Check], artifacts: Path) -> Outcome | None:
    home = AUDIT_CACHE / key
    if not (home / "findings.json").exists():
        return None
    findings = [_finding(d) for d in json.loads((home / "findings.json").read_text())]
    if (home / "artifacts").exists():
        shutil.copytree(home / "artifacts", artifacts, dirs_exist_ok=True)
    return Outcome(check.ID, check.STAGE, findings, float((home / "seconds").read_text()), cached=True)


def _finding(data: dict) -> Finding:
    fields = {k: v for k, v in data.items() if k != "id"}
    fields.update(status=Status(data["status"]), impact=Impact(data["impact"]))
    return Finding(**fields)


def run(
    contracts: Path,
    out: Path,
    options: dict | None = None,
    only: list[str] | None = None,
    jobs: int = 2,
    use_cache: bool = True,
    progress=None,
) -> Audit:
    """Run the checks (all, or ``only`` these stages or ids) and return the audit."""
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    audit = Audit(contracts=contracts, out=out)
    ctx = Context(root=ROOT, out=out, contracts=contracts, options=dict(options or {}))
    checks = [c for c in discover().values() if not only or c.ID in only or c.STAGE in only]
    try:
        compile_tree(contracts)
        compiled = True
    except CompileError as exc:
        compiled = False
        audit.errors.append(f"contracts do not compile: {exc.messages[0]}")
    pending: list[type[Check]] = list(checks)
    running: dict[str, tuple] = {}
    context = mp.get_context("fork")
    while pending or running:
        while pending and len(running) < jobs:
            check = pending.pop(0)
            artifacts = out / "artifacts" / check.ID
            if not compiled and check.STAGE in NEEDS_CONTRACTS:
                skipped = _not_verified(check, "skipped: the contracts do not compile", audit.errors[0])
                audit.outcomes.append(Outcome(check.ID, check.STAGE, [skipped], 0.0))
                _report(progress, audit.outcomes[-1])
                continue
            key = cache_key(check, ctx)
            hit = _load(key, check, artifacts) if use_cache else None
            if hit is not None:
                audit.outcomes.append(hit)
                _report(progress, hit)
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
            if kind == "ok":
                outcome = Outcome(check.ID, check.STAGE, payload, elapsed)
                if not any(f.status == Status.NOT_VERIFIED for f in payload):
                    _save(key, outcome, artifacts)
            else:
                why = "the check crashed" if kind == "crash" else "timed out"
                outcome = Outcome(check.ID, check.STAGE, [_not_verified(check, why, payload, elapsed)], elapsed)
            audit.outcomes.append(outcome)
            _report(progress, outcome)
    audit.outcomes.sort(key=lambda o: (o.stage, o.check))
    audit.seconds = time.perf_counter() - start
    return audit


def _report(progress, outcome: Outcome) -> None:
    if progress is not None:
        progress(outcome)


def exit_code(audit: Audit, fail_on: Impact, allow_unverified: bool = False) -> int:
    """0 clean; 1 a finding at or above ``fail_on``; 2 something could not be verified.

    Contracts that do not compile are a finding (1): the stages they skip follow from it.
    """
    findings = audit.findings
    if audit.errors:
        return 1
    if not allow_unverified and any(f.status in (Status.NOT_VERIFIED, Status.UNKNOWN) for f in findings):
        return 2
    threshold = IMPACT_ORDER.index(fail_on)
    bad = [f for f in findings if f.status in (Status.VIOLATION, Status.REFUTED)]
    return 1 if any(IMPACT_ORDER.index(f.impact) >= threshold for f in bad) else 0
