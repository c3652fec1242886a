"""CrossHair on the reference model: its PEP 316 contracts hold (FXP-3, REP-2..REP-8, AUC-7, QUO-1)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["reference/fixedpoint.py", "reference/reputation.py", "reference/market.py", "reference/quotes.py"]


def crosshair(*targets: str, timeout: float = 4) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "crosshair", "check", f"--per_condition_timeout={timeout}", *targets]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_reference_contracts_hold():
    result = crosshair(*MODULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("wrong_rounding.py", "when calling share_plus_z0("),
        ("second_price.py", "when calling auction_price("),
    ],
)
def test_crosshair_flags_known_bad_contracts(fixture, expected):
    result = crosshair(f"tests/fixtures/crosshair/{fixture}")
    assert result.returncode == 1
    assert expected in result.stdout
