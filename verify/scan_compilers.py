"""The compiler ``fairwatt scan`` compiles a file with: fairwatt's pinned solc when the file's ``pragma
solidity`` accepts it, else the newest matching solc-js release, falling back to the newest release of
each older matching minor series when that one rejects the code (the outcome cached per source text).
Releases are installed once from the npm registry into a cache and run through the same native-solc
look-alike."""

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
from dataclasses import dataclass, replace
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


def _compile(path: Path, compiler: scanners.Compiler, timeout: float) -> tuple[list[str], str]:
    """``(deployable contracts, error)`` of ``path`` under ``compiler``, run as Slither runs it (a
    compiler that does not finish raises :class:`ScanError`: that is no reason to try an older one)."""
    command = [str(SOLC), str(path), "--combined-json", "abi,bin", *compiler.evm_args.split()]
    with tempfile.TemporaryDirectory(prefix="fairwatt-solc-") as work:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=compiler.env(), cwd=work, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise ScanError(f"solc {compiler.version} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        return [], done.stderr.strip() or f"solc {compiler.version} exited with {done.returncode}"
    contracts = json.loads(done.stdout).get("contracts", {})
    return sorted({name.rsplit(":", 1)[-1] for name, c in contracts.items() if c.get("bin")}), ""


@dataclass(frozen=True)
class Choice:
    """The compiler chosen for a file, and what it compiled."""

    compiler: scanners.Compiler
    contracts: tuple[str, ...]
    """The deployable contracts (with bytecode), the ones Mythril analyses."""
    tried: tuple[str, ...] = ()
    """Newer satisfying releases that rejected the code."""


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
    if cached.exists():
        known = json.loads(cached.read_text())
        compiler = replace(install(known["version"]), outputs=outputs)
        return Choice(compiler, tuple(known["contracts"]), tuple(known["tried"]))
    versions = candidates(pragma)
    if not versions:
        raise ScanError(f"no published solc satisfies `pragma solidity {pragma}`")
    errors: list[tuple[str, str]] = []
    for version in versions:
        compiler = replace(install(version), outputs=outputs)
        contracts, error = _compile(path, compiler, timeout)
        if not error:
            cached.parent.mkdir(parents=True, exist_ok=True)
            record = {"version": version, "contracts": contracts, "tried": [v for v, _ in errors]}
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_text(json.dumps(record))
            partial.replace(cached)
            return Choice(compiler, tuple(contracts), tuple(v for v, _ in errors))
        errors.append((version, error))
    tried = ", ".join(v for v, _ in errors)
    raise ScanError(f"no satisfying compiler compiles it (tried {tried}); {tried.split(',')[0]}: {errors[0][1][:400]}")
