"""Energy accounts: the account hierarchy and the kWh ledger of seed 002 (``spec/energy.md``, ENG-1..ENG-8).

Energy is counted in Wh (the paper's kWh × 1000), money in wei. Every transition is a pure function
``f(accounts, ..., ) -> (accounts', events)``; an invalid action raises the exception named after the
contract's custom error and changes nothing. The same state also keeps the contract's wei: the
grid's sales and the bilateral market's escrow are paid out by pull withdrawals (``withdraw``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

from reference import errors, payments
from reference.fixedpoint import UINT128_MAX, add, mul

METER_SET_VALUE = 100_000
"""N of the paper's experiment: 100 kWh of metered generation trigger one transfer (ENG-6)."""


class Kind(IntEnum):
    """An account's kind; its value is its permission threshold (ENG-1). The integers are Solidity's."""

    NONE = 0
    USER = 1
    """May transfer (transaction type 1)."""
    GRID = 2
    """May also issue assets (type 2), create users and report their meters."""
    GENESIS = 3
    """The first account (the deployer): creates grid accounts."""


TRANSFER = 1
"""Transaction type 1: transfer assets (needs threshold ≥ 1)."""
ISSUE = 2
"""Transaction type 2: issue assets (needs threshold ≥ 2)."""


# -- errors (the contract's custom errors) ---------------------------------------------------


class NotPermitted(errors.FairwattError):
    """The caller's threshold is below what the transaction type needs (ENG-1)."""


class AccountExists(errors.FairwattError):
    """The account exists already, or is the zero address."""


class UnknownAccount(errors.FairwattError):
    """No energy account has this address."""


class InvalidAmount(errors.FairwattError):
    """An amount of zero, or above 2^128 − 1; or a balance, meter or generation it would take above 2^128 − 1."""


class InsufficientEnergy(errors.FairwattError):
    """The account holds fewer Wh than the transaction moves."""


class NonceTooSmall(errors.FairwattError):
    """A nonce already used: a replayed transaction or meter reading (ENG-7)."""


class NonceTooLarge(errors.FairwattError):
    """A nonce beyond the next one: an abnormal transaction (ENG-7)."""


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountCreated:
    account: str
    kind: int
    parent: str


@dataclass(frozen=True)
class EnergyIssued:
    account: str
    amount: int


@dataclass(frozen=True)
class EnergyTransferred:
    source: str
    target: str
    amount: int


@dataclass(frozen=True)
class EnergyPurchased:
    account: str
    grid: str
    amount: int
    price: int


@dataclass(frozen=True)
class MeterTriggered:
    account: str
    amount: int


@dataclass(frozen=True)
class EnergyConsumed:
    account: str
    amount: int


@dataclass(frozen=True)
class SupplyCut:
    account: str


@dataclass(frozen=True)
class Withdrawn:
    account: str
    amount: int


# -- state --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    kind: Kind
    parent: str
    """The account that created it (the genesis account is its own parent)."""
    balance: int = 0
    """Energy assets, Wh."""
    nonce: int = 0
    """The nonce the account's next own transaction must carry (ENG-7)."""
    meter: int = 0
    """Metered generation not yet turned into assets, Wh (ENG-6)."""
    meter_nonce: int = 0
    """The nonce the account's next meter reading must carry (ENG-7)."""
    generated: int = 0
    """Wh of assets its meter ever triggered (ENG-6): its cumulative generation, what certificates label (CRT-4)."""


@dataclass(frozen=True)
class EnergyAccounts:
    genesis: str
    tariff: int
    """Wei per Wh a grid account sells energy at (ENG-5)."""
    accounts: dict[str, Account] = field(default_factory=dict)
    issued: int = 0
    """Wh ever issued (ENG-2, ENG-6)."""
    consumed: int = 0
    """Wh consumed by metered loads (ENG-4)."""
    locked: int = 0
    """Wh held by the market for authenticated trades (TRD-3)."""
    pending: dict[str, int] = field(default_factory=dict)
    """Withdrawable wei."""
    balance: int = 0
    """Wei the contract holds."""

    def __post_init__(self):
        if self.genesis not in self.accounts:
            object.__setattr__(self, "accounts", {self.genesis: Account(Kind.GENESIS, self.genesis), **self.accounts})


