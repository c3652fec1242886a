"""Drive a deployed market contract with the reference model's vocabulary.

Each method is named after a transition of :mod:`reference.market` and takes the same arguments
(``now`` excepted: the chain's clock is moved by :meth:`ContractMarket.at_time`). It returns the
chain's :class:`~verify.toolchain.chain.Outcome`: success with decoded events, or the revert by name.
The driver plays the public opener: it rebuilds each order's bids from ``BidPlaced`` events and
supplies them, with the hash-chain value below the batch, to ``openBids``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eth_abi import encode
from eth_utils import keccak

from reference.quotes import Ciphertext, Point
from verify.toolchain.abi import decoder, encoder
from verify.toolchain.chain import Chain, Outcome
from verify.toolchain.compiler import CONTRACTS, Artifact, compile_tree

MARKET = "FairwattMarket"
CHAIN_SEED = keccak(text="fairwatt.bid-chain")[:28]
"""H_0 of every order's bid chain (AUC-2)."""


def link(below: bytes, bidder: str, ciphertext: Ciphertext) -> bytes:
    """One step of a market's bid hash chain (AUC-2): 28 bytes of keccak256 over the ABI encoding."""
    data = encode(
        ["bytes28", "address", "uint256", "uint256", "uint256"],
        [below, bidder, ciphertext.c1[0], ciphertext.c1[1], ciphertext.c2],
    )
    return keccak(data)[:28]


@dataclass(frozen=True)
class Observed:
    """A market's observable state as its views return it, read in one call."""

    balance: int
    """The market's ether."""
    orders: tuple[bytes, ...]
    """``getOrder(i)``'s return data for every order."""
    users: tuple[bytes, ...]
    """``getUser(account)``'s return data for each account asked for."""
    ether: tuple[int, ...]
    """Each account's ether."""


