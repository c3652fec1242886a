"""The differential campaign: silent on the contracts, loud and replayable on a broken price rule."""

import json
import shutil
import subprocess
import sys

import pytest

from verify.cli import main
from verify.differential import campaign
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
