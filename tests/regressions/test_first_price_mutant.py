"""Pinned: the shrunk counterexample `fairwatt diff` found for the first-price mutant (AUC-7).

Against that mutant the program must fail; against contracts/ it must pass.
"""

import shutil

import pytest

from verify.differential.machine import Mismatch, artifacts_with_mocks, build_world, machine
from verify.mutation import MUTANTS, apply
from verify.toolchain.compiler import CONTRACTS


def program(DifferentialMachine):
    state = DifferentialMachine()
    state.an_auction_under_way(first=20000000000, second=9000000000)
    state.conservation_and_solvency_SET_6()
    state.reputations_in_bounds_REP_7()
    state.play(moves=[(0, 0), (0, 0), (0, 0), (0, 0), (0, 0)], pick=0)
    state.teardown()


@pytest.mark.clauses("AUC-7")
def test_first_price_mutant_is_caught_by_the_pinned_program(tmp_path):
    root = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, root)
    apply(next(m for m in MUTANTS if m.id == "first-price"), root)
    with pytest.raises(Mismatch, match="AuctionSettled"):
        program(machine(build_world(artifacts_with_mocks(root))))


def test_the_pinned_program_passes_on_the_contracts():
    program(machine(build_world(artifacts_with_mocks(CONTRACTS))))
