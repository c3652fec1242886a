"""The CEI detector: inherited functions analysed, functions that call each other analysed without end,
and its impact calibrated on the kind of interaction (SET-7)."""

from functools import cache
from pathlib import Path

import pytest

from verify.checks.static import scanners
from verify.findings import Impact, Status

CEI = Path(__file__).parents[1] / "fixtures" / "scan_cei"


@cache
def flagged(name):
    slither, cei = scanners.slither(CEI / f"{name}.sol")
    assert slither[-1].status == Status.PASSED and cei[-1].status == Status.PASSED  # both ran to the end
    return {f.title.split(": ", 1)[1].split("(")[0]: f.impact for f in cei if f.status == Status.VIOLATION}


def test_a_function_inherited_from_a_base_contract_is_analysed():
    assert flagged("Inherited") == {"Vault.withdraw": Impact.HIGH}


def test_functions_that_call_each_other_are_analysed_without_end():
    assert flagged("MutualRecursion") == {"Recursive.withdraw": Impact.HIGH}


@pytest.mark.parametrize(
    ("function", "impact"),
    [
        ("Payer.payByCall", Impact.HIGH),  # ether with all the remaining gas
        ("Payer.notifyHook", Impact.MEDIUM),  # a contract call: re-entry possible, no ether
        ("Payer.payByTransfer", Impact.LOW),  # 2300 gas
        ("Payer.payBySend", Impact.LOW),
    ],
)
def test_the_impact_follows_the_interaction(function, impact):
    assert flagged("Severities")[function] == impact
