"""Z3 obligations: the encodings follow the model, the proofs hold, and they fail when a rule breaks."""

import json

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import fixedpoint as fx
from reference import market as mk
from reference import reputation as rep
from reference.params import RESOLVED
from reference.quotes import Ciphertext, encrypt, public_key
from verify.checks.proofs import auction as auction_proofs
from verify.checks.proofs import encodings as enc
from verify.checks.proofs import reputation as reputation_proofs
from verify.checks.proofs.settlement import MOVES
from verify.checks.symbolic.crosshair import crosshair, statuses
from verify.cli import main
from verify.findings import Status
from verify.registry import discover

P = RESOLVED
u128 = st.integers(1, 2**128 - 1)
small = st.integers(0, 2**64)


def value(expr) -> int:
    return z3.simplify(expr).as_long()


@settings(max_examples=200)
@given(u128, u128, st.integers(1, 2**128), st.integers(0, 40), st.integers(1, 2**80))
def test_encodings_compute_what_the_reference_computes(a, b, c, frauds, r):
    assert value(enc.mul_div(a, b, c)) == fx.mul_div(a, b, c)
    assert value(enc.ceil_div(a, c)) == fx.ceil_div(a, c)
    assert value(enc.clamp(a, P.min_reputation, P.max_reputation)) == fx.clamp(a, P.min_reputation, P.max_reputation)
    total = a + b
    assert value(enc.share_plus_z0(a, total, P.z0, P.wad)) == rep.share_plus_z0(a, total, P.z0, P.wad)
    assert value(enc.buyer_penalty(a, b, P.profit_coefficient, P.wad)) == rep.buyer_penalty(
        a, b, P.profit_coefficient, P.wad
    )
    assert value(enc.buyer_growth(b, P.profit_coefficient, P.wad)) == rep.buyer_growth(b, P.profit_coefficient, P.wad)
    coefficient = rep.penalty_coefficient(frauds, P.max_fraud_exponent)
    assert value(enc.reputation_step(r, a, b, coefficient, P.k1, P.k2)) == rep.reputation_step(
        r, a, b, coefficient, P.k1, P.k2
    )
    assert value(enc.ban_days(coefficient, r, P.wad, P.max_ban_days)) == rep.ban_days(
        coefficient, r, P.wad, P.max_ban_days
    )
    assert value(enc.auction_price(a, b, c)) == mk.auction_price(max(a, b, c), b, c) or a < max(b, c)


KEY = 99


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 12), st.just(-1)), min_size=1, max_size=6))
def test_open_one_follows_open_bids(quotes):
    """The model's opening of a whole order, bid by bid, against the encoding iterated newest first."""
    start = 3 * 10**9
    m = mk.Market(operator="op")
    for account in ["s"] + [f"b{i}" for i in range(len(quotes))]:
        m, _ = mk.register_user(m, "op", account)
    m, _ = mk.post_order(m, "s", 1, start, 10, public_key(KEY), 0)
    for i, q in enumerate(quotes):
        sealed = Ciphertext((1, 3), 0) if q < 0 else encrypt(public_key(KEY), q * 10**9, i + 1)
        m, _ = mk.place_bid(m, f"b{i}", 0, sealed, 10, 0)
    m, _ = mk.disclose_key(m, "s", 0, KEY, P.bidding_period)
    m, _ = mk.open_bids(m, 0, len(quotes), P.bidding_period)
    h, s, leading, refunds, leader = 0, 0, False, 0, None
    for i in reversed(range(len(quotes))):
        q = max(quotes[i], 0) * 10**9
        valid = quotes[i] >= 0 and start <= q <= P.max_quote
        nh, ns, takes, r = enc.open_one(h, s, z3.BoolVal(leading), q, z3.BoolVal(valid))
        h, s, refunds = value(nh), value(ns), refunds + value(r)
        if z3.is_true(z3.simplify(takes)):
            leading, leader = True, f"b{i}"
    order = m.orders[0]
    assert (order.highest, order.second) == (h, s)
    assert order.winner == (leader or mk.ZERO_ADDRESS)
    assert sum(m.pending.values()) == refunds * 10


