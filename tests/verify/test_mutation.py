"""Mutation testing: generated and semantic mutants, built per file in a resident compiler, routed to the
killers that deploy what they change, on pyrevm; equivalents only with a reason."""

import json

import pytest

from verify import mutation
from verify.cli import main
from verify.mutation import runner
from verify.mutation.build import importers
from verify.mutation.mutants import Mutant, digest, generate_file
from verify.toolchain.compiler import CONTRACTS, read_tree


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
    keys = {m.key(text) for m in mutants}  # file:operator:digest:k of the texts, the same every run
    assert len(keys) == len({(m.start, m.original, m.mutated) for m in mutants})
    file, operator, _, _ = mutants[0].key(text).split(":")
    assert (file, operator) == ("FixedPoint.sol", mutants[0].operator)
    assert mutants[0].original in text.splitlines()[mutants[0].line(text) - 1]
    assert all(" " in f for f in failures)  # each failing operator is named with its error


def test_an_equivalent_needs_a_reason_and_a_key_of_the_current_form(tmp_path, monkeypatch):
    assert all(reason.strip() for reason in mutation.reviewed().values())  # the committed list has every reason
    listed = tmp_path / "equivalents.toml"
    monkeypatch.setattr(runner, "EQUIVALENTS", listed)
    listed.write_text('["X.sol:ROR:0123456789:0"]\noriginal = "a"\nmutated = "b"\nreason = "  "\n')
    with pytest.raises(ValueError, match="no reason given for X.sol:ROR:0123456789:0"):
        runner.reviewed()
    listed.write_text('["X.sol:ROR:0123456789:0"]\nreason = "r"\n')
    with pytest.raises(ValueError, match="no original, mutated given"):
        runner.reviewed()
    listed.write_text('["X.sol:12:ROR:0123456789"]\noriginal = "a"\nmutated = "b"\nreason = "r"\n')
    with pytest.raises(ValueError, match="not a mutant key file:operator:digest:k"):  # the old, line-bound form
        runner.reviewed()


def test_a_key_survives_edits_elsewhere_and_a_stale_entry_is_reported(tmp_path, monkeypatch):
    text = "uint a = x > 1;\nuint b = x > 1;\n"
    second = Mutant("m", "ROR", "A.sol", "x > 1", "x >= 1", start=text.rindex("x > 1"))
    key = second.key(text)
    assert key == f"A.sol:ROR:{digest('x > 1', 'x >= 1')}:1" and second.line(text) == 2  # the 2nd occurrence
    edited = "// a comment\n" + text.replace("uint a", "int256 a")  # lines and offsets move, the key stays
    moved = Mutant("m", "ROR", "A.sol", "x > 1", "x >= 1", start=len(edited.encode()) - len(b"x > 1;\n"))
    assert moved.key(edited) == key and moved.line(edited) == 3
    listed = tmp_path / "equivalents.toml"
    monkeypatch.setattr(runner, "EQUIVALENTS", listed)
    wrong = key.replace(key.split(":")[2], "0" * 10)
    body = 'original = "x > 1"\nmutated = "x >= 1"\nreason = "r"\n'
    listed.write_text(f'["{key}"]\n{body}["{wrong}"]\n{body}')
    assert runner.stale({"A.sol": edited}) == [wrong]  # its digest is not that of its texts
    assert runner.stale({"A.sol": edited}, seen={wrong}) == sorted([key, wrong])  # a full run did not make it
    assert runner.stale({"A.sol": edited.replace("uint b = x > 1", "uint b = x")}) == sorted([key, wrong])
    assert runner.stale({}) == sorted([key, wrong])  # the file is gone


