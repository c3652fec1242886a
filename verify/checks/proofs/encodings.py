"""Z3 mirrors of the reference functions the proofs reason about.

Each function takes Z3 integer expressions (or ints) and builds the expression the reference function
computes, in unbounded integers: overflow is a separate obligation (FXP-1). ``tests/verify/test_proofs.py``
evaluates every mirror against its reference function on random concrete inputs, so they cannot drift.
"""

from __future__ import annotations

from typing import Any

import z3

from reference.market import OrderStatus

Int = Any
"""A Z3 integer expression or a Python int."""


def as_z3(x: Int) -> z3.ArithRef:
    """``x`` as a Z3 integer expression."""
    return z3.IntVal(x) if isinstance(x, int) else x


def maximum(a: Int, b: Int) -> z3.ArithRef:
    return z3.If(as_z3(a) >= as_z3(b), as_z3(a), as_z3(b))


def div(a: Int, b: Int) -> z3.ArithRef:
    """``reference.fixedpoint.div`` for ``a >= 0, b > 0`` (Z3's integer division floors there)."""
    return as_z3(a) / as_z3(b)


def ceil_div(a: Int, b: Int) -> z3.ArithRef:
    """``reference.fixedpoint.ceil_div``."""
    return z3.If(as_z3(a) == 0, z3.IntVal(0), (as_z3(a) - 1) / as_z3(b) + 1)


def mul_div(a: Int, b: Int, c: Int) -> z3.ArithRef:
    """``reference.fixedpoint.mul_div``."""
    return div(as_z3(a) * as_z3(b), c)


def clamp(x: Int, low: int, high: int) -> z3.ArithRef:
    """``reference.fixedpoint.clamp`` (``high == 0``: no cap)."""
    lower = maximum(x, low)
    return z3.If(as_z3(x) > high, z3.IntVal(high), lower) if high else lower


def share_plus_z0(amount: Int, window_total: Int, z0: int, wad: int) -> z3.ArithRef:
    """``reference.reputation.share_plus_z0`` (eqs 1, 2)."""
    return mul_div(amount, wad, window_total) + z0


def buyer_penalty(amount: Int, previous_total: Int, profit_coefficient: int, wad: int) -> z3.ArithRef:
    """``reference.reputation.buyer_penalty`` (eq 4)."""
    loss = profit_coefficient * as_z3(amount)
    return ceil_div(loss * wad, as_z3(previous_total) * wad + loss)


def buyer_growth(seller_growth: Int, profit_coefficient: int, wad: int) -> z3.ArithRef:
    """``reference.reputation.buyer_growth`` (eq 5)."""
    return mul_div(profit_coefficient, seller_growth, wad)


def reputation_step(reputation: Int, growth: Int, penalty: Int, coefficient: Int, c1: int, c2: int) -> z3.ArithRef:
    """``reference.reputation.reputation_step`` (eqs 3, 6), before the clamp."""
    return mul_div(reputation, as_z3(growth) + c1, as_z3(coefficient) * as_z3(penalty) + c2)


def ban_days(coefficient: Int, reputation: Int, wad: int, max_days: int) -> z3.ArithRef:
    """``reference.reputation.ban_days`` (eq 7)."""
    days = ceil_div(as_z3(coefficient) * wad, reputation)
    return z3.If(days > max_days, z3.IntVal(max_days), days) if max_days else days


def seller_update(reputation: Int, growth: Int, penalty: Int, coefficient: Int, p: Any) -> z3.ArithRef:
    """The seller's new reputation in ``reference.reputation.record_seller_trade`` (eq 3, clamped)."""
    step = reputation_step(reputation, growth, penalty, coefficient, p.k1, p.k2)
    return clamp(step, p.min_reputation, p.max_reputation)


def buyer_update(reputation: Int, growth: Int, penalty: Int, coefficient: Int, p: Any) -> z3.ArithRef:
    """The buyer's new reputation in ``reference.reputation.record_buyer_trade`` (eq 6, clamped): growth
    over penalty when ``p.eq6_corrected``, else eq 6 as printed (ERR-2)."""
    if not p.eq6_corrected:
        growth, penalty = penalty, growth
    return clamp(
        reputation_step(reputation, growth, penalty, coefficient, p.t1, p.t2), p.min_reputation, p.max_reputation
    )


