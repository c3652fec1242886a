"""The paper's claims about reputation and bans over sequences of trades, evaluated on the model (CLM-3..CLM-5).

Each function returns a :class:`Verdict`: whether the claim holds for a parameter set, how that was
established and within which bounds, and a counterexample when it fails. The claims about one update
(CLM-1, CLM-2) are proved by Z3 over the model's encoding in ``verify/checks/claims.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import product

from reference.params import Params
from reference.reputation import new_user, order_limit, record_buyer_trade, record_seller_trade, seller_growth
from reference.scenarios import Step, drops, fig7_threshold, malicious_trader, restore_counts

NEW_SELLER_SHARE = 10
"""CLM-4: a new seller may offer at most 1/10 of the largest order."""
NEW_SELLER_SALES = 5
"""CLM-4: and needs at least this many honest sales to be allowed the largest order, whatever the amounts."""
HORIZON = 200
"""CLM-3: trades per Fig. 7 run."""
HONEST_AMOUNTS = (5, 10, 20)
FRAUD_AMOUNTS = (10, 20, 40)
THRESHOLDS = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))
"""CLM-3: the merchants checked: honest trades of a, frauds of b, fraud once R reaches this share of the cap."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim on one parameter set."""

    holds: bool
    method: str
    """How it was established, with the bounds: a finding within them is a proof within them."""
    evidence: str
    """The counterexample when it fails; the figures that show it holds otherwise."""


def escalation(steps: list[Step], p: Params, seller: bool = True) -> tuple[list[float], list[int]]:
    """The drop factor of each fraud and the honest trades that restore the level before it."""
    return drops(steps), restore_counts(steps, p, seller)


def first_failure(factors: list[float], counts: list[int]) -> int | None:
    """The 1-based fraud at which escalation first fails, if any: each drop is strictly steeper than the
    one before, restoring never takes fewer honest trades than the time before and always more than two
    frauds before (counts are whole trades: one more fraud may fall within the rounding)."""
    for n in range(1, min(len(factors), len(counts))):
        more = counts[n] >= counts[n - 1] and (n < 2 or counts[n] > counts[n - 2])
        if not (factors[n] < factors[n - 1] and more):
            return n + 1
    return None


def ban_failure(steps: list[Step], p: Params) -> int | None:
    """The 1-based fraud whose ban is shorter than min(2^(n-1), max_ban_days) days (CLM-2), if any."""
    bans = [s.ban_days for s in steps if not s.honest]
    for n, days in enumerate(bans, start=1):
        floor = 2 ** (min(n, p.max_fraud_exponent + 1) - 1)
        if days < (min(floor, p.max_ban_days) if p.max_ban_days else floor):
            return n
    return None


def restore_claim(p: Params) -> Verdict:
    """CLM-3: each repeated fraud of equal amount drops reputation more steeply and needs more honest
    trades to restore — for every merchant of the stated family, over the whole horizon."""
    method = (
        f"exhaustive over {len(HONEST_AMOUNTS) * len(FRAUD_AMOUNTS) * len(THRESHOLDS)} Fig. 7 merchants "
        f"(honest {HONEST_AMOUNTS} x fraud {FRAUD_AMOUNTS} x threshold {[str(t) for t in THRESHOLDS]} of the cap), "
        f"{HORIZON} trades each, while c(n) is below its cap"
    )
    frauds_seen = []
    for a, b, share in product(HONEST_AMOUNTS, FRAUD_AMOUNTS, THRESHOLDS):
        steps = malicious_trader(p, HORIZON, True, fig7_threshold(p, share), a, b)
        factors, counts = escalation(steps, p)
        n_cap = p.max_fraud_exponent + 1
        factors, counts = factors[:n_cap], counts[:n_cap]
        where = f"honest {a}, fraud {b}, threshold {share} of the cap"
        if len(factors) < 2:
            return Verdict(
                False,
                method,
                f"{where}: {len(factors)} fraud(s) in {HORIZON} trades: reputation "
                f"{steps[-1].reputation / p.wad:.6g} never reaches the threshold twice",
            )
        failed = first_failure(factors, counts)
        if failed is not None:
            return Verdict(
                False,
                method,
                f"{where}: fraud {failed} drops by x{factors[failed - 1]:.6g} after "
                f"x{factors[failed - 2]:.6g}; restore {counts[failed - 2]} -> {counts[failed - 1]} honest trades",
            )
        frauds_seen.append(len(factors))
    return Verdict(True, method, f"{min(frauds_seen)}..{max(frauds_seen)} frauds per merchant, every one escalating")


