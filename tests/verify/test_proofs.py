"""Z3 obligations: the encodings follow the model on every parameter set, the proofs hold, and each
fails on its known-bad variant."""

import json
from dataclasses import replace

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import fixedpoint as fx
from reference import market as mk
from reference import reputation as rep
from reference.errors import Panic
from reference.params import PAPER, RESOLVED
from reference.quotes import Ciphertext, encrypt, public_key
from verify.check import Context
from verify.checks.proofs import auction as auction_proofs
from verify.checks.proofs import encodings as enc
from verify.checks.proofs import quorum as quorum_proofs
from verify.checks.proofs import reputation as reputation_proofs
from verify.checks.proofs import settlement as settlement_proofs
from verify.checks.proofs import trade as trade_proofs
from verify.checks.proofs.base import ProofCheck, every_move
from verify.checks.proofs.settlement import MOVES, Inputs, OrderMoney
from verify.checks.proofs.variants import VARIANTS
from verify.cli import main
from verify.findings import Status

P = RESOLVED
PARAMS = pytest.mark.parametrize("p", [RESOLVED, PAPER], ids=["resolved", "paper-literal"])
u128 = st.integers(1, 2**128 - 1)


def value(expr) -> int:
    return z3.simplify(enc.as_z3(expr)).as_long()


def agrees(encoded, reference) -> None:
    """The encoding's value is the reference's; where the reference overflows uint256 (paper-literal's
    uncapped c(n): ERR-5) the unbounded encodings go on, and prove-no-overflow is the obligation."""
    try:
        expected = reference()
    except Panic as exc:
        assert exc.args[0] == Panic.OVERFLOW
        return
    assert value(encoded) == expected


def truth(expr) -> bool:
    return z3.is_true(z3.simplify(expr if isinstance(expr, z3.ExprRef) else z3.BoolVal(expr)))


@PARAMS
@settings(max_examples=100, deadline=None)
@given(u128, u128, st.integers(1, 2**128), st.integers(0, 300), st.integers(1, 2**80), st.integers(0, 2**40))
def test_encodings_compute_what_the_reference_computes(p, a, b, c, frauds, r, now):
    assert value(enc.mul_div(a, b, c)) == fx.mul_div(a, b, c)
    assert value(enc.ceil_div(a, c)) == fx.ceil_div(a, c)
    assert value(enc.clamp(a, p.min_reputation, p.max_reputation)) == fx.clamp(a, p.min_reputation, p.max_reputation)
    total = a + b
    assert value(enc.share_plus_z0(a, total, p.z0, p.wad)) == rep.share_plus_z0(a, total, p.z0, p.wad)
    assert value(enc.buyer_penalty(a, b, p.profit_coefficient, p.wad)) == rep.buyer_penalty(
        a, b, p.profit_coefficient, p.wad
    )
    assert value(enc.buyer_growth(b, p.profit_coefficient, p.wad)) == rep.buyer_growth(b, p.profit_coefficient, p.wad)
    coefficient = rep.penalty_coefficient(frauds, p.max_fraud_exponent)
    assert coefficient <= enc.max_coefficient(p.max_fraud_exponent)
    if frauds >= 1:
        after = rep.penalty_coefficient(frauds + 1, p.max_fraud_exponent)
        assert value(enc.next_coefficient(coefficient, p.max_fraud_exponent)) == after
    step = (r, a, b, coefficient, p.k1, p.k2)
    agrees(enc.reputation_step(*step), lambda: rep.reputation_step(*step))
    agrees(
        enc.ban_days(coefficient, r, p.wad, p.max_ban_days), lambda: rep.ban_days(coefficient, r, p.wad, p.max_ban_days)
    )
    user = rep.User(r, r, banned_until=b)
    agrees(enc.banned_until(b, now, coefficient, r, p), lambda: rep._banned(user, coefficient, r, now, p).banned_until)
    assert truth(enc.is_banned(b, now)) == rep.is_banned(user, now)
    highest = max(a, b, c)
    assert value(enc.auction_price(highest, b, c)) == mk.auction_price(highest, b, c)


