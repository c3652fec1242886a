"""fairwatt simulate reputation: the Fig. 7 command writes its CSV and plot (SIM-1)."""

import csv

from verify.cli import main


def test_fig7_command_writes_csv_and_png_SIM_1(tmp_path, capsys):
    assert main(["simulate", "reputation", "--scenario", "paper-fig7", "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader((tmp_path / "paper-fig7.csv").open()))
    assert len(rows) == 40 and {r["honest"] for r in rows} == {"0", "1"}
    png = (tmp_path / "paper-fig7.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    assert "14 frauds" in capsys.readouterr().out


def test_buyer_scenario_and_paper_literal_parameters(tmp_path):
    assert main(["simulate", "reputation", "--scenario", "paper-fig7-buyer", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "paper-fig7-buyer.png").exists()
    out = tmp_path / "paper"
    assert main(["simulate", "reputation", "--params", "paper-literal", "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "paper-fig7.csv").open()))
    assert all(r["reputation_fixed_point"] == "0" for r in rows)  # ERR-1: 0 never moves
