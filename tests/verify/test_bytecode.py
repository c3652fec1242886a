"""halmos on the compiled contracts: every obligation proved on contracts/ and refuted on its known-bad twin."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verify.check import Context
from verify.checks import bytecode
from verify.checks.bytecode import OBLIGATIONS, BytecodeProofs, Outcome, TwinError, load_twins, twin_sources, verdict
from verify.findings import Finding, Impact, Status
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


def test_an_invariant_whose_call_sequences_lost_paths_is_not_verified(tmp_path, monkeypatch):
    """halmos drops a stuck path of a call sequence with an ERROR line and still reports PASS: not a proof."""
    stdout = (
        "Running 1 tests for verify/bytecode/Solvency.t.sol:Solvency\n"
        "ERROR    depth=1: addr=0xaaaa0003: symbolic memory offset: +(0x5a0, p_count)\n"
        "[PASS] invariant_solvent() (paths: 32)\n"
        "Running 1 tests for verify/bytecode/Ban.t.sol:Ban\n[PASS] check_banned_cannot_post() (paths: 1)\n"
    )
    results = {
        "verify/bytecode/Solvency.t.sol:Solvency": [{"name": "invariant_solvent()", "exitcode": 0}],
        "verify/bytecode/Ban.t.sol:Ban": [{"name": "check_banned_cannot_post()", "exitcode": 0}],
    }

    def fake_halmos(command, **kwargs):
        report = Path(command[command.index("--json-output") + 1])
        report.write_text(json.dumps({"test_results": results}))
        assert command[command.index("--invariant-depth") + 1] == "2"
        return subprocess.CompletedProcess(command, 0, stdout, "")

    monkeypatch.setenv("FAIRWATT_HALMOS", sys.executable)
    monkeypatch.setattr(bytecode.subprocess, "run", fake_halmos)
    found = bytecode.run_halmos(["Solvency", "Ban"], depth=2)
    assert found[("Solvency", "invariant_solvent")].status == Status.NOT_VERIFIED
    assert "symbolic memory offset" in found[("Solvency", "invariant_solvent")].evidence
    assert found[("Ban", "check_banned_cannot_post")].status == Status.PROVED


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


def test_the_mythril_check_says_its_depth_and_what_the_bytecode_proofs_cover(tmp_path, monkeypatch):
    from verify.checks.static import checks, scanners

    calls = []

    def fake_mythril(path, execution_timeout, depth, contract):
        calls.append(depth)
        swc = Finding(check="mythril", title="SWC-107", status=Status.VIOLATION, impact=Impact.HIGH, swc="107")
        return [swc, scanners.not_verified("mythril", path, "cut short", 1.0)]

    monkeypatch.setattr(scanners, "mythril", fake_mythril)
    found = checks.MythrilCheck().run(context(tmp_path))
    assert calls and set(calls) == {checks.MYTHRIL_DEPTH}
    assert {f.evidence for f in found if f.swc} == {""}
    for f in found:
        if not f.swc:
            assert f"depth {checks.MYTHRIL_DEPTH}" in f.evidence and "stage `bytecode`" in f.evidence
    deeper = Context(root=ROOT, out=tmp_path, contracts=CONTRACTS, options={"mythril_depth": 2})
    found = checks.MythrilCheck().run(deeper)
    assert "transaction depth 2" in found[-1].evidence


def test_the_solvency_invariant_runs_apart_at_its_depth_only_when_asked(tmp_path, monkeypatch):
    runs = []

    def fake_run(names, timeout, depth=0):
        runs.append((tuple(names), depth))
        return {}

    monkeypatch.setattr(bytecode, "run_halmos", fake_run)
    assert len(BytecodeProofs().run(context(tmp_path))) == len(OBLIGATIONS) and len(runs) == 1
    assert runs[0][1] == 0 and "Solvency" not in runs[0][0]
    asked = Context(root=ROOT, out=tmp_path, contracts=CONTRACTS, options={"bytecode_invariants": True})
    found = BytecodeProofs().run(asked)
    assert runs[-1] == (("Solvency", "SolvencyTwinSellerPaidTwice"), bytecode.INVARIANT_DEPTH)
    assert [f.data["obligation"] for f in found][-2:] == ["bytecode-binding", "bytecode-solvency"]
    assert {f.status for f in found} == {Status.NOT_VERIFIED}
