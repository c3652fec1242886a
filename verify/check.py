"""The base class of every verifier check, with metadata validated when the class is made."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from verify.findings import Finding, Impact

ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass
class Context:
    """What a check may use: where the project is and where to write artifacts."""

    root: Path
    """The repository root."""
    out: Path
    """Directory for reports and artifacts."""
    contracts: Path
    """The Solidity contracts under audit."""
    options: dict = field(default_factory=dict)
    """Per-run knobs (examples, budgets, timeouts)."""


class Check:
    """A registered check: subclass it, fill in the metadata, implement :meth:`run`."""

    ID: ClassVar[str] = ""
    """Stable, unique, lowercase id (``compile``, ``slither``, ``prove-auc-price``)."""
    STAGE: ClassVar[str] = ""
    """The audit stage it belongs to (compile, differential, proofs, symbolic, static, gas)."""
    CLAUSES: ClassVar[tuple[str, ...]] = ()
    """Spec clauses it covers."""
    IMPACT: ClassVar[Impact] = Impact.HIGH
    """Impact of a bad result."""
    DESCRIPTION: ClassVar[str] = ""
    """What it checks, one sentence."""
    RECOMMENDATION: ClassVar[str] = ""
    """What to do when it fails."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "ABSTRACT", False) and "ABSTRACT" in cls.__dict__:
            return
        missing = [name for name in ("ID", "STAGE", "DESCRIPTION") if not getattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__}: check metadata missing: {', '.join(missing)}")
        if not ID.match(cls.ID):
            raise TypeError(f"{cls.__name__}: check id {cls.ID!r} must be lowercase-with-dashes")

    def run(self, ctx: Context) -> list[Finding]:
        raise NotImplementedError

    def finding(self, title: str, status, **kwargs) -> Finding:
        """A finding pre-filled with this check's metadata."""
        kwargs.setdefault("impact", self.IMPACT)
        kwargs.setdefault("clause", self.CLAUSES[0] if self.CLAUSES else "")
        kwargs.setdefault("recommendation", self.RECOMMENDATION)
        return Finding(check=self.ID, title=title, status=status, **kwargs)
