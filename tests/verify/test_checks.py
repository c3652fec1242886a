"""The gas and Fig. 7 checks pass on the real rules and flag known-bad ones."""

from pathlib import Path

import pytest

from reference import reputation
from verify import gas
from verify.check import Context
from verify.checks.gas import GasCheck
from verify.checks.simulation import Fig7Check
from verify.findings import Status
from verify.toolchain.compiler import CONTRACTS, ROOT


def context(tmp_path: Path, **options) -> Context:
    return Context(root=ROOT, out=tmp_path, contracts=CONTRACTS, options=options)


@pytest.mark.clauses("SIM-1")
def test_fig7_passes_on_the_model_and_flags_a_penalty_that_never_escalates_SIM_1(tmp_path, monkeypatch):
    assert [f.status for f in Fig7Check().run(context(tmp_path))] == [Status.PASSED, Status.PASSED]
    monkeypatch.setattr(reputation, "penalty_coefficient", lambda frauds, cap: 1)
    flagged = Fig7Check().run(context(tmp_path / "bad"))
    assert flagged[0].status == Status.VIOLATION and "drop factors" in flagged[0].evidence


def test_gas_check_reports_each_target_both_ways(tmp_path, monkeypatch):
    monkeypatch.setattr(gas, "TARGETS", {"place_bid": 10**9, "open_per_bidder": 10**9, "per_bidder_end_to_end": 10**9})
    met = GasCheck().run(context(tmp_path, gas_bidders=(5, 10)))
    assert all(f.status == Status.PASSED for f in met) and len(met) == 5
    monkeypatch.setattr(gas, "TARGETS", {"place_bid": 1, "open_per_bidder": 1, "per_bidder_end_to_end": 1})
    missed = GasCheck().run(context(tmp_path / "bad", gas_bidders=(5, 10)))
    assert [f.status for f in missed[:3]] == [Status.VIOLATION] * 3
    assert (tmp_path / "artifacts" / "gas" / "gas.png").exists()
