// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../../contracts/interfaces/IFairwattMarket.sol";
import {Base} from "./Base.sol";

/// @title REP-9 on the bytecode: a banned user can neither post nor bid at any time before the ban ends.
contract Ban is Base {
    uint256 internal bannedUntil;

    /// @dev SELLER abandons an order with a bid in it (SET-5): a fraud, so a ban (REP-8).
    function setUp() public override {
        super.setUp();
        uint256 id = _post(SELLER, 1);
        _bid(id, B1, 0);
        vm.warp(m.getOrder(id).disclosureEnd);
        m.claimSellerDefault(id);
        bannedUntil = m.getUser(SELLER).bannedUntil;
        require(bannedUntil > block.timestamp);
    }

    function check_banned_cannot_post(uint256 t, uint256 quantity, uint256 startPrice, uint256 deposit) public {
        vm.assume(t >= block.timestamp && t < bannedUntil);
        vm.warp(t);
        (uint256 x, uint256 y) = _key(2);
        vm.prank(SELLER);
        (bool ok,) = address(m).call(abi.encodeCall(IFairwattMarket.postOrder, (quantity, startPrice, deposit, x, y)));
        assert(!ok);
    }

    function check_banned_cannot_bid(uint256 t, uint256 c1x, uint256 c1y, uint256 c2, uint256 value) public {
        vm.assume(t >= block.timestamp && t < bannedUntil && value <= 100 ether);
        vm.warp(t);
        uint256 id = _post(B2, 2);
        vm.prank(SELLER);
        (bool ok,) = address(m).call{value: value}(abi.encodeCall(IFairwattMarket.placeBid, (id, c1x, c1y, c2)));
        assert(!ok);
    }
}
