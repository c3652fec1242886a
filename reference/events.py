"""Events a transition emits, named and shaped as the contracts' Solidity events (fields in snake_case
here, camelCase in Solidity)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserRegistered:
    account: str


@dataclass(frozen=True)
class OrderPosted:
    order_id: int
    seller: str
    quantity: int
    start_price: int
    deposit: int
    bidding_end: int
    disclosure_end: int


@dataclass(frozen=True)
class BidPlaced:
    order_id: int
    bidder: str
    bid_index: int
    c1x: int
    c1y: int
    c2: int


@dataclass(frozen=True)
class KeyDisclosed:
    order_id: int
    private_key: int


@dataclass(frozen=True)
class BidsOpened:
    """One batch of ``open_bids``: bids ``first_index`` .. ``first_index + count - 1``, newest first.

    Quotes are not logged per bid: with ``KeyDisclosed`` and ``BidPlaced`` anyone can decrypt them.
    """

    order_id: int
    first_index: int
    count: int


@dataclass(frozen=True)
class AuctionSettled:
    order_id: int
    winner: str
    price: int


@dataclass(frozen=True)
class PricePaid:
    order_id: int
    buyer: str
    price: int


@dataclass(frozen=True)
class DeliveryConfirmed:
    order_id: int


@dataclass(frozen=True)
class TradeFailed:
    order_id: int
    defaulter: str


@dataclass(frozen=True)
class ReputationUpdated:
    account: str
    seller_reputation: int
    buyer_reputation: int


@dataclass(frozen=True)
class BanImposed:
    account: str
    until: int


@dataclass(frozen=True)
class Withdrawn:
    account: str
    amount: int


Event = (
    UserRegistered
    | OrderPosted
    | BidPlaced
    | KeyDisclosed
    | BidsOpened
    | AuctionSettled
    | PricePaid
    | DeliveryConfirmed
    | TradeFailed
    | ReputationUpdated
    | BanImposed
    | Withdrawn
)
