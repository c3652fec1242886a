"""Discovery of checks: every :class:`~verify.check.Check` subclass in ``verify.checks``."""

from __future__ import annotations

import importlib
import pkgutil

import verify.checks
from verify.check import Check


def _subclasses(cls: type[Check]) -> list[type[Check]]:
    out: list[type[Check]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def discover() -> dict[str, type[Check]]:
    """Import every module below ``verify.checks`` and return the checks by id.

    Raises ``ValueError`` when two checks share an id.
    """
    for module in pkgutil.walk_packages(verify.checks.__path__, "verify.checks."):
        importlib.import_module(module.name)
    checks: dict[str, type[Check]] = {}
    for cls in _subclasses(Check):
        if getattr(cls, "ABSTRACT", False) and "ABSTRACT" in cls.__dict__:
            continue
        if cls.ID in checks and checks[cls.ID] is not cls:
            raise ValueError(f"duplicate check id {cls.ID!r}: {checks[cls.ID].__name__} and {cls.__name__}")
        checks[cls.ID] = cls
    return dict(sorted(checks.items()))
