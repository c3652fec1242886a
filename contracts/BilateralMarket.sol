// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EnergyAccounts} from "./EnergyAccounts.sol";
import {IFairwattMarket} from "./interfaces/IFairwattMarket.sol";
import {IFingerprints} from "./interfaces/IFingerprints.sol";

/// @dev TRD-10: what the auction (`FairwattMarket`) lets its linked bilateral market write.
interface IReputationHook {
    function recordBilateralTrade(address seller, address buyer, uint256 amount, bool delivered) external;
}

/// @title The bilateral market: seed 004's seven-stage trade beside the auction (spec/trade.md)
/// @notice Users and bans are the auction's, read through IFairwattMarket (TRD-9); energy settles in the
/// inherited kWh ledger; both parties sign the matched terms as EIP-712 typed data. reference/trade/ is
/// the oracle.
/// @dev Checks-Effects-Interactions: the only external calls are the registry's views, the fingerprints' view
/// `recordOf` (a check, before any effect of `certifyExecution`), the registry's reputation hook (trusted, last
/// in `settleTrade`), ecrecover and the value transfer of `withdraw`.
contract BilateralMarket is EnergyAccounts {
    enum Side {
        Ask,
        Bid
    }

    enum TradeStatus {
        None,
        Matched,
        Authenticated,
        Executed,
        Certified,
        Rejected,
        Cleared,
        Settled
    }

    struct Offer {
        // slot 0
        address trader;
        uint40 deliveryTime;
        Side side;
        bool taken;
        // slot 1
        uint128 volume;
        uint128 price;
    }

    struct Trade {
        // slot 0
        address seller;
        uint40 deliveryTime;
        TradeStatus status;
        // slot 1
        address buyer;
        uint32 certifiers;
        uint32 passes;
        uint32 opposes;
        // slot 2
        uint128 volume;
        uint128 price;
        // slot 3
        uint128 delivered;
    }

    struct Period {
        uint128 trades;
        uint128 energy;
        uint256 money;
    }

    uint256 public constant PERIOD = 600;
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant TERMS_TYPEHASH = keccak256(
        "Terms(uint256 tradeId,address seller,address buyer,uint256 volume,uint256 price,uint256 deliveryTime)"
    );
    bytes32 private constant NAME_HASH = keccak256("fairwatt-trade");
    bytes32 private constant VERSION_HASH = keccak256("1");
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    IFairwattMarket public immutable registry;
    /// @notice The third party's flat fee per trade, wei (TRD-7, ERR-32).
    uint256 public immutable fee;
    address public immutable feeRecipient;
    /// @notice Where delivery evidence is anchored (FPR-7, TRD-5).
    IFingerprints public immutable fingerprints;
    /// @notice The grid account: the only one to record executions (TRD-4), whose anchored delivery evidence a
    /// pass vote requires (FPR-7, TRD-5).
    address public immutable grid;

    Offer[] private _offers;
    Trade[] private _trades;
    address[] public certifiers;
    mapping(address account => bool) public isCertifier;
    mapping(uint256 tradeId => mapping(address certifier => bool)) public voted;
    mapping(uint256 period => Period) public getPeriod;
    mapping(uint256 orderId => bool) public energySettled;

    event OfferDeclared(
        uint256 indexed offerId, address indexed trader, uint256 side, uint256 volume, uint256 price, uint256 deliveryTime
    );
    event TradeMatched(uint256 indexed tradeId, uint256 askId, uint256 bidId, uint256 volume, uint256 price);
    event MatchAuthenticated(uint256 indexed tradeId, uint256 payment);
    event TradeExecuted(uint256 indexed tradeId, uint256 delivered);
    event CertifierAdded(address indexed account);
    event ExecutionVoted(uint256 indexed tradeId, address indexed certifier, bool approve);
    event ExecutionCertified(uint256 indexed tradeId, bool passed);
    event TradeCleared(uint256 indexed tradeId, uint256 period);
    event TradeSettled(uint256 indexed tradeId, uint256 payment, uint256 fee, uint256 refund);
    event AuctionEnergySettled(uint256 indexed orderId, uint256 amount);

    error NotRegistered(address account);
    error UserBanned(address account, uint256 until);
    error InvalidOffer();
    error UnknownOffer(uint256 offerId);
    error InvalidMatch(uint256 askId, uint256 bidId);
    error AskAboveBid(uint256 askPrice, uint256 bidPrice);
    error UnknownTrade(uint256 tradeId);
    error WrongTradeStage(uint256 tradeId, uint8 status);
    error NotBuyer(address caller);
    error BadSignature(address party);
    error ExcessDelivery(uint256 delivered, uint256 volume);
    error NoCertifiers();
    error NotCertifier(address caller);
    error AlreadyVoted(address certifier);
    error AlreadyRegistered(address account);
    error UnknownOrder(uint256 orderId);
    error WrongPhase(uint256 orderId, uint8 status);
    error EnergySettledAlready(uint256 orderId);
    error InvalidFeeRecipient();
    error InvalidEvidenceSource();
    error NoDeliveryEvidence(uint256 tradeId, uint256 delivered);

    constructor(
        IFairwattMarket registry_,
        IFingerprints fingerprints_,
        address grid_,
        uint256 tariff_,
        uint256 fee_,
        address feeRecipient_
    ) EnergyAccounts(tariff_) {
        if (feeRecipient_ == address(0)) revert InvalidFeeRecipient(); // fees credited there would be lost
        // no contract or no grid: no pass vote could ever be cast (FPR-7)
        if (address(fingerprints_).code.length == 0 || grid_ == address(0)) revert InvalidEvidenceSource();
        registry = registry_;
        fee = fee_;
        feeRecipient = feeRecipient_;
        fingerprints = fingerprints_;
        grid = grid_;
    }

    // ------------------------------------------------------------------ TRD-1

    function declareAsk(uint256 volume, uint256 price, uint256 deliveryTime) external returns (uint256) {
        return _declare(Side.Ask, volume, price, deliveryTime);
    }

    function declareBid(uint256 volume, uint256 price, uint256 deliveryTime) external returns (uint256) {
        return _declare(Side.Bid, volume, price, deliveryTime);
    }

    function _declare(Side side, uint256 volume, uint256 price, uint256 deliveryTime) private returns (uint256 id) {
        IFairwattMarket.UserView memory user = registry.getUser(msg.sender);
        if (!user.registered) revert NotRegistered(msg.sender);
        if (block.timestamp < user.bannedUntil) revert UserBanned(msg.sender, user.bannedUntil);
        _accountOf(msg.sender);
        if (
            volume == 0 || volume > type(uint128).max || price == 0 || price > type(uint128).max
                || deliveryTime <= block.timestamp || deliveryTime > type(uint40).max
        ) revert InvalidOffer();
        id = _offers.length;
        _offers.push(Offer(msg.sender, uint40(deliveryTime), side, false, uint128(volume), uint128(price)));
        emit OfferDeclared(id, msg.sender, uint256(side), volume, price, deliveryTime);
    }

    // ------------------------------------------------------------------ TRD-2

    function matchOffers(uint256 askId, uint256 bidId) external returns (uint256 tradeId) {
        if (askId >= _offers.length) revert UnknownOffer(askId);
        if (bidId >= _offers.length) revert UnknownOffer(bidId);
        Offer storage ask = _offers[askId];
        Offer storage bid = _offers[bidId];
        if (
            ask.side != Side.Ask || bid.side != Side.Bid || ask.taken || bid.taken || ask.trader == bid.trader
                || ask.deliveryTime != bid.deliveryTime || block.timestamp >= ask.deliveryTime
        ) revert InvalidMatch(askId, bidId);
        if (ask.price > bid.price) revert AskAboveBid(ask.price, bid.price);
        uint128 volume = ask.volume < bid.volume ? ask.volume : bid.volume;
        ask.taken = true;
        bid.taken = true;
        tradeId = _trades.length;
        Trade storage t = _trades.push();
        t.seller = ask.trader;
        t.buyer = bid.trader;
        t.deliveryTime = ask.deliveryTime;
        t.status = TradeStatus.Matched;
        t.volume = volume;
        t.price = ask.price;
        emit TradeMatched(tradeId, askId, bidId, volume, ask.price);
    }

    // ------------------------------------------------------------------ TRD-3

    function authenticateMatch(uint256 tradeId, bytes calldata sellerSignature, bytes calldata buyerSignature)
        external
        payable
    {
        Trade storage t = _trade(tradeId);
        _stage(t.status == TradeStatus.Matched && block.timestamp < t.deliveryTime, tradeId, t);
        if (msg.sender != t.buyer) revert NotBuyer(msg.sender);
        bytes32 digest = termsDigest(tradeId);
        _requireSigned(digest, t.seller, sellerSignature);
        _requireSigned(digest, t.buyer, buyerSignature);
        uint256 due = uint256(t.volume) * t.price + fee;
        if (msg.value != due) revert WrongPayment(msg.value, due);
        Account storage s = _accounts[t.seller];
        if (s.balance < t.volume) revert InsufficientEnergy(s.balance, t.volume);
        s.balance -= t.volume;
        locked += t.volume;
        t.status = TradeStatus.Authenticated;
        emit MatchAuthenticated(tradeId, msg.value);
    }

    /// @notice The EIP-712 digest of trade `tradeId`'s terms in this market's domain (TRD-3).
    function termsDigest(uint256 tradeId) public view returns (bytes32) {
        Trade storage t = _trade(tradeId);
        bytes32 domain = keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
        bytes32 terms =
            keccak256(abi.encode(TERMS_TYPEHASH, tradeId, t.seller, t.buyer, t.volume, t.price, t.deliveryTime));
        return keccak256(abi.encodePacked("\x19\x01", domain, terms));
    }

    function _requireSigned(bytes32 digest, address party, bytes calldata signature) private pure {
        if (signature.length != 65) revert BadSignature(party);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if ((v != 27 && v != 28) || r == 0 || s == 0 || uint256(s) > HALF_N) revert BadSignature(party);
        address found = ecrecover(digest, v, r, s);
        if (found == address(0) || found != party) revert BadSignature(party);
    }

    // ------------------------------------------------------------------ TRD-4

    function recordExecution(uint256 tradeId, uint256 delivered) external {
        if (msg.sender != grid) revert NotPermitted(msg.sender, ISSUE); // the evidence's provider alone (TRD-4)
        Trade storage t = _trade(tradeId);
        _stage(t.status == TradeStatus.Authenticated && block.timestamp >= t.deliveryTime, tradeId, t);
        if (delivered > t.volume) revert ExcessDelivery(delivered, t.volume);
        if (certifiers.length == 0) revert NoCertifiers();
        t.status = TradeStatus.Executed;
        t.delivered = uint128(delivered);
        t.certifiers = uint32(certifiers.length);
        emit TradeExecuted(tradeId, delivered);
    }

    // ------------------------------------------------------------------ TRD-5

    function addCertifier(address account) external {
        if (msg.sender != genesis) revert NotPermitted(msg.sender, uint256(Kind.Genesis));
        if (isCertifier[account] || account == address(0)) revert AlreadyRegistered(account);
        isCertifier[account] = true;
        certifiers.push(account);
        emit CertifierAdded(account);
    }

    function certifyExecution(uint256 tradeId, bool approve) external {
        Trade storage t = _trade(tradeId);
        _stage(t.status == TradeStatus.Executed, tradeId, t);
        if (!_certifierOf(msg.sender, t.certifiers)) revert NotCertifier(msg.sender);
        if (voted[tradeId][msg.sender]) revert AlreadyVoted(msg.sender);
        if (approve) {
            // FPR-7: a pass certifies only the grid's delivery evidence (kind 2) of this very record, made from
            // the delivery time on
            (uint256 kind, uint256 recordTime) =
                fingerprints.recordOf(grid, keccak256(abi.encode(address(this), tradeId, t.delivered)));
            if (kind != 2 || recordTime < t.deliveryTime) {
                revert NoDeliveryEvidence(tradeId, t.delivered); // FPR-7: a pass certifies a fingerprinted record only
            }
        }
        voted[tradeId][msg.sender] = true;
        if (approve) ++t.passes;
        else ++t.opposes;
        emit ExecutionVoted(tradeId, msg.sender, approve);
        if (2 * uint256(t.passes) > t.certifiers) {
            t.status = TradeStatus.Certified;
            emit ExecutionCertified(tradeId, true);
        } else if (2 * uint256(t.opposes) >= t.certifiers) {
            t.status = TradeStatus.Rejected;
            _addEnergy(t.seller, t.volume);
            locked -= t.volume;
            _credit(t.buyer, uint256(t.volume) * t.price + fee);
            emit ExecutionCertified(tradeId, false);
        }
    }

    /// @dev Whether `account` is among the first `count` certifiers registered.
    function _certifierOf(address account, uint256 count) private view returns (bool) {
        if (!isCertifier[account]) return false;
        for (uint256 i = 0; i < count; ++i) {
            if (certifiers[i] == account) return true;
        }
        return false;
    }

    // ------------------------------------------------------------------ TRD-6

    function clearTrade(uint256 tradeId) external {
        Trade storage t = _trade(tradeId);
        uint256 period = t.deliveryTime / PERIOD;
        _stage(t.status == TradeStatus.Certified && block.timestamp >= (period + 1) * PERIOD, tradeId, t);
        Period storage p = getPeriod[period];
        p.trades += 1;
        p.energy = _u128(uint256(p.energy) + t.delivered);
        p.money += uint256(t.delivered) * t.price;
        t.status = TradeStatus.Cleared;
        emit TradeCleared(tradeId, period);
    }

    // ------------------------------------------------------------------ TRD-7

    function settleTrade(uint256 tradeId) external {
        Trade storage t = _trade(tradeId);
        _stage(t.status == TradeStatus.Cleared, tradeId, t);
        uint256 payment = uint256(t.delivered) * t.price;
        uint256 refund = uint256(t.volume - t.delivered) * t.price;
        _addEnergy(t.buyer, t.delivered);
        _addEnergy(t.seller, t.volume - t.delivered);
        locked -= t.volume;
        _credit(t.seller, payment);
        _credit(feeRecipient, fee);
        _credit(t.buyer, refund);
        t.status = TradeStatus.Settled;
        emit TradeSettled(tradeId, payment, fee, refund);
        IReputationHook(address(registry)).recordBilateralTrade(
            t.seller, t.buyer, uint256(t.volume) * t.price, t.delivered == t.volume
        );
    }

    // ------------------------------------------------------------------ ENG-9

    function settleAuctionEnergy(uint256 orderId) external {
        if (orderId >= registry.orderCount()) revert UnknownOrder(orderId);
        IFairwattMarket.OrderView memory o = registry.getOrder(orderId);
        if (o.status != IFairwattMarket.OrderStatus.Completed) revert WrongPhase(orderId, uint8(o.status));
        if (energySettled[orderId]) revert EnergySettledAlready(orderId);
        Account storage s = _accountOf(o.seller);
        _accountOf(o.winner);
        if (s.balance < o.quantity) revert InsufficientEnergy(s.balance, o.quantity);
        energySettled[orderId] = true;
        _move(o.seller, o.winner, o.quantity);
        emit AuctionEnergySettled(orderId, o.quantity);
    }

    // ------------------------------------------------------------------ views

    function offerCount() external view returns (uint256) {
        return _offers.length;
    }

    function tradeCount() external view returns (uint256) {
        return _trades.length;
    }

    function certifierCount() external view returns (uint256) {
        return certifiers.length;
    }

    function getOffer(uint256 offerId) external view returns (Offer memory) {
        if (offerId >= _offers.length) revert UnknownOffer(offerId);
        return _offers[offerId];
    }

    function getTrade(uint256 tradeId) external view returns (Trade memory) {
        return _trade(tradeId);
    }

    function _trade(uint256 tradeId) private view returns (Trade storage) {
        if (tradeId >= _trades.length) revert UnknownTrade(tradeId);
        return _trades[tradeId];
    }

    function _stage(bool ok, uint256 tradeId, Trade storage t) private view {
        if (!ok) revert WrongTradeStage(tradeId, uint8(t.status));
    }
}
