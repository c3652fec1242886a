// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The view of `Fingerprints` (spec/fingerprints.md) the bilateral market reads its delivery evidence from
/// @notice FPR-7: whether `provider` (itself or through a holder it delegates to) anchored a record whose content
/// hash is `payloadHash`.
interface IFingerprints {
    function anchoredBy(address provider, bytes32 payloadHash) external view returns (bool);
}
