"""Settlement obligations (SET, REP-9) on the market's accounting.

The market's money is (balance, pending total, escrow). Each transition of ``reference.market`` moves it
as ``MOVES`` says — ``tests/verify/test_proofs.py`` checks every move against the reference transition on
concrete markets — and the obligations are stated over those moves.
"""

from __future__ import annotations

import z3

from reference.params import Params
from verify.checks.proofs.base import ProofCheck
from verify.findings import Impact


def _moves(deposit, price, refunds, amount):
    """transition -> (change of balance, change of pending total, change of escrow)."""
    return {
        "place_bid": (deposit, 0, deposit),
        "open_bids": (0, refunds * deposit, -refunds * deposit),
        "settle": (0, 0, 0),
        "claim_seller_default": (0, 0, 0),
        "pay_price": (price, deposit, price - deposit),
        "claim_buyer_default": (0, deposit, -deposit),
        "confirm_delivery": (0, price, -price),
        "report_non_delivery": (0, price, -price),
        "withdraw": (-amount, -amount, 0),
    }


MOVES = _moves
"""The accounting of every transition; the one definition the proofs and their drift test share."""


class Conservation(ProofCheck):
    ID = "prove-conservation"
    CLAUSES = ("SET-6",)
    IMPACT = Impact.HIGH
    STATEMENT = (
        "Every transition keeps balance = pending + escrow with neither negative: value is conserved and the "
        "market stays solvent (induction over transitions from the empty market)."
    )

    def claim(self, p: Params) -> z3.BoolRef:
        balance, pending, escrow = z3.Ints("balance pending_total escrow")
        deposit, price, refunds, amount, escrowed_bids = z3.Ints("deposit price refunds amount escrowed_deposits")
        facts = z3.And(
            balance == pending + escrow,
            pending >= 0,
            escrow >= 0,
            deposit > 0,
            price >= 0,
            refunds >= 0,
            refunds * deposit <= escrowed_bids,
            escrowed_bids <= escrow,
            amount >= 0,
            amount <= pending,
        )
        preserved = []
        for name, (db, dp, de) in _moves(deposit, price, refunds, amount).items():
            escrow_ok = escrow + de >= 0
            if name in ("pay_price", "claim_buyer_default"):  # the winner's deposit is in escrow
                escrow_ok = z3.Implies(escrow >= deposit, escrow + de >= 0)
            if name in ("confirm_delivery", "report_non_delivery"):  # the paid price is in escrow
                escrow_ok = z3.Implies(escrow >= price, escrow + de >= 0)
            preserved.append(z3.And(balance + db == (pending + dp) + (escrow + de), pending + dp >= 0, escrow_ok))
        base = z3.IntVal(0) == 0 + 0
        return z3.And(base, z3.Implies(facts, z3.And(preserved)))


class NoDoubleWithdrawal(ProofCheck):
    ID = "prove-no-double-withdrawal"
    CLAUSES = ("SET-7",)
    IMPACT = Impact.HIGH
    STATEMENT = "A withdrawal zeroes the pending balance before paying: two pay out at most what was owed."

    def claim(self, p: Params) -> z3.BoolRef:
        owed = z3.Int("owed")
        first = owed  # withdraw pays the whole pending balance ...
        after = owed - first  # ... and zeroes it (effects before the transfer)
        second = after  # a second withdrawal has this much to pay (0: it reverts NothingToWithdraw)
        return z3.Implies(owed >= 0, z3.And(first + second <= owed, after == 0))


class BanEnforced(ProofCheck):
    ID = "prove-ban-enforced"
    CLAUSES = ("REP-9",)
    IMPACT = Impact.HIGH
    STATEMENT = "While a user is banned (now < banned_until) they can neither post an order nor bid."

    def claim(self, p: Params) -> z3.BoolRef:
        now, until = z3.Ints("now banned_until")
        banned = now < until  # reference.reputation.is_banned
        may_trade = z3.Not(banned)  # the guard of post_order and place_bid (_trader)
        return z3.Implies(banned, z3.Not(may_trade))
