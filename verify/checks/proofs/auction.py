"""Auction obligations, for any number of bidders.

Each unbounded obligation is an induction over ``open_one`` — the incremental top-two update that the
model and the contract apply to one bid — stated as one formula: the invariant holds for the empty
auction (base) and is preserved by opening one more bid from any state satisfying it (step). Since
every opening sequence is a chain of such steps, the invariant holds after any number of bids.
A bounded check of the full sequential auction (``BOUND`` bids) cross-checks truthfulness.
"""

from __future__ import annotations

import z3

from reference.params import Params
from verify.checks.proofs.base import ProofCheck
from verify.findings import Impact

BOUND = 4
"""Bids in the bounded cross-check."""


class _Opening:
    """One bid opened on a running top two: the bid's ``quote`` and whether it is ``valid``, the order's
    ``start`` price and what validity implies (``facts``, AUC-5), the state ``h``, ``s``, ``leading`` and
    that it is ``reachable`` (:func:`_state`)."""

    def __init__(self, p: Params) -> None:
        quote, valid, start = z3.Int("quote"), z3.Bool("valid"), z3.Int("start_price")
        self.quote, self.valid, self.start = quote, valid, start
        self.facts = z3.And(start >= p.min_price, z3.Implies(valid, z3.And(quote >= start, quote <= p.max_quote)))
        self.h, self.s, self.leading, self.reachable = _state(start)

    def open(self, e) -> tuple:
        """``open_one`` of this bid on this state: ``(highest, second, takes the lead, refunds)``."""
        return e.open_one(self.h, self.s, self.leading, self.quote, self.valid)


def _state(start: z3.ArithRef, name: str = "") -> tuple[z3.ArithRef, z3.ArithRef, z3.BoolRef, z3.BoolRef]:
    """A running top two and the facts every reachable one satisfies: 0 <= second <= highest,
    a leader exactly when highest > 0, and then highest >= start price."""
    h, s, leading = z3.Int(f"highest{name}"), z3.Int(f"second{name}"), z3.Bool(f"leading{name}")
    return h, s, leading, _reachable(h, s, leading, start)


def _reachable(h, s, leading, start) -> z3.BoolRef:
    return z3.And(s >= 0, s <= h, leading == (h > 0), z3.Implies(leading, h >= start))


class WinnerHighest(ProofCheck):
    ID = "prove-winner-highest"
    REFUTED_BY = "lead-against-second"
    CLAUSES = ("AUC-6",)
    STATEMENT = "The leader's quote is at least every valid quote opened so far, for any number of bids."

    def claim(self, p: Params, e) -> z3.BoolRef:
        o = _Opening(p)
        earlier = z3.Int("earlier_valid_quote")  # any valid quote opened before
        h2, s2, takes, _ = o.open(e)
        base = _reachable(0, 0, z3.BoolVal(False), o.start)
        step = z3.Implies(
            z3.And(o.facts, o.reachable, earlier <= o.h),
            z3.And(
                earlier <= h2,
                z3.Implies(o.valid, o.quote <= h2),
                _reachable(h2, s2, z3.Or(o.leading, takes), o.start),
            ),
        )
        return z3.And(base, step)


