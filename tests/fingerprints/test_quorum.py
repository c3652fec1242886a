"""The quorum rules: the reference counts against brute force over explicit sets, the Z3 mirrors against
the reference, and each obligation proved and refuted on its known-bad variant with the counterexample
`fairwatt prove --json` shows."""

import json
import re
from itertools import combinations
from types import SimpleNamespace

import pytest
import z3

from reference import quorum as qr
from reference import trade as tr
from reference.params import RESOLVED
from verify import registry
from verify.checks.proofs import encodings as enc
from verify.checks.proofs import quorum as proofs
from verify.cli import main
from verify.findings import Status

OBLIGATIONS = (
    proofs.BftQuorumsIntersect,
    proofs.BftQuorumSets,
    proofs.MajoritiesIntersect,
    proofs.MajoritySets,
    proofs.MajorityEquivocation,
)


def sets(members: int, least: int):
    return [frozenset(c) for k in range(least, members + 1) for c in combinations(range(members), k)]


def numbers(counterexample: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"^(\w+) = (-?\d+)", counterexample, re.M)}


@pytest.mark.clauses("QRM-1")
def test_bft_quorums_share_an_honest_node_by_brute_force():
    for n in range(1, 8):
        assert not qr.tolerates(n, qr.max_faulty(n) + 1)
        for f in range(qr.max_faulty(n) + 1):
            assert qr.tolerates(n, f)
            quorums = sets(n, qr.bft_quorum(n, f))
            for faulty in sets(n, 0):
                if len(faulty) <= f:
                    assert n - len(faulty) >= qr.bft_quorum(n, f)  # the honest alone fill a quorum
                    assert all(qr.share_honest(a, b, faulty) for a in quorums for b in quorums)


@pytest.mark.clauses("QRM-1")
def test_n_equal_3f_and_quorums_of_2f_plus_1_beyond_3f_plus_1_fail():
    """ERR-35: the two readings that break the rule, with the counterexamples the spec gives."""
    assert not qr.tolerates(3, 1) and qr.tolerates(4, 1) and qr.min_nodes(1) == 4
    assert qr.bft_quorum(3, 1) == 2 and not qr.share_honest({0, 1}, {1, 2}, {1})
    assert qr.bft_quorum(4, 1) == 3 == 2 * 1 + 1
    assert not qr.share_honest({0, 1, 2}, {2, 3, 4}, {2})  # n = 5, f = 1, quorums of 2f + 1 = 3
    assert qr.bft_quorum(5, 1) == 4


@pytest.mark.clauses("QRM-2", "TRD-5")
def test_majority_is_the_least_certifying_count_and_two_majorities_meet():
    for c in range(1, 9):
        m = qr.majority(c)
        assert tr.certified(m, c) and not tr.certified(m - 1, c)
        majorities = sets(c, m)
        assert all(a & b for a in majorities for b in majorities)


@pytest.mark.clauses("QRM-3")
def test_equivocation_tolerance_is_exact():
    for c in range(1, 8):
        tolerance = qr.equivocation_tolerance(c)
        assert tolerance == (c + 1) % 2
        majorities = sets(c, qr.majority(c))
        for e in range(c + 1):
            equivocators = frozenset(range(e))
            possible = any(a & b <= equivocators for a in majorities for b in majorities)
            assert possible == (e > tolerance)
            pair = qr.conflicting_majorities(c, e)
            assert (pair is not None) == possible
            if pair:
                assert all(len(s) >= qr.majority(c) for s in pair) and pair[0] & pair[1] <= equivocators
    assert qr.conflicting_majorities(3, 1) == (frozenset({0, 1}), frozenset({0, 2}))


def test_the_z3_mirrors_compute_what_the_reference_computes():
    value = lambda x: z3.simplify(enc.as_z3(x)).as_long()  # noqa: E731
    for n in range(0, 40):
        for f in range(0, 14):
            assert value(enc.min_nodes(f)) == qr.min_nodes(f) and value(enc.bft_quorum(n, f)) == qr.bft_quorum(n, f)
        assert value(enc.majority(n)) == qr.majority(n)
        assert value(enc.equivocation_tolerance(n)) == qr.equivocation_tolerance(n)


@pytest.mark.parametrize("obligation", OBLIGATIONS, ids=lambda cls: cls.ID)
def test_each_quorum_obligation_holds_and_its_variant_refutes_it(obligation):
    assert obligation().prove(RESOLVED).status == Status.PROVED
    bad = obligation().prove(RESOLVED, obligation.REFUTED_BY)
    assert bad.status == Status.REFUTED
    found = numbers(bad.counterexample)
    if obligation.REFUTED_BY == "bft-n-equals-3f":
        assert found["f"] >= 1 and found["nodes"] == 3 * found["f"]  # the refutation is at n = 3f
    elif obligation.REFUTED_BY == "majority-half":
        assert found["certifiers"] % 2 == 0
    else:
        assert found["equivocators"] == 1 and found["certifiers"] % 2 == 1


@pytest.mark.clauses("QRM-1", "QRM-2", "QRM-3")
def test_prove_json_shows_the_quorum_proofs_and_their_counterexamples(monkeypatch, tmp_path):
    ours = {cls.ID: cls for cls in OBLIGATIONS}
    monkeypatch.setattr(registry, "discover", lambda: ours)
    out = tmp_path / "prove.json"
    assert main(["prove", "--no-crosshair", "--params", "resolved", "--json", str(out)]) == 0
    entries = {e["id"]: e for e in json.loads(out.read_text())}
    assert set(entries) == set(ours)
    for e in entries.values():
        assert (e["level"], e["status"], e["variant_status"]) == ("model", "proved", "refuted")
    shown = numbers(entries["prove-bft-quorum-intersection"]["variant_counterexample"])
    assert shown["nodes"] == 3 * shown["f"]
    assert "faulty_bits" in entries["prove-bft-quorum-sets"]["variant_counterexample"]


@pytest.mark.clauses("QRM-1")
@pytest.mark.parametrize("kind", ["count", "sets"])
def test_the_liveness_half_is_not_vacuous(kind):
    """With unanimity as the quorum, one silent faulty node blocks every decision: the claim is refuted."""
    unanimity = SimpleNamespace(**{**vars(enc), "bft_quorum": lambda nodes, faulty: enc.as_z3(nodes)})
    solver = z3.Solver()
    solver.add(z3.Not(proofs._bft(unanimity, kind)))
    assert solver.check() == z3.sat
    assert solver.model().eval(z3.Int("f")).as_long() >= 1


@pytest.mark.clauses("QRM-3")
def test_the_possible_half_is_not_vacuous():
    """A tolerance understated to 0: one equivocator of an even count is then 'more than tolerated', but two
    majorities need two common equivocators, so the witness substituted into the conflict does not hold."""
    understated = SimpleNamespace(**{**vars(enc), "equivocation_tolerance": lambda certifiers: z3.IntVal(0)})
    solver = z3.Solver()
    solver.add(z3.Not(proofs.MajorityEquivocation().claim(RESOLVED, understated)))
    assert solver.check() == z3.sat
    model = solver.model()
    assert model.eval(z3.Int("certifiers")).as_long() % 2 == 0 and model.eval(z3.Int("equivocators")).as_long() == 1