def max_honest_factor(p: Params) -> Fraction:
    """The most one honest sale can multiply R^s by: s(z) <= 1 + z0 (REP-2), so (1 + z0 + k1)/k2."""
    return Fraction(p.wad + p.z0 + p.k1, p.k2)


def sales_to_largest_order(p: Params) -> int | None:
    """A lower bound on the honest sales a new seller needs to reach the cap (None: never).

    R_n <= R_0·g^n by induction, g = :func:`max_honest_factor` (rounding only lowers it); the bound is
    the smallest n with R_0·g^n >= cap, computed in exact rationals.
    """
    g, reputation, n = max_honest_factor(p), Fraction(p.initial_reputation), 0
    if reputation == 0 or g <= 1 or not p.max_reputation:
        return None
    while reputation < p.max_reputation:
        reputation, n = reputation * g, n + 1
    return n


def new_seller_claim(p: Params) -> Verdict:
    """CLM-4: new or low-credit sellers may not post large orders: the limit grows with R^s, a new seller
    may offer at most 1/NEW_SELLER_SHARE of the largest order and needs NEW_SELLER_SALES honest sales to reach it."""
    method = "exact bound for every sequence of amounts: R_n <= R_0·((1 + z0 + k1)/k2)^n (REP-2, REP-7)"
    if not p.order_quantity_per_reputation:
        return Verdict(False, method, "no order limit: a new seller may offer 2^128 - 1 Wh")
    needed = sales_to_largest_order(p)
    if needed is None:
        return Verdict(
            False,
            method,
            f"reputation {p.initial_reputation / p.wad:.6g} never reaches a cap: the largest order is never allowed",
        )
    per, wad = p.order_quantity_per_reputation, p.wad
    first, largest = order_limit(p.initial_reputation, per, wad), order_limit(p.max_reputation, per, wad)
    figures = f"new seller {first} Wh, largest {largest} Wh, at least {needed} honest sales to reach it"
    if first * NEW_SELLER_SHARE > largest or needed < NEW_SELLER_SALES:
        return Verdict(False, method, f"{figures} ({honest_sales_of_ten(p)} sales of 10 do)")
    return Verdict(True, method, f"{figures}; sales of 10 take {honest_sales_of_ten(p)}")


def honest_sales_of_ten(p: Params, limit: int = 1000) -> int:
    """Honest sales of 10 a new seller makes before reaching the cap (the concrete witness)."""
    user = new_user(p)
    for n in range(1, limit + 1):
        user = record_seller_trade(user, 10, True, 0, p)
        if user.seller_reputation >= p.max_reputation:
            return n
    return limit


def creditworthiness_claim(p: Params) -> Verdict:
    """CLM-5: the buyer's growth q(z) depends on the seller's creditworthiness R^s (eq 5's sentence)."""
    method = "one witness suffices to refute: two sellers equal but for R^s, the same buyer and trade"
    buyer = new_user(p)
    low = replace(new_user(p), seller_reputation=max(p.min_reputation, 1), history=(10, 10, 10))
    high = replace(low, seller_reputation=p.max_reputation or 10**6 * p.wad)
    after = [record_buyer_trade(buyer, 10, seller_growth(s, 10, p), True, 0, p).buyer_reputation for s in (low, high)]
    if after[0] == after[1]:
        return Verdict(
            False,
            method,
            f"R^s = {low.seller_reputation / p.wad:.6g} and "
            f"{high.seller_reputation / p.wad:.6g} give the buyer the same R^b = {after[0] / p.wad:.6g}",
        )
    return Verdict(True, method, f"buyer R^b {after[0] / p.wad:.6g} vs {after[1] / p.wad:.6g}")
