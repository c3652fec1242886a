// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Sealed quotes on alt_bn128 (the paper's CryptoCon; spec/quotes.md)
/// @dev Hashed EC-ElGamal bound to the bid: `C1 = r*G`, `c2 = m XOR keccak256(S ‖ context)`, `S = k*C1`,
/// with precompile 0x07 (ecMul); `context` names the chain, the market, the order and the bidder (QUO-5).
library SealedQuotes {
    /// @dev The field modulus p of alt_bn128.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @dev The group order n of alt_bn128.
    uint256 internal constant N = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant GX = 1;
    uint256 internal constant GY = 2;
    /// @dev ecMul's price since EIP-1108. A failing precompile burns all the gas it is given: give no more.
    uint256 private constant EC_MUL_GAS = 6000;

    /// @dev QUO-1: coordinates in [0, p), on `y^2 = x^3 + 3`, not the point at infinity (0, 0).
    function isValidPoint(uint256 x, uint256 y) internal pure returns (bool) {
        if (x >= P || y >= P || (x == 0 && y == 0)) return false;
        return mulmod(y, y, P) == addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
    }

    /// @dev `k * (x, y)` by precompile 0x07; `ok` is false for coordinates >= p or a point off the curve.
    function ecMul(uint256 x, uint256 y, uint256 k) internal view returns (bool ok, uint256 sx, uint256 sy) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, x)
            mstore(add(ptr, 0x20), y)
            mstore(add(ptr, 0x40), k)
            ok := staticcall(EC_MUL_GAS, 0x07, ptr, 0x60, ptr, 0x40)
            sx := mload(ptr)
            sy := mload(add(ptr, 0x20))
        }
    }

    /// @dev QUO-3: `0 < k < n` and `k * G == K`.
    function keyMatches(uint256 k, uint256 kx, uint256 ky) internal view returns (bool) {
        if (k == 0 || k >= N) return false;
        (bool ok, uint256 x, uint256 y) = ecMul(GX, GY, k);
        return ok && x == kx && y == ky;
    }

    /// @dev QUO-5: the context a bid's quote is sealed in, keccak256(chainid ‖ market ‖ orderId ‖ bidder),
    /// hashed in scratch memory.
    function bidContext(uint256 orderId, address bidder) internal view returns (uint256 c) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, chainid())
            mstore(add(ptr, 0x20), address())
            mstore(add(ptr, 0x40), orderId)
            mstore(add(ptr, 0x60), bidder)
            c := keccak256(ptr, 0x80)
        }
    }

    /// @dev QUO-4: the quote inside `(c1x, c1y, c2)` opened in `context`, `ok` false when `C1` is not a valid
    /// point. Precompile 0x07 itself rejects coordinates >= p and points off the curve, which leaves the point at
    /// infinity to exclude here. The mask keccak256(S.x ‖ S.y ‖ context) is hashed straight from the precompile's
    /// output: nothing allocated.
    function decrypt(uint256 k, uint256 c1x, uint256 c1y, uint256 c2, uint256 context)
        internal
        view
        returns (bool ok, uint256 m)
    {
        if (c1x == 0 && c1y == 0) return (false, 0);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, c1x)
            mstore(add(ptr, 0x20), c1y)
            mstore(add(ptr, 0x40), k)
            ok := staticcall(EC_MUL_GAS, 0x07, ptr, 0x60, ptr, 0x40)
            mstore(add(ptr, 0x40), context)
            m := xor(c2, keccak256(ptr, 0x60))
        }
    }
}
