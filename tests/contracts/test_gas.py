"""fairwatt gas: every step measured, gas.json/md/png written; only opening grows with the bidders."""

import json

from verify.cli import main
from verify.trade import gas as trade_gas


def test_gas_command_writes_the_table_json_and_plot(tmp_path, capsys):
    assert main(["gas", "--bidders", "5", "10", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "gas.json").read_text())
    assert {"place_bid", "settle_marginal_per_bidder", "per_bidder_end_to_end", "by_bidders"} <= set(data)
    five, ten = data["by_bidders"]["5"], data["by_bidders"]["10"]
    for step in ("post_order", "disclose_key", "settle", "pay_price", "confirm_delivery"):
        assert five[step] == ten[step], f"{step} grows with the number of bidders"
    assert abs(five["place_bid_mean"] - ten["place_bid_mean"]) < 100
    assert ten["open_bids"] > five["open_bids"]
    assert data["settle_marginal_per_bidder"] == 0
    assert (tmp_path / "gas.png").read_bytes().startswith(b"\x89PNG")
    assert "| 10 |" in (tmp_path / "gas.md").read_text() and "| 10 |" in capsys.readouterr().out
    stages = json.loads((tmp_path / "trade-gas.json").read_text())["stages"]  # the bilateral market's table
    assert list(stages) == list(trade_gas.STAGES) and all(g > 21_000 for g in stages.values())
    table = (tmp_path / "trade-gas.md").read_text()
    assert all(f"| {stage} | {clause} |" in table for stage, (clause, _) in trade_gas.STAGES.items())
    assert stages["certify_decisive"] > stages["certify_vote"]  # deciding writes the status too
