"""The spec's clauses as data: id, title, file, and the reference and Solidity code that implement each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from verify.toolchain.compiler import ROOT

SPEC = ROOT / "spec"
HEADING = re.compile(r"^### ([A-Z]{3}-\d+) · (.+)$", re.M)
REFERENCE = re.compile(r"^- reference: `([\w.]+)`$", re.M)
CONTRACT = re.compile(r"^- contract: `([\w.]+)`$", re.M)
ERRATUM = re.compile(r"^\| (ERR-\d+) \| (.*?) \| (.*?) \| (.*?) \| (.*?) \|$", re.M)


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    file: str
    reference: tuple[str, ...]
    contract: tuple[str, ...]


def clauses(spec: Path = SPEC) -> list[Clause]:
    """Every clause of every ``spec/*.md``, in file order."""
    found = []
    for path in sorted(spec.glob("*.md")):
        text = path.read_text()
        heads = list(HEADING.finditer(text))
        for head, following in zip(heads, [*heads[1:], None], strict=False):
            body = text[head.end() : following.start() if following else len(text)]
            found.append(
                Clause(
                    id=head.group(1),
                    title=head.group(2),
                    file=path.name,
                    reference=tuple(REFERENCE.findall(body)),
                    contract=tuple(CONTRACT.findall(body)),
                )
            )
    return found


def errata(spec: Path = SPEC) -> list[dict[str, str]]:
    """The rows of ``spec/errata.md``."""
    keys = ("id", "where", "defect", "resolution", "why")
    return [dict(zip(keys, row, strict=True)) for row in ERRATUM.findall((spec / "errata.md").read_text())]
