"""Contracts only solc 0.3 compiles (the DAO's era): the compiler look-alike gives the tools output they
read (contracts under their file, no standard-library sources, a source map), and Slither, which parses
nothing older than 0.4, is not verified on them rather than clean."""

import json
import subprocess
from pathlib import Path

import pytest

from verify import scan, scan_compilers
from verify.cli import main
from verify.toolchain.compiler import SOLC

DAO = Path(__file__).parents[1] / "fixtures" / "scan_old" / "AncientDao.sol"

pytestmark = pytest.mark.slow  # installs solc 0.3.6 from npm once (then cached)


def solc(*args, stdin=""):
    package = scan_compilers.install("0.3.6").package
    env = scan.scanners.Compiler("0.3.6", package).env()
    done = subprocess.run([str(SOLC), *args], input=stdin, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def test_the_contracts_of_a_0_3_file_are_its_own_and_only_it_is_a_source():
    combined = solc(str(DAO), "--combined-json", "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime")
    assert list(combined["contracts"]) == [f"{DAO}:AncientDao"]  # not ":AncientDao"
    assert combined["sourceList"] == [str(DAO)]  # not solc 0.3's standard library (owned, mortal, ...)
    assert combined["contracts"][f"{DAO}:AncientDao"]["srcmap-runtime"] == "-1:-1:-1"  # none: no source
    request = {
        "language": "Solidity",
        "sources": {str(DAO): {"content": DAO.read_text()}},
        "settings": {"outputSelection": {"*": {"*": ["evm.deployedBytecode", "evm.bytecode"], "": ["ast"]}}},
    }
    standard = solc("--standard-json", stdin=json.dumps(request))
    assert list(standard["sources"]) == [str(DAO)] and standard["sources"][str(DAO)]["id"] == 0  # a number
    runtime = standard["contracts"][str(DAO)]["AncientDao"]["evm"]["deployedBytecode"]
    assert runtime["object"] and runtime["sourceMap"] == "-1:-1:-1"


def test_slither_is_not_verified_below_0_4_and_the_file_goes_to_mythril_first(tmp_path):
    out = tmp_path / "scan.json"
    assert main(["scan", str(DAO), "--no-mythril", "--json", str(out)]) == 2
    result = json.loads(out.read_text())[str(DAO.resolve())]
    assert result["compiler"] == "0.3.6"
    for tool in ("slither", "fairwatt-cei"):  # Slither would analyse no contract and report nothing
        (only,) = result["tools"][tool]
        assert only["status"] == "not_verified" and "Slither parses no output of solc < 0.4" in only["title"]
    tasks, skips = scan.mythril_tasks(DAO, result, scan.compiler_for(DAO), question=True)
    assert [(t.contract, t.priority) for t in tasks] == [("AncientDao", 0)] and skips == []  # its bytecode calls
