"""The attacks stage: the attack library (verify/attacks) against the contracts under audit, and against
the known-bad design so the stage shows it can fail."""

from __future__ import annotations

import tempfile
from pathlib import Path

from verify.attacks import run
from verify.attacks.library import ATTACKS
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status

MUST_BREAK = ("copy-ciphertext", "maul-c2", "front-run-ciphertext", "reuse-disclosed-key")
"""Attacks the known-bad design (unbound quotes, reusable keys) must lose: if it does not, the stage is blind."""


class AttacksCheck(Check):
    ID = "attacks"
    STAGE = "attacks"
    IMPACT = Impact.HIGH
    CLAUSES = tuple(sorted({c for a in ATTACKS for c in a.clauses}))
    DESCRIPTION = (
        "Each attack of a participant who reads the chain (copies, mauls, replays, front-runs, reposted keys, "
        "sybils, defaults) leaves the honest winner, price and funds as they would be without it."
    )
    RECOMMENDATION = (
        "Bind every sealed quote to its chain, market, order and bidder (spec/quotes.md QUO-5) and refuse "
        "reposted keys (QUO-2); replay the attack's vector with `fairwatt attacks --json`."
    )

    def run(self, ctx: Context) -> list[Finding]:
        findings = []
        for verdict in run.run(ctx.contracts):
            status = Status.PASSED if verdict.held else Status.VIOLATION
            findings.append(
                self.finding(
                    f"attack {verdict.attack.id}: {'held' if verdict.held else 'broken'} — {verdict.effect}",
                    status,
                    clause=verdict.attack.clauses[0],
                    location=verdict.attack.id,
                    evidence="\n".join([*verdict.problems, "", "trace:", *verdict.trace]).strip(),
                    data=verdict.to_json(),
                )
            )
        findings.append(self._self_test())
        return findings

    def _self_test(self) -> Finding:
        """The same attacks against the known-bad design: each of :data:`MUST_BREAK` must be broken."""
        with tempfile.TemporaryDirectory() as tmp:
            verdicts = run.run(run.write_known_bad(Path(tmp)))
        broken = sorted(v.attack.id for v in verdicts if not v.held)
        missed = [a for a in MUST_BREAK if a not in broken]
        title = f"the stage flags the known-bad design: {len(broken)} of {len(verdicts)} attacks broken there"
        if missed:
            title = f"the stage cannot tell the known-bad design apart: {', '.join(missed)} held there"
        return self.finding(
            title,
            Status.NOT_VERIFIED if missed else Status.PASSED,
            location="known-bad",
            evidence="broken on the known-bad design: " + ", ".join(broken),
            data={"broken": broken, "must_break": list(MUST_BREAK)},
        )
