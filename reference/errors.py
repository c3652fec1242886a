"""One exception per revert reason. Each class has the name of a Solidity custom error.

A transition that raises changes nothing: states are immutable and a raise returns no new state.
"""

from __future__ import annotations


class FairwattError(Exception):
    """Base of every rejection; ``args`` are the Solidity error's arguments."""


class Panic(FairwattError):
    """Arithmetic overflow (0x11) or division by zero (0x12), as Solidity 0.8 panics."""

    OVERFLOW = 0x11
    DIVISION_BY_ZERO = 0x12


class NotOperator(FairwattError):
    """Only the market operator (the grid account) may do this."""


class AlreadyRegistered(FairwattError):
    """The account is registered already."""


class NotRegistered(FairwattError):
    """The account is not a registered user."""


class UserBanned(FairwattError):
    """The account is banned from trading until the given timestamp (eq 7)."""


class InvalidOrder(FairwattError):
    """Quantity zero, start price under the minimum, or deposit zero or under its minimum (ECO-2)."""


class OrderTooLarge(FairwattError):
    """The quantity exceeds what the seller's reputation allows (ECO-1): ``(quantity, limit)``."""


class InvalidPublicKey(FairwattError):
    """The order's public key is not a point of alt_bn128 other than infinity."""


class KeyReused(FairwattError):
    """An earlier order already used this public key, or its negation (QUO-2): once disclosed, a
    reused key would make the new order's sealed quotes readable by anyone."""


class UnknownOrder(FairwattError):
    """No order has this id."""


class WrongPhase(FairwattError):
    """The order is not in the status or time window this action needs."""


class SellerCannotBid(FairwattError):
    """A seller may not bid on their own order."""


class WrongDeposit(FairwattError):
    """A bid must send exactly the order's deposit."""


class NotSeller(FairwattError):
    """Only the order's seller may do this."""


class WrongKey(FairwattError):
    """The disclosed private key does not match the order's public key."""


class NothingToOpen(FairwattError):
    """Every bid of the order is opened already."""


class BidsNotOpened(FairwattError):
    """Settlement needs every bid opened."""


class NotWinner(FairwattError):
    """Only the auction's winner may do this."""


class WrongPayment(FairwattError):
    """The payment must equal the price."""


class NotBuyerOrOperator(FairwattError):
    """Only the winner or the operator may confirm delivery."""


class NothingToWithdraw(FairwattError):
    """The account has no pending balance."""


class CiphertextMismatch(FairwattError):
    """Calldata ciphertext differs from the bid's commitment (contracts only: the model keeps bids)."""


class TransferFailed(FairwattError):
    """The value transfer of a withdrawal failed (contracts only)."""
