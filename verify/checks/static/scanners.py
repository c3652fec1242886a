"""Running Slither and Mythril on one Solidity file, through fairwatt's compiler look-alike.

Both run as subprocesses with timeouts. Their results become :class:`Finding` objects keeping each
tool's own ids (Slither's check, Mythril's SWC). A crash, a timeout or a missing tool is a
``not_verified`` finding, never an empty result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from verify.findings import Finding, Impact, Status
from verify.toolchain.compiler import EVM_VERSION, OPTIMIZER_RUNS, ROOT, SOLC
from verify.toolchain.tools import myth_executable

IMPACTS = {"High": Impact.HIGH, "Medium": Impact.MEDIUM, "Low": Impact.LOW}
TRIAGE = ROOT / "contracts" / "slither-triage.toml"
CEI = "fairwatt-cei"


@dataclass(frozen=True)
class Compiler:
    """The compiler a file is scanned with: fairwatt's, or an older solc-js package for its pragma."""

    version: str = ""
    package: Path | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ, SOLC=str(SOLC))
        if self.package is not None:
            env["FAIRWATT_SOLC_PACKAGE"] = str(self.package)
        return env

    @property
    def evm_args(self) -> str:
        return f"--evm-version {EVM_VERSION}" if self.package is None else ""


def _accepted(result: dict, triage: list[dict]) -> str:
    for entry in triage:
        if entry["check"] == result["check"] and entry["where"] in result["description"]:
            return entry["reason"]
    return ""


def slither(path: Path, compiler: Compiler = Compiler(), triage_file: Path | None = None, timeout: int = 300):
    """Slither on ``path``: ``(slither findings, fairwatt-cei findings)``."""
    triage = tomllib.loads(triage_file.read_text())["accepted"] if triage_file else []
    args = f"{compiler.evm_args} --optimize --optimize-runs {OPTIMIZER_RUNS}".strip()
    command = [
        sys.executable,
        "-m",
        "slither",
        str(path),
        "--solc",
        str(SOLC),
        "--solc-args",
        args,
        "--json",
        "-",
    ]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=compiler.env(), cwd=path.parent
        )
    except subprocess.TimeoutExpired:
        done = None
    data: dict
    try:
        data = json.loads(done.stdout or "{}") if done else {"error": f"timed out after {timeout} s"}
    except json.JSONDecodeError:
        data = {"error": (done.stderr if done else "") or "no output"}
    seconds = time.perf_counter() - start
    if not data.get("success"):
        broken = [_not_verified("slither", path, data.get("error") or "failed", seconds)]
        return broken, [_not_verified("cei", path, "Slither could not analyse the file", seconds)]
    found: dict[str, list[Finding]] = {"slither": [], "cei": []}
    for result in data.get("results", {}).get("detectors", []):
        tool = "cei" if result["check"] == CEI else "slither"
        impact = IMPACTS.get(result["impact"], Impact.INFORMATIONAL)
        reason = _accepted(result, triage)
        status = Status.ACCEPTED if reason else Status.VIOLATION
        element = result.get("first_markdown_element", "")
        found[tool].append(
            Finding(
                check=tool,
                title=f"{result['check']}: {result['description'].splitlines()[0]}",
                status=status,
                impact=impact,
                location=element,
                evidence=result["description"],
                recommendation=reason,
                seconds=seconds,
                data={"tool_check": result["check"], "confidence": result["confidence"], "file": str(path)},
            )
        )
    for tool in found:
        found[tool].append(_analysed(tool, path, seconds))
    return found["slither"], found["cei"]


def mythril(
    path: Path,
    compiler: Compiler = Compiler(),
    execution_timeout: int = 60,
    depth: int = 2,
    modules: list[str] | None = None,
    contract: str = "",
) -> list[Finding]:
    """Mythril on ``path`` in its own environment. A run its timeout cut short is ``not_verified``."""
    myth = myth_executable()
    if myth is None:
        return [_not_verified("mythril", path, "Mythril is not installed (tox env `mythril`; $FAIRWATT_MYTH)", 0)]
    settings: dict[str, object] = {"optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS}}
    if compiler.package is None:
        settings["evmVersion"] = EVM_VERSION
    settings_file = path.parent / f".{path.stem}.mythril-solc.json"
    settings_file.write_text(json.dumps(settings))
    target = f"{path.name}:{contract}" if contract else path.name
    command = [
        str(myth),
        "analyze",
        target,
        "--solc-json",
        settings_file.name,
        "-o",
        "jsonv2",
        "--execution-timeout",
        str(execution_timeout),
        "-t",
        str(depth),
    ]
    if modules:
        command += ["-m", ",".join(modules)]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=execution_timeout * 4 + 120,
            env=compiler.env(),
            cwd=path.parent,
        )
    except subprocess.TimeoutExpired:
        return [
            _not_verified(
                "mythril", path, "Mythril did not finish in its wall-clock limit", time.perf_counter() - start
            )
        ]
    finally:
        settings_file.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    try:
        report = json.loads(done.stdout)[0]
    except (json.JSONDecodeError, IndexError, KeyError):
        return [_not_verified("mythril", path, (done.stderr or done.stdout or "no output")[-1500:], seconds)]
    findings = []
    for issue in report.get("issues", []):
        swc = issue.get("swcID", "").removeprefix("SWC-")
        impact = IMPACTS.get(issue.get("severity", ""), Impact.INFORMATIONAL)
        findings.append(
            Finding(
                check="mythril",
                title=f"SWC-{swc}: {issue['description']['head']}",
                status=Status.VIOLATION,
                impact=impact,
                location=str(path),
                evidence=issue["description"]["tail"],
                swc=swc,
                seconds=seconds,
                data={"file": str(path)},
            )
        )
    duration = report.get("meta", {}).get("mythril_execution_info", {}).get("analysis_duration", 0) / 1e9
    if duration >= 0.95 * execution_timeout:
        findings.append(
            _not_verified("mythril", path, f"cut short by its {execution_timeout} s execution timeout", seconds)
        )
    else:
        findings.append(_analysed("mythril", path, seconds))
    return findings


def _analysed(tool: str, path: Path, seconds: float) -> Finding:
    """The tool ran to completion on ``path`` (its findings, if any, are separate)."""
    return Finding(
        check=tool,
        title=f"{path.name} analysed",
        status=Status.PASSED,
        impact=Impact.INFORMATIONAL,
        location=str(path),
        seconds=seconds,
        data={"file": str(path)},
    )


def _not_verified(tool: str, path: Path, why: str, seconds: float) -> Finding:
    return Finding(
        check=tool,
        title=f"{path.name} not verified: {why.strip().splitlines()[-1][:200]}",
        status=Status.NOT_VERIFIED,
        impact=Impact.HIGH,
        location=str(path),
        evidence=why,
        seconds=seconds,
        data={"file": str(path)},
    )
