"""``fairwatt scan`` on the labelled reentrancy corpora, side by side with raw Slither and raw Mythril.

Corpora (read from ../shared/corpora, never copied): SolidiFI's injected-reentrancy contracts, each
``buggy_N.sol`` labelled by ``BugLog_N.csv`` (first line and length of every injected bug), and the
not-so-smart-contracts reentrancy examples (DAO.sol and Reentrancy.sol are vulnerable, labelled per
file). A label is found by a tool when one of its reentrancy findings (Slither's ``reentrancy-*``,
fairwatt-cei, Mythril's SWC-107) names a line inside it.

Prints, for the scan (every core, reentrancy modules, ``--budget``) and for the raw tools (Slither,
then Mythril with every module on the whole file, one file after the other, on ``--raw-files`` of the
files): recall per tool and for the union, wall time, CPU time (this process and every tool process it
waited for: a figure that still means something on a loaded machine), and the load average. The scan
starts cold: no compiler choice of an earlier scan (``--warm`` keeps them); installed compilers and
V8's code cache of each compiler stay.

    python benchmarks/scan.py [--budget 600] [--raw-files 4] [--mythril-timeout 60] [--jobs N] [--json F]
                              [--files N] [--warm] [--no-mythril] [--plan]

``--plan`` only compiles every file (as the scan chooses its compiler) and counts the contracts whose
bytecode makes no external call: the Mythril reentrancy runs the scan skips there, without running a tool.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from verify import scan, scan_compilers
from verify.checks.static import scanners
from verify.toolchain.compiler import ROOT

CORPORA = ROOT.parent / "shared" / "corpora"
SOLIDIFI = CORPORA / "solidifi-reentrancy"
NSSC = CORPORA / "not-so-smart-reentrancy"
NSSC_VULNERABLE = {"DAO.sol", "Reentrancy.sol"}
LINES = re.compile(r"\.sol#L?(\d+)(?:-L?(\d+))?")
TOOLS = ("slither", "fairwatt-cei", "mythril")


def labels() -> dict[Path, list[tuple[int, int]]]:
    """Per vulnerable file, its labelled line ranges (a whole-file range for not-so-smart-contracts)."""
    out: dict[Path, list[tuple[int, int]]] = {}
    for log in sorted(SOLIDIFI.glob("BugLog_*.csv")):
        source = SOLIDIFI / log.name.replace("BugLog_", "buggy_").replace(".csv", ".sol")
        with log.open() as rows:
            out[source.resolve()] = [
                (int(r["loc"]), int(r["loc"]) + int(r["length"]) - 1) for r in csv.DictReader(rows)
            ]
    for name in NSSC_VULNERABLE:
        out[(NSSC / name).resolve()] = [(1, 10**9)]
    return out


def reentrancy(tool: str, finding: dict) -> bool:
    if finding["status"] != "violation":
        return False
    if tool == "slither":
        return finding["data"].get("tool_check", "").startswith("reentrancy")
    return tool == "fairwatt-cei" or finding["swc"] == "107"


def hits(tool: str, findings: list[dict], ranges: list[tuple[int, int]]) -> set[int]:
    """The labels (indexes into ``ranges``) that one of ``findings`` names a line of."""
    found = set()
    for f in findings:
        if not reentrancy(tool, f):
            continue
        for m in LINES.finditer(f["location"] + "\n" + f["evidence"]):
            start, end = int(m[1]), int(m[2] or m[1])
            found |= {i for i, (lo, hi) in enumerate(ranges) if start <= hi and lo <= end}
    return found


def recall(report: dict, truth: dict[Path, list[tuple[int, int]]], files: list[Path]) -> dict[str, str]:
    """Found/labelled per tool and for the union, over ``files``."""
    total = sum(len(truth[f]) for f in files if f in truth)
    found = {tool: 0 for tool in (*TOOLS, "union")}
    for file in files:
        if file not in truth:
            continue
        tools = report.get(str(file), {}).get("tools", {})
        each = {tool: hits(tool, tools.get(tool, []), truth[file]) for tool in TOOLS}
        for tool, labels_hit in each.items():
            found[tool] += len(labels_hit)
        found["union"] += len(set().union(*each.values()))
    return {tool: f"{n}/{total} ({n / max(total, 1):.0%})" for tool, n in found.items()}


def not_verified(report: dict) -> dict[str, int]:
    """Files each tool left not verified (and files no tool analysed)."""
    out = {tool: 0 for tool in (*TOOLS, "no tool")}
    for result in report.values():
        tools = result.get("tools", {})
        analysed = False
        for tool in TOOLS:
            if any(f["status"] == "not_verified" for f in tools.get(tool, [])):
                out[tool] += 1
            analysed |= any(f["status"] == "passed" for f in tools.get(tool, []))
        out["no tool"] += not analysed
    return out


def seconds_per_tool(report: dict) -> dict[str, str]:
    """Where the time went: each tool's runs (findings of one run share its seconds), their seconds
    added up, the longest, and the Mythril runs not made (Slither had answered the question there)."""
    runs: dict[str, set[tuple[str, float]]] = {"slither": set(), "mythril": set()}  # CEI: inside Slither's
    skipped = calm = 0
    for file, result in report.items():
        for tool, found in result.get("tools", {}).items():
            runs.get(tool, set()).update((file, f["seconds"]) for f in found if f["seconds"] > 0)
            skipped += sum(" not run on " in f["title"] for f in found)
            calm += sum(f["data"].get("skip") == "no-external-call" for f in found)
    out = {
        t: f"{len(r)} runs, {sum(s for _, s in r):.0f} s, longest {max((s for _, s in r), default=0):.0f} s"
        for t, r in runs.items()
    }
    return out | {"mythril not run (answered)": str(skipped), "mythril not run (no external call)": str(calm)}


def plan(files: list[Path], jobs: int) -> None:
    """Per corpus: contracts with bytecode, and those without an external call (no Mythril reentrancy run)."""
    with ThreadPoolExecutor(jobs) as pool:
        choices = list(pool.map(_choice, files))
    for corpus in (SOLIDIFI, NSSC):
        chosen = [c for f, c in zip(files, choices, strict=True) if f.parent == corpus.resolve() and c is not None]
        contracts = sum(len(c.contracts) for c in chosen)
        calm = sorted(f"{c.compiler.version}:{n}" for c in chosen for n in set(c.contracts) - set(c.callers or ()))
        print(f"  {corpus.name}: {len(chosen)} files compiled, {contracts} contracts, {len(calm)} without an external")
        print(f"    call: {', '.join(calm)}")


def _choice(file: Path) -> scan.Choice | None:
    try:
        return scan.compiler_for(file)
    except scan.ScanError as exc:
        print(f"  {file.name}: {exc}")
        return None


def cpu() -> float:
    """CPU seconds of this process and of every child process it waited for (grandchildren included)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def raw(files: list[Path], mythril_timeout: int) -> tuple[dict, float]:
    """Slither, then Mythril (every module, whole file), one file after the other."""
    report: dict[str, dict] = {}
    start = time.perf_counter()
    for file in files:
        try:
            choice = scan.compiler_for(file)
        except scan.ScanError as exc:
            report[str(file)] = {"error": str(exc)}
            continue
        slither, cei = scanners.slither(file, choice.compiler)
        mythril = scanners.mythril(file, choice.compiler, execution_timeout=mythril_timeout)
        tools = {"slither": slither, "fairwatt-cei": cei, "mythril": mythril}
        report[str(file)] = {"tools": {tool: [f.to_json() for f in found] for tool, found in tools.items()}}
        print(f"  raw {file.name}: {time.perf_counter() - start:.0f} s so far", flush=True)
    return report, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=600)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--mythril-timeout", type=int, default=60)
    parser.add_argument("--raw-files", type=int, default=4, help="files the raw tools run on (0: none)")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "fairwatt-bench-scan.json")
    parser.add_argument("--files", type=int, default=0, help="scan only the first N files (0: every file)")
    parser.add_argument("--warm", action="store_true", help="keep the compiler choices of earlier scans")
    parser.add_argument("--no-mythril", action="store_true", help="the scan without Mythril (Slither's own time)")
    parser.add_argument("--plan", action="store_true", help="only count the Mythril runs the bytecode rules out")
    args = parser.parse_args()
    truth = labels()
    files = scan.targets([SOLIDIFI, NSSC])
    files = files[: args.files] if args.files else files
    labelled = sum(len(truth.get(f, [])) for f in files)
    print(f"{len(files)} files, {labelled} labels; load average {os.getloadavg()}")
    cold = tempfile.TemporaryDirectory(prefix="fairwatt-bench-choices-")
    if not args.warm:
        scan_compilers.CHOICES = Path(cold.name)
    start, start_cpu = time.perf_counter(), cpu()
    if args.plan:
        plan(files, args.jobs)
        print(f"plan: {time.perf_counter() - start:.0f} s wall, {cpu() - start_cpu:.0f} s CPU")
        cold.cleanup()
        return
    report = scan.scan(
        files,
        mythril=not args.no_mythril,
        mythril_timeout=args.mythril_timeout,
        out=args.json,
        jobs=args.jobs,
        budget=args.budget,
    )
    seconds, cpu_seconds = time.perf_counter() - start, cpu() - start_cpu
    print(
        f"scan: {seconds:.0f} s wall, {cpu_seconds:.0f} s CPU (budget {args.budget:g} s, {args.jobs} jobs, "
        f"{'warm' if args.warm else 'cold'}); load average {os.getloadavg()}"
    )
    print(f"  recall, every file: {recall(report, truth, files)}")
    print(f"  not verified (files): {not_verified(report)}")
    print(f"  time per tool: {seconds_per_tool(report)}")
    if args.raw_files:
        sample = files[: args.raw_files]
        raw_cpu = cpu()
        raw_report, raw_seconds = raw(sample, args.mythril_timeout)
        raw_cpu = cpu() - raw_cpu
        print(
            f"raw Slither + Mythril in sequence on {len(sample)} files: {raw_seconds:.0f} s wall, {raw_cpu:.0f} s CPU"
        )
        print(f"  raw recall on them: {recall(raw_report, truth, sample)}")
        print(f"  scan recall on them: {recall(report, truth, sample)}")
        print(f"  raw not verified (files): {not_verified(raw_report)}")
        wall, used = (raw_seconds / len(sample) * len(files), raw_cpu / len(sample) * len(files))
        print(
            f"  raw, extrapolated to all {len(files)} files: {wall:.0f} s wall = {wall / seconds:.1f}x the scan's, "
            f"{used:.0f} s CPU = {used / max(cpu_seconds, 1e-9):.1f}x the scan's"
        )
    print(f"load average at the end {os.getloadavg()}")
    cold.cleanup()


if __name__ == "__main__":
    main()
