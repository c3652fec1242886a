"""audit.sarif: SARIF 2.1.0, one rule per check of every tool (each fairwatt check, each Slither
detector, each SWC id of Mythril), stable fingerprints, accepted findings as suppressed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from verify.audit import Audit
from verify.findings import BAD, Finding, Impact, Status
from verify.registry import discover
from verify.toolchain.compiler import ROOT

LEVELS = {Impact.HIGH: "error", Impact.MEDIUM: "warning", Impact.LOW: "note", Impact.INFORMATIONAL: "note"}
LOCATION = re.compile(r"(?P<file>[^\s()#:]+\.sol)(?:#L?(?P<start>\d+)(?:-L?(?P<end>\d+))?|:(?P<line>\d+))?")
"""``file.sol``, Slither's ``file.sol#12``, ``#12-15``, ``#L12``, ``#L12-L15``, or ``file.sol:12``."""
SWC = "https://swcregistry.io/docs/SWC-{}"
SLITHER = "https://github.com/crytic/slither/wiki/Detector-Documentation"


def _uri(file: str) -> str:
    """A repository-relative URI reference, or a ``file:`` URI outside the repository."""
    path = Path(file)
    if not path.is_absolute():
        return path.as_posix()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_uri()


def locations(text: str) -> list[dict]:
    """The first source location named in ``text``, with its lines when given."""
    m = LOCATION.search(text or "")
    if not m:
        return []
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(m["file"])}}
    start = m["start"] or m["line"]
    if start:
        region = {"startLine": int(start)}
        if m["end"] and int(m["end"]) > int(start):
            region["endLine"] = int(m["end"])
        physical["region"] = region
    return [{"physicalLocation": physical}]


def rule_id(f: Finding) -> str:
    """The tool's own check: ``slither/<detector>``, ``mythril/SWC-<id>``, else the fairwatt check id."""
    if f.swc:
        return f"{f.check}/SWC-{f.swc}"
    if f.data.get("tool_check") and f.data["tool_check"] != "fairwatt-cei":
        return f"{f.check}/{f.data['tool_check']}"
    return f.check


def _tool_rule(f: Finding) -> dict:
    """A rule for a tool's check, described by its first finding."""
    rule: dict = {"id": rule_id(f), "shortDescription": {"text": f.title.split(": ", 1)[-1][:200] or rule_id(f)}}
    if f.swc:
        rule["helpUri"] = SWC.format(f.swc)
    elif f.data.get("tool_check"):
        rule["helpUri"] = f"{SLITHER}#{f.data['tool_check']}"
    rule["properties"] = {"tool": f.check}
    return rule


def render(audit: Audit) -> str:
    rules = [
        {
            "id": cls.ID,
            "shortDescription": {"text": cls.DESCRIPTION[:200]},
            "help": {"text": cls.RECOMMENDATION or cls.DESCRIPTION},
            "properties": {"stage": cls.STAGE, "clauses": list(cls.CLAUSES), "impact": cls.IMPACT.value},
        }
        for cls in discover().values()
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in audit.findings:
        if f.status not in BAD and f.status != Status.ACCEPTED:
            continue
        rid = rule_id(f)
        if rid not in index:
            index[rid] = len(rules)
            rules.append(_tool_rule(f))
        result = {
            "ruleId": rid,
            "ruleIndex": index[rid],
            "level": "error" if f.status == Status.NOT_VERIFIED else LEVELS[f.impact],
            "message": {"text": f"[{f.status.value}] {f.title}" + (f" ({f.clause})" if f.clause else "")},
            "locations": locations(f.location or f.evidence),
            "partialFingerprints": {"fairwattFindingId/v1": f.id},
            "properties": {
                "status": f.status.value,
                "impact": f.impact.value,
                "clause": f.clause,
                "swc": f.swc,
                "check": f.check,
            },
        }
        if f.status == Status.ACCEPTED:
            result["suppressions"] = [{"kind": "external", "justification": f.recommendation}]
        results.append(result)
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
