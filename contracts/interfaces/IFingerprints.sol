// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The view of `Fingerprints` (spec/fingerprints.md) the bilateral market reads its delivery evidence from
/// @notice FPR-7: the kind and record time of the record whose content hash is `payloadHash` that `provider`
/// (itself or through a holder it delegates to) anchored; (0, 0) when it anchored none.
interface IFingerprints {
    function recordOf(address provider, bytes32 payloadHash) external view returns (uint256 kind, uint256 recordTime);
}
