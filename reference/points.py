"""Power points and green certificates: seed 003's payment and labelling rules (``spec/points.md``,
PTS-1..PTS-7, CRT-1..CRT-3).

Nothing is issued from thin air: every grant and every certificate is claimed against a fact the markets
already hold — a registered user (MKT-1), a completed auction order (SET-2), a settled bilateral trade
(TRD-7), a certifier's recorded vote (TRD-5). The markets are read, never written: ``markets`` is the
bilateral market, whose ``registry`` is the auction. Points are whole numbers; money is wei.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from enum import IntEnum

from reference import certificates as crt
from reference import errors, payments
from reference import trade as tr
from reference.fixedpoint import UINT128_MAX, add, mul
from reference.params import PARAMS_FILE

WH_PER_KWH = 1000


class Grant(IntEnum):
    """Why points were granted (seed 003 §3.3, situations 1-3). The integers are the contract's."""

    REGISTRATION = 0
    TRADE = 1
    VERIFICATION = 2


@dataclass(frozen=True)
class Grants:
    """The grant amounts, fixed at deployment from ``spec/params.toml`` ``[points]``."""

    registration: int
    """Points for a registered user's first claim (PTS-1)."""
    trade_per_kwh: int
    """Points per whole kWh of a certificate, to its seller and to its buyer each (PTS-2)."""
    verification: int
    """Points for one recorded certification vote (PTS-3)."""


def load_grants() -> Grants:
    """The ``[points]`` table of ``spec/params.toml``."""
    table = tomllib.loads(PARAMS_FILE.read_text())["points"]
    return Grants(table["registration_grant"], table["trade_grant_per_kwh"], table["verification_grant"])


# -- errors (the contract's custom errors) --------------------------------------------------------


class RegistrationClaimed(errors.FairwattError):
    """The account has claimed its registration grant already."""


class NotVerifier(errors.FairwattError):
    """The account recorded no certification vote on this trade: ``(trade_id, account)``."""


class VerificationClaimed(errors.FairwattError):
    """The vote's verification grant was claimed already: ``(trade_id, account)``."""


class InvalidPoints(errors.FairwattError):
    """An amount of points of zero, or above 2^128 − 1."""


class InvalidPrice(errors.FairwattError):
    """A price per point of zero, or above 2^128 − 1."""


class InsufficientPoints(errors.FairwattError):
    """The account holds fewer points than it moves: ``(balance, amount)``."""


class NoSuchOffer(errors.FairwattError):
    """No points offer has this id."""


class OfferClosed(errors.FairwattError):
    """The offer was bought or cancelled already."""


class NotOfferMaker(errors.FairwattError):
    """Only the offer's maker may cancel it."""


# -- events -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointsGranted:
    account: str
    grant: int
    amount: int


@dataclass(frozen=True)
class PointsTransferred:
    source: str
    target: str
    amount: int


@dataclass(frozen=True)
class PointsSpent:
    account: str
    amount: int


@dataclass(frozen=True)
class PointsOffered:
    offer_id: int
    maker: str
    amount: int
    price: int


@dataclass(frozen=True)
class PointsBought:
    offer_id: int
    buyer: str
    paid: int


@dataclass(frozen=True)
class OfferCancelled:
    offer_id: int


@dataclass(frozen=True)
class Withdrawn:
    account: str
    amount: int


# -- state ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """PTS-6: ``amount`` points escrowed by ``maker`` for sale at ``price`` wei each."""

    maker: str
    amount: int
    price: int
    open: bool = True


