"""The bilateral market: seed 004's seven-stage trade (``spec/trade.md``, TRD-1..TRD-10).

Asks and bids are declared (volume P in Wh, price C in wei per Wh, delivery time T), matched when the
ask does not exceed the bid, authenticated by both parties' EIP-712 signatures over the matched terms
(the buyer escrows the payment and the fee, the seller's Wh are locked), executed with the grid's meter
data, certified by a strict majority of the registered certifiers once the grid has anchored the
execution record's fingerprint (FPR-7), cleared after the delivery period and settled: the seller is paid
for what was delivered, the third party takes the flat fee. Users are the auction's (``registry``, read
only; the auction links this market to write reputation, TRD-10); energy moves in the kWh assets of
:mod:`reference.energy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys.constants import SECPK1_N
from eth_utils import keccak, to_checksum_address

from reference import energy as en
from reference import errors
from reference import fingerprints as fp
from reference import market as mk
from reference.fixedpoint import add, mul
from reference.reputation import is_banned, record_buyer_trade, record_seller_trade, seller_growth

PERIOD = 600
"""Seconds of one trading period, the paper's 10-minute cycle (TRD-7)."""
UINT40_MAX = 2**40 - 1
DOMAIN_NAME = "fairwatt-trade"
DOMAIN_VERSION = "1"
TERMS_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Terms": [
        {"name": "tradeId", "type": "uint256"},
        {"name": "seller", "type": "address"},
        {"name": "buyer", "type": "address"},
        {"name": "volume", "type": "uint256"},
        {"name": "price", "type": "uint256"},
        {"name": "deliveryTime", "type": "uint256"},
    ],
}
"""The EIP-712 types both parties sign (TRD-3)."""


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
    """Auction orders whose energy moved already (ENG-8)."""
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


def _trade(tm: TradeMarket, trade_id: int) -> Trade:
    if not 0 <= trade_id < len(tm.trades):
        raise UnknownTrade(trade_id)
    return tm.trades[trade_id]


def _offer(tm: TradeMarket, offer_id: int) -> Offer:
    if not 0 <= offer_id < len(tm.offers):
        raise UnknownOffer(offer_id)
    return tm.offers[offer_id]


def _stage(ok: bool, trade_id: int, trade: Trade) -> None:
    if not ok:
        raise WrongTradeStage(trade_id, int(trade.status))


def _with_trade(tm: TradeMarket, trade_id: int, trade: Trade, **changes) -> TradeMarket:
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


# -- signatures ----------------------------------------------------------------------------------


def terms_message(tm: TradeMarket, trade_id: int, trade: Trade) -> dict:
    """TRD-3: the EIP-712 typed data of ``trade``'s terms in this market's domain."""
    return {
        "types": TERMS_TYPES,
        "primaryType": "Terms",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": tm.chain_id,
            "verifyingContract": to_checksum_address(tm.address),
        },
        "message": {
            "tradeId": trade_id,
            "seller": to_checksum_address(trade.seller),
            "buyer": to_checksum_address(trade.buyer),
            "volume": trade.volume,
            "price": trade.price,
            "deliveryTime": trade.delivery_time,
        },
    }


def sign_terms(private_key: bytes, tm: TradeMarket, trade_id: int, trade: Trade) -> bytes:
    """A party's 65-byte signature (r ‖ s ‖ v) over ``trade``'s terms."""
    signed = Account.sign_message(encode_typed_data(full_message=terms_message(tm, trade_id, trade)), private_key)
    return bytes(signed.signature)


