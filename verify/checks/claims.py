"""The paper's economic claims about reputation and bans (spec/claims.md), one finding per claim and parameter set.

CLM-1 and CLM-2 are about one update and are proved by Z3 over the model's encoding (the mirrors in
``verify/checks/proofs/encodings.py``, kept equal to ``reference/`` by their drift tests), for every
admissible input. CLM-3..CLM-5 are about sequences of trades and are evaluated by ``reference.economics``,
exhaustively over a stated family or by an exact bound; each finding states which.
"""

from __future__ import annotations

import time
from typing import ClassVar

import z3

from reference import economics
from reference.params import Params, load
from verify.check import Check, Context
from verify.checks.proofs import encodings as enc
from verify.checks.proofs.base import render
from verify.findings import Finding, Impact, Status

PARAM_SETS = ("resolved", "paper-literal")
AMOUNT_LIMIT = 2**128
TIMEOUT_MS = 20_000


class ClaimCheck(Check):
    """One claim of spec/claims.md, evaluated on the resolved and the paper-literal parameters."""

    ABSTRACT = True
    STAGE = "economics"
    IMPACT = Impact.MEDIUM
    DEPARTURE: ClassVar[str] = ""
    """The erratum that records why fairwatt does not adopt the claim; its refutation is then accepted."""

    def evaluate(self, p: Params) -> tuple[Status, str, str]:
        """(status, method, evidence) for one parameter set."""
        raise NotImplementedError

    def run(self, ctx: Context) -> list[Finding]:
        findings = []
        for name in ctx.options.get("params", PARAM_SETS):
            start = time.perf_counter()
            status, method, evidence = self.evaluate(load(name))
            literal = name != "resolved"
            if status == Status.REFUTED and self.DEPARTURE and not literal:
                status, evidence = Status.ACCEPTED, f"not adopted ({self.DEPARTURE}); {evidence}"
            title = f"{'[paper-literal] ' if literal else ''}{self.CLAUSES[0]} {status.value}: {self.DESCRIPTION}"
            findings.append(
                self.finding(
                    title,
                    status,
                    impact=Impact.INFORMATIONAL if literal else self.IMPACT,
                    location=f"params:{name}",
                    evidence=f"method: {method}\n{evidence}".strip(),
                    seconds=time.perf_counter() - start,
                    data={"params": name},
                )
            )
        return findings


def _z3(lemmas: list[tuple[str, z3.BoolRef]], wad: int) -> tuple[Status, str]:
    """Every lemma for all inputs: the first refuted or undecided one decides."""
    for name, claim in lemmas:
        solver = z3.Solver()
        solver.set(timeout=TIMEOUT_MS, random_seed=0)
        solver.add(z3.Not(claim))
        verdict = solver.check()
        if verdict == z3.sat:
            return Status.REFUTED, f"{name} fails:\n{render(solver.model(), wad)}"
        if verdict != z3.unsat:
            return Status.UNKNOWN, f"{name}: z3 {solver.reason_unknown()}"
    return Status.PROVED, "; ".join(name for name, _ in lemmas) + ": proved"


def _band(p: Params, r: z3.ArithRef) -> z3.BoolRef:
    return z3.And(r >= p.min_reputation, r <= (p.max_reputation or 2**256 - 1))


