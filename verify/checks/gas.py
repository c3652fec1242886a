"""Gas of every step of a trade, against the targets (reported; a missed target is a low finding)."""

from __future__ import annotations

from verify import gas
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status


class GasCheck(Check):
    ID = "gas"
    STAGE = "gas"
    IMPACT = Impact.LOW
    CLAUSES = ("AUC-2", "AUC-6", "SET-7")
    DESCRIPTION = "Gas per step for 5..60 bidders: bid, opening, per bidder end to end, one-block settlement."
    RECOMMENDATION = "Storage words per bid and per refund dominate: see spec/auction.md (AUC-2, AUC-6)."

    def run(self, ctx: Context) -> list[Finding]:
        counts = tuple(ctx.options.get("gas_bidders", gas.BIDDER_COUNTS))
        data = gas.write(ctx.out / "artifacts" / "gas", counts)
        t = data["targets"]
        measured = {
            "place_bid": (data["place_bid"], t["place_bid"], "AUC-2"),
            "open_per_bidder": (data["open_marginal_per_bidder"], t["open_per_bidder"], "AUC-6"),
            "per_bidder_end_to_end": (data["per_bidder_end_to_end"], t["per_bidder_end_to_end"], "SET-7"),
        }
        findings = []
        for name, (value, target, clause) in measured.items():
            ok = value <= target
            title = f"{name}: {value:,} gas (target ≤ {target:,})"
            findings.append(
                self.finding(
                    title,
                    Status.PASSED if ok else Status.VIOLATION,
                    clause=clause,
                    location=f"gas:{name}",
                    data={"gas": data} if name == "place_bid" else {},
                )
            )
        block = data["open_and_settle_60_in_one_block"]
        findings.append(
            self.finding(
                "60 bidders open and settle in one 30M-gas block",
                Status.PASSED if block else Status.VIOLATION,
                clause="AUC-6",
                location="gas:block",
            )
        )
        flat = data["settle_marginal_per_bidder"] == 0
        findings.append(
            self.finding(
                "settlement does not grow with the number of bidders",
                Status.PASSED if flat else Status.VIOLATION,
                clause="AUC-8",
                location="gas:flat",
            )
        )
        return findings
