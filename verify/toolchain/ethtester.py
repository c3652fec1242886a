"""The eth-tester engine (py-evm): real transactions with nonces, fees and receipts; the gas reference."""

from __future__ import annotations

import ast

from eth_abi import encode
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider

from verify.toolchain.chain import ERROR_STRING, GAS_LIMIT, TX_GAS, Chain, Outcome, _bytes, checksum


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


class EthTesterChain(Chain):
    ENGINE = "eth-tester"

    def __init__(self, accounts: int = 10, backend: str | None = None):
        super().__init__(accounts, backend)
        state = PyEVMBackend.generate_genesis_state(num_accounts=accounts)
        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": GAS_LIMIT})
        self.tester = EthereumTester(PyEVMBackend(genesis_parameters=params, genesis_state=state))
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        assert list(self.w3.eth.accounts) == self.accounts and self.w3.eth.chain_id == self.chain_id

    def _execute(self, sender: str, to: str | None, data: bytes, value: int) -> Outcome:
        tx = {"from": sender, "value": value, "data": "0x" + data.hex(), "gas": TX_GAS}
        if to is not None:
            tx["to"] = to
        try:  # one dry run surfaces the revert data (gas estimation would run the call a dozen times)
            self.tester.call(tx, block_number="pending")
        except TransactionFailed as failure:
            return self.decode_revert(_revert_data(failure))
        receipt = self.tester.get_transaction_receipt(self.tester.send_transaction(tx))
        if receipt["status"] != 1:  # failed although the dry run passed: report it, never hide it
            return Outcome(False, error="OutOfGas", gas_used=receipt["gas_used"], mined=True)
        value_out = receipt["contract_address"] or receipt["transaction_hash"]
        fee = receipt["gas_used"] * receipt["effective_gas_price"]
        events = self.decode_logs(receipt["logs"])
        return Outcome(True, events=events, gas_used=receipt["gas_used"], fee=fee, value=value_out, mined=True)

    def _view(self, sender: str, to: str, data: bytes) -> bytes:
        tx = {"from": sender, "to": to, "data": "0x" + data.hex(), "gas": TX_GAS}
        return _bytes(self.tester.call(tx, block_number="latest"))

    def now(self) -> int:
        return int(self.tester.get_block_by_number("latest")["timestamp"])

    def pending_timestamp(self) -> int:
        return int(self.tester.get_block_by_number("pending")["timestamp"])

    def time_travel(self, timestamp: int) -> None:
        self.tester.time_travel(timestamp)  # mines a block at timestamp - 1
        self.moves += 1

    def balance(self, address: str) -> int:
        return int(self.tester.get_balance(checksum(address)))

    def snapshot(self) -> int:
        return int(self.tester.take_snapshot())

    def revert(self, snapshot: int) -> None:
        self.tester.revert_to_snapshot(snapshot)
        self.moves += 1
