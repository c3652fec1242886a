// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../../contracts/interfaces/IFairwattMarket.sol";
import {Base} from "./Base.sol";

/// @dev A registered trader whose receive hook re-enters `withdraw` and records what it sees from inside
/// the market's only external call.
contract Receiver {
    IFairwattMarket internal immutable m;
    /// @dev What the hook saw: own pending balance, another trader's, the order count and the market's ether.
    uint256[4] public seen;
    bool public reentered;
    uint256 internal calls;
    address internal immutable other;

    constructor(IFairwattMarket market, address other_) {
        (m, other) = (market, other_);
    }

    function act(bytes calldata data) external payable {
        (bool ok,) = address(m).call{value: msg.value}(data);
        require(ok);
    }

    function observe() public view returns (uint256[4] memory s) {
        s = [uint256(m.getUser(address(this)).pending), m.getUser(other).pending, m.orderCount(), address(m).balance];
    }

    /// @dev The first payment re-enters once (a payment to the re-entry itself only records).
    receive() external payable {
        if (calls++ > 0) return;
        seen = observe();
        (bool ok,) = address(m).call(abi.encodeCall(IFairwattMarket.withdraw, ()));
        reentered = ok;
    }
}

/// @title SET-7 on the bytecode: withdrawals pay what is owed once, Checks-Effects-Interactions.
contract Withdraw is Base {
    Receiver internal r;

    function setUp() public override {
        super.setUp();
        r = new Receiver(m, B1);
        m.registerUser(address(r));
    }

    /// @dev The receiver and B1 each bid `deposit` into an order the seller abandons; opening refunds both
    /// (SET-5), so each has `deposit` pending.
    function _credit(uint256 deposit) internal {
        vm.assume(deposit > 0 && deposit <= 100 ether);
        (uint256 x, uint256 y) = _key(1);
        vm.prank(SELLER);
        uint256 id = m.postOrder(1, START, deposit, x, y);
        IFairwattMarket.SealedBid[] memory bids = new IFairwattMarket.SealedBid[](2);
        r.act{value: deposit}(abi.encodeCall(IFairwattMarket.placeBid, (id, 1, 2, 0)));
        bids[0] = IFairwattMarket.SealedBid({bidder: address(r), c1x: 1, c1y: 2, c2: 0});
        vm.prank(B1);
        m.placeBid{value: deposit}(id, 1, 2, 0);
        bids[1] = IFairwattMarket.SealedBid({bidder: B1, c1x: 1, c1y: 2, c2: 0});
        vm.warp(m.getOrder(id).disclosureEnd);
        m.claimSellerDefault(id);
        _open(id, bids);
    }

    /// @dev A withdrawal pays exactly the caller's pending balance, zeroes it before the transfer, and the
    /// re-entrant receiver gets nothing more.
    function check_withdraw_pays_pending(uint256 deposit) public {
        _credit(deposit);
        uint256 owed = m.getUser(address(r)).pending;
        uint256 before = address(r).balance;
        uint256 held = address(m).balance;
        r.act(abi.encodeCall(IFairwattMarket.withdraw, ()));
        assert(address(r).balance - before == owed && held - address(m).balance == owed);
        assert(r.seen(0) == 0 && !r.reentered());
        assert(m.getUser(address(r)).pending == 0 && m.getUser(B1).pending == deposit);
    }

    /// @dev Checks-Effects-Interactions: the market's state seen from inside its external call (where a
    /// re-entrant receiver acts) is its final state: nothing is written after the interaction.
    function check_no_write_after_call(uint256 deposit) public {
        _credit(deposit);
        r.act(abi.encodeCall(IFairwattMarket.withdraw, ()));
        uint256[4] memory last = r.observe();
        for (uint256 i = 0; i < 4; ++i) {
            assert(r.seen(i) == last[i]);
        }
    }
}
