"""Known-bad variants of the reference functions: each proof obligation must refute one.

A variant replaces one encoding (a Z3 mirror of a reference function, ``encodings.py``) by the mirror
of a plausible wrong rule. An obligation proved on the real encodings and refuted on its variant
states something the reference function's rule decides; one its variant cannot refute is vacuous.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import z3

from verify.checks.proofs import encodings as enc


@dataclass(frozen=True)
class Variant:
    id: str
    description: str
    """The wrong rule, in words."""
    replaces: str
    """The encoding it replaces (named after the reference function)."""
    function: Callable[..., Any]

    def apply(self, encodings: Any) -> SimpleNamespace:
        """``encodings`` (a module or a namespace of mirrors), this variant's rule in place of ``replaces``."""
        names = {name: getattr(encodings, name) for name in dir(encodings) if not name.startswith("__")}
        return SimpleNamespace(**{**names, self.replaces: self.function})


def _open_taking(rule: Callable[..., Any]) -> Callable[..., tuple]:
    """``open_one`` with another rule for when a valid quote takes the lead."""

    def open_one(h, s, leading, q, valid):
        h, s, q = enc.as_z3(h), enc.as_z3(s), enc.as_z3(q)
        takes = z3.And(valid, rule(q, h, s))
        new_s = z3.If(takes, h, z3.If(valid, enc.maximum(s, q), s))
        return z3.If(takes, q, h), new_s, takes, z3.If(takes, z3.If(leading, 1, 0), 1)

    return open_one


def _drops_displaced(h, s, leading, q, valid):
    nh, ns, takes, refunds = enc.open_one(h, s, leading, q, valid)
    return nh, z3.If(takes, enc.as_z3(s), ns), takes, refunds


def _floor_penalty(amount, previous_total, profit_coefficient, wad):
    loss = profit_coefficient * enc.as_z3(amount)
    return enc.mul_div(loss, wad, enc.as_z3(previous_total) * wad + loss)


def _c1_omitted(reputation, growth, penalty, coefficient, c1, c2):
    return enc.div(enc.as_z3(reputation) * growth, enc.as_z3(coefficient) * penalty + c2)


def _eq6_as_printed(reputation, growth, penalty, coefficient, p):
    step = enc.reputation_step(reputation, penalty, growth, coefficient, p.t1, p.t2)
    return enc.clamp(step, p.min_reputation, p.max_reputation)


VARIANTS = {
    v.id: v
    for v in (
        Variant("first-price", "the winner pays their own quote", "auction_price", lambda h, s, start: enc.as_z3(h)),
        Variant(
            "reserve-ignored",
            "the price is the second quote, even below the start price",
            "auction_price",
            lambda h, s, start: enc.as_z3(s),
        ),
        Variant(
            "lead-against-second",
            "a quote takes the lead when it is >= the second, not the highest",
            "open_one",
            _open_taking(lambda q, h, s: q >= s),
        ),
        Variant(
            "displaced-leader-dropped",
            "a displaced leader's quote is not kept as the second",
            "open_one",
            _drops_displaced,
        ),
        Variant(
            "later-wins-tie",
            "a tie goes to the later bid (a quote must exceed the highest)",
            "open_one",
            _open_taking(lambda q, h, s: q > h),
        ),
        Variant(
            "z0-omitted",
            "eqs 1-2 without the adjustment z0: the share alone, which may round to 0",
            "share_plus_z0",
            lambda amount, total, z0, wad: enc.mul_div(amount, wad, total),
        ),
        Variant(
            "eq6-as-printed", "eq 6 as printed: the buyer's growth in the denominator", "buyer_update", _eq6_as_printed
        ),
        Variant("penalty-rounded-down", "eq 4's p(z) rounded down (ERR-17)", "buyer_penalty", _floor_penalty),
        Variant(
            "no-escalation",
            "c(n) does not double: every fraud weighs the same",
            "next_coefficient",
            lambda c, max_exponent: enc.as_z3(c),
        ),
        Variant(
            "ban-times-reputation",
            "eq 7 multiplies by R instead of dividing: a falling reputation shortens the ban, to 0 days",
            "ban_days",
            lambda c, r, wad, max_days: enc.div(enc.as_z3(c) * r, wad),
        ),
        Variant(
            "ban-overwritten",
            "a new ban replaces a longer running one",
            "banned_until",
            lambda until, now, c, r, p: enc.as_z3(now) + enc.ban_days(c, r, p.wad, p.max_ban_days) * p.day,
        ),
        Variant(
            "c1-omitted",
            "eqs 3, 6 without k1/t1 in the numerator: R·growth/(c(n)·penalty + k2)",
            "reputation_step",
            _c1_omitted,
        ),
        Variant(
            "coefficient-uncapped",
            "c(n) = 2**(n-1) without the exponent cap",
            "max_coefficient",
            lambda max_exponent: 2**256,
        ),
        Variant(
            "bft-n-equals-3f",
            "n = 3f nodes tolerate f faulty (seed 002's 33% read as f <= n/3)",
            "min_nodes",
            lambda faulty: 3 * enc.as_z3(faulty),
        ),
        Variant(
            "majority-half",
            "half of the certifiers certify (2p >= c, eq 5's tie)",
            "majority",
            lambda certifiers: (enc.as_z3(certifiers) + 1) / 2,
        ),
        Variant(
            "one-equivocator-tolerated",
            "a strict majority tolerates one certifier who votes both ways",
            "equivocation_tolerance",
            lambda certifiers: enc.maximum(1, enc.equivocation_tolerance(certifiers)),
        ),
        Variant(
            "withdraw-keeps-balance",
            "withdraw pays the pending balance without zeroing it",
            "withdraw",
            lambda owed: (enc.as_z3(owed), enc.as_z3(owed)),
        ),
    )
}
