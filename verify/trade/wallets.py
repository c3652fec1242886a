"""The bilateral market's and the energy accounts' vectors with every role a contract account: each role's
address holds the wallet code (:mod:`verify.fingerprints.wallets`, as EIP-7702 gives an externally owned
account) and one more account relays every transaction, the deployments too: ``genesis``'s wallet creates
the auction, the fingerprints and the bilateral market, so ``genesis`` is their deployer (``msg.sender``)
and the relayer only ``tx.origin``.

The rules name accounts by ``msg.sender``; the seller and the buyer still sign the terms (TRD-3) with their
accounts' keys, so the signatures recover the very addresses that send, and every vector replays unchanged.
A contract that reads ``tx.origin`` sees the relayer (never registered, no energy account, not the genesis
account, no certifier) and departs from the model; one that pays a withdrawal to ``tx.origin`` pays the
relayer (``NotPaid``).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import decode, encode

from verify.fingerprints import wallets
from verify.toolchain.chain import Call, Outcome
from verify.trade.driver import ContractTrade, _done
from verify.trade.roles import ROLES, address


@dataclass
class WalletTrade(ContractTrade):
    """:class:`ContractTrade` whose every role acts through the wallet code at its own address."""

    def __post_init__(self) -> None:
        wallets.install(self.chain, self.artifacts[wallets.WALLET], [address(role) for role in ROLES])
        # the relayer first: reads are made from the chain's first account, which must hold no code (EIP-3607)
        self.chain.accounts.insert(0, self.chain.accounts.pop())

    def _create(self, name: str, *args) -> object:
        """Contract ``name``, created by ``genesis``'s wallet (``Wallet.create``) with the constructor's ``args``."""
        artifact = self.artifacts[name]
        constructor: dict = next((e for e in artifact.abi if e["type"] == "constructor"), {"inputs": []})
        code = bytes.fromhex(artifact.bytecode) + encode([i["type"] for i in constructor["inputs"]], args)
        wallet = self.chain.at(self.artifacts[wallets.WALLET], address("genesis"))
        created = _done(self.chain.transact(wallet.functions.create(code), self.relayer), f"creating {name}")
        return self.chain.at(artifact, decode(["address"], created.value)[0])

    @property
    def relayer(self) -> str:
        return self.chain.accounts[0]

    def _send(self, call: Call, sender: str, value: int = 0) -> Outcome:
        return self._relay(call, sender, value)

    def withdraw(self, caller: str) -> Outcome:
        """TRD-8's pull payment, which must reach the caller's own account (:func:`wallets.paid`)."""
        return wallets.paid(self.chain, caller, lambda: super(WalletTrade, self).withdraw(caller))
