"""The bilateral market's vocabulary: its statuses, errors, events, state and the helpers every stage reads
it with (``spec/trade.md``). Users are the auction's (``registry``, read only); energy moves in the kWh assets
of :mod:`reference.energy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

from reference import energy as en
from reference import errors
from reference import fingerprints as fp
from reference import market as mk
from reference.fixedpoint import add, mul

PERIOD = 600
"""Seconds of one trading period, the paper's 10-minute cycle (TRD-6)."""
UINT40_MAX = 2**40 - 1


class Side(IntEnum):
    ASK = 0
    """A seller's offer."""
    BID = 1
    """A buyer's offer."""


class TradeStatus(IntEnum):
    """Where a trade stands. The integers are the Solidity enum's."""

    NONE = 0
    MATCHED = 1
    AUTHENTICATED = 2
    EXECUTED = 3
    CERTIFIED = 4
    REJECTED = 5
    CLEARED = 6
    SETTLED = 7


# -- errors ------------------------------------------------------------------------------------


class InvalidOffer(errors.FairwattError):
    """Volume or price zero or too large, or a delivery time not in the future."""


class UnknownOffer(errors.FairwattError):
    """No offer has this id."""


class InvalidMatch(errors.FairwattError):
    """Not an ask and a bid of two traders for one delivery time, both open and not yet due."""


class AskAboveBid(errors.FairwattError):
    """The seller's ask exceeds the buyer's bid (TRD-2)."""


class UnknownTrade(errors.FairwattError):
    """No trade has this id."""


class WrongTradeStage(errors.FairwattError):
    """The trade is not in the status or time window this action needs."""


class NotBuyer(errors.FairwattError):
    """Only the trade's buyer may do this."""


class BadSignature(errors.FairwattError):
    """The signature is malformed or not the named party's over the matched terms (TRD-3)."""


class ExcessDelivery(errors.FairwattError):
    """The metered delivery exceeds the traded volume."""


class NoCertifiers(errors.FairwattError):
    """No certifier is registered: nobody could certify the execution."""


class NotCertifier(errors.FairwattError):
    """The caller was not a certifier when the trade was executed."""


class AlreadyVoted(errors.FairwattError):
    """The certifier has voted on this trade already."""


class EnergySettledAlready(errors.FairwattError):
    """The auction order's energy was settled already."""


class NotBilateral(errors.FairwattError):
    """Only the bilateral market linked to the auction writes reputation into its registry (TRD-10)."""


class NoDeliveryEvidence(errors.FairwattError):
    """The grid has not anchored, as delivery evidence from the delivery time on, the execution record (trade
    id, delivered) a pass vote would certify (FPR-7)."""


class InvalidEvidenceSource(errors.FairwattError):
    """Deployed without a grid: no pass vote could ever be cast (FPR-7, TRD-5)."""


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferDeclared:
    offer_id: int
    trader: str
    side: int
    volume: int
    price: int
    delivery_time: int


@dataclass(frozen=True)
class TradeMatched:
    trade_id: int
    ask_id: int
    bid_id: int
    volume: int
    price: int


@dataclass(frozen=True)
class MatchAuthenticated:
    trade_id: int
    payment: int


@dataclass(frozen=True)
class TradeExecuted:
    trade_id: int
    delivered: int


@dataclass(frozen=True)
class CertifierAdded:
    account: str


@dataclass(frozen=True)
class ExecutionVoted:
    trade_id: int
    certifier: str
    approve: bool


@dataclass(frozen=True)
class ExecutionCertified:
    trade_id: int
    passed: bool


@dataclass(frozen=True)
class TradeCleared:
    trade_id: int
    period: int


@dataclass(frozen=True)
class TradeSettled:
    trade_id: int
    payment: int
    fee: int
    refund: int


@dataclass(frozen=True)
class AuctionEnergySettled:
    order_id: int
    amount: int


# -- state -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    trader: str
    side: Side
    volume: int
    """P: Wh."""
    price: int
    """C: wei per Wh."""
    delivery_time: int
    """T: the timestamp delivery starts at."""
    taken: bool = False


