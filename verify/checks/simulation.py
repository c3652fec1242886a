"""The paper's Fig. 7 claims along the whole horizon, bans waited out (SIM-1, CLM-2, CLM-3), with the plots."""

from __future__ import annotations

from reference.params import RESOLVED
from verify import simulate
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status


class Fig7Check(Check):
    ID = "fig7"
    STAGE = "simulation"
    IMPACT = Impact.MEDIUM
    CLAUSES = ("SIM-1", "CLM-3", "CLM-2")
    DESCRIPTION = (
        "Over 200 trades of the Fig. 7 merchant, bans waited out, each fraud lowers reputation more steeply, "
        "takes more honest trades to restore, and bans for at least 2^(n-1) days."
    )
    RECOMMENDATION = "Check the penalty coefficient c(n), eq 3, eq 7 and the parameters of spec/claims.md."

    def run(self, ctx: Context) -> list[Finding]:
        findings = []
        for scenario, seller in simulate.SCENARIOS.items():
            _, _, steps, outcome = simulate.run(scenario, ctx.out / "artifacts" / "fig7", RESOLVED)
            side = "seller" if seller else "buyer"
            title = f"{scenario}: {outcome.frauds} frauds in {len(steps)} trades ({side})"
            evidence = (
                f"{outcome.summary(steps)}\ndrop factors {[round(d, 6) for d in outcome.drops]}\n"
                f"honest trades to restore {outcome.restores}\n"
                f"bans (days) {[s.ban_days for s in steps if not s.honest]}"
            )
            status = Status.PASSED if outcome.holds else Status.VIOLATION
            findings.append(self.finding(title, status, location=scenario, evidence=evidence))
        return findings
