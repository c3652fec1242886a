"""The pyrevm engine (revm): thousands of calls per second, for the differential and mutation campaigns.

A transaction is a revm message call: the EVM runs the Shanghai rules exactly, but no fee is charged,
no nonce moves and storage slots stay warm between calls, so ``gas_used`` is not a transaction's gas
(``real_gas`` is False: the gas experiment runs on eth-tester or a node). The engine keeps what revm
leaves to its caller: nonces (for CREATE addresses, counted like eth-tester's), the block number and
clock (each mined transaction one block, one second later), and snapshots of both beside revm's
journal checkpoints, which revert once each, newest first.
"""

from __future__ import annotations

import re
from typing import Any

import pyrevm

from verify.toolchain.chain import FUNDS, GAS_LIMIT, TX_GAS, Chain, Outcome

# pyrevm 0.3.7's bundled stubs lag its runtime (AccountInfo(balance=...), deploy(gas_price=...), the
# result after a call): its classes are used untyped.
EVM: Any = pyrevm.EVM
AccountInfo: Any = pyrevm.AccountInfo
BlockEnv: Any = pyrevm.BlockEnv
CfgEnv: Any = pyrevm.CfgEnv
Env: Any = pyrevm.Env

GENESIS_TIMESTAMP = 1_750_000_000
"""The clock of a fresh chain: fixed, so that a campaign replays identically."""
FAILURE = re.compile(r"^(Revert|Halt) \{ (?:reason: (\w+).*?, )?gas_used: (\d+)(?:, output: 0x([0-9a-fA-F]*))? \}$")
"""The text of revm's ``RuntimeError`` for a failed call: the only place its revert data is given."""


class RevmChain(Chain):
    ENGINE = "pyrevm"

    def __init__(self, accounts: int = 10, backend: str | None = None):
        super().__init__(accounts, backend)
        self.latest, self.number = GENESIS_TIMESTAMP, 0
        env = Env(cfg=CfgEnv(chain_id=self.chain_id), block=self._block(pending=False))
        self.evm = EVM(env=env, spec_id="Shanghai")  # spelled exactly: "SHANGHAI" runs the latest fork
        for account in self.accounts:
            self.evm.set_balance(account, FUNDS)
        self._current = (False, self.latest, self.number)

    def _block(self, pending: bool) -> BlockEnv:
        number, timestamp = (self.number + 1, self.latest + 1) if pending else (self.number, self.latest)
        return BlockEnv(number=number, timestamp=timestamp, gas_limit=GAS_LIMIT)

    def _at(self, pending: bool) -> None:
        """Execute in the pending block (transactions) or the latest (views): revm holds one block env,
        replaced whole when the mode or the clock changed."""
        block = (pending, self.latest, self.number)
        if block != self._current:
            self.evm.set_block_env(self._block(pending))
            self._current = block

    def _execute(self, sender: str, to: str | None, data: bytes, value: int) -> Outcome:
        self._at(pending=True)
        try:
            if to is None:
                nonce = self.nonces.get(sender, 0)
                self.evm.insert_account_info(sender, AccountInfo(balance=self.evm.get_balance(sender), nonce=nonce))
                out: Any = self.evm.deploy(sender, data, value=value, gas=TX_GAS, gas_price=0)
            else:
                out = self.evm.message_call(sender, to, data, value=value, gas=TX_GAS, gas_price=0)
        except RuntimeError as failure:
            if "RejectCallerWithCode" not in str(failure):
                return self._failure(str(failure))
            return self._from_contract(sender, to, data, value)
        return self._mined(sender, out)

    def _from_contract(self, sender: str, to: str | None, data: bytes, value: int) -> Outcome:
        """A transaction "sent" by a contract account, as eth-tester (py-evm) allows and revm refuses
        (EIP-3607): run with the sender's code set aside, then put it back."""
        info = self.evm.basic(sender)
        self.evm.insert_account_info(sender, AccountInfo(balance=info.balance, nonce=info.nonce))
        try:
            out = self.evm.message_call(sender, to, data, value=value, gas=TX_GAS, gas_price=0)
        except RuntimeError as failure:
            return self._failure(str(failure))
        finally:
            after = self.evm.basic(sender)
            self.evm.insert_account_info(sender, AccountInfo(balance=after.balance, nonce=after.nonce, code=info.code))
        return self._mined(sender, out)

    def _mined(self, sender: str, out: Any) -> Outcome:
        result = self.evm.result
        logs = [{"address": log.address, "topics": log.topics, "data": log.data[1]} for log in result.logs]
        self.nonces[sender] = self.nonces.get(sender, 0) + 1
        self.latest, self.number = self.latest + 1, self.number + 1
        return Outcome(True, events=self.decode_logs(logs), gas_used=result.gas_used, value=out, mined=True)

    def _failure(self, text: str) -> Outcome:
        match = FAILURE.match(text)
        if match is None:
            raise RuntimeError(f"pyrevm: unexpected failure {text!r}")
        kind, reason, gas_used, output = match.groups()
        if kind == "Halt":
            return Outcome(False, error="OutOfGas" if reason == "OutOfGas" else "Halt", error_args=(reason,))
        outcome = self.decode_revert(bytes.fromhex(output or ""))
        return Outcome(False, error=outcome.error, error_args=outcome.error_args, gas_used=int(gas_used))

    def _view(self, sender: str, to: str, data: bytes) -> bytes:
        self._at(pending=False)
        try:
            return bytes(self.evm.message_call(sender, to, data, gas=TX_GAS, gas_price=0, is_static=True))
        except RuntimeError as failure:
            raise RuntimeError(f"view call to {to} failed: {self._failure(str(failure)).error}") from None

    def _mine_empty(self, timestamp: int) -> None:
        """Nothing to mine: revm has no blocks; the next call's block is built from ``latest`` and ``number``."""

    def balance(self, address: str) -> int:
        return int(self.evm.get_balance(address))

    def _take_snapshot(self) -> Any:
        return self.evm.snapshot()

    def _restore(self, snapshot: Any) -> None:
        self.evm.revert(snapshot)
