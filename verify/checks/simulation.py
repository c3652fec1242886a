"""The paper's Fig. 7 claims on the model's reputation rules (SIM-1), with the plots for the report."""

from __future__ import annotations

from reference.params import RESOLVED
from reference.scenarios import drops as fraud_drops
from reference.scenarios import restore_counts
from verify import simulate
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status


class Fig7Check(Check):
    ID = "fig7"
    STAGE = "simulation"
    IMPACT = Impact.MEDIUM
    CLAUSES = ("SIM-1", "REP-7", "REP-4")
    DESCRIPTION = "Each fraud of the Fig. 7 merchant lowers reputation more steeply, and recovery takes longer."
    RECOMMENDATION = "Check the penalty coefficient c(n) and eq 3."

    def run(self, ctx: Context) -> list[Finding]:
        findings = []
        for scenario, seller in simulate.SCENARIOS.items():
            _, _, steps = simulate.run(scenario, ctx.out / "artifacts" / "fig7", RESOLVED)
            drops = fraud_drops(steps)
            counts = restore_counts(steps, RESOLVED, seller)
            steeper = all(y <= x for x, y in zip(drops, drops[1:], strict=False)) and drops[-1] < drops[0]
            if seller:
                steeper = all(y < x for x, y in zip(drops, drops[1:], strict=False))
            longer = all(y >= x for x, y in zip(counts, counts[1:], strict=False)) and counts[-1] > counts[0]
            ok = steeper and longer
            side = "seller" if seller else "buyer, ERR-14"
            title = f"{scenario}: {len(drops)} frauds steepen, recovery {counts[0]}→{counts[-1]} ({side})"
            evidence = f"drop factors {[round(d, 6) for d in drops]}\nhonest trades to restore {counts}"
            status = Status.PASSED if ok else Status.VIOLATION
            findings.append(self.finding(title, status, location=scenario, evidence=evidence))
        return findings
