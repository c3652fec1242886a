"""Proof obligations: each a registered check whose claim Z3 proves, refutes or cannot decide.

A claim is a Z3 formula over free variables (implicitly universally quantified). Z3 searches for an
assignment making the claim false: none (unsat) is ``proved``; one (sat) is ``refuted`` with that
assignment as the counterexample; a timeout or an undecided search is ``unknown``. Never a silent pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

import z3

from reference.params import Params, load
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status

PARAM_SETS = ("resolved", "paper-literal")


@dataclass(frozen=True)
class Result:
    status: Status
    seconds: float
    counterexample: str = ""


def render(model: z3.ModelRef, wad: int) -> str:
    """A counterexample in the spec's terms: ``name = value`` per variable, fixed point also as a decimal."""
    lines = []
    for decl in sorted(model.decls(), key=lambda d: d.name()):
        if decl.arity() > 0 or decl.name().startswith(("div0", "mod0")):
            continue  # Z3's own helper functions, not variables of the claim
        value = model[decl]
        text = str(value)
        if z3.is_int_value(value) and abs(value.as_long()) >= 10**9:
            text = f"{value.as_long()} (= {value.as_long() / wad:.6g} in fixed point)"
        lines.append(f"{decl.name()} = {text}")
    return "\n".join(lines)


class ProofCheck(Check):
    """Subclasses set the metadata and implement :meth:`claim`."""

    ABSTRACT = True
    STAGE = "proofs"
    STATEMENT: ClassVar[str] = ""
    """The claim in words, as the report shows it."""
    PAPER_DEFECT: ClassVar[str] = ""
    """The erratum that the paper-literal parameters should exhibit as a refutation, if any."""
    TIMEOUT_MS: ClassVar[int] = 20_000

    def __init_subclass__(cls, **kwargs):
        if "ABSTRACT" not in cls.__dict__:
            if not cls.STATEMENT:
                raise TypeError(f"{cls.__name__}: a proof obligation needs a STATEMENT")
            cls.DESCRIPTION = cls.DESCRIPTION or cls.STATEMENT
        super().__init_subclass__(**kwargs)

    def claim(self, p: Params) -> z3.BoolRef:
        raise NotImplementedError

    def prove(self, p: Params) -> Result:
        solver = z3.Solver()
        solver.set(timeout=self.TIMEOUT_MS, random_seed=0)  # the same search every run
        start = time.perf_counter()
        solver.add(z3.Not(self.claim(p)))
        verdict = solver.check()
        seconds = time.perf_counter() - start
        if verdict == z3.unsat:
            return Result(Status.PROVED, seconds)
        if verdict == z3.sat:
            return Result(Status.REFUTED, seconds, render(solver.model(), p.wad))
        return Result(Status.UNKNOWN, seconds, f"z3: {solver.reason_unknown()}")

    def run(self, ctx: Context) -> list[Finding]:
        findings = []
        for name in ctx.options.get("params", ("resolved",)):
            result = self.prove(load(name))
            literal = name != "resolved"
            title = self.STATEMENT if not literal else f"[paper-literal] {self.STATEMENT}"
            if literal and self.PAPER_DEFECT and result.status == Status.REFUTED:
                title = f"[paper-literal] defect {self.PAPER_DEFECT} shown: {self.STATEMENT}"
            findings.append(
                self.finding(
                    title,
                    result.status,
                    impact=Impact.INFORMATIONAL if literal else self.IMPACT,
                    evidence=result.counterexample,
                    seconds=result.seconds,
                    location=f"params:{name}",
                    data={"params": name, "paper_defect": self.PAPER_DEFECT},
                )
            )
        return findings
