"""The bilateral market and the energy accounts as audit checks: vectors and campaign against the model,
and certification's majority rule over every certifier count."""

from __future__ import annotations

from collections.abc import Callable

from reference import trade as tr
from verify.check import Check, Context
from verify.checks.replay import machine_findings, vector_findings
from verify.differential.machine import artifacts_with_mocks
from verify.findings import Finding, Impact, Status
from verify.toolchain.chain import FAST
from verify.trade import combined, edge_vectors, vectors

MAX_CERTIFIERS = 200


class TradeVectorsCheck(Check):
    ID = "trade-vectors"
    STAGE = "trade"
    IMPACT = Impact.HIGH
    CLAUSES = tuple(f"TRD-{n}" for n in range(1, 11)) + tuple(f"ENG-{n}" for n in range(1, 10)) + ("FPR-7",)
    """Every clause some vector declares (``tests/trade/test_checks.py`` keeps the two lists equal)."""
    DESCRIPTION = "The bilateral market's and the energy accounts' vectors (the paper cases among them) replay green."
    RECOMMENDATION = "Fix the contract where the replay departs from the vector's expected outcome or state."

    def run(self, ctx: Context) -> list[Finding]:
        cases = [s.case() for s in vectors.scenarios() + edge_vectors.scenarios()]
        results = vectors.replay_all(cases, artifacts_with_mocks(ctx.contracts), FAST)  # a refusing wallet among them
        return vector_findings(self, cases, results, "{cases} vectors replay green")


class TradeDifferentialCheck(Check):
    ID = "trade-differential"
    STAGE = "trade"
    IMPACT = Impact.HIGH
    CLAUSES = ("TRD-8", "TRD-3", "TRD-5", "TRD-9", "TRD-10", "ENG-7", "ENG-8", "ENG-9", "FPR-7")
    DESCRIPTION = (
        "Random runs of both markets on one deployment (the auction and the bilateral market sharing the "
        "registry), hostile moves included, agree with the model in every step."
    )
    RECOMMENDATION = "Replay the falsifying example and fix the contract where it departs from the clause."

    def run(self, ctx: Context) -> list[Finding]:
        combined.deploy(artifacts_with_mocks(ctx.contracts), FAST)
        return machine_findings(self, ctx, combined.BothMarketsMachine, 40)


def majority_counterexample(certified: Callable[[int, int], bool], rejected: Callable[[int, int], bool]):
    """The first (passes, certifiers) where a minority certifies, a majority cannot, or both outcomes hold."""
    for n in range(1, MAX_CERTIFIERS + 1):
        for passes in range(n + 1):
            majority = passes > n - passes
            if certified(passes, n) != majority or (certified(passes, n) and rejected(n - passes, n)):
                return passes, n
    return None


class CertificationMajorityCheck(Check):
    ID = "trade-certification-majority"
    STAGE = "trade"
    IMPACT = Impact.HIGH
    CLAUSES = ("TRD-5",)
    DESCRIPTION = (
        f"For every certifier count up to {MAX_CERTIFIERS}: a minority never certifies, a majority always does."
    )
    RECOMMENDATION = "Certify only when the passes are more than half of the trade's certifiers (ERR-31)."

    def run(self, ctx: Context) -> list[Finding]:
        found = majority_counterexample(tr.certified, tr.rejected)
        if found is None:
            return [self.finding("eq 5 as resolved: certification is exactly a strict majority", Status.PASSED)]
        passes, n = found
        return [self.finding(f"{passes} passes of {n} certifiers decide wrongly", Status.VIOLATION)]
