"""Accounts whose address holds a smart-contract wallet's code, as EIP-7702 gives an externally owned
account: the account's calls reach a contract from its own address (``msg.sender``) while a relayer sends
the transaction (``tx.origin``), and its key still signs. The rules name accounts by ``msg.sender``, so the
vectors replay unchanged this way; a contract that reads ``tx.origin`` sees the relayer and departs from
the model. On pyrevm, whose accounts' code can be set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from verify.toolchain.chain import Call, Chain, Outcome
from verify.toolchain.compiler import Artifact

WALLET = "Wallet"
"""``verify/differential/mocks/Wallet.sol``: ``execute(target, data)`` passes the call and the ether on,
and a revert with its data; ``create(code)`` deploys a contract whose deployer is the wallet."""


def install(chain: Chain, wallet: Artifact, accounts: Iterable[str]) -> None:
    """Put ``wallet``'s runtime code at each of ``accounts``, their balance and nonce kept."""
    evm: Any = getattr(chain, "evm", None)
    if evm is None:
        raise ValueError(f"contract accounts at given addresses need the pyrevm engine, not {chain.ENGINE}")
    from pyrevm import AccountInfo

    code = bytes.fromhex(wallet.runtime)
    for account in accounts:
        info = evm.basic(account)
        evm.insert_account_info(account, AccountInfo(balance=info.balance, nonce=info.nonce, code=code))  # type: ignore[call-arg]


def relayed(chain: Chain, wallet: Artifact, call: Call, account: str) -> Call:
    """``call`` as ``account``'s wallet makes it: ``account.execute(target, data)``, for a relayer to send."""
    return chain.at(wallet, account).functions.execute(call.address, call.data)


def paid(chain: Chain, account: str, withdraw: Callable[[], Outcome]) -> Outcome:
    """``withdraw()``, ``account``'s pull payment sent by a relayer (who pays no value), which must reach
    ``account`` itself: a withdrawal that succeeds but pays ``account`` anything but its ``Withdrawn``
    amount is the outcome ``NotPaid(received)``."""
    before = chain.balance(account)
    outcome = withdraw()
    received = chain.balance(account) - before
    if outcome.ok and [args["amount"] for name, args in outcome.events if name == "Withdrawn"] != [received]:
        return Outcome(False, error="NotPaid", error_args=(received,))
    return outcome