Result = tuple[EnergyAccounts, list]


# -- helpers -------------------------------------------------------------------------------------


def account_of(e: EnergyAccounts, address: str) -> Account:
    """The energy account of ``address`` (``UnknownAccount`` when there is none)."""
    account = e.accounts.get(address)
    if account is None:
        raise UnknownAccount(address)
    return account


def require_threshold(e: EnergyAccounts, caller: str, tx_type: int) -> Account:
    """ENG-1: the caller's account, whose threshold must be at least ``tx_type``."""
    account = e.accounts.get(caller)
    if account is None or account.kind < tx_type:
        raise NotPermitted(caller, tx_type)
    return account


def check_nonce(expected: int, given: int) -> None:
    """ENG-7: the nonce must be exactly the next one."""
    if given < expected:
        raise NonceTooSmall(expected, given)
    if given > expected:
        raise NonceTooLarge(expected, given)


def check_amount(amount: int) -> None:
    if not 0 < amount <= UINT128_MAX:
        raise InvalidAmount(amount)


def to_uint128(value: int) -> int:
    """A balance, meter or generation as its 128-bit slot stores it: one above 2^128 − 1 raises ``InvalidAmount``
    with the value that does not fit, where a bare narrowing would wrap."""
    if value > UINT128_MAX:
        raise InvalidAmount(value)
    return value


def with_account(e: EnergyAccounts, address: str, account: Account, **changes) -> EnergyAccounts:
    return replace(e, accounts={**e.accounts, address: account}, **changes)


def move(e: EnergyAccounts, source: str, target: str, amount: int) -> EnergyAccounts:
    """``amount`` Wh from ``source`` to ``target`` (both accounts; the balance was checked)."""
    e = with_account(e, source, replace(e.accounts[source], balance=to_uint128(e.accounts[source].balance - amount)))
    return add_energy(e, target, amount)


def add_energy(e: EnergyAccounts, account: str, amount: int) -> EnergyAccounts:
    """``amount`` Wh into ``account``'s assets: a transfer's target, or Wh a market gives back or delivers
    (TRD-5, TRD-7); a balance it would take past 2^128 − 1 raises ``InvalidAmount`` with that balance (ENG-2)."""
    found = e.accounts[account]
    return with_account(e, account, replace(found, balance=to_uint128(found.balance + amount)))


def credit(e: EnergyAccounts, account: str, amount: int) -> EnergyAccounts:
    """Wei owed to ``account``, withdrawable (TRD-8)."""
    return replace(e, pending=payments.credit(e.pending, account, amount))


def _parent_grid(e: EnergyAccounts, caller: str, account: str) -> Account:
    """The user ``account`` whose parent grid is ``caller`` (ENG-3: a grid acts only on its own meters)."""
    target = account_of(e, account)
    if target.kind != Kind.USER or target.parent != caller:
        raise NotPermitted(caller, ISSUE)
    return target


# -- transitions -----------------------------------------------------------------------------------


def create_account(e: EnergyAccounts, caller: str, account: str, kind: int) -> Result:
    """ENG-1: genesis creates grid accounts, a grid creates user accounts (threshold one below its own)."""
    parent = e.accounts.get(caller)
    if parent is None or kind not in (Kind.USER, Kind.GRID) or parent.kind != kind + 1:
        raise NotPermitted(caller, kind + 1)
    if account in e.accounts or int(account, 16) == 0:
        raise AccountExists(account)
    e = with_account(e, account, Account(Kind(kind), caller))
    return e, [AccountCreated(account, int(kind), caller)]


def issue_energy(e: EnergyAccounts, caller: str, amount: int) -> Result:
    """ENG-2: an account of threshold ≥ 2 issues kWh assets to itself; users cannot issue."""
    account = require_threshold(e, caller, ISSUE)
    check_amount(amount)
    account = replace(account, balance=to_uint128(account.balance + amount))
    return with_account(e, caller, account, issued=add(e.issued, amount)), [EnergyIssued(caller, amount)]


