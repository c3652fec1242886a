// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "./interfaces/IFairwattMarket.sol";
import {PowerPoints} from "./PowerPoints.sol";

/// @notice The bilateral market's views GreenCertificates reads (BilateralMarket's ABI, spec/trade.md). Declared
/// here rather than imported, so that BilateralMarket.sol stays a root file of its own for the scanners.
interface IBilateralTrades {
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

    /// @dev BilateralMarket.Trade, field for field.
    struct Trade {
        address seller;
        uint40 deliveryTime;
        TradeStatus status;
        address buyer;
        uint32 certifiers;
        uint32 passes;
        uint32 opposes;
        uint128 volume;
        uint128 price;
        uint128 delivered;
    }

    function tradeCount() external view returns (uint256);
    function getTrade(uint256 tradeId) external view returns (Trade memory);
    function voted(uint256 tradeId, address certifier) external view returns (bool);
    function energySettled(uint256 orderId) external view returns (bool);
    function generatedOf(address account) external view returns (uint256);
}

/// @title Green certificates and the power points' grants (spec/points.md CRT-1..CRT-4, PTS-1..PTS-3)
/// @notice Pull-based: everything is claimed against facts the markets already expose — a registered user,
/// a completed auction order (`getOrder`), a settled bilateral trade (`getTrade`), a recorded vote
/// (`voted`). One certificate per (market, trade), its Wh numbered by a running serial, so no serial is
/// issued twice and nothing is labelled that no market settled; a seller's certificates never cover more Wh
/// than its meter generated (`generatedOf`, CRT-4): the certified Wh never outnumber the generated ones, but
/// the ledger is fungible and a generator's resales draw on its own generation (ERR-41, CRT-4's limits).
/// reference/points.py is the oracle.
/// @dev The markets are read only (views); Checks-Effects-Interactions as in PowerPoints.
contract GreenCertificates is PowerPoints {
    struct Certificate {
        // slot 0
        address source;
        uint8 market;
        // slot 1
        address buyer;
        // slot 2
        uint256 quantity;
        // slot 3
        uint256 firstSerial;
        // slot 4
        uint256 tradeId;
    }

    uint8 public constant AUCTION = 0;
    uint8 public constant BILATERAL = 1;
    uint256 public constant WH_PER_KWH = 1000;
    uint256 private constant REGISTRATION = 0;
    uint256 private constant TRADE = 1;
    uint256 private constant VERIFICATION = 2;

    IBilateralTrades public immutable bilateral;
    uint256 public immutable registrationGrant;
    uint256 public immutable tradeGrantPerKwh;
    uint256 public immutable verificationGrant;

    /// @notice Wh certified so far: the next certificate's first serial.
    uint256 public certifiedWh;
    Certificate[] private _certificates;
    mapping(uint256 market => mapping(uint256 tradeId => bool)) public certified;
    /// @notice Wh certified with this account as their source (CRT-4): at most `bilateral.generatedOf(source)`.
    mapping(address source => uint256) public certifiedBy;
    mapping(address account => bool) public registrationClaimed;
    mapping(uint256 tradeId => mapping(address certifier => bool)) public verificationClaimed;

    event CertificateIssued(
        uint256 indexed certificateId,
        uint256 market,
        uint256 tradeId,
        address indexed source,
        address indexed buyer,
        uint256 quantity,
        uint256 firstSerial
    );

    error RegistrationClaimed(address account);
    error UnknownMarket(uint256 market);
    error NoSuchTrade(uint256 market, uint256 tradeId);
    error TradeNotSettled(uint256 market, uint256 tradeId, uint256 status);
    error NothingDelivered(uint256 market, uint256 tradeId);
    error CertifiedAlready(uint256 market, uint256 tradeId);
    error NotGenerated(address source, uint256 available, uint256 quantity);
    error NotVerifier(uint256 tradeId, address account);
    error VerificationClaimed(uint256 tradeId, address account);

    constructor(
        IFairwattMarket auction_,
        IBilateralTrades bilateral_,
        uint256 registrationGrant_,
        uint256 tradeGrantPerKwh_,
        uint256 verificationGrant_
    ) PowerPoints(auction_) {
        bilateral = bilateral_;
        registrationGrant = registrationGrant_;
        tradeGrantPerKwh = tradeGrantPerKwh_;
        verificationGrant = verificationGrant_;
    }

    // ------------------------------------------------------------------ PTS-1

    function claimRegistrationGrant() external {
        _requireUser(msg.sender);
        if (registrationClaimed[msg.sender]) revert RegistrationClaimed(msg.sender);
        registrationClaimed[msg.sender] = true;
        _grant(msg.sender, REGISTRATION, registrationGrant);
    }

    // ------------------------------------------------------------------ CRT-1, CRT-2, CRT-4, PTS-2

    function claimCertificate(uint256 market, uint256 tradeId) external returns (uint256 certificateId) {
        (address source, address buyer, uint256 quantity) = _settledTrade(market, tradeId);
        if (quantity == 0) revert NothingDelivered(market, tradeId);
        if (certified[market][tradeId]) revert CertifiedAlready(market, tradeId);
        uint256 done = certifiedBy[source];
        uint256 available = bilateral.generatedOf(source) - done; // never below 0: CRT-4 held so far
        if (quantity > available) revert NotGenerated(source, available, quantity);
        certifiedBy[source] = done + quantity;
        certified[market][tradeId] = true;
        uint256 first = certifiedWh;
        certifiedWh = first + quantity;
        certificateId = _certificates.length;
        _certificates.push(Certificate(source, uint8(market), buyer, quantity, first, tradeId));
        emit CertificateIssued(certificateId, market, tradeId, source, buyer, quantity, first);
        uint256 points = (quantity / WH_PER_KWH) * tradeGrantPerKwh;
        _grant(source, TRADE, points);
        _grant(buyer, TRADE, points);
    }

    // ------------------------------------------------------------------ PTS-3

    function claimVerificationGrant(uint256 tradeId) external {
        if (!bilateral.voted(tradeId, msg.sender)) revert NotVerifier(tradeId, msg.sender);
        if (verificationClaimed[tradeId][msg.sender]) revert VerificationClaimed(tradeId, msg.sender);
        verificationClaimed[tradeId][msg.sender] = true;
        _grant(msg.sender, VERIFICATION, verificationGrant);
    }

    // ------------------------------------------------------------------ views

    function certificateCount() external view returns (uint256) {
        return _certificates.length;
    }

    function getCertificate(uint256 certificateId) external view returns (Certificate memory) {
        return _certificates[certificateId];
    }

    // ------------------------------------------------------------------ internals

    /// @dev CRT-1: (source, buyer, Wh delivered) of a completed auction order whose energy ENG-9 settled
    /// (`BilateralMarket.energySettled`), or of a settled bilateral trade.
    function _settledTrade(uint256 market, uint256 tradeId) private view returns (address, address, uint256) {
        if (market == AUCTION) {
            if (tradeId >= registry.orderCount()) revert NoSuchTrade(market, tradeId);
            IFairwattMarket.OrderView memory o = registry.getOrder(tradeId);
            if (o.status != IFairwattMarket.OrderStatus.Completed || !bilateral.energySettled(tradeId)) {
                revert TradeNotSettled(market, tradeId, uint256(o.status)); // ENG-9 moved no Wh yet
            }
            return (o.seller, o.winner, o.quantity);
        }
        if (market == BILATERAL) {
            if (tradeId >= bilateral.tradeCount()) revert NoSuchTrade(market, tradeId);
            IBilateralTrades.Trade memory t = bilateral.getTrade(tradeId);
            if (t.status != IBilateralTrades.TradeStatus.Settled) {
                revert TradeNotSettled(market, tradeId, uint256(t.status));
            }
            return (t.seller, t.buyer, t.delivered);
        }
        revert UnknownMarket(market);
    }
}