def signer(tm: TradeMarket, trade_id: int, trade: Trade, signature: bytes) -> str | None:
    """Who signed ``trade``'s terms, as ``ecrecover`` finds it; None for a malformed or malleable signature."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return None
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    if not (0 < r < SECPK1_N and 0 < s <= SECPK1_N // 2):
        return None
    message = encode_typed_data(full_message=terms_message(tm, trade_id, trade))
    try:
        return Account.recover_message(message, signature=signature)
    except Exception:  # eth_keys refuses a point off the curve: no signer, as ecrecover returns 0
        return None


def _require_signed(tm: TradeMarket, trade_id: int, trade: Trade, party: str, signature: bytes) -> None:
    found = signer(tm, trade_id, trade, signature)
    if found is None or found.lower() != party.lower():
        raise BadSignature(party)


# -- the seven stages ------------------------------------------------------------------------------


def _declare(tm: TradeMarket, trader: str, side: Side, volume: int, price: int, delivery_time: int, now: int):
    user = tm.registry.users.get(trader)
    if user is None:
        raise errors.NotRegistered(trader)
    if is_banned(user, now):
        raise errors.UserBanned(trader, user.banned_until)
    en.account_of(tm.energy, trader)
    if not (0 < volume <= en.UINT128_MAX and 0 < price <= en.UINT128_MAX and now < delivery_time <= UINT40_MAX):
        raise InvalidOffer()
    offer_id = len(tm.offers)
    tm = replace(tm, offers=tm.offers + (Offer(trader, side, volume, price, delivery_time),))
    return tm, [OfferDeclared(offer_id, trader, int(side), volume, price, delivery_time)]


def declare_ask(tm: TradeMarket, seller: str, volume: int, price: int, delivery_time: int, now: int) -> Result:
    """TRD-1: a registered, unbanned seller with an energy account offers ``volume`` Wh at ``price``."""
    return _declare(tm, seller, Side.ASK, volume, price, delivery_time, now)


def declare_bid(tm: TradeMarket, buyer: str, volume: int, price: int, delivery_time: int, now: int) -> Result:
    """TRD-1: a registered, unbanned buyer with an energy account asks for ``volume`` Wh at up to ``price``."""
    return _declare(tm, buyer, Side.BID, volume, price, delivery_time, now)


def match_offers(tm: TradeMarket, ask_id: int, bid_id: int, now: int) -> Result:
    """TRD-2: an open ask and an open bid of two traders for one delivery time match when ask ≤ bid
    (the paper's ΔC with its sign corrected, ERR-30). The trade takes the smaller volume at the ask."""
    ask, bid = _offer(tm, ask_id), _offer(tm, bid_id)
    if (
        ask.side != Side.ASK
        or bid.side != Side.BID
        or ask.taken
        or bid.taken
        or ask.trader == bid.trader
        or ask.delivery_time != bid.delivery_time
        or now >= ask.delivery_time
    ):
        raise InvalidMatch(ask_id, bid_id)
    if ask.price > bid.price:
        raise AskAboveBid(ask.price, bid.price)
    volume = min(ask.volume, bid.volume)
    trade = Trade(ask.trader, bid.trader, volume, ask.price, ask.delivery_time)
    offers = list(tm.offers)
    offers[ask_id], offers[bid_id] = replace(ask, taken=True), replace(bid, taken=True)
    trade_id = len(tm.trades)
    tm = replace(tm, offers=tuple(offers), trades=tm.trades + (trade,))
    return tm, [TradeMatched(trade_id, ask_id, bid_id, volume, ask.price)]


def authenticate_match(
    tm: TradeMarket,
    caller: str,
    trade_id: int,
    seller_signature: bytes,
    buyer_signature: bytes,
    value: int,
    now: int,
) -> Result:
    """TRD-3: before delivery, the buyer submits both parties' signatures over the matched terms and
    escrows volume × price + fee; the seller's ``volume`` Wh are locked."""
    trade = _trade(tm, trade_id)
    _stage(trade.status == TradeStatus.MATCHED and now < trade.delivery_time, trade_id, trade)
    if caller != trade.buyer:
        raise NotBuyer(caller)
    _require_signed(tm, trade_id, trade, trade.seller, seller_signature)
    _require_signed(tm, trade_id, trade, trade.buyer, buyer_signature)
    due = escrow(trade, tm.fee)
    if value != due:
        raise errors.WrongPayment(value, due)
    seller = en.account_of(tm.energy, trade.seller)
    if seller.balance < trade.volume:
        raise en.InsufficientEnergy(seller.balance, trade.volume)
    e = en.with_account(tm.energy, trade.seller, replace(seller, balance=seller.balance - trade.volume))
    e = replace(e, locked=add(e.locked, trade.volume), balance=add(e.balance, value))
    tm = _with_trade(tm, trade_id, replace(trade, status=TradeStatus.AUTHENTICATED), energy=e)
    return tm, [MatchAuthenticated(trade_id, value)]


def record_execution(tm: TradeMarket, caller: str, trade_id: int, delivered: int, now: int) -> Result:
    """TRD-4: from the delivery time on, the grid named at deployment (only it: the provider of the evidence,
    FPR-7) records the metered delivery (0 when the delivery was blocked); the certifiers registered now are
    the ones who vote."""
    if caller != tm.grid:
        raise en.NotPermitted(caller, en.ISSUE)
    trade = _trade(tm, trade_id)
    _stage(trade.status == TradeStatus.AUTHENTICATED and now >= trade.delivery_time, trade_id, trade)
    if delivered > trade.volume:
        raise ExcessDelivery(delivered, trade.volume)
    if not tm.certifiers:
        raise NoCertifiers()
    trade = replace(trade, status=TradeStatus.EXECUTED, delivered=delivered, certifiers=len(tm.certifiers))
    return _with_trade(tm, trade_id, trade), [TradeExecuted(trade_id, delivered)]


def add_certifier(tm: TradeMarket, caller: str, account: str) -> Result:
    """TRD-5: the genesis account registers a certifier (a market participant who checks executions)."""
    if caller != tm.energy.genesis:
        raise en.NotPermitted(caller, int(en.Kind.GENESIS))
    if account in tm.certifiers or int(account, 16) == 0:
        raise errors.AlreadyRegistered(account)
    return replace(tm, certifiers=tm.certifiers + (account,)), [CertifierAdded(account)]


def certified(passes: int, certifiers: int) -> bool:
    """TRD-5, eq 5 as resolved (ERR-31): more than half of the certifiers passed the execution.

    pre: 0 <= passes <= certifiers
    post: __return__ == (passes > certifiers - passes)
    """
    return 2 * passes > certifiers


def rejected(opposes: int, certifiers: int) -> bool:
    """TRD-5: at least half opposed: a pass majority can no longer be reached."""
    return 2 * opposes >= certifiers


def evidence_hash(market: str, trade_id: int, delivered: int) -> bytes:
    """FPR-4, FPR-7: the content hash of ``market``'s execution record of trade ``trade_id``, ``delivered`` Wh."""
    return keccak(fp.delivery_evidence(market, trade_id, delivered))


def evidenced(tm: TradeMarket, trade_id: int) -> bool:
    """FPR-7: whether the grid anchored trade ``trade_id``'s execution record as recorded (its delivered Wh) as
    delivery evidence with a record time not before the delivery time: evidence made before the delivery
    began, or a record of another kind with the same content, is none."""
    trade = _trade(tm, trade_id)
    payload = evidence_hash(tm.address, trade_id, trade.delivered)
    kind, record_time = fp.record_of(tm.fingerprints, tm.grid, payload)
    return kind == fp.Kind.DELIVERY_EVIDENCE and record_time >= trade.delivery_time


def anchor_evidence(tm: TradeMarket, caller: str, provider: str, trade_id: int, delivered: int, now: int) -> Result:
    """FPR-3, FPR-7: ``caller`` anchors, for ``provider``, the delivery evidence of this market's trade
    ``trade_id`` with ``delivered`` Wh, recorded now (``Fingerprints.anchorRecord``); any trade id or amount,
    executed or not: the fingerprints know nothing of trades."""
    kind, payload = int(fp.Kind.DELIVERY_EVIDENCE), evidence_hash(tm.address, trade_id, delivered)
    fingerprints, events = fp.anchor_record(tm.fingerprints, caller, provider, kind, now, payload, now)
    return replace(tm, fingerprints=fingerprints), events


def certify_execution(tm: TradeMarket, caller: str, trade_id: int, approve: bool, now: int) -> Result:
    """TRD-5: each certifier of the trade votes once; a strict majority of them decides. A pass needs the
    grid's anchored delivery evidence of the very execution record, made from the delivery time on (FPR-7);
    an opposing vote does not. A rejected execution refunds the buyer's escrow and unlocks the seller's Wh."""
    trade = _trade(tm, trade_id)
    _stage(trade.status == TradeStatus.EXECUTED, trade_id, trade)
    if caller not in tm.certifiers[: trade.certifiers]:
        raise NotCertifier(caller)
    if caller in trade.voters:
        raise AlreadyVoted(caller)
    if approve and not evidenced(tm, trade_id):
        raise NoDeliveryEvidence(trade_id, trade.delivered)
    trade = replace(
        trade,
        voters=trade.voters | {caller},
        passes=trade.passes + int(approve),
        opposes=trade.opposes + int(not approve),
    )
    out: list = [ExecutionVoted(trade_id, caller, approve)]
    e = tm.energy
    if certified(trade.passes, trade.certifiers):
        trade = replace(trade, status=TradeStatus.CERTIFIED)
        out.append(ExecutionCertified(trade_id, True))
    elif rejected(trade.opposes, trade.certifiers):
        trade = replace(trade, status=TradeStatus.REJECTED)
        seller = e.accounts[trade.seller]
        e = en.with_account(e, trade.seller, replace(seller, balance=add(seller.balance, trade.volume)))
        e = en.credit(replace(e, locked=e.locked - trade.volume), trade.buyer, escrow(trade, tm.fee))
        out.append(ExecutionCertified(trade_id, False))
    return _with_trade(tm, trade_id, trade, energy=e), out


def clear_trade(tm: TradeMarket, trade_id: int, now: int) -> Result:
    """TRD-6: once the trading period of its delivery time is over, a certified trade is cleared into
    that period's totals (anyone)."""
    trade = _trade(tm, trade_id)
    period = period_of(trade.delivery_time)
    _stage(trade.status == TradeStatus.CERTIFIED and now >= (period + 1) * PERIOD, trade_id, trade)
    totals = tm.periods.get(period, Period())
    totals = Period(
        totals.trades + 1, add(totals.energy, trade.delivered), add(totals.money, mul(trade.delivered, trade.price))
    )
    tm = _with_trade(tm, trade_id, replace(trade, status=TradeStatus.CLEARED), periods={**tm.periods, period: totals})
    return tm, [TradeCleared(trade_id, period)]


def settle_trade(tm: TradeMarket, trade_id: int, now: int) -> Result:
    """TRD-7: a cleared trade settles: the seller is paid delivered × price, the third party the fee,
    the buyer gets back the undelivered part; the delivered Wh go to the buyer, the rest back to the seller."""
    trade = _trade(tm, trade_id)
    _stage(trade.status == TradeStatus.CLEARED, trade_id, trade)
    payment = mul(trade.delivered, trade.price)
    refund = mul(trade.volume - trade.delivered, trade.price)
    e = tm.energy
    buyer, seller = e.accounts[trade.buyer], e.accounts[trade.seller]
    e = en.with_account(e, trade.buyer, replace(buyer, balance=add(buyer.balance, trade.delivered)))
    seller = e.accounts[trade.seller]
    e = en.with_account(e, trade.seller, replace(seller, balance=add(seller.balance, trade.volume - trade.delivered)))
    e = replace(e, locked=e.locked - trade.volume)
    e = en.credit(en.credit(en.credit(e, trade.seller, payment), tm.fee_recipient, tm.fee), trade.buyer, refund)
    tm = _with_trade(tm, trade_id, replace(trade, status=TradeStatus.SETTLED), energy=e)
    value, delivered = mul(trade.volume, trade.price), trade.delivered == trade.volume
    tm, reputation = record_bilateral_trade(tm, tm.address, trade.seller, trade.buyer, value, delivered, now)
    return tm, [TradeSettled(trade_id, payment, tm.fee, refund), *reputation]


def link_bilateral(tm: TradeMarket, caller: str, bilateral: str) -> Result:
    """TRD-10: the auction's operator links the bilateral market that may write reputation, once."""
    if caller != tm.registry.operator:
        raise errors.NotOperator(caller)
    if tm.bilateral != mk.ZERO_ADDRESS or int(bilateral, 16) == 0:
        raise errors.AlreadyRegistered(bilateral)
    return replace(tm, bilateral=bilateral), []


def record_bilateral_trade(
    tm: TradeMarket, caller: str, seller: str, buyer: str, amount: int, delivered: bool, now: int
) -> Result:
    """TRD-10: the bilateral market (only) writes a settled trade of value ``amount`` into the auction's
    reputation: a full delivery is an honest sale and purchase, as a completed auction order (SET-2); a
    short one the seller's fraud, as a reported non-delivery (SET-3), with its ban."""
    if caller != tm.bilateral:
        raise NotBilateral(caller)
    registry, p = tm.registry, tm.registry.params
    before = registry.users[seller]
    if delivered:
        growth = seller_growth(before, amount, p)
        users = {seller: record_seller_trade(before, amount, True, now, p)}
        users[buyer] = record_buyer_trade(registry.users[buyer], amount, growth, True, now, p)
        events: list = [mk._reputation_event(a, u) for a, u in users.items()]
    else:
        users = {seller: record_seller_trade(before, amount, False, now, p)}
        events = mk._fraud_events(seller, before, users[seller])
    return replace(tm, registry=replace(registry, users={**registry.users, **users})), events


def settle_auction_energy(tm: TradeMarket, order_id: int) -> Result:
    """ENG-8: a completed auction order's quantity moves, once, from the seller's kWh assets to the winner's."""
    if not 0 <= order_id < len(tm.registry.orders):
        raise errors.UnknownOrder(order_id)
    order = tm.registry.orders[order_id]
    if order.status != mk.OrderStatus.COMPLETED:
        raise errors.WrongPhase(order_id, int(order.status))
    if order_id in tm.energy_settled:
        raise EnergySettledAlready(order_id)
    seller = en.account_of(tm.energy, order.seller)
    en.account_of(tm.energy, order.winner)
    if seller.balance < order.quantity:
        raise en.InsufficientEnergy(seller.balance, order.quantity)
    e = en.move(tm.energy, order.seller, order.winner, order.quantity)
    tm = replace(tm, energy=e, energy_settled=tm.energy_settled | {order_id})
    return tm, [AuctionEnergySettled(order_id, order.quantity)]