@dataclass
class ContractMarket:
    """A market contract on an in-process chain."""

    chain: Chain
    artifact: Artifact
    operator: str
    contract: object = None
    bids: dict[int, list[tuple[str, Ciphertext]]] = field(default_factory=dict)
    """Per order, the bids in order, as the ``BidPlaced`` events told them."""
    proxies: dict[str, object] = field(default_factory=dict)
    """Contract accounts (address -> web3 contract) that act through their own forwarding functions
    ``bid``, ``pay``, ``confirm`` and ``withdraw``; the operator sends (and funds) those transactions."""
    reader: object = None
    """A ``StateReader`` (``verify/differential/mocks``): the whole observable state in one call."""
    _last_read: tuple[tuple, Observed] | None = None

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        contracts: Path = CONTRACTS,
        operator: str | None = None,
        artifacts: dict | None = None,
    ) -> ContractMarket:
        artifacts = artifacts or compile_tree(contracts)
        operator = operator or chain.accounts[0]
        market = cls(chain, artifacts[MARKET], operator)
        deployed = chain.deploy(market.artifact, operator, sender=operator)
        if not deployed.ok:
            raise RuntimeError(f"deploying {MARKET} failed: {deployed.error}{deployed.error_args}")
        market.contract = deployed.value
        return market

    # -- plumbing ------------------------------------------------------------------------

    @property
    def functions(self):
        return self.contract.functions  # type: ignore[attr-defined]

    @property
    def address(self) -> str:
        return self.contract.address  # type: ignore[attr-defined]

    def snapshot(self) -> tuple[int, dict]:
        """A chain snapshot together with the bids the driver has seen."""
        return self.chain.snapshot(), {k: list(v) for k, v in self.bids.items()}

    def revert(self, snapshot: tuple[int, dict]) -> None:
        chain_snapshot, bids = snapshot
        self.chain.revert(chain_snapshot)
        self.bids = {k: list(v) for k, v in bids.items()}

    def at_time(self, timestamp: int) -> None:
        """Make the next transaction's block carry ``timestamp``; an earlier time leaves the clock alone."""
        if timestamp > self.chain.pending_timestamp():
            self.chain.time_travel(timestamp)

    def _send(self, call, sender: str, value: int = 0) -> Outcome:
        return self.observe(self.chain.transact(call, sender=sender, value=value))

    def observe(self, outcome: Outcome) -> Outcome:
        """Record the bids of a transaction sent by anyone (a contract bidding through the market too)."""
        for name, args in outcome.events:
            if name == "BidPlaced":
                ciphertext = Ciphertext((args["c1x"], args["c1y"]), args["c2"])
                self.bids.setdefault(args["orderId"], []).append((args["bidder"], ciphertext))
        return outcome

    # -- transitions ---------------------------------------------------------------------

    def register_user(self, caller: str, account: str) -> Outcome:
        return self._send(self.functions.registerUser(account), caller)

    def post_order(self, seller: str, quantity: int, start_price: int, deposit: int, public_key: Point) -> Outcome:
        call = self.functions.postOrder(quantity, start_price, deposit, public_key[0], public_key[1])
        return self._send(call, seller)

    def place_bid(self, bidder: str, order_id: int, ciphertext: Ciphertext, value: int) -> Outcome:
        args = (order_id, ciphertext.c1[0], ciphertext.c1[1], ciphertext.c2)
        if bidder in self.proxies:
            return self._send(self.proxies[bidder].functions.bid(*args), self.operator, value)  # type: ignore[attr-defined]
        return self._send(self.functions.placeBid(*args), bidder, value)

    def disclose_key(self, caller: str, order_id: int, private_key: int) -> Outcome:
        return self._send(self.functions.discloseKey(order_id, private_key), caller)

    def open_batch(self, order_id: int, count: int) -> tuple[bytes, list[tuple]]:
        """The calldata that opens the newest ``count`` unopened bids: chain value below, and the bids."""
        bids = self.bids.get(order_id, [])
        opened = self.order(order_id)["opened"] if order_id < self.order_count() else 0
        remaining = len(bids) - opened
        first = max(remaining - count, 0)
        below = CHAIN_SEED
        for bidder, ciphertext in bids[:first]:
            below = link(below, bidder, ciphertext)
        batch = [(b, c.c1[0], c.c1[1], c.c2) for b, c in bids[first:remaining]]
        return below, batch

    def open_bids(self, order_id: int, count: int, caller: str | None = None) -> Outcome:
        below, batch = self.open_batch(order_id, count)
        return self._send(self.functions.openBids(order_id, below, batch), caller or self.operator)

    def settle(self, order_id: int, caller: str | None = None) -> Outcome:
        return self._send(self.functions.settle(order_id), caller or self.operator)

    def claim_seller_default(self, order_id: int, caller: str | None = None) -> Outcome:
        return self._send(self.functions.claimSellerDefault(order_id), caller or self.operator)

    def pay_price(self, caller: str, order_id: int, value: int) -> Outcome:
        if caller in self.proxies:
            return self._send(self.proxies[caller].functions.pay(order_id), self.operator, value)  # type: ignore[attr-defined]
        return self._send(self.functions.payPrice(order_id), caller, value)

    def claim_buyer_default(self, order_id: int, caller: str | None = None) -> Outcome:
        return self._send(self.functions.claimBuyerDefault(order_id), caller or self.operator)

    def confirm_delivery(self, caller: str, order_id: int) -> Outcome:
        if caller in self.proxies:
            return self._send(self.proxies[caller].functions.confirm(order_id), self.operator)  # type: ignore[attr-defined]
        return self._send(self.functions.confirmDelivery(order_id), caller)

    def claim_delivery_timeout(self, order_id: int, caller: str | None = None) -> Outcome:
        return self._send(self.functions.claimDeliveryTimeout(order_id), caller or self.operator)

    def report_non_delivery(self, caller: str, order_id: int) -> Outcome:
        return self._send(self.functions.reportNonDelivery(order_id), caller)

    def withdraw(self, caller: str) -> Outcome:
        if caller in self.proxies:
            return self._send(self.proxies[caller].functions.withdraw(), self.operator)  # type: ignore[attr-defined]
        return self._send(self.functions.withdraw(), caller)

    # -- observable state ----------------------------------------------------------------

    def order_count(self) -> int:
        return int(self.chain.call(self.functions.orderCount()))

    def order(self, order_id: int) -> dict:
        return dict(zip(self._fields("getOrder"), self.chain.call(self.functions.getOrder(order_id)), strict=True))

    def user(self, account: str) -> dict:
        return dict(zip(self._fields("getUser"), self.chain.call(self.functions.getUser(account)), strict=True))

    def view_fields(self, function: str) -> list[str]:
        """The names of view ``function``'s struct fields, as the implementation's ABI declares them."""
        return list(self._fields(function))

    def _fields(self, function: str) -> list[str]:
        """The names of a view's struct fields, read from the ABI once per driver."""
        cache = self.__dict__.setdefault("_field_names", {})
        if function not in cache:
            cache[function] = [o["name"] for o in _outputs(self.artifact, function)]
        return cache[function]

    def balance(self) -> int:
        return self.chain.balance(self.address)

    def read_state(self, accounts: list[str]) -> Observed:
        """The market's ether, every order's and ``accounts``' raw view data, and their ether: one call,
        made again only once the chain has moved (:attr:`Chain.moves`): a reverted transaction leaves the
        chain, its clock included, exactly where it was, so the last read still stands."""
        if self.reader is None:
            raise RuntimeError("no StateReader deployed beside the market (build_world deploys one)")
        key = (self.chain.moves, tuple(accounts))
        if self._last_read is not None and self._last_read[0] == key:
            return self._last_read[1]
        self._last_read = key, self._read(accounts)
        return self._last_read[1]

    def _read(self, accounts: list[str]) -> Observed:
        blob = self.chain.call(self.reader.functions.read(self.address, tuple(accounts)))  # type: ignore[attr-defined]
        at = 64

        def take() -> bytes:
            nonlocal at
            size = int.from_bytes(blob[at : at + 32], "big")
            data, at = blob[at + 32 : at + 32 + size], at + 32 + -(-size // 32) * 32
            return data

        orders = tuple(take() for _ in range(int.from_bytes(blob[32:64], "big")))
        users, ether = [], []
        for _ in accounts:
            users.append(take())
            ether.append(int.from_bytes(blob[at : at + 32], "big"))
            at += 32
        return Observed(int.from_bytes(blob[:32], "big"), orders, tuple(users), tuple(ether))

    def decode_order(self, raw: bytes) -> dict:
        """``getOrder``'s raw return data by field name, as :meth:`order` gives it."""
        return dict(zip(self._fields("getOrder"), decoder(self.functions.getOrder.returns)(raw)[0], strict=True))

    def encode_order(self, view: dict) -> bytes:
        """``view`` (by field name, as :meth:`decode_order` gives it) encoded as ``getOrder`` returns it."""
        return encoder(self.functions.getOrder.returns)((tuple(view[n] for n in self._fields("getOrder")),))

    def encode_user(self, view: dict) -> bytes:
        """``view`` (by field name, as :meth:`decode_user` gives it) encoded as ``getUser`` returns it."""
        return encoder(self.functions.getUser.returns)((tuple(view[n] for n in self._fields("getUser")),))

    def decode_user(self, raw: bytes) -> dict:
        """``getUser``'s raw return data by field name, as :meth:`user` gives it."""
        return dict(zip(self._fields("getUser"), decoder(self.functions.getUser.returns)(raw)[0], strict=True))

    def bid_context(self, order_id: int, bidder: str) -> int:
        """The context the implementation opens ``bidder``'s quotes for ``order_id`` in (QUO-5)."""
        return int(self.chain.call(self.functions.bidContext(order_id, bidder)))


def _outputs(artifact: Artifact, function: str) -> list[dict]:
    entry = next(e for e in artifact.abi if e.get("name") == function and e["type"] == "function")
    return entry["outputs"][0]["components"]
