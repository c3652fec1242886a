"""CrossHair over ``reference/``: the PEP 316 contracts of the model, per function, with a budget.

Statuses: a condition CrossHair confirms over all paths is ``proved``; a counterexample is ``refuted``;
a condition it checked without finding a counterexample in its budget is ``passed`` (not exhaustive,
and said so); a crash or a timeout of the tool is ``not_verified``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from verify.check import Check, Context
from verify.findings import Finding, Impact, Status

MODULES = ("reference/fixedpoint.py", "reference/reputation.py", "reference/market.py", "reference/quotes.py")
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<level>error|info): (?P<message>.*)$")


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
        else:
            out.append((location, Status.PASSED, message))
    return out


class CrossHairCheck(Check):
    ID = "crosshair"
    STAGE = "symbolic"
    CLAUSES = ("FXP-3", "REP-2", "REP-5", "REP-7", "REP-8", "AUC-7", "QUO-1")
    IMPACT = Impact.MEDIUM
    DESCRIPTION = "CrossHair checks the PEP 316 contracts of reference/ by symbolic execution."
    RECOMMENDATION = "Fix the function or its contract at the location given; the counterexample is a call."

    def run(self, ctx: Context) -> list[Finding]:
        per_condition = float(ctx.options.get("crosshair_seconds", 4))
        start = time.perf_counter()
        try:
            result = crosshair(list(MODULES), ctx.root, per_condition, timeout=600)
        except subprocess.TimeoutExpired:
            return [self.finding("CrossHair timed out", Status.NOT_VERIFIED, seconds=time.perf_counter() - start)]
        seconds = time.perf_counter() - start
        found = statuses(result.stdout)
        if result.returncode not in (0, 1) or (
            result.returncode == 1 and not any(s == Status.REFUTED for _, s, _ in found)
        ):
            evidence = (result.stderr or result.stdout)[-2000:]
            return [self.finding("CrossHair crashed", Status.NOT_VERIFIED, evidence=evidence, seconds=seconds)]
        if not found:
            return [self.finding("CrossHair reported no condition", Status.NOT_VERIFIED, seconds=seconds)]
        share = seconds / len(found)
        return [
            self.finding(
                f"contract at {location}: {message}",
                status,
                location=location,
                seconds=share,
                evidence=message if status == Status.REFUTED else "",
            )
            for location, status, message in found
        ]
