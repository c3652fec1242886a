"""The power points' edge vectors: the ledger at the edges of its ranges and orders of checks, scripted on
the reference model like :mod:`verify.points.vectors` (whose script, format and replay they use); and the
replay of every points vector with the users and certifiers as contract accounts.

Each step is a real scenario: amounts at 2^64 and at 2^128 − 1 (in range) and 2^128 (not), prices likewise,
a payment due of 2^128 wei, a transfer to oneself, a buyer who holds points already, a maker paid twice
before withdrawing, a maker buying its own offer, an offer id one past the end, an amount and a price both
wrong (the amount is checked first), a certificate of less than one kWh (no grant, no event), a maker that
refuses its wei, an auction order's Wh settled before it completed, after it ended unsold, to a winner without
an energy account and from a seller without the Wh.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reference.quotes import public_key
from verify.fingerprints import wallets
from verify.points.driver import ContractPoints
from verify.points.vectors import DEPOSIT, GWEI, KEY, KWH, Script, auction_sale, certified_trade, setup
from verify.toolchain.chain import Call, Outcome
from verify.toolchain.compiler import Artifact
from verify.trade.roles import CERTIFIERS, REFUSING, ROLES, USERS, address

MAX = 2**128 - 1
"""The largest amount of points and the largest price (PTS-4, PTS-6)."""
RELAYER = "fee"
"""Who sends the wallets' transactions: an account that never acts in the points vectors."""


def scenarios() -> list[Script]:
    out = []
    s = setup("points_edges", ["PTS-4", "PTS-5", "PTS-6", "PTS-7"])
    for user in USERS:
        s.do("claim_registration_grant", user)  # 100 points each
    for amount in (2**64, MAX, MAX + 1):  # the amount is checked before the balance
        s.do("transfer_points", "u0", "u1", amount).do("spend_points", "u0", amount)
    s.do("transfer_points", "u0", "u0", 40)  # to oneself: nothing moves
    s.do("transfer_points", "u0", "u2", 100)  # the whole balance
    s.do("offer_points", "stranger", 5, 1)  # not a user, and holds nothing
    s.do("offer_points", "u2", 0, 0).do("offer_points", "u2", MAX + 1, MAX + 1)  # the amount is checked first
    s.do("offer_points", "u2", 2**64, 1).do("offer_points", "u2", MAX, 1)  # in range, beyond the balance
    s.do("offer_points", "u2", 1, MAX + 1).do("offer_points", "u2", 1, MAX)  # offer 0: the highest price
    s.do("offer_points", "u2", 1, 2**64).do("offer_points", "u2", 2, 2**127)  # offers 1, 2: 2^128 wei due
    s.do("buy_points", "u1", 2, 1).do("buy_points", "u1", 3, 1)  # a wrong payment; one past the last offer
    s.do("offer_points", "u2", 20, 10).do("offer_points", "u2", 4, 50)  # offers 3, 4: 200 wei each
    s.do("buy_points", "u1", 3, 201).do("buy_points", "u1", 3, 200)  # overpaid; paid by a holder of 100
    s.do("buy_points", "u1", 4, 200).do("buy_points", "u2", 1, 2**64)  # the maker paid twice; buys its own
    s.do("cancel_offer", "u2", 0).do("cancel_offer", "u2", 0).do("buy_points", "u1", 0, 1)  # closed
    s.do("withdraw_proceeds", "u2").do("withdraw_proceeds", "u2").do("withdraw_proceeds", "u1")
    s.do("spend_points", "u1", 124).do("spend_points", "u1", 1)  # the whole balance, then one more
    out.append(s)

    s = setup("points_grant_below_one_kwh", ["PTS-2", "CRT-1"])
    trade_id = certified_trade(s, 999, 999)  # a certificate of 999 Wh: no whole kWh, no grant
    s.do("claim_certificate", 1, trade_id)
    out.append(s)
    return [*out, refusing_receiver(), auction_energy_refusals()]


def auction_energy_refusals() -> Script:
    """ENG-9, CRT-1: an order's Wh settled while it is only paid (``WrongPhase``, below ``Completed``) and once
    it ended unsold (above it); a completed order whose winner has no energy account (``UnknownAccount``), and
    one whose seller holds less than the quantity (``InsufficientEnergy``); a certificate of an order two past
    the last (``NoSuchTrade``)."""
    s = setup("points_auction_energy_refusals", ["ENG-9", "CRT-1"])
    s.do("register_user", "genesis", "c2")  # a user without an energy account
    paid = auction_sale(s)
    s.do("settle_auction_energy", paid)
    unsold, key = len(s.g.markets.registry.orders), KEY + len(s.g.markets.registry.orders)
    s.do("post_order", "u0", KWH, GWEI, DEPOSIT, public_key(key))
    s.now = s.g.markets.registry.orders[unsold].bidding_end
    s.do("disclose_key", "u0", unsold, key).do("settle", unsold).do("settle_auction_energy", unsold)
    for seller, winner in (("u0", "c2"), ("u2", "u1")):  # u2 holds no Wh
        order_id = auction_sale(s, KWH, seller, winner, "u0" if seller == "u2" else "u2")
        s.do("confirm_delivery", winner, order_id).do("settle_auction_energy", order_id)
    return s.do("claim_certificate", 0, len(s.g.markets.registry.orders) + 1)


def refusing_receiver() -> Script:
    """PTS-6: a maker that is a contract refusing ether (``hostile``) sells points; its withdrawal reverts
    ``TransferFailed`` of itself, not of the relayer that sent it, and changes nothing — its wei stays owed —
    nor holds up another maker's."""
    s = setup("points_refusing_receiver", ["PTS-6"], roles=(*ROLES, REFUSING))
    s.do("register_user", "genesis", REFUSING)
    s.do("claim_registration_grant", REFUSING).do("claim_registration_grant", "u0")
    s.do("offer_points", REFUSING, 10, 3).do("offer_points", "u0", 10, 5)
    s.do("buy_points", "u1", 0, 30).do("buy_points", "u1", 1, 50)
    return s.do("withdraw_proceeds", REFUSING).do("withdraw_proceeds", "u0").do("withdraw_proceeds", REFUSING)


def generate(out: Path) -> list[Path]:
    """Write every scenario as ``out/<name>.json``."""
    from verify import vectors as auction_vectors

    return auction_vectors.generate(out, scenarios())


@dataclass
class WalletPoints(ContractPoints):
    """:class:`ContractPoints` whose users and certifiers are contract accounts: their points transactions
    go through the wallet code at their own address, sent by :data:`RELAYER` (the markets' steps are sent
    as from the account itself)."""

    wallet: Artifact | None = None

    @classmethod
    def deploy(cls, artifacts: dict[str, Artifact], backend: str | None = None) -> WalletPoints:
        base = ContractPoints.deploy(artifacts, backend)
        wallet = artifacts[wallets.WALLET]
        wallets.install(base.chain, wallet, [address(role) for role in USERS + CERTIFIERS])
        return cls(base.markets, base.contract, wallet)

    def _send(self, call: Call, sender: str, value: int = 0) -> Outcome:
        if self.wallet is not None and sender in WALLETS:
            call, sender = wallets.relayed(self.chain, self.wallet, call, sender), address(RELAYER)
        return super()._send(call, sender, value)

    def withdraw_proceeds(self, caller: str) -> Outcome:
        """PTS-6's pull payment, which must reach the caller's own account (:func:`wallets.paid`)."""
        return wallets.paid(self.chain, caller, lambda: super(WalletPoints, self).withdraw_proceeds(caller))


WALLETS = frozenset(address(role) for role in USERS + CERTIFIERS)
