"""The market: one state and its transitions (``spec/auction.md``, ``spec/settlement.md``).

Every transition is a pure function ``f(market, ..., now) -> (market', events)``. Invalid actions
raise the exception named after the contracts' custom error; the old state is untouched (it is
immutable). Values are wei; ``now`` is the block timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

from reference import errors, payments
from reference import events as ev
from reference.fixedpoint import UINT128_MAX, add, mul
from reference.params import RESOLVED, Params
from reference.quotes import Ciphertext, Point, bid_context, decrypt, is_valid_point, key_matches
from reference.reputation import (
    User,
    is_banned,
    new_user,
    order_limit,
    record_buyer_trade,
    record_seller_trade,
    seller_growth,
)

ZERO_ADDRESS = "0x" + "0" * 40
MARKET_ADDRESS = "0x" + "0" * 36 + "fa17"
"""The market contract's address when a model stands alone (a replayer uses its deployment's)."""
CHAIN_ID = 1
"""The chain id when a model stands alone."""


class OrderStatus(IntEnum):
    """Where an order stands. The integers are the Solidity enum's."""

    NONE = 0
    OPEN = 1
    """Accepting bids before ``bidding_end``; then awaiting the seller's key."""
    DISCLOSED = 2
    """The key is disclosed; bids are being opened."""
    ABANDONED = 3
    """The seller never disclosed; bids are being refunded."""
    SETTLED = 4
    """The winner is known and must pay the price before ``deadline``."""
    PAID = 5
    """The price is in escrow; delivery is due before ``deadline``."""
    COMPLETED = 6
    UNSOLD = 7
    FAILED = 8


@dataclass(frozen=True)
class Bid:
    bidder: str
    """Who sealed the quote and paid the deposit."""
    ciphertext: Ciphertext
    """The sealed quote."""


@dataclass(frozen=True)
class Order:
    """A sell order and its sealed-bid auction (the paper's ``Oder``, Table 2)."""

    seller: str
    quantity: int
    """Energy for sale, in Wh."""
    start_price: int
    """The reserve: no valid quote is lower, and the price is never lower."""
    deposit: int
    """The bond every bid sends; it hides the quote (AUC-3)."""
    public_key: Point
    """K of the order; quotes are sealed to it."""
    bidding_end: int
    disclosure_end: int
    status: OrderStatus = OrderStatus.OPEN
    private_key: int = 0
    """k, once disclosed."""
    bids: tuple[Bid, ...] = ()
    opened: int = 0
    """How many bids have been opened (or refunded, when abandoned), counted from the newest."""
    winner: str = ZERO_ADDRESS
    """Bidder of the highest valid quote so far; the earliest wins a tie."""
    highest: int = 0
    second: int = 0
    price: int = 0
    deadline: int = 0
    """Payment deadline when SETTLED, delivery deadline when PAID."""


@dataclass(frozen=True)
class Market:
    operator: str
    """The grid account: registers users and certifies non-delivery."""
    params: Params = RESOLVED
    users: dict[str, User] = field(default_factory=dict)
    orders: tuple[Order, ...] = ()
    pending: dict[str, int] = field(default_factory=dict)
    """Withdrawable balances (pull payments)."""
    balance: int = 0
    """Wei held by the market contract."""
    address: str = MARKET_ADDRESS
    """The market contract's address: part of every bid's context (QUO-5)."""
    chain_id: int = CHAIN_ID
    """The chain's id: part of every bid's context (QUO-5)."""
    used_keys: frozenset[int] = frozenset()
    """The x-coordinates of every order key posted so far (QUO-2): ``K`` and ``−K`` share one."""


Result = tuple[Market, list[ev.Event]]


# -- helpers -------------------------------------------------------------------------


def _order(market: Market, order_id: int) -> Order:
    if not 0 <= order_id < len(market.orders):
        raise errors.UnknownOrder(order_id)
    return market.orders[order_id]


def _with_order(market: Market, order_id: int, order: Order, **changes) -> Market:
    orders = market.orders[:order_id] + (order,) + market.orders[order_id + 1 :]
    return replace(market, orders=orders, **changes)


def _trader(market: Market, account: str, now: int) -> User:
    """The registered, unbanned user ``account`` (REP-9)."""
    user = market.users.get(account)
    if user is None:
        raise errors.NotRegistered(account)
    if is_banned(user, now):
        raise errors.UserBanned(account, user.banned_until)
    return user


def _phase(ok: bool, order_id: int, order: Order) -> None:
    if not ok:
        raise errors.WrongPhase(order_id, int(order.status))


