"""Sealed quotes: hashed EC-ElGamal on alt_bn128, the curve of the EVM's ecAdd/ecMul precompiles.

An order carries a public key ``K = k·G``. A bidder picks a random ``r`` and seals quote ``m`` as
``(C1, c2) = (r·G, m XOR keccak256(S.x ‖ S.y))`` with ``S = r·K``. Once the seller discloses ``k``,
anyone (and the contract, with precompile 0x07) computes ``S = k·C1`` and recovers ``m``.
Points are ``(x, y)`` integer pairs; ``(0, 0)`` is the point at infinity, as the precompiles encode it.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak
from py_ecc.bn128 import FQ, G1, b, curve_order, field_modulus, is_on_curve, multiply

Point = tuple[int, int]
INFINITY: Point = (0, 0)
GENERATOR: Point = (int(G1[0]), int(G1[1]))
CURVE_ORDER = curve_order
"""n: the number of points of the group; private keys are in [1, n)."""
FIELD_MODULUS = field_modulus
"""p: coordinates are integers in [0, p)."""


@dataclass(frozen=True)
class Ciphertext:
    """A sealed quote."""

    c1: Point
    """``r·G``: the bidder's ephemeral public point."""
    c2: int
    """The quote masked with ``keccak256(S.x ‖ S.y)``, ``S = r·K``."""


def is_valid_point(point: Point) -> bool:
    """True for a point of alt_bn128 other than infinity, with coordinates in [0, p) (QUO-1).

    post: not __return__ or point != (0, 0)
    post: not __return__ or (point[1] ** 2 - point[0] ** 3 - 3) % FIELD_MODULUS == 0
    """
    x, y = point
    if point == INFINITY or not (0 <= x < FIELD_MODULUS and 0 <= y < FIELD_MODULUS):
        return False
    return bool(is_on_curve((FQ(x), FQ(y)), b))


def scalar_mul(point: Point, scalar: int) -> Point:
    """``scalar·point`` as precompile 0x07 computes it (``point`` must be valid or infinity)."""
    if point == INFINITY or scalar % CURVE_ORDER == 0:
        return INFINITY
    result = multiply((FQ(point[0]), FQ(point[1])), scalar)
    return INFINITY if result is None else (int(result[0]), int(result[1]))


def public_key(private_key: int) -> Point:
    """``K = k·G`` for a private key ``k`` in [1, n) (QUO-2)."""
    if not 0 < private_key < CURVE_ORDER:
        raise ValueError("a private key is in [1, curve_order)")
    return scalar_mul(GENERATOR, private_key)


def key_matches(private_key: int, key: Point) -> bool:
    """True when ``k`` is in [1, n) and ``k·G == K``: the disclosure check (QUO-3)."""
    return 0 < private_key < CURVE_ORDER and scalar_mul(GENERATOR, private_key) == key


def mask(shared: Point) -> int:
    """``keccak256(S.x ‖ S.y)`` as a uint256, each coordinate 32 bytes big-endian."""
    return int.from_bytes(keccak(shared[0].to_bytes(32, "big") + shared[1].to_bytes(32, "big")), "big")


def encrypt(key: Point, quote: int, nonce: int) -> Ciphertext:
    """Seal ``quote`` for the order key ``K`` with the bidder's random ``nonce`` r in [1, n)."""
    if not 0 < nonce < CURVE_ORDER:
        raise ValueError("a nonce is in [1, curve_order)")
    if not 0 <= quote < 2**256:
        raise ValueError("a quote is a uint256")
    return Ciphertext(scalar_mul(GENERATOR, nonce), quote ^ mask(scalar_mul(key, nonce)))


def decrypt(private_key: int, ciphertext: Ciphertext) -> int | None:
    """The quote inside ``ciphertext``, or None when ``C1`` is not a valid point (QUO-4).

    The caller still checks the quote's range: a tampered ``c2`` decrypts to a wrong number.
    """
    if not is_valid_point(ciphertext.c1):
        return None
    return ciphertext.c2 ^ mask(scalar_mul(ciphertext.c1, private_key))
