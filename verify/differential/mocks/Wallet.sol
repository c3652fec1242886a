// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev A smart-contract wallet: a user whose account is a contract. Its calls reach the market from the
/// wallet's address (`msg.sender`) while a relayer sends the transaction (`tx.origin`); it accepts ether.
contract Wallet {
    /// @dev Call `target` with `data` and the ether sent; a revert is passed on with its data.
    function execute(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @dev Create a contract from `code` (init code and constructor arguments) with the ether sent: the
    /// wallet is its deployer (`msg.sender` of the constructor), the relayer only `tx.origin`.
    function create(bytes memory code) external payable returns (address deployed) {
        assembly ("memory-safe") {
            deployed := create(callvalue(), add(code, 0x20), mload(code))
        }
        if (deployed == address(0)) revert CreateFailed();
    }

    error CreateFailed();

    receive() external payable virtual {}
}
