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
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from verify.findings import Finding, Impact, Status
from verify.toolchain.compiler import EVM_VERSION, OPTIMIZER_RUNS, ROOT, SOLC
from verify.toolchain.tools import myth_executable

IMPACTS = {"High": Impact.HIGH, "Medium": Impact.MEDIUM, "Low": Impact.LOW}
TRIAGE = ROOT / "contracts" / "slither-triage.toml"
CONFIG = ROOT / "slither.config.json"
"""fairwatt's Slither configuration, passed explicitly (Slither runs in a temporary folder)."""
CEI = "fairwatt-cei"
SLITHER = [sys.executable, "-m", "slither"]
LAUNCHER = SOLC.with_name("mythril_offline.py")
"""Runs ``myth`` offline on ``$SOLC`` and records every contract (run by Mythril's own Python)."""
MARKER = "fairwatt-mythril-contracts: "
"""The launcher's record line on stderr (the same text as ``mythril_offline.MARKER``)."""
ERROR = {"error", "critical"}


@dataclass(frozen=True)
class Compiler:
    """The compiler a file is scanned with: fairwatt's, or an older solc-js package for its pragma."""

    version: str = ""
    package: Path | None = None
    outputs: Path | None = None
    """A folder where ``solc.js`` keeps the compiles asking for no more than Slither's outputs and serves
    them again (``FAIRWATT_SOLC_OUTPUTS``): the scan's compile choosing the compiler is Slither's."""

    def env(self) -> dict[str, str]:
        env = dict(os.environ, SOLC=str(SOLC))
        if self.package is not None:
            env["FAIRWATT_SOLC_PACKAGE"] = str(self.package)
        if self.outputs is not None:
            env["FAIRWATT_SOLC_OUTPUTS"] = str(self.outputs)
        return env

    @property
    def evm_args(self) -> str:
        return f"--evm-version {EVM_VERSION}" if self.package is None else ""


class TriageError(ValueError):
    """The triage file is malformed: an entry without a check, a reason or a non-empty ``where``."""


