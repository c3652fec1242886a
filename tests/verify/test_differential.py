"""The differential campaign: silent on the contracts, loud and replayable on a broken price rule."""

import json
import random
import shutil
import subprocess
import sys

import pytest

from reference import market as mk
from verify.cli import main
from verify.differential import campaign
from verify.differential.driver import Driver
from verify.differential.machine import Mismatch, machine
from verify.mutation import MUTANTS, apply
from verify.toolchain.compiler import CONTRACTS


@pytest.fixture(scope="module")
def first_price(tmp_path_factory):
    """contracts/ with the second-price rule replaced by the first price (AUC-7)."""
    root = tmp_path_factory.mktemp("mutant") / "contracts"
    shutil.copytree(CONTRACTS, root)
    apply(next(m for m in MUTANTS if m.id == "first-price"), root)
    return root


def test_diff_finds_no_difference_on_the_contracts(tmp_path, capsys):
    out = tmp_path / "diff.json"
    assert main(["diff", "--examples", "8", "--steps", "30", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["failures"] == [] and data["steps"] > 100 and data["steps_per_second"] > 0
    assert all(problems == [] for problems in data["vectors"].values()) and len(data["vectors"]) >= 9
    assert "no difference" in capsys.readouterr().out


@pytest.mark.clauses("AUC-7")
def test_a_broken_price_rule_fails_with_a_shrunk_replayable_counterexample_AUC_7(first_price, tmp_path):
    report = campaign.run(10, first_price, steps=30, replay_dir=tmp_path, shrinks=300)
    (failure,) = report.failures
    assert "AuctionSettled" in failure["error"] and "price" in failure["error"]
    assert failure["program"].startswith("state = DifferentialMachine()")
    assert len(failure["program"].splitlines()) <= 12  # shrunk
    replay = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", failure["replay"]],
        capture_output=True,
        text=True,
    )
    assert replay.returncode == 1 and "Mismatch" in replay.stdout


def test_conformance_run_flags_another_implementation(first_price, tmp_path, capsys):
    out = tmp_path / "diff.json"
    code = main(
        [
            "diff",
            "--contracts",
            str(first_price),
            "--examples",
            "2",
            "--json",
            str(out),
            "--replay-dir",
            str(tmp_path),
        ]
    )
    assert code == 1
    vectors = json.loads(out.read_text())["vectors"]
    assert vectors["happy_path_second_price"] and not vectors["rejections"]
    assert "VECTOR happy_path_second_price" in capsys.readouterr().out


def test_a_contract_that_does_not_compile_is_a_clear_error(fixtures, capsys):
    assert main(["diff", "--contracts", str(fixtures / "uncompilable"), "--examples", "1"]) == 2
    assert "Broken.sol:6: DeclarationError" in capsys.readouterr().err


@pytest.mark.clauses("QUO-5")
def test_the_driver_shrinks_an_invariant_failure_into_a_program_that_fails_again_QUO_5(monkeypatch):
    """The model alone, its quotes bound to nothing: the seeded driver finds the adversary changing a price,
    shrinks the run deterministically and prints a program that ends on the broken invariant."""
    monkeypatch.setattr(mk, "context", lambda market, order_id, bidder: 0)
    ModelMachine = machine(None)
    driver = Driver(ModelMachine)
    rng = random.Random(0)
    failure = next(f for _ in range(300) if (f := driver.run(rng, 30)) is not None)
    assert failure.invariant == "price_independence_QUO_5"
    shrunk = driver.shrink(failure, 100)
    assert shrunk.signature == failure.signature and len(shrunk.steps) < len(failure.steps)
    assert driver.shrink(failure, 100).steps == shrunk.steps  # no clock: the same program every time
    program = driver.program(shrunk)
    assert program.startswith("state = ModelMachine()\nstate.an_auction_under_way(")
    assert program.endswith("state.price_independence_QUO_5()\nstate.teardown()")
    with pytest.raises(Mismatch, match="the adversary's bids changed the outcome"):
        exec(program, {"ModelMachine": ModelMachine})
    monkeypatch.undo()
    exec(program, {"ModelMachine": ModelMachine})  # bound quotes: the same program passes


@pytest.mark.clauses("AUC-7")
def test_a_view_leaving_out_a_field_is_a_difference_though_its_bytes_match():
    """The byte path encodes the model into the view's own fields: a ``getOrder`` without ``winner`` would
    match byte for byte, so the fields the ABI leaves out are reported on their own."""
    from dataclasses import replace

    from verify.differential.observe import missing_fields, state_differences
    from verify.driver import MARKET, ContractMarket, Observed
    from verify.toolchain.compiler import compile_tree

    artifact = compile_tree(CONTRACTS)[MARKET]
    abi = json.loads(json.dumps(artifact.abi))
    entry = next(e for e in abi if e.get("name") == "getOrder")
    entry["outputs"][0]["components"] = [c for c in entry["outputs"][0]["components"] if c["name"] != "winner"]
    assert missing_fields(ContractMarket(None, artifact, "0x0")) == []  # type: ignore[arg-type]
    narrowed = ContractMarket(None, replace(artifact, abi=abi), "0x0")  # type: ignore[arg-type]
    expected = ["getOrder: the implementation has no field 'winner'"]
    assert missing_fields(narrowed) == expected
    assert state_differences(mk.Market(operator="0x0"), narrowed, [], Observed(0, (), (), ())) == expected
