"""halmos on the compiled contracts: every obligation proved on contracts/ and refuted on its known-bad twin."""

import shutil
from pathlib import Path

import pytest

from verify.check import Context
from verify.checks import bytecode
from verify.checks.bytecode import OBLIGATIONS, BytecodeProofs, Outcome, TwinError, load_twins, twin_sources, verdict
from verify.findings import Status
from verify.toolchain.compiler import CONTRACTS, ROOT


def context(tmp_path: Path, contracts: Path = CONTRACTS) -> Context:
    return Context(root=ROOT, out=tmp_path, contracts=contracts)


def test_every_obligation_names_a_twin_whose_mutation_applies_once():
    twins = load_twins()
    assert len(OBLIGATIONS) >= 6 and {o.twin for o in OBLIGATIONS} <= set(twins)
    for twin in twins.values():
        sources = twin_sources(twin, CONTRACTS)
        market = sources[f"FairwattMarket{twin.suffix}.sol"]
        assert f"contract FairwattMarket{twin.suffix} is" in market
        assert twin.new in sources[f"{Path(twin.file).stem}{twin.suffix}.sol"]
        assert (ROOT / "verify" / "bytecode" / f"{twin.harness}.t.sol").exists()


def test_a_twin_whose_mutation_no_longer_applies_is_an_error(tmp_path):
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    twin = load_twins()["twin-first-price"]
    market = tmp_path / "contracts" / "FairwattMarket.sol"
    market.write_text(market.read_text().replace(twin.old, "uint256 price = o.startPrice;"))
    with pytest.raises(TwinError, match="0 times"):
        twin_sources(twin, tmp_path / "contracts")


def test_halmos_verdicts_map_to_statuses():
    assert verdict({"exitcode": 0, "num_bounded_loops": 0}).status == Status.PROVED
    assert verdict({"exitcode": 0, "num_bounded_loops": 1}).status == Status.NOT_VERIFIED
    assert verdict({"exitcode": 1, "models": [{"model": {"p_x": "0x01"}}]}).status == Status.REFUTED
    for code in (2, 3, 4, 5, None):
        assert verdict({"exitcode": code}).status == Status.NOT_VERIFIED


def test_a_proof_whose_twin_survives_is_not_verified():
    o = OBLIGATIONS[0]
    found = BytecodeProofs()._finding(o, Outcome(Status.PROVED), Outcome(Status.PROVED), 1.0)
    assert found.status == Status.NOT_VERIFIED and "vacuous" in found.evidence
    assert found.data["level"] == "bytecode" and found.data["refuted_by"] == o.twin


def test_missing_halmos_is_not_verified(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRWATT_HALMOS", str(tmp_path / "absent"))
    monkeypatch.setattr(bytecode.shutil, "which", lambda name: None)
    found = BytecodeProofs().run(context(tmp_path))
    assert len(found) == len(OBLIGATIONS) and {f.status for f in found} == {Status.NOT_VERIFIED}


@pytest.mark.slow
def test_every_obligation_is_proved_on_the_contracts_and_refuted_on_its_twin(tmp_path):
    found = BytecodeProofs().run(context(tmp_path))
    by_id = {f.data["obligation"]: f for f in found}
    assert set(by_id) == {o.id for o in OBLIGATIONS}
    for obligation_id, f in by_id.items():
        assert f.data["proof_status"] == "proved", (obligation_id, f.evidence)
        assert f.data["variant_status"] == "refuted", (obligation_id, f.data["variant_counterexample"])
        assert f.status == Status.PROVED
