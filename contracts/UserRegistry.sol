// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "./interfaces/IFairwattMarket.sol";
import {Reputation} from "./Reputation.sol";
import {Params} from "./generated/Params.sol";

/// @title Users: reputation, recent history, fraud counts, ban date, pending balance (the paper's UserCon)
/// @dev Every mutator is internal: only the market that inherits the registry can update it.
/// The pending balance shares a slot with the ban date, so a credit costs one warm-able write, not a
/// fresh storage word (GAS-NOTES).
abstract contract UserRegistry is IFairwattMarket {
    struct User {
        // slot 0
        uint128 sellerReputation;
        uint128 buyerReputation;
        // slot 1. pending fits in 104 bits: every credit is backed by ether the market holds (< 2^87 wei).
        uint104 pending;
        uint64 bannedUntil;
        uint32 sellerFrauds;
        uint32 buyerFrauds;
        uint8 historyLength;
        uint8 historyNext;
        bool registered;
        // slots 2-3: a ring of the most recent trade amounts
        uint128[4] history;
    }

    uint256 private constant HISTORY = 4;

    address public immutable override operator;
    mapping(address account => User) internal _users;

    constructor(address operator_) {
        operator = operator_;
    }

    // ------------------------------------------------------------------ MKT-1

    /// @inheritdoc IFairwattMarket
    function registerUser(address account) external {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        User storage u = _users[account];
        if (u.registered || account == address(0)) revert AlreadyRegistered(account);
        u.sellerReputation = uint128(Params.INITIAL_REPUTATION);
        u.buyerReputation = uint128(Params.INITIAL_REPUTATION);
        u.registered = true;
        emit UserRegistered(account);
    }

    /// @inheritdoc IFairwattMarket
    function getUser(address account) external view returns (UserView memory view_) {
        User storage u = _users[account];
        view_.registered = u.registered;
        view_.sellerReputation = u.sellerReputation;
        view_.buyerReputation = u.buyerReputation;
        view_.sellerFrauds = u.sellerFrauds;
        view_.buyerFrauds = u.buyerFrauds;
        view_.bannedUntil = u.bannedUntil;
        view_.pending = u.pending;
        view_.history = new uint256[](u.historyLength);
        for (uint256 j = 0; j < u.historyLength; ++j) {
            view_.history[j] = u.history[(u.historyNext + HISTORY - u.historyLength + j) % HISTORY];
        }
    }

    // ------------------------------------------------------------------ internal updates

    /// @dev The registered, unbanned user `account` (REP-9).
    function _requireTrader(address account) internal view {
        User storage u = _users[account];
        if (!u.registered) revert NotRegistered(account);
        if (block.timestamp < u.bannedUntil) revert UserBanned(account, u.bannedUntil);
    }

    function _credit(address account, uint256 amount) internal {
        User storage u = _users[account];
        u.pending = uint104(u.pending + amount);
    }

    /// @dev Sum of the `count` most recent amounts of `u`.
    function _recent(User storage u, uint256 count) private view returns (uint256 total) {
        uint256 n = count < u.historyLength ? count : u.historyLength;
        for (uint256 j = 1; j <= n; ++j) {
            total += u.history[(u.historyNext + HISTORY - j) % HISTORY];
        }
    }

    function _push(User storage u, uint256 amount) private {
        u.history[u.historyNext] = uint128(amount);
        u.historyNext = uint8((u.historyNext + 1) % HISTORY);
        if (u.historyLength < HISTORY) ++u.historyLength;
    }

    /// @dev s(z) of eq 1 for `account`'s trade of `amount`, the window including it (REP-2).
    function _sellerGrowth(address account, uint256 amount) internal view returns (uint256) {
        return Reputation.sharePlusZ0(amount, amount + _recent(_users[account], Params.WINDOW_S - 1));
    }

    /// @dev Eq 3 after a sale, and eq 7's ban on a fraud (REP-7, REP-8).
    function _recordSellerTrade(address account, uint256 amount, bool honest) internal {
        User storage u = _users[account];
        uint256 frauds = u.sellerFrauds + (honest ? 0 : 1);
        uint256 c = Reputation.penaltyCoefficient(frauds);
        uint256 reputation;
        if (honest) {
            reputation = Reputation.step(u.sellerReputation, _sellerGrowth(account, amount), 0, c, Params.K1, Params.K2);
        } else {
            uint256 penalty = Reputation.sharePlusZ0(amount, amount + _recent(u, Params.WINDOW_F - 1));
            reputation = Reputation.step(u.sellerReputation, 0, penalty, c, Params.K1, Params.K2);
        }
        u.sellerReputation = uint128(reputation);
        u.sellerFrauds = uint32(frauds);
        _push(u, amount);
        emit ReputationUpdated(account, reputation, u.buyerReputation);
        if (!honest) _ban(u, account, c, reputation);
    }

    /// @dev Eq 6 (corrected, ERR-2) after a purchase, and eq 7's ban on a default (REP-6..REP-8).
    function _recordBuyerTrade(address account, uint256 amount, uint256 sellerGrowth, bool honest) internal {
        User storage u = _users[account];
        uint256 frauds = u.buyerFrauds + (honest ? 0 : 1);
        uint256 c = Reputation.penaltyCoefficient(frauds);
        uint256 reputation;
        if (honest) {
            reputation = Reputation.step(u.buyerReputation, Reputation.buyerGrowth(sellerGrowth), 0, c, Params.T1, Params.T2);
        } else {
            uint256 penalty = Reputation.buyerPenalty(amount, _recent(u, Params.WINDOW_P - 1));
            reputation = Reputation.step(u.buyerReputation, 0, penalty, c, Params.T1, Params.T2);
        }
        u.buyerReputation = uint128(reputation);
        u.buyerFrauds = uint32(frauds);
        _push(u, amount);
        emit ReputationUpdated(account, u.sellerReputation, reputation);
        if (!honest) _ban(u, account, c, reputation);
    }

    /// @dev Eq 7 from now; a ban only ever grows (REP-8).
    function _ban(User storage u, address account, uint256 c, uint256 reputation) private {
        uint256 until = block.timestamp + Reputation.banDays(c, reputation) * Params.DAY;
        if (until > u.bannedUntil) {
            u.bannedUntil = uint64(until);
            emit BanImposed(account, until);
        }
    }
}
