"""Power points and green certificates as audit checks (stage ``points``): the vectors against the model, the
properties no double spend (PTS-7), certificate uniqueness (CRT-2) and certified energy within generation
(CRT-4) on the contract's own state and as a bounded proof on the model, and the differential campaign with
hostile moves."""

from __future__ import annotations

from verify.check import Check, Context
from verify.checks.replay import machine_findings, vector_findings
from verify.findings import Finding, Impact, Status
from verify.points import bounded, machine, vectors
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import compile_tree


def _replayed(check: Check, ctx: Context, compare: bool, passed: str) -> list[Finding]:
    cases = [s.case() for s in vectors.scenarios()]
    return vector_findings(check, cases, vectors.replay_all(cases, compile_tree(ctx.contracts), FAST, compare), passed)


class PointsVectorsCheck(Check):
    ID = "points-vectors"
    STAGE = "points"
    IMPACT = Impact.HIGH
    CLAUSES = ("PTS-1", "PTS-2", "PTS-3", "PTS-4", "PTS-5", "PTS-6", "CRT-1", "CRT-3", "CRT-4")
    DESCRIPTION = "The power points' and green certificates' vectors, hostile claims among them, replay green."
    RECOMMENDATION = "Fix the contract where the replay departs from the vector's expected outcome or state."

    def run(self, ctx: Context) -> list[Finding]:
        return _replayed(self, ctx, True, "{cases} vectors ({steps} steps) replay green")


class PointsPropertiesCheck(Check):
    ID = "points-no-double-spend"
    STAGE = "points"
    IMPACT = Impact.HIGH
    CLAUSES = ("PTS-7", "CRT-2", "CRT-4")
    DESCRIPTION = (
        "After every step of every vector, read from the contract alone: balances plus open offers equal "
        "granted minus burned (no point spent twice), one certificate per trade with disjoint Wh serials, "
        "no source certified beyond what its meter generated, the proceeds solvent."
    )
    RECOMMENDATION = (
        "Burn what is spent before anything else reads the balance; mark a trade certified once; refuse a "
        "certificate beyond the seller's generation not yet certified."
    )

    def run(self, ctx: Context) -> list[Finding]:
        return _replayed(self, ctx, False, "the properties hold after each of {steps} steps of {cases} vectors")


class PointsDifferentialCheck(Check):
    ID = "points-differential"
    STAGE = "points"
    IMPACT = Impact.HIGH
    CLAUSES = ("PTS-7", "CRT-2", "CRT-4", "PTS-6")
    DESCRIPTION = "Random runs of claims, ledger moves and both markets' trades agree on the model and the contracts."
    RECOMMENDATION = "Replay the falsifying example and fix the contract where it departs from the clause."

    def run(self, ctx: Context) -> list[Finding]:
        machine.deploy(compile_tree(ctx.contracts), FAST)
        return machine_findings(self, ctx, machine.PointsMachine, 30)


class PointsBoundedProof(Check):
    ID = "points-bounded-proof"
    STAGE = "points"
    IMPACT = Impact.HIGH
    CLAUSES = ("PTS-7", "CRT-2", "CRT-4", "PTS-6")
    DESCRIPTION = (
        "On the model, every state reachable in up to 6 claims and ledger moves (hostile ones included) "
        "from a fixed set of market facts: no double spend, certificates unique, certified energy within "
        "generation, proceeds solvent."
    )
    RECOMMENDATION = "The counterexample is the shortest action sequence that breaks the property: fix the rule."

    def run(self, ctx: Context) -> list[Finding]:
        depth = int(ctx.options.get("points_depth", 6))
        result = bounded.explore(depth)
        if result.counterexample is None:
            title = f"proved for every sequence of up to {depth} actions ({result.states} distinct states)"
            return [self.finding(title, Status.PROVED)]
        steps = "; ".join(f"{name}{args}" for name, args in result.counterexample)
        title = f"{', '.join(result.violated)} after {result.depth} actions"
        return [self.finding(title, Status.REFUTED, evidence=steps)]
