"""audit.sarif: SARIF 2.1.0, one rule per check, stable fingerprints, accepted findings as suppressed."""

from __future__ import annotations

import json
import re

from verify.audit import Audit
from verify.findings import BAD, Impact, Status
from verify.registry import discover

LEVELS = {Impact.HIGH: "error", Impact.MEDIUM: "warning", Impact.LOW: "note", Impact.INFORMATIONAL: "note"}
LOCATION = re.compile(r"(?P<file>[\w./-]+\.sol)#?(?P<line>\d+)?")


def _location(text: str) -> list[dict]:
    m = LOCATION.search(text or "")
    if not m:
        return []
    region = {"startLine": int(m["line"])} if m["line"] else {}
    physical: dict[str, object] = {"artifactLocation": {"uri": m["file"]}}
    if region:
        physical["region"] = region
    return [{"physicalLocation": physical}]


def render(audit: Audit) -> str:
    checks = discover()
    results = []
    for f in audit.findings:
        if f.status not in BAD and f.status != Status.ACCEPTED:
            continue
        result = {
            "ruleId": f.check,
            "level": "error" if f.status == Status.NOT_VERIFIED else LEVELS[f.impact],
            "message": {"text": f"[{f.status.value}] {f.title}" + (f" ({f.clause})" if f.clause else "")},
            "locations": _location(f.location or f.evidence),
            "partialFingerprints": {"fairwattFindingId/v1": f.id},
            "properties": {
                "status": f.status.value,
                "impact": f.impact.value,
                "clause": f.clause,
                "swc": f.swc,
            },
        }
        if f.status == Status.ACCEPTED:
            result["suppressions"] = [{"kind": "external", "justification": f.recommendation}]
        results.append(result)
    rules = [
        {
            "id": cls.ID,
            "shortDescription": {"text": cls.DESCRIPTION[:200]},
            "help": {"text": cls.RECOMMENDATION or cls.DESCRIPTION},
            "properties": {"stage": cls.STAGE, "clauses": list(cls.CLAUSES), "impact": cls.IMPACT.value},
        }
        for cls in checks.values()
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fairwatt",
                        "informationUri": "https://example.invalid/fairwatt",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2)