def test_accounting_moves_match_the_reference_transitions():
    """Each transition's change of (balance, pending total, escrow) is the one the proofs assume."""
    deposit, price = 10**15, 3 * 10**9

    def money(m):
        return m.balance, sum(m.pending.values()), sum(mk.escrowed(o) for o in m.orders)

    m = mk.Market(operator="op")
    for a in ("s", "b0", "b1"):
        m, _ = mk.register_user(m, "op", a)
    m, _ = mk.post_order(m, "s", 1, 10**9, deposit, public_key(KEY), 0)
    steps = [
        (
            "place_bid",
            lambda m: mk.place_bid(m, "b0", 0, encrypt(public_key(KEY), 5 * 10**9, 1), deposit, 0),
            0,
        ),
        ("place_bid", lambda m: mk.place_bid(m, "b1", 0, encrypt(public_key(KEY), price, 2), deposit, 0), 0),
        ("claim_seller_default", None, 0),
        ("open_bids", lambda m: mk.open_bids(mk.disclose_key(m, "s", 0, KEY, 3600)[0], 0, 2, 3600), 1),
        ("settle", lambda m: mk.settle(m, 0, 3600), 0),
        ("pay_price", lambda m: mk.pay_price(m, "b0", 0, price, 3600), 0),
        ("confirm_delivery", lambda m: mk.confirm_delivery(m, "b0", 0, 3601), 0),
        ("withdraw", lambda m: mk.withdraw(m, "b1"), 0),
    ]
    for name, transition, refunds in steps:
        if transition is None:
            continue
        before = money(m)
        m, events = transition(m)
        amount = sum(e.amount for e in events if type(e).__name__ == "Withdrawn")
        expected = MOVES(deposit, price, refunds, amount)[name]
        assert tuple(a - b for a, b in zip(money(m), before, strict=True)) == expected, name


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    out = tmp_path_factory.mktemp("prove") / "prove.json"
    assert main(["prove", "--no-crosshair", "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_every_obligation_is_proved_on_the_resolved_parameters(proved):
    resolved = [e for e in proved if e["params"] == "resolved"]
    assert len(resolved) >= 18 and all(e["status"] == "proved" for e in resolved)
    assert {e["clause"] for e in resolved} >= {
        "AUC-6",
        "AUC-7",
        "REP-7",
        "REP-8",
        "FXP-1",
        "FXP-4",
        "SET-6",
        "SET-7",
    }
    assert all(set(e) >= {"id", "clause", "status", "seconds"} for e in proved)


def test_the_paper_literal_parameters_show_each_defect(proved):
    defects = {cls.ID: cls.PAPER_DEFECT for cls in discover().values() if getattr(cls, "PAPER_DEFECT", "")}
    refuted = {e["id"] for e in proved if e["params"] == "paper-literal" and e["status"] == "refuted"}
    assert refuted == set(defects)
    assert {"ERR-1", "ERR-2", "ERR-4", "ERR-5"} <= set(defects.values())
    zero = next(e for e in proved if e["id"] == "prove-honest-seller-raises" and e["params"] == "paper-literal")
    assert "R = 0" in zero["counterexample"]


def test_a_first_price_rule_refutes_truthful_bidding(monkeypatch):
    monkeypatch.setattr(auction_proofs, "auction_price", lambda h, s, start: h)
    monkeypatch.setattr(auction_proofs, "maximum", lambda a, b: a if isinstance(a, int) else z3.If(a >= a, a, a))
    result = auction_proofs.TruthfulBidding().prove(P)
    assert result.status == Status.REFUTED and "value" in result.counterexample


def test_a_tie_going_to_the_latest_bid_refutes_the_tie_break(monkeypatch):
    original = enc.open_one

    def later_wins(h, s, leading, q, valid):
        nh, ns, takes, refunds = original(h, s, leading, q - 1, valid)  # needs a strictly higher quote
        return z3.If(takes, q, h), ns, takes, refunds

    monkeypatch.setattr(auction_proofs, "open_one", later_wins)
    result = auction_proofs.TieBreakDeterministic().prove(P)
    assert result.status == Status.REFUTED and "leader_index" in result.counterexample


def test_eq4_rounded_down_refutes_fraud_lowers_buyer(monkeypatch):
    """ERR-17, found by this obligation: p(z) rounded down makes some defaults free."""

    def floor_penalty(amount, previous_total, profit_coefficient, wad):
        loss = profit_coefficient * amount
        return enc.mul_div(loss, wad, previous_total * wad + loss)

    monkeypatch.setattr(reputation_proofs.enc, "buyer_penalty", floor_penalty)
    result = reputation_proofs.FraudLowersBuyer().prove(P)
    assert result.status == Status.REFUTED
    assert "previous_total" in result.counterexample and "in fixed point" in result.counterexample


def test_a_timeout_is_unknown_never_proved(monkeypatch):
    monkeypatch.setattr(reputation_proofs.FixedPointError, "TIMEOUT_MS", 1)
    assert reputation_proofs.FixedPointError().prove(P).status == Status.UNKNOWN


def test_crosshair_statuses(fixtures):
    bad = statuses(crosshair([str(fixtures / "crosshair" / "second_price.py")], fixtures, 4, 120).stdout)
    assert any(s == Status.REFUTED for _, s, _ in bad)
    good = statuses(crosshair(["reference/fixedpoint.py"], fixtures.parents[1], 4, 120).stdout)
    assert good and all(s == Status.PROVED for _, s, _ in good)