def load_triage(file: Path) -> list[dict]:
    """The accepted findings of ``file``. An empty ``where`` would accept every future finding of its
    check, so it is refused, as are entries without a check or a reason."""
    try:
        entries = tomllib.loads(file.read_text())["accepted"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise TriageError(f"{file}: cannot read the triage file ({exc})") from None
    for number, entry in enumerate(entries, 1):
        for key in ("check", "where", "reason"):
            if not str(entry.get(key, "")).strip():
                raise TriageError(
                    f"{file}: entry {number} ({entry.get('check', '?')}) has an empty `{key}`"
                    + (": it would accept every future finding of its check" if key == "where" else "")
                )
    return entries


def _accepted(result: dict, triage: list[dict]) -> str:
    for entry in triage:
        if entry["check"] == result["check"] and entry["where"] in result["description"]:
            return entry["reason"]
    return ""


def _cei_excluded(config: dict) -> str:
    """Why the Slither configuration keeps the CEI detector from running, or ``""``."""
    if CEI in str(config.get("detectors_to_exclude", "")).split(","):
        return f"{CEI} is in `detectors_to_exclude`"
    if config.get("exclude_high"):
        return "`exclude_high` excludes it"
    chosen = str(config.get("detectors_to_run", "all"))
    if chosen != "all" and CEI not in chosen.split(","):
        return f"`detectors_to_run` leaves {CEI} out"
    return ""


def slither(
    path: Path,
    compiler: Compiler = Compiler(),
    triage_file: Path | None = None,
    timeout: int = 300,
    config_file: Path | None = CONFIG,
):
    """Slither on ``path``: ``(slither findings, fairwatt-cei findings)``.

    Slither runs in a fresh temporary folder (nothing is written beside the sources, and no
    framework configuration above the sources changes the compiler's arguments), compiles without
    the optimizer (its analysis reads the AST; the findings are the same, the compile is faster), reads
    ``config_file`` (fairwatt's ``slither.config.json``) and lists the detectors it ran, so a CEI
    detector that was not registered is "not verified", not "clean".
    """
    triage = load_triage(triage_file) if triage_file else []
    start = time.perf_counter()
    config: dict = {}
    if config_file is not None:
        try:
            config = json.loads(config_file.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            why = f"cannot read the Slither configuration {config_file}: {exc}"
            return [not_verified("slither", path, why, 0)], [not_verified("cei", path, why, 0)]
    command = [*SLITHER, str(path), "--solc", str(SOLC), "--solc-args", compiler.evm_args]  # "": the config's none
    command += ["--compile-force-framework", "solc"]
    command += ["--config-file", str(config_file)] if config_file is not None else []
    command += ["--json", "-", "--json-types", "detectors,list-detectors"]
    with tempfile.TemporaryDirectory(prefix="fairwatt-slither-") as work:
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, env=compiler.env(), cwd=work
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
        why = data.get("error") or (done.stderr if done else "") or "failed"
        broken = [not_verified("slither", path, why, seconds)]
        return broken, [not_verified("cei", path, "Slither could not analyse the file", seconds)]
    results = data.get("results", {})
    found: dict[str, list[Finding]] = {"slither": [], "cei": []}
    for result in results.get("detectors", []):
        result = _shown_paths(result)
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
    found["slither"].append(_analysed("slither", path, seconds))
    registered = {d.get("check") for d in results.get("list-detectors", [])}
    missing = "" if CEI in registered else f"the {CEI} detector is not registered in Slither (plugin entry point)"
    missing = missing or _cei_excluded(config)
    found["cei"].append(not_verified("cei", path, missing, seconds) if missing else _analysed("cei", path, seconds))
    return found["slither"], found["cei"]


def _shown_paths(result: dict) -> dict:
    """``result`` with its paths (relative to Slither's temporary folder) shown relative to the
    repository when inside it, else absolute."""
    names = {}
    for element in result.get("elements", []):
        mapping = element.get("source_mapping") or {}
        if mapping.get("filename_relative") and mapping.get("filename_absolute"):
            absolute = Path(mapping["filename_absolute"])
            shown = absolute.relative_to(ROOT) if absolute.is_relative_to(ROOT) else absolute
            names[mapping["filename_relative"]] = str(shown)
    out = dict(result)
    for key in ("description", "first_markdown_element"):
        for relative in sorted(names, key=len, reverse=True):
            out[key] = out.get(key, "").replace(relative, names[relative])
    return out


def mythril_python(myth: Path) -> str | None:
    """The Python of Mythril's environment: beside ``myth``, else its ``#!`` line."""
    sibling = myth.parent / "python"
    if sibling.exists():
        return str(sibling)
    first = myth.read_bytes()[:300].split(b"\n")[0].decode(errors="replace")
    return first[2:].split()[0] if first.startswith("#!") and "python" in first else None


def mythril(
    path: Path,
    compiler: Compiler = Compiler(),
    execution_timeout: int = 60,
    depth: int = 2,
    modules: list[str] | None = None,
    contract: str = "",
    limit: int | None = None,
) -> list[Finding]:
    """Mythril on ``path`` in its own environment, offline, compiled by ``$SOLC`` as Slither's run was.

    "analysed" only when Mythril demonstrably finished every contract it was given: a compile
    error, a crash (its ``meta.logs``), an odd exit code, no contract, or any contract cut short
    by its timeout is ``not_verified`` with the reason. ``limit``: the wall-clock seconds the run may
    take (default: four execution timeouts and two minutes).
    """
    myth = myth_executable()
    if myth is None:
        return [not_verified("mythril", path, "Mythril is not installed (tox env `mythril`; $FAIRWATT_MYTH)", 0)]
    python = mythril_python(myth)
    if python is None:
        return [not_verified("mythril", path, f"cannot tell which Python runs {myth}", 0)]
    settings: dict[str, object] = {"optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS}}
    if compiler.package is None:
        settings["evmVersion"] = EVM_VERSION
    target = f"{path}:{contract}" if contract else str(path)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fairwatt-mythril-") as work:
        settings_file = Path(work) / "solc-settings.json"
        settings_file.write_text(json.dumps(settings))
        command = [python, str(LAUNCHER), str(myth), "analyze", target, "--solc-json", str(settings_file)]
        command += ["-o", "jsonv2", "--execution-timeout", str(execution_timeout), "-t", str(depth)]
        command += ["-m", ",".join(modules)] if modules else []
        limit = limit or execution_timeout * 4 + 120
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=limit, env=compiler.env(), cwd=work)
        except subprocess.TimeoutExpired:
            why = f"Mythril did not finish in its wall-clock limit of {limit} s"
            return [not_verified("mythril", path, why, time.perf_counter() - start)]
    seconds = time.perf_counter() - start
    return read_mythril(path, done.returncode, done.stdout, done.stderr, seconds)


def _records(stderr: str) -> list[dict] | None:
    """What the launcher recorded per contract (``None``: it left no record)."""
    for line in reversed(stderr.splitlines()):
        if line.startswith(MARKER):
            return json.loads(line.removeprefix(MARKER))
    return None


def read_mythril(path: Path, returncode: int, stdout: str, stderr: str, seconds: float) -> list[Finding]:
    """Findings of one Mythril run from its exit code, every report of its jsonv2 output, their logs
    and the launcher's per-contract records."""
    records = _records(stderr)
    stderr = "\n".join(line for line in stderr.splitlines() if not line.startswith(MARKER))
    try:
        reports = json.loads(stdout)
    except json.JSONDecodeError:
        reports = None
    if not isinstance(reports, list) or not reports:
        why = f"Mythril exited with {returncode} without a report: " + (stderr or stdout or "no output")[-1500:]
        return [not_verified("mythril", path, why, seconds)]
    findings, problems = [], []
    for report in reports:
        for issue in report.get("issues", []):
            swc = issue.get("swcID", "").removeprefix("SWC-")
            findings.append(
                Finding(
                    check="mythril",
                    title=f"SWC-{swc}: {issue['description']['head']}",
                    status=Status.VIOLATION,
                    impact=IMPACTS.get(issue.get("severity", ""), Impact.INFORMATIONAL),
                    location=_issue_location(path, report, issue),
                    evidence=issue["description"]["tail"],
                    swc=swc,
                    seconds=seconds,
                    data={"file": str(path)},
                )
            )
        problems += [log.get("msg", "") for log in report.get("meta", {}).get("logs", []) if log.get("level") in ERROR]
    if returncode != (1 if findings else 0):
        problems.append(f"Mythril exited with {returncode}: " + (stderr.strip()[-1500:] or "no message"))
    if records is None:
        problems.append("Mythril left no record of the contracts it analysed")
    elif not records and not problems:
        problems.append("Mythril found no contract to analyse")
    for record in records or []:
        if record["cut_short"]:
            problems.append(f"{record['contract']} cut short by its {record['cut_short']}")
        elif not record["finished"]:
            problems.append(f"{record['contract']}: Mythril aborted its analysis")
        elif record.get("open_states") == 0:
            problems.append(f"{record['contract']}: its creation transaction left no state to call (nothing analysed)")
    if problems:
        return findings + [not_verified("mythril", path, why, seconds) for why in problems]
    names = ", ".join(r["contract"] for r in records or [])
    return findings + [_analysed("mythril", path, seconds, names)]


def _issue_location(path: Path, report: dict, issue: dict) -> str:
    """``path#Ln``: the line of the issue's first source location (solc's byte offsets), else ``path``.
    Mythril's file index in ``sourceMap`` does not follow its ``sourceList`` (seen: index 2 of a
    one-file list, offsets in that file), so the offset is read in ``path`` when the list names it."""
    if not any(Path(name).name == path.name for name in report.get("sourceList", [])):
        return str(path)
    for location in issue.get("locations", []):
        start = str(location.get("sourceMap", "")).split(":")[0]
        if start.isdigit():
            try:
                line = path.read_bytes().count(b"\n", 0, int(start)) + 1
            except OSError:
                break
            return f"{path}#L{line}"
    return str(path)


def _analysed(tool: str, path: Path, seconds: float, contracts: str = "") -> Finding:
    """The tool ran to completion on ``path`` (its findings, if any, are separate)."""
    return Finding(
        check=tool,
        title=f"{path.name} analysed" + (f" ({contracts})" if contracts else ""),
        status=Status.PASSED,
        impact=Impact.INFORMATIONAL,
        location=str(path),
        seconds=seconds,
        data={"file": str(path)},
    )


def not_verified(tool: str, path: Path, why: str, seconds: float) -> Finding:
    """``tool`` did not finish on ``path`` (or never ran), for the reason ``why``: nothing is known."""
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
