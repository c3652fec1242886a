"""Z3 mirrors of the reference functions the proofs reason about.

Each function takes Z3 integer expressions (or ints) and builds the expression the reference function
computes, in unbounded integers: overflow is a separate obligation (FXP-1). ``tests/verify/test_proofs.py``
evaluates every mirror against its reference function on random concrete inputs, so they cannot drift.
"""

from __future__ import annotations

from typing import Any

import z3

Int = Any
"""A Z3 integer expression or a Python int."""


def _z(x: Int) -> z3.ArithRef:
    return z3.IntVal(x) if isinstance(x, int) else x


def maximum(a: Int, b: Int) -> z3.ArithRef:
    return z3.If(_z(a) >= _z(b), _z(a), _z(b))


def div(a: Int, b: Int) -> z3.ArithRef:
    """``reference.fixedpoint.div`` for ``a >= 0, b > 0`` (Z3's integer division floors there)."""
    return _z(a) / _z(b)


def ceil_div(a: Int, b: Int) -> z3.ArithRef:
    """``reference.fixedpoint.ceil_div``."""
    return z3.If(_z(a) == 0, z3.IntVal(0), (_z(a) - 1) / _z(b) + 1)


def mul_div(a: Int, b: Int, c: Int) -> z3.ArithRef:
    """``reference.fixedpoint.mul_div``."""
    return div(_z(a) * _z(b), c)


def clamp(x: Int, low: int, high: int) -> z3.ArithRef:
    """``reference.fixedpoint.clamp`` (``high == 0``: no cap)."""
    lower = maximum(x, low)
    return z3.If(_z(x) > high, z3.IntVal(high), lower) if high else lower


def share_plus_z0(amount: Int, window_total: Int, z0: int, wad: int) -> z3.ArithRef:
    """``reference.reputation.share_plus_z0`` (eqs 1, 2)."""
    return mul_div(amount, wad, window_total) + z0


def buyer_penalty(amount: Int, previous_total: Int, profit_coefficient: int, wad: int) -> z3.ArithRef:
    """``reference.reputation.buyer_penalty`` (eq 4)."""
    loss = profit_coefficient * _z(amount)
    return ceil_div(loss * wad, _z(previous_total) * wad + loss)


def buyer_growth(seller_growth: Int, profit_coefficient: int, wad: int) -> z3.ArithRef:
    """``reference.reputation.buyer_growth`` (eq 5)."""
    return mul_div(profit_coefficient, seller_growth, wad)


def reputation_step(reputation: Int, growth: Int, penalty: Int, coefficient: Int, c1: int, c2: int) -> z3.ArithRef:
    """``reference.reputation.reputation_step`` (eqs 3, 6), before the clamp."""
    return mul_div(reputation, _z(growth) + c1, _z(coefficient) * _z(penalty) + c2)


def ban_days(coefficient: Int, reputation: Int, wad: int, max_days: int) -> z3.ArithRef:
    """``reference.reputation.ban_days`` (eq 7)."""
    days = ceil_div(_z(coefficient) * wad, reputation)
    return z3.If(days > max_days, z3.IntVal(max_days), days) if max_days else days


def auction_price(highest: Int, second: Int, start_price: Int) -> z3.ArithRef:
    """``reference.market.auction_price`` (AUC-7)."""
    return maximum(second, start_price)


def open_one(highest: Int, second: Int, leading: Int, quote: Int, valid: Any) -> tuple:
    """One bid of ``reference.market.open_bids`` (AUC-6) on the running top two.

    ``leading`` is a Boolean: whether there is a leader before this bid. Returns
    ``(highest, second, leads, refunds)``: the new top two, whether this bid took the lead, and how
    many deposits the step credits back (the bid's own, or the displaced leader's).
    """
    h, s, q = _z(highest), _z(second), _z(quote)
    takes = z3.And(valid, q >= h)
    new_h = z3.If(takes, q, h)
    new_s = z3.If(takes, h, z3.If(valid, maximum(s, q), s))
    refunds = z3.If(takes, z3.If(leading, 1, 0), 1)
    return new_h, new_s, takes, refunds
