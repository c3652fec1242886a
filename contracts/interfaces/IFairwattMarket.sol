// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The fairwatt market interface
/// @notice What an implementation of the mechanism in spec/ exposes. Names follow the spec's clauses
/// (`place_bid` -> `placeBid`); errors carry the names of reference/errors.py's exceptions; events are the
/// reference model's events. fairwatt's differential campaign and vectors run against this interface.
interface IFairwattMarket {
    // ------------------------------------------------------------------ types

    enum OrderStatus {
        None,
        Open,
        Disclosed,
        Abandoned,
        Settled,
        Paid,
        Completed,
        Unsold,
        Failed
    }

    /// @dev One bid as the opener supplies it (the contract keeps only a hash chain of them).
    struct SealedBid {
        address bidder;
        uint256 c1x;
        uint256 c1y;
        uint256 c2;
    }

    /// @dev The observable state of one order.
    struct OrderView {
        address seller;
        uint256 quantity;
        uint256 startPrice;
        uint256 deposit;
        uint256 keyX;
        uint256 keyY;
        uint256 biddingEnd;
        uint256 disclosureEnd;
        OrderStatus status;
        uint256 privateKey;
        uint256 bidCount;
        uint256 opened;
        address winner;
        uint256 highest;
        uint256 second;
        uint256 price;
        uint256 deadline;
    }

    /// @dev The observable state of one user.
    struct UserView {
        bool registered;
        uint256 sellerReputation;
        uint256 buyerReputation;
        uint256 sellerFrauds;
        uint256 buyerFrauds;
        uint256 bannedUntil;
        uint256 pending;
        uint256[] history;
    }

    // ------------------------------------------------------------------ events

    event UserRegistered(address indexed account);
    event OrderPosted(
        uint256 indexed orderId,
        address indexed seller,
        uint256 quantity,
        uint256 startPrice,
        uint256 deposit,
        uint256 biddingEnd,
        uint256 disclosureEnd
    );
    event BidPlaced(
        uint256 indexed orderId, address indexed bidder, uint256 bidIndex, uint256 c1x, uint256 c1y, uint256 c2
    );
    event KeyDisclosed(uint256 indexed orderId, uint256 privateKey);
    event BidsOpened(uint256 indexed orderId, uint256 firstIndex, uint256 count);
    event AuctionSettled(uint256 indexed orderId, address indexed winner, uint256 price);
    event PricePaid(uint256 indexed orderId, address indexed buyer, uint256 price);
    event DeliveryConfirmed(uint256 indexed orderId);
    event TradeFailed(uint256 indexed orderId, address indexed defaulter);
    event ReputationUpdated(address indexed account, uint256 sellerReputation, uint256 buyerReputation);
    event BanImposed(address indexed account, uint256 until);
    event Withdrawn(address indexed account, uint256 amount);

    // ------------------------------------------------------------------ errors

    error NotOperator(address caller);
    error AlreadyRegistered(address account);
    error NotRegistered(address account);
    error UserBanned(address account, uint256 until);
    error InvalidOrder();
    error OrderTooLarge(uint256 quantity, uint256 limit);
    error InvalidPublicKey();
    error KeyReused();
    error UnknownOrder(uint256 orderId);
    error WrongPhase(uint256 orderId, uint8 status);
    error SellerCannotBid(address bidder);
    error WrongDeposit(uint256 value, uint256 deposit);
    error NotSeller(address caller);
    error WrongKey();
    error NothingToOpen(uint256 orderId);
    error BidsNotOpened(uint256 orderId, uint256 opened, uint256 bidCount);
    error NotWinner(address caller);
    error WrongPayment(uint256 value, uint256 price);
    error NotBuyerOrOperator(address caller);
    error NothingToWithdraw(address account);
    error CiphertextMismatch();
    error TransferFailed(address account);

    // ------------------------------------------------------------------ actions

    function registerUser(address account) external;
    function postOrder(uint256 quantity, uint256 startPrice, uint256 deposit, uint256 keyX, uint256 keyY)
        external
        returns (uint256 orderId);
    function placeBid(uint256 orderId, uint256 c1x, uint256 c1y, uint256 c2) external payable;
    function discloseKey(uint256 orderId, uint256 privateKey) external;
    function openBids(uint256 orderId, bytes28 chainBelow, SealedBid[] calldata bids) external;
    function settle(uint256 orderId) external;
    function claimSellerDefault(uint256 orderId) external;
    function payPrice(uint256 orderId) external payable;
    function claimBuyerDefault(uint256 orderId) external;
    function confirmDelivery(uint256 orderId) external;
    function claimDeliveryTimeout(uint256 orderId) external;
    function reportNonDelivery(uint256 orderId) external;
    function withdraw() external;

    // ------------------------------------------------------------------ views

    function operator() external view returns (address);
    function orderCount() external view returns (uint256);
    function getOrder(uint256 orderId) external view returns (OrderView memory);
    function getUser(address account) external view returns (UserView memory);
    /// @notice QUO-5: the context a quote for `bidder`'s bid in `orderId` is sealed in:
    /// keccak256(chainid ‖ address(this) ‖ orderId ‖ bidder), each a 32-byte word.
    function bidContext(uint256 orderId, address bidder) external view returns (uint256);
}
