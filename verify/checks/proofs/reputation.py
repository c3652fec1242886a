"""Reputation, ban and fixed-point obligations (REP, FXP), over the whole admissible input ranges.

Amounts are below 2**128 (AUC-1), window totals are sums of at most ``history_size`` amounts, and
reputation lies in the band the parameters allow (none, for the paper-literal set).
"""

from __future__ import annotations

import z3

from reference.params import Params
from verify.checks.proofs.base import ProofCheck
from verify.findings import Impact

AMOUNT_LIMIT = 2**128
UINT256 = 2**256


class _Inputs:
    """The inputs a claim ranges over, each taken with its admissible range: ``ranges``, in the order
    taken, is the premise every claim here starts from."""

    def __init__(self, p: Params, e) -> None:
        self.p, self.e = p, e
        self.ranges: list[z3.BoolRef] = []

    def reputation(self, name: str = "R") -> z3.ArithRef:
        r = z3.Int(name)
        self.ranges.append(z3.And(r >= self.p.min_reputation, r <= (self.p.max_reputation or UINT256 - 1)))
        return r

    def amount_and_window(self) -> tuple[z3.ArithRef, z3.ArithRef]:
        """A trade amount z and a window total that includes it."""
        z, total = z3.Int("z"), z3.Int("window_total")
        self.ranges.append(z3.And(z >= 1, z < AMOUNT_LIMIT, total >= z, total < self.p.history_size * AMOUNT_LIMIT))
        return z, total

    def previous_total(self) -> z3.ArithRef:
        prev = z3.Int("previous_total")
        self.ranges.append(z3.And(prev >= 0, prev < self.p.history_size * AMOUNT_LIMIT))
        return prev

    def coefficient(self, name: str = "c_n") -> z3.ArithRef:
        c = z3.Int(name)
        self.ranges.append(z3.And(c >= 1, c <= self.e.max_coefficient(self.p.max_fraud_exponent)))
        return c


class ReputationProof(ProofCheck):
    """A reputation moving the wrong way is of medium impact (a revert or a ban cut short: high, the default)."""

    ABSTRACT = True
    IMPACT = Impact.MEDIUM


class HonestTradeRaisesSeller(ReputationProof):
    ID = "prove-honest-seller-raises"
    REFUTED_BY = "z0-omitted"
    CLAUSES = ("REP-7", "REP-2", "REP-1")
    PAPER_DEFECT = "ERR-1"
    STATEMENT = "An honest sale strictly raises the seller's reputation (below the cap) and never lowers it."

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r, (z, total) = x.reputation(), x.amount_and_window()
        growth = e.share_plus_z0(z, total, p.z0, p.wad)
        after = e.seller_update(r, growth, 0, 1, p)
        below_cap = r < p.max_reputation if p.max_reputation else z3.BoolVal(True)
        return z3.Implies(z3.And(*x.ranges), z3.And(after >= r, z3.Implies(below_cap, after > r)))


class FraudLowersSeller(ReputationProof):
    ID = "prove-fraud-lowers-seller"
    REFUTED_BY = "z0-omitted"
    CLAUSES = ("REP-7", "REP-3", "REP-4")
    STATEMENT = "A seller's fraud strictly lowers their reputation (above the floor), for every amount and count."

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r, (z, total), c = x.reputation(), x.amount_and_window(), x.coefficient()
        penalty = e.share_plus_z0(z, total, p.z0, p.wad)
        after = e.seller_update(r, 0, penalty, c, p)
        return z3.Implies(z3.And(*x.ranges, r > p.min_reputation), after < r)


class HonestTradeKeepsBuyer(ReputationProof):
    ID = "prove-honest-buyer-never-lowers"
    REFUTED_BY = "eq6-as-printed"
    CLAUSES = ("REP-7", "REP-6")
    PAPER_DEFECT = "ERR-2"
    STATEMENT = "An honest payment never lowers the buyer's reputation."

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r, (z, total), c = x.reputation(), x.amount_and_window(), x.coefficient()
        growth = e.buyer_growth(e.share_plus_z0(z, total, p.z0, p.wad), p.profit_coefficient, p.wad)
        return z3.Implies(z3.And(*x.ranges), e.buyer_update(r, growth, 0, c, p) >= r)


class FraudLowersBuyer(ReputationProof):
    ID = "prove-fraud-lowers-buyer"
    REFUTED_BY = "penalty-rounded-down"
    CLAUSES = ("REP-7", "REP-5")
    PAPER_DEFECT = "ERR-2"
    STATEMENT = "A buyer's default strictly lowers their reputation (above the floor), however small the amount."

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r, z, prev, c = x.reputation(), z3.Int("z"), x.previous_total(), x.coefficient()
        penalty = e.buyer_penalty(z, prev, p.profit_coefficient, p.wad)
        facts = z3.And(*x.ranges, z >= p.min_price, z < AMOUNT_LIMIT, r > p.min_reputation)
        return z3.Implies(facts, e.buyer_update(r, 0, penalty, c, p) < r)