@PARAMS
@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**100), u128, st.lists(u128, max_size=3), st.integers(0, 40), st.booleans(), u128)
def test_reputation_updates_follow_record_trade(p, r, amount, history, frauds, honest, seller_growth):
    """``seller_update``/``buyer_update`` against ``record_seller_trade``/``record_buyer_trade``."""
    user = rep.User(r, r, seller_frauds=frauds, buyer_frauds=frauds, history=tuple(history))
    c = rep.penalty_coefficient(frauds + (0 if honest else 1), p.max_fraud_exponent)
    appended = (tuple(history) + (amount,))[-p.history_size :]
    if honest:
        expected_seller = enc.seller_update(r, rep.seller_growth(user, amount, p), 0, c, p)
        growth = enc.buyer_growth(seller_growth, p.profit_coefficient, p.wad)
        expected_buyer = enc.buyer_update(r, growth, 0, c, p)
    else:
        f = enc.share_plus_z0(amount, sum(appended[-p.window_f :]), p.z0, p.wad)
        expected_seller = enc.seller_update(r, 0, f, c, p)
        previous = sum(history[-(p.window_p - 1) :]) if p.window_p > 1 else 0
        penalty = enc.buyer_penalty(amount, previous, p.profit_coefficient, p.wad)
        expected_buyer = enc.buyer_update(r, 0, penalty, c, p)
    for record, expected, field in (
        (lambda: rep.record_seller_trade(user, amount, honest, 0, p), expected_seller, "seller_reputation"),
        (lambda: rep.record_buyer_trade(user, amount, seller_growth, honest, 0, p), expected_buyer, "buyer_reputation"),
    ):
        try:
            assert getattr(record(), field) == value(expected)
        except Panic:  # eq 7 divides by the new reputation: only 0 may do that (ERR-4)
            assert not honest and value(expected) == 0


ACCOUNTS = [f"0x{i:040x}" for i in range(1, 40)]
OP = ACCOUNTS[0]
START = 10**9
DEPOSIT = 10**15


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 12), st.just(-1)), min_size=1, max_size=6))
def test_open_one_follows_open_bids(quotes):
    """The model's opening of a whole order, bid by bid, against the encoding iterated newest first."""
    start, DEP = 3 * 10**9, 10**9  # the deposit is at least min_deposit_share of the start price
    bidders = ACCOUNTS[2 : 2 + len(quotes)]
    m = mk.Market(operator=OP)
    for account in [ACCOUNTS[1], *bidders]:
        m, _ = mk.register_user(m, OP, account)
    m, _ = mk.post_order(m, ACCOUNTS[1], 1, start, DEP, public_key(99), 0)
    for i, q in enumerate(quotes):
        context = mk.context(m, 0, bidders[i])
        sealed = Ciphertext((1, 3), 0) if q < 0 else encrypt(public_key(99), q * 10**9, i + 1, context)
        m, _ = mk.place_bid(m, bidders[i], 0, sealed, DEP, 0)
    m, _ = mk.disclose_key(m, ACCOUNTS[1], 0, 99, P.bidding_period)
    m, _ = mk.open_bids(m, 0, len(quotes), P.bidding_period)
    h, s, leading, refunds, leader = 0, 0, False, 0, None
    for i in reversed(range(len(quotes))):
        q = max(quotes[i], 0) * 10**9
        valid = quotes[i] >= 0 and start <= q <= P.max_quote
        nh, ns, takes, r = enc.open_one(h, s, z3.BoolVal(leading), q, z3.BoolVal(valid))
        h, s, refunds = value(nh), value(ns), refunds + value(r)
        if truth(takes):
            leading, leader = True, bidders[i]
    order = m.orders[0]
    assert (order.highest, order.second) == (h, s)
    assert order.winner == (leader or mk.ZERO_ADDRESS)
    assert sum(m.pending.values()) == refunds * DEP


def _money(m: mk.Market, order_id: int) -> OrderMoney:
    if order_id >= len(m.orders):
        return OrderMoney(int(mk.OrderStatus.NONE), 0, 0, False, 0)
    o = m.orders[order_id]
    return OrderMoney(int(o.status), len(o.bids), o.opened, o.winner != mk.ZERO_ADDRESS, o.price)


