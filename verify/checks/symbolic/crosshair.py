"""CrossHair over ``reference/``: the PEP 316 contracts of the model, one function per CrossHair run.

Statuses per condition: confirmed over all paths is ``proved``; a counterexample is ``refuted``; "Not
confirmed" (the budget ran out first) is ``unknown``. A crash or a timeout of the tool on one function is
``not_verified`` for that function's conditions and leaves the other functions' results alone.
CrossHair seeds its own search; the conditions kept here are the ones it exhausts well inside the budget,
so a run on an unchanged tree gives the same results (``benchmarks/crosshair.py`` shows the tally).
Conditions it cannot exhaust (powers with a symbolic exponent, nonlinear products of four unknowns) are
stated as Z3 obligations or tests instead.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import time
from pathlib import Path

from verify.check import Check, Context
from verify.findings import Finding, Impact, Status

MODULES = ("reference/fixedpoint.py", "reference/reputation.py", "reference/market.py")
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>error|info): (?P<message>.*)$")


def targets(root: Path, modules: tuple[str, ...] = ()) -> list[tuple[str, list[int]]]:
    """``(module.function, lines of its post: conditions)`` for every function with a PEP 316 contract
    in ``modules`` (default: ``MODULES``)."""
    out = []
    for module in modules or MODULES:
        path = root / module
        dotted = module.removesuffix(".py").replace("/", ".")
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and (doc := ast.get_docstring(node, clean=False)):
                first = node.body[0].lineno
                lines = [first + i for i, text in enumerate(doc.splitlines()) if text.strip().startswith("post:")]
                if lines:
                    out.append((f"{dotted}.{node.name}", lines))
    return out


def crosshair(targets: list[str], root: Path, per_condition: float, timeout: float) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "crosshair",
        "check",
        "--report_all",
        f"--per_condition_timeout={per_condition}",
        *targets,
    ]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout)


def statuses(stdout: str) -> list[tuple[str, Status, str]]:
    """``(location, status, message)`` for every condition CrossHair reported on."""
    out = []
    for line in stdout.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        location = f"{Path(m['file']).name}:{m['line']}"
        message = m["message"]
        if m["level"] == "error":
            out.append((location, Status.REFUTED, message))
        elif "Confirmed over all paths" in message:
            out.append((location, Status.PROVED, message))
        else:  # "Not confirmed.": the budget ran out before every path was explored
            out.append((location, Status.UNKNOWN, message))
    return out


def check_function(target: str, lines: list[int], root: Path, per_condition: float) -> list[tuple[str, Status, str]]:
    """One function's conditions; a crash or timeout of CrossHair makes each of them ``not_verified``."""
    file = target.rsplit(".", 2)[-2] + ".py"
    try:
        result = crosshair([target], root, per_condition, timeout=60 + 10 * per_condition * len(lines))
    except subprocess.TimeoutExpired:
        return [(f"{file}:{n}", Status.NOT_VERIFIED, f"CrossHair timed out on {target}") for n in lines]
    found = statuses(result.stdout)
    refuted = any(s == Status.REFUTED for _, s, _ in found)
    if result.returncode not in (0, 1) or (result.returncode == 1 and not refuted) or not found:
        tail = (result.stderr or result.stdout or "no output").strip().splitlines()[-1]
        why = f"CrossHair crashed on {target} (exit {result.returncode}): {tail}"
        return [(f"{file}:{n}", Status.NOT_VERIFIED, why) for n in lines]
    return found


class CrossHairCheck(Check):
    ID = "crosshair"
    STAGE = "symbolic"
    CLAUSES = ("FXP-3", "REP-2", "REP-5", "REP-6", "REP-8", "AUC-7")
    IMPACT = Impact.MEDIUM
    DESCRIPTION = "CrossHair checks the PEP 316 contracts of reference/ by symbolic execution."
    RECOMMENDATION = "Fix the function or its contract at the location given; the counterexample is a call."

    def run(self, ctx: Context) -> list[Finding]:
        per_condition = float(ctx.options.get("crosshair_seconds", 4))
        findings = []
        for target, lines in targets(ctx.root):
            start = time.perf_counter()
            found = check_function(target, lines, ctx.root, per_condition)
            share = (time.perf_counter() - start) / len(found)
            findings += [
                self.finding(
                    f"contract of {target.rsplit('.', 1)[-1]} at {location}: {message}",
                    status,
                    location=location,
                    seconds=share,
                    evidence=message if status != Status.PROVED else "",
                    data={"level": "model", "target": target},
                )
                for location, status, message in found
            ]
        if not findings:
            return [self.finding("CrossHair found no condition to check", Status.NOT_VERIFIED)]
        return findings
