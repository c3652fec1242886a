"""The seven stages of a bilateral trade (TRD-1..TRD-7): declare, match, authenticate, execute, certify,
clear and settle."""

from __future__ import annotations

from dataclasses import replace

from reference import energy as en
from reference import errors
from reference.fixedpoint import add, mul
from reference.reputation import is_banned
from reference.trade.auction import record_bilateral_trade
from reference.trade.evidence import evidenced
from reference.trade.state import (
    PERIOD,
    UINT40_MAX,
    AlreadyVoted,
    AskAboveBid,
    CertifierAdded,
    ExcessDelivery,
    ExecutionCertified,
    ExecutionVoted,
    InvalidMatch,
    InvalidOffer,
    MatchAuthenticated,
    NoCertifiers,
    NoDeliveryEvidence,
    NotBuyer,
    NotCertifier,
    Offer,
    OfferDeclared,
    Period,
    Result,
    Side,
    Trade,
    TradeCleared,
    TradeExecuted,
    TradeMarket,
    TradeMatched,
    TradeSettled,
    TradeStatus,
    escrow,
    get_offer,
    get_period,
    get_trade,
    period_of,
    require_stage,
    with_trade,
)
from reference.trade.terms import require_signed


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
    ask, bid = get_offer(tm, ask_id), get_offer(tm, bid_id)
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
    trade = get_trade(tm, trade_id)
    require_stage(trade.status == TradeStatus.MATCHED and now < trade.delivery_time, trade_id, trade)
    if caller != trade.buyer:
        raise NotBuyer(caller)
    require_signed(tm, trade_id, trade, trade.seller, seller_signature)
    require_signed(tm, trade_id, trade, trade.buyer, buyer_signature)
    due = escrow(trade, tm.fee)
    if value != due:
        raise errors.WrongPayment(value, due)
    seller = en.account_of(tm.energy, trade.seller)
    if seller.balance < trade.volume:
        raise en.InsufficientEnergy(seller.balance, trade.volume)
    e = en.with_account(tm.energy, trade.seller, replace(seller, balance=seller.balance - trade.volume))
    e = replace(e, locked=add(e.locked, trade.volume), balance=add(e.balance, value))
    tm = with_trade(tm, trade_id, replace(trade, status=TradeStatus.AUTHENTICATED), energy=e)
    return tm, [MatchAuthenticated(trade_id, value)]


def record_execution(tm: TradeMarket, caller: str, trade_id: int, delivered: int, now: int) -> Result:
    """TRD-4: from the delivery time on, the grid named at deployment (only it: the provider of the evidence,
    FPR-7) records the metered delivery (0 when the delivery was blocked); the certifiers registered now are
    the ones who vote."""
    if caller != tm.grid:
        raise en.NotPermitted(caller, en.ISSUE)
    trade = get_trade(tm, trade_id)
    require_stage(trade.status == TradeStatus.AUTHENTICATED and now >= trade.delivery_time, trade_id, trade)
    if delivered > trade.volume:
        raise ExcessDelivery(delivered, trade.volume)
    if not tm.certifiers:
        raise NoCertifiers()
    trade = replace(trade, status=TradeStatus.EXECUTED, delivered=delivered, certifiers=len(tm.certifiers))
    return with_trade(tm, trade_id, trade), [TradeExecuted(trade_id, delivered)]


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


def certify_execution(tm: TradeMarket, caller: str, trade_id: int, approve: bool, now: int) -> Result:
    """TRD-5: each certifier of the trade votes once; a strict majority of them decides. A pass needs the
    grid's anchored delivery evidence of the very execution record, made from the delivery time on (FPR-7);
    an opposing vote does not. A rejected execution refunds the buyer's escrow and unlocks the seller's Wh."""
    trade = get_trade(tm, trade_id)
    require_stage(trade.status == TradeStatus.EXECUTED, trade_id, trade)
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
        e = en.add_energy(e, trade.seller, trade.volume)
        e = en.credit(replace(e, locked=e.locked - trade.volume), trade.buyer, escrow(trade, tm.fee))
        out.append(ExecutionCertified(trade_id, False))
    return with_trade(tm, trade_id, trade, energy=e), out


def clear_trade(tm: TradeMarket, trade_id: int, now: int) -> Result:
    """TRD-6: once the trading period of its delivery time is over, a certified trade is cleared into
    that period's totals (anyone)."""
    trade = get_trade(tm, trade_id)
    period = period_of(trade.delivery_time)
    require_stage(trade.status == TradeStatus.CERTIFIED and now >= (period + 1) * PERIOD, trade_id, trade)
    totals = get_period(tm, period)
    energy = en.to_uint128(totals.energy + trade.delivered)
    totals = Period(totals.trades + 1, energy, add(totals.money, mul(trade.delivered, trade.price)))
    tm = with_trade(tm, trade_id, replace(trade, status=TradeStatus.CLEARED), periods={**tm.periods, period: totals})
    return tm, [TradeCleared(trade_id, period)]


def settle_trade(tm: TradeMarket, trade_id: int, now: int) -> Result:
    """TRD-7: a cleared trade settles: the seller is paid delivered × price, the third party the fee,
    the buyer gets back the undelivered part; the delivered Wh go to the buyer, the rest back to the seller."""
    trade = get_trade(tm, trade_id)
    require_stage(trade.status == TradeStatus.CLEARED, trade_id, trade)
    payment = mul(trade.delivered, trade.price)
    refund = mul(trade.volume - trade.delivered, trade.price)
    e = en.add_energy(tm.energy, trade.buyer, trade.delivered)
    e = en.add_energy(e, trade.seller, trade.volume - trade.delivered)
    e = replace(e, locked=e.locked - trade.volume)
    e = en.credit(en.credit(en.credit(e, trade.seller, payment), tm.fee_recipient, tm.fee), trade.buyer, refund)
    tm = with_trade(tm, trade_id, replace(trade, status=TradeStatus.SETTLED), energy=e)
    value, delivered = mul(trade.volume, trade.price), trade.delivered == trade.volume
    tm, reputation = record_bilateral_trade(tm, tm.address, trade.seller, trade.buyer, value, delivered, now)
    return tm, [TradeSettled(trade_id, payment, tm.fee, refund), *reputation]
