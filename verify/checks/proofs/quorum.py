"""Quorum obligations (QRM-1..QRM-3): what the consensus quorum and the certifiers' majority guarantee.

Two encodings of the same claims. **Counting** (every n, unbounded): k sets over n members are exactly
2^k non-negative region counts summing to n (the members in each combination of the sets), so a claim
over the region counts is a claim over all sets of every size. **Explicit sets** (n <= ``MEMBERS``):
each set is a bit vector, member i in it when bit i is 1; the sizes are counted bit by bit, so the
counting argument is not the only evidence.
"""

from __future__ import annotations

from itertools import product

import z3

from reference.params import Params
from verify.checks.proofs.base import ProofCheck

MEMBERS = 10
"""The largest node or certifier count of the explicit-set obligations."""


class Venn:
    """Sets named ``names`` over ``members`` members, as region counts (``kind="count"``) or bit vectors."""

    def __init__(self, names: tuple[str, ...], members: z3.ArithRef, kind: str = "count") -> None:
        self.names, self.members, self.kind = names, members, kind
        self.regions = {
            combo: z3.Int("members_in_" + ("+".join(n for n, i in zip(names, combo, strict=True) if i) or "none"))
            for combo in product((0, 1), repeat=len(names))
        }
        self.bits = {name: z3.BitVec(f"{name}_bits", MEMBERS) for name in names}

    def _in(self, name: str, i: int) -> z3.BoolRef:
        return z3.And(i < self.members, z3.Extract(i, i, self.bits[name]) == 1)

    def well_formed(self) -> z3.BoolRef:
        if self.kind == "count":
            return z3.And(*(r >= 0 for r in self.regions.values()), z3.Sum(*self.regions.values()) == self.members)
        outside = [z3.Implies(i >= self.members, z3.Extract(i, i, b) == 0) for b in self.bits.values()
                   for i in range(MEMBERS)]  # fmt: skip
        return z3.And(self.members <= MEMBERS, *outside)

    def size(self, *inside: str, outside: tuple[str, ...] = ()) -> z3.ArithRef:
        """How many members are in every set of ``inside`` and in none of ``outside``."""
        if self.kind == "count":
            return z3.Sum(
                *(
                    r
                    for combo, r in self.regions.items()
                    if all(combo[self.names.index(n)] for n in inside)
                    and not any(combo[self.names.index(n)] for n in outside)
                )
            )
        return z3.Sum(
            *(
                z3.If(
                    z3.And(
                        i < self.members, *(self._in(n, i) for n in inside), *(z3.Not(self._in(n, i)) for n in outside)
                    ),
                    1,
                    0,
                )
                for i in range(MEMBERS)
            )
        )


def _bft(e, kind: str) -> z3.BoolRef:
    n, f = z3.Ints("nodes f")
    s = Venn(("quorum_a", "quorum_b", "faulty"), n, kind)
    q = e.bft_quorum(n, f)
    facts = z3.And(s.well_formed(), n >= 1, f >= 0, n >= e.min_nodes(f), s.size("faulty") <= f)
    quorums = z3.And(s.size("quorum_a") >= q, s.size("quorum_b") >= q)
    safe = s.size("quorum_a", "quorum_b", outside=("faulty",)) >= 1
    live = s.size(outside=("faulty",)) >= q  # the honest nodes alone fill a quorum
    return z3.Implies(facts, z3.And(live, z3.Implies(quorums, safe)))


def _majorities(e, kind: str) -> z3.BoolRef:
    c = z3.Int("certifiers")
    s = Venn(("majority_a", "majority_b"), c, kind)
    m = e.majority(c)
    facts = z3.And(s.well_formed(), c >= 1, s.size("majority_a") >= m, s.size("majority_b") >= m)
    return z3.And(z3.Implies(c >= 1, m <= c), z3.Implies(facts, s.size("majority_a", "majority_b") >= 1))


class BftQuorumsIntersect(ProofCheck):
    ID = "prove-bft-quorum-intersection"
    REFUTED_BY = "bft-n-equals-3f"
    CLAUSES = ("QRM-1",)
    STATEMENT = (
        "For every n >= 3f + 1 nodes of which at most f are faulty (counting, all n and f): the honest nodes "
        "alone fill a quorum of n - f, and any two quorums share an honest node (2f + 1 at n = 3f + 1)."
    )
    KIND = "count"
    """How the sets are encoded (``Venn``): the same claim is proved again over explicit sets."""

    def claim(self, p: Params, e) -> z3.BoolRef:
        return _bft(e, self.KIND)


class BftQuorumSets(BftQuorumsIntersect):
    ID = "prove-bft-quorum-sets"
    KIND = "sets"
    STATEMENT = (
        f"Over explicit sets of up to {MEMBERS} nodes (bit i = node i): with n >= 3f + 1 and the faulty set of "
        "at most f nodes, the honest fill a quorum of n - f and any two quorums share an honest node."
    )


class MajoritiesIntersect(ProofCheck):
    ID = "prove-majorities-intersect"
    REFUTED_BY = "majority-half"
    CLAUSES = ("QRM-2",)
    STATEMENT = (
        "For every certifier count c >= 1 (counting): a strict majority (2p > c) is reachable and any two "
        "strict majorities share a certifier."
    )
    KIND = "count"

    def claim(self, p: Params, e) -> z3.BoolRef:
        return _majorities(e, self.KIND)


class MajoritySets(MajoritiesIntersect):
    ID = "prove-majority-sets"
    KIND = "sets"
    STATEMENT = f"Over explicit sets of up to {MEMBERS} certifiers: any two strict majorities share a certifier."


class MajorityEquivocation(ProofCheck):
    ID = "prove-majority-equivocation"
    REFUTED_BY = "one-equivocator-tolerated"
    CLAUSES = ("QRM-3",)
    STATEMENT = (
        "Exactly what a strict majority tolerates: two majorities certifying conflicting records (each honest "
        "certifier votes for at most one) are impossible with at most equivocation_tolerance(c) equivocators "
        "(0 for odd c, 1 for even c), and possible with one more (an explicit pair), for every c >= 1."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        c, eq = z3.Ints("certifiers equivocators")
        s = Venn(("majority_a", "majority_b", "equivocating"), c)
        m, tolerance = e.majority(c), e.equivocation_tolerance(c)
        conflict = z3.And(
            s.well_formed(),
            c >= 1,
            eq >= 0,
            s.size("equivocating") <= eq,
            s.size("majority_a") >= m,
            s.size("majority_b") >= m,
            s.size("majority_a", "majority_b", outside=("equivocating",)) == 0,  # the honest vote once
        )
        # the witness: the common members all equivocate, the rest split evenly, no one else
        counts: dict[tuple[int, ...], z3.ArithRef] = {(1, 1, 1): 2 * m - c, (1, 0, 0): c - m, (0, 1, 0): c - m}
        witness = z3.substitute(conflict, *((r, counts.get(k, z3.IntVal(0))) for k, r in s.regions.items()))
        return z3.And(
            z3.Implies(eq <= tolerance, z3.Not(conflict)),
            z3.Implies(z3.And(c >= 1, eq > tolerance), witness),
        )