class FraudAmountClaim(ClaimCheck):
    ID = "claim-fraud-amount"
    CLAUSES = ("CLM-1", "REP-3", "REP-7")
    DESCRIPTION = "A fraud of a larger amount is punished more, and materially more (eq 2)."
    RECOMMENDATION = "Keep z0 small against 1.0: with z0 = 200, f(z) stays in [200, 201] whatever the amount."

    def evaluate(self, p: Params) -> tuple[Status, str, str]:
        h, a, b, r, c, d1, d2, zl, zs = z3.Ints("H a b R c D1 D2 z_large z_small")
        f = lambda z: enc.share_plus_z0(z, h + z, p.z0, p.wad)  # noqa: E731  (eq 2 over the window H + z)
        after = lambda d: enc.clamp(enc.reputation_step(r, 0, d, c, p.k1, p.k2), p.min_reputation, p.max_reputation)  # noqa: E731
        history = z3.And(h >= 0, h < (p.window_f - 1) * AMOUNT_LIMIT)
        lemmas = [
            ("f(z) never falls as z grows", z3.Implies(z3.And(history, a >= 1, a < b, b < AMOUNT_LIMIT), f(a) <= f(b))),
            (
                "R' never rises as c(n)·f(z) grows",
                z3.Implies(
                    z3.And(_band(p, r), c >= 1, c <= 2**p.max_fraud_exponent, d1 >= 0, d1 <= d2, d2 <= p.z0 + p.wad),
                    after(d2) <= after(d1),
                ),
            ),
            (
                "f(z) of a fraud at least the window is >= 10x f(z) of one at most 1% of it",
                z3.Implies(
                    z3.And(history, h >= 1, zl >= h, zl < AMOUNT_LIMIT, zs >= 1, 100 * zs <= h), f(zl) >= 10 * f(zs)
                ),
            ),
        ]
        status, evidence = _z3(lemmas, p.wad)
        method = "Z3 over the encoding of eqs 2, 3 for every R in the band, c(n), history total H < 2^130, z < 2^128"
        return status, method, evidence


class BanGrowthClaim(ClaimCheck):
    ID = "claim-ban-exponential"
    CLAUSES = ("CLM-2", "REP-8")
    DESCRIPTION = "The n-th fraud bans for at least min(2^(n-1), max_ban_days) days, whatever the reputation (eq 7)."
    RECOMMENDATION = "Cap reputation at 1.0: eq 7's d = c(n)/R is then at least c(n)."

    def evaluate(self, p: Params) -> tuple[Status, str, str]:
        r, c = z3.Ints("R_after c_n")
        days = enc.ban_days(c, r, p.wad, p.max_ban_days)
        least = z3.If(c < p.max_ban_days, c, p.max_ban_days) if p.max_ban_days else c
        facts = z3.And(_band(p, r), c >= 1, c <= 2**p.max_fraud_exponent)
        status, evidence = _z3([("ban >= min(c(n), cap)", z3.Implies(facts, z3.And(r > 0, days >= least)))], p.wad)
        return status, "Z3 over eq 7's encoding for every R' in the band and every c(n)", evidence


class _ReferenceClaim(ClaimCheck):
    ABSTRACT = True
    PROVES: ClassVar[bool] = False
    """True when the verdict is an exact bound for every input (proved), not an exhaustive family (passed)."""

    VERDICT: ClassVar[str]
    """The name of the function of ``reference/economics.py`` that judges the claim."""

    def evaluate(self, p: Params) -> tuple[Status, str, str]:
        v: economics.Verdict = getattr(economics, self.VERDICT)(p)
        good = Status.PROVED if self.PROVES else Status.PASSED
        return (good if v.holds else Status.REFUTED), v.method, v.evidence


class RestoreClaim(_ReferenceClaim):
    ID = "claim-restore"
    CLAUSES = ("CLM-3", "SIM-1")
    DESCRIPTION = "Each repeated fraud drops reputation more steeply and takes more honest trades to restore."
    RECOMMENDATION = "Check z0 and c(n): a growth of x201 per honest trade restores any fraud in two trades."
    VERDICT = "restore_claim"


class NewSellerClaim(_ReferenceClaim):
    ID = "claim-new-seller-limit"
    CLAUSES = ("CLM-4", "ECO-1")
    PROVES = True
    DESCRIPTION = "New or low-credit sellers may not post large orders; the largest takes several honest sales."
    RECOMMENDATION = "Check order_quantity_per_reputation, initial_reputation, the cap and z0."
    VERDICT = "new_seller_claim"


class CreditworthinessClaim(_ReferenceClaim):
    ID = "claim-creditworthiness"
    CLAUSES = ("CLM-5", "REP-6")
    DEPARTURE = "ERR-23"
    DESCRIPTION = "The buyer's reputation growth depends on the seller's creditworthiness (eq 5's sentence)."
    RECOMMENDATION = "Recorded as not adopted (ERR-23)."
    VERDICT = "creditworthiness_claim"
