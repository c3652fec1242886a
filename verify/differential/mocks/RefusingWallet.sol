// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Wallet} from "./Wallet.sol";

/// @dev A smart-contract wallet that refuses ether: its calls are relayed as a `Wallet`'s are, and any payment
/// to it reverts, so a market's pull payment to it fails (`TransferFailed` of the withdrawer, TRD-8, SET-7).
contract RefusingWallet is Wallet {
    error Refused();

    receive() external payable override {
        revert Refused();
    }
}
