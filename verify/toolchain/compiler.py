"""The one Solidity compiler of fairwatt: pinned solc-js behind a native-``solc`` look-alike.

Every consumer (this module, py-solc-x, Slither, Mythril) runs :data:`SOLC`, the
Node program ``solc.js`` beside this file, which drives the solc-js package
pinned in the repository's ``package.json``. Nothing downloads a compiler.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import solcx
from solcx.exceptions import SolcError

ROOT = Path(__file__).resolve().parents[2]
"""The repository root (fairwatt is installed in editable mode)."""

SOLC = Path(__file__).with_name("solc.js")
"""The native-``solc`` look-alike executable every tool is pointed at."""

CONTRACTS = ROOT / "contracts"
CACHE = ROOT / ".fairwatt-cache" / "compile"

EVM_VERSION = "shanghai"
"""The one target EVM, accepted by eth-tester's chain, Slither and Mythril alike.

Chosen by test (``tests/verify/test_toolchain.py``): Mythril 0.24.8 reads Cancun's
opcodes 0x5c-0x5e (TLOAD, TSTORE, MCOPY) as the withdrawn BEGINSUB/RETURNSUB/JUMPSUB,
and solc 0.8.37 emits MCOPY for ``cancun`` code. eth-tester's Prague VM runs shanghai
code unchanged."""

OPTIMIZER_RUNS = 10_000

OUTPUTS = [
    "abi",
    "evm.bytecode.object",
    "evm.deployedBytecode.object",
    "evm.bytecode.sourceMap",
    "evm.deployedBytecode.sourceMap",
    "evm.methodIdentifiers",
    "storageLayout",
]


class CompileError(Exception):
    """The compiler rejected the sources; ``messages`` are ``file:line: message`` lines."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Artifact:
    """One compiled contract."""

    name: str
    """The contract's name."""
    source: str
    """The source unit (path relative to the compile root) that defines it."""
    abi: list
    """The ABI as JSON objects."""
    bytecode: str
    """Creation bytecode, hex without 0x."""
    runtime: str
    """Deployed bytecode, hex without 0x."""
    storage_layout: dict = field(default_factory=dict, compare=False, repr=False)
    """solc's ``storageLayout``: each state variable's slot and offset (``storage``), and its ``types``."""


def ensure_compiler() -> Path:
    """Return :data:`SOLC`, installing the pinned solc-js from the npm registry if absent."""
    if not (ROOT / "node_modules" / "solc" / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise CompileError(["fairwatt: npm is needed to install the pinned solc-js compiler"])
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True, timeout=600)
    return SOLC


@cache
def solc_version() -> str:
    """The full version string of the pinned compiler (asked once per process: a Node start costs ~0.5 s)."""
    out = subprocess.run([str(ensure_compiler()), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1].removeprefix("Version: ")


def standard_input(sources: dict[str, str], evm_version: str = EVM_VERSION) -> dict:
    """The standard-JSON input that compiles ``sources`` (unit name -> text) with our settings."""
    return {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sorted(sources.items())},
        "settings": {
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "evmVersion": evm_version,
            "outputSelection": {"*": {"*": OUTPUTS}},
        },
    }


def _format_error(error: dict, sources: dict[str, str]) -> str:
    """One compiler message as ``file:line: Type: message``."""
    loc = error.get("sourceLocation")
    message = f"{error.get('type', 'Error')}: {error['message']}"
    if not loc:
        return message
    text = sources.get(loc["file"], "")
    line = text.count("\n", 0, max(loc.get("start", 0), 0)) + 1
    return f"{loc['file']}:{line}: {message}"


def _solcx(data: dict, sources: dict[str, str]) -> dict:
    """One standard-JSON compilation by a fresh look-alike process."""
    try:
        return solcx.compile_standard(data, solc_binary=ensure_compiler(), allow_empty=True)
    except SolcError as exc:
        problems = [_format_error(e, sources) for e in json.loads(exc.stdout_data or "{}").get("errors", [])]
        raise CompileError(problems or [str(exc)]) from None


def compile_sources(
    sources: dict[str, str], evm_version: str = EVM_VERSION, runner: Callable[[dict, dict], dict] = _solcx
) -> dict[str, Artifact]:
    """Compile ``sources`` in one compiler call (by ``runner``, from standard JSON to standard JSON);
    cached on disk by content hash.

    Raises :class:`CompileError` with ``file:line: message`` lines on any error
    or warning: fairwatt's contracts must compile cleanly.
    """
    data = standard_input(sources, evm_version)
    key = hashlib.sha256(json.dumps([data, solc_version()], sort_keys=True).encode()).hexdigest()
    cached = CACHE / f"{key}.json"
    if cached.exists():
        output = json.loads(cached.read_text())
    else:
        output = runner(data, sources)
        problems = [_format_error(e, sources) for e in output.get("errors", []) if e["severity"] != "info"]
        if problems:
            raise CompileError(problems)
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(output))
        tmp.replace(cached)
    return artifacts_of(output)


def artifacts_of(output: dict) -> dict[str, Artifact]:
    """The contracts of a standard-JSON output."""
    artifacts = {}
    for source, contracts in output.get("contracts", {}).items():
        for name, c in contracts.items():
            artifacts[name] = Artifact(
                name=name,
                source=source,
                abi=c["abi"],
                bytecode=c["evm"]["bytecode"]["object"],
                runtime=c["evm"]["deployedBytecode"]["object"],
                storage_layout=c.get("storageLayout", {}),
            )
    return artifacts


def read_tree(root: Path) -> dict[str, str]:
    """Every ``.sol`` file below ``root``, keyed by its path relative to ``root``."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.sol"))}


def compile_tree(root: Path = CONTRACTS, evm_version: str = EVM_VERSION) -> dict[str, Artifact]:
    """Compile every contract below ``root`` (default ``contracts/``) in one call."""
    return compile_sources(read_tree(root), evm_version)
