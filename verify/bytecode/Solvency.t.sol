// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../../contracts/interfaces/IFairwattMarket.sol";
import {Base, Vm} from "./Base.sol";

/// @dev The only target of the invariant run: each function is one market call, by the caller `who` picks
/// (one of the four traders or the operator) on the order `order` picks (one of the five), with halmos's
/// symbolic quotes, keys, values and block times. Picking by branching keeps every storage key concrete
/// (with symbolic mapping keys the solver timed out). It keeps the bids it placed, so that an opening
/// can hand the market the newest unopened bids and the chain value under them.
contract Handler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes28 internal constant CHAIN_SEED = bytes28(keccak256("fairwatt.bid-chain"));

    IFairwattMarket internal immutable m;
    address[5] internal callers;
    mapping(uint256 orderId => IFairwattMarket.SealedBid[]) internal placed;

    constructor(IFairwattMarket market, address[5] memory callers_) {
        (m, callers) = (market, callers_);
    }

    /// @dev Caller `who` (0..4) as a constant on each branch; it makes the next market call.
    function _as(uint256 who) internal returns (address caller) {
        if (who == 0) caller = callers[0];
        else if (who == 1) caller = callers[1];
        else if (who == 2) caller = callers[2];
        else if (who == 3) caller = callers[3];
        else if (who == 4) caller = callers[4];
        else revert();
        vm.prank(caller);
    }

    /// @dev `x` (an order id or a count, 0..4) as a constant on each branch.
    function _id(uint256 x) internal pure returns (uint256) {
        if (x == 0) return 0;
        if (x == 1) return 1;
        if (x == 2) return 2;
        if (x == 3) return 3;
        if (x == 4) return 4;
        revert();
    }

    function placeBid(uint256 who, uint256 order, uint256 c2, uint256 value) external {
        uint256 id = _id(order);
        address bidder = _as(who);
        m.placeBid{value: value}(id, 1, 2, c2);
        placed[id].push(IFairwattMarket.SealedBid({bidder: bidder, c1x: 1, c1y: 2, c2: c2}));
    }

    function discloseKey(uint256 who, uint256 order, uint256 privateKey) external {
        uint256 id = _id(order);
        _as(who);
        m.discloseKey(id, privateKey);
    }

    /// @dev Opens the newest `count` unopened bids (AUC-6), as they were placed.
    function openBids(uint256 who, uint256 order, uint256 count) external {
        uint256 id = _id(order);
        IFairwattMarket.SealedBid[] storage all = placed[id];
        uint256 unopened = all.length - m.getOrder(id).opened;
        count = _id(count);
        require(count > 0 && count <= unopened);
        bytes28 below = CHAIN_SEED;
        for (uint256 i = 0; i < unopened - count; ++i) {
            below = bytes28(keccak256(abi.encode(below, all[i].bidder, all[i].c1x, all[i].c1y, all[i].c2)));
        }
        IFairwattMarket.SealedBid[] memory batch = new IFairwattMarket.SealedBid[](count);
        for (uint256 i = 0; i < count; ++i) {
            batch[i] = all[unopened - count + i];
        }
        _as(who);
        m.openBids(id, below, batch);
    }

    function settle(uint256 who, uint256 order) external {
        uint256 id = _id(order);
        _as(who);
        m.settle(id);
    }

    function claimSellerDefault(uint256 who, uint256 order) external {
        uint256 id = _id(order);
        _as(who);
        m.claimSellerDefault(id);
    }

    function payPrice(uint256 who, uint256 order, uint256 value) external {
        uint256 id = _id(order);
        _as(who);
        m.payPrice{value: value}(id);
    }

    function claimBuyerDefault(uint256 who, uint256 order) external {
        uint256 id = _id(order);
        _as(who);
        m.claimBuyerDefault(id);
    }

    function confirmDelivery(uint256 who, uint256 order) external {
        uint256 id = _id(order);
        _as(who);
        m.confirmDelivery(id);
    }

    function claimDeliveryTimeout(uint256 who, uint256 order) external {
        uint256 id = _id(order);
        _as(who);
        m.claimDeliveryTimeout(id);
    }

    function reportNonDelivery(uint256 who, uint256 order) external {
        uint256 id = _id(order);
        _as(who);
        m.reportNonDelivery(id);
    }

    function withdraw(uint256 who) external {
        _as(who);
        m.withdraw();
    }
}

