"""The adversary's moves: what a participant who reads the chain can do with what it sees (spec/attacks.md).

Each :class:`Attack` names one move, the clauses that must defeat it, and what "held" means. The
differential state machine plays these moves at random (``attack_*`` rules); :mod:`verify.attacks.scenarios`
scripts each one as a test vector; :mod:`verify.attacks.check` runs the vectors against any implementation
and reports, per attack, held or broken with the economic effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from py_ecc.bn128 import FQ, add, multiply

from reference.quotes import FIELD_MODULUS, GENERATOR, Ciphertext, Point


@dataclass(frozen=True)
class Attack:
    """One adversarial move."""

    id: str
    """Stable id, lowercase-with-dashes (``copy-ciphertext``)."""
    title: str
    """What the adversary does, one line."""
    clauses: tuple[str, ...]
    """The spec clauses that must defeat it."""
    held: str
    """What the implementation must show for the attack to count as held."""
    independent: bool = True
    """Whether the honest parties' outcome must be the same without the adversary's steps (a default is
    the adversary's own loss, so it is judged by the vector alone)."""


def _affine(point: Point, scalar: int = 1, plus: Point | None = None) -> Point:
    p = (FQ(point[0]), FQ(point[1]))
    result = multiply(p, scalar)
    if plus is not None:
        result = add(result, (FQ(plus[0]), FQ(plus[1])))
    return (0, 0) if result is None else (int(result[0]), int(result[1]))


MAULS: dict[str, Callable[[Ciphertext], Ciphertext]] = {
    "copy": lambda c: c,
    "flip-c2-low": lambda c: Ciphertext(c.c1, c.c2 ^ 1),
    "flip-c2-high": lambda c: Ciphertext(c.c1, c.c2 ^ (1 << 255)),
    "negate-c1": lambda c: Ciphertext((c.c1[0], (FIELD_MODULUS - c.c1[1]) % FIELD_MODULUS), c.c2),
    "shift-c1": lambda c: Ciphertext(_affine(c.c1, 1, GENERATOR), c.c2),
    "double-c1": lambda c: Ciphertext(_affine(c.c1, 2), c.c2),
}
"""Ways to derive a ciphertext from one seen on chain: a byte-for-byte copy, bit flips in ``c2`` (the
mask is an XOR, so a flip moves the quote predictably when the mask is not bound to the bidder), and
re-randomisations of ``C1`` (``−C1``, ``C1 + G``, ``2·C1``), which move the shared point by a known step."""


def maul(how: str, ciphertext: Ciphertext) -> Ciphertext:
    """``ciphertext`` transformed by the maul named ``how``."""
    return MAULS[how](ciphertext)


ATTACKS: tuple[Attack, ...] = (
    Attack(
        "copy-ciphertext",
        "a third account submits a byte-for-byte copy of the leading bid's ciphertext",
        ("QUO-5", "AUC-5", "AUC-7"),
        "the copy opens to no valid quote: the winner and the price are those without it",
    ),
    Attack(
        "maul-c2",
        "a third account submits the leading bid's ciphertext with bits of c2 flipped",
        ("QUO-5", "AUC-5"),
        "the mauled copy opens to no valid quote: it can neither win nor set the price",
    ),
    Attack(
        "rerandomise-c1",
        "a third account submits the leading bid's ciphertext with C1 negated, shifted by G or doubled",
        ("QUO-5", "AUC-5"),
        "every re-randomised copy opens to no valid quote",
    ),
    Attack(
        "cross-order-replay",
        "a bidder's ciphertext from one order is replayed into another order under the same seller",
        ("QUO-5", "QUO-2"),
        "the replay opens to no valid quote in the other order, by its owner or anyone else",
    ),
    Attack(
        "reuse-disclosed-key",
        "a seller posts a new order under a key (or its negation) that an earlier order disclosed",
        ("QUO-2",),
        "the new order is rejected with KeyReused",
    ),
    Attack(
        "seller-sybil-copy",
        "the seller's own second account copies the leading bid to push the price up to the winner's quote",
        ("QUO-5", "AUC-2", "AUC-7"),
        "the sybil's copy is worthless: the winner pays the second-highest honest quote",
    ),
    Attack(
        "front-run-ciphertext",
        "an account sees a bid in the mempool and gets the same ciphertext mined first",
        ("QUO-5", "AUC-6"),
        "the front-runner's earlier copy is invalid: the victim still wins, at the honest price",
    ),
    Attack(
        "winner-defaults",
        "the winner sees the price and walks away",
        ("SET-4", "REP-5", "REP-8"),
        "the winner's deposit goes to the seller and the default is on the winner's record",
        independent=False,
    ),
    Attack(
        "tie-by-copy",
        "an account copies a bid to tie it and take the tie-break by position",
        ("QUO-5", "AUC-6"),
        "no tie arises: the copy is invalid, so position never decides between an original and its copy",
    ),
)
"""The attack library, in the order the report lists it."""

BY_ID = {attack.id: attack for attack in ATTACKS}
