"""``fairwatt simulate reputation``: the paper's Fig. 7 on the model over the whole horizon, as CSV and PNG.

The merchant trades once a day and waits out every ban (REP-9). The run says, for each claim of
``spec/claims.md`` checked along the way, up to which fraud it holds and where it first fails.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from reference.economics import ban_failure, escalation, first_failure  # noqa: E402
from reference.params import Params  # noqa: E402
from reference.scenarios import Step, malicious_trader  # noqa: E402

SCENARIOS = {"paper-fig7": True, "paper-fig7-buyer": False}
"""Scenario name -> whether the malicious trader is the seller."""
HORIZON = 200


@dataclass(frozen=True)
class Outcome:
    """Where the trajectory's claims hold."""

    frauds: int
    escalation_fails: int | None
    """CLM-3: the first fraud that is not punished more steeply or restored more slowly (None: never)."""
    ban_fails: int | None
    """CLM-2: the first fraud banned for fewer than 2^(n-1) days below the cap (None: never)."""
    drops: list[float]
    restores: list[int]

    @property
    def holds(self) -> bool:
        return self.frauds >= 2 and self.escalation_fails is None and self.ban_fails is None

    def summary(self, steps: list[Step]) -> str:
        """One line per claim: where it holds, and where it fails."""
        if self.frauds < 2:
            return f"{self.frauds} fraud(s) in {len(steps)} trades: reputation never reaches the threshold twice"
        trade = {n: s.trade for n, s in enumerate((s for s in steps if not s.honest), start=1)}
        lines = []
        for claim, failed in (
            ("CLM-3 escalation", self.escalation_fails),
            ("CLM-2 ban >= 2^(n-1) days", self.ban_fails),
        ):
            if failed is None:
                lines.append(f"{claim}: holds for frauds 1..{self.frauds}")
            else:
                lines.append(
                    f"{claim}: holds for frauds 1..{failed - 1}, fails at fraud {failed} (trade {trade[failed]})"
                )
        return "\n".join(lines)


def assess(steps: list[Step], p: Params, seller: bool) -> Outcome:
    """The claims along one trajectory."""
    factors, counts = escalation(steps, p, seller)
    return Outcome(len(factors), first_failure(factors, counts), ban_failure(steps, p), factors, counts)


def run(scenario: str, out: Path, params: Params, trades: int = HORIZON) -> tuple[Path, Path, list[Step], Outcome]:
    """Run ``scenario``; write ``<scenario>.csv`` and ``<scenario>.png`` into ``out``."""
    seller = SCENARIOS[scenario]
    steps = malicious_trader(params, trades, seller=seller)
    outcome = assess(steps, params, seller)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, png_path = out / f"{scenario}.csv", out / f"{scenario}.png"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        header = ["trade", "day", "honest", "amount", "reputation", "reputation_fixed_point", "frauds", "ban_days"]
        writer.writerow(header)
        for s in steps:
            row = [s.trade, s.time // params.day, int(s.honest), s.amount, s.reputation / params.wad, s.reputation]
            writer.writerow([*row, s.frauds, s.ban_days])
    _plot(steps, params, outcome, scenario, png_path)
    return csv_path, png_path, steps, outcome


def _plot(steps: list[Step], params: Params, outcome: Outcome, scenario: str, png_path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 4))
    numbers = [0] + [s.trade for s in steps]
    values = [params.initial_reputation] + [s.reputation for s in steps]
    ax.plot(numbers, [v / params.wad for v in values], marker="o", ms=2)
    frauds = [s for s in steps if not s.honest]
    for n, s in enumerate(frauds, start=1):
        failed = n in (outcome.escalation_fails, outcome.ban_fails)
        ax.axvline(s.trade, color="black" if failed else "red", alpha=0.8 if failed else 0.2)
    if min(values) > 0:
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "reputation never leaves 0 (errata ERR-1)", transform=ax.transAxes, ha="center")
    side = "seller" if SCENARIOS[scenario] else "buyer"
    verdict = "claims hold over the horizon" if outcome.holds else "a claim fails (black line, or no frauds)"
    ax.set(
        xlabel="trade (bans waited out)", ylabel=f"{side} reputation", title=f"Malicious {side}: frauds red; {verdict}"
    )
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