def next_coefficient(coefficient: Int, max_exponent: int) -> z3.ArithRef:
    """``reference.reputation.penalty_coefficient(n + 1)`` from ``c = penalty_coefficient(n)``, n >= 1 (REP-4)."""
    return z3.If(as_z3(coefficient) < max_coefficient(max_exponent), 2 * as_z3(coefficient), as_z3(coefficient))


def max_coefficient(max_exponent: int) -> int:
    """The largest c(n) that ``reference.reputation.penalty_coefficient`` returns (REP-4)."""
    return 2**max_exponent


def banned_until(until: Int, now: Int, coefficient: Int, reputation: Int, p: Any) -> z3.ArithRef:
    """``banned_until`` after ``reference.reputation._banned``: a ban from ``now`` that only grows (REP-8)."""
    return maximum(until, as_z3(now) + ban_days(coefficient, reputation, p.wad, p.max_ban_days) * p.day)


def is_banned(until: Int, now: Int) -> z3.BoolRef:
    """``reference.reputation.is_banned`` (REP-9)."""
    return as_z3(now) < as_z3(until)


def auction_price(highest: Int, second: Int, start_price: Int) -> z3.ArithRef:
    """``reference.market.auction_price`` (AUC-7)."""
    return maximum(second, start_price)


def open_one(highest: Int, second: Int, leading: Int, quote: Int, valid: Any) -> tuple:
    """One bid of ``reference.market.open_bids`` (AUC-6) on the running top two.

    ``leading`` is a Boolean: whether there is a leader before this bid. Returns
    ``(highest, second, leads, refunds)``: the new top two, whether this bid took the lead, and how
    many deposits the step credits back (the bid's own, or the displaced leader's).
    """
    h, s, q = as_z3(highest), as_z3(second), as_z3(quote)
    takes = z3.And(valid, q >= h)
    new_h = z3.If(takes, q, h)
    new_s = z3.If(takes, h, z3.If(valid, maximum(s, q), s))
    refunds = z3.If(takes, z3.If(leading, 1, 0), 1)
    return new_h, new_s, takes, refunds


def escrowed(status: Int, deposit: Int, bids: Int, opened: Int, leading: Any, price: Int) -> z3.ArithRef:
    """``reference.market.escrowed``: the wei the market holds for one order (SET-6)."""
    status, deposit, bids, opened = as_z3(status), as_z3(deposit), as_z3(bids), as_z3(opened)
    lead = z3.If(leading, 1, 0)
    by_status = [
        (OrderStatus.OPEN, deposit * bids),
        (OrderStatus.DISCLOSED, deposit * (bids - opened + lead)),
        (OrderStatus.ABANDONED, deposit * (bids - opened)),
        (OrderStatus.SETTLED, deposit),
        (OrderStatus.PAID, as_z3(price)),
    ]
    out: z3.ArithRef = z3.IntVal(0)
    for value, amount in reversed(by_status):
        out = z3.If(status == int(value), amount, out)
    return out


def withdraw(owed: Int) -> tuple[z3.ArithRef, z3.ArithRef]:
    """``reference.market.withdraw`` on the caller's pending balance: ``(paid, pending after)`` (SET-7).

    With nothing owed it reverts: nothing paid, nothing changed — the same pair.
    """
    return as_z3(owed), z3.IntVal(0)


def min_nodes(faulty: Int) -> z3.ArithRef:
    """``reference.quorum.min_nodes`` (QRM-1): 3f + 1."""
    return 3 * as_z3(faulty) + 1


def bft_quorum(nodes: Int, faulty: Int) -> z3.ArithRef:
    """``reference.quorum.bft_quorum`` (QRM-1): n − f."""
    return as_z3(nodes) - as_z3(faulty)


def majority(certifiers: Int) -> z3.ArithRef:
    """``reference.quorum.majority`` (QRM-2): c div 2 + 1, for c >= 0."""
    return as_z3(certifiers) / 2 + 1


def equivocation_tolerance(certifiers: Int) -> z3.ArithRef:
    """``reference.quorum.equivocation_tolerance`` (QRM-3): 2·majority − c − 1."""
    return 2 * majority(certifiers) - as_z3(certifiers) - 1
