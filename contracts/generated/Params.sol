// SPDX-License-Identifier: MIT
// Generated from spec/params.toml [resolved] by verify/toolchain/params_sol.py. Do not edit.
pragma solidity ^0.8.24;

/// @dev The mechanism's constants (PAR-1). Fixed-point values are scaled by WAD.
library Params {
    uint256 internal constant WAD = 1000000000000000000;
    uint256 internal constant K1 = 1000000000000000000;
    uint256 internal constant K2 = 1000000000000000000;
    uint256 internal constant T1 = 1000000000000000000;
    uint256 internal constant T2 = 1000000000000000000;
    uint256 internal constant Z0 = 10000000000000000;
    uint256 internal constant PROFIT_COEFFICIENT = 500000000000000000;
    uint256 internal constant WINDOW_S = 4;
    uint256 internal constant WINDOW_F = 4;
    uint256 internal constant WINDOW_P = 4;
    uint256 internal constant HISTORY_SIZE = 4;
    uint256 internal constant INITIAL_REPUTATION = 10000000000000000;
    uint256 internal constant MIN_REPUTATION = 1000000000000;
    uint256 internal constant MAX_REPUTATION = 1000000000000000000;
    uint256 internal constant MAX_FRAUD_EXPONENT = 32;
    uint256 internal constant DAY = 86400;
    uint256 internal constant MAX_BAN_DAYS = 3650;
    bool internal constant EQ6_CORRECTED = true;
    uint256 internal constant MIN_PRICE = 1000000000;
    uint256 internal constant MAX_QUOTE = 340282366920938463463374607431768211455;
    uint256 internal constant BIDDING_PERIOD = 3600;
    uint256 internal constant DISCLOSURE_PERIOD = 3600;
    uint256 internal constant PAYMENT_PERIOD = 3600;
    uint256 internal constant DELIVERY_PERIOD = 86400;
    uint256 internal constant ORDER_QUANTITY_PER_REPUTATION = 100000;
    uint256 internal constant MIN_DEPOSIT_SHARE = 100000000000000000;
}
