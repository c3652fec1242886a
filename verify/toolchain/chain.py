"""An in-process Ethereum chain (eth-tester on py-evm) for every check that runs contracts.

Deploy compiled :class:`~verify.toolchain.compiler.Artifact` objects, call and
transact, read decoded events and revert reasons, snapshot and revert, and move
the clock. A reverted transaction is never mined: the state stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.providers.eth_tester import EthereumTesterProvider

from verify.toolchain.compiler import Artifact

PANIC = bytes.fromhex("4e487b71")
ERROR_STRING = bytes.fromhex("08c379a0")

GAS_LIMIT = 30_000_000
"""Gas limit of the chain's blocks (mainnet's 30M)."""


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
    """``gasUsed`` of the receipt, including the 21,000 base."""
    value: Any = None
    """For a deployment, the deployed contract."""


def _signature(entry: dict) -> str:
    def typ(arg: dict) -> str:
        if arg["type"].startswith("tuple"):
            return "(" + ",".join(typ(c) for c in arg["components"]) + ")" + arg["type"][5:]
        return arg["type"]

    return f"{entry['name']}({','.join(typ(a) for a in entry['inputs'])})"


def _types(entry: dict) -> list[str]:
    return [_signature({"name": "", "inputs": [a]})[1:-1] for a in entry["inputs"]]


def _decode(types: list[str], data: bytes) -> tuple:
    """ABI-decode ``data``; addresses come back checksummed, as web3 gives them."""
    values = decode(types, data)
    return tuple(to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True))


def _bytes(value: str | bytes) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def _revert_data(failure: TransactionFailed) -> bytes:
    """The raw revert bytes inside eth-tester's exception (sometimes wrapped once more)."""
    raw = failure.args[0] if failure.args else b""
    if isinstance(raw, Exception):
        raw = raw.args[0] if raw.args else b""
    return raw if isinstance(raw, bytes) else str(raw).encode()


class Chain:
    """A fresh chain with funded accounts; every contract deployed on it decodes its own logs."""

    def __init__(self, accounts: int = 10):
        state = PyEVMBackend.generate_genesis_state(num_accounts=accounts)
        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": GAS_LIMIT})
        self.tester = EthereumTester(PyEVMBackend(genesis_parameters=params, genesis_state=state))
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts: list[str] = list(self.w3.eth.accounts)
        self._errors: dict[bytes, tuple[str, list[str]]] = {}
        self._events: dict[bytes, tuple[dict, list[str]]] = {}

    # -- contracts -----------------------------------------------------------------

    def _learn(self, abi: list[dict]) -> None:
        for entry in abi:
            if entry["type"] == "error":
                self._errors[keccak(text=_signature(entry))[:4]] = (entry["name"], _types(entry))
            elif entry["type"] == "event":
                self._events[keccak(text=_signature(entry))] = (entry, _types(entry))

    def deploy(self, artifact: Artifact, *args: Any, sender: str | None = None, value: int = 0) -> Outcome:
        """Deploy ``artifact``; ``Outcome.value`` is the web3 contract on success."""
        self._learn(artifact.abi)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        outcome = self._send(factory.constructor(*args), sender, value)
        if outcome.ok:
            contract = self.w3.eth.contract(address=to_checksum_address(outcome.value), abi=artifact.abi)
            return Outcome(True, events=outcome.events, gas_used=outcome.gas_used, value=contract)
        return outcome

    def at(self, artifact: Artifact, address: str) -> Contract:
        """The contract ``artifact`` already deployed at ``address``."""
        self._learn(artifact.abi)
        return self.w3.eth.contract(address=to_checksum_address(address), abi=artifact.abi)

    def transact(self, call: Any, sender: str | None = None, value: int = 0) -> Outcome:
        """Send ``call`` (e.g. ``contract.functions.placeBid(...)``) as a transaction."""
        return self._send(call, sender, value)

    def _send(self, call: Any, sender: str | None, value: int) -> Outcome:
        built = call.build_transaction({"from": sender or self.accounts[0], "value": value, "gas": GAS_LIMIT})
        tx = {"from": built["from"], "value": value, "data": built["data"]}
        if built.get("to"):
            tx["to"] = built["to"]
        try:
            gas = self.tester.estimate_gas(tx)
        except TransactionFailed as failure:
            return self.decode_revert(_revert_data(failure))
        receipt = self.tester.get_transaction_receipt(self.tester.send_transaction({**tx, "gas": gas}))
        if receipt["status"] != 1:  # out of gas after a good estimate: report it, never hide it
            return Outcome(False, error="OutOfGas", gas_used=receipt["gas_used"])
        value_out = receipt["contract_address"] or receipt["transaction_hash"]
        return Outcome(
            True, events=self.decode_logs(receipt["logs"]), gas_used=receipt["gas_used"], value=value_out
        )

    def call(self, call: Any, sender: str | None = None) -> Any:
        """Read-only call."""
        return call.call({"from": sender or self.accounts[0]})

    # -- decoding ------------------------------------------------------------------

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
        """Decode every log whose event some deployed ABI declares; unknown logs are kept raw."""
        events = []
        for log in logs:
            topics = [_bytes(t) for t in log["topics"]]
            topic0 = topics[0] if topics else b""
            if topic0 not in self._events:
                events.append(("UnknownEvent", {"address": log["address"], "data": log["data"]}))
                continue
            entry, _ = self._events[topic0]
            indexed = [a for a in entry["inputs"] if a["indexed"]]
            plain = [a for a in entry["inputs"] if not a["indexed"]]
            args: dict[str, Any] = {}
            for arg, topic in zip(indexed, topics[1:], strict=True):
                args[arg["name"]] = _decode(_types({"inputs": [arg]}), topic)[0]
            values = _decode(_types({"inputs": plain}), _bytes(log["data"]))
            args.update({a["name"]: v for a, v in zip(plain, values, strict=True)})
            events.append((entry["name"], {a["name"]: args[a["name"]] for a in entry["inputs"]}))
        return events

    # -- time, balances, snapshots -------------------------------------------------

    def now(self) -> int:
        """Timestamp of the latest block."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def time_travel(self, timestamp: int) -> None:
        """Mine a block at ``timestamp`` (must be later than the latest block)."""
        self.tester.time_travel(timestamp)

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(ChecksumAddress(to_checksum_address(address))))

    def snapshot(self) -> int:
        return int(self.tester.take_snapshot())

    def revert(self, snapshot: int) -> None:
        self.tester.revert_to_snapshot(snapshot)
