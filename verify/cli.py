"""The ``fairwatt`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from verify.toolchain.compiler import CONTRACTS, ROOT, CompileError, compile_tree, solc_version

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]] = {}


def command(name: str, help: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a subcommand ``name`` whose parser ``configure`` fills in."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = (help, configure, func)
        return func

    return register


def _compile_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", type=Path, default=CONTRACTS, help="folder of .sol files")


@command("compile", "compile every contract in one compiler call (cached by content hash)", _compile_args)
def cmd_compile(args: argparse.Namespace) -> int:
    try:
        artifacts = compile_tree(args.path)
    except CompileError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        return 1
    print(f"solc {solc_version()}: {len(artifacts)} contracts")
    for name, a in sorted(artifacts.items()):
        print(f"  {a.source}:{name}  runtime {len(a.runtime) // 2} bytes")
    return 0


def _audit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=ROOT / "reports", help="report directory")
    p.add_argument("--contracts", type=Path, default=CONTRACTS, help="contracts under audit")
    p.add_argument("--fail-on", choices=["informational", "low", "medium", "high"], default="medium")
    p.add_argument("--allow-unverified", action="store_true", help="do not fail the gate on not-verified stages")
    p.add_argument("--only", nargs="+", help="run only these checks or stages")
    p.add_argument("--no-cache", action="store_true", help="run everything again")
    p.add_argument("--jobs", type=int, default=2, help="checks run in parallel")
    p.add_argument("--examples", type=int, default=30, help="differential campaign examples")
    p.add_argument("--mythril-timeout", type=int, default=200, help="Mythril's execution timeout, seconds")
    p.add_argument("--gas-bidders", type=int, nargs="+", help="bidder counts of the gas stage (default 5..60)")


@command("audit", "run every registered check and write the reports (md, html, sarif, junit, json)", _audit_args)
def cmd_audit(args: argparse.Namespace) -> int:
    from rich.console import Console

    from reference.params import load
    from verify import audit
    from verify.findings import Impact, Status
    from verify.render import write_all

    console = Console(stderr=True, highlight=False)
    try:
        for name in ("resolved", "paper-literal"):
            load(name)
    except (ValueError, KeyError, TypeError, OSError) as exc:
        print(f"fairwatt: malformed parameters in spec/params.toml: {exc}", file=sys.stderr)
        return 2
    if not args.contracts.is_dir():
        print(f"fairwatt: no contracts folder at {args.contracts}", file=sys.stderr)
        return 2
    options = {
        "examples": args.examples,
        "params": ("resolved", "paper-literal"),
        "mythril_timeout": args.mythril_timeout,
    }
    if args.gas_bidders:
        options["gas_bidders"] = tuple(args.gas_bidders)

    def progress(outcome: audit.Outcome) -> None:
        bad = sum(f.bad and f.impact != Impact.INFORMATIONAL for f in outcome.findings)
        mark = "[green]✓[/]" if not bad else "[red]✗[/]"
        cached = " (cached)" if outcome.cached else ""
        count = len(outcome.findings)
        console.print(
            f"{mark} {outcome.stage:12} {outcome.check:34} {outcome.seconds:7.1f} s{cached}  {count} results, {bad} bad"
        )

    console.print(f"fairwatt audit of {args.contracts} → {args.out}")
    result = audit.run(args.contracts, args.out, options, args.only, args.jobs, not args.no_cache, progress)
    for path in write_all(result):
        console.print(f"wrote {path}")
    for error in result.errors:
        print(f"fairwatt: {error}", file=sys.stderr)
    for f in result.findings:
        if f.status == Status.NOT_VERIFIED and not f.title.startswith("not verified: skipped"):
            print(f"fairwatt: {f.check} {f.title}", file=sys.stderr)
    code = audit.exit_code(result, Impact(args.fail_on), args.allow_unverified)
    verdict = {0: "clean", 1: f"findings at or above {args.fail_on}", 2: "not everything could be verified"}[code]
    console.print(f"audit {verdict} (exit {code}) in {result.seconds:.1f} s")
    return code


def _simulate_args(p: argparse.ArgumentParser) -> None:
    from verify.simulate import SCENARIOS

    p.add_argument("model", choices=["reputation"], help="what to simulate")
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="paper-fig7")
    p.add_argument("--params", choices=["resolved", "paper-literal"], default="resolved")
    p.add_argument("--trades", type=int, default=40)
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "simulate")


@command("simulate", "run a reputation scenario of the paper (Fig. 7) and plot it", _simulate_args)
def cmd_simulate(args: argparse.Namespace) -> int:
    from reference.errors import FairwattError
    from reference.params import load
    from verify import simulate

    try:
        csv_path, png_path, steps = simulate.run(args.scenario, args.out, load(args.params), args.trades)
    except FairwattError as exc:
        print(f"fairwatt: the {args.params} model stops: {type(exc).__name__}{exc.args}", file=sys.stderr)
        return 1
    frauds = sum(not s.honest for s in steps)
    print(f"{args.scenario}: {len(steps)} trades, {frauds} frauds -> {csv_path}, {png_path}")
    return 0


def _gas_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "gas")
    p.add_argument("--bidders", type=int, nargs="+", help="bidder counts (default 5, 10, ..., 60)")


@command("gas", "measure the gas of every step of a trade for 5..60 bidders (Table 3, Fig. 6)", _gas_args)
def cmd_gas(args: argparse.Namespace) -> int:
    from verify import gas

    counts = tuple(args.bidders) if args.bidders else gas.BIDDER_COUNTS
    data = gas.write(args.out, counts)
    print(gas.table(data))
    print(f"wrote {args.out / 'gas.json'}, gas.md, gas.png")
    return 0


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--examples", type=int, default=50, help="random action sequences to run")
    p.add_argument("--steps", type=int, default=40, help="most actions per sequence")
    p.add_argument("--contracts", type=Path, default=CONTRACTS, help="the implementation under test")
    p.add_argument("--json", type=Path, help="write the report here")
    p.add_argument("--replay-dir", type=Path, default=ROOT / "reports" / "replays")
    p.add_argument("--random", action="store_true", help="a fresh random seed instead of the fixed one")


@command("diff", "differential campaign: the reference model as the oracle for the contracts", _diff_args)
def cmd_diff(args: argparse.Namespace) -> int:
    from verify.differential import campaign

    try:
        report = campaign.run(args.examples, args.contracts, args.steps, args.replay_dir, None if args.random else 0)
    except CompileError as exc:
        print(f"fairwatt: {args.contracts} does not compile:", *exc.messages, sep="\n", file=sys.stderr)
        return 2
    from verify import vectors

    replayed = vectors.replay_all(args.contracts, [script.case() for script in vectors.scenarios()])
    data = report.to_json()
    data["vectors"] = {name: problems for name, problems in replayed.items()}
    broken = {name: problems for name, problems in replayed.items() if problems}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2))
    print(f"{report.steps} contract steps in {report.seconds:.1f} s ({report.steps_per_second} steps/s)")
    print(f"statuses reached: {', '.join(report.reached)}")
    for failure in report.failures:
        print(f"FAILURE {failure['error']}")
        if failure.get("replay"):
            print(f"replay: pytest {failure['replay']}")
    print(f"vectors: {len(replayed) - len(broken)} of {len(replayed)} replay green")
    for name, problems in broken.items():
        print(f"VECTOR {name}: {problems[0]}")
    if not report.failures and not broken:
        print("no difference between the model and the contracts")
    return 1 if report.failures or broken else 0


def _vectors_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "vectors")


@command("vectors", "write the reference model's test vectors (spec/vectors.md) as JSON", _vectors_args)
def cmd_vectors(args: argparse.Namespace) -> int:
    from verify import vectors

    paths = vectors.generate(args.out)
    steps = sum(len(json.loads(p.read_text())["steps"]) for p in paths)
    print(f"wrote {len(paths)} vectors ({steps} steps) to {args.out}")
    return 0


def _mutate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--examples", type=int, default=15, help="campaign examples per mutant")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--only", nargs="+", help="mutant ids to run")
    p.add_argument("--json", type=Path, default=ROOT / "reports" / "mutation.json")


@command("mutate", "mutants of contracts/ against the differential campaign: the mutation score", _mutate_args)
def cmd_mutate(args: argparse.Namespace) -> int:
    from verify import mutation

    data = mutation.run(args.examples, args.steps, args.only)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=2))
    for r in data["results"]:
        print(f"{'killed  ' if r['killed'] else 'SURVIVED'} {r['id']:32} {r['clause']:6} {r['seconds']:6.1f}s")
    for s in data["survived"]:
        note = f" (equivalent: {s['equivalent']})" if s["equivalent"] else ""
        print(f"\nsurvivor {s['id']}{note}\n{s['diff']}")
    equivalent = len(data["equivalent"])
    print(f"\nscore {data['score']:.1%}: {data['killed']} killed of {data['mutants']} ({equivalent} equivalent)")
    return 0


def _prove_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", type=Path, help="write one entry per obligation here")
    p.add_argument("--params", nargs="+", default=["resolved", "paper-literal"], choices=["resolved", "paper-literal"])
    p.add_argument("--no-crosshair", action="store_true", help="only the Z3 obligations")
    p.add_argument("--crosshair-seconds", type=float, default=4, help="CrossHair's budget per condition")


@command("prove", "Z3 proofs of the fairness invariants, and CrossHair on the reference model", _prove_args)
def cmd_prove(args: argparse.Namespace) -> int:
    from verify.check import Context
    from verify.findings import Status
    from verify.registry import discover

    options = {"params": tuple(args.params), "crosshair_seconds": args.crosshair_seconds}
    ctx = Context(root=ROOT, out=ROOT / "reports", contracts=CONTRACTS, options=options)
    stages = ("proofs",) if args.no_crosshair else ("proofs", "symbolic")
    entries, failed = [], False
    print(f"{'obligation':36} {'params':14} {'clause':7} {'status':10} seconds")
    for check_id, cls in discover().items():
        if cls.STAGE not in stages:
            continue
        for f in cls().run(ctx):
            params = f.data.get("params", "resolved")
            entry = {
                "id": check_id,
                "clause": f.clause,
                "params": params,
                "status": f.status.value,
                "seconds": round(f.seconds, 3),
                "statement": f.title,
            }
            if f.evidence and f.status != Status.PROVED:
                entry["counterexample"] = f.evidence
            entries.append(entry)
            label = check_id if check_id != "crosshair" else f"crosshair {f.location}"
            print(f"{label:36} {params:14} {f.clause:7} {f.status.value:10} {f.seconds:7.2f}")
            if params == "resolved" and f.bad:
                failed = True
                print("    " + (f.evidence or f.title).replace("\n", "\n    "))
    total = sum(e["seconds"] for e in entries)
    defects = [e for e in entries if e["params"] != "resolved" and e["status"] == "refuted"]
    print(f"\n{len(entries)} results in {total:.1f} s; paper-literal defects shown: {len(defects)}")
    for e in defects:
        print(f"  {e['id']}: {e['counterexample'].splitlines()[0] if e.get('counterexample') else ''} ...")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(entries, indent=2))
    return 1 if failed else 0


def _scan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", type=Path, default=[CONTRACTS], help="Solidity files or folders")
    p.add_argument("--json", type=Path, help="write the findings here")
    p.add_argument("--no-mythril", action="store_true", help="Slither and the CEI detector only")
    p.add_argument("--mythril-timeout", type=int, default=60, help="Mythril's execution timeout, seconds")


@command(
    "scan",
    "Slither, the CEI detector and Mythril on contracts (compiler chosen from each pragma)",
    _scan_args,
)
def cmd_scan(args: argparse.Namespace) -> int:
    from verify.checks.static.scanners import TRIAGE
    from verify.scan import scan

    own = [p for p in args.paths if p.resolve() == CONTRACTS.resolve()]
    report = scan(args.paths, not args.no_mythril, args.mythril_timeout, TRIAGE if own else None)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    bad = False
    for path, result in report.items():
        print(f"{path} (solc {result.get('compiler', '?')})")
        if "error" in result:
            print(f"  error: {result['error']}")
            bad = True
            continue
        for tool, findings in result["tools"].items():
            shown = [f for f in findings if f["status"] not in ("passed", "accepted")]
            verdict = "clean" if not shown else f"{len(shown)} findings"
            print(f"  {tool}: {verdict}")
            for f in shown:
                where = f" [SWC-{f['swc']}]" if f["swc"] else ""
                print(f"    {f['status']:12} {f['impact']:13}{where} {f['title'][:110]}")
            bad |= any(f["status"] == "not_verified" or f["impact"] in ("high", "medium") for f in shown)
    return 1 if bad else 0


def _callgraph_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contracts", type=Path, default=CONTRACTS)
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "callgraph")


@command("callgraph", "the contracts' call graph (Fig. 5 analogue) as DOT and PNG, from Slither", _callgraph_args)
def cmd_callgraph(args: argparse.Namespace) -> int:
    from verify.callgraph import write

    dot, png = write(args.contracts, args.out)
    print(f"wrote {dot} and {png}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fairwatt", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, (help_text, configure, func) in COMMANDS.items():
        child = sub.add_parser(name, help=help_text)
        configure(child)
        child.set_defaults(func=func)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
