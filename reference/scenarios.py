"""Reputation scenarios of the paper's section 4.2 (Fig. 7), on the model's own update rules (SIM-1)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from reference.params import Params
from reference.reputation import User, new_user, record_buyer_trade, record_seller_trade, seller_growth


@dataclass(frozen=True)
class Step:
    """One trade of a scenario and the reputation after it."""

    trade: int
    """1-based trade number."""
    honest: bool
    amount: int
    reputation: int
    """Fixed point, after the trade."""
    frauds: int
    """Frauds so far."""
    user: User
    """The whole record after the trade."""
    time: int = 0
    """When the trade happened: a day after the previous one, or when the trader's ban ended (REP-9)."""
    ban_days: int = 0
    """Days the trade's fraud banned the trader for (0 after an honest trade)."""


def fig7_threshold(p: Params, share: Fraction = Fraction(3, 4)) -> int:
    """The merchant's fraud threshold: the paper's 7.5 when reputation has no cap, else ``share`` of the cap
    (with the cap at 1.0, 7.5 would never be reached)."""
    return 7_500_000_000_000_000_000 if not p.max_reputation else int(share * p.max_reputation)


def malicious_trader(
    p: Params,
    trades: int,
    seller: bool = True,
    threshold: int | None = None,
    honest_amount: int = 10,
    fraud_amount: int = 20,
) -> list[Step]:
    """The paper's malicious merchant: an honest trade of 10 while reputation < 7.5 (:func:`fig7_threshold`),
    else a fraud of 20.

    One trade a day; after a fraud the trader waits until their ban ends (REP-9), so time jumps.

    ``seller=False`` runs the same strategy as a buyer (honest payments, then a default), with the
    counterparty's s(z) computed on the same trade history.
    """
    threshold = fig7_threshold(p) if threshold is None else threshold
    user, steps, now = new_user(p), [], 0
    for trade in range(1, trades + 1):
        now = max(now + p.day, user.banned_until)  # a banned trader waits for the ban to end (REP-9)
        honest = _reputation(user, seller) < threshold
        amount = honest_amount if honest else fraud_amount
        user = _trade(user, amount, honest, seller, now, p)
        frauds = user.seller_frauds if seller else user.buyer_frauds
        ban = 0 if honest else (user.banned_until - now) // p.day
        steps.append(Step(trade, honest, amount, _reputation(user, seller), frauds, user, now, ban))
    return steps


def _reputation(user: User, seller: bool) -> int:
    return user.seller_reputation if seller else user.buyer_reputation


def _trade(user: User, amount: int, honest: bool, seller: bool, now: int, p: Params) -> User:
    if seller:
        return record_seller_trade(user, amount, honest, now, p)
    return record_buyer_trade(user, amount, seller_growth(user, amount, p), honest, now, p)


def restore_counts(steps: list[Step], p: Params, seller: bool = True, honest_amount: int = 10) -> list[int]:
    """For each fraud: the honest trades of ``honest_amount`` that bring reputation back to its level
    just before that fraud ("more honest transactions to restore the reputation value", section 4.2)."""
    counts = []
    for before, after in zip(steps, steps[1:], strict=False):
        if after.honest:
            continue
        user, count = after.user, 0
        while _reputation(user, seller) < before.reputation:
            user = _trade(user, honest_amount, True, seller, 0, p)
            count += 1
        counts.append(count)
    return counts


def drops(steps: list[Step]) -> list[float]:
    """For each fraud, reputation after it divided by reputation before it (smaller is steeper)."""
    out = []
    for before, after in zip(steps, steps[1:], strict=False):
        if not after.honest:
            out.append(after.reputation / before.reputation)
    return out
