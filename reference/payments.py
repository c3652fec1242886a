"""Pull payments, the one way every contract pays wei out (SET-7, TRD-8, PTS-6): what a transition owes an
account is credited to its pending wei, and the account withdraws all of it in a transaction of its own.

``pending`` is the contract's map of owed wei; the contract's own balance is its state's, not this module's.
"""

from __future__ import annotations

from reference import errors
from reference.fixedpoint import add


def credit(pending: dict[str, int], account: str, amount: int) -> dict[str, int]:
    """``pending`` with ``amount`` more wei owed to ``account``; nothing recorded for 0."""
    if amount == 0:
        return pending
    return {**pending, account: add(pending.get(account, 0), amount)}


def pay_out(pending: dict[str, int], caller: str, receiver_accepts: bool = True) -> tuple[dict[str, int], int]:
    """The caller's whole pending wei, and ``pending`` without it; ``NothingToWithdraw`` when it is owed none.

    ``receiver_accepts`` models the recipient: a contract that reverts on receipt makes the withdrawal revert
    with ``TransferFailed`` (the withdrawer) and nothing changes: its wei stays owed and it blocks nobody else.
    """
    amount = pending.get(caller, 0)
    if amount == 0:
        raise errors.NothingToWithdraw(caller)
    if not receiver_accepts:
        raise errors.TransferFailed(caller)
    return {k: v for k, v in pending.items() if k != caller}, amount
