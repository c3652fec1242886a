"""Proof obligations: each a registered check whose claim Z3 proves, refutes or cannot decide.

A claim is a Z3 formula over free variables (implicitly universally quantified). Z3 searches for an
assignment making the claim false: none (unsat) is ``proved``; one (sat) is ``refuted`` with that
assignment as the counterexample; a timeout or an undecided search is ``unknown``. Never a silent pass.

Every obligation names a known-bad variant of the reference function it is bound to (``variants.py``)
and is run on it too: an obligation its variant does not refute could not fail, and is reported
``not_verified`` however its own run ended.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, ClassVar

import z3

from reference.params import Params, load
from verify.check import Check, Context
from verify.checks.proofs import encodings
from verify.checks.proofs.variants import VARIANTS
from verify.findings import Finding, Impact, Status

PARAM_SETS = ("resolved", "paper-literal")


@dataclass(frozen=True)
class Result:
    status: Status
    seconds: float
    counterexample: str = ""


def named_ints(names: str) -> SimpleNamespace:
    """Z3 integers, one per space-separated name in ``names``, as the attributes of those names."""
    return SimpleNamespace(**dict(zip(names.split(), z3.Ints(names), strict=True)))


def every_move(before: z3.BoolRef, moves: Iterable[tuple[z3.BoolRef, z3.BoolRef]]) -> list[z3.BoolRef]:
    """The step of an induction over transitions: from any state satisfying ``before``, each move
    ``(guard, after)`` allowed by its guard leads to a state where ``after`` holds."""
    return [z3.Implies(z3.And(before, guard), after) for guard, after in moves]


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
    REFUTED_BY: ClassVar[str] = ""
    """The id of the known-bad variant (``variants.VARIANTS``) that must refute this obligation."""
    TIMEOUT_MS: ClassVar[int] = 20_000
    ENCODINGS: ClassVar[Any] = encodings
    """The Z3 mirrors the claim is built from (the bilateral market's obligations bring their own)."""
    KNOWN_BAD: ClassVar[dict[str, Any]] = VARIANTS
    """Where ``REFUTED_BY`` is looked up: known-bad variants of ``ENCODINGS``."""

    def __init_subclass__(cls, **kwargs):
        if "ABSTRACT" not in cls.__dict__:
            if not cls.STATEMENT:
                raise TypeError(f"{cls.__name__}: a proof obligation needs a STATEMENT")
            if cls.REFUTED_BY not in cls.KNOWN_BAD:
                raise TypeError(f"{cls.__name__}: REFUTED_BY must name a known-bad variant, not {cls.REFUTED_BY!r}")
            cls.DESCRIPTION = cls.__dict__.get("DESCRIPTION") or cls.STATEMENT  # not an inherited statement
        super().__init_subclass__(**kwargs)

    def claim(self, p: Params, e: Any) -> z3.BoolRef:
        """The claim, built from the encodings ``e`` (the module ``encodings``, or a variant of it)."""
        raise NotImplementedError

    def prove(self, p: Params, variant: str = "") -> Result:
        """The obligation on the real encodings, or with ``variant``'s known-bad rule in place."""
        e = self.KNOWN_BAD[variant].apply(self.ENCODINGS) if variant else self.ENCODINGS
        # A fresh Z3 context for every run: the nonlinear searches otherwise depend on which terms earlier
        # obligations left in the shared one (prove-fixed-point-error took 0.7 s or timed out by order).
        z3.z3._main_ctx = None
        solver = z3.Solver()
        solver.set(timeout=self.TIMEOUT_MS, random_seed=0)  # the same search every run
        start = time.perf_counter()
        solver.add(z3.Not(self.claim(p, e)))
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
            variant = self.prove(load(name), self.REFUTED_BY)
            literal = name != "resolved"
            title = self.STATEMENT if not literal else f"[paper-literal] {self.STATEMENT}"
            if literal and self.PAPER_DEFECT and result.status == Status.REFUTED:
                title = f"[paper-literal] defect {self.PAPER_DEFECT} shown: {self.STATEMENT}"
            status, evidence = result.status, result.counterexample
            if variant.status != Status.REFUTED:
                status = Status.NOT_VERIFIED
                evidence = (
                    f"vacuous: the known-bad variant {self.REFUTED_BY} ({self.KNOWN_BAD[self.REFUTED_BY].description}) "
                    f"is {variant.status.value}, not refuted\n{variant.counterexample}"
                ).strip()
            findings.append(
                self.finding(
                    title,
                    status,
                    impact=Impact.INFORMATIONAL if literal and status != Status.NOT_VERIFIED else self.IMPACT,
                    evidence=evidence,
                    seconds=result.seconds + variant.seconds,
                    location=f"params:{name}",
                    data={
                        "params": name,
                        "paper_defect": self.PAPER_DEFECT,
                        "level": "model",
                        "proof_status": result.status.value,
                        "refuted_by": self.REFUTED_BY,
                        "variant_status": variant.status.value,
                        "variant_counterexample": variant.counterexample,
                    },
                )
            )
        return findings
