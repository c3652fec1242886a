"""``fairwatt scan``: Slither, the CEI detector and Mythril on any Solidity file or folder.

Each file is compiled with a compiler its ``pragma solidity`` accepts: fairwatt's pinned solc when it
does, else the newest matching solc-js release, installed once from the npm registry into a cache
(old compilers run through the same native-solc look-alike).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from verify.checks.static import scanners
from verify.checks.static.checks import roots
from verify.findings import Finding
from verify.toolchain.compiler import CACHE, ROOT, ensure_compiler, solc_version

PRAGMA = re.compile(r"pragma\s+solidity\s+([^;]+);")
COMPILERS = CACHE.parent / "solc"
BROKEN = {"0.4.0"}
NPM_TIMEOUT = 600  # solc@0.4.0's soljson.js is an HTML error page
PENDING = "not scanned: the scan stopped before this file"


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
    if not cached.exists():
        COMPILERS.mkdir(parents=True, exist_ok=True)
        cached.write_text(_npm("view", "solc", "versions", "--json"))
    return [v for v in json.loads(cached.read_text()) if v not in BROKEN]


def newest(pragma: str, versions: list[str]) -> str:
    """The newest of ``versions`` satisfying ``pragma`` (npm's semver, as solc-js uses), or ``""``."""
    ensure_compiler()
    script = (
        "const s=require('semver');const [r,v]=JSON.parse(process.argv[1]);"
        "process.stdout.write(s.maxSatisfying(v,r)||'')"
    )
    done = subprocess.run(
        ["node", "-e", script, json.dumps([pragma, versions])], capture_output=True, text=True, cwd=ROOT
    )
    return done.stdout


def compiler_for(path: Path) -> scanners.Compiler:
    """The compiler to scan ``path`` with."""
    match = PRAGMA.search(path.read_text())
    pragma = match.group(1).strip() if match else "*"
    pinned = solc_version().split("+")[0]
    if newest(pragma, [pinned]) == pinned:
        return scanners.Compiler(pinned)
    version = newest(pragma, published_versions())
    if not version:
        raise ScanError(f"no published solc satisfies `pragma solidity {pragma}`")
    home = COMPILERS / version
    package = home / "node_modules" / "solc"
    if not (package / "soljson.js").exists():
        home.mkdir(parents=True, exist_ok=True)
        _npm("install", "--prefix", str(home), f"solc@{version}", "--no-audit", "--no-fund", "--loglevel=error")
    return scanners.Compiler(version, package)


def targets(paths: list[Path]) -> list[Path]:
    """The files to scan: each file named, and the root files of each folder. Raises :class:`ScanError`
    on a path that does not exist, a folder without Solidity, or a file that is not UTF-8 text."""
    out = []
    for path in paths:
        if not path.exists():
            raise ScanError(f"{path}: no such file or folder")
        found = sorted(path.rglob("*.sol")) if path.is_dir() else [path]
        if not found:
            raise ScanError(f"{path}: no .sol file in this folder")
        for file in found:
            try:
                file.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise ScanError(f"{file}: not UTF-8 text (byte {exc.start}); Solidity sources are UTF-8") from None
            except OSError as exc:
                raise ScanError(f"{file}: cannot be read ({exc.strerror})") from None
        out += roots(path) if path.is_dir() else [path.resolve()]
    return out


def _write(report: dict, out: Path) -> None:
    """``report`` as JSON at ``out``, replaced whole (an interruption never leaves half a file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(report, indent=2))
    partial.replace(out)


def scan(
    paths: list[Path],
    mythril: bool = True,
    mythril_timeout: int = 60,
    triage: Path | None = None,
    out: Path | None = None,
) -> dict:
    """Scan every file; the result per file and per tool, written to ``out`` after each file (a file
    not reached yet says so). Nothing is written beside the sources."""
    files = targets(paths)
    if triage is not None:
        try:
            scanners.load_triage(triage)
        except scanners.TriageError as exc:
            raise ScanError(str(exc)) from None
    report: dict[str, dict] = {str(path): {"error": PENDING} for path in files}
    for path in files:
        try:
            compiler = compiler_for(path)
        except ScanError as exc:
            report[str(path)] = {"error": str(exc)}
        else:
            slither, cei = scanners.slither(path, compiler, triage_file=triage)
            tools: dict[str, list[Finding]] = {"slither": slither, "fairwatt-cei": cei}
            if mythril:
                tools["mythril"] = scanners.mythril(path, compiler, execution_timeout=mythril_timeout)
            report[str(path)] = {
                "compiler": compiler.version,
                "tools": {tool: [f.to_json() for f in found] for tool, found in tools.items()},
            }
        if out is not None:
            _write(report, out)
    return report
