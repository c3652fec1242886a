"""Every report format is a view of one audit's findings: Markdown, HTML, SARIF, JUnit, JSON."""

from __future__ import annotations

from pathlib import Path

from verify.audit import Audit
from verify.render import html, junit, markdown, sarif
from verify.render.data import report_data


def write_all(audit: Audit) -> list[Path]:
    """Write audit.md, audit.html, audit.sarif, junit.xml and findings.json into the audit's folder."""
    data = report_data(audit)
    out = audit.out
    written = {
        "audit.md": markdown.render(data),
        "audit.html": html.render(data),
        "audit.sarif": sarif.render(audit),
        "junit.xml": junit.render(audit),
    }
    audit.checkpoint()
    for name, text in written.items():
        (out / name).write_text(text)
    return [out / name for name in [*written, "findings.json"]]
