"""Users whose accounts are contracts: every role, the operator included, acts through a ``Wallet``
(``mocks/Wallet.sol``) while one relayer sends every transaction. The rules name accounts by
``msg.sender``; a market that reads ``tx.origin`` instead sees the relayer, which is not registered, not
the seller, not the winner, and fails the vectors replayed this way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verify.driver import MARKET, ContractMarket
from verify.toolchain.chain import Call, Chain, Outcome
from verify.toolchain.compiler import Artifact


@dataclass
class WalletMarket(ContractMarket):
    """A market whose users' transactions go through their wallets, sent by ``relayer``."""

    wallets: dict[str, object] = field(default_factory=dict)
    """Wallet address -> its contract."""
    relayer: str = ""

    def _send(self, call: Call, sender: str, value: int = 0) -> Outcome:
        if sender in self.wallets:
            call = self.wallets[sender].functions.execute(call.address, call.data)  # type: ignore[attr-defined]
            sender = self.relayer
        return super()._send(call, sender, value)


def deploy(chain: Chain, artifacts: dict[str, Artifact], roles: list[str]) -> tuple[WalletMarket, dict[str, str]]:
    """The market, with a wallet of its own for the operator and for each of ``roles``, all deployed and
    relayed by the chain's first account; and the roles' wallet addresses."""
    relayer = chain.accounts[0]
    wallets = {}
    for _ in range(len(roles) + 1):
        wallet = chain.deploy(artifacts["Wallet"], sender=relayer).value
        wallets[wallet.address] = wallet
    operator, *addresses = wallets
    deployed = chain.deploy(artifacts[MARKET], operator, sender=relayer)
    if not deployed.ok:
        raise RuntimeError(f"deploying {MARKET} failed: {deployed.error}{deployed.error_args}")
    market = WalletMarket(chain, artifacts[MARKET], operator, deployed.value, wallets=wallets, relayer=relayer)
    return market, dict(zip(roles, addresses, strict=True))