def _reputation_event(account: str, user: User) -> ev.ReputationUpdated:
    return ev.ReputationUpdated(account, user.seller_reputation, user.buyer_reputation)


def _fraud_events(account: str, before: User, after: User) -> list[ev.Event]:
    out: list[ev.Event] = [_reputation_event(account, after)]
    if after.banned_until != before.banned_until:
        out.append(ev.BanImposed(account, after.banned_until))
    return out


def escrowed(order: Order) -> int:
    """Wei the market holds for ``order`` (SET-6)."""
    if order.status == OrderStatus.OPEN:
        return order.deposit * len(order.bids)
    if order.status == OrderStatus.DISCLOSED:
        top = 1 if order.winner != ZERO_ADDRESS else 0  # the leader's deposit stays until payment
        return order.deposit * (len(order.bids) - order.opened + top)
    if order.status == OrderStatus.ABANDONED:
        return order.deposit * (len(order.bids) - order.opened)
    if order.status == OrderStatus.SETTLED:
        return order.deposit
    if order.status == OrderStatus.PAID:
        return order.price
    return 0


# -- users ------------------------------------------------------------------------------


def register_user(market: Market, caller: str, account: str) -> Result:
    """MKT-1: the operator registers ``account`` with the initial reputation."""
    if caller != market.operator:
        raise errors.NotOperator(caller)
    if account in market.users or account == ZERO_ADDRESS:
        raise errors.AlreadyRegistered(account)
    users = {**market.users, account: new_user(market.params)}
    return replace(market, users=users), [ev.UserRegistered(account)]


# -- the auction ------------------------------------------------------------------------


def post_order(
    market: Market, seller: str, quantity: int, start_price: int, deposit: int, public_key: Point, now: int
) -> Result:
    """AUC-1, ECO-1, ECO-2: a registered, unbanned seller opens a sealed-bid auction."""
    user = _trader(market, seller, now)
    p = market.params
    if not (0 < quantity <= UINT128_MAX and 0 < deposit <= UINT128_MAX and p.min_price <= start_price <= p.max_quote):
        raise errors.InvalidOrder()
    if mul(deposit, p.wad) < mul(start_price, p.min_deposit_share):
        raise errors.InvalidOrder()
    limit = order_limit(user.seller_reputation, p.order_quantity_per_reputation, p.wad)
    if p.order_quantity_per_reputation and quantity > limit:
        raise errors.OrderTooLarge(quantity, limit)
    if not is_valid_point(public_key):
        raise errors.InvalidPublicKey()
    if public_key[0] in market.used_keys:
        raise errors.KeyReused()
    bidding_end = add(now, p.bidding_period)
    order = Order(
        seller=seller,
        quantity=quantity,
        start_price=start_price,
        deposit=deposit,
        public_key=public_key,
        bidding_end=bidding_end,
        disclosure_end=add(bidding_end, p.disclosure_period),
    )
    order_id = len(market.orders)
    posted = ev.OrderPosted(order_id, seller, quantity, start_price, deposit, order.bidding_end, order.disclosure_end)
    used_keys = market.used_keys | {public_key[0]}
    return replace(market, orders=market.orders + (order,), used_keys=used_keys), [posted]


def place_bid(market: Market, bidder: str, order_id: int, ciphertext: Ciphertext, value: int, now: int) -> Result:
    """AUC-2, AUC-3: a registered, unbanned bidder seals a quote and sends exactly the deposit."""
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.OPEN and now < order.bidding_end, order_id, order)
    _trader(market, bidder, now)
    if bidder == order.seller:
        raise errors.SellerCannotBid(bidder)
    if value != order.deposit:
        raise errors.WrongDeposit(value, order.deposit)
    bid_index = len(order.bids)
    order = replace(order, bids=order.bids + (Bid(bidder, ciphertext),))
    event = ev.BidPlaced(order_id, bidder, bid_index, ciphertext.c1[0], ciphertext.c1[1], ciphertext.c2)
    return _with_order(market, order_id, order, balance=add(market.balance, value)), [event]


def disclose_key(market: Market, caller: str, order_id: int, private_key: int, now: int) -> Result:
    """AUC-4: after bidding, before the disclosure deadline, the seller discloses k with k·G = K."""
    order = _order(market, order_id)
    if caller != order.seller:
        raise errors.NotSeller(caller)
    _phase(order.status == OrderStatus.OPEN and order.bidding_end <= now < order.disclosure_end, order_id, order)
    if not key_matches(private_key, order.public_key):
        raise errors.WrongKey()
    order = replace(order, status=OrderStatus.DISCLOSED, private_key=private_key)
    return _with_order(market, order_id, order), [ev.KeyDisclosed(order_id, private_key)]


