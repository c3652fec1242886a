"""junit.xml: a test suite per stage, a test case per finding; bad findings fail, not-verified errors."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from verify.audit import Audit
from verify.findings import Status

FAILED = {Status.REFUTED, Status.VIOLATION}
ERRORED = {Status.NOT_VERIFIED, Status.UNKNOWN}


def render(audit: Audit) -> str:
    root = ET.Element("testsuites", name="fairwatt audit", time=f"{audit.seconds:.2f}")
    for stage in sorted({o.stage for o in audit.outcomes}):
        findings = [f for o in audit.outcomes if o.stage == stage for f in o.findings]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=stage,
            tests=str(len(findings)),
            failures=str(sum(f.status in FAILED for f in findings)),
            errors=str(sum(f.status in ERRORED for f in findings)),
        )
        for f in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{stage}.{f.check}",
                name=f"{f.title[:150]} [{f.id}]",
                time=f"{f.seconds:.3f}",
            )
            if f.status in FAILED:
                ET.SubElement(case, "failure", message=f"{f.impact.value}: {f.title[:200]}").text = f.evidence
            elif f.status in ERRORED:
                ET.SubElement(case, "error", message=f.title[:200]).text = f.evidence
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
