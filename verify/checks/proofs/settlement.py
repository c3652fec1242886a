"""Settlement obligations (SET-6, SET-7) on the market's accounting.

The market's money is its balance, the pending balances it owes and the escrow of each order
(``reference.market.escrowed``). ``MOVES`` mirrors every transition of ``reference.market`` on one
order: its guard, the order afterwards, and how much the balance and the pending total change.
``tests/verify/test_proofs.py`` checks every row against the reference transition on concrete markets,
for every parameter set; the obligations are stated over those rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import z3

from reference.market import OrderStatus
from reference.params import Params
from verify.checks.proofs.base import ProofCheck, every_move

S = OrderStatus


@dataclass(frozen=True)
class OrderMoney:
    """What of one order decides its escrow (``reference.market.escrowed``)."""

    status: Any
    bids: Any
    opened: Any
    leading: Any
    """Whether a winner leads (``winner != ZERO_ADDRESS``)."""
    price: Any

    def escrow(self, e, x: Inputs) -> z3.ArithRef:
        return e.escrowed(self.status, x.deposit, self.bids, self.opened, self.leading, self.price)


class Inputs:
    """The free values a transition may read: the order's deposit, start price and running top two, the
    quote being opened and whether it is valid, and what the caller is owed."""

    def __init__(self) -> None:
        names = "deposit start_price highest second quote owed"
        self.deposit, self.start, self.highest, self.second, self.quote, self.owed = z3.Ints(names)
        self.valid = z3.Bool("quote_valid")


@dataclass(frozen=True)
class Move:
    guard: Any
    """When the reference allows the transition (its phase)."""
    after: OrderMoney
    balance: Any
    """Change of the market's balance."""
    pending: Any
    """Change of the pending total."""


def _is(o: OrderMoney, *statuses: S) -> z3.BoolRef:
    return z3.Or([o.status == int(s) for s in statuses])


def _status(o: OrderMoney, status: S) -> OrderMoney:
    return replace(o, status=z3.IntVal(int(status)))


def _open_bid(e, o: OrderMoney, x: Inputs) -> Move:
    """``open_bids`` for one bid (a batch is a chain of these), the newest unopened one."""
    _, _, takes, refunds = e.open_one(x.highest, x.second, o.leading, x.quote, x.valid)
    disclosed = o.status == int(S.DISCLOSED)
    leading = z3.If(disclosed, z3.Or(o.leading, takes), o.leading)
    credited = z3.If(disclosed, refunds, 1) * x.deposit  # ABANDONED: every deposit back, undecrypted
    after = replace(o, opened=o.opened + 1, leading=leading)
    return Move(z3.And(_is(o, S.DISCLOSED, S.ABANDONED), o.opened < o.bids), after, 0, credited)


def _settle(e, o: OrderMoney, x: Inputs) -> Move:
    price = z3.If(o.leading, e.auction_price(x.highest, x.second, x.start), 0)
    status = z3.If(o.leading, int(S.SETTLED), int(S.UNSOLD))
    return Move(z3.And(_is(o, S.DISCLOSED), o.opened == o.bids), replace(o, status=status, price=price), 0, 0)


def _withdraw(e, o: OrderMoney, x: Inputs) -> Move:
    paid, left = e.withdraw(x.owed)
    return Move(z3.BoolVal(True), o, -paid, left - x.owed)


