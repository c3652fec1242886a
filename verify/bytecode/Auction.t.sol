// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../../contracts/interfaces/IFairwattMarket.sol";
import {Base} from "./Base.sol";

/// @title AUC-5..AUC-8 on the bytecode: three sealed bids with symbolic quotes are opened and settled.
contract Auction is Base {
    /// @dev The winner holds the highest valid quote, the price is max(second, start) and never above the
    /// winner's quote, every other deposit is credited back, the winner's stays in escrow.
    function check_auction(uint256 c2a, uint256 c2b, uint256 c2c) public {
        uint256 id = _post(SELLER, 1);
        IFairwattMarket.SealedBid[] memory bids = new IFairwattMarket.SealedBid[](3);
        bids[0] = _bid(id, B1, c2a);
        bids[1] = _bid(id, B2, c2b);
        bids[2] = _bid(id, B3, c2c);
        _disclose(id, 1);
        _open(id, bids);
        m.settle(id);
        IFairwattMarket.OrderView memory o = m.getOrder(id);
        uint256 highest = 0;
        uint256 second = 0;
        uint256 winnerQuote = 0;
        for (uint256 i = 0; i < 3; ++i) {
            uint256 q = _quote(id, 1, bids[i]);
            if (!_valid(q)) q = 0;
            if (q > highest) (second, highest) = (highest, q);
            else if (q > second) second = q;
            if (bids[i].bidder == o.winner) winnerQuote = q;
            assert(m.getUser(bids[i].bidder).pending == (bids[i].bidder == o.winner ? 0 : DEPOSIT));
        }
        if (highest == 0) {
            assert(o.winner == address(0) && o.status == IFairwattMarket.OrderStatus.Unsold);
            return;
        }
        assert(o.winner != address(0) && winnerQuote == highest);
        assert(o.price == (second > START ? second : START));
        assert(o.price <= winnerQuote);
    }
}
