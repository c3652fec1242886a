"""An in-process Ethereum chain (eth-tester on py-evm) for every check that runs contracts.

Deploy compiled :class:`~verify.toolchain.compiler.Artifact` objects, call and
transact, read decoded events and revert reasons, snapshot and revert, and move
the clock. A reverted transaction is never mined: the state stays as it was.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode, encode
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
TX_GAS = GAS_LIMIT - 1_000_000
"""Gas limit of every transaction: ample; the fee is charged on the gas actually used."""


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
    fee: int = 0
    """Wei the sender paid for gas."""
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


def _plain(value: Any) -> Any:
    """Tuples and lists as eth-abi decodes them; addresses inside structs checksummed."""
    if isinstance(value, tuple | list):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


def _bytes(value: str | bytes) -> bytes:
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def _revert_data(failure: TransactionFailed) -> bytes:
    """The raw revert bytes inside eth-tester's exception.

    ``estimate_gas`` wraps py-evm's ``Revert(bytes)``; ``call`` gives ``str()`` of it (a bytes repr),
    or the decoded message of an ``Error(string)`` revert, which is re-encoded here.
    """
    raw = failure.args[0] if failure.args else b""
    if isinstance(raw, Exception):
        raw = raw.args[0] if raw.args else b""
    if isinstance(raw, bytes):
        return raw
    text = str(raw)
    if text.startswith(("b'", 'b"')):
        value = ast.literal_eval(text)
        if isinstance(value, bytes):
            return value
    return ERROR_STRING + encode(["string"], [text])


class Chain:
    """A fresh chain with funded accounts; every contract deployed on it decodes its own logs."""

    def __init__(self, accounts: int = 10):
        state = PyEVMBackend.generate_genesis_state(num_accounts=accounts)
        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": GAS_LIMIT})
        self.tester = EthereumTester(PyEVMBackend(genesis_parameters=params, genesis_state=state))
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts: list[str] = list(self.w3.eth.accounts)
        self.chain_id: int = int(self.w3.eth.chain_id)
        """What ``chainid()`` returns in a contract: part of every sealed quote's context (QUO-5)."""
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
        try:  # one dry run surfaces the revert data (gas estimation would run the call a dozen times)
            self.tester.call({**tx, "gas": TX_GAS}, block_number="pending")
        except TransactionFailed as failure:
            return self.decode_revert(_revert_data(failure))
        receipt = self.tester.get_transaction_receipt(self.tester.send_transaction({**tx, "gas": TX_GAS}))
        if receipt["status"] != 1:  # failed although the dry run passed: report it, never hide it
            return Outcome(False, error="OutOfGas", gas_used=receipt["gas_used"])
        value_out = receipt["contract_address"] or receipt["transaction_hash"]
        fee = receipt["gas_used"] * receipt["effective_gas_price"]
        events = self.decode_logs(receipt["logs"])
        return Outcome(True, events=events, gas_used=receipt["gas_used"], fee=fee, value=value_out)

    def call(self, call: Any, sender: str | None = None) -> Any:
        """Read-only call at the latest block, decoded like web3 does (one output: the value itself)."""
        abi = call.abi
        data = call._encode_transaction_data()
        tx = {"from": sender or self.accounts[0], "to": call.address, "data": data, "gas": TX_GAS}
        raw = self.tester.call(tx, block_number="latest")
        values = _decode(_types({"inputs": abi["outputs"]}), _bytes(raw))
        values = tuple(_plain(v) for v in values)
        return values[0] if len(values) == 1 else values

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

    def pending_timestamp(self) -> int:
        """The timestamp the next transaction will execute at."""
        return int(self.tester.get_block_by_number("pending")["timestamp"])

    def time_travel(self, timestamp: int) -> None:
        """Mine a block at ``timestamp`` (must be later than the latest block)."""
        self.tester.time_travel(timestamp)

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(ChecksumAddress(to_checksum_address(address))))

    def snapshot(self) -> int:
        return int(self.tester.take_snapshot())

    def revert(self, snapshot: int) -> None:
        self.tester.revert_to_snapshot(snapshot)
