"""fairwatt simulate reputation: the Fig. 7 command writes its CSV and plot (SIM-1)."""

import csv
from dataclasses import replace

import pytest

from reference.params import RESOLVED
from reference.scenarios import malicious_trader
from verify import simulate
from verify.cli import main

Z0_200 = replace(RESOLVED, z0=200 * RESOLVED.wad)


@pytest.mark.clauses("SIM-1")
def test_fig7_command_writes_csv_and_png_SIM_1(tmp_path, capsys):
    assert main(["simulate", "reputation", "--scenario", "paper-fig7", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "paper-fig7.csv").open()))
    assert len(rows) == 200 and {r["honest"] for r in rows} == {"0", "1"}
    frauds = [r for r in rows if r["honest"] == "0"]
    bans = [int(r["ban_days"]) for r in frauds]
    assert all(ban >= min(2**n, 3650) for n, ban in enumerate(bans))  # CLM-2 along the run
    days = [int(r["day"]) for r in rows]
    for fraud, ban in zip(frauds, bans, strict=True):  # REP-9: the next trade waits for the ban to end
        after = int(fraud["trade"])
        if after < len(rows):
            assert days[after] >= int(fraud["day"]) + ban
    png = (tmp_path / "paper-fig7.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    out = capsys.readouterr().out
    assert "13 frauds" in out and "CLM-3 escalation: holds for frauds 1..13" in out


def test_buyer_scenario_and_paper_literal_parameters(tmp_path):
    assert main(["simulate", "reputation", "--scenario", "paper-fig7-buyer", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "paper-fig7-buyer.png").exists()
    out = tmp_path / "paper"
    assert main(["simulate", "reputation", "--params", "paper-literal", "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "paper-fig7.csv").open()))
    assert all(r["reputation_fixed_point"] == "0" for r in rows)  # ERR-1: 0 never moves


@pytest.mark.clauses("SIM-1", "CLM-3")
def test_the_run_says_where_a_claim_fails(tmp_path, capsys):
    assert main(["simulate", "reputation", "--params", "paper-literal", "--out", str(tmp_path)]) == 0
    assert "0 fraud(s) in 200 trades" in capsys.readouterr().out
    steps = malicious_trader(Z0_200, 200)
    outcome = simulate.assess(steps, Z0_200, True)
    assert not outcome.holds and outcome.escalation_fails == 3
    assert "fails at fraud 3 (trade" in outcome.summary(steps)
