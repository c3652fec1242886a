"""The reputation formulas in exact rationals: the yardstick for the fixed-point model (FXP-4).

Same rules as :mod:`reference.reputation` (REP-2..REP-7), no rounding; reputation in units of 1.0.
"""

from __future__ import annotations

from fractions import Fraction

from reference.params import Params
from reference.reputation import User, penalty_coefficient


def _share_plus_z0(amount: int, window: tuple[int, ...], p: Params) -> Fraction:
    return Fraction(amount, sum(window)) + Fraction(p.z0, p.wad)


def _bounded(r: Fraction, p: Params) -> Fraction:
    low, high = Fraction(p.min_reputation, p.wad), Fraction(p.max_reputation, p.wad)
    if p.max_reputation and r > high:
        return high
    return max(r, low)


def seller_growth(user: User, amount: int, p: Params) -> Fraction:
    """Eq 1 exactly."""
    history = (user.history + (amount,))[-p.history_size :]
    return _share_plus_z0(amount, history[-p.window_s :], p)


def seller_update(user: User, amount: int, honest: bool, p: Params) -> Fraction:
    """Eq 3 exactly, from the user's fixed-point state: the seller's reputation after the trade."""
    history = (user.history + (amount,))[-p.history_size :]
    r = Fraction(user.seller_reputation, p.wad)
    k1, k2 = Fraction(p.k1, p.wad), Fraction(p.k2, p.wad)
    if honest:
        return _bounded(r * (seller_growth(user, amount, p) + k1) / k2, p)
    c = penalty_coefficient(user.seller_frauds + 1, p.max_fraud_exponent)
    return _bounded(r * k1 / (c * _share_plus_z0(amount, history[-p.window_f :], p) + k2), p)


def buyer_update(user: User, amount: int, seller_growth_: Fraction, honest: bool, p: Params) -> Fraction:
    """Eq 6 (corrected) exactly: the buyer's reputation after the trade."""
    r = Fraction(user.buyer_reputation, p.wad)
    t1, t2 = Fraction(p.t1, p.wad), Fraction(p.t2, p.wad)
    big_l = Fraction(p.profit_coefficient, p.wad)
    if honest:
        return _bounded(r * (big_l * seller_growth_ + t1) / t2, p)
    loss = big_l * amount
    previous = sum(user.history[-(p.window_p - 1) :]) if p.window_p > 1 else 0
    c = penalty_coefficient(user.buyer_frauds + 1, p.max_fraud_exponent)
    return _bounded(r * t1 / (c * loss / (previous + loss) + t2), p)