class Trades:
    """Markets driven through every transition; each step checked against its row of ``MOVES``."""

    def __init__(self, p):
        self.p, self.seen = p, set()
        m = mk.Market(operator=OP, params=p)
        for account in ACCOUNTS[1:]:
            m, _ = mk.register_user(m, OP, account)
        # the accounting does not read reputations; a non-zero one keeps eq 7 defined for paper-literal
        self.m = replace(
            m, users={a: replace(u, seller_reputation=p.wad, buyer_reputation=p.wad) for a, u in m.users.items()}
        )
        self.quotes: dict[tuple[int, int], int] = {}

    def step(self, name, order_id, transition, owed=0):
        before = self.m
        o = before.orders[order_id] if order_id < len(before.orders) else None
        index = (len(o.bids) - o.opened - 1) if o else 0
        quote = self.quotes.get((order_id, index), 0)
        x = Inputs()
        known = {
            x.deposit: DEPOSIT,
            x.start: o.start_price if o else START,
            x.highest: o.highest if o else 0,
            x.second: o.second if o else 0,
            x.quote: quote,
            x.owed: owed,
        }
        pairs = [(k, z3.IntVal(v)) for k, v in known.items()]
        valid = o is not None and mk.valid_quote(o, quote, self.p) and (order_id, index) in self.quotes
        pairs_b = [(x.valid, z3.BoolVal(valid))]

        def ev(x):
            x = (
                enc.as_z3(x)
                if not isinstance(x, (bool, z3.BoolRef))
                else (x if isinstance(x, z3.BoolRef) else z3.BoolVal(x))
            )
            return z3.simplify(z3.substitute(z3.substitute(x, *pairs), *pairs_b))

        start = _money(before, order_id)
        move = MOVES[name](
            enc, OrderMoney(start.status, start.bids, start.opened, z3.BoolVal(start.leading), start.price), x
        )
        self.m, _ = transition(before)
        after = _money(self.m, order_id)
        assert z3.is_true(ev(move.guard)), name
        assert ev(move.after.status).as_long() == after.status, name
        assert ev(move.after.bids).as_long() == after.bids, name
        assert ev(move.after.opened).as_long() == after.opened, name
        assert z3.is_true(ev(move.after.leading)) == after.leading, name
        assert ev(move.after.price).as_long() == after.price, name
        assert ev(move.balance).as_long() == self.m.balance - before.balance, name
        assert ev(move.pending).as_long() == sum(self.m.pending.values()) - sum(before.pending.values()), name
        assert mk.is_solvent(self.m), name
        self.seen.add(name)

    def order(self, seller, bids, key, end):
        """Post an order, place ``bids`` (bidder, quote or None for an undecryptable seal), return its id."""
        oid = len(self.m.orders)
        self.step("post_order", oid, lambda m: mk.post_order(m, seller, 1, START, DEPOSIT, public_key(key), 0))
        for i, (bidder, q) in enumerate(bids):
            sealed = (
                Ciphertext((1, 3), 0)
                if q is None
                else encrypt(public_key(key), q, i + 1, mk.context(self.m, oid, bidder))
            )
            if q is not None:
                self.quotes[(oid, i)] = q
            self.step("place_bid", oid, lambda m, b=bidder, c=sealed: mk.place_bid(m, b, oid, c, DEPOSIT, 1))
        if end == "abandon":
            return oid
        self.step("disclose_key", oid, lambda m: mk.disclose_key(m, seller, oid, key, self.p.bidding_period))
        for _ in bids:
            self.step("open_bids", oid, lambda m: mk.open_bids(m, oid, 1, self.p.bidding_period))
        self.step("settle", oid, lambda m: mk.settle(m, oid, self.p.bidding_period))
        return oid