@dataclass(frozen=True)
class Trade:
    seller: str
    buyer: str
    volume: int
    price: int
    """The ask's price (TRD-2)."""
    delivery_time: int
    status: TradeStatus = TradeStatus.MATCHED
    delivered: int = 0
    certifiers: int = 0
    """How many certifiers were registered when the trade was executed: they alone vote on it."""
    passes: int = 0
    opposes: int = 0
    voters: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Period:
    """What clearing recorded for one trading period (TRD-7)."""

    trades: int = 0
    energy: int = 0
    money: int = 0


@dataclass(frozen=True)
class TradeMarket:
    registry: mk.Market
    """The auction: its registered users and their bans are this market's too (read only)."""
    energy: en.EnergyAccounts
    fee: int
    """The third party's flat fee per trade, wei (TRD-8)."""
    fee_recipient: str
    address: str = mk.MARKET_ADDRESS
    chain_id: int = mk.CHAIN_ID
    offers: tuple[Offer, ...] = ()
    trades: tuple[Trade, ...] = ()
    certifiers: tuple[str, ...] = ()
    periods: dict[int, Period] = field(default_factory=dict)
    energy_settled: frozenset[int] = frozenset()
    """Auction orders whose energy moved already (ENG-9)."""
    fingerprints: fp.Fingerprints = field(default_factory=lambda: fp.deploy(mk.ZERO_ADDRESS))
    """The data fingerprints the delivery evidence is anchored in (``Fingerprints``, FPR-7)."""
    grid: str = mk.ZERO_ADDRESS
    """The grid account: the only recorder of executions (TRD-4), whose anchored evidence a pass vote requires
    (FPR-7, TRD-5). Named at deployment, never the zero address (``InvalidEvidenceSource``)."""
    bilateral: str = mk.ZERO_ADDRESS
    """The auction's linked bilateral market (``FairwattMarket.bilateral``, TRD-10): the only writer of reputation."""

    def __post_init__(self):
        """TRD-5: the deployment's check. The model's fingerprints are a value, always there; the contract
        also refuses an address without code there."""
        if int(self.grid, 16) == 0:
            raise InvalidEvidenceSource()


Result = tuple[TradeMarket, list]


# -- helpers -------------------------------------------------------------------------------------


def get_trade(tm: TradeMarket, trade_id: int) -> Trade:
    """TRD-2: trade ``trade_id`` (``UnknownTrade`` when there is none: one not matched yet)."""
    if not 0 <= trade_id < len(tm.trades):
        raise UnknownTrade(trade_id)
    return tm.trades[trade_id]


def get_period(tm: TradeMarket, period: int) -> Period:
    """TRD-6: trading period ``period``'s totals (all zero before a trade of it is cleared)."""
    return tm.periods.get(period, Period())


def get_offer(tm: TradeMarket, offer_id: int) -> Offer:
    """TRD-1: offer ``offer_id`` (``UnknownOffer`` when there is none: one not declared yet)."""
    if not 0 <= offer_id < len(tm.offers):
        raise UnknownOffer(offer_id)
    return tm.offers[offer_id]


def require_stage(ok: bool, trade_id: int, trade: Trade) -> None:
    """``WrongTradeStage`` with the trade's status unless ``ok``."""
    if not ok:
        raise WrongTradeStage(trade_id, int(trade.status))


def with_trade(tm: TradeMarket, trade_id: int, trade: Trade, **changes) -> TradeMarket:
    return replace(tm, trades=tm.trades[:trade_id] + (trade,) + tm.trades[trade_id + 1 :], **changes)


def escrow(trade: Trade, fee: int) -> int:
    """Wei the buyer escrows for ``trade``: volume × price plus the fee (TRD-3)."""
    return add(mul(trade.volume, trade.price), fee)


def held(tm: TradeMarket, trade: Trade) -> int:
    """Wei the market holds for ``trade``."""
    active = (TradeStatus.AUTHENTICATED, TradeStatus.EXECUTED, TradeStatus.CERTIFIED, TradeStatus.CLEARED)
    return escrow(trade, tm.fee) if trade.status in active else 0


def is_solvent(tm: TradeMarket) -> bool:
    """TRD-8: the wei held is exactly the pending balances plus every trade's escrow."""
    return tm.energy.balance == sum(tm.energy.pending.values()) + sum(held(tm, t) for t in tm.trades)


def period_of(timestamp: int) -> int:
    return timestamp // PERIOD
