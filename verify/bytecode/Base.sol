// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../../contracts/interfaces/IFairwattMarket.sol";
import {FairwattMarket} from "../../contracts/FairwattMarket.sol";
import {Params} from "../../contracts/generated/Params.sol";

/// @dev The cheatcodes halmos understands (forge-std's `Vm` at its fixed address), only those used here.
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function deal(address account, uint256 balance) external;
    function assume(bool condition) external pure;
}

/// @title What every bytecode harness shares: a market deployed by `_deploy` (the twins override it), registered
/// traders, distinct order keys on alt_bn128, and helpers that drive one order through its phases.
/// @dev halmos explores each `check_*` function with its parameters symbolic; a path that reverts is not a
/// counterexample, so the harness reverts only where it means "assume".
abstract contract Base {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address internal constant SELLER = address(0x5E11E4);
    address internal constant B1 = address(0xB1D001);
    address internal constant B2 = address(0xB1D002);
    address internal constant B3 = address(0xB1D003);
    uint256 internal constant DEPOSIT = 1 ether;
    uint256 internal constant START = 2 gwei;
    uint256 internal constant T0 = 1_000_000;
    /// @dev H_0 of every order's bid chain (AUC-2).
    bytes28 internal constant CHAIN_SEED = bytes28(keccak256("fairwatt.bid-chain"));

    IFairwattMarket internal m;

    /// @dev The market under proof; each twin overrides this with its mutated copy.
    function _deploy() internal virtual returns (IFairwattMarket) {
        return IFairwattMarket(address(new FairwattMarket(address(this))));
    }

    function setUp() public virtual {
        vm.warp(T0);
        m = _deploy();
        address[4] memory users = [SELLER, B1, B2, B3];
        for (uint256 i = 0; i < users.length; ++i) {
            m.registerUser(users[i]);
            vm.deal(users[i], 1000 ether);
        }
    }

    /// @dev The public key `i*G` (i = 1..5) and its private key `i`: every order needs a fresh key (QUO-2).
    function _key(uint256 i) internal pure returns (uint256 x, uint256 y) {
        if (i == 1) return (1, 2);
        if (i == 2) {
            return (
                1368015179489954701390400359078579693043519447331113978918064868415326638035,
                9918110051302171585080402603319702774565515993150576347155970296011118125764
            );
        }
        if (i == 3) {
            return (
                3353031288059533942658390886683067124040920775575537747144343083137631628272,
                19321533766552368860946552437480515441416830039777911637913418824951667761761
            );
        }
        if (i == 4) {
            return (
                3010198690406615200373504922352659861758983907867017329644089018310584441462,
                4027184618003122424972590350825261965929648733675738730716654005365300998076
            );
        }
        return (
            10744596414106452074759370245733544594153395043370666422502510773307029471145,
            848677436511517736191562425154572367705380862894644942948681172815252343932
        );
    }

    function _post(address seller, uint256 key) internal returns (uint256 orderId) {
        (uint256 x, uint256 y) = _key(key);
        vm.prank(seller);
        orderId = m.postOrder(1, START, DEPOSIT, x, y);
    }

    function _bid(uint256 orderId, address bidder, uint256 c2) internal returns (IFairwattMarket.SealedBid memory b) {
        b = IFairwattMarket.SealedBid({bidder: bidder, c1x: 1, c1y: 2, c2: c2});
        vm.prank(bidder);
        m.placeBid{value: DEPOSIT}(orderId, 1, 2, c2);
    }

    /// @dev Past bidding, the seller discloses private key `key`.
    function _disclose(uint256 orderId, uint256 key) internal {
        IFairwattMarket.OrderView memory o = m.getOrder(orderId);
        vm.warp(o.biddingEnd);
        vm.prank(o.seller);
        m.discloseKey(orderId, key);
    }

    /// @dev Open every bid of `bids` (in bidding order) in one batch.
    function _open(uint256 orderId, IFairwattMarket.SealedBid[] memory bids) internal {
        m.openBids(orderId, CHAIN_SEED, bids);
    }

    /// @dev The quote of `bid` under private key `key`, by spec/quotes.md (QUO-4, QUO-5), not by the market's code:
    /// mask = keccak256(S.x ‖ S.y ‖ context), S = key * C1 by precompile 0x07, context from the market's view.
    function _quote(uint256 orderId, uint256 key, IFairwattMarket.SealedBid memory bid) internal view returns (uint256) {
        (bool ok, bytes memory s) = address(7).staticcall(abi.encode(bid.c1x, bid.c1y, key));
        require(ok);
        (uint256 sx, uint256 sy) = abi.decode(s, (uint256, uint256));
        return bid.c2 ^ uint256(keccak256(abi.encode(sx, sy, m.bidContext(orderId, bid.bidder))));
    }

    function _valid(uint256 quote) internal pure returns (bool) {
        return quote >= START && quote <= Params.MAX_QUOTE;
    }
}
