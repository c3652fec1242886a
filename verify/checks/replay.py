"""What the checks of the seeds' other systems share: their vectors replayed on the contracts, and their
state machine run against the model (the trade, points and fingerprints checks)."""

from __future__ import annotations

from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from verify.check import Check, Context
from verify.differential.campaign import shrink_limit
from verify.findings import Finding, Status
from verify.steps import machine_settings


def vector_findings(check: Check, cases: list[dict], results: dict[str, list[str]], passed: str) -> list[Finding]:
    """One violation per vector that departed (its first problem as the title), else one pass: ``passed``
    with ``{cases}`` and ``{steps}`` filled in."""
    bad = {name: problems for name, problems in results.items() if problems}
    if not bad:
        steps = sum(len(c["steps"]) for c in cases)
        return [check.finding(passed.format(cases=len(cases), steps=steps), Status.PASSED)]
    return [
        check.finding(f"vector {name}: {problems[0][:160]}", Status.VIOLATION, evidence="\n".join(problems))
        for name, problems in bad.items()
    ]


def machine_findings(check: Check, ctx: Context, machine: type[RuleBasedStateMachine], steps: int) -> list[Finding]:
    """The audit's ``examples`` (10 unless set) derandomized runs of ``machine`` of up to ``steps`` steps, shrunk
    at most ``shrinks`` (50) times: the shrunk failure (a mismatch or a broken invariant) as a violation, else
    one pass."""
    examples, shrinks = int(ctx.options.get("examples", 10)), int(ctx.options.get("shrinks", 50))
    try:
        with shrink_limit(shrinks):
            run_state_machine_as_test(machine, settings=machine_settings(examples, steps))
    except AssertionError as exc:
        return [check.finding(str(exc).splitlines()[0][:200], Status.VIOLATION, evidence=str(exc)[:4000])]
    return [check.finding(f"{examples} runs of up to {steps} steps agree with the model", Status.PASSED)]