@PARAMS
def test_every_accounting_move_matches_the_reference_transition(p):
    """Each row of MOVES against the reference transition, on every parameter set: the guard holds, the
    order ends as the row says, and the balance and pending total change by the row's amounts."""
    t = Trades(p)
    a = ACCOUNTS
    T, D = p.bidding_period, p.bidding_period + p.payment_period + p.delivery_period
    tie = t.order(a[1], [(a[10], 5 * START), (a[11], 3 * START), (a[12], 5 * START), (a[13], 10)], 101, "")
    t.step("pay_price", tie, lambda m: mk.pay_price(m, a[10], tie, 5 * START, T))
    t.step("confirm_delivery", tie, lambda m: mk.confirm_delivery(m, a[10], tie, T + 1))
    for who in (a[11], a[1]):
        t.step("withdraw", tie, lambda m, w=who: mk.withdraw(m, w), owed=t.m.pending[who])
    late = t.order(a[2], [(a[14], 2 * START)], 102, "")
    t.step("pay_price", late, lambda m: mk.pay_price(m, a[14], late, START, T))
    t.step("claim_delivery_timeout", late, lambda m: mk.claim_delivery_timeout(m, late, D))
    fraud = t.order(a[3], [(a[15], 2 * START)], 103, "")
    t.step("pay_price", fraud, lambda m: mk.pay_price(m, a[15], fraud, START, T))
    t.step("report_non_delivery", fraud, lambda m: mk.report_non_delivery(m, OP, fraud, T + 1))
    default = t.order(a[4], [(a[16], 2 * START)], 104, "")
    t.step("claim_buyer_default", default, lambda m: mk.claim_buyer_default(m, default, D))
    gone = t.order(a[5], [(a[17], 2 * START), (a[18], 3 * START)], 105, "abandon")
    t.step("claim_seller_default", gone, lambda m: mk.claim_seller_default(m, gone, 2 * T))
    for _ in range(2):
        t.step("open_bids", gone, lambda m: mk.open_bids(m, gone, 1, 2 * T))
    empty = t.order(a[6], [], 106, "abandon")
    t.step("claim_seller_default", empty, lambda m: mk.claim_seller_default(m, empty, 2 * T))
    unsold = t.order(a[7], [(a[19], None), (a[20], 1)], 107, "")
    assert t.m.orders[unsold].status == mk.OrderStatus.UNSOLD and t.m.orders[tie].winner == a[10]
    assert t.seen == set(MOVES)


def test_the_empty_market_owes_nothing():
    """The base of the conservation induction: the reference starts at balance 0, nothing pending, no order."""
    m = mk.Market(operator=OP)
    assert (m.balance, m.pending, m.orders) == (0, {}, ())


OBLIGATIONS = sorted(
    (
        cls
        for module in (auction_proofs, reputation_proofs, settlement_proofs, trade_proofs, quorum_proofs)
        for cls in vars(module).values()
        if isinstance(cls, type) and issubclass(cls, ProofCheck) and "ABSTRACT" not in cls.__dict__
    ),
    key=lambda cls: cls.ID,
)


@pytest.mark.parametrize("obligation", OBLIGATIONS, ids=lambda cls: cls.ID)
def test_each_obligation_holds_and_its_known_bad_variant_refutes_it(obligation):
    assert obligation().prove(P).status == Status.PROVED
    bad = obligation().prove(P, obligation.REFUTED_BY)
    assert bad.status == Status.REFUTED and bad.counterexample


@pytest.mark.parametrize(
    ("obligation", "shown"),
    [
        (auction_proofs.TruthfulBidding, "value"),
        (auction_proofs.TieBreakDeterministic, "leader_index"),
        (reputation_proofs.FraudLowersBuyer, "in fixed point"),
        (settlement_proofs.Conservation, "owed"),
    ],
)
def test_a_variant_counterexample_names_the_inputs_that_break_the_rule(obligation, shown):
    """ERR-17 was found this way: p(z) rounded down makes some defaults free."""
    assert shown in obligation().prove(P, obligation.REFUTED_BY).counterexample


def test_an_obligation_its_variant_cannot_refute_is_not_verified(monkeypatch, tmp_path):
    """Swap in a variant that leaves the obligation's rule alone: the proof could not fail, so it says nothing."""
    monkeypatch.setattr(auction_proofs.TieBreakDeterministic, "REFUTED_BY", "withdraw-keeps-balance")
    ctx = Context(root=tmp_path, out=tmp_path, contracts=tmp_path, options={"params": ("resolved",)})
    (finding,) = auction_proofs.TieBreakDeterministic().run(ctx)
    assert finding.status == Status.NOT_VERIFIED and finding.bad
    assert finding.data["proof_status"] == "proved" and finding.data["variant_status"] == "proved"
    assert "vacuous" in finding.evidence


