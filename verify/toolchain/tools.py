"""Where the external tools are: Mythril lives in its own virtualenv (its pins conflict with ours)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def myth_executable() -> Path | None:
    """The ``myth`` of the Mythril environment: ``$FAIRWATT_MYTH``, else ``myth`` on PATH, else None."""
    configured = os.environ.get("FAIRWATT_MYTH")
    if configured and Path(configured).exists():
        return Path(configured)
    found = shutil.which("myth")
    return Path(found) if found else None