MOVES: dict[str, Callable[[Any, OrderMoney, Inputs], Move]] = {
    "post_order": lambda e, o, x: Move(_is(o, S.NONE), replace(_status(o, S.OPEN), bids=z3.IntVal(0)), 0, 0),
    "place_bid": lambda e, o, x: Move(_is(o, S.OPEN), replace(o, bids=o.bids + 1), x.deposit, 0),
    "disclose_key": lambda e, o, x: Move(_is(o, S.OPEN), _status(o, S.DISCLOSED), 0, 0),
    "claim_seller_default": lambda e, o, x: Move(
        _is(o, S.OPEN), replace(o, status=z3.If(o.bids > 0, int(S.ABANDONED), int(S.UNSOLD))), 0, 0
    ),
    "open_bids": _open_bid,
    "settle": _settle,
    "pay_price": lambda e, o, x: Move(_is(o, S.SETTLED), _status(o, S.PAID), o.price, x.deposit),
    "claim_buyer_default": lambda e, o, x: Move(_is(o, S.SETTLED), _status(o, S.FAILED), 0, x.deposit),
    "confirm_delivery": lambda e, o, x: Move(_is(o, S.PAID), _status(o, S.COMPLETED), 0, o.price),
    "claim_delivery_timeout": lambda e, o, x: Move(_is(o, S.PAID), _status(o, S.COMPLETED), 0, o.price),
    "report_non_delivery": lambda e, o, x: Move(_is(o, S.PAID), _status(o, S.FAILED), 0, o.price),
    "withdraw": _withdraw,
}
"""transition of ``reference.market`` -> its move on one order and on the market's money."""


def order_state() -> OrderMoney:
    status, bids, opened = z3.Ints("status bids opened")
    return OrderMoney(status, bids, opened, z3.Bool("leading"), z3.Int("price"))


def reachable(o: OrderMoney, x: Inputs) -> z3.BoolRef:
    """What every order reachable from ``post_order`` satisfies (preserved by every move: the claim says so)."""
    return z3.And(
        o.status >= int(min(S)),
        o.status <= int(max(S)),
        0 <= o.opened,
        o.opened <= o.bids,
        z3.Implies(_is(o, S.NONE, S.OPEN), z3.And(o.opened == 0, z3.Not(o.leading))),
        z3.Implies(_is(o, S.NONE), o.bids == 0),
        z3.Implies(_is(o, S.ABANDONED), z3.Not(o.leading)),
        z3.Implies(_is(o, S.DISCLOSED, S.ABANDONED), o.opened <= o.bids),
        z3.Implies(o.leading, o.opened >= 1),
        o.price >= 0,
        z3.Implies(_is(o, S.SETTLED, S.PAID), o.price >= x.start),
    )


class Conservation(ProofCheck):
    ID = "prove-conservation"
    REFUTED_BY = "withdraw-keeps-balance"
    CLAUSES = ("SET-6", "AUC-6", "SET-7")
    STATEMENT = (
        "Every transition changes the market's balance by exactly the change of what it owes (pending "
        "balances plus escrow), keeps every escrow and pending balance non-negative, and leaves a reachable "
        "order reachable: from the empty market, balance = pending + escrow always (induction over all "
        f"{len(MOVES)} transitions)."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = Inputs()
        o = order_state()
        facts = z3.And(
            reachable(o, x),
            x.deposit > 0,
            x.start >= p.min_price,
            x.owed >= 0,
            z3.Implies(x.valid, z3.And(x.quote >= x.start, x.quote <= p.max_quote)),
            x.second >= 0,
            x.second <= x.highest,
            o.leading == (x.highest > 0),
            z3.Implies(o.leading, x.highest >= x.start),
        )
        claims = []
        for move in MOVES.values():
            m = move(e, o, x)
            owed_after = o.escrow(e, x) - m.after.escrow(e, x)  # escrow released ...
            after = z3.And(
                m.balance == m.pending - owed_after,  # ... equals what is credited or paid out
                m.after.escrow(e, x) >= 0,
                x.owed + m.pending >= 0,
                reachable(m.after, x),
            )
            claims.append((m.guard, after))
        empty = o.escrow(e, x) == 0  # the empty market: balance 0, nothing pending, every order NONE
        return z3.And(z3.Implies(z3.And(facts, _is(o, S.NONE)), empty), *every_move(facts, claims))


class NoDoubleWithdrawal(ProofCheck):
    ID = "prove-no-double-withdrawal"
    REFUTED_BY = "withdraw-keeps-balance"
    CLAUSES = ("SET-7",)
    STATEMENT = "Two withdrawals pay out exactly what was owed, and leave nothing owed."

    def claim(self, p: Params, e) -> z3.BoolRef:
        owed = z3.Int("owed")
        first, left = e.withdraw(owed)
        second, left2 = e.withdraw(left)
        return z3.Implies(owed >= 0, z3.And(first + second == owed, left2 == 0))