def test_every_variant_is_some_obligation_s_and_names_an_encoding():
    assert {cls.REFUTED_BY for cls in OBLIGATIONS} == set(VARIANTS) | set(trade_proofs.VARIANTS)
    assert all(hasattr(enc, v.replaces) for v in VARIANTS.values())


def test_each_obligation_states_its_own_claim():
    """One that reuses another's claim over another encoding (the quorum rules over explicit sets) still
    has its own statement and description: the reports and the findings' ids are built from them."""
    assert all(cls.DESCRIPTION == cls.STATEMENT for cls in OBLIGATIONS)
    assert len({cls.STATEMENT for cls in OBLIGATIONS}) == len(OBLIGATIONS)


def test_a_timeout_is_unknown_never_proved(monkeypatch):
    monkeypatch.setattr(reputation_proofs.FixedPointError, "TIMEOUT_MS", 1)
    assert reputation_proofs.FixedPointError().prove(P).status == Status.UNKNOWN


@pytest.fixture(scope="module")
def proved(tmp_path_factory):
    out = tmp_path_factory.mktemp("prove") / "prove.json"
    assert main(["prove", "--no-crosshair", "--json", str(out)]) == 0
    return json.loads(out.read_text())


@pytest.mark.slow
def test_prove_json_lists_each_obligation_with_its_variant(proved):
    model = [e for e in proved if e["level"] == "model"]
    resolved = [e for e in model if e["params"] == "resolved"]
    assert {e["id"] for e in resolved} == {cls.ID for cls in OBLIGATIONS}
    assert all(e["status"] == "proved" for e in resolved)
    for e in proved:
        assert set(e) >= {"id", "level", "status", "clause", "refuted_by", "variant_status", "seconds", "evidence"}
    for e in model:
        assert e["variant_status"] == "refuted" and e["refuted_by"] in {**VARIANTS, **trade_proofs.VARIANTS}
    bytecode = [e for e in proved if e["level"] == "bytecode"]
    assert len(bytecode) >= 6 and {e["level"] for e in proved} == {"model", "bytecode"}
    assert all(e["status"] == "proved" and e["variant_status"] == "refuted" and e["refuted_by"] for e in bytecode)
    assert {e["clause"] for e in resolved} >= {
        "AUC-6",
        "AUC-7",
        "REP-7",
        "REP-8",
        "REP-9",
        "FXP-1",
        "FXP-4",
        "SET-6",
        "SET-7",
    }


@pytest.mark.slow
def test_the_paper_literal_parameters_show_each_defect(proved):
    defects = {cls.ID: cls.PAPER_DEFECT for cls in OBLIGATIONS if cls.PAPER_DEFECT}
    refuted = {
        e["id"] for e in proved if e["level"] == "model" and e["params"] == "paper-literal" and e["status"] == "refuted"
    }
    assert refuted == set(defects)
    assert {"ERR-1", "ERR-2", "ERR-4", "ERR-5"} <= set(defects.values())
    zero = next(e for e in proved if e["id"] == "prove-honest-seller-raises" and e["params"] == "paper-literal")
    assert "R = 0" in zero["evidence"]


def test_every_move_is_one_step_per_move_each_from_the_claim_before():
    """The induction step the conservation proofs share: a move dropped, or a premise that cannot hold, would
    prove their twins too (each twin breaks one move only)."""
    x, y = z3.Ints("x y")
    before = x >= -5
    moves = [(x > 0, y == 1), (x < 0, y == 2), (x == 0, y == 3)]
    steps = every_move(before, moves)
    assert len(steps) == len(moves)
    for step, (guard, after) in zip(steps, moves, strict=True):
        assert z3.eq(step, z3.Implies(z3.And(before, guard), after))
    solver = z3.Solver()
    solver.add(before, x == 0, y == 2)  # a state the third move allows, its claim broken: the step must fail
    assert solver.check() == z3.sat and z3.is_false(solver.model().eval(z3.And(*steps)))