def context(market: Market, order_id: int, bidder: str) -> int:
    """QUO-5: the context a quote for ``bidder``'s bid in ``order_id`` of this market is sealed in."""
    return bid_context(market.chain_id, market.address, order_id, bidder)


def valid_quote(order: Order, quote: int | None, p: Params) -> bool:
    """AUC-5: a quote counts when it decrypted and lies in [start_price, max_quote]."""
    return quote is not None and order.start_price <= quote <= p.max_quote


def open_bids(market: Market, order_id: int, count: int, now: int) -> Result:
    """AUC-5, AUC-6: open the newest ``count`` unopened bids, newest first (anyone; batches allowed).

    Newest first is the order in which the contracts verify the bids' hash chain (AUC-2). A valid
    quote at or above the highest takes the lead — so among equal quotes the earliest bid ends in
    the lead — and the displaced leader's deposit is credited back; every other deposit is credited
    at once. For an ABANDONED order every deposit is credited back without decrypting.
    """
    order = _order(market, order_id)
    _phase(order.status in (OrderStatus.DISCLOSED, OrderStatus.ABANDONED), order_id, order)
    remaining = len(order.bids) - order.opened
    if remaining == 0 or count == 0:
        raise errors.NothingToOpen(order_id)
    p = market.params
    pending = market.pending
    winner, highest, second = order.winner, order.highest, order.second
    batch = min(count, remaining)
    first = remaining - batch
    for index in reversed(range(first, remaining)):
        bid = order.bids[index]
        quote = None
        if order.status == OrderStatus.DISCLOSED:
            quote = decrypt(order.private_key, bid.ciphertext, context(market, order_id, bid.bidder))
        if not valid_quote(order, quote, p):
            pending = payments.credit(pending, bid.bidder, order.deposit)
            continue
        assert quote is not None
        if quote >= highest:
            if winner != ZERO_ADDRESS:
                pending = payments.credit(pending, winner, order.deposit)
            winner, highest, second = bid.bidder, quote, highest
        else:
            second = max(second, quote)
            pending = payments.credit(pending, bid.bidder, order.deposit)
    order = replace(order, opened=order.opened + batch, winner=winner, highest=highest, second=second)
    market = _with_order(market, order_id, order, pending=pending)
    return market, [ev.BidsOpened(order_id, first, batch)]


def auction_price(highest: int, second: int, start_price: int) -> int:
    """AUC-7: the winner pays max(second-highest valid quote, start price) — never above their own quote.

    pre: start_price <= highest and second <= highest
    post: start_price <= __return__ <= highest
    post: __return__ >= second
    """
    return max(second, start_price)


def settle(market: Market, order_id: int, now: int) -> Result:
    """AUC-7, AUC-8: once every bid is opened, fix the winner and the price (or declare the order unsold)."""
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.DISCLOSED, order_id, order)
    if order.opened != len(order.bids):
        raise errors.BidsNotOpened(order_id, order.opened, len(order.bids))
    if order.winner == ZERO_ADDRESS:
        order = replace(order, status=OrderStatus.UNSOLD)
        return _with_order(market, order_id, order), [ev.AuctionSettled(order_id, ZERO_ADDRESS, 0)]
    price = auction_price(order.highest, order.second, order.start_price)
    deadline = add(now, market.params.payment_period)
    order = replace(order, status=OrderStatus.SETTLED, price=price, deadline=deadline)
    return _with_order(market, order_id, order), [ev.AuctionSettled(order_id, order.winner, price)]


def claim_seller_default(market: Market, order_id: int, now: int) -> Result:
    """SET-5: the disclosure deadline passed without the key: the seller defrauded the bidders.

    The bids are refunded by ``open_bids``; the seller's fraud is recorded on the start price.
    An order nobody bid on just ends unsold.
    """
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.OPEN and now >= order.disclosure_end, order_id, order)
    if not order.bids:
        order = replace(order, status=OrderStatus.UNSOLD)
        return _with_order(market, order_id, order), [ev.AuctionSettled(order_id, ZERO_ADDRESS, 0)]
    before = market.users[order.seller]
    after = record_seller_trade(before, order.start_price, False, now, market.params)
    order = replace(order, status=OrderStatus.ABANDONED)
    market = _with_order(market, order_id, order, users={**market.users, order.seller: after})
    return market, [ev.TradeFailed(order_id, order.seller), *_fraud_events(order.seller, before, after)]