class SecondPrice(ProofCheck):
    ID = "prove-second-price"
    REFUTED_BY = "displaced-leader-dropped"
    CLAUSES = ("AUC-7", "AUC-6")
    STATEMENT = (
        "The tracked second is the highest valid quote other than the leader's (0 if none), so the price "
        "max(second, start price) is the second-price rule, for any number of bids."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        o = _Opening(p)
        other = z3.Int("earlier_non_leading_quote")  # any valid non-leading quote opened before
        witness = z3.Bool("second_is_an_opened_quote")  # s == 0 or s is a non-leading opened quote
        _, s2, takes, _ = o.open(e)
        displaced = z3.And(takes, o.leading)  # the old leader becomes a non-leading quote
        joined = z3.And(o.valid, z3.Not(takes))  # this bid is a non-leading quote
        invariant = z3.And(other <= o.s, z3.Or(o.s == 0, witness))
        preserved = z3.And(
            other <= s2,
            z3.Implies(displaced, o.h <= s2),
            z3.Implies(joined, o.quote <= s2),
            z3.Or(s2 == 0, z3.And(witness, s2 == o.s), z3.And(displaced, s2 == o.h), z3.And(joined, s2 == o.quote)),
        )
        return z3.Implies(z3.And(o.facts, o.reachable, invariant), preserved)


class IndividualRationality(ProofCheck):
    ID = "prove-individual-rationality"
    REFUTED_BY = "reserve-ignored"
    CLAUSES = ("AUC-7",)
    STATEMENT = "The winner never pays more than their own quote, nor less than the start price."

    def claim(self, p: Params, e) -> z3.BoolRef:
        o = _Opening(p)
        price = e.auction_price(o.h, o.s, o.start)
        return z3.Implies(z3.And(o.facts, o.reachable, o.leading), z3.And(price <= o.h, price >= o.start))


class PriceIndependentOfWinnersBid(ProofCheck):
    ID = "prove-price-independent"
    REFUTED_BY = "first-price"
    CLAUSES = ("AUC-7",)
    STATEMENT = (
        "The price does not depend on the winner's own quote: two runs differing only in that quote, "
        "in which that bid ends in the lead, have the same second and the same price (relational induction "
        "over open_one)."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        o = _Opening(p)
        a, b = z3.Int("winners_quote_a"), z3.Int("winners_quote_b")
        ha, sa, lead_a, reach_a = _state(o.start, "_a")
        hb, sb, lead_b, reach_b = _state(o.start, "_b")
        valid_quotes = z3.And(a >= o.start, a <= p.max_quote, b >= o.start, b <= p.max_quote)
        # before the winner's bid both runs open the same bids from the same state: open_one is a
        # function, so they stay identical.
        # 1. the winner's bid takes the lead in both runs from the same state: the seconds agree
        _, sa2, ta, _ = e.open_one(o.h, o.s, o.leading, a, True)
        _, sb2, tb, _ = e.open_one(o.h, o.s, o.leading, b, True)
        at_winner = z3.Implies(z3.And(o.facts, o.reachable, valid_quotes, ta, tb), sa2 == sb2)
        # 2. after it, a bid that leaves the winner in the lead in both runs keeps the seconds equal
        after = z3.And(o.facts, reach_a, reach_b, ha == a, hb == b, sa == sb, lead_a, lead_b, valid_quotes)
        ha3, sa3, ta3, _ = e.open_one(ha, sa, lead_a, o.quote, o.valid)
        hb3, sb3, tb3, _ = e.open_one(hb, sb, lead_b, o.quote, o.valid)
        keeps = z3.Implies(z3.And(after, z3.Not(ta3), z3.Not(tb3)), z3.And(sa3 == sb3, ha3 == a, hb3 == b))
        # 3. so at settlement both runs charge the same price
        same_price = z3.Implies(after, e.auction_price(a, sa, o.start) == e.auction_price(b, sb, o.start))
        return z3.And(at_winner, keeps, same_price)


class TieBreakDeterministic(ProofCheck):
    ID = "prove-tie-break"
    REFUTED_BY = "later-wins-tie"
    CLAUSES = ("AUC-6",)
    IMPACT = Impact.MEDIUM
    STATEMENT = (
        "Among equal highest quotes the earliest bid leads, whatever the batches: bids open newest first "
        "and a quote >= the highest takes the lead (induction over open_one with bid indices)."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        o = _Opening(p)
        leader, index = z3.Int("leader_index"), z3.Int("new_bid_index")
        other, other_quote = z3.Int("opened_valid_bid_index"), z3.Int("opened_valid_bid_quote")
        h2, _, takes, _ = o.open(e)
        leader2 = z3.If(takes, index, leader)
        invariant = z3.And(other_quote <= o.h, z3.Implies(other_quote == o.h, leader <= other))
        older = z3.And(index < other, index < leader)  # opening goes from the newest bid to the oldest
        preserved = z3.And(
            z3.Implies(other_quote == h2, leader2 <= other),
            z3.Implies(z3.And(o.valid, o.quote == h2), leader2 <= index),
        )
        return z3.Implies(z3.And(o.facts, o.reachable, o.leading, invariant, older), preserved)


class TruthfulBidding(ProofCheck):
    ID = "prove-truthful-bidding"
    REFUTED_BY = "first-price"
    CLAUSES = ("AUC-7",)
    STATEMENT = (
        "Bidding one's true value is weakly dominant: for any value, any other bids and any deviation, the "
        "truthful bid's utility is at least the deviation's (reduced form, any number of bidders; and the "
        f"full sequential auction with {BOUND} bids as a cross-check)."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        return z3.And(self._reduced(p, e), self._bounded(p, e))

    @staticmethod
    def _utility(win: z3.BoolRef, value: z3.ArithRef, price: z3.ArithRef) -> z3.ArithRef:
        return z3.If(win, value - price, 0)

    def _reduced(self, p: Params, e) -> z3.BoolRef:
        """By WinnerHighest/SecondPrice/TieBreak: a bid b wins iff b > B, or b == B and it is the earliest
        of the ties, where B is the highest other valid quote; the winner pays the price of a top two
        (b, B)."""
        value, deviation, best_other = z3.Ints("value deviation best_other_quote")
        start, earliest = z3.Int("start_price"), z3.Bool("earliest_among_ties")

        def outcome(bid):
            valid = z3.And(bid >= start, bid <= p.max_quote)
            win = z3.And(valid, z3.Or(bid > best_other, z3.And(bid == best_other, earliest)))
            return self._utility(win, value, e.auction_price(bid, best_other, start))

        facts = z3.And(start >= p.min_price, best_other >= 0, value >= 0, value <= p.max_quote)
        truthful = z3.If(value >= start, outcome(value), 0)  # under the start price: stay out
        return z3.Implies(facts, truthful >= outcome(deviation))

    def _bounded(self, p: Params, e) -> z3.BoolRef:
        start = z3.Int("start_price")
        quotes = [z3.Int(f"quote_{i}") for i in range(BOUND)]
        value, deviation = z3.Ints("bidder_value bidder_deviation")
        claims = []
        for me in range(BOUND):

            def utility(my_bid, me=me):
                h, s, leading, leader = z3.IntVal(0), z3.IntVal(0), z3.BoolVal(False), z3.IntVal(-1)
                for i in reversed(range(BOUND)):  # newest first
                    q = my_bid if i == me else quotes[i]
                    valid = z3.And(q >= start, q <= p.max_quote)
                    h, s, takes, _ = e.open_one(h, s, leading, q, valid)
                    leading, leader = z3.Or(leading, takes), z3.If(takes, i, leader)
                return self._utility(leader == me, value, e.auction_price(h, s, start))

            truthful = z3.If(value >= start, utility(value), 0)
            claims.append(truthful >= utility(deviation))
        facts = z3.And(start >= p.min_price, value >= 0, value <= p.max_quote, *[q >= 0 for q in quotes])
        return z3.Implies(facts, z3.And(claims))