@pytest.mark.slow
def test_killed_surviving_equivalent_and_routed_mutants_with_the_gate(tmp_path, capsys, monkeypatch):
    out = tmp_path / "mutation.json"
    ids = ["first-price", "withdraw-effects-after-call", "k1-for-k2", "transfer-overdraws", "second-not-updated"]
    argv = ["mutate", "--no-generated", "--only", *ids, "--examples", "1", "--steps", "5", "--json", str(out)]
    argv += ["--killers", "vectors", "trade-vectors"]  # only re-entry (campaign) and the CEI detector see the next
    listed = tmp_path / "equivalents.toml"
    second = next(m for m in mutation.MUTANTS if m.id == "second-not-updated")
    key = second.key(mutation.sources_of(CONTRACTS)[second.file])
    texts = f"original = {json.dumps(second.original)}\nmutated = {json.dumps(second.mutated)}\n"
    listed.write_text(f'["{key}"]\n{texts}reason = "reviewed: a stand-in reason for this test"\n')
    monkeypatch.setattr(runner, "EQUIVALENTS", listed)
    assert main([*argv, "--min-score", "0.9"]) == 1
    assert "below 90.0%" in capsys.readouterr().err
    data = json.loads(out.read_text())
    verdicts = {r["id"]: r for r in data["results"]}
    assert verdicts["first-price"]["killed"] and verdicts["first-price"]["killer"] == "vectors"
    # an energy-accounts mutant goes to the trade killers only: the auction's vectors never deploy it
    assert verdicts["transfer-overdraws"]["killer"] == "trade-vectors"
    survivor = data["survived"][0]
    assert [s["id"] for s in data["survived"]] == ["withdraw-effects-after-call"] and "-" in survivor["diff"]
    market = mutation.sources_of(CONTRACTS)["FairwattMarket.sol"].splitlines()
    assert market[survivor["line"] - 1].strip() == "_users[msg.sender].pending = 0;"  # where the mutation starts
    assert survivor["key"].startswith("FairwattMarket.sol:CEI reordering:")
    equivalent = {e["id"]: e for e in data["equivalent"]}
    assert equivalent["k1-for-k2"]["by"] == "optimized bytecode"  # k1 = k2: the same code once optimized
    assert equivalent["second-not-updated"]["by"] == "review" and equivalent[second.id]["key"] == key
    assert data["score"] == round(2 / 3, 4) and data["mutants"] == 3
    assert main([*argv, "--min-score", "0.6"]) == 0
    assert main([*argv, "--killers", "no-such-killer"]) == 2


KILLS = [  # a mutant of the market, the killer that must kill it (and no cheaper one), what it sees
    (  # a market that takes tx.origin for the seller: only a user whose account is a contract shows it
        "if (msg.sender != o.seller) revert NotSeller(msg.sender);",
        "if (tx.origin != o.seller) revert NotSeller(msg.sender);",
        "wallet-vectors",
        "expected success, got NotSeller",
    ),
    (  # the first leader displaces nobody, yet the zero address is credited a deposit
        "if (t.winner != address(0)) _credit(t.winner, t.deposit);",
        "_credit(t.winner, t.deposit);",
        "vectors",
        "users.0x0000000000000000000000000000000000000000.pending",
    ),
    ("o.price = uint128(price);", "o.price = uint64(price);", "vectors", "vector price_above_64_bits"),
]


@pytest.mark.slow
def test_the_edge_vectors_and_contract_wallets_kill_what_the_others_missed():
    from verify.differential.machine import artifacts_with_mocks
    from verify.mutation import killers
    from verify.mutation.build import Builder

    sources = mutation.sources_of(CONTRACTS)
    artifacts = artifacts_with_mocks(CONTRACTS)
    file = "FairwattMarket.sol"
    builder = Builder(sources, None)
    try:
        for original, mutated, expected, seen in KILLS:
            text = mutation.mutated_text(Mutant("m", "SBR", file, original, mutated), sources[file])
            changed = builder.build({**sources, file: text}, {file})
            target = killers.Target({**artifacts, **changed}, sources, "SBR", 1, 5)
            killer, evidence = killers.kill(target, {"FairwattMarket"}, ("vectors", "wallet-vectors"))
            assert (killer, seen in evidence) == (expected, True), evidence
        original_target = killers.Target(artifacts, sources, "SBR", 1, 5)
        assert killers.kill(original_target, {"FairwattMarket"}, ("vectors", "wallet-vectors")) == ("", "")
    finally:
        builder.close()


def test_every_reviewed_equivalent_still_names_a_mutant_of_the_contracts():
    """An edit that removes or changes an equivalent mutant's text leaves its entry stale: it must go."""
    assert runner.stale(read_tree(CONTRACTS)) == []
