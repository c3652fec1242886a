"""What the human-readable reports show, computed once from an audit."""

from __future__ import annotations

import json
import re
from collections import Counter

from verify import spec
from verify.audit import Audit, exit_code
from verify.findings import BAD, IMPACT_ORDER, Impact, Status
from verify.registry import discover
from verify.toolchain.compiler import ROOT

IMAGES = {
    "gas": "artifacts/gas/gas.png",
    "fig7": "artifacts/fig7/paper-fig7.png",
    "fig7_buyer": "artifacts/fig7/paper-fig7-buyer.png",
    "callgraph": "artifacts/slither/callgraph.png",
}


def traceability(audit: Audit) -> list[dict]:
    """Per clause: its reference functions, contract functions, covering checks and tests; uncovered flagged."""
    checks = discover()
    clause: spec.Clause
    by_clause: dict[str, set[str]] = {}
    for check in checks.values():
        for clause_id in check.CLAUSES:
            by_clause.setdefault(clause_id, set()).add(check.ID)
    for finding in audit.findings:
        if finding.clause:
            by_clause.setdefault(finding.clause, set()).add(finding.check)
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    rows = []
    for item in spec.clauses():
        clause = item
        pattern = rf"def (test_\w*{clause.id[:3]}_{clause.id[4:]}\w*)|(?<![A-Z]){clause.id}(?!\d)"
        named = sorted({m.group(1) or "(named in a test's text)" for m in re.finditer(pattern, tests)})
        covering = sorted(by_clause.get(clause.id, set()))
        rows.append(
            {
                "id": clause.id,
                "title": clause.title,
                "file": clause.file,
                "reference": list(clause.reference),
                "contract": list(clause.contract),
                "checks": covering,
                "tests": named[:4],
                "covered": bool(covering),
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
    proofs = [f for f in findings if f.check.startswith("prove-") or f.check == "crosshair"]
    differential = next((f.data for f in findings if f.check == "differential" and f.data), {})
    gas = next((f.data["gas"] for f in findings if f.check == "gas" and "gas" in f.data), None)
    images = {name: audit.out / path for name, path in IMAGES.items() if (audit.out / path).exists()}
    code = exit_code(audit, Impact.MEDIUM)
    verdicts = {0: "clean", 1: "findings at or above medium", 2: "not everything could be verified"}
    return {
        "audit": audit,
        "verdict": f"{verdicts[code]} (exit {code} with --fail-on medium)",
        "verdict_class": "passed" if code == 0 else "violation",
        "counts": dict(counts),
        "total": len(findings),
        "shown": shown,
        "outcomes": audit.outcomes,
        "proofs": proofs,
        "differential": differential,
        "gas": gas,
        "images": images,
        "errata": spec.errata(),
        "trace": traceability(audit),
        "json": json.dumps(
            {
                "contracts": str(audit.contracts),
                "seconds": round(audit.seconds, 1),
                "errors": audit.errors,
                "findings": [f.to_json() for f in findings],
            },
            indent=2,
        ),
    }