def transfer_energy(e: EnergyAccounts, caller: str, target: str, amount: int, nonce: int) -> Result:
    """ENG-3, ENG-7: the caller moves its own assets — nobody moves another account's."""
    account = require_threshold(e, caller, TRANSFER)
    check_nonce(account.nonce, nonce)
    account_of(e, target)
    check_amount(amount)
    if account.balance < amount:
        raise InsufficientEnergy(account.balance, amount)
    e = with_account(e, caller, replace(account, nonce=account.nonce + 1))
    return move(e, caller, target, amount), [EnergyTransferred(caller, target, amount)]


def purchase_energy(e: EnergyAccounts, caller: str, grid: str, amount: int, nonce: int, value: int) -> Result:
    """ENG-5, ENG-7: the active purchase: the caller pays ``amount × tariff`` wei and the grid's assets move
    to the caller; the wei is the grid's to withdraw."""
    account = require_threshold(e, caller, TRANSFER)
    check_nonce(account.nonce, nonce)
    seller = account_of(e, grid)
    if seller.kind != Kind.GRID:
        raise UnknownAccount(grid)
    check_amount(amount)
    price = mul(amount, e.tariff)
    if value != price:
        raise errors.WrongPayment(value, price)
    if seller.balance < amount:
        raise InsufficientEnergy(seller.balance, amount)
    e = with_account(e, caller, replace(account, nonce=account.nonce + 1), balance=add(e.balance, value))
    e = credit(move(e, grid, caller, amount), grid, value)
    return e, [EnergyPurchased(caller, grid, amount, price)]


def report_generation(e: EnergyAccounts, caller: str, account: str, nonce: int, amount: int) -> Result:
    """ENG-6, ENG-7: the parent grid reports ``amount`` Wh a user's PV delivered; every time the meter
    reaches the set value N, N Wh of assets are issued to the user (the triggered trade)."""
    target = _parent_grid(e, caller, account)
    check_nonce(target.meter_nonce, nonce)
    check_amount(amount)
    meter = add(target.meter, amount)
    triggered = meter - meter % METER_SET_VALUE
    meter = to_uint128(meter - triggered)
    balance, generated = to_uint128(target.balance + triggered), to_uint128(target.generated + triggered)
    target = replace(target, meter=meter, meter_nonce=nonce + 1, balance=balance, generated=generated)
    e = with_account(e, account, target, issued=add(e.issued, triggered))
    return e, [MeterTriggered(account, triggered)] if triggered else []


def generated_of(e: EnergyAccounts, account: str) -> int:
    """ENG-6: the Wh of assets ``account``'s meter ever triggered (0 for an unknown account, a grid, genesis):
    energy the grid issued (ENG-2) or that an account bought is nobody's generation."""
    found = e.accounts.get(account)
    return found.generated if found is not None else 0


def report_consumption(e: EnergyAccounts, caller: str, account: str, nonce: int, amount: int) -> Result:
    """ENG-4, ENG-7: the parent grid reports ``amount`` Wh a user's load drew; at most the balance is
    consumed, and a balance of 0 cuts the supply off."""
    target = _parent_grid(e, caller, account)
    check_nonce(target.meter_nonce, nonce)
    check_amount(amount)
    used = min(amount, target.balance)
    target = replace(target, meter_nonce=nonce + 1, balance=to_uint128(target.balance - used))
    e = with_account(e, account, target, consumed=add(e.consumed, used))
    out: list = [EnergyConsumed(account, used)]
    if target.balance == 0:
        out.append(SupplyCut(account))
    return e, out


def is_supplied(e: EnergyAccounts, account: str) -> bool:
    """ENG-4: the supply of a user account is on while it holds assets."""
    found = e.accounts.get(account)
    return found is not None and (found.kind != Kind.USER or found.balance > 0)


def withdraw(e: EnergyAccounts, caller: str, receiver_accepts: bool = True) -> Result:
    """TRD-8: pull payment of the caller's whole pending wei (``receiver_accepts``: :func:`payments.pay_out`)."""
    pending, amount = payments.pay_out(e.pending, caller, receiver_accepts)
    return replace(e, pending=pending, balance=e.balance - amount), [Withdrawn(caller, amount)]


def energy_conserved(e: EnergyAccounts) -> bool:
    """ENG-8: every Wh issued is held by an account, locked by the market, or consumed."""
    return e.issued == sum(a.balance for a in e.accounts.values()) + e.locked + e.consumed
