"""Sealed quotes: hashed EC-ElGamal on alt_bn128, the curve of the EVM's ecAdd/ecMul precompiles,
bound to the bid they belong to.

An order carries a public key ``K = k·G``. A bidder picks a random ``r`` and seals quote ``m`` as
``(C1, c2) = (r·G, m XOR keccak256(S.x ‖ S.y ‖ context))`` with ``S = r·K`` and ``context`` the bid's
context: ``keccak256(chain id ‖ market ‖ order id ‖ bidder)`` (QUO-5). Once the seller discloses ``k``,
anyone (and the contract, with precompile 0x07) computes ``S = k·C1`` and recovers ``m`` — for the
bidder who sealed it. The same ciphertext submitted by anyone else, or in another order, market or
chain, opens to an unrelated 256-bit number, which AUC-5's range check rejects.
Points are ``(x, y)`` integer pairs; ``(0, 0)`` is the point at infinity, as the precompiles encode it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from eth_utils import keccak
from py_ecc.bn128 import FQ, G1, b, curve_order, field_modulus, is_on_curve
from py_ecc.optimized_bn128 import FQ as JFQ
from py_ecc.optimized_bn128 import multiply as jacobian_multiply

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
    """The quote masked with ``keccak256(S.x ‖ S.y ‖ context)``, ``S = r·K``."""


def is_valid_point(point: Point) -> bool:
    """True for a point of alt_bn128 other than infinity, with coordinates in [0, p) (QUO-1)."""
    x, y = point
    if point == INFINITY or not (0 <= x < FIELD_MODULUS and 0 <= y < FIELD_MODULUS):
        return False
    return bool(is_on_curve((FQ(x), FQ(y)), b))


@lru_cache(maxsize=4096)
def scalar_mul(point: Point, scalar: int) -> Point:
    """``scalar·point`` as precompile 0x07 computes it (``point`` must be valid or infinity).

    Computed in projective coordinates (``py_ecc.optimized_bn128``); pure, so results are cached.
    """
    if point == INFINITY or scalar % CURVE_ORDER == 0:
        return INFINITY
    x, y, z = (int(c) for c in jacobian_multiply((JFQ(point[0]), JFQ(point[1]), JFQ(1)), scalar))
    inverse = pow(z, -1, FIELD_MODULUS)  # py_ecc's normalize inverts twice, by Euclid in Python
    return (x * inverse % FIELD_MODULUS, y * inverse % FIELD_MODULUS)


def public_key(private_key: int) -> Point:
    """``K = k·G`` for a private key ``k`` in [1, n) (QUO-2)."""
    if not 0 < private_key < CURVE_ORDER:
        raise ValueError("a private key is in [1, curve_order)")
    return scalar_mul(GENERATOR, private_key)


def key_matches(private_key: int, key: Point) -> bool:
    """True when ``k`` is in [1, n) and ``k·G == K``: the disclosure check (QUO-3)."""
    return 0 < private_key < CURVE_ORDER and scalar_mul(GENERATOR, private_key) == key


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def account_word(account: str) -> int:
    """A 20-byte hex address as the uint256 the EVM pads it to."""
    if not (isinstance(account, str) and len(account) == 42 and account[:2] in ("0x", "0X")):
        raise ValueError(f"an account is a 20-byte hex address, not {account!r}")
    return int(account, 16)


def bid_context(chain_id: int, market: str, order_id: int, bidder: str) -> int:
    """QUO-5: ``keccak256(chain id ‖ market ‖ order id ‖ bidder)``, each a 32-byte word, as a uint256.

    What a sealed quote is bound to: the one bid of ``bidder`` in order ``order_id`` of the market
    contract at ``market`` on chain ``chain_id``.
    """
    words = (chain_id, account_word(market), order_id, account_word(bidder))
    return int.from_bytes(keccak(b"".join(_word(w) for w in words)), "big")


def mask(shared: Point, context: int) -> int:
    """``keccak256(S.x ‖ S.y ‖ context)`` as a uint256, each a 32-byte big-endian word (QUO-4)."""
    return int.from_bytes(keccak(_word(shared[0]) + _word(shared[1]) + _word(context)), "big")


def encrypt(key: Point, quote: int, nonce: int, context: int) -> Ciphertext:
    """Seal ``quote`` for the order key ``K`` with the bidder's random ``nonce`` r in [1, n), bound to
    the bid's ``context`` (QUO-5)."""
    if not 0 < nonce < CURVE_ORDER:
        raise ValueError("a nonce is in [1, curve_order)")
    if not 0 <= quote < 2**256:
        raise ValueError("a quote is a uint256")
    return Ciphertext(scalar_mul(GENERATOR, nonce), quote ^ mask(scalar_mul(key, nonce), context))


def decrypt(private_key: int, ciphertext: Ciphertext, context: int) -> int | None:
    """The quote inside ``ciphertext`` opened in ``context``, or None when ``C1`` is not a valid point (QUO-4).

    The caller still checks the quote's range: a tampered ``c2``, a wrong key or a wrong context
    decrypts to an unrelated number.
    """
    if not is_valid_point(ciphertext.c1):
        return None
    return ciphertext.c2 ^ mask(scalar_mul(ciphertext.c1, private_key), context)