@dataclass(frozen=True)
class Green:
    markets: tr.TradeMarket
    """The bilateral market, its ``registry`` the auction: read only."""
    grants: Grants
    balances: dict[str, int] = field(default_factory=dict)
    granted: int = 0
    """Points ever granted."""
    burned: int = 0
    """Points ever spent."""
    offers: tuple[Offer, ...] = ()
    certificates: tuple[crt.Certificate, ...] = ()
    certified: frozenset[tuple[int, int]] = frozenset()
    """(market, trade id) pairs with a certificate (CRT-2)."""
    registered: frozenset[str] = frozenset()
    """Accounts that claimed their registration grant."""
    verified: frozenset[tuple[int, str]] = frozenset()
    """(trade id, certifier) votes whose grant was claimed."""
    pending: dict[str, int] = field(default_factory=dict)
    """Withdrawable wei from points sold."""
    balance: int = 0
    """Wei the contract holds."""


Result = tuple[Green, list]


# -- helpers ---------------------------------------------------------------------------------------------


def supply(g: Green) -> int:
    """Points in existence: granted minus burned."""
    return g.granted - g.burned


def escrowed(g: Green) -> int:
    """Points held by open offers."""
    return sum(o.amount for o in g.offers if o.open)


def points_conserved(g: Green) -> bool:
    """PTS-7: every point granted and not burned is in exactly one balance or one open offer."""
    return sum(g.balances.values()) + escrowed(g) == supply(g) and g.burned <= g.granted


def _grant(g: Green, account: str, kind: Grant, amount: int) -> tuple[Green, list]:
    if amount == 0:
        return g, []
    balances = {**g.balances, account: add(g.balances.get(account, 0), amount)}
    return replace(g, balances=balances, granted=add(g.granted, amount)), [PointsGranted(account, int(kind), amount)]


def _check_points(amount: int) -> None:
    if not 0 < amount <= UINT128_MAX:
        raise InvalidPoints(amount)


def _debit(g: Green, account: str, amount: int) -> Green:
    _check_points(amount)
    held = g.balances.get(account, 0)
    if held < amount:
        raise InsufficientPoints(held, amount)
    return replace(g, balances={**g.balances, account: held - amount})


def _user(g: Green, account: str) -> None:
    if account not in g.markets.registry.users:
        raise errors.NotRegistered(account)


def _offer(g: Green, offer_id: int) -> Offer:
    if not 0 <= offer_id < len(g.offers):
        raise NoSuchOffer(offer_id)
    offer = g.offers[offer_id]
    if not offer.open:
        raise OfferClosed(offer_id)
    return offer


def _with_offer(g: Green, offer_id: int, offer: Offer, **changes) -> Green:
    return replace(g, offers=g.offers[:offer_id] + (offer,) + g.offers[offer_id + 1 :], **changes)


