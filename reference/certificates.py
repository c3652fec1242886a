"""Green certificates: seed 003's labels of clean energy (``spec/points.md``, CRT-1..CRT-3).

A certificate is issued only for a trade a market settled — a completed auction order (SET-2) or a settled
bilateral trade (TRD-7) — once per (market, trade), and numbers every Wh it covers with a running serial.
A seller's certificates never cover more Wh than its meter generated (CRT-4, ERR-41), so a reseller without
generation of its own (a sybil, a reseller of grid energy) has nothing to certify; the ledger stays fungible, so
a generator's resales draw on its own generation (CRT-4's documented limits). The claim
itself, which also grants the trade points, is :func:`reference.points.claim_certificate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from reference import energy as en
from reference import errors
from reference import market as mk
from reference import trade as tr


class MarketKind(IntEnum):
    """Which market a certificate's trade comes from. The integers are the contract's."""

    AUCTION = 0
    BILATERAL = 1


# -- errors (the contract's custom errors) ----------------------------------------------------------


class UnknownMarket(errors.FairwattError):
    """The market kind is neither the auction (0) nor the bilateral market (1)."""


class NoSuchTrade(errors.FairwattError):
    """The market has no order or trade with this id: ``(market, trade_id)``."""


class TradeNotSettled(errors.FairwattError):
    """The order is not completed or its energy not settled (ENG-9), or the trade not settled:
    ``(market, trade_id, status)``."""


class NothingDelivered(errors.FairwattError):
    """The settled trade delivered no energy: there is nothing to label."""


class CertifiedAlready(errors.FairwattError):
    """A certificate was issued for this trade already: ``(market, trade_id)``."""


class NotGenerated(errors.FairwattError):
    """The seller's meter generated too few Wh not yet certified: ``(source, available, quantity)`` (CRT-4)."""


# -- events and state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateIssued:
    certificate_id: int
    market: int
    trade_id: int
    source: str
    buyer: str
    quantity: int
    first_serial: int


@dataclass(frozen=True)
class Certificate:
    """CRT-1: ``quantity`` Wh of clean energy from ``source`` (the selling prosumer's meter) to ``buyer``,
    numbered ``first_serial`` .. ``first_serial + quantity − 1``."""

    market: int
    trade_id: int
    source: str
    buyer: str
    quantity: int
    first_serial: int


def settled_trade(markets: tr.TradeMarket, market: int, trade_id: int) -> tuple[str, str, int]:
    """CRT-1: (source, buyer, Wh delivered) of a completed auction order whose energy ENG-9 settled, or of a
    settled bilateral trade."""
    if market == MarketKind.AUCTION:
        orders = markets.registry.orders
        if not 0 <= trade_id < len(orders):
            raise NoSuchTrade(market, trade_id)
        order = orders[trade_id]
        if order.status != mk.OrderStatus.COMPLETED or trade_id not in markets.energy_settled:
            raise TradeNotSettled(market, trade_id, int(order.status))  # ENG-9 moved no Wh yet
        return order.seller, order.winner, order.quantity
    if market == MarketKind.BILATERAL:
        trades = markets.trades
        if not 0 <= trade_id < len(trades):
            raise NoSuchTrade(market, trade_id)
        trade = trades[trade_id]
        if trade.status != tr.TradeStatus.SETTLED:
            raise TradeNotSettled(market, trade_id, int(trade.status))
        return trade.seller, trade.buyer, trade.delivered
    raise UnknownMarket(market)


def certificates_unique(certificates: tuple[Certificate, ...], certified: frozenset[tuple[int, int]]) -> bool:
    """CRT-2: one certificate per trade, and no Wh numbered twice."""
    keys = [(c.market, c.trade_id) for c in certificates]
    spans = sorted((c.first_serial, c.first_serial + c.quantity) for c in certificates)
    disjoint = all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    return len(set(keys)) == len(keys) and disjoint and set(keys) == set(certified)


def certified_by(certificates: tuple[Certificate, ...], source: str) -> int:
    """CRT-4: the Wh certified with ``source`` as their source."""
    return sum(c.quantity for c in certificates if c.source == source)


def check_generated(
    energy: en.EnergyAccounts, certificates: tuple[Certificate, ...], source: str, quantity: int
) -> None:
    """CRT-4: ``quantity`` more Wh from ``source`` fit within what its meter generated and is not certified yet."""
    available = en.generated_of(energy, source) - certified_by(certificates, source)
    if quantity > available:
        raise NotGenerated(source, available, quantity)


def certified_within_generation(certificates: tuple[Certificate, ...], energy: en.EnergyAccounts) -> bool:
    """CRT-4: for every source, the Wh certified are at most the Wh its meter generated."""
    sources = {c.source for c in certificates}
    return all(certified_by(certificates, s) <= en.generated_of(energy, s) for s in sources)
