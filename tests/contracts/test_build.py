"""The contracts compile without warnings, and their constants are spec/params.toml's (PAR-1)."""

import pytest

from verify.toolchain import params_sol
from verify.toolchain.compiler import CONTRACTS, compile_tree


def test_contracts_compile_without_warnings():
    artifacts = compile_tree(CONTRACTS)  # raises CompileError on any warning
    assert len(bytes.fromhex(artifacts["FairwattMarket"].runtime)) < 24_576  # EIP-170


@pytest.mark.clauses("PAR-1")
def test_params_sol_is_generated_from_the_spec_PAR_1():
    assert params_sol.TARGET.read_text() == params_sol.render(), "run python -m verify.toolchain.params_sol"
