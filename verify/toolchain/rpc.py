"""A JSON-RPC node as the chain: anvil (:mod:`verify.toolchain.node`) or any development node.

Transactions are signed here with the shared accounts' keys (funded with ``anvil_setBalance`` where the
node has it, else by a transfer from the node's first account) and sent raw; each is dry-run first with
``eth_call`` at the pending block's number and time, so that a reverting one is reported with its data
and never mined, as on the other engines. The clock follows the shared rule through
``evm_setNextBlockTimestamp``; snapshots are ``evm_snapshot``/``evm_revert``.
"""

from __future__ import annotations

import http.client
import json
import time
from typing import Any
from urllib.parse import urlsplit

from eth_account import Account

from verify.toolchain.chain import FUNDS, TX_GAS, Chain, Outcome, _bytes

GAS_PRICE = 10**10
"""Legacy gas price of every transaction: above any base fee of a development chain."""
RECEIPT_SECONDS = 30


class RpcError(Exception):
    """The node answered with an error."""

    def __init__(self, method: str, error: dict):
        super().__init__(f"{method}: {error.get('message', error)}")
        self.error = error


class RpcChain(Chain):
    ENGINE = "rpc"

    def __init__(self, accounts: int = 10, backend: str | None = None):
        super().__init__(accounts, backend)
        assert backend is not None
        self.url = backend
        where = urlsplit(backend)
        self._connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port or 80, timeout=60)
        self._path = where.path or "/"
        self._id = 0
        self._sync = True
        self.chain_id = int(self.rpc("eth_chainId"), 16)
        latest = self.rpc("eth_getBlockByNumber", "latest", False)
        self.latest, self.number = int(latest["timestamp"], 16), int(latest["number"], 16)
        self.nonces = {a: int(self.rpc("eth_getTransactionCount", a, "latest"), 16) for a in self.accounts}
        self._fund()

    def rpc(self, method: str, *params: Any) -> Any:
        self._id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)})
        self._connection.request("POST", self._path, body, {"Content-Type": "application/json"})
        reply = json.loads(self._connection.getresponse().read())
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply["result"]

    def _fund(self) -> None:
        poor = [a for a in self.accounts if self.balance(a) < FUNDS // 2]
        for account in poor:
            try:
                self.rpc("anvil_setBalance", account, hex(FUNDS))
            except RpcError:  # not anvil: a transfer from the node's own account
                source = self.rpc("eth_accounts")[0]
                tx = {"from": source, "to": account, "value": hex(FUNDS), "gas": hex(21_000)}
                self._receipt(self.rpc("eth_sendTransaction", tx))
        if poor:
            latest = self.rpc("eth_getBlockByNumber", "latest", False)
            self.latest, self.number = int(latest["timestamp"], 16), int(latest["number"], 16)

    def _receipt(self, tx_hash: str) -> dict:
        """The receipt, waited for up to :data:`RECEIPT_SECONDS` (automining nodes answer at once)."""
        deadline = time.monotonic() + RECEIPT_SECONDS
        while (receipt := self.rpc("eth_getTransactionReceipt", tx_hash)) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.url} did not mine {tx_hash} in {RECEIPT_SECONDS} s: start it with automine")
            time.sleep(0.005)
        return receipt

    def _send_raw(self, raw: bytes) -> dict:
        """Send a signed transaction; ``eth_sendRawTransactionSync`` (EIP-7966) returns its receipt at once."""
        if self._sync:
            try:
                return self.rpc("eth_sendRawTransactionSync", "0x" + raw.hex())
            except RpcError as failure:
                if failure.error.get("code") != -32601:  # method not found: an older node
                    raise
                self._sync = False
        return self._receipt(self.rpc("eth_sendRawTransaction", "0x" + raw.hex()))

    def _execute(self, sender: str, to: str | None, data: bytes, value: int) -> Outcome:
        call = {"from": sender, "data": "0x" + data.hex(), "value": hex(value), "gas": hex(TX_GAS)}
        if to is not None:
            call["to"] = to
        pending = {"time": hex(self.latest + 1), "number": hex(self.number + 1)}
        try:
            self.rpc("eth_call", call, "latest", {}, pending)
        except RpcError as failure:
            if failure.error.get("code") != 3 and "revert" not in str(failure).lower():
                raise
            return self.decode_revert(_bytes(failure.error.get("data") or "0x"))
        key = self.keys[self.accounts.index(sender)]
        tx: dict[str, Any] = {"nonce": self.nonces[sender], "gasPrice": GAS_PRICE, "gas": TX_GAS, "value": value}
        tx.update(data=data, chainId=self.chain_id, to=to or b"")
        raw = Account.sign_transaction(tx, key.to_bytes()).raw_transaction
        self.rpc("evm_setNextBlockTimestamp", self.latest + 1)
        receipt = self._send_raw(raw)
        self.nonces[sender] += 1
        self.latest, self.number = self.latest + 1, int(receipt["blockNumber"], 16)
        gas_used = int(receipt["gasUsed"], 16)
        if int(receipt["status"], 16) != 1:
            return Outcome(False, error="OutOfGas", gas_used=gas_used, mined=True)
        fee = gas_used * int(receipt["effectiveGasPrice"], 16)
        value_out = receipt["contractAddress"] or receipt["transactionHash"]
        events = self.decode_logs(receipt["logs"])
        return Outcome(True, events=events, gas_used=gas_used, fee=fee, value=value_out, mined=True)

    def _view(self, sender: str, to: str, data: bytes) -> bytes:
        return _bytes(self.rpc("eth_call", {"from": sender, "to": to, "data": "0x" + data.hex()}, "latest"))

    def _mine_empty(self, timestamp: int) -> None:
        self.rpc("evm_mine", {"timestamp": timestamp})

    def balance(self, address: str) -> int:
        return int(self.rpc("eth_getBalance", address, "latest"), 16)

    def _take_snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def _restore(self, snapshot: str) -> None:
        if not self.rpc("evm_revert", snapshot):
            raise RuntimeError(f"{self.url} refused evm_revert({snapshot})")

    def close(self) -> None:
        self._connection.close()
