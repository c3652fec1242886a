"""The one result type of fairwatt: every check, tool and proof reports :class:`Finding` objects."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """How a check ended for one subject. Only ``PROVED`` and ``PASSED`` are good news."""

    PROVED = "proved"
    """A proof obligation holds (for every input)."""
    PASSED = "passed"
    """A test-like check ran to completion and found nothing."""
    ACCEPTED = "accepted"
    """A scanner's finding that was reviewed and accepted, with the reason in the triage file."""
    REFUTED = "refuted"
    """A proof obligation fails; the evidence is a counterexample."""
    VIOLATION = "violation"
    """A check found a defect (a differential mismatch, a scanner finding)."""
    UNKNOWN = "unknown"
    """A solver gave up within its budget."""
    NOT_VERIFIED = "not_verified"
    """A tool crashed, timed out or was missing: nothing is known."""


class Impact(StrEnum):
    """Severity, in Slither's vocabulary."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFORMATIONAL = "informational"


IMPACT_ORDER = [Impact.INFORMATIONAL, Impact.LOW, Impact.MEDIUM, Impact.HIGH]
BAD = {Status.REFUTED, Status.VIOLATION, Status.UNKNOWN, Status.NOT_VERIFIED}


@dataclass(frozen=True)
class Finding:
    """One result of one check about one subject."""

    check: str
    """The id of the check that produced it (e.g. ``compile``, ``prove-auc-price``)."""
    title: str
    """One line saying what was found."""
    status: Status
    """How the check ended for this subject."""
    impact: Impact
    """How much it matters when the status is bad."""
    clause: str = ""
    """The spec clause it concerns (e.g. ``AUC-4``), if any."""
    location: str = ""
    """``file:line`` or a function name."""
    evidence: str = ""
    """Counterexample, tool output or measurement supporting the finding."""
    recommendation: str = ""
    """What to do about it."""
    swc: str = ""
    """SWC id, when a scanner gives one."""
    seconds: float = 0.0
    """Wall time the check spent on this subject."""
    data: dict = field(default_factory=dict, compare=False)
    """Structured extra data for renderers (measurements, tables)."""

    @property
    def id(self) -> str:
        """A stable id: the same check, subject and location give the same id across runs."""
        key = "|".join([self.check, self.clause, self.location, self.title])
        return hashlib.sha3_256(key.encode()).hexdigest()[:16]

    @property
    def bad(self) -> bool:
        return self.status in BAD

    def to_json(self) -> dict:
        out = asdict(self)
        out.update(id=self.id, status=self.status.value, impact=self.impact.value)
        return out
