// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../../contracts/interfaces/IFairwattMarket.sol";
import {Base} from "./Base.sol";

/// @title QUO-5 on the bytecode: a sealed quote is bound to its bidder.
contract Binding is Base {
    /// @dev B2 front-runs B1 with a copy of B1's ciphertext. Were the copy to open to B1's quote, it would
    /// tie B1's bid, win it (the earlier bid wins a tie) and push the price up to B1's own quote:
    /// highest == second with B2 the winner. A copy must open to something else.
    function check_copied_ciphertext(uint256 c1x, uint256 c1y, uint256 c2) public {
        uint256 id = _post(SELLER, 1);
        IFairwattMarket.SealedBid[] memory bids = new IFairwattMarket.SealedBid[](2);
        vm.prank(B2);
        m.placeBid{value: DEPOSIT}(id, c1x, c1y, c2);
        bids[0] = IFairwattMarket.SealedBid({bidder: B2, c1x: c1x, c1y: c1y, c2: c2});
        vm.prank(B1);
        m.placeBid{value: DEPOSIT}(id, c1x, c1y, c2);
        bids[1] = IFairwattMarket.SealedBid({bidder: B1, c1x: c1x, c1y: c1y, c2: c2});
        _disclose(id, 1);
        _open(id, bids);
        IFairwattMarket.OrderView memory o = m.getOrder(id);
        assert(!(o.winner == B2 && o.highest == o.second));
    }
}
