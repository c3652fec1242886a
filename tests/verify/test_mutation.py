"""Mutation testing: generated and semantic mutants, built per file in a resident compiler, routed to the
killers that deploy what they change, on pyrevm; equivalents only with a reason."""

import json

import pytest

from verify import mutation
from verify.cli import main
from verify.mutation import runner
from verify.mutation.build import importers
from verify.mutation.mutants import generate_file
from verify.toolchain.compiler import CONTRACTS


def test_a_file_changes_the_code_of_itself_and_of_every_file_importing_it():
    users = importers(mutation.sources_of(CONTRACTS))
    assert users["FixedPoint.sol"] >= {"FixedPoint.sol", "Reputation.sol", "UserRegistry.sol", "FairwattMarket.sol"}
    assert "BilateralMarket.sol" not in users["FixedPoint.sol"]
    assert users["EnergyAccounts.sol"] >= {"EnergyAccounts.sol", "BilateralMarket.sol"}
    assert "FairwattMarket.sol" not in users["EnergyAccounts.sol"]


@pytest.mark.slow
def test_slither_mutate_operators_generate_mutants_that_apply_with_stable_keys():
    mutants, failures = generate_file((CONTRACTS, "FixedPoint.sol"))
    assert len(mutants) > 30 and {"AOR", "ROR"} <= {m.operator for m in mutants}
    text = mutation.sources_of(CONTRACTS)["FixedPoint.sol"]
    for m in mutants:
        assert mutation.mutated_text(m, text) != text or m.original == m.mutated
    keys = {m.key(text) for m in mutants}  # file:line:operator:digest of the texts, the same every run
    assert len(keys) == len({(m.start, m.original, m.mutated) for m in mutants})
    file, line, operator, _ = mutants[0].key(text).split(":")
    assert (file, operator) == ("FixedPoint.sol", mutants[0].operator)
    assert mutants[0].original in text.splitlines()[int(line) - 1]
    assert all(" " in f for f in failures)  # each failing operator is named with its error


def test_an_equivalent_needs_a_reason(tmp_path, monkeypatch):
    assert all(reason.strip() for reason in mutation.reviewed().values())  # the committed list has every reason
    listed = tmp_path / "equivalents.toml"
    listed.write_text('["X.sol:1:ROR:abc"]\nreason = "  "\n')
    monkeypatch.setattr(runner, "EQUIVALENTS", listed)
    with pytest.raises(ValueError, match="no reason given for X.sol:1:ROR:abc"):
        runner.reviewed()


@pytest.mark.slow
def test_killed_surviving_equivalent_and_routed_mutants_with_the_gate(tmp_path, capsys, monkeypatch):
    out = tmp_path / "mutation.json"
    ids = ["first-price", "no-payment-check", "k1-for-k2", "transfer-overdraws", "second-not-updated"]
    argv = ["mutate", "--no-generated", "--only", *ids, "--examples", "1", "--steps", "5", "--json", str(out)]
    argv += ["--killers", "vectors", "trade-vectors"]  # the campaign would kill no-payment-check
    listed = tmp_path / "equivalents.toml"
    second = next(m for m in mutation.MUTANTS if m.id == "second-not-updated")
    key = second.key(mutation.sources_of(CONTRACTS)[second.file])
    listed.write_text(f'["{key}"]\nreason = "reviewed: a stand-in reason for this test"\n')
    monkeypatch.setattr(runner, "EQUIVALENTS", listed)
    assert main([*argv, "--min-score", "0.9"]) == 1
    assert "below 90.0%" in capsys.readouterr().err
    data = json.loads(out.read_text())
    verdicts = {r["id"]: r for r in data["results"]}
    assert verdicts["first-price"]["killed"] and verdicts["first-price"]["killer"] == "vectors"
    # an energy-accounts mutant goes to the trade killers only: the auction's vectors never deploy it
    assert verdicts["transfer-overdraws"]["killer"] == "trade-vectors"
    assert [s["id"] for s in data["survived"]] == ["no-payment-check"] and "-" in data["survived"][0]["diff"]
    equivalent = {e["id"]: e for e in data["equivalent"]}
    assert equivalent["k1-for-k2"]["by"] == "optimized bytecode"  # k1 = k2: the same code once optimized
    assert equivalent["second-not-updated"]["by"] == "review" and equivalent[second.id]["key"] == key
    assert data["score"] == round(2 / 3, 4) and data["mutants"] == 3
    assert main([*argv, "--min-score", "0.6"]) == 0
    assert main([*argv, "--killers", "no-such-killer"]) == 2
