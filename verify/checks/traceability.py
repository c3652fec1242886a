"""Every clause of spec/ is covered by a test that declares it (``@pytest.mark.clauses``) and passed in the last
test run of this very tree (recorded by ``make test``; see :mod:`verify.traceability`).

The audit reads that record rather than running the suite itself: the suite takes minutes, ``make test`` runs
it anyway, and a record of another tree is refused, so a stale run never reads as coverage.
"""

from __future__ import annotations

import json

from verify import spec, traceability
from verify.check import Check, Context
from verify.findings import Finding, Impact, Status


class TraceabilityCheck(Check):
    ID = "traceability"
    STAGE = "traceability"
    IMPACT = Impact.MEDIUM
    DESCRIPTION = "Every clause has a test that declares it with @pytest.mark.clauses and passed on this tree."
    RECOMMENDATION = "Run `make test`; give the clause a test marked @pytest.mark.clauses(...) that passes."

    def run(self, ctx: Context) -> list[Finding]:
        record_file = ctx.options.get("clauses_json", traceability.RECORD)
        try:
            record = json.loads(record_file.read_text())
        except (OSError, ValueError):
            return [self.finding(f"no test run recorded in {record_file}", Status.NOT_VERIFIED)]
        if record.get("tree") != traceability.tree_hash():
            why = f"the recorded test run ({' '.join(record.get('args', [])) or 'all'}) is not of this tree"
            return [self.finding(why, Status.NOT_VERIFIED, evidence=f"{record_file}: tree {record.get('tree')}")]
        findings = []
        for clause in spec.clauses():
            tests = record["passed"].get(clause.id, [])
            title = f"{clause.id}: {len(tests)} tests passed" if tests else f"{clause.id}: no test passed"
            status = Status.PASSED if tests else Status.VIOLATION
            findings.append(self.finding(title, status, clause=clause.id, location=clause.id, data={"tests": tests}))
        if record["failed"]:
            evidence = "\n".join(record["failed"])
            title = f"{len(record['failed'])} tests failed in the recorded run"
            findings.append(self.finding(title, Status.VIOLATION, evidence=evidence, location="tests"))
        return findings