/// @title SET-6 on the bytecode: after any sequence of calls, the market holds exactly what it owes.
/// @dev setUp leaves one order in every phase that holds ether (Open with bids in it, Disclosed with a leader
/// and unopened bids, Abandoned with unopened bids, Settled, Paid) and pending balances; halmos then runs
/// every sequence of up to `--invariant-depth` calls of the handler (any market action but registering, posting
/// and the bilateral market's calls, which move no ether, by any trader or the operator on any of these orders,
/// with symbolic quotes, keys, values and times) and asserts the invariant after each call. The depth k is
/// `INVARIANT_DEPTH` in verify/checks/bytecode.py.
contract Solvency is Base {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    uint256 internal constant ORDERS = 5;
    Handler internal h;

    function setUp() public override {
        super.setUp();
        h = new Handler(m, [SELLER, B1, B2, B3, address(this)]);
        vm.deal(address(h), 1e9 ether);
        // order 0 (seller SELLER) is abandoned at the end of setUp, its two bids unopened
        uint256 abandoned = _post(SELLER, 4);
        h.placeBid(2, abandoned, 0, DEPOSIT);
        h.placeBid(3, abandoned, 0, DEPOSIT);
        // orders 1-3 are bid on now
        uint256 paid = _post(B1, 1);
        _sealed(paid, 1, 2, 5 gwei);
        _sealed(paid, 1, 3, 3 gwei);
        uint256 settled = _post(B2, 2);
        _sealed(settled, 2, 1, 4 gwei);
        _sealed(settled, 2, 3, 1);
        uint256 disclosed = _post(B3, 3);
        _sealed(disclosed, 3, 0, 6 gwei);
        _sealed(disclosed, 3, 1, 2 gwei);
        _sealed(disclosed, 3, 2, 7 gwei);
        // past bidding: each is disclosed; order 1 is settled and paid, order 3 has its newest bid opened
        _disclose(paid, 1);
        _disclose(settled, 2);
        _disclose(disclosed, 3);
        h.openBids(4, paid, 2);
        m.settle(paid);
        h.payPrice(2, paid, m.getOrder(paid).price);
        h.openBids(4, disclosed, 1);
        // past order 0's disclosure: SELLER defaults (and is banned), order 2 is settled, order 4 opens
        vm.warp(m.getOrder(abandoned).disclosureEnd);
        m.claimSellerDefault(abandoned);
        h.openBids(4, settled, 2);
        m.settle(settled);
        uint256 open = _post(B1, 5);
        h.placeBid(2, open, 0, DEPOSIT);
        IFairwattMarket.OrderStatus[ORDERS] memory want = [
            IFairwattMarket.OrderStatus.Abandoned,
            IFairwattMarket.OrderStatus.Paid,
            IFairwattMarket.OrderStatus.Settled,
            IFairwattMarket.OrderStatus.Disclosed,
            IFairwattMarket.OrderStatus.Open
        ];
        for (uint256 id = 0; id < ORDERS; ++id) {
            require(m.getOrder(id).status == want[id]);
        }
    }

    /// @dev A bid by trader `who` whose quote under the order's key `key` is `quote`.
    function _sealed(uint256 orderId, uint256 key, uint256 who, uint256 quote) internal {
        address bidder = [SELLER, B1, B2, B3][who];
        IFairwattMarket.SealedBid memory b = IFairwattMarket.SealedBid({bidder: bidder, c1x: 1, c1y: 2, c2: quote});
        h.placeBid(who, orderId, _quote(orderId, key, b), DEPOSIT);
    }

    /// @dev SET-6: what an order holds: the deposits of its unopened bids, the leader's or the winner's
    /// deposit while the order is Disclosed or Settled, the price once it is Paid.
    function _escrow(IFairwattMarket.OrderView memory o) internal pure returns (uint256 e) {
        e = (o.bidCount - o.opened) * o.deposit;
        bool held = o.status == IFairwattMarket.OrderStatus.Disclosed || o.status == IFairwattMarket.OrderStatus.Settled;
        if (held && o.winner != address(0)) e += o.deposit;
        if (o.status == IFairwattMarket.OrderStatus.Paid) e += o.price;
    }

    /// @dev The market's ether is the traders' pending balances (only traders are ever credited) plus escrow.
    function invariant_solvent() public view {
        uint256 owed = 0;
        address[4] memory traders = [SELLER, B1, B2, B3];
        for (uint256 i = 0; i < traders.length; ++i) {
            owed += m.getUser(traders[i]).pending;
        }
        for (uint256 id = 0; id < ORDERS; ++id) {
            owed += _escrow(m.getOrder(id));
        }
        assert(address(m).balance == owed);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(h);
    }

    /// @dev The handler picks the market's caller itself; its own caller does not matter.
    function targetSenders() public view returns (address[] memory senders) {
        senders = new address[](1);
        senders[0] = address(this);
    }

    function targetSelectors() public pure returns (FuzzSelector[] memory) {}

    function excludeContracts() public pure returns (address[] memory) {}

    function excludeSenders() public pure returns (address[] memory) {}

    function excludeSelectors() public pure returns (FuzzSelector[] memory) {}
}
