"""What the checks of the seeds' other systems share: their vectors replayed on the contracts, and their
state machine run against the model (the trade, points and fingerprints checks)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from verify.check import Check
from verify.differential.campaign import shrink_limit
from verify.findings import Finding, Status


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


def machine_findings(
    check: Check, machine: type[RuleBasedStateMachine], examples: int, steps: int, shrinks: int, passed: str
) -> list[Finding]:
    """``examples`` derandomized runs of ``machine`` of up to ``steps`` steps: the shrunk failure (a mismatch
    or a broken invariant) as a violation, else one pass titled ``passed``."""
    config = settings(
        max_examples=examples,
        stateful_step_count=steps,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        report_multiple_bugs=False,
    )
    try:
        with shrink_limit(shrinks):
            run_state_machine_as_test(machine, settings=config)
    except AssertionError as exc:
        return [check.finding(str(exc).splitlines()[0][:200], Status.VIOLATION, evidence=str(exc)[:4000])]
    return [check.finding(passed, Status.PASSED)]
