// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FixedPoint} from "./FixedPoint.sol";
import {Params} from "./generated/Params.sol";

/// @title The paper's eqs 1-7 as resolved in spec/reputation.md (REP-2..REP-8)
/// @dev The same integer formulas as reference/reputation.py; every division rounds down except the ban.
library Reputation {
    using FixedPoint for uint256;

    /// @dev Eqs 1-2: `z / sum + z0`, the window including `z` (REP-2, REP-3).
    function sharePlusZ0(uint256 amount, uint256 windowTotal) internal pure returns (uint256) {
        return amount.mulDiv(Params.WAD, windowTotal) + Params.Z0;
    }

    /// @dev c(n) = 2^(n-1) for the n-th fraud, the exponent capped (REP-4).
    function penaltyCoefficient(uint256 frauds) internal pure returns (uint256) {
        uint256 n = frauds == 0 ? 1 : frauds;
        if (n > Params.MAX_FRAUD_EXPONENT + 1) n = Params.MAX_FRAUD_EXPONENT + 1;
        return 1 << (n - 1);
    }

    /// @dev Eq 4: `(L*z)*wad / (sum*wad + L*z)`, `L*z` unrounded, rounded up: a default always costs (REP-5).
    function buyerPenalty(uint256 amount, uint256 previousTotal) internal pure returns (uint256) {
        uint256 loss = Params.PROFIT_COEFFICIENT * amount;
        return (loss * Params.WAD).ceilDiv(previousTotal * Params.WAD + loss);
    }

    /// @dev Eq 5: `q = L * s` (REP-6).
    function buyerGrowth(uint256 sellerGrowth) internal pure returns (uint256) {
        return Params.PROFIT_COEFFICIENT.mulDiv(sellerGrowth, Params.WAD);
    }

    /// @dev Eqs 3 and 6: `R * (growth + c1) / (c(n) * penalty + c2)`, then the band of ERR-5 (REP-7).
    function step(uint256 reputation, uint256 growth, uint256 penalty, uint256 coefficient, uint256 c1, uint256 c2)
        internal
        pure
        returns (uint256)
    {
        uint256 next = reputation.mulDiv(growth + c1, coefficient * penalty + c2);
        return next.clamp(Params.MIN_REPUTATION, Params.MAX_REPUTATION);
    }

    /// @dev ECO-1: the largest quantity a seller of reputation `r` may offer, rounded up (0: no limit).
    function orderLimit(uint256 r) internal pure returns (uint256) {
        return (Params.ORDER_QUANTITY_PER_REPUTATION * r).ceilDiv(Params.WAD);
    }

    /// @dev Eq 7: `ceil(c(n) / R)` days, capped (REP-8).
    function banDays(uint256 coefficient, uint256 reputation) internal pure returns (uint256) {
        uint256 d = (coefficient * Params.WAD).ceilDiv(reputation);
        return Params.MAX_BAN_DAYS != 0 && d > Params.MAX_BAN_DAYS ? Params.MAX_BAN_DAYS : d;
    }
}
