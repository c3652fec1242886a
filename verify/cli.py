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


@command("audit", "run every registered check and write the reports", _audit_args)
def cmd_audit(args: argparse.Namespace) -> int:
    from verify.check import Context
    from verify.registry import discover

    args.out.mkdir(parents=True, exist_ok=True)
    ctx = Context(root=ROOT, out=args.out, contracts=args.contracts)
    findings = []
    for check_id, cls in discover().items():
        print(f"[{check_id}] ...", flush=True)
        findings.extend(cls().run(ctx))
    (args.out / "findings.json").write_text(json.dumps([f.to_json() for f in findings], indent=2))
    for f in findings:
        print(f"{f.status.value:13} {f.check:20} {f.title}")
    return 1 if any(f.bad for f in findings) else 0


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