class Escalation(ReputationProof):
    ID = "prove-escalation"
    REFUTED_BY = "no-escalation"
    CLAUSES = ("REP-4", "REP-7")
    STATEMENT = (
        "For equal penalties, each fraud lowers reputation by a strictly larger factor than the one before "
        "while c(n) is below its cap, on both sides (exact rationals)."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        c = x.coefficient()
        penalty = z3.Real("penalty")  # f(z) or p(z), in units of 1.0; equal for both frauds
        claims = []
        for c1, c2 in ((p.k1, p.k2), (p.t1, p.t2)):
            k1, k2 = z3.RealVal(c1) / p.wad, z3.RealVal(c2) / p.wad

            def factor(coefficient, k1=k1, k2=k2):
                return k1 / (z3.ToReal(coefficient) * penalty + k2)

            claims.append(factor(e.next_coefficient(c, p.max_fraud_exponent)) < factor(c))
        below_cap = c < e.max_coefficient(p.max_fraud_exponent)
        return z3.Implies(z3.And(*x.ranges, below_cap, penalty > 0), z3.And(claims))


class BanGrows(ReputationProof):
    ID = "prove-ban-grows"
    REFUTED_BY = "ban-times-reputation"
    CLAUSES = ("REP-8",)
    PAPER_DEFECT = "ERR-4"
    STATEMENT = (
        "Eq 7's ban is defined (no division by zero), lasts at least a day, and never shrinks as frauds "
        "accumulate and reputation falls."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r1, r2 = x.reputation("R_before"), x.reputation("R_after")
        c1, c2 = x.coefficient("c_before"), x.coefficient("c_after")
        d1 = e.ban_days(c1, r1, p.wad, p.max_ban_days)
        d2 = e.ban_days(c2, r2, p.wad, p.max_ban_days)
        facts = z3.And(*x.ranges, c2 >= c1, r2 <= r1)
        return z3.Implies(facts, z3.And(r1 > 0, r2 > 0, d1 >= 1, d2 >= d1))


class BanLasts(ProofCheck):
    ID = "prove-ban-lasts"
    REFUTED_BY = "ban-overwritten"
    CLAUSES = ("REP-9", "REP-8")
    PAPER_DEFECT = "ERR-4"
    STATEMENT = (
        "A fraud bans its author from trading for at least one day from the fraud, and never shortens a "
        "running ban: at every moment before the old ban date or within that day, is_banned holds."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        now, until, t = z3.Ints("now banned_until later")
        x = _Inputs(p, e)
        r, c = x.reputation(), x.coefficient()
        after = e.banned_until(until, now, c, r, p)
        window = z3.Or(t < until, z3.And(now <= t, t < now + p.day))
        return z3.Implies(z3.And(*x.ranges, now >= 0, until >= 0, window), e.is_banned(after, t))


class FixedPointError(ReputationProof):
    ID = "prove-fixed-point-error"
    REFUTED_BY = "c1-omitted"
    TIMEOUT_MS = 120_000  # nonlinear real arithmetic: seconds usually, more on a loaded machine
    CLAUSES = ("FXP-4", "FXP-3")
    STATEMENT = (
        "One fixed-point update is within 1 unit + (c(n)+2)·10^-18 of the exact rational update of the "
        "same state, given rounded-down growth and penalty (each less than one unit off)."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r, c = x.reputation(), x.coefficient()
        g, pen = z3.Ints("growth_fixed penalty_fixed")  # rounded terms, in units
        g_exact, pen_exact = z3.Reals("growth_exact penalty_exact")
        rounding = z3.And(g >= 0, pen >= 0, g <= g_exact, g_exact < g + 1, pen <= pen_exact, pen_exact < pen + 1)
        fixed = e.reputation_step(r, g, pen, c, p.k1, p.k2)
        exact = z3.ToReal(r) * (g_exact + p.k1) / (z3.ToReal(c) * pen_exact + p.k2)
        bound = 1 + exact * (z3.ToReal(c) + 2) / p.wad
        return z3.Implies(
            z3.And(*x.ranges, rounding),
            z3.And(z3.ToReal(fixed) - exact <= bound, exact - z3.ToReal(fixed) <= bound),
        )


class NoOverflow(ProofCheck):
    ID = "prove-no-overflow"
    REFUTED_BY = "coefficient-uncapped"
    CLAUSES = ("FXP-1", "REP-7")
    PAPER_DEFECT = "ERR-5"
    STATEMENT = "No intermediate product of eqs 1-7 reaches 2^256 for any admissible input: nothing can revert."

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = _Inputs(p, e)
        r, (z, _), prev, c = x.reputation(), x.amount_and_window(), x.previous_total(), x.coefficient()
        growth = z3.Int("growth")
        growth_ok = z3.And(growth >= 0, growth <= p.z0 + p.wad)  # s(z), f(z), q(z) and p(z) stay under this
        products = [
            r * (growth + max(p.k1, p.t1)),  # eqs 3, 6 numerator
            c * growth + max(p.k2, p.t2),  # eqs 3, 6 denominator
            z * p.wad,  # eqs 1, 2
            p.profit_coefficient * z * p.wad,  # eq 4 numerator
            prev * p.wad + p.profit_coefficient * z,  # eq 4 denominator
            c * p.wad,  # eq 7
        ]
        facts = z3.And(*x.ranges, growth_ok)
        return z3.Implies(facts, z3.And([x < UINT256 for x in products]))
