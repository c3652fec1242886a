"""One Ethereum chain interface for every check that runs contracts, with swappable engines.

Deploy compiled :class:`~verify.toolchain.compiler.Artifact` objects, call and transact, read decoded
events and revert reasons, snapshot and revert, and move the clock. A reverted transaction is never
mined: the state, the clock and the sender's nonce stay as they were.

``Chain(accounts, backend)`` opens one of :data:`BACKENDS`: ``eth-tester`` (py-evm, real transactions
with fees; the default, or ``$FAIRWATT_CHAIN``), ``pyrevm`` (revm: the fast engine of the campaigns;
message calls without fees, so its gas figures are not those of transactions) or the URL of a JSON-RPC
node (``http://127.0.0.1:8545``; :mod:`verify.toolchain.node` starts a local anvil). Every backend uses
the same accounts (private keys 1, 2, ...) and the same block rule: each transaction is mined in its own
block one second after the latest one, unless :meth:`Chain.time_travel` set the clock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar

from eth_abi import decode, encode
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

from verify.toolchain.abi import decoder, encoder
from verify.toolchain.compiler import Artifact

PANIC = bytes.fromhex("4e487b71")
ERROR_STRING = bytes.fromhex("08c379a0")

GAS_LIMIT = 30_000_000
"""Gas limit of the chain's blocks (mainnet's 30M)."""
TX_GAS = GAS_LIMIT - 1_000_000
"""Gas limit of every transaction: ample; the fee is charged on the gas actually used."""
FUNDS = 10**24
"""Wei every account starts with (eth-tester's million ether)."""
CHAIN_ID = 131277322940537
"""The chain id of eth-tester, used by every in-process backend and by the anvil fairwatt starts."""

BACKENDS = ("eth-tester", "pyrevm", "rpc")
"""Engines: ``rpc`` is named by the node's URL."""
FAST = "pyrevm"
"""The engine of the differential campaign and the mutation campaign."""
REAL_GAS = ("eth-tester", "rpc")
"""Engines whose gas figures are those of real transactions (the gas experiment runs on one of them)."""


def default_backend() -> str:
    """``$FAIRWATT_CHAIN``, or eth-tester."""
    return os.environ.get("FAIRWATT_CHAIN", "eth-tester")


def account_keys(count: int) -> list[Any]:
    """The private keys 1..count, eth-tester's accounts."""
    return [keys.PrivateKey(i.to_bytes(32, "big")) for i in range(1, count + 1)]


@dataclass(frozen=True)
class Outcome:
    """What one transaction did: success, or the revert decoded by name."""

    ok: bool
    """True when the transaction was mined successfully."""
    error: str | None = None
    """The custom error's name, ``Panic`` or ``Error`` (a revert string), or ``None``."""
    error_args: tuple = ()
    """The decoded arguments of the error."""
    events: list[tuple[str, dict]] = field(default_factory=list)
    """Decoded events in log order as ``(name, args)``."""
    gas_used: int = 0
    """``gasUsed`` of the receipt, including the 21,000 base (pyrevm: the message call's gas)."""
    fee: int = 0
    """Wei the sender paid for gas."""
    value: Any = None
    """For a deployment, the deployed :class:`Contract`; else the transaction hash when there is one."""
    mined: bool = False
    """Whether a block was mined for it: every success, and a failure only when the transaction was sent
    although its dry run passed; a revert is never mined (the chain stays exactly where it was)."""


# -- ABI ---------------------------------------------------------------------------------------


def _signature(entry: dict) -> str:
    def typ(arg: dict) -> str:
        if arg["type"].startswith("tuple"):
            return "(" + ",".join(typ(c) for c in arg["components"]) + ")" + arg["type"][5:]
        return arg["type"]

    return f"{entry['name']}({','.join(typ(a) for a in entry['inputs'])})"


def _types(entry: dict) -> list[str]:
    return [_signature({"name": "", "inputs": [a]})[1:-1] for a in entry["inputs"]]


@lru_cache(maxsize=65_536)
def checksum(address: str) -> str:
    """``to_checksum_address``, remembered: the same few addresses come back over and over."""
    return to_checksum_address(address)


def _decode(types: list[str] | tuple[str, ...], data: bytes) -> tuple:
    """ABI-decode ``data`` like eth-abi; addresses come back checksummed, as web3 gives them."""
    return decoder(tuple(types))(data)


def _bytes(value: str | bytes) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


@dataclass(frozen=True)
class Call:
    """One encoded function call of a deployed contract."""

    address: str
    abi: dict
    """The function's ABI entry."""
    data: bytes
    """Selector and ABI-encoded arguments."""
    returns: tuple[str, ...] = ()
    """The ABI types of the return values."""


class _Function:
    def __init__(self, address: str, entry: dict):
        self.address, self.entry = address, entry
        self.selector = keccak(text=_signature(entry))[:4]
        self.types = _types(entry)
        self.encode = encoder(tuple(self.types))
        self.returns = tuple(_types({"inputs": entry.get("outputs", [])}))
        self.calls: dict[tuple, Call] = {}
        """Calls already encoded, by their (hashable) arguments: views are read again every step."""

    def __call__(self, *args: Any) -> Call:
        try:
            return self.calls[args]
        except (KeyError, TypeError):  # TypeError: a list among the arguments
            call = Call(self.address, self.entry, self.selector + self.encode(args), self.returns)
        try:
            if len(self.calls) < 4096:
                self.calls[args] = call
        except TypeError:
            pass
        return call


class Functions:
    """``contract.functions.name(*args)``: an encoded :class:`Call`."""

    def __init__(self, address: str, abi: list[dict]):
        self._table = {e["name"]: _Function(address, e) for e in abi if e["type"] == "function"}

    def __getattr__(self, name: str) -> _Function:
        try:
            return self._table[name]
        except KeyError:
            raise AttributeError(f"the contract has no function {name}") from None


class Contract:
    """A contract deployed at ``address`` with ``abi``; engine-independent."""

    def __init__(self, address: str, abi: list[dict]):
        self.address = checksum(address)
        self.abi = abi
        self.functions = Functions(self.address, abi)


# -- the interface -----------------------------------------------------------------------------


class Chain:
    """A fresh chain with funded accounts; every contract deployed on it decodes its own logs.

    ``Chain(accounts, backend)`` returns the engine named by ``backend`` (see the module's doc).
    """

    ENGINE: ClassVar[str] = ""
    """The backend's name in :data:`BACKENDS`."""
    _registry: ClassVar[dict[str, type[Chain]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Chain._registry[cls.ENGINE] = cls

    def __new__(cls, accounts: int = 10, backend: str | None = None) -> Chain:
        if cls is not Chain:
            return super().__new__(cls)
        name = backend or default_backend()
        engine = "rpc" if name.startswith(("http://", "https://")) else name
        if engine not in BACKENDS:
            raise ValueError(f"unknown chain backend {name!r}: one of eth-tester, pyrevm or a node's http:// URL")
        _load(engine)
        return super().__new__(Chain._registry[engine])

    def __init__(self, accounts: int = 10, backend: str | None = None):
        self.keys = account_keys(accounts)
        self.accounts: list[str] = [k.public_key.to_checksum_address() for k in self.keys]
        self.chain_id: int = CHAIN_ID
        """What ``chainid()`` returns in a contract: part of every sealed quote's context (QUO-5)."""
        self.latest = self.number = 0
        """Timestamp and number of the latest block, where the engine keeps the clock itself."""
        self.nonces: dict[str, int] = {}
        """Each sender's next nonce, where the engine counts them itself."""
        self.moves = 0
        """How often the chain moved (a block mined, the clock set, a snapshot reverted to): two reads
        at the same count read the same state. A revert is no move: it is never mined."""
        self._snapshots: list[tuple[Any, int, int, dict[str, int]]] = []
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        self._events: dict[bytes, _EventLayout] = {}

    @property
    def real_gas(self) -> bool:
        """Whether ``gas_used`` and ``fee`` are those of real transactions."""
        return self.ENGINE in REAL_GAS

    # -- what each engine provides -------------------------------------------------------------

    def _execute(self, sender: str, to: str | None, data: bytes, value: int) -> Outcome:
        """Run one transaction (``to=None``: a deployment, ``Outcome.value`` the new address)."""
        raise NotImplementedError

    def _view(self, sender: str, to: str, data: bytes) -> bytes:
        """The return data of a read-only call at the latest block."""
        raise NotImplementedError

    def _mine_empty(self, timestamp: int) -> None:
        """Mine an empty block at ``timestamp`` (engines that keep the clock in ``latest``, ``number``)."""
        raise NotImplementedError

    # -- the clock: the latest block's ``latest`` timestamp and ``number``; each mined transaction one
    # block, one second later (engines whose node keeps the clock, eth-tester, override these three)

    def now(self) -> int:
        """Timestamp of the latest block."""
        return self.latest

    def pending_timestamp(self) -> int:
        """The timestamp the next transaction will execute at."""
        return self.latest + 1

    def time_travel(self, timestamp: int) -> None:
        """Make the next transaction execute at ``timestamp`` (later than the pending one): like
        eth-tester, an empty block is mined just before it."""
        if timestamp <= self.latest:
            raise ValueError(f"time travel to {timestamp}: the chain is already at {self.latest}")
        self._mine_empty(timestamp - 1)
        self.latest, self.number = timestamp - 1, self.number + 1
        self.moves += 1

    def balance(self, address: str) -> int:
        raise NotImplementedError

    def _take_snapshot(self) -> Any:
        """The engine's own snapshot (with :meth:`_restore`, for engines that keep the clock)."""
        raise NotImplementedError

    def _restore(self, snapshot: Any) -> None:
        raise NotImplementedError

    def snapshot(self) -> Any:
        """A snapshot to :meth:`revert` to, once, newest first."""
        self._snapshots.append((self._take_snapshot(), self.latest, self.number, dict(self.nonces)))
        return len(self._snapshots) - 1

    def revert(self, snapshot: Any) -> None:
        if snapshot != len(self._snapshots) - 1:
            raise ValueError(f"{self.ENGINE} reverts snapshots newest first, once each: {snapshot} is not the newest")
        engine, self.latest, self.number, self.nonces = self._snapshots.pop()
        self._restore(engine)
        self.moves += 1

    def close(self) -> None:
        """Release what the engine holds (nothing, for the in-process ones)."""

    # -- contracts -----------------------------------------------------------------------------

    def _learn(self, abi: list[dict]) -> None:
        for entry in abi:
            if entry["type"] == "error":
                self._errors[keccak(text=_signature(entry))[:4]] = (entry["name"], _types(entry))
            elif entry["type"] == "event":
                self._events[keccak(text=_signature(entry))] = _EventLayout.of(entry)

    def deploy(self, artifact: Artifact, *args: Any, sender: str | None = None, value: int = 0) -> Outcome:
        """Deploy ``artifact``; ``Outcome.value`` is the :class:`Contract` on success."""
        self._learn(artifact.abi)
        constructor: dict = next((e for e in artifact.abi if e["type"] == "constructor"), {"inputs": []})
        data = bytes.fromhex(artifact.bytecode) + encode(_types(constructor), args)
        outcome = self._execute(sender or self.accounts[0], None, data, value)
        self.moves += outcome.mined
        if outcome.ok:
            contract = Contract(outcome.value, artifact.abi)
            return Outcome(
                True, events=outcome.events, gas_used=outcome.gas_used, fee=outcome.fee, value=contract, mined=True
            )
        return outcome

    def at(self, artifact: Artifact, address: str) -> Contract:
        """The contract ``artifact`` already deployed at ``address``."""
        self._learn(artifact.abi)
        return Contract(address, artifact.abi)

    def transact(self, call: Call, sender: str | None = None, value: int = 0) -> Outcome:
        """Send ``call`` (e.g. ``contract.functions.placeBid(...)``) as a transaction."""
        outcome = self._execute(sender or self.accounts[0], call.address, call.data, value)
        self.moves += outcome.mined
        return outcome

    def call(self, call: Call, sender: str | None = None) -> Any:
        """Read-only call at the latest block, decoded like web3 does (one output: the value itself)."""
        values = _decode(call.returns, self._view(sender or self.accounts[0], call.address, call.data))
        return values[0] if len(values) == 1 else values

    # -- decoding ------------------------------------------------------------------------------

    def decode_revert(self, data: bytes) -> Outcome:
        """A revert's data as ``Outcome(ok=False, error=name, error_args=...)``."""
        selector, body = data[:4], data[4:]
        if selector == PANIC:
            return Outcome(False, error="Panic", error_args=tuple(decode(["uint256"], body)))
        if selector == ERROR_STRING:
            return Outcome(False, error="Error", error_args=tuple(decode(["string"], body)))
        if selector in self._errors:
            name, types = self._errors[selector]
            return Outcome(False, error=name, error_args=_decode(types, body))
        return Outcome(False, error="Revert" if not data else "UnknownError", error_args=(data.hex(),))

    def decode_logs(self, logs: list) -> list[tuple[str, dict]]:
        """Decode every log (``{address, topics, data}``) whose event some deployed ABI declares;
        unknown logs are kept raw."""
        events = []
        for log in logs:
            topics = [_bytes(t) for t in log["topics"]]
            topic0 = topics[0] if topics else b""
            if topic0 not in self._events:
                events.append(("UnknownEvent", {"address": log["address"], "data": log["data"]}))
                continue
            layout = self._events[topic0]
            args: dict[str, Any] = {}
            for (name, types), topic in zip(layout.indexed, topics[1:], strict=True):
                args[name] = _decode(types, topic)[0]
            values = _decode(layout.plain_types, _bytes(log["data"]))
            args.update(zip(layout.plain, values, strict=True))
            events.append((layout.name, {name: args[name] for name in layout.order}))
        return events


@dataclass(frozen=True)
class _EventLayout:
    """Where an event's arguments are: the indexed ones in topics, the rest ABI-encoded in the data."""

    name: str
    order: tuple[str, ...]
    """Every argument's name, in the declaration's order."""
    indexed: tuple[tuple[str, tuple[str, ...]], ...]
    plain: tuple[str, ...]
    plain_types: tuple[str, ...]

    @classmethod
    def of(cls, entry: dict) -> _EventLayout:
        indexed = tuple((a["name"], tuple(_types({"inputs": [a]}))) for a in entry["inputs"] if a["indexed"])
        plain = [a for a in entry["inputs"] if not a["indexed"]]
        order = tuple(a["name"] for a in entry["inputs"])
        return cls(entry["name"], order, indexed, tuple(a["name"] for a in plain), tuple(_types({"inputs": plain})))


def _load(engine: str) -> None:
    """Import the module of ``engine`` (each registers its class)."""
    if engine == "eth-tester":
        import verify.toolchain.ethtester  # noqa: F401
    elif engine == "pyrevm":
        import verify.toolchain.revm  # noqa: F401
    else:
        import verify.toolchain.rpc  # noqa: F401
