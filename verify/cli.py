"""The ``fairwatt`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from reference.params import ParamsError
from verify.toolchain.compiler import CONTRACTS, ROOT, CompileError, compile_tree, solc_version

NEEDS_COMPILER = {"compile", "diff", "gas", "callgraph", "mutate", "scan"}
"""Commands that cannot start without Node and the pinned compiler (``audit`` reports what it could do)."""

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable]] = {}


def command(name: str, help: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a subcommand ``name`` whose parser ``configure`` fills in."""

    def register(func: Callable[[argparse.Namespace], int]) -> Callable:
        COMMANDS[name] = (help, configure, func)
        return func

    return register


def folder(text: str) -> Path:
    """An argument that must name an existing folder."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no folder at {text}")
    return path


def bidder_counts(text: str) -> int:
    """A bidder count of the gas measurement: at least one bidder."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a bidder count is a whole number of at least 1, not {text!r}")
    return int(text)


class Parser(argparse.ArgumentParser):
    """Usage errors as one line, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _compile_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="?", type=folder, default=CONTRACTS, help="folder of .sol files")


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
    p.add_argument("--contracts", type=folder, default=CONTRACTS, help="contracts under audit")
    p.add_argument("--fail-on", choices=["informational", "low", "medium", "high"], default="medium")
    p.add_argument("--allow-unverified", action="store_true", help="do not fail the gate on not-verified stages")
    p.add_argument("--only", nargs="+", help="run only these checks or stages")
    p.add_argument("--no-cache", action="store_true", help="run everything again")
    p.add_argument("--jobs", type=int, default=2, help="checks run in parallel")
    p.add_argument("--examples", type=int, default=30, help="differential campaign examples")
    p.add_argument("--mythril-timeout", type=int, default=200, help="Mythril's execution timeout, seconds")
    p.add_argument("--gas-bidders", type=bidder_counts, nargs="+", help="bidder counts of the gas stage (5..60)")


@command("audit", "run every registered check and write the reports (md, html, sarif, junit, json)", _audit_args)
def cmd_audit(args: argparse.Namespace) -> int:
    from rich.console import Console

    from reference.params import load
    from verify import audit, gas
    from verify.findings import Impact, Status
    from verify.render import write_all

    console = Console(stderr=True, highlight=False)
    for name in ("resolved", "paper-literal"):
        load(name)  # a malformed spec/params.toml stops here, before any check starts
    try:
        audit.select(args.only)
        if args.gas_bidders:
            gas.check_counts(args.gas_bidders)
    except ValueError as exc:
        print(f"fairwatt: {exc}", file=sys.stderr)
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
    gate = {"fail_on": Impact(args.fail_on), "allow_unverified": args.allow_unverified}
    result = audit.run(args.contracts, args.out, options, args.only, args.jobs, not args.no_cache, progress, **gate)
    for path in write_all(result):
        console.print(f"wrote {path}")
    for error in result.errors + result.problems:
        print(f"fairwatt: {error}", file=sys.stderr)
    for f in result.findings:
        if f.status == Status.NOT_VERIFIED and not f.title.startswith(("not verified: skipped", "not verified: int")):
            print(f"fairwatt: {f.check} {f.title}", file=sys.stderr)
    console.print(f"audit {result.verdict()} in {result.seconds:.1f} s")
    return audit.exit_code(result)


def _simulate_args(p: argparse.ArgumentParser) -> None:
    from verify.simulate import SCENARIOS

    p.add_argument("model", choices=["reputation"], help="what to simulate")
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="paper-fig7")
    p.add_argument("--params", choices=["resolved", "paper-literal"], default="resolved")
    p.add_argument("--trades", type=int, default=200)
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "simulate")


@command("simulate", "run a reputation scenario of the paper (Fig. 7) and plot it", _simulate_args)
def cmd_simulate(args: argparse.Namespace) -> int:
    from reference.errors import FairwattError
    from reference.params import load
    from verify import simulate

    try:
        csv_path, png_path, steps, outcome = simulate.run(args.scenario, args.out, load(args.params), args.trades)
    except FairwattError as exc:
        print(f"fairwatt: the {args.params} model stops: {type(exc).__name__}{exc.args}", file=sys.stderr)
        return 1
    frauds = sum(not s.honest for s in steps)
    print(f"{args.scenario}: {len(steps)} trades, {frauds} frauds -> {csv_path}, {png_path}")
    print(outcome.summary(steps))
    return 0


def _gas_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "gas")
    p.add_argument("--bidders", type=bidder_counts, nargs="+", help="bidder counts (default 5, 10, ..., 60)")
    p.add_argument("--node", choices=["anvil"], help="measure on this node, started on a free loopback port")
    p.add_argument("--rpc", metavar="URL", help="measure on the JSON-RPC node at URL")


@command(
    "gas",
    "measure the gas of every step of an auction for 5..60 bidders (Table 3, Fig. 6) and of the bilateral trade",
    _gas_args,
)
def cmd_gas(args: argparse.Namespace) -> int:
    from verify import gas
    from verify.trade import gas as trade_gas

    try:
        counts = gas.check_counts(args.bidders) if args.bidders else gas.BIDDER_COUNTS
    except ValueError as exc:
        print(f"fairwatt: {exc}", file=sys.stderr)
        return 2
    from verify.toolchain.node import NodeError, backend

    try:
        with backend("eth-tester", args.node, args.rpc) as engine:
            data = gas.write(args.out, counts, engine)
            trade_data = trade_gas.write(args.out, engine)
    except NodeError as exc:
        print(f"fairwatt: {exc}", file=sys.stderr)
        return 2
    print(f"gas of real transactions on {args.node or engine}")
    print(gas.table(data))
    print(trade_gas.table(trade_data))
    print(f"wrote {args.out / 'gas.json'}, gas.md, gas.png, trade-gas.json, trade-gas.md")
    return 0


def _diff_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--examples", type=int, default=50, help="random action sequences to run")
    p.add_argument("--steps", type=int, default=40, help="most actions per sequence")
    p.add_argument("--contracts", type=folder, default=CONTRACTS, help="the implementation under test")
    p.add_argument("--json", type=Path, help="write the report here")
    p.add_argument("--replay-dir", type=Path, default=ROOT / "reports" / "replays")
    p.add_argument("--random", action="store_true", help="a fresh random seed instead of the fixed one")
    _engine_args(p, "pyrevm")


def _engine_args(p: argparse.ArgumentParser, default: str) -> None:
    """Where the contracts run: an in-process engine, a node fairwatt starts, or a running node."""
    where = p.add_mutually_exclusive_group()
    where.add_argument("--engine", choices=["eth-tester", "pyrevm"], default=default, help="in-process chain")
    where.add_argument("--node", choices=["anvil"], help="start this node on a free loopback port and run on it")
    where.add_argument("--rpc", metavar="URL", help="run on the JSON-RPC node at URL (automining, dev accounts)")


def _attacks_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contracts", type=folder, default=CONTRACTS, help="the implementation under test")
    p.add_argument("--json", type=Path, help="write the verdicts here")
    p.add_argument("--write-known-bad", type=Path, metavar="DIR", help="write the known-bad design here and stop")


@command("attacks", "the attack library against an implementation: held or broken, what it cost", _attacks_args)
def cmd_attacks(args: argparse.Namespace) -> int:
    from verify.attacks import run

    if args.write_known_bad:
        print(f"known-bad design written to {run.write_known_bad(args.write_known_bad)}")
        return 0
    try:
        verdicts = run.run(args.contracts)
    except CompileError as exc:
        print(f"fairwatt: {args.contracts} does not compile:", *exc.messages, sep="\n", file=sys.stderr)
        return 2
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([v.to_json() for v in verdicts], indent=2))
    for verdict in verdicts:
        print(f"{'held  ' if verdict.held else 'BROKEN'} {verdict.attack.id}: {verdict.effect}")
        for problem in verdict.problems[:1]:
            print(f"       {problem}")
    broken = [v for v in verdicts if not v.held]
    print(f"{len(verdicts) - len(broken)} of {len(verdicts)} attacks held against {args.contracts}")
    return 1 if broken else 0


@command("diff", "differential campaign: the reference model as the oracle for the contracts", _diff_args)
def cmd_diff(args: argparse.Namespace) -> int:
    from verify import vectors
    from verify.differential import campaign
    from verify.toolchain.node import NodeError, backend

    seed = None if args.random else 0
    try:
        with backend(args.engine, args.node, args.rpc) as engine:
            report = campaign.run(args.examples, args.contracts, args.steps, args.replay_dir, seed, backend=engine)
            replayed = vectors.replay_all(args.contracts, [script.case() for script in vectors.scenarios()], engine)
    except CompileError as exc:
        print(f"fairwatt: {args.contracts} does not compile:", *exc.messages, sep="\n", file=sys.stderr)
        return 2
    except NodeError as exc:
        print(f"fairwatt: {exc}", file=sys.stderr)
        return 2
    data = report.to_json()
    data["vectors"] = {name: problems for name, problems in replayed.items()}
    broken = {name: problems for name, problems in replayed.items() if problems}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2))
    where = args.node or engine
    print(f"{report.steps} contract steps on {where} in {report.seconds:.1f} s ({report.steps_per_second} steps/s)")
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
    from verify.fingerprints import vectors as fingerprint_vectors
    from verify.points import edge_vectors as points_edge_vectors
    from verify.points import vectors as points_vectors
    from verify.trade import edge_vectors as trade_edge_vectors
    from verify.trade import vectors as trade_vectors

    paths = vectors.generate(args.out) + trade_vectors.generate(args.out / "trade")
    paths += trade_edge_vectors.generate(args.out / "trade")
    paths += points_vectors.generate(args.out / "points") + points_edge_vectors.generate(args.out / "points")
    paths += fingerprint_vectors.generate(args.out / "fingerprints")
    steps = sum(len(json.loads(p.read_text())["steps"]) for p in paths)
    print(
        f"wrote {len(paths)} vectors ({steps} steps) to {args.out} (seeds 004 and 002: {args.out / 'trade'}; "
        f"seed 003: {args.out / 'points'}; seed 000: {args.out / 'fingerprints'})"
    )
    return 0


def _mutate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--examples", type=int, default=15, help="campaign examples per mutant")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--only", nargs="+", help="mutant ids to run")
    p.add_argument("--json", type=Path, default=ROOT / "reports" / "mutation.json")
    p.add_argument("--sample", type=int, help="keep this many generated mutants, spread evenly (default: all)")
    p.add_argument("--no-generated", action="store_true", help="only the semantic mutants, not slither-mutate's")
    p.add_argument("--jobs", type=int, help="worker processes (default: every core)")
    p.add_argument("--min-score", type=float, default=0.0, help="exit 1 when the score is below this (0..1)")
    p.add_argument("--killers", nargs="+", help="run only these killers (default: every one, cheapest first)")


@command("mutate", "mutants of contracts/ against the differential campaign: the mutation score", _mutate_args)
def cmd_mutate(args: argparse.Namespace) -> int:
    from verify import mutation

    try:
        data = mutation.run(
            args.examples, args.steps, args.only, generated=not args.no_generated, sample=args.sample, jobs=args.jobs,
            names=tuple(args.killers or ()),
            progress=lambda line: print(f"fairwatt mutate: {line}", file=sys.stderr, flush=True),
        )  # fmt: skip
    except CompileError as exc:
        print("fairwatt: the contracts do not compile:", *exc.messages, sep="\n", file=sys.stderr)
        return 2
    except (RuntimeError, ValueError) as exc:  # the kill-suite fails on the original; a bad equivalents entry
        print(f"fairwatt: {exc}", file=sys.stderr)
        return 2
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=2))
    for r in data["results"]:
        print(f"{'killed  ' if r['killed'] else 'SURVIVED'} {r['id']:32} {r['killer'] or '-':9} {r['seconds']:6.1f}s")
    for s in data["survived"]:
        print(f"\nsurvivor {s['id']} {s['key']} (line {s['line']})\n{s['diff']}")
    for e in data["equivalent"]:
        print(f"equivalent {e['id']}: {e['reason']}")
    print(
        f"\nscore {data['score']:.1%}: {data['killed']} killed of {data['compiled_non_equivalent']} compiled "
        f"non-equivalent mutants ({len(data['equivalent'])} equivalent, {len(data['uncompilable'])} uncompilable, "
        f"{data['duplicates']} duplicates) in {data['seconds']:.0f} s on {data['jobs']} workers"
    )
    if data["score"] < args.min_score:
        print(f"fairwatt: mutation score {data['score']:.1%} below {args.min_score:.1%}", file=sys.stderr)
        return 1
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
    stages = ("proofs", "bytecode") if args.no_crosshair else ("proofs", "bytecode", "symbolic")
    entries, failed = [], False
    print(f"{'obligation':36} {'params':14} {'clause':7} {'status':10} seconds")
    for check_id, cls in discover().items():
        if cls.STAGE not in stages:
            continue
        for f in cls().run(ctx):
            params = f.data.get("params", "resolved")
            entry = {
                "id": f.data.get("obligation") or (check_id if check_id != "crosshair" else f"crosshair {f.location}"),
                "level": f.data.get("level", "model"),
                "clause": f.clause,
                "params": params,
                "status": f.status.value,
                "refuted_by": f.data.get("refuted_by"),
                "variant_status": f.data.get("variant_status"),
                "variant_counterexample": f.data.get("variant_counterexample", ""),
                "seconds": round(f.seconds, 3),
                "statement": f.title,
                "evidence": f.evidence if f.status != Status.PROVED else "",
            }
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
        print(f"  {e['id']}: {e['evidence'].splitlines()[0] if e['evidence'] else ''} ...")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(entries, indent=2))
    return 1 if failed else 0


def _scan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", type=Path, default=[CONTRACTS], help="Solidity files or folders")
    p.add_argument("--json", type=Path, help="write the findings here (updated after each file)")
    p.add_argument("--no-mythril", action="store_true", help="Slither and the CEI detector only")
    p.add_argument("--mythril-timeout", type=int, default=60, help="Mythril's longest execution timeout per contract")
    p.add_argument(
        "--all-modules",
        action="store_true",
        help="every Mythril module, on every contract (default: reentrancy's, not where Slither found reentrancy "
        "nor where the bytecode makes no external call)",
    )
    p.add_argument("--jobs", type=int, default=None, help="tool processes at a time (default: cores)")
    p.add_argument("--budget", type=float, default=None, help="seconds for the whole scan; the rest: not verified")
    p.add_argument("--report", type=Path, help="also write audit.md, audit.html, audit.sarif, findings.json here")


@command(
    "scan",
    "Slither, the CEI detector and Mythril on contracts (compiler chosen from each pragma); "
    "exit 0 clean, 1 findings, 2 not verified or bad input",
    _scan_args,
)
def cmd_scan(args: argparse.Namespace) -> int:
    import time

    from rich.console import Console

    from verify.checks.static.scanners import TRIAGE
    from verify.scan import REENTRANCY, ScanError, scan
    from verify.scan_view import Bar, show, write_reports

    if (args.jobs is not None and args.jobs < 1) or (args.budget is not None and args.budget <= 0):
        print("fairwatt scan: --jobs and --budget must be positive", file=sys.stderr)
        return 2
    own = [p for p in args.paths if p.resolve() == CONTRACTS.resolve()]
    modules = None if args.all_modules else REENTRANCY
    start = time.perf_counter()
    try:
        with Bar(Console(stderr=True)) as bar:
            report = scan(
                args.paths, not args.no_mythril, args.mythril_timeout, TRIAGE if own else None, args.json,
                args.jobs, args.budget, modules, bar,
            )  # fmt: skip
    except ScanError as exc:
        print(f"fairwatt scan: {exc}", file=sys.stderr)
        return 2
    code = show(report, Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200))
    if args.report:
        written = write_reports(report, args.paths, args.report, time.perf_counter() - start)
        print("wrote " + ", ".join(str(p) for p in written))
    return code


def _callgraph_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contracts", type=folder, default=CONTRACTS)
    p.add_argument("--out", type=Path, default=ROOT / "reports" / "callgraph")


@command("callgraph", "the contracts' call graph (Fig. 5 analogue) as DOT and PNG, from Slither", _callgraph_args)
def cmd_callgraph(args: argparse.Namespace) -> int:
    from verify.callgraph import write

    try:
        dot, png = write(args.contracts, args.out)
    except (CompileError, ValueError) as exc:
        print(f"fairwatt: no call graph: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    print(f"wrote {dot} and {png}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="fairwatt", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    for name, (help_text, configure, func) in COMMANDS.items():
        child = sub.add_parser(name, help=help_text)
        configure(child)
        child.set_defaults(func=func)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; bad input (parameters, unreadable sources, no compiler) is one line and exit 2."""
    from verify.audit import toolchain_problem, unreadable

    args = parser().parse_args(argv)
    sources = getattr(args, "contracts", None) or getattr(args, "path", None)
    problems = unreadable(sources) if args.command != "audit" and isinstance(sources, Path) else []
    if not problems and args.command in NEEDS_COMPILER:
        problems = [problem] if (problem := toolchain_problem()) else []
    if problems:
        print(f"fairwatt: {problems[0]}", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except ParamsError as exc:
        print(f"fairwatt: malformed parameters: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
