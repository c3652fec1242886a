"""Reputation: the paper's eqs 1-7 as resolved in ``spec/reputation.md`` (REP-1..REP-9).

Reputation is fixed point scaled by ``Params.wad``. Every division rounds down except the ban
length, which rounds up. The functions on plain integers are the ones CrossHair and Z3 check; the
``record_*`` functions apply them to a :class:`User`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from reference.fixedpoint import add, ceil_div, clamp, mul, mul_div
from reference.params import Params


@dataclass(frozen=True)
class User:
    """What the registry keeps of one account (the paper's ``Person``, Table 1)."""

    seller_reputation: int
    """R^s: reputation as a seller, fixed point."""
    buyer_reputation: int
    """R^b: reputation as a buyer, fixed point."""
    seller_frauds: int = 0
    """n of c(n) for the seller side: frauds committed as a seller."""
    buyer_frauds: int = 0
    """n of c(n) for the buyer side: defaults committed as a buyer."""
    banned_until: int = 0
    """PDate: the timestamp before which the user may neither post nor bid."""
    history: tuple[int, ...] = ()
    """Amounts of the most recent trades, oldest first (HTransaction)."""


def new_user(p: Params) -> User:
    """A freshly registered user (REP-1)."""
    return User(seller_reputation=p.initial_reputation, buyer_reputation=p.initial_reputation)


# -- the formulas on integers -------------------------------------------------------


def share_plus_z0(amount: int, window_total: int, z0: int, wad: int) -> int:
    """Eqs 1 and 2: ``z / Σ|z_i| + z0`` in fixed point, the window including ``z`` (REP-2, REP-3).

    pre: 0 < amount <= window_total < 2**128 and 0 <= z0 < 2**128 and 0 < wad < 2**64
    post: z0 <= __return__ <= z0 + wad
    post: amount * wad < window_total or __return__ > z0
    """
    return add(mul_div(amount, wad, window_total), z0)


def penalty_coefficient(frauds: int, max_exponent: int) -> int:
    """c(n) = 2**(n-1) for the n-th fraud, the exponent capped (REP-4).

    At least 1, doubling with each fraud up to the cap: ``tests/reference/test_crosshair.py`` checks it
    for every fraud count that matters (CrossHair cannot exhaust a power with a symbolic exponent).
    """
    return 2 ** (min(max(frauds, 1), max_exponent + 1) - 1)


def buyer_penalty(amount: int, previous_total: int, profit_coefficient: int, wad: int) -> int:
    """Eq 4: ``L·z / (Σ_{k-1}|z_i| + L·z)`` in fixed point, as ``(L·z)·wad / (Σ·wad + L·z)`` (REP-5).

    ``L·z`` stays unrounded (``L`` is fixed point) and the one division rounds **up**: a default
    always costs at least one unit, however small it is against the history (ERR-17).

    pre: 0 < amount < 2**128 and 0 <= previous_total < 2**128 and 0 < profit_coefficient < wad < 2**64
    post: 1 <= __return__ <= wad
    post: previous_total > 0 or __return__ == wad
    """
    loss = mul(profit_coefficient, amount)
    return ceil_div(mul(loss, wad), add(mul(previous_total, wad), loss))


def buyer_growth(seller_growth: int, profit_coefficient: int, wad: int) -> int:
    """Eq 5: ``q(z) = L·s(z)`` in fixed point (REP-6).

    pre: 0 <= seller_growth < 2**128 and 0 < profit_coefficient < wad < 2**64
    post: __return__ <= seller_growth
    """
    return mul_div(profit_coefficient, seller_growth, wad)


def reputation_step(reputation: int, growth: int, penalty: int, coefficient: int, c1: int, c2: int) -> int:
    """Eqs 3 and 6: ``R · (growth + c1) / (c(n)·penalty + c2)``, rounded down (REP-7).

    That growth never lowers and a penalty lowers reputation is proved by Z3 (``prove-honest-*``,
    ``prove-fraud-*``) for every admissible input: CrossHair cannot exhaust this nonlinear product.
    """
    return mul_div(reputation, add(growth, c1), add(mul(coefficient, penalty), c2))


def ban_days(coefficient: int, reputation: int, wad: int, max_days: int) -> int:
    """Eq 7: ``d = c(n) / R`` days, rounded up and capped (REP-8).

    pre: 1 <= coefficient < 2**64 and 0 < reputation < 2**128 and 0 < wad < 2**64 and 0 <= max_days < 2**32
    post: __return__ >= 1
    post: max_days == 0 or __return__ <= max_days
    """
    days = ceil_div(mul(coefficient, wad), reputation)
    return min(days, max_days) if max_days else days


def order_limit(seller_reputation: int, per_reputation: int, wad: int) -> int:
    """ECO-1: the largest quantity (Wh) a seller of reputation R^s may offer, ``per_reputation·R^s``,
    rounded up so that every seller may offer at least 1 Wh and so rebuild reputation; 0 means no limit.

    pre: 0 < seller_reputation < 2**128 and 0 <= per_reputation < 2**64 and 0 < wad < 2**64
    post: per_reputation == 0 or __return__ >= 1
    """
    return ceil_div(mul(per_reputation, seller_reputation), wad)


# -- applied to users ------------------------------------------------------------------


def _window(history: tuple[int, ...], size: int) -> int:
    return sum(history[-size:]) if size > 0 else 0


def _appended(history: tuple[int, ...], amount: int, p: Params) -> tuple[int, ...]:
    return (history + (amount,))[-p.history_size :]


def _bounded(reputation: int, p: Params) -> int:
    return clamp(reputation, p.min_reputation, p.max_reputation)


def seller_growth(user: User, amount: int, p: Params) -> int:
    """s(z) of eq 1 for this user's trade of ``amount`` (REP-2)."""
    return share_plus_z0(amount, _window(_appended(user.history, amount, p), p.window_s), p.z0, p.wad)


def record_seller_trade(user: User, amount: int, honest: bool, now: int, p: Params) -> User:
    """Eq 3 after a sale of ``amount``: s(z) on success, c(n)·f(z) on fraud, and eq 7's ban (REP-7, REP-8).

    On success f(z) = 0; on fraud s(z) = 0 (ERR-3).
    """
    history = _appended(user.history, amount, p)
    frauds = user.seller_frauds + (0 if honest else 1)
    coefficient = penalty_coefficient(frauds, p.max_fraud_exponent)
    if honest:
        growth, penalty = seller_growth(user, amount, p), 0
    else:
        growth, penalty = 0, share_plus_z0(amount, _window(history, p.window_f), p.z0, p.wad)
    reputation = _bounded(reputation_step(user.seller_reputation, growth, penalty, coefficient, p.k1, p.k2), p)
    updated = replace(user, seller_reputation=reputation, seller_frauds=frauds, history=history)
    return updated if honest else _banned(updated, coefficient, reputation, now, p)


def record_buyer_trade(user: User, amount: int, seller_growth_: int, honest: bool, now: int, p: Params) -> User:
    """Eq 6 after a purchase of ``amount``: q(z) = L·s(z) on success, c(n)·p(z) on default (REP-6, REP-7).

    On success p(z) = 0; on default q(z) = 0. With ``eq6_corrected`` the growth stands in the
    numerator and the penalty in the denominator (ERR-2); otherwise eq 6 as printed.
    """
    frauds = user.buyer_frauds + (0 if honest else 1)
    coefficient = penalty_coefficient(frauds, p.max_fraud_exponent)
    if honest:
        growth = buyer_growth(seller_growth_, p.profit_coefficient, p.wad)
        penalty = 0
    else:
        growth = 0
        penalty = buyer_penalty(amount, _window(user.history, p.window_p - 1), p.profit_coefficient, p.wad)
    if not p.eq6_corrected:
        growth, penalty = penalty, growth
    reputation = _bounded(reputation_step(user.buyer_reputation, growth, penalty, coefficient, p.t1, p.t2), p)
    updated = replace(
        user, buyer_reputation=reputation, buyer_frauds=frauds, history=_appended(user.history, amount, p)
    )
    return updated if honest else _banned(updated, coefficient, reputation, now, p)


def _banned(user: User, coefficient: int, reputation: int, now: int, p: Params) -> User:
    """Eq 7's ban from ``now``; a ban only ever grows (REP-8)."""
    until = add(now, mul(ban_days(coefficient, reputation, p.wad, p.max_ban_days), p.day))
    return replace(user, banned_until=max(user.banned_until, until))


def is_banned(user: User, now: int) -> bool:
    """A user is banned while ``now`` is before their ban date (REP-9)."""
    return now < user.banned_until
