// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "./interfaces/IFairwattMarket.sol";

/// @title Power points: seed 003's non-token value carrier (spec/points.md PTS-4..PTS-7)
/// @notice Points are granted only by the claims of the inheriting contract (`_grant`); they move by their
/// holder's transfer, are spent once (burned) and sold for wei through escrowed offers. Total supply is
/// granted minus burned, and every point of it is in one balance or one open offer (PTS-7).
/// reference/points.py is the oracle.
/// @dev Checks-Effects-Interactions: the only external calls are the registry's `getUser` view and the value
/// transfer at the end of `withdraw`.
abstract contract PowerPoints {
    struct Offer {
        address maker;
        bool open;
        uint128 amount;
        uint128 price;
    }

    IFairwattMarket public immutable registry;
    uint256 public granted;
    uint256 public burned;
    mapping(address account => uint256) public pointsOf;
    mapping(address account => uint256) public pending;
    Offer[] private _offers;

    event PointsGranted(address indexed account, uint256 grant, uint256 amount);
    event PointsTransferred(address indexed source, address indexed target, uint256 amount);
    event PointsSpent(address indexed account, uint256 amount);
    event PointsOffered(uint256 indexed offerId, address indexed maker, uint256 amount, uint256 price);
    event PointsBought(uint256 indexed offerId, address indexed buyer, uint256 paid);
    event OfferCancelled(uint256 indexed offerId);
    event Withdrawn(address indexed account, uint256 amount);

    error NotRegistered(address account);
    error InvalidPoints(uint256 amount);
    error InvalidPrice(uint256 price);
    error InsufficientPoints(uint256 balance, uint256 amount);
    error NoSuchOffer(uint256 offerId);
    error OfferClosed(uint256 offerId);
    error NotOfferMaker(address caller);
    error WrongPayment(uint256 value, uint256 price);
    error NothingToWithdraw(address account);
    error TransferFailed(address account);

    constructor(IFairwattMarket registry_) {
        registry = registry_;
    }

    // ------------------------------------------------------------------ PTS-4

    function transferPoints(address target, uint256 amount) external {
        _requireUser(target);
        _debit(msg.sender, amount);
        pointsOf[target] += amount;
        emit PointsTransferred(msg.sender, target, amount);
    }

    // ------------------------------------------------------------------ PTS-5

    /// @notice Spend points on electricity charges: they are burned, so a point pays once.
    function spendPoints(uint256 amount) external {
        _debit(msg.sender, amount);
        burned += amount;
        emit PointsSpent(msg.sender, amount);
    }

    // ------------------------------------------------------------------ PTS-6

    function offerPoints(uint256 amount, uint256 price) external returns (uint256 offerId) {
        _requireUser(msg.sender);
        _checkPoints(amount);
        if (price == 0 || price > type(uint128).max) revert InvalidPrice(price);
        _debit(msg.sender, amount);
        offerId = _offers.length;
        _offers.push(Offer(msg.sender, true, uint128(amount), uint128(price)));
        emit PointsOffered(offerId, msg.sender, amount, price);
    }

    function buyPoints(uint256 offerId) external payable {
        _requireUser(msg.sender);
        Offer storage o = _openOffer(offerId);
        uint256 due = uint256(o.amount) * o.price;
        if (msg.value != due) revert WrongPayment(msg.value, due);
        o.open = false;
        pointsOf[msg.sender] += o.amount;
        pending[o.maker] += msg.value;
        emit PointsBought(offerId, msg.sender, msg.value);
    }

    function cancelOffer(uint256 offerId) external {
        Offer storage o = _openOffer(offerId);
        if (msg.sender != o.maker) revert NotOfferMaker(msg.sender);
        o.open = false;
        pointsOf[msg.sender] += o.amount;
        emit OfferCancelled(offerId);
    }

    function withdrawProceeds() external {
        uint256 amount = pending[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        pending[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender);
    }

    // ------------------------------------------------------------------ views

    function offerCount() external view returns (uint256) {
        return _offers.length;
    }

    function getOffer(uint256 offerId) external view returns (Offer memory) {
        if (offerId >= _offers.length) revert NoSuchOffer(offerId);
        return _offers[offerId];
    }

    /// @notice PTS-7: points in existence.
    function totalSupply() external view returns (uint256) {
        return granted - burned;
    }

    // ------------------------------------------------------------------ internals

    function _grant(address account, uint256 grant, uint256 amount) internal {
        if (amount == 0) return;
        pointsOf[account] += amount;
        granted += amount;
        emit PointsGranted(account, grant, amount);
    }

    function _requireUser(address account) internal view {
        if (!registry.getUser(account).registered) revert NotRegistered(account);
    }

    function _checkPoints(uint256 amount) private pure {
        if (amount == 0 || amount > type(uint128).max) revert InvalidPoints(amount);
    }

    function _debit(address account, uint256 amount) private {
        _checkPoints(amount);
        uint256 held = pointsOf[account];
        if (held < amount) revert InsufficientPoints(held, amount);
        pointsOf[account] = held - amount;
    }

    function _openOffer(uint256 offerId) private view returns (Offer storage o) {
        if (offerId >= _offers.length) revert NoSuchOffer(offerId);
        o = _offers[offerId];
        if (!o.open) revert OfferClosed(offerId);
    }
}
