"""The scanners as registered checks on the contracts under audit (their root files)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from verify.check import Check, Context
from verify.checks.static import scanners
from verify.findings import Finding, Impact

MYTHRIL_DEPTH = 1
"""Mythril's transaction depth in the audit. Measured on FairwattMarket (benchmarks/README.md): on a loaded
2-core machine even depth 1 was cut short by the 200 s execution timeout, and depths 2 and 3 as well; deeper
would only spend more of the static stage's 900 s. The market needs five or more transactions to reach
settlement: those multi-transaction properties are proved on the bytecode by halmos (stage ``bytecode``)."""
REACH = (
    f"Mythril ran at transaction depth {MYTHRIL_DEPTH}; what needs more transactions (solvency over a call "
    "sequence, settlement, withdrawals, bans) is proved on the bytecode by halmos in stage `bytecode`"
)

IMPORT = re.compile(r'^\s*import\s+(?:[^"\']*from\s+)?["\']([^"\']+)["\']', re.M)


def roots(folder: Path) -> list[Path]:
    """The ``.sol`` files no other file in ``folder`` imports: scanning them covers everything once."""
    files = sorted(folder.rglob("*.sol"))
    imported = {(f.parent / name).resolve() for f in files for name in IMPORT.findall(f.read_text())}
    return [f.resolve() for f in files if f.resolve() not in imported]


def _slither(ctx: Context) -> tuple[list[Finding], list[Finding]]:
    """One Slither run per root file, shared by the Slither and CEI checks of one audit."""
    cache = ctx.options.setdefault("_slither", {})
    if "result" not in cache:
        found: tuple[list[Finding], list[Finding]] = ([], [])
        triage = scanners.TRIAGE if ctx.contracts.resolve() == scanners.TRIAGE.parent.resolve() else None
        for path in roots(ctx.contracts):
            slither, cei = scanners.slither(path, triage_file=triage)
            found[0].extend(slither)
            found[1].extend(cei)
        cache["result"] = found
    return cache["result"]


class SlitherCheck(Check):
    ID = "slither"
    STAGE = "static"
    IMPACT = Impact.HIGH
    CLAUSES = ("SET-7",)
    DESCRIPTION = "Slither's detectors on the contracts, through the pinned compiler; accepted findings triaged."
    RECOMMENDATION = "Fix the finding, or accept it in contracts/slither-triage.toml with a reason."

    def run(self, ctx: Context) -> list[Finding]:
        return _slither(ctx)[0]


class CeiCheck(Check):
    ID = "cei"
    STAGE = "static"
    IMPACT = Impact.HIGH
    CLAUSES = ("SET-7",)
    DESCRIPTION = "fairwatt's detector: no state write after an external call or value transfer on any path."
    RECOMMENDATION = "Move every effect before the first interaction; pay out by pull payments."

    def run(self, ctx: Context) -> list[Finding]:
        return _slither(ctx)[1]


class MythrilCheck(Check):
    ID = "mythril"
    STAGE = "static"
    IMPACT = Impact.HIGH
    CLAUSES = ("SET-7",)
    DESCRIPTION = f"Mythril's symbolic execution at transaction depth {MYTHRIL_DEPTH}, bounded in time, SWC ids kept."
    RECOMMENDATION = "Fix the SWC finding; a run cut short by its timeout verified nothing."

    def run(self, ctx: Context) -> list[Finding]:
        timeout = int(ctx.options.get("mythril_timeout", 90))
        depth = int(ctx.options.get("mythril_depth", MYTHRIL_DEPTH))
        findings = []
        for path in roots(ctx.contracts):
            findings += scanners.mythril(path, execution_timeout=timeout, depth=depth, contract=path.stem)
        reach = REACH.replace(f"depth {MYTHRIL_DEPTH}", f"depth {depth}")
        return [replace(f, evidence=f"{f.evidence}\n{reach}".strip()) if not f.swc else f for f in findings]