def trade_grant(grants: Grants, quantity: int) -> int:
    """PTS-2: points for each side of a certificate of ``quantity`` Wh: whole kWh × the per-kWh grant."""
    return mul(quantity // WH_PER_KWH, grants.trade_per_kwh)


# -- claims -----------------------------------------------------------------------------------------------


def claim_registration_grant(g: Green, caller: str) -> Result:
    """PTS-1: a registered user claims the registration grant, once."""
    _user(g, caller)
    if caller in g.registered:
        raise RegistrationClaimed(caller)
    return _grant(replace(g, registered=g.registered | {caller}), caller, Grant.REGISTRATION, g.grants.registration)


def claim_certificate(g: Green, market: int, trade_id: int) -> Result:
    """CRT-1, CRT-2, CRT-4, PTS-2: anyone claims the certificate of a settled clean-energy trade, once per
    trade and within the Wh its seller's meter generated; the buyer holds it, and seller and buyer are each
    granted points per whole kWh."""
    source, buyer, quantity = crt.settled_trade(g.markets, market, trade_id)
    if quantity == 0:
        raise crt.NothingDelivered(market, trade_id)
    if (market, trade_id) in g.certified:
        raise crt.CertifiedAlready(market, trade_id)
    crt.check_generated(g.markets.energy, g.certificates, source, quantity)
    first = sum(c.quantity for c in g.certificates)
    certificate = crt.Certificate(market, trade_id, source, buyer, quantity, first)
    g = replace(g, certificates=g.certificates + (certificate,), certified=g.certified | {(market, trade_id)})
    out: list = [crt.CertificateIssued(len(g.certificates) - 1, market, trade_id, source, buyer, quantity, first)]
    points = trade_grant(g.grants, quantity)
    for account in (source, buyer):
        g, granted = _grant(g, account, Grant.TRADE, points)
        out += granted
    return g, out


def claim_verification_grant(g: Green, caller: str, trade_id: int) -> Result:
    """PTS-3: a certifier whose vote on a bilateral trade is recorded claims the verification grant, once per vote."""
    trade = g.markets.trades[trade_id] if 0 <= trade_id < len(g.markets.trades) else None
    if trade is None or caller not in trade.voters:
        raise NotVerifier(trade_id, caller)
    if (trade_id, caller) in g.verified:
        raise VerificationClaimed(trade_id, caller)
    g = replace(g, verified=g.verified | {(trade_id, caller)})
    return _grant(g, caller, Grant.VERIFICATION, g.grants.verification)


# -- the ledger ---------------------------------------------------------------------------------------------


def transfer_points(g: Green, caller: str, target: str, amount: int) -> Result:
    """PTS-4: the caller moves its own points to a registered user."""
    _user(g, target)
    g = _debit(g, caller, amount)
    g = replace(g, balances={**g.balances, target: add(g.balances.get(target, 0), amount)})
    return g, [PointsTransferred(caller, target, amount)]


def spend_points(g: Green, caller: str, amount: int) -> Result:
    """PTS-5: the caller spends points on its electricity charges: they are burned, so spent once."""
    g = _debit(g, caller, amount)
    return replace(g, burned=add(g.burned, amount)), [PointsSpent(caller, amount)]


def offer_points(g: Green, caller: str, amount: int, price: int) -> Result:
    """PTS-6: a registered user escrows ``amount`` points for sale at ``price`` wei per point."""
    _user(g, caller)
    _check_points(amount)
    if not 0 < price <= UINT128_MAX:
        raise InvalidPrice(price)
    g = _debit(g, caller, amount)
    offer_id = len(g.offers)
    return replace(g, offers=g.offers + (Offer(caller, amount, price),)), [
        PointsOffered(offer_id, caller, amount, price)
    ]


def buy_points(g: Green, caller: str, offer_id: int, value: int) -> Result:
    """PTS-6: a registered user pays exactly amount × price wei for an open offer; the points are its,
    the wei the maker's to withdraw."""
    _user(g, caller)
    offer = _offer(g, offer_id)
    due = mul(offer.amount, offer.price)
    if value != due:
        raise errors.WrongPayment(value, due)
    balances = {**g.balances, caller: add(g.balances.get(caller, 0), offer.amount)}
    pending = payments.credit(g.pending, offer.maker, value)
    g = _with_offer(g, offer_id, replace(offer, open=False), balances=balances, pending=pending)
    return replace(g, balance=add(g.balance, value)), [PointsBought(offer_id, caller, value)]


def cancel_offer(g: Green, caller: str, offer_id: int) -> Result:
    """PTS-6: the maker takes an open offer's points back."""
    offer = _offer(g, offer_id)
    if caller != offer.maker:
        raise NotOfferMaker(caller)
    balances = {**g.balances, caller: add(g.balances.get(caller, 0), offer.amount)}
    return _with_offer(g, offer_id, replace(offer, open=False), balances=balances), [OfferCancelled(offer_id)]


def withdraw_proceeds(g: Green, caller: str, receiver_accepts: bool = True) -> Result:
    """PTS-6: pull payment of the caller's whole pending wei (``receiver_accepts``: :func:`payments.pay_out`)."""
    pending, amount = payments.pay_out(g.pending, caller, receiver_accepts)
    return replace(g, pending=pending, balance=g.balance - amount), [Withdrawn(caller, amount)]


def is_solvent(g: Green) -> bool:
    """PTS-6: the wei the contract holds is exactly the pending balances."""
    return g.balance == sum(g.pending.values())
