"""`fairwatt scan` compiles each file once: `solc.js` answers `--version` without loading a compiler, keeps
a compile asking for no more than Slither's outputs where the scan tells it (`FAIRWATT_SOLC_OUTPUTS`) and
serves it again until a file it imported changes. The compiler is a counting twin of the pinned one: its
`soljson.js` notes each load in a file, then is the pinned one."""

import json
import subprocess
from pathlib import Path

import pytest

from verify import scan, scan_compilers
from verify.checks.static import scanners
from verify.toolchain.compiler import ROOT, SOLC

SLITHER_OUTPUTS = "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes"
MAIN = (
    'pragma solidity ^0.8.0;\nimport "./Lib.sol";\n'
    "contract Bank { function f() public pure returns (uint) { return Lib.one(); } }\n"
)
LIB = "pragma solidity ^0.8.0;\nlibrary Lib { function one() internal pure returns (uint) { return 1; } }\n"


@pytest.fixture
def counting(tmp_path, monkeypatch):
    """A compiler package whose every load is a line of ``loads``; V8's cache in a folder of the test's."""
    package, loads = tmp_path / "counting-solc", tmp_path / "loads"
    package.mkdir()
    pinned = ROOT / "node_modules" / "solc" / "soljson.js"
    package.joinpath("soljson.js").write_text(
        f'require("fs").appendFileSync({json.dumps(str(loads))}, "load\\n");\n'
        f"module.exports = require({json.dumps(str(pinned))});\n"
    )
    monkeypatch.setenv("FAIRWATT_SOLC_V8_CACHE", str(tmp_path / "v8"))
    monkeypatch.delenv("FAIRWATT_SOLC_OUTPUTS", raising=False)
    return package, lambda: len(loads.read_text().splitlines()) if loads.exists() else 0


def solc(package: Path, *args: str, outputs: Path | None = None) -> subprocess.CompletedProcess:
    env = scanners.Compiler("0.8.37", package, outputs).env()
    return subprocess.run([str(SOLC), *args], capture_output=True, text=True, env=env, timeout=120)


def test_version_is_answered_without_loading_the_compiler(counting, tmp_path):
    package, loads = counting
    first = solc(package, "--version")
    assert first.returncode == 0 and "Version: 0.8.37+commit." in first.stdout and loads() == 1
    again = solc(package, "--version")
    assert again.stdout == first.stdout and loads() == 1
    for kept in (tmp_path / "v8").glob("*.version"):
        kept.unlink()
    assert solc(package, "--version").stdout == first.stdout and loads() == 2  # the count sees a load


def test_a_kept_compile_is_served_again_until_an_import_changes(counting, tmp_path):
    package, loads = counting
    (tmp_path / "src").mkdir()
    main, lib = tmp_path / "src" / "Bank.sol", tmp_path / "src" / "Lib.sol"
    main.write_text(MAIN)
    lib.write_text(LIB)
    outputs = tmp_path / "outputs"
    plain = solc(package, str(main), "--combined-json", SLITHER_OUTPUTS)
    assert plain.returncode == 0 and loads() == 1
    chosen = solc(package, str(main), "--combined-json", "abi,bin", outputs=outputs)  # the compiler's choice
    assert loads() == 2 and len(list(outputs.iterdir())) == 1
    assert json.loads(chosen.stdout)["contracts"][f"{main}:Bank"]["bin"]
    served = solc(package, str(main), "--combined-json", SLITHER_OUTPUTS, outputs=outputs)  # Slither's
    assert loads() == 2 and served.stdout == plain.stdout
    lib.write_text(LIB.replace("return 1;", "return 2;"))
    redone = solc(package, str(main), "--combined-json", SLITHER_OUTPUTS, outputs=outputs)
    assert loads() == 3 and redone.returncode == 0 and redone.stdout != plain.stdout
    wider = solc(package, str(main), "--combined-json", "abi,metadata", outputs=outputs)  # more than Slither's
    assert loads() == 4 and "metadata" in json.loads(wider.stdout)["contracts"][f"{main}:Bank"]


def test_a_failed_compile_is_not_kept(counting, tmp_path):
    package, loads = counting
    broken, outputs = tmp_path / "Broken.sol", tmp_path / "outputs"
    broken.write_text("pragma solidity ^0.8.0;\ncontract Broken { function f() public { nope(); } }\n")
    for _ in range(2):
        done = solc(package, str(broken), "--combined-json", "abi,bin", outputs=outputs)
        assert done.returncode == 1 and "Undeclared identifier" in done.stderr
    assert loads() == 2 and not list(outputs.glob("*.json"))


@pytest.mark.slow
def test_the_scan_compiles_a_file_once_for_its_compiler_and_slither(counting, tmp_path, monkeypatch, fixtures):
    package, loads = counting
    monkeypatch.setattr(scan_compilers, "CHOICES", tmp_path / "choices")
    monkeypatch.setattr(scan_compilers, "install", lambda version: scanners.Compiler(version, package))
    report = scan.scan([fixtures / "scan" / "SafeBank.sol"], mythril=False, jobs=1)
    (result,) = report.values()
    assert result["compiler"] == "0.8.37" and len(list((tmp_path / "choices").glob("*.json"))) == 1
    assert [f["status"] for f in result["tools"]["slither"] if f["title"].endswith("analysed")] == ["passed"]
    assert loads() == 1  # one compile: Slither's `--version` and compile loaded no compiler
