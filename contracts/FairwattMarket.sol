// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {UserRegistry} from "./UserRegistry.sol";
import {Reputation} from "./Reputation.sol";
import {SealedQuotes} from "./SealedQuotes.sol";
import {Params} from "./generated/Params.sol";

/// @title The fairwatt market: sealed-bid second-price auctions of surplus power, settlement, pull payments
/// @notice Implements spec/auction.md and spec/settlement.md clause for clause; reference/market.py is the oracle.
/// @dev Checks-Effects-Interactions everywhere: the only external call is the value transfer at the end of
/// `withdraw` (plus the ecMul precompile). Bids are not stored: each is folded into the order's hash chain.
contract FairwattMarket is UserRegistry {
    struct Order {
        // slot 0
        address seller;
        uint40 biddingEnd;
        uint40 disclosureEnd;
        OrderStatus status;
        // slot 1: head of the bids' hash chain and their count (AUC-2)
        bytes28 chain;
        uint32 bidCount;
        // slot 2
        uint128 startPrice;
        uint128 deposit;
        // slots 3-5
        uint256 keyX;
        uint256 keyY;
        uint256 privateKey;
        // slot 6: the verified chain value below the opened bids, and how many are opened (AUC-6)
        bytes28 cursor;
        uint32 opened;
        // slot 7
        address winner;
        uint40 deadline;
        // slot 8
        uint128 highest;
        uint128 second;
        // slot 9
        uint128 price;
        uint128 quantity;
    }

    /// @dev H_0 of every order's bid chain: non-zero, so that no bid pays for a fresh storage word.
    bytes28 public constant CHAIN_SEED = bytes28(keccak256("fairwatt.bid-chain"));

    uint256 public orderCount;
    mapping(uint256 orderId => Order) private _orders;
    /// @dev QUO-2: the x-coordinate of every order key posted so far (`K` and `-K` share it).
    mapping(uint256 keyX => bool) private _keyUsed;
    /// @notice TRD-10: the bilateral market whose settled trades move reputation here; linked once.
    address public bilateral;

    error NotBilateral(address caller);

    constructor(address operator_) UserRegistry(operator_) {}

    // ------------------------------------------------------------------ auction

    /// @notice AUC-1, ECO-1, ECO-2: a registered, unbanned seller opens a sealed-bid auction.
    function postOrder(uint256 quantity, uint256 startPrice, uint256 deposit, uint256 keyX, uint256 keyY)
        external
        returns (uint256 orderId)
    {
        _requireTrader(msg.sender);
        if (
            quantity == 0 || quantity > type(uint128).max || deposit == 0 || deposit > type(uint128).max
                || startPrice < Params.MIN_PRICE || startPrice > Params.MAX_QUOTE
                || deposit * Params.WAD < startPrice * Params.MIN_DEPOSIT_SHARE
        ) revert InvalidOrder();
        if (Params.ORDER_QUANTITY_PER_REPUTATION != 0) {
            uint256 limit = Reputation.orderLimit(_users[msg.sender].sellerReputation);
            if (quantity > limit) revert OrderTooLarge(quantity, limit);
        }
        if (!SealedQuotes.isValidPoint(keyX, keyY)) revert InvalidPublicKey();
        if (_keyUsed[keyX]) revert KeyReused();
        _keyUsed[keyX] = true;
        orderId = orderCount++;
        Order storage o = _orders[orderId];
        uint256 biddingEnd = block.timestamp + Params.BIDDING_PERIOD;
        uint256 disclosureEnd = biddingEnd + Params.DISCLOSURE_PERIOD;
        o.seller = msg.sender;
        o.biddingEnd = uint40(biddingEnd);
        o.disclosureEnd = uint40(disclosureEnd);
        o.status = OrderStatus.Open;
        o.chain = CHAIN_SEED;
        o.startPrice = uint128(startPrice);
        o.deposit = uint128(deposit);
        o.keyX = keyX;
        o.keyY = keyY;
        o.quantity = uint128(quantity);
        emit OrderPosted(orderId, msg.sender, quantity, startPrice, deposit, biddingEnd, disclosureEnd);
    }

    /// @notice AUC-2, AUC-3: seal a quote to the order's key, sending exactly its deposit.
    function placeBid(uint256 orderId, uint256 c1x, uint256 c1y, uint256 c2) external payable {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Open || block.timestamp >= o.biddingEnd) revert WrongPhase(orderId, uint8(o.status));
        _requireTrader(msg.sender);
        if (msg.sender == o.seller) revert SellerCannotBid(msg.sender);
        if (msg.value != o.deposit) revert WrongDeposit(msg.value, o.deposit);
        uint256 index = o.bidCount;
        o.chain = _link(o.chain, msg.sender, c1x, c1y, c2);
        o.bidCount = uint32(index + 1);
        emit BidPlaced(orderId, msg.sender, index, c1x, c1y, c2);
    }

    /// @notice AUC-4: after bidding, the seller discloses k with k*G = K.
    function discloseKey(uint256 orderId, uint256 privateKey) external {
        Order storage o = _order(orderId);
        if (msg.sender != o.seller) revert NotSeller(msg.sender);
        if (o.status != OrderStatus.Open || block.timestamp < o.biddingEnd || block.timestamp >= o.disclosureEnd) {
            revert WrongPhase(orderId, uint8(o.status));
        }
        if (!SealedQuotes.keyMatches(privateKey, o.keyX, o.keyY)) revert WrongKey();
        o.privateKey = privateKey;
        o.status = OrderStatus.Disclosed;
        emit KeyDisclosed(orderId, privateKey);
    }

    /// @notice AUC-5, AUC-6, SET-5: open the newest unopened bids, newest first; `chainBelow` is the chain
    /// value under the batch (CHAIN_SEED for the batch that reaches the first bid). Abandoned orders only refund.
    function openBids(uint256 orderId, bytes28 chainBelow, SealedBid[] calldata bids) external {
        Order storage o = _order(orderId);
        OrderStatus status = o.status;
        if (status != OrderStatus.Disclosed && status != OrderStatus.Abandoned) revert WrongPhase(orderId, uint8(status));
        uint256 opened = o.opened;
        uint256 remaining = o.bidCount - opened;
        if (remaining == 0 || bids.length == 0) revert NothingToOpen(orderId);
        if (bids.length > remaining) revert CiphertextMismatch();
        uint256 first = remaining - bids.length;
        // Verify the whole batch against the stored chain before any of it counts.
        bytes28 link = chainBelow;
        for (uint256 i = 0; i < bids.length; ++i) {
            link = _link(link, bids[i].bidder, bids[i].c1x, bids[i].c1y, bids[i].c2);
        }
        if (link != (opened == 0 ? o.chain : o.cursor) || (first == 0 && chainBelow != CHAIN_SEED)) {
            revert CiphertextMismatch();
        }
        Tally memory t = Tally(o.winner, o.highest, o.second, o.deposit, o.startPrice, o.privateKey, orderId);
        bool disclosed = status == OrderStatus.Disclosed;
        for (uint256 i = bids.length; i > 0; --i) {
            _tally(t, bids[i - 1], disclosed);
        }
        o.cursor = chainBelow;
        o.opened = uint32(opened + bids.length);
        o.winner = t.winner;
        o.highest = uint128(t.highest);
        o.second = uint128(t.second);
        emit BidsOpened(orderId, first, bids.length);
    }

    /// @notice AUC-7, AUC-8: fix the winner and the price once every bid is opened.
    function settle(uint256 orderId) external {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Disclosed) revert WrongPhase(orderId, uint8(o.status));
        if (o.opened != o.bidCount) revert BidsNotOpened(orderId, o.opened, o.bidCount);
        address winner = o.winner;
        if (winner == address(0)) {
            o.status = OrderStatus.Unsold;
            emit AuctionSettled(orderId, address(0), 0);
            return;
        }
        uint256 price = o.second > o.startPrice ? o.second : o.startPrice;
        o.price = uint128(price);
        o.deadline = uint40(block.timestamp + Params.PAYMENT_PERIOD);
        o.status = OrderStatus.Settled;
        emit AuctionSettled(orderId, winner, price);
    }

    /// @notice SET-5: the disclosure deadline passed without the key.
    function claimSellerDefault(uint256 orderId) external {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Open || block.timestamp < o.disclosureEnd) revert WrongPhase(orderId, uint8(o.status));
        if (o.bidCount == 0) {
            o.status = OrderStatus.Unsold;
            emit AuctionSettled(orderId, address(0), 0);
            return;
        }
        o.status = OrderStatus.Abandoned;
        emit TradeFailed(orderId, o.seller);
        _recordSellerTrade(o.seller, o.startPrice, false);
    }

    // ------------------------------------------------------------------ settlement

    /// @notice SET-1: the winner pays exactly the price; their deposit is credited back.
    function payPrice(uint256 orderId) external payable {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Settled || block.timestamp >= o.deadline) revert WrongPhase(orderId, uint8(o.status));
        if (msg.sender != o.winner) revert NotWinner(msg.sender);
        if (msg.value != o.price) revert WrongPayment(msg.value, o.price);
        _credit(msg.sender, o.deposit);
        o.status = OrderStatus.Paid;
        o.deadline = uint40(block.timestamp + Params.DELIVERY_PERIOD);
        emit PricePaid(orderId, msg.sender, msg.value);
    }

    /// @notice SET-4: the winner did not pay in time.
    function claimBuyerDefault(uint256 orderId) external {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Settled || block.timestamp < o.deadline) revert WrongPhase(orderId, uint8(o.status));
        o.status = OrderStatus.Failed;
        _credit(o.seller, o.deposit);
        emit TradeFailed(orderId, o.winner);
        _recordBuyerTrade(o.winner, o.price, 0, false);
    }

    /// @notice SET-2: the winner, or the operator from meter data, confirms delivery.
    function confirmDelivery(uint256 orderId) external {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Paid) revert WrongPhase(orderId, uint8(o.status));
        if (msg.sender != o.winner && msg.sender != operator) revert NotBuyerOrOperator(msg.sender);
        _complete(orderId, o);
    }

    /// @notice SET-2: nobody disputed delivery before the deadline.
    function claimDeliveryTimeout(uint256 orderId) external {
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Paid || block.timestamp < o.deadline) revert WrongPhase(orderId, uint8(o.status));
        _complete(orderId, o);
    }

    /// @notice SET-3: the operator certifies from meter data that the seller did not deliver.
    function reportNonDelivery(uint256 orderId) external {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        Order storage o = _order(orderId);
        if (o.status != OrderStatus.Paid) revert WrongPhase(orderId, uint8(o.status));
        o.status = OrderStatus.Failed;
        _credit(o.winner, o.price);
        emit TradeFailed(orderId, o.seller);
        _recordSellerTrade(o.seller, o.price, false);
    }

    /// @notice SET-7: pull the caller's whole pending balance; zeroed before the transfer.
    function withdraw() external {
        uint256 amount = _users[msg.sender].pending;
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _users[msg.sender].pending = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender);
    }

    // ------------------------------------------------------------------ TRD-10

    /// @notice TRD-10: the operator links the bilateral market sharing this registry, once.
    function linkBilateral(address market) external {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        if (bilateral != address(0) || market == address(0)) revert AlreadyRegistered(market);
        bilateral = market;
    }

    /// @notice TRD-10: a settled bilateral trade of value `amount` moves both sides' reputation as a
    /// completed auction does (SET-2); a short delivery is the seller's fraud (SET-3).
    function recordBilateralTrade(address seller, address buyer, uint256 amount, bool delivered) external {
        if (msg.sender != bilateral) revert NotBilateral(msg.sender);
        if (delivered) {
            uint256 growth = _sellerGrowth(seller, amount);
            _recordSellerTrade(seller, amount, true);
            _recordBuyerTrade(buyer, amount, growth, true);
        } else {
            _recordSellerTrade(seller, amount, false);
        }
    }

    // ------------------------------------------------------------------ views

    /// @notice The observable state of an order.
    function getOrder(uint256 orderId) external view returns (OrderView memory v) {
        Order storage o = _order(orderId);
        v = OrderView({
            seller: o.seller,
            quantity: o.quantity,
            startPrice: o.startPrice,
            deposit: o.deposit,
            keyX: o.keyX,
            keyY: o.keyY,
            biddingEnd: o.biddingEnd,
            disclosureEnd: o.disclosureEnd,
            status: o.status,
            privateKey: o.privateKey,
            bidCount: o.bidCount,
            opened: o.opened,
            winner: o.winner,
            highest: o.highest,
            second: o.second,
            price: o.price,
            deadline: o.deadline
        });
    }

    /// @notice QUO-5: the context a quote for `bidder`'s bid in `orderId` is sealed in.
    function bidContext(uint256 orderId, address bidder) external view returns (uint256) {
        return SealedQuotes.bidContext(orderId, bidder);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The running top two of an opening batch, kept in memory (one storage write per batch).
    struct Tally {
        address winner;
        uint256 highest;
        uint256 second;
        uint256 deposit;
        uint256 startPrice;
        uint256 privateKey;
        uint256 orderId;
    }

    /// @dev Every posted order has a seller (registered, so never the zero address): the order's own first
    /// word, read by every caller anyway, tells whether it exists.
    function _order(uint256 orderId) private view returns (Order storage o) {
        o = _orders[orderId];
        if (o.seller == address(0)) revert UnknownOrder(orderId);
    }

    /// @dev One step of the bids' hash chain (AUC-2): keccak256 of the ABI encoding of
    /// `(below, bidder, c1x, c1y, c2)`, truncated to 224 bits. Hashed in scratch memory, nothing allocated.
    function _link(bytes28 below, address bidder, uint256 c1x, uint256 c1y, uint256 c2) private pure returns (bytes28 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, below)
            mstore(add(ptr, 0x20), bidder)
            mstore(add(ptr, 0x40), c1x)
            mstore(add(ptr, 0x60), c1y)
            mstore(add(ptr, 0x80), c2)
            h := and(keccak256(ptr, 0xa0), not(0xffffffff))
        }
    }

    /// @dev AUC-5, AUC-6: one bid into the running top two; every deposit not in the lead is credited back.
    function _tally(Tally memory t, SealedBid calldata bid, bool disclosed) private {
        bool valid = false;
        uint256 quote = 0;
        if (disclosed) {
            uint256 context = SealedQuotes.bidContext(t.orderId, bid.bidder);
            (valid, quote) = SealedQuotes.decrypt(t.privateKey, bid.c1x, bid.c1y, bid.c2, context);
            valid = valid && quote >= t.startPrice && quote <= Params.MAX_QUOTE;
        }
        if (!valid) {
            _credit(bid.bidder, t.deposit);
        } else if (quote >= t.highest) {
            if (t.winner != address(0)) _credit(t.winner, t.deposit);
            (t.winner, t.second, t.highest) = (bid.bidder, t.highest, quote);
        } else {
            if (quote > t.second) t.second = quote;
            _credit(bid.bidder, t.deposit);
        }
    }

    /// @dev SET-2: the seller is paid; both sides record an honest trade of the price.
    function _complete(uint256 orderId, Order storage o) private {
        o.status = OrderStatus.Completed;
        (address seller, address buyer, uint256 price) = (o.seller, o.winner, o.price);
        _credit(seller, price);
        emit DeliveryConfirmed(orderId);
        uint256 growth = _sellerGrowth(seller, price);
        _recordSellerTrade(seller, price, true);
        _recordBuyerTrade(buyer, price, growth, true);
    }
}
