"""The differential campaign and the test vectors as audit checks: the contracts against the model."""

from __future__ import annotations

import re

from verify import vectors
from verify.check import Check, Context
from verify.differential import campaign
from verify.findings import Finding, Impact, Status

ACTION_CLAUSES = {
    "register_user": "MKT-1",
    "post_order": "AUC-1",
    "place_bid": "AUC-2",
    "disclose_key": "AUC-4",
    "open_bids": "AUC-6",
    "settle": "AUC-7",
    "claim_seller_default": "SET-5",
    "pay_price": "SET-1",
    "claim_buyer_default": "SET-4",
    "confirm_delivery": "SET-2",
    "claim_delivery_timeout": "SET-2",
    "report_non_delivery": "SET-3",
    "withdraw": "SET-7",
}
"""The clause each action's rules live in: a difference in an action breaks that clause."""


DEPTH = 100
"""Runs per ``--examples``: the campaign on pyrevm with its own driver does in the same wall time a
hundred times the runs it did on eth-tester under hypothesis (``benchmarks/differential.py``)."""


def clause_of(message: str) -> str:
    """The clause of the first action named in a difference report (SET-6 for an invariant)."""
    for action in re.findall(r"\b([a-z]+(?:_[a-z]+)*)\b", message):
        if action in ACTION_CLAUSES:
            return ACTION_CLAUSES[action]
    return "SET-6"


class DifferentialCheck(Check):
    ID = "differential"
    STAGE = "differential"
    IMPACT = Impact.HIGH
    CLAUSES = tuple(sorted(set(ACTION_CLAUSES.values()) | {"SET-6", "MKT-2", "MKT-3", "REP-7", "REP-9"}))
    DESCRIPTION = "Random action sequences on the model and the contracts agree step by step (state, events, errors)."
    RECOMMENDATION = (
        "Replay the shrunk program (the replay file) and fix the contract where it departs from the clause."
    )

    def run(self, ctx: Context) -> list[Finding]:
        examples = int(ctx.options.get("examples", 30)) * DEPTH
        report = campaign.run(examples, ctx.contracts, steps=40, replay_dir=ctx.out / "replays", shrinks=200)
        stats = {k: v for k, v in report.to_json().items() if k != "failures"}
        if not report.failures:
            title = f"{report.steps} contract steps agree with the model ({report.steps_per_second} steps/s)"
            return [self.finding(title, Status.PASSED, seconds=report.seconds, data=stats, clause="SET-6")]
        return [
            self.finding(
                failure["error"].splitlines()[0][:200],
                Status.VIOLATION,
                clause=clause_of(failure["error"]),
                evidence=failure["error"] + "\n\nreplay:\n" + failure["program"],
                location=failure.get("replay", ""),
                seconds=report.seconds,
                data=stats,
            )
            for failure in report.failures
        ]


class VectorsCheck(Check):
    ID = "vectors"
    STAGE = "differential"
    IMPACT = Impact.HIGH
    CLAUSES = ("MKT-2", "AUC-5", "AUC-6", "AUC-7", "SET-2", "SET-3", "SET-4", "SET-5", "REP-2", "REP-5")
    DESCRIPTION = "The reference model's test vectors replay on the contracts with the same outcomes, events and state."
    RECOMMENDATION = "Run `fairwatt vectors` and replay the named case; fix the contract at the step shown."

    def run(self, ctx: Context) -> list[Finding]:
        scripts = list(vectors.scenarios())
        results = vectors.replay_all(ctx.contracts, [s.case() for s in scripts])
        findings = []
        for script in scripts:
            problems = results[script.name]
            if problems:
                findings.append(
                    self.finding(
                        f"vector {script.name}: {problems[0][:160]}",
                        Status.VIOLATION,
                        clause=clause_of(problems[0]),
                        evidence="\n".join(problems[:20]),
                        location=script.name,
                    )
                )
            else:
                steps = len(script.steps)
                findings.append(
                    self.finding(
                        f"vector {script.name}: {steps} steps replay green",
                        Status.PASSED,
                        clause=script.clauses[0],
                        location=script.name,
                    )
                )
        return findings
