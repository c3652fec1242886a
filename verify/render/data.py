"""What the human-readable reports show, computed once from an audit."""

from __future__ import annotations

from collections import Counter

from verify import spec
from verify.audit import Audit, exit_code, summary
from verify.findings import BAD, IMPACT_ORDER, Status
from verify.registry import discover

IMAGES = {
    "gas": "artifacts/gas/gas.png",
    "fig7": "artifacts/fig7/paper-fig7.png",
    "fig7_buyer": "artifacts/fig7/paper-fig7-buyer.png",
    "callgraph": "artifacts/callgraph/callgraph.png",
}


def traceability(audit: Audit) -> list[dict]:
    """Per clause: its reference and contract functions, the checks covering it with their statuses in this
    audit, and the tests that declare it and passed in the recorded test run (see ``verify.traceability``)."""
    by_clause: dict[str, set[str]] = {}
    for check in discover().values():
        for clause_id in check.CLAUSES:
            by_clause.setdefault(clause_id, set()).add(check.ID)
    for finding in audit.findings:
        if finding.clause and finding.check != "traceability":
            by_clause.setdefault(finding.clause, set()).add(finding.check)
    outcomes = {o.check: o for o in audit.outcomes}
    recorded = {f.clause: f for f in audit.findings if f.check == "traceability" and f.clause}
    rows = []
    for clause in spec.clauses():
        checks = []
        for check_id in sorted(by_clause.get(clause.id, set())):
            outcome = outcomes.get(check_id)
            own = [f for f in outcome.findings if f.clause == clause.id] if outcome else []
            checks.append({"id": check_id, "status": summary(own) if own else outcome.status if outcome else "not run"})
        record = recorded.get(clause.id)
        rows.append(
            {
                "id": clause.id,
                "title": clause.title,
                "file": clause.file,
                "reference": list(clause.reference),
                "contract": list(clause.contract),
                "checks": checks,
                "tests": record.data.get("tests", []) if record else [],
                "tests_status": record.status.value if record else "not run",
                "covered": bool(record and record.status == Status.PASSED),
            }
        )
    return rows


def report_data(audit: Audit) -> dict:
    findings = audit.findings
    counts = Counter(f.status.value for f in findings)
    shown = sorted(
        (f for f in findings if f.status in BAD or f.status == Status.ACCEPTED),
        key=lambda f: (-IMPACT_ORDER.index(f.impact), f.check, f.title),
    )
    proofs = [
        f
        for f in findings
        if f.check.startswith("prove-") or f.check == "crosshair" or f.data.get("level") == "bytecode"
    ]
    differential = next((f.data for f in findings if f.check == "differential" and f.data), {})
    attacks = [f for f in findings if f.check == "attacks"]
    gas = next((f.data["gas"] for f in findings if f.check == "gas" and "gas" in f.data), None)
    images = {name: audit.out / path for name, path in IMAGES.items() if (audit.out / path).exists()}
    return {
        "audit": audit,
        "verdict": audit.verdict(),
        "verdict_class": "passed" if exit_code(audit) == 0 else "violation",
        "stages": audit.stages(),
        "counts": dict(counts),
        "total": len(findings),
        "shown": shown,
        "outcomes": audit.outcomes,
        "proofs": proofs,
        "differential": differential,
        "attacks": attacks,
        "gas": gas,
        "images": images,
        "errata": spec.errata(),
        "trace": traceability(audit),
    }
