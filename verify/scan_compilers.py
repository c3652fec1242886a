"""The compiler ``fairwatt scan`` compiles a file with: fairwatt's pinned solc when the file's ``pragma
solidity`` accepts it, else the newest matching solc-js release, falling back to the newest release of
each older matching minor series when that one rejects the code (the outcome cached per source text).
Releases are installed once from the npm registry into a cache and run through the same native-solc
look-alike. The compile also tells which contracts can make an external call at all (:func:`calls_out`)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from verify.checks.static import scanners
from verify.checks.static.checks import IMPORT
from verify.toolchain.compiler import CACHE, ROOT, SOLC, ensure_compiler, solc_version

PRAGMA = re.compile(r"pragma\s+solidity\s+([^;]+);")
COMPILERS = CACHE.parent / "solc"
CHOICES = COMPILERS / "choices"
"""Each file's chosen compiler, by source text (``benchmarks/scan.py`` points it elsewhere to scan cold)."""
BROKEN = {"0.4.0"}
NPM_TIMEOUT = 600  # solc@0.4.0's soljson.js is an HTML error page
COMPILE_TIMEOUT = 120
CALLS = {0xF0: "CREATE", 0xF1: "CALL", 0xF2: "CALLCODE", 0xF4: "DELEGATECALL", 0xF5: "CREATE2", 0xFA: "STATICCALL"}
"""The opcodes that run code of another account or new code. Without one, no other code runs while the
contract's does: nothing can re-enter it (Mythril's reentrancy modules hook CALL, CALLCODE, DELEGATECALL)."""
METADATA_KEYS = (b"ipfs", b"bzzr0", b"bzzr1", b"solc", b"experimental")
"""The first key of solc's CBOR metadata map, one of which opens the trailer it appends to the code."""
LINK = re.compile(r"__.{36}__")
"""A library's address not linked yet: 20 bytes of PUSH20 data."""
_INSTALLING: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


class ScanError(Exception):
    """A file cannot be scanned (no pragma a published compiler satisfies, npm unreachable), or the
    input is unusable (no such path, no Solidity, not UTF-8, a malformed triage file)."""