# -- settlement -------------------------------------------------------------------------


def pay_price(market: Market, caller: str, order_id: int, value: int, now: int) -> Result:
    """SET-1: the winner pays exactly the price before the deadline; their deposit is credited back."""
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.SETTLED and now < order.deadline, order_id, order)
    if caller != order.winner:
        raise errors.NotWinner(caller)
    if value != order.price:
        raise errors.WrongPayment(value, order.price)
    pending = payments.credit(market.pending, caller, order.deposit)
    deadline = add(now, market.params.delivery_period)
    order = replace(order, status=OrderStatus.PAID, deadline=deadline)
    market = _with_order(market, order_id, order, pending=pending, balance=add(market.balance, value))
    return market, [ev.PricePaid(order_id, caller, order.price)]


def claim_buyer_default(market: Market, order_id: int, now: int) -> Result:
    """SET-4: the winner did not pay in time: their deposit goes to the seller, their default is recorded."""
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.SETTLED and now >= order.deadline, order_id, order)
    before = market.users[order.winner]
    after = record_buyer_trade(before, order.price, 0, False, now, market.params)
    pending = payments.credit(market.pending, order.seller, order.deposit)
    users = {**market.users, order.winner: after}
    market = _with_order(market, order_id, replace(order, status=OrderStatus.FAILED), users=users, pending=pending)
    return market, [ev.TradeFailed(order_id, order.winner), *_fraud_events(order.winner, before, after)]


def _complete(market: Market, order_id: int, order: Order, now: int) -> Result:
    """SET-2: delivery done: the seller is paid; both sides record an honest trade."""
    p = market.params
    seller, buyer = market.users[order.seller], market.users[order.winner]
    growth = seller_growth(seller, order.price, p)
    seller = record_seller_trade(seller, order.price, True, now, p)
    buyer = record_buyer_trade(buyer, order.price, growth, True, now, p)
    users = {**market.users, order.seller: seller, order.winner: buyer}
    pending = payments.credit(market.pending, order.seller, order.price)
    order = replace(order, status=OrderStatus.COMPLETED)
    market = _with_order(market, order_id, order, users=users, pending=pending)
    events: list[ev.Event] = [
        ev.DeliveryConfirmed(order_id),
        _reputation_event(order.seller, seller),
        _reputation_event(order.winner, buyer),
    ]
    return market, events


def confirm_delivery(market: Market, caller: str, order_id: int, now: int) -> Result:
    """SET-2: the winner (or the operator, from meter data) confirms delivery."""
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.PAID, order_id, order)
    if caller not in (order.winner, market.operator):
        raise errors.NotBuyerOrOperator(caller)
    return _complete(market, order_id, order, now)


def claim_delivery_timeout(market: Market, order_id: int, now: int) -> Result:
    """SET-2: nobody disputed delivery before the deadline: it counts as delivered."""
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.PAID and now >= order.deadline, order_id, order)
    return _complete(market, order_id, order, now)


def report_non_delivery(market: Market, caller: str, order_id: int, now: int) -> Result:
    """SET-3: the operator certifies (from meter data) that the seller did not deliver.

    The price goes back to the winner; the seller's fraud is recorded on the price.
    """
    if caller != market.operator:
        raise errors.NotOperator(caller)
    order = _order(market, order_id)
    _phase(order.status == OrderStatus.PAID, order_id, order)
    before = market.users[order.seller]
    after = record_seller_trade(before, order.price, False, now, market.params)
    pending = payments.credit(market.pending, order.winner, order.price)
    users = {**market.users, order.seller: after}
    market = _with_order(market, order_id, replace(order, status=OrderStatus.FAILED), users=users, pending=pending)
    return market, [ev.TradeFailed(order_id, order.seller), *_fraud_events(order.seller, before, after)]


def withdraw(market: Market, caller: str, receiver_accepts: bool = True) -> Result:
    """SET-7: pull payment of the caller's whole pending balance (``receiver_accepts``: :func:`payments.pay_out`)."""
    pending, amount = payments.pay_out(market.pending, caller, receiver_accepts)
    return replace(market, pending=pending, balance=market.balance - amount), [ev.Withdrawn(caller, amount)]


def is_solvent(market: Market) -> bool:
    """SET-6: what the market holds is exactly what it owes: pending balances plus escrow."""
    owed = sum(market.pending.values()) + sum(escrowed(o) for o in market.orders)
    return market.balance == owed
