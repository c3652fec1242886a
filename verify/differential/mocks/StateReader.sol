// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IFairwattMarket} from "../interfaces/IFairwattMarket.sol";

/// @dev Not a counterparty: fairwatt's differential campaign reads a market's whole observable state through
/// it in one call instead of one call per order and per user. Each view's return data is passed on raw,
/// byte for byte what a direct call returns, so that it is decoded and compared exactly as one would be;
/// a view that reverts makes the read revert with its data.
contract StateReader {
    /// @return The market's ether, `orderCount()`, then per order `getOrder(i)`'s return data, then per
    /// account `getUser(account)`'s and the account's ether; return data as a 32-byte length and the bytes
    /// padded to whole words.
    function read(address market, address[] calldata accounts) external view returns (bytes memory) {
        bytes4 countView = IFairwattMarket.orderCount.selector;
        bytes4 orderView = IFairwattMarket.getOrder.selector;
        bytes4 userView = IFairwattMarket.getUser.selector;
        assembly {
            function check(ok) {
                if iszero(ok) {
                    returndatacopy(0, 0, returndatasize())
                    revert(0, returndatasize())
                }
            }
            function record(p) -> next {
                let size := returndatasize()
                mstore(p, size)
                returndatacopy(add(p, 0x20), 0, size)
                next := add(add(p, 0x20), and(add(size, 31), not(31)))
            }
            let start := mload(0x40)
            let p := add(start, 0x40)
            mstore(p, balance(market))
            mstore(0, countView)
            check(staticcall(gas(), market, 0, 4, 0, 0x20))
            if lt(returndatasize(), 0x20) { revert(0, 0) }
            let count := mload(0)
            mstore(add(p, 0x20), count)
            p := add(p, 0x40)
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                mstore(0, orderView)
                mstore(4, i)
                check(staticcall(gas(), market, 0, 0x24, 0, 0))
                p := record(p)
            }
            for { let i := 0 } lt(i, accounts.length) { i := add(i, 1) } {
                let account := calldataload(add(accounts.offset, shl(5, i)))
                mstore(0, userView)
                mstore(4, account)
                check(staticcall(gas(), market, 0, 0x24, 0, 0))
                p := record(p)
                mstore(p, balance(account))
                p := add(p, 0x20)
            }
            mstore(start, 0x20)
            mstore(add(start, 0x20), sub(p, add(start, 0x40)))
            return(start, sub(p, start))
        }
    }
}