def _npm(*args: str, cwd: Path = ROOT) -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise ScanError("npm is needed to install compilers")
    try:
        done = subprocess.run([npm, *args], capture_output=True, text=True, cwd=cwd, timeout=NPM_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ScanError(f"npm {' '.join(args)}: no answer from the registry in {NPM_TIMEOUT} s") from None
    if done.returncode != 0:
        raise ScanError(f"npm {' '.join(args)}: {done.stderr.strip()[-300:]}")
    return done.stdout


def published_versions() -> list[str]:
    """Every solc-js release on the npm registry (cached for the session in .fairwatt-cache)."""
    cached = COMPILERS / "versions.json"
    with _GUARD:
        if not cached.exists():
            COMPILERS.mkdir(parents=True, exist_ok=True)
            cached.write_text(_npm("view", "solc", "versions", "--json"))
    return [v for v in json.loads(cached.read_text()) if v not in BROKEN]


def satisfying(pragma: str, versions: list[str]) -> list[str]:
    """The ``versions`` satisfying ``pragma`` (npm's semver, as solc-js uses), newest first."""
    ensure_compiler()
    script = (
        "const s=require('semver');const [r,v]=JSON.parse(process.argv[1]);"
        "process.stdout.write(JSON.stringify(v.filter(x=>s.satisfies(x,r)).sort(s.rcompare)))"
    )
    done = subprocess.run(
        ["node", "-e", script, json.dumps([pragma, versions])], capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(done.stdout or "[]")


def newest(pragma: str, versions: list[str]) -> str:
    """The newest of ``versions`` satisfying ``pragma``, or ``""``."""
    return next(iter(satisfying(pragma, versions)), "")


def semver_range(pragma: str) -> str:
    """``pragma``'s version range as npm's semver reads it: solc accepts ``^0.5.00``, semver only ``^0.5.0``."""
    return re.sub(r"(?<=\.)0+(?=\d)", "", pragma)


def candidates(pragma: str) -> list[str]:
    """The compilers to try for ``pragma``, in order: fairwatt's when it satisfies it, else the newest
    satisfying release; then the newest satisfying release of each older minor series (``0.8.x``
    rejects 0.5 code that ``>=0.5.11`` admits)."""
    pinned = solc_version().split("+")[0]
    out = [pinned] if newest(pragma, [pinned]) == pinned else []
    for version in satisfying(pragma, published_versions()):
        series = version.rsplit(".", 1)[0]
        if all(series != known.rsplit(".", 1)[0] for known in out):
            out.append(version)
    return out


def install(version: str) -> scanners.Compiler:
    """The solc-js ``version`` (fairwatt's own when pinned), installed once from the npm registry."""
    if version == solc_version().split("+")[0]:
        return scanners.Compiler(version)
    home = COMPILERS / version
    package = home / "node_modules" / "solc"
    with _GUARD:
        lock = _INSTALLING.setdefault(version, threading.Lock())
    home.mkdir(parents=True, exist_ok=True)
    with lock, open(home / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # other processes (scans, test workers) may install it at once
        if not (package / "soljson.js").exists():
            _npm("install", "--prefix", str(home), f"solc@{version}", "--no-audit", "--no-fund", "--loglevel=error")
    return scanners.Compiler(version, package)


def _code(hex_code: str) -> bytes:
    """The bytes of ``hex_code`` (unlinked library addresses as zeros) without solc's metadata trailer
    (a CBOR map whose length is in the last two bytes: its hash would read as opcodes)."""
    code = bytes.fromhex(LINK.sub("0" * 40, hex_code.removeprefix("0x")))
    length = int.from_bytes(code[-2:], "big")
    trailer = code[len(code) - 2 - length : -2]
    if 0 < length <= len(code) - 2 and 0xA1 <= trailer[0] <= 0xA5:
        if any(trailer[1:].startswith(bytes([0x60 + len(key)]) + key) for key in METADATA_KEYS):
            return code[: len(code) - 2 - length]
    return code


def calls_out(hex_code: str) -> list[str]:
    """The opcodes of :data:`CALLS` in ``hex_code``, read as the EVM reads it: one instruction after
    another from the first byte, PUSH data skipped (a jump lands only on a JUMPDEST found this way, so
    no executable CALL is missed; data after the code may add a false one, never hide a true one)."""
    code, found, at = _code(hex_code), set(), 0
    while at < len(code):
        op = code[at]
        found.add(CALLS.get(op, ""))
        at += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    return sorted(found - {""})


def _constructor(creation: str, runtime: str) -> str:
    """The part of ``creation`` before the runtime code it deploys (all of it when that is not found)."""
    at = creation.find(runtime) if runtime else -1
    while at > 0 and at % 2:
        at = creation.find(runtime, at + 1)
    return creation[:at] if at >= 0 else creation


def _compile(path: Path, compiler: scanners.Compiler, timeout: float) -> tuple[list[str], list[str], dict, str]:
    """``(deployable contracts, those whose constructor or runtime code can call out, the runtime code's
    bytes of each, error)`` of ``path``
    under ``compiler``, run as Slither runs it (a compiler that does not finish raises
    :class:`ScanError`: that is no reason to try an older one)."""
    command = [str(SOLC), str(path), "--combined-json", "abi,bin,bin-runtime", *compiler.evm_args.split()]
    with tempfile.TemporaryDirectory(prefix="fairwatt-solc-") as work:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=compiler.env(), cwd=work, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise ScanError(f"solc {compiler.version} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        return [], [], {}, done.stderr.strip() or f"solc {compiler.version} exited with {done.returncode}"
    contracts = {n: c for n, c in json.loads(done.stdout).get("contracts", {}).items() if c.get("bin")}
    callers = {  # a name compiled twice (two files) calls out when either does
        name.rsplit(":", 1)[-1]
        for name, c in contracts.items()
        if calls_out(c.get("bin-runtime", "")) or calls_out(_constructor(c["bin"], c.get("bin-runtime", "")))
    }
    sizes: dict[str, int] = {}
    for name, c in contracts.items():  # a name compiled twice: the larger
        short = name.rsplit(":", 1)[-1]
        sizes[short] = max(sizes.get(short, 0), len(c.get("bin-runtime", "")) // 2)
    return sorted(sizes), sorted(callers), sizes, ""


@dataclass(frozen=True)
class Choice:
    """The compiler chosen for a file, and what it compiled."""

    compiler: scanners.Compiler
    contracts: tuple[str, ...]
    """The deployable contracts (with bytecode), the ones Mythril analyses."""
    tried: tuple[str, ...] = ()
    """Newer satisfying releases that rejected the code."""
    callers: tuple[str, ...] | None = None
    """The contracts whose bytecode can make an external call (:func:`calls_out`); ``None``: not known."""
    sizes: dict[str, int] = field(default_factory=dict)
    """Bytes of each contract's runtime code (Mythril's work grows with it; empty: not known)."""


def _source_key(path: Path) -> str:
    """The content hash of ``path`` and the files it imports directly (the compile outcome's key)."""
    text = path.read_text()
    digest = hashlib.sha256(text.encode())
    for name in IMPORT.findall(text):
        imported = path.parent / name
        digest.update(imported.read_bytes() if imported.exists() else name.encode())
    return digest.hexdigest()[:32]


def compiler_for(path: Path, timeout: float = COMPILE_TIMEOUT, outputs: Path | None = None) -> Choice:
    """The compiler to scan ``path`` with: the first candidate that compiles it within ``timeout``
    seconds each (the outcome cached by source text). Raises :class:`ScanError` when none does.
    ``outputs``: the folder where the compiles are kept for Slither (:attr:`scanners.Compiler.outputs`)."""
    match = PRAGMA.search(path.read_text())
    pragma = semver_range(match.group(1).strip()) if match else "*"
    cached = CHOICES / f"{_source_key(path)}.json"
    known = json.loads(cached.read_text()) if cached.exists() else {}
    if "sizes" in known:  # a record of an older scan, without them, is compiled again
        compiler = replace(install(known["version"]), outputs=outputs)
        names, older, calling = (tuple(known[key]) for key in ("contracts", "tried", "callers"))
        return Choice(compiler, names, older, calling, known["sizes"])
    versions = candidates(pragma)
    if not versions:
        raise ScanError(f"no published solc satisfies `pragma solidity {pragma}`")
    errors: list[tuple[str, str]] = []
    for version in versions:
        compiler = replace(install(version), outputs=outputs)
        contracts, callers, sizes, error = _compile(path, compiler, timeout)
        if not error:
            cached.parent.mkdir(parents=True, exist_ok=True)
            rejected = [v for v, _ in errors]
            record = {"version": version, "contracts": contracts, "tried": rejected, "callers": callers, "sizes": sizes}
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_text(json.dumps(record))
            partial.replace(cached)
            return Choice(compiler, tuple(contracts), tuple(rejected), tuple(callers), sizes)
        errors.append((version, error))
    tried = ", ".join(v for v, _ in errors)
    raise ScanError(f"no satisfying compiler compiles it (tried {tried}); {tried.split(',')[0]}: {errors[0][1][:400]}")
