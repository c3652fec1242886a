"""Drive the power points and green certificates (and the two markets they read) in the reference model's
vocabulary: each method is named after a transition of :mod:`reference.points`, :mod:`reference.market`,
:mod:`reference.trade` or :mod:`reference.energy` and takes the same arguments (``now`` excepted)."""

from __future__ import annotations

from dataclasses import dataclass

from reference import points as pts
from verify.steps import OnChain
from verify.toolchain.chain import Outcome
from verify.toolchain.compiler import Artifact
from verify.trade.driver import ContractTrade
from verify.trade.roles import REFUSING, ROLES, address

CONTRACT = "GreenCertificates"
ADDRESS = {role: address(role) for role in (*ROLES, REFUSING)}
"""Role names to addresses, derived once (a key's address costs an elliptic-curve multiplication)."""
CLAIMER = "stranger"
"""Who sends ``claim_certificate``: anyone may, the certificate is the buyer's whatever the sender."""


@dataclass
class ContractPoints(OnChain):
    """The auction, the bilateral market and GreenCertificates reading both, on one chain."""

    markets: ContractTrade
    contract: object

    @classmethod
    def deploy(cls, artifacts: dict[str, Artifact], backend: str | None = None) -> ContractPoints:
        markets = ContractTrade.deploy(artifacts, backend)
        g = pts.load_grants()
        deployed = markets.chain.deploy(
            artifacts[CONTRACT], markets.auction.address, markets.address,
            g.registration, g.trade_per_kwh, g.verification, sender=address("genesis"),
        )  # fmt: skip
        if not deployed.ok:
            raise RuntimeError(f"deploying {CONTRACT} failed: {deployed.error}{deployed.error_args}")
        return cls(markets, deployed.value)

    @property
    def chain(self):
        return self.markets.chain

    def _send(self, call, sender: str, value: int = 0) -> Outcome:
        """As the markets' driver sends: :data:`REFUSING`'s calls relayed through its wallet."""
        return self.markets._send(call, sender, value)

    def __getattr__(self, name: str):
        """The markets' transitions: the bilateral market's and the energy accounts' from its driver, the
        auction's from the auction's driver."""
        if name in ("markets", "contract"):
            raise AttributeError(name)
        if name in AUCTION:
            return getattr(self.markets.auction, name)
        return getattr(self.markets, name)

    # -- points and certificates ------------------------------------------------------------------

    def claim_registration_grant(self, caller: str) -> Outcome:
        return self._send(self.f.claimRegistrationGrant(), caller)

    def claim_certificate(self, market: int, trade_id: int) -> Outcome:
        return self._send(self.f.claimCertificate(market, trade_id), address(CLAIMER))

    def claim_verification_grant(self, caller: str, trade_id: int) -> Outcome:
        return self._send(self.f.claimVerificationGrant(trade_id), caller)

    def transfer_points(self, caller: str, target: str, amount: int) -> Outcome:
        return self._send(self.f.transferPoints(target, amount), caller)

    def spend_points(self, caller: str, amount: int) -> Outcome:
        return self._send(self.f.spendPoints(amount), caller)

    def offer_points(self, caller: str, amount: int, price: int) -> Outcome:
        return self._send(self.f.offerPoints(amount, price), caller)

    def buy_points(self, caller: str, offer_id: int, value: int) -> Outcome:
        return self._send(self.f.buyPoints(offer_id), caller, value)

    def cancel_offer(self, caller: str, offer_id: int) -> Outcome:
        return self._send(self.f.cancelOffer(offer_id), caller)

    def withdraw_proceeds(self, caller: str) -> Outcome:
        return self._send(self.f.withdrawProceeds(), caller)

    # -- observable state ----------------------------------------------------------------------------

    def state(self, roles: tuple[str, ...] = ROLES) -> dict:
        """The observable state, shaped as :func:`verify.points.vectors.model_state`."""
        call, f, energy = self.chain.call, self.f, self.markets.f
        accounts = {
            role: {
                "points": call(f.pointsOf(ADDRESS[role])),
                "pending": call(f.pending(ADDRESS[role])),
                "registration_claimed": call(f.registrationClaimed(ADDRESS[role])),
                "generated": call(energy.generatedOf(ADDRESS[role])),
                "certified_by": call(f.certifiedBy(ADDRESS[role])),
            }
            for role in roles
        }
        offers = [list(call(f.getOffer(i))) for i in range(call(f.offerCount()))]
        certificates = []
        for i in range(call(f.certificateCount())):
            source, market, buyer, quantity, first, trade_id = call(f.getCertificate(i))
            certificates.append([market, trade_id, source, buyer, quantity, first])
        return {
            "wei": self.chain.balance(self.address),
            "granted": call(f.granted()),
            "burned": call(f.burned()),
            "supply": call(f.totalSupply()),
            "certified_wh": call(f.certifiedWh()),
            "accounts": accounts,
            "offers": offers,
            "certificates": certificates,
        }


AUCTION = ("post_order", "place_bid", "disclose_key", "open_bids", "settle", "pay_price", "confirm_delivery")
"""Auction steps the auction's driver takes as the model does."""
