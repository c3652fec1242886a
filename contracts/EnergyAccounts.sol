// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Energy accounts: the genesis -> grid -> user hierarchy and its kWh assets (spec/energy.md)
/// @notice Energy is held in Wh. Only an account's own transactions debit it; the markets' rules are the
/// only other debits (spec/trade.md TRD-3, ENG-9). reference/energy.py is the oracle.
/// @dev Checks-Effects-Interactions: the only external call is the value transfer at the end of `withdraw`.
abstract contract EnergyAccounts {
    enum Kind {
        None,
        User,
        Grid,
        Genesis
    }

    struct Account {
        // slot 0
        uint128 balance;
        uint64 nonce;
        uint64 meterNonce;
        // slot 1
        address parent;
        Kind kind;
        // slot 2
        uint128 meter;
        uint128 generated;
    }

    uint256 internal constant TRANSFER = 1;
    uint256 internal constant ISSUE = 2;
    /// @notice N: metered generation that triggers one transfer, Wh (ENG-6).
    uint256 public constant METER_SET_VALUE = 100_000;

    address public immutable genesis;
    /// @notice Wei per Wh a grid account sells at (ENG-5).
    uint256 public immutable tariff;
    uint256 public issued;
    uint256 public consumed;
    uint256 public locked;
    mapping(address account => Account) internal _accounts;
    mapping(address account => uint256) public pending;

    event AccountCreated(address indexed account, uint256 kind, address parent);
    event EnergyIssued(address indexed account, uint256 amount);
    event EnergyTransferred(address indexed source, address indexed target, uint256 amount);
    event EnergyPurchased(address indexed account, address indexed grid, uint256 amount, uint256 price);
    event MeterTriggered(address indexed account, uint256 amount);
    event EnergyConsumed(address indexed account, uint256 amount);
    event SupplyCut(address indexed account);
    event Withdrawn(address indexed account, uint256 amount);

    error NotPermitted(address caller, uint256 txType);
    error AccountExists(address account);
    error UnknownAccount(address account);
    error InvalidAmount(uint256 amount);
    error InsufficientEnergy(uint256 balance, uint256 amount);
    error NonceTooSmall(uint256 expected, uint256 given);
    error NonceTooLarge(uint256 expected, uint256 given);
    error WrongPayment(uint256 value, uint256 price);
    error NothingToWithdraw(address account);
    error TransferFailed(address account);

    constructor(uint256 tariff_) {
        genesis = msg.sender;
        tariff = tariff_;
        Account storage g = _accounts[msg.sender];
        g.kind = Kind.Genesis;
        g.parent = msg.sender;
    }

    // ------------------------------------------------------------------ ENG-1

    function createAccount(address account, uint256 kind) external {
        Account storage parent = _accounts[msg.sender];
        if ((kind != uint256(Kind.User) && kind != uint256(Kind.Grid)) || uint256(parent.kind) != kind + 1) {
            revert NotPermitted(msg.sender, kind + 1);
        }
        Account storage a = _accounts[account];
        if (a.kind != Kind.None || account == address(0)) revert AccountExists(account);
        a.kind = Kind(kind);
        a.parent = msg.sender;
        emit AccountCreated(account, kind, msg.sender);
    }

    // ------------------------------------------------------------------ ENG-2

    function issueEnergy(uint256 amount) external {
        Account storage a = _requireThreshold(msg.sender, ISSUE);
        _checkAmount(amount);
        a.balance = _u128(a.balance + amount);
        issued += amount;
        emit EnergyIssued(msg.sender, amount);
    }

    // ------------------------------------------------------------------ ENG-3, ENG-7

    function transferEnergy(address target, uint256 amount, uint256 nonce) external {
        Account storage a = _requireThreshold(msg.sender, TRANSFER);
        _checkNonce(a.nonce, nonce);
        _accountOf(target);
        _checkAmount(amount);
        if (a.balance < amount) revert InsufficientEnergy(a.balance, amount);
        ++a.nonce;
        _move(msg.sender, target, amount);
        emit EnergyTransferred(msg.sender, target, amount);
    }

    // ------------------------------------------------------------------ ENG-5

    function purchaseEnergy(address grid, uint256 amount, uint256 nonce) external payable {
        Account storage a = _requireThreshold(msg.sender, TRANSFER);
        _checkNonce(a.nonce, nonce);
        Account storage g = _accounts[grid];
        if (g.kind != Kind.Grid) revert UnknownAccount(grid);
        _checkAmount(amount);
        uint256 price = amount * tariff;
        if (msg.value != price) revert WrongPayment(msg.value, price);
        if (g.balance < amount) revert InsufficientEnergy(g.balance, amount);
        ++a.nonce;
        _move(grid, msg.sender, amount);
        pending[grid] += msg.value;
        emit EnergyPurchased(msg.sender, grid, amount, price);
    }

    // ------------------------------------------------------------------ ENG-6

    function reportGeneration(address account, uint256 nonce, uint256 amount) external {
        Account storage a = _parentGrid(account);
        _checkNonce(a.meterNonce, nonce);
        _checkAmount(amount);
        uint256 meter = a.meter + amount;
        uint256 triggered = meter - meter % METER_SET_VALUE;
        a.meter = _u128(meter - triggered);
        a.meterNonce = uint64(nonce + 1);
        if (triggered != 0) {
            a.balance = _u128(a.balance + triggered);
            a.generated = _u128(a.generated + triggered);
            issued += triggered;
            emit MeterTriggered(account, triggered);
        }
    }

    // ------------------------------------------------------------------ ENG-4

    function reportConsumption(address account, uint256 nonce, uint256 amount) external {
        Account storage a = _parentGrid(account);
        _checkNonce(a.meterNonce, nonce);
        _checkAmount(amount);
        uint256 used = amount < a.balance ? amount : a.balance;
        a.balance = _u128(a.balance - used);
        a.meterNonce = uint64(nonce + 1);
        consumed += used;
        emit EnergyConsumed(account, used);
        if (a.balance == 0) emit SupplyCut(account);
    }

    // ------------------------------------------------------------------ TRD-8

    function withdraw() external {
        uint256 amount = pending[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        pending[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender);
    }

    // ------------------------------------------------------------------ views

    function getAccount(address account)
        external
        view
        returns (uint256 kind, address parent, uint256 balance, uint256 nonce, uint256 meter, uint256 meterNonce)
    {
        Account storage a = _accounts[account];
        return (uint256(a.kind), a.parent, a.balance, a.nonce, a.meter, a.meterNonce);
    }

    /// @notice ENG-6: the Wh of assets the account's meter ever triggered, its cumulative generation (CRT-4):
    /// energy a grid issued (ENG-2) or an account bought is nobody's generation.
    function generatedOf(address account) external view returns (uint256) {
        return _accounts[account].generated;
    }

    /// @notice ENG-4: a user's supply is on while it holds assets.
    function isSupplied(address account) external view returns (bool) {
        Account storage a = _accounts[account];
        return a.kind != Kind.None && (a.kind != Kind.User || a.balance > 0);
    }

    // ------------------------------------------------------------------ internal

    function _accountOf(address account) internal view returns (Account storage a) {
        a = _accounts[account];
        if (a.kind == Kind.None) revert UnknownAccount(account);
    }

    function _requireThreshold(address caller, uint256 txType) internal view returns (Account storage a) {
        a = _accounts[caller];
        if (uint256(a.kind) < txType) revert NotPermitted(caller, txType);
    }

    function _parentGrid(address account) private view returns (Account storage a) {
        a = _accountOf(account);
        if (a.kind != Kind.User || a.parent != msg.sender) revert NotPermitted(msg.sender, ISSUE);
    }

    function _checkNonce(uint256 expected, uint256 given) private pure {
        if (given < expected) revert NonceTooSmall(expected, given);
        if (given > expected) revert NonceTooLarge(expected, given);
    }

    function _checkAmount(uint256 amount) internal pure {
        if (amount == 0 || amount > type(uint128).max) revert InvalidAmount(amount);
    }

    function _move(address source, address target, uint256 amount) internal {
        _accounts[source].balance = _u128(_accounts[source].balance - amount);
        _addEnergy(target, amount);
    }

    /// @dev `amount` Wh into `account`'s assets: a transfer's target, or Wh a market gives back or delivers
    /// (TRD-5, TRD-7); a balance past 2^128 - 1 reverts `InvalidAmount` (ENG-2, reference.energy.add_energy).
    function _addEnergy(address account, uint256 amount) internal {
        Account storage a = _accounts[account];
        a.balance = _u128(a.balance + amount);
    }

    /// @notice A balance, meter or generation narrowed to its 128-bit slot: one that does not fit reverts
    /// `InvalidAmount(value)` instead of wrapping (reference.energy.to_uint128).
    function _u128(uint256 value) internal pure returns (uint128) {
        if (value > type(uint128).max) revert InvalidAmount(value);
        return uint128(value);
    }

    function _credit(address account, uint256 amount) internal {
        if (amount != 0) pending[account] += amount;
    }
}
