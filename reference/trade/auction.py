"""The bilateral market beside the auction: reputation written back through the auction's one hook (TRD-10)
and the energy of completed auction orders (ENG-9)."""

from __future__ import annotations

from dataclasses import replace

from reference import energy as en
from reference import errors
from reference import market as mk
from reference.reputation import record_buyer_trade, record_seller_trade, seller_growth
from reference.trade.state import AuctionEnergySettled, EnergySettledAlready, NotBilateral, Result, TradeMarket


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
    """ENG-9: a completed auction order's quantity moves, once, from the seller's kWh assets to the winner's."""
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
