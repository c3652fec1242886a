"""Mutation testing: generated and semantic mutants, compiled in one resident compiler, killed on pyrevm."""

import json

import pytest

from verify import mutation
from verify.cli import main


@pytest.mark.slow
def test_slither_mutate_operators_generate_hundreds_of_mutants_that_apply():
    mutants, failures = mutation.generate()
    assert len(mutants) > 500 and {"ROR", "AOR", "RR", "CR"} <= {m.operator for m in mutants}
    base = mutation._sources(mutation.CONTRACTS)
    for m in mutants[::50]:
        assert mutation.mutated_text(m, base[m.file]) != base[m.file]
    assert all(" " in f for f in failures)  # each failing operator is named with its error


@pytest.mark.slow
def test_a_killed_a_surviving_and_an_equivalent_mutant_with_the_gate(tmp_path, capsys):
    out = tmp_path / "mutation.json"
    ids = ["first-price", "no-payment-check", "k1-for-k2"]
    argv = ["mutate", "--no-generated", "--only", *ids, "--examples", "1", "--steps", "5", "--json", str(out)]
    assert main([*argv, "--min-score", "0.9"]) == 1
    data = json.loads(out.read_text())
    verdicts = {r["id"]: r for r in data["results"]}
    assert verdicts["first-price"]["killed"] and verdicts["first-price"]["killer"] == "vectors"
    assert [s["id"] for s in data["survived"]] == ["no-payment-check"] and "-" in data["survived"][0]["diff"]
    assert [e["id"] for e in data["equivalent"]] == ["k1-for-k2"] and data["equivalent"][0]["reason"]
    assert data["score"] == 0.5 and data["compiled_non_equivalent"] == 2
    assert main([*argv, "--min-score", "0.5"]) == 0
    assert "below 90.0%" in capsys.readouterr().err
