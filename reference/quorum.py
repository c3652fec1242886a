"""The quorum rules (``spec/quorum.md``, QRM-1..QRM-3): the consensus nodes' Byzantine quorum (seed 002's
PBFT) and the certifiers' strict majority (seed 004, TRD-5).

Counts only: a quorum is any set of at least ``bft_quorum`` nodes, a majority any set of at least
``majority`` certifiers. The Z3 mirrors are in ``verify/checks/proofs/encodings.py``; the obligations
(``verify/checks/proofs/quorum.py``) prove what these numbers guarantee for every count.
"""

from __future__ import annotations

from collections.abc import Set


def min_nodes(faulty: int) -> int:
    """QRM-1: the fewest nodes that tolerate ``faulty`` Byzantine ones, 3f + 1 (seed 002: "a minimum of 4
    nodes", "a maximum fault tolerance of 33%" read as f < n/3, ERR-35)."""
    return 3 * faulty + 1


def tolerates(nodes: int, faulty: int) -> bool:
    """QRM-1: ``nodes`` nodes keep consensus with up to ``faulty`` Byzantine ones."""
    return nodes >= min_nodes(faulty)


def max_faulty(nodes: int) -> int:
    """QRM-1: the most Byzantine nodes ``nodes`` (>= 1) tolerate: the largest f with 3f + 1 <= n."""
    return (nodes - 1) // 3


def bft_quorum(nodes: int, faulty: int) -> int:
    """QRM-1: the quorum size, n − f: the most the honest nodes can gather when the faulty stay silent
    (2f + 1 at n = 3f + 1; ERR-35)."""
    return nodes - faulty


def share_honest(first: Set[int], second: Set[int], faulty: Set[int]) -> bool:
    """QRM-1: whether two node sets have a member in common that is not faulty."""
    return bool((set(first) & set(second)) - set(faulty))


def majority(certifiers: int) -> int:
    """QRM-2: the fewest passes that certify among ``certifiers``: the least p with
    ``reference.trade.certified(p, certifiers)``, i.e. 2p > c."""
    return certifiers // 2 + 1


def equivocation_tolerance(certifiers: int) -> int:
    """QRM-3: the most equivocating certifiers (who vote for two conflicting records) under which two
    conflicting majorities cannot both form: two majorities share at least 2·majority − c members, so
    this is one less — 0 for an odd count, 1 for an even one."""
    return 2 * majority(certifiers) - certifiers - 1


def conflicting_majorities(certifiers: int, equivocators: int) -> tuple[frozenset[int], frozenset[int]] | None:
    """QRM-3: two majorities of certifiers ``0..c-1`` whose common members are all among the equivocators
    ``0..e-1`` — each could certify one of two conflicting records — or None when none exist."""
    if equivocators <= equivocation_tolerance(certifiers):
        return None
    m = majority(certifiers)
    common = 2 * m - certifiers
    first = frozenset(range(m))
    second = frozenset(range(common)) | frozenset(range(m, certifiers))
    return first, second
