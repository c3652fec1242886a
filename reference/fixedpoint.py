"""uint256 arithmetic as Solidity 0.8 does it: results that leave [0, 2**256) panic (FXP-1..3).

Every division rounds toward zero (down, for the non-negative values used here) unless it is
:func:`ceil_div`. Reputation values are fixed point scaled by ``Params.wad``.
"""

from __future__ import annotations

from reference.errors import Panic

UINT256_MAX = 2**256 - 1
UINT128_MAX = 2**128 - 1
"""The largest value of a 128-bit storage slot: amounts, balances, quotes."""


def checked(x: int) -> int:
    """``x`` if it is a uint256, else ``Panic(0x11)`` (FXP-1)."""
    if not 0 <= x <= UINT256_MAX:
        raise Panic(Panic.OVERFLOW)
    return x


def add(a: int, b: int) -> int:
    """``a + b`` checked (FXP-1)."""
    return checked(a + b)


def mul(a: int, b: int) -> int:
    """``a * b`` checked (FXP-1)."""
    return checked(a * b)


def div(a: int, b: int) -> int:
    """``a / b`` rounded down; ``Panic(0x12)`` when ``b`` is 0 (FXP-2)."""
    if b == 0:
        raise Panic(Panic.DIVISION_BY_ZERO)
    return a // b


def ceil_div(a: int, b: int) -> int:
    """``a / b`` rounded up; ``Panic(0x12)`` when ``b`` is 0 (FXP-2)."""
    if b == 0:
        raise Panic(Panic.DIVISION_BY_ZERO)
    return 0 if a == 0 else (a - 1) // b + 1


def mul_div(a: int, b: int, c: int) -> int:
    """``a * b / c`` rounded down, with the intermediate product checked (FXP-3).

    pre: a >= 0 and b >= 0 and a * b <= UINT256_MAX and c > 0
    post: __return__ * c <= a * b < (__return__ + 1) * c
    """
    return div(mul(a, b), c)


def clamp(x: int, low: int, high: int) -> int:
    """``x`` limited to ``[low, high]``; ``high == 0`` means no cap (ERR-5).

    pre: low >= 0 and high >= 0 and (high == 0 or low <= high)
    post: __return__ >= low
    post: high == 0 or __return__ <= high
    """
    if high and x > high:
        return high
    return max(x, low)
