"""Known, open defects of the certificates, demonstrated on the model: each test asserts today's behaviour
and names its erratum, so the day the defect is fixed the test fails and must be rewritten as a refusal."""

import pytest

from reference import points as pts
from verify.points import vectors as pv
from verify.trade import vectors as tv
from verify.trade.roles import FEE, address

KWH = 1000


def resell(s: pv.Script, seller: str, buyer: str, volume: int) -> int:
    """``seller`` sells ``volume`` Wh it already holds to ``buyer`` bilaterally, fully delivered and settled
    (no energy from the grid). The trade's id."""
    delivery = (s.now // pv.tr.PERIOD + 2) * pv.tr.PERIOD
    s.do("declare_ask", seller, volume, tv.PRICE, delivery).do("declare_bid", buyer, volume, tv.PRICE, delivery)
    trade_id = len(s.g.markets.trades)
    s.do("match_offers", len(s.g.markets.offers) - 2, len(s.g.markets.offers) - 1)
    s.do("authenticate_match", buyer, trade_id, tv.Signed(seller), tv.Signed(buyer), volume * tv.PRICE + FEE)
    s.now = delivery
    s.do("record_execution", "grid", trade_id, volume)
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    pv.settle_bilateral(s, trade_id)
    assert s.steps[-1]["expect"]["ok"], s.steps[-1]
    return trade_id


@pytest.mark.clauses("CRT-1", "CRT-2")
def test_wash_trade_recertifies_energy_open_defect_err_41():
    """ERR-41: the same Wh sold u0 → u1 → u0 is certified twice, and earns trade points twice, for two fees."""
    s = pv.setup("wash", [])
    first = pv.bilateral_trade(s, KWH, KWH)  # the grid gives u0 1 kWh, u0 sells it to u1
    s.do("certify_execution", "c0", first, True).do("certify_execution", "c1", first, True)
    pv.settle_bilateral(s, first)
    back = resell(s, "u1", "u0", KWH)  # and u1 sells the same Wh back
    energy = s.g.markets.energy.accounts
    assert (energy[address("u0")].balance, energy[address("u1")].balance) == (KWH, 0)  # where it started
    g, _ = pts.claim_certificate(s.g, 1, first)
    g, _ = pts.claim_certificate(g, 1, back)
    assert sum(c.quantity for c in g.certificates) == 2 * KWH  # 1 kWh ever entered u0's hands, 2 certified
    assert g.balances[address("u0")] == g.balances[address("u1")] == 2 * pts.trade_grant(g.grants, KWH)
