"""Drive the bilateral market (and the auction it reads its users from) in the reference model's vocabulary.

Each method is named after a transition of :mod:`reference.energy`, :mod:`reference.trade` or
``register_user`` of :mod:`reference.market`, and takes the same arguments (``now`` excepted). It returns
the chain's :class:`~verify.toolchain.chain.Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reference import fingerprints as fp
from reference import trade as tr
from verify.driver import MARKET as AUCTION
from verify.driver import ContractMarket
from verify.fingerprints import wallets
from verify.steps import OnChain
from verify.toolchain.chain import Call, Chain, Outcome
from verify.toolchain.compiler import Artifact
from verify.trade.roles import FEE, MARKET, REFUSING, ROLES, TARIFF, address

CONTRACT = "BilateralMarket"
REFUSING_WALLET = "RefusingWallet"
"""``verify/differential/mocks/RefusingWallet.sol``: a ``Wallet`` that reverts when paid."""
TRADE_FIELDS = ("seller", "buyer", "volume", "price", "delivery_time", "status", "delivered", "certifiers")


def _done(outcome: Outcome, what: str) -> Outcome:
    if not outcome.ok:
        raise RuntimeError(f"{what} failed: {outcome.error}{outcome.error_args}")
    return outcome


@dataclass
class ContractTrade(OnChain):
    """The auction (the registry), the fingerprints and the bilateral market reading both, deployed by
    ``genesis`` on one chain; ``grid`` is the fingerprints' provider of delivery evidence (FPR-7)."""

    chain: Chain
    auction: ContractMarket
    contract: object
    fingerprints: object
    artifacts: dict[str, Artifact] = field(repr=False, default_factory=dict)
    backend: str | None = None

    @classmethod
    def deploy(cls, artifacts: dict[str, Artifact], backend: str | None = None, link: bool = True) -> ContractTrade:
        """Deploy on a fresh chain; the auction links the bilateral market (TRD-10) unless not ``link``."""
        chain = Chain(accounts=len(ROLES) + 1, backend=backend)  # the last: the wallets' relayer (trade.wallets)
        genesis, grid = address("genesis"), address("grid")
        trade = cls(chain, ContractMarket(chain, artifacts[AUCTION], genesis), None, None, artifacts, backend)
        trade.auction.contract = trade._create(AUCTION, genesis)
        trade.fingerprints = trade._create("Fingerprints")
        evidence = trade.fingerprints.address  # type: ignore[attr-defined]
        trade.contract = trade._create(CONTRACT, trade.auction.address, evidence, grid, TARIFF, FEE, address("fee"))
        if trade.address != MARKET:
            raise RuntimeError(f"{CONTRACT} deployed at {trade.address}, not at {MARKET} (verify.trade.roles)")
        if link:  # TRD-10: the bilateral market writes reputation into the auction's registry
            _done(trade._send(trade.auction.functions.linkBilateral(MARKET), genesis), "linking")
        register = trade.fingerprints.functions.registerParticipant(grid, int(fp.Role.PROVIDER))  # type: ignore[attr-defined]
        _done(trade._send(register, genesis), "registering the grid as a provider")
        return trade

    def _create(self, name: str, *args) -> object:
        """Contract ``name``, deployed by ``genesis`` with the constructor's ``args``."""
        deployed = self.chain.deploy(self.artifacts[name], *args, sender=address("genesis"))
        return _done(deployed, f"deploying {name}").value

    def linked(self) -> bool:
        return self.chain.call(self.auction.functions.bilateral()) == self.address

    @property
    def relayer(self) -> str:
        """The chain's account that is no role's: it sends what a contract account does."""
        return self.chain.accounts[-1]

    def install_refusing(self) -> None:
        """Put ``RefusingWallet``'s code at :data:`REFUSING`'s address (pyrevm): a contract account that
        refuses ether, whose every call its wallet makes and the relayer sends."""
        wallets.install(self.chain, self.artifacts[REFUSING_WALLET], [address(REFUSING)])

    def _send(self, call: Call, sender: str, value: int = 0) -> Outcome:
        if sender == address(REFUSING):
            return self._relay(call, sender, value)
        return self.chain.transact(call, sender=sender, value=value)

    def _relay(self, call: Call, sender: str, value: int = 0) -> Outcome:
        """``call`` as the wallet at ``sender``'s address makes it (``execute``), sent by the relayer."""
        relayed = wallets.relayed(self.chain, self.artifacts[wallets.WALLET], call, sender)
        return self.chain.transact(relayed, sender=self.relayer, value=value)

    # -- the registry (the auction's) -----------------------------------------------------

    def register_user(self, caller: str, account: str) -> Outcome:
        return self._send(self.auction.functions.registerUser(account), caller)

    # -- energy accounts ----------------------------------------------------------------------

    def create_account(self, caller: str, account: str, kind: int) -> Outcome:
        return self._send(self.f.createAccount(account, kind), caller)

    def issue_energy(self, caller: str, amount: int) -> Outcome:
        return self._send(self.f.issueEnergy(amount), caller)

    def transfer_energy(self, caller: str, target: str, amount: int, nonce: int) -> Outcome:
        return self._send(self.f.transferEnergy(target, amount, nonce), caller)

    def purchase_energy(self, caller: str, grid: str, amount: int, nonce: int, value: int) -> Outcome:
        return self._send(self.f.purchaseEnergy(grid, amount, nonce), caller, value)

    def report_generation(self, caller: str, account: str, nonce: int, amount: int) -> Outcome:
        return self._send(self.f.reportGeneration(account, nonce, amount), caller)

    def report_consumption(self, caller: str, account: str, nonce: int, amount: int) -> Outcome:
        return self._send(self.f.reportConsumption(account, nonce, amount), caller)

    def withdraw(self, caller: str) -> Outcome:
        return self._send(self.f.withdraw(), caller)

    # -- the seven stages -----------------------------------------------------------------------

    def declare_ask(self, seller: str, volume: int, price: int, delivery_time: int) -> Outcome:
        return self._send(self.f.declareAsk(volume, price, delivery_time), seller)

    def declare_bid(self, buyer: str, volume: int, price: int, delivery_time: int) -> Outcome:
        return self._send(self.f.declareBid(volume, price, delivery_time), buyer)

    def get_offer(self, offer_id: int) -> Outcome:
        """TRD-1's read, sent as a transaction: its revert (``UnknownOffer``) is an outcome like any other."""
        return self._send(self.f.getOffer(offer_id), address("genesis"))

    def match_offers(self, ask_id: int, bid_id: int) -> Outcome:
        return self._send(self.f.matchOffers(ask_id, bid_id), address("genesis"))

    def authenticate_match(
        self, caller: str, trade_id: int, seller_signature: bytes, buyer_signature: bytes, value: int
    ) -> Outcome:
        return self._send(self.f.authenticateMatch(trade_id, seller_signature, buyer_signature), caller, value)

    def record_execution(self, caller: str, trade_id: int, delivered: int) -> Outcome:
        return self._send(self.f.recordExecution(trade_id, delivered), caller)

    def add_certifier(self, caller: str, account: str) -> Outcome:
        return self._send(self.f.addCertifier(account), caller)

    def certify_execution(self, caller: str, trade_id: int, approve: bool) -> Outcome:
        return self._send(self.f.certifyExecution(trade_id, approve), caller)

    def clear_trade(self, trade_id: int) -> Outcome:
        return self._send(self.f.clearTrade(trade_id), address("genesis"))

    def settle_trade(self, trade_id: int) -> Outcome:
        return self._send(self.f.settleTrade(trade_id), address("genesis"))

    def settle_auction_energy(self, order_id: int) -> Outcome:
        return self._send(self.f.settleAuctionEnergy(order_id), address("genesis"))

    def record_bilateral_trade(self, caller: str, seller: str, buyer: str, amount: int, delivered: bool) -> Outcome:
        return self._send(self.auction.functions.recordBilateralTrade(seller, buyer, amount, delivered), caller)

    def link_bilateral(self, caller: str, bilateral: str) -> Outcome:
        return self._send(self.auction.functions.linkBilateral(bilateral), caller)

    # -- the fingerprints (FPR-7) -----------------------------------------------------------------

    def register_participant(self, caller: str, account: str, role: int) -> Outcome:
        return self._send(self.fingerprints.functions.registerParticipant(account, role), caller)  # type: ignore[attr-defined]

    def set_delegate(self, caller: str, delegate: str, allowed: bool) -> Outcome:
        return self._send(self.fingerprints.functions.setDelegate(delegate, allowed), caller)  # type: ignore[attr-defined]

    def anchor_record(self, caller: str, provider: str, kind: int, record_time: int, payload_hash: bytes) -> Outcome:
        call = self.fingerprints.functions.anchorRecord(provider, kind, record_time, payload_hash)  # type: ignore[attr-defined]
        return self._send(call, caller)

    def anchor_evidence(self, caller: str, provider: str, trade_id: int, delivered: int) -> Outcome:
        payload = tr.evidence_hash(self.address, trade_id, delivered)
        kind, now = int(fp.Kind.DELIVERY_EVIDENCE), self.chain.pending_timestamp()
        return self.anchor_record(caller, provider, kind, now, payload)

    # -- observable state -------------------------------------------------------------------------

    def state(self, roles: tuple[str, ...] = ROLES) -> dict:
        """The observable state, shaped as :func:`verify.trade.vectors.model_state`."""
        call = self.chain.call
        accounts = {}
        for role in roles:
            kind, parent, balance, nonce, meter, meter_nonce = call(self.f.getAccount(address(role)))
            accounts[role] = {
                "kind": kind,
                "parent": parent if kind else None,
                "balance": balance,
                "nonce": nonce,
                "meter": meter,
                "meter_nonce": meter_nonce,
                "pending": call(self.f.pending(address(role))),
                "supplied": call(self.f.isSupplied(address(role))),
            }
        offers = [tuple(call(self.f.getOffer(i))) for i in range(call(self.f.offerCount()))]
        trades = []
        for i in range(call(self.f.tradeCount())):
            raw = call(self.f.getTrade(i))
            seller, delivery, status, buyer, certifiers, passes, opposes, volume, price, delivered = raw
            trades.append((seller, buyer, volume, price, delivery, status, delivered, certifiers, passes, opposes))
        periods = {t[4] // 600: tuple(call(self.f.getPeriod(t[4] // 600))) for t in trades}
        fingerprints, grid = self.fingerprints.functions, call(self.f.grid())  # type: ignore[attr-defined]
        evidence = [
            tuple(call(fingerprints.recordOf(grid, tr.evidence_hash(self.address, i, t[6]))))
            for i, t in enumerate(trades)
        ]
        return {
            "balance": self.chain.balance(self.address),
            "issued": call(self.f.issued()),
            "consumed": call(self.f.consumed()),
            "locked": call(self.f.locked()),
            "accounts": accounts,
            "offers": offers,
            "trades": trades,
            "certifiers": [call(self.f.certifiers(i)) for i in range(call(self.f.certifierCount()))],
            "periods": periods,
            "evidence": evidence,
            "records": call(fingerprints.recordCount()),
            "bilateral": call(self.auction.functions.bilateral()),
        }
