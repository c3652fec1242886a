"""The foundation: one pinned compiler behind a native-solc look-alike, used by every tool."""

import json
import subprocess

import pytest
import solcx
from slither import Slither

from verify.cli import main
from verify.toolchain.chain import Chain
from verify.toolchain.compiler import EVM_VERSION, SOLC, CompileError, compile_sources, compile_tree
from verify.toolchain.tools import myth_executable

CANCUN_OPCODES = {0x5C: "TLOAD", 0x5D: "TSTORE", 0x5E: "MCOPY"}


def test_shim_looks_like_native_solc_to_py_solc_x():
    version = solcx.wrapper.get_solc_version(SOLC, with_commit_hash=True)
    assert str(version).startswith("0.8.37+commit.f401782d")


def test_compiles_through_py_solc_x(fixtures):
    out = solcx.compile_files(
        [fixtures / "scan" / "SafeBank.sol"],
        output_values=["abi", "bin-runtime"],
        solc_binary=SOLC,
        evm_version=EVM_VERSION,
    )
    (key,) = out
    assert key.endswith("SafeBank.sol:SafeBank")
    assert {e["name"] for e in out[key]["abi"] if e["type"] == "function"} == {
        "balanceOf",
        "deposit",
        "withdraw",
    }
    assert len(out[key]["bin-runtime"]) > 100


def test_slither_analyses_through_the_shim(fixtures):
    from slither.detectors.reentrancy.reentrancy_eth import ReentrancyEth

    def reentrancy(path):
        s = Slither(str(path), solc=str(SOLC), solc_args=f"--evm-version {EVM_VERSION}")
        s.register_detector(ReentrancyEth)
        return [r["check"] for d in s.run_detectors() for r in d]

    assert reentrancy(fixtures / "scan" / "ReentrancyBank.sol") == ["reentrancy-eth"]
    assert reentrancy(fixtures / "scan" / "SafeBank.sol") == []


def test_bytecode_deploys_and_runs_on_eth_tester(good_artifacts):
    chain = Chain(accounts=3)
    bank = chain.deploy(good_artifacts["SafeBank"]).value
    alice = chain.accounts[1]
    deposit = chain.transact(bank.functions.deposit(), sender=alice, value=10**18)
    assert deposit.events == [("Deposited", {"account": alice, "amount": 10**18})]
    assert chain.call(bank.functions.balanceOf(alice)) == 10**18
    before = chain.balance(alice)
    assert chain.transact(bank.functions.withdraw(), sender=alice).ok
    assert chain.balance(alice) > before
    again = chain.transact(bank.functions.withdraw(), sender=alice)
    assert (again.ok, again.error) == (False, "NothingToWithdraw")


def test_reverted_transaction_changes_nothing(good_artifacts):
    chain = Chain(accounts=3)
    bank = chain.deploy(good_artifacts["SafeBank"]).value
    block = chain.w3.eth.block_number
    assert chain.transact(bank.functions.withdraw(), sender=chain.accounts[2]).error == "NothingToWithdraw"
    assert chain.w3.eth.block_number == block


def test_snapshot_and_time_travel(good_artifacts):
    chain = Chain(accounts=2)
    bank = chain.deploy(good_artifacts["SafeBank"]).value
    snap = chain.snapshot()
    chain.transact(bank.functions.deposit(), value=5)
    chain.time_travel(chain.now() + 86_400)
    chain.revert(snap)
    assert chain.call(bank.functions.balanceOf(chain.accounts[0])) == 0


def test_compiler_error_is_reported_as_file_and_line(fixtures):
    with pytest.raises(CompileError) as err:
        compile_tree(fixtures / "uncompilable")
    assert err.value.messages == ["Broken.sol:6: DeclarationError: Undeclared identifier."]


def test_warnings_are_errors_for_our_contracts():
    source = "pragma solidity ^0.8.20;\ncontract W { function f(uint256 x) external pure {} }"
    with pytest.raises(CompileError) as err:
        compile_sources({"W.sol": source})
    assert any(m.startswith("W.sol:") and "Warning" in m for m in err.value.messages)


def test_cli_compile(fixtures, capsys):
    assert main(["compile"]) == 0  # contracts/, as a new user runs it
    assert "FairwattMarket.sol:FairwattMarket" in capsys.readouterr().out
    assert main(["compile", str(fixtures / "uncompilable")]) == 1
    assert "Broken.sol:6: DeclarationError" in capsys.readouterr().err


def _opcodes(runtime_hex: str) -> set[int]:
    """Opcodes of the code section (PUSH data and the CBOR metadata trailer skipped)."""
    code = bytes.fromhex(runtime_hex)
    code = code[: len(code) - 2 - int.from_bytes(code[-2:], "big")]
    seen, i = set(), 0
    while i < len(code):
        op = code[i]
        seen.add(op)
        i += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    return seen


def _mythril_opcodes() -> dict[int, str]:
    myth = myth_executable()
    assert myth is not None, "Mythril environment missing: run the tests through tox (make test)"
    program = (
        "import json; from mythril.support.opcodes import OPCODES as O; "
        "print(json.dumps({v['address']: k for k, v in O.items()}))"
    )
    out = subprocess.run([str(myth.with_name("python")), "-c", program], capture_output=True, text=True, check=True)
    return {int(a): name for a, name in json.loads(out.stdout).items()}


COPYING = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Copy {
    function f(bytes memory x) external pure returns (bytes memory) { return abi.encodePacked(x, x); }
}"""


def test_evm_version_is_understood_by_mythril():
    """Why EVM_VERSION is shanghai: Mythril 0.24.8 reads Cancun's 0x5c-0x5e as the withdrawn
    BEGINSUB/RETURNSUB/JUMPSUB, and solc emits MCOPY (0x5e) for cancun code."""
    mythril = _mythril_opcodes()
    ours = _opcodes(compile_sources({"Copy.sol": COPYING})["Copy"].runtime)
    assert ours <= set(mythril), f"opcodes Mythril lacks: {sorted(hex(o) for o in ours - set(mythril))}"
    assert not ours & set(CANCUN_OPCODES)
    cancun = _opcodes(compile_sources({"Copy.sol": COPYING}, evm_version="cancun")["Copy"].runtime)
    assert 0x5E in cancun
    assert all(mythril.get(op) != name for op, name in CANCUN_OPCODES.items())
