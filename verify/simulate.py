"""``fairwatt simulate reputation``: the paper's Fig. 7 on the model, written as CSV and PNG."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from reference.params import Params  # noqa: E402
from reference.scenarios import Step, malicious_trader  # noqa: E402

SCENARIOS = {"paper-fig7": True, "paper-fig7-buyer": False}
"""Scenario name -> whether the malicious trader is the seller."""


def run(scenario: str, out: Path, params: Params, trades: int = 40) -> tuple[Path, Path, list[Step]]:
    """Run ``scenario``; write ``<scenario>.csv`` and ``<scenario>.png`` into ``out``."""
    steps = malicious_trader(params, trades, seller=SCENARIOS[scenario])
    out.mkdir(parents=True, exist_ok=True)
    csv_path, png_path = out / f"{scenario}.csv", out / f"{scenario}.png"
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["trade", "honest", "amount", "reputation", "reputation_fixed_point", "frauds"])
        for s in steps:
            writer.writerow([s.trade, int(s.honest), s.amount, s.reputation / params.wad, s.reputation, s.frauds])
    fig, ax = plt.subplots(figsize=(8, 4))
    numbers = [0] + [s.trade for s in steps]
    values = [params.initial_reputation] + [s.reputation for s in steps]
    ax.plot(numbers, [v / params.wad for v in values], marker="o", ms=3)
    for s in steps:
        if not s.honest:
            ax.axvline(s.trade, color="red", alpha=0.2)
    if min(values) > 0:
        ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "reputation never leaves 0 (errata ERR-1)", transform=ax.transAxes, ha="center")
    ax.axhline(7.5, color="grey", ls="--", lw=0.8)
    side = "seller" if SCENARIOS[scenario] else "buyer"
    ax.set(
        xlabel="trade",
        ylabel=f"{side} reputation",
        title=f"Malicious {side}: honest 10 while R < 7.5, else fraud of 20 (red)",
    )
    fig.tight_layout()
    fig.savefig(png_path, dpi=100)
    plt.close(fig)
    return csv_path, png_path, steps
