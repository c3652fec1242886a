"""The differential campaign of both markets on one deployment: the auction (``FairwattMarket``) and the
bilateral market with its energy accounts (``BilateralMarket``), sharing the auction's user registry.

:class:`BothMarketsMachine` is the bilateral :class:`~verify.trade.machine.TradeMachine` with the auction's
rules added: orders posted, sealed bids placed, keys disclosed, bids opened, settled, paid, delivered or
reported undelivered (a fraud, which bans the seller in both markets), withdrawals, and the energy of a
completed auction order settled in the kWh assets (ENG-9). After every step of either market the whole
observable state of both must agree with the model: the bilateral market's and the auction's orders,
users (reputation, frauds, ban dates, pending balances) and ether.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from reference import market as mk
from reference.quotes import encrypt, public_key
from verify.differential.observe import contract_state, differences
from verify.differential.observe import model_state as auction_state
from verify.toolchain.compiler import Artifact
from verify.trade import machine
from verify.trade.roles import ROLES, USERS, address

S = mk.OrderStatus
DEPOSIT = 10**15
QUANTITY = 1000
"""Wh per auction order."""
AUCTION: dict[str, bool] = {
    "post_order": True,
    "place_bid": True,
    "disclose_key": True,
    "open_bids": True,
    "settle": True,
    "pay_price": True,
    "confirm_delivery": True,
    "report_non_delivery": True,
    "withdraw": False,
}
"""The auction's transitions the campaign drives -> whether the reference function takes ``now``."""

traders = st.sampled_from([*USERS, "stranger"])
picks = st.integers(0, 7)
quotes = st.integers(1, 9).map(lambda g: g * 10**9)


class BothMarketsMachine(machine.TradeMachine):
    """The bilateral market's rules and the auction's, on one chain and one model of both."""

    def __init__(self):
        super().__init__()
        auction = self.contract.auction
        auction.bids = {}  # the chain went back to the empty deployment
        registry = replace(self.tm.registry, address=auction.address, chain_id=self.contract.chain.chain_id)
        self.tm = replace(self.tm, registry=registry)
        self.keys: list[int] = []

    def auction_act(self, action: str, *args: Any) -> bool:
        """One transition of the auction, on the model's registry and on ``FairwattMarket``."""
        now = self.now()

        def model():
            registry, events = getattr(mk, action)(self.tm.registry, *args, *([now] if AUCTION[action] else []))
            return replace(self.tm, registry=registry), events

        return self.step(f"auction {action}{args}", model, lambda: getattr(self.contract.auction, action)(*args))

    def differences(self) -> list[str]:
        accounts = [address(role) for role in ROLES]
        expected = auction_state(self.tm.registry, accounts)
        auction = differences(machine._norm(expected), machine._norm(contract_state(self.contract.auction, accounts)))
        return super().differences() + [f"auction {d}" for d in auction]

    # -- the auction's rules -----------------------------------------------------------------------

    def has_orders(self) -> bool:
        return bool(self.tm.registry.orders)

    def few_orders(self) -> bool:
        return len(self.tm.registry.orders) < 4

    @precondition(few_orders)
    @rule(seller=traders, start=st.integers(1, 5).map(lambda g: g * 10**9))
    def auction_post(self, seller, start):
        key = 7919 + 1000 * len(self.keys)
        if self.auction_act("post_order", address(seller), QUANTITY, start, DEPOSIT, public_key(key)):
            self.keys.append(key)

    @precondition(has_orders)
    @rule(bidder=traders, pick=picks, quote=quotes, nonce=st.integers(1, 2**64))
    def auction_bid(self, bidder, pick, quote, nonce):
        order_id = pick % len(self.tm.registry.orders)
        order = self.tm.registry.orders[order_id]
        sealed = encrypt(order.public_key, quote, nonce, mk.context(self.tm.registry, order_id, address(bidder)))
        self.auction_act("place_bid", address(bidder), order_id, sealed, order.deposit)

    @precondition(has_orders)
    @rule(pick=picks, steps=st.lists(st.integers(0, 3), min_size=1, max_size=8))
    def auction_advance(self, pick, steps):
        """Move one order along, a step per draw; 0 at delivery is the operator's report of non-delivery."""
        order_id = pick % len(self.tm.registry.orders)
        for right in steps:
            order = self.tm.registry.orders[order_id]
            if order.status == S.OPEN and self.now() < order.bidding_end:
                self.contract.at_time(order.bidding_end)
            elif order.status == S.OPEN:
                self.auction_act("disclose_key", order.seller, order_id, self.keys[order_id])
            elif order.status == S.DISCLOSED and order.opened < len(order.bids):
                self.auction_act("open_bids", order_id, 1 + right)
            elif order.status == S.DISCLOSED:
                self.auction_act("settle", order_id)
            elif order.status == S.SETTLED:
                self.auction_act("pay_price", order.winner, order_id, order.price)
            elif order.status == S.PAID and right == 0:
                self.auction_act("report_non_delivery", address("genesis"), order_id)
            elif order.status == S.PAID:
                self.auction_act("confirm_delivery", order.winner, order_id)
            elif order.status == S.COMPLETED:
                self.act("settle_auction_energy", order_id)

    @precondition(few_orders)
    @rule(seller=st.sampled_from(USERS), bidder=st.sampled_from(USERS), quote=quotes)
    def auction_round(self, seller, bidder, quote):
        """An order with one bid, driven to its end: delivered and its energy settled (every other order), or
        reported a fraud, which bans the seller from declaring in the bilateral market too."""
        delivered = len(self.tm.registry.orders) % 2 == 0
        self.give(seller, QUANTITY, 0)
        self.auction_post(seller, 10**9)
        order_id = len(self.tm.registry.orders) - 1
        self.auction_bid(bidder, order_id, quote, 1)
        self.auction_advance(order_id, [2] * 5 + [int(delivered), 1])
        self.declare(seller, True, 25_000, 10**14, 1)

    @rule(role=st.sampled_from([*USERS, "grid"]))
    def auction_withdraw(self, role):
        self.auction_act("withdraw", address(role))

    @invariant()
    def auction_ether(self):
        assert self.contract.chain.balance(self.contract.auction.address) == self.tm.registry.balance
        assert mk.is_solvent(self.tm.registry), "auction not solvent"


def deploy(artifacts: dict[str, Artifact], backend: str | None = None) -> None:
    """Deploy both markets and a reader of the auction's state for :class:`BothMarketsMachine`; ``artifacts``
    include the mocks (:func:`verify.differential.machine.artifacts_with_mocks`)."""
    machine.deploy(artifacts, backend, BothMarketsMachine)
    contract = BothMarketsMachine.CONTRACT
    assert contract is not None
    contract.auction.reader = contract.chain.deploy(artifacts["StateReader"], sender=address("stranger")).value
    BothMarketsMachine.SNAPSHOT = contract.chain.snapshot()
