// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title uint256 fixed-point helpers (FXP-1..FXP-3), bit-identical to reference/fixedpoint.py
/// @dev Checked arithmetic throughout: overflow panics 0x11, division by zero 0x12, as in the model.
library FixedPoint {
    /// @dev `a * b / c` rounded down; the product is checked (FXP-3).
    function mulDiv(uint256 a, uint256 b, uint256 c) internal pure returns (uint256) {
        return a * b / c;
    }

    /// @dev `a / b` rounded up; panics 0x12 when `b` is 0, also for `a == 0` (FXP-2).
    function ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 q = a / b;
        return q * b == a ? q : q + 1;
    }

    /// @dev `x` held in `[low, high]`; `high == 0` means no cap (ERR-5).
    function clamp(uint256 x, uint256 low, uint256 high) internal pure returns (uint256) {
        if (high != 0 && x > high) return high;
        return x < low ? low : x;
    }
}
