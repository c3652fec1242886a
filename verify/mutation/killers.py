"""The kill-suite: what runs against a mutant, cheapest first, until something differs from the model.

Each killer names the contracts it deploys (its reach): a mutant goes only to the killers that deploy a
contract whose code it changed (a bilateral-market mutant to the trade vectors and the trade state
machine, an auction mutant to the auction's vectors and campaign, then to the trade ones, which use the
auction as their registry). The vectors stop at the first case that differs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from hypothesis.stateful import run_state_machine_as_test

from verify import vectors
from verify.checks.static import scanners
from verify.checks.static.checks import roots
from verify.differential import campaign
from verify.differential.machine import build_world
from verify.findings import Status
from verify.fingerprints import vectors as fingerprint_vectors
from verify.fingerprints.driver import ContractFingerprints
from verify.points import edge_vectors as points_edge_vectors
from verify.points import vectors as points_vectors
from verify.points.driver import ContractPoints
from verify.steps import machine_settings
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, Artifact
from verify.trade import combined
from verify.trade import edge_vectors as trade_edge_vectors
from verify.trade import machine as trade_machine
from verify.trade import vectors as trade_vectors
from verify.trade.driver import ContractTrade
from verify.trade.wallets import WalletTrade


@dataclass(frozen=True)
class Target:
    """A mutant as the killers see it."""

    artifacts: dict[str, Artifact]
    """Every contract of the system, the mutant's build where it changed code, the mocks included."""
    sources: dict[str, str]
    operator: str
    examples: int
    steps: int


@dataclass(frozen=True)
class Killer:
    name: str
    reach: frozenset[str]
    """The contracts it deploys: it runs on a mutant that changed one of them."""
    run: Callable[[Target], str]
    """The evidence of the first difference from the model, or ``""``."""
    operators: frozenset[str] = frozenset()
    """The mutation operators it can detect; empty: every one."""


@cache
def _auction_cases() -> list[dict]:
    return [script.case() for script in vectors.scenarios()]


@cache
def _trade_cases() -> list[dict]:
    return [script.case() for script in trade_vectors.scenarios() + trade_edge_vectors.scenarios()]


def _first_departure(what: str, wallets: bool, cases: list[dict], replay: Callable[[dict], list[str]]) -> str:
    """The first problem of the first of ``cases`` that ``replay`` (on a fresh deployment) finds departing,
    named as ``what``'s vector (its wallet vector with ``wallets``), or ``""``."""
    for case in cases:
        problems = replay(case)
        if problems:
            return f"{what}{'wallet ' if wallets else ''}vector {case['name']}: {problems[0]}"
    return ""


def _auction_vectors(target: Target, wallets: bool = False) -> str:
    """The auction's vectors; with ``wallets``, every user a contract account, relayed
    (:mod:`verify.differential.wallets`)."""
    world = build_world(target.artifacts, FAST, wallets)
    actors = {**world.actors, "operator": world.contract.operator}

    def replay(case: dict) -> list[str]:
        world.contract.revert(world.snapshot)
        world.snapshot = world.contract.snapshot()
        return vectors.replay(case, world.contract, actors)

    return _first_departure("", wallets, _auction_cases(), replay)


def _auction_campaign(target: Target) -> str:
    report = campaign.run(
        target.examples, CONTRACTS, target.steps, replay_dir=None, shrinks=0, backend=FAST, artifacts=target.artifacts
    )
    return report.failures[0]["error"].splitlines()[0] if report.failures else ""


def _trade_vectors(target: Target, wallets: bool = False) -> str:
    """The trade vectors; with ``wallets``, every role a contract account, relayed (:mod:`verify.trade.wallets`)."""
    deploy = WalletTrade.deploy if wallets else ContractTrade.deploy
    return _first_departure(
        "trade ", wallets, _trade_cases(), lambda case: trade_vectors.replay(case, deploy(target.artifacts, FAST))
    )


@cache
def _points_cases() -> list[dict]:
    return [script.case() for script in points_vectors.scenarios() + points_edge_vectors.scenarios()]


def _points_vectors(target: Target, wallets: bool = False) -> str:
    """The points' vectors; with ``wallets``, the users and certifiers contract accounts, relayed
    (:class:`verify.points.edge_vectors.WalletPoints`)."""
    deploy = points_edge_vectors.WalletPoints.deploy if wallets else ContractPoints.deploy
    return _first_departure(
        "points ", wallets, _points_cases(), lambda case: points_vectors.replay(case, deploy(target.artifacts, FAST))
    )


@cache
def _fingerprint_cases() -> list[dict]:
    return [script.case() for script in fingerprint_vectors.scenarios()]


def _fingerprint_vectors(target: Target, wallets: bool = False) -> str:
    """The fingerprints' vectors; with ``wallets``, every role a contract account, relayed
    (:mod:`verify.fingerprints.wallets`)."""
    deploy = partial(ContractFingerprints.deploy, target.artifacts, FAST, wallets)
    return _first_departure(
        "fingerprint ", wallets, _fingerprint_cases(), lambda case: fingerprint_vectors.replay(case, deploy())
    )


def _trade_campaign(target: Target) -> str:
    trade_machine.deploy(target.artifacts, FAST)
    return _machine_run(trade_machine.TradeMachine, target)


def _both_campaign(target: Target) -> str:
    combined.deploy(target.artifacts, FAST)
    return _machine_run(combined.BothMarketsMachine, target)


def _machine_run(machine: type[trade_machine.TradeMachine], target: Target) -> str:
    """``machine``'s campaign on its deployed contracts: the first mismatch with the model, or ``""``."""
    try:
        run_state_machine_as_test(machine, settings=machine_settings(target.examples, target.steps, shrink=False))
    except AssertionError as exc:  # a Mismatch, or a broken invariant
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return ""


def _cei(contracts: Path) -> list[str]:
    """The violations fairwatt's CEI detector reports, paths relative to ``contracts``."""
    found = []
    for path in roots(contracts):
        for finding in scanners.slither(path)[1]:
            if finding.status == Status.VIOLATION:
                found.append(finding.title.splitlines()[0].replace(str(contracts), "contracts"))
    return found


@cache
def _cei_baseline() -> tuple[str, ...]:
    return tuple(_cei(CONTRACTS))


def _scans(target: Target) -> str:
    """The first CEI violation the original contracts do not have, or ``""``."""
    with tempfile.TemporaryDirectory(prefix="fairwatt-mutant-") as work:
        root = Path(work) / "contracts"
        for relative, text in target.sources.items():
            if not relative.startswith("hostile/"):
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text)
        new = [title for title in _cei(root) if title not in _cei_baseline()]
    return f"fairwatt-cei: {new[0]}" if new else ""


AUCTION = frozenset({"FairwattMarket"})
TRADE = frozenset({"BilateralMarket", "FairwattMarket"})
KILLERS: list[Killer] = [
    Killer("vectors", AUCTION, _auction_vectors),
    Killer("trade-vectors", TRADE, _trade_vectors),
    # the points vectors also read the bilateral market's energy views (generatedOf, CRT-4)
    Killer("points-vectors", frozenset({"GreenCertificates", "BilateralMarket"}), _points_vectors),
    Killer("points-wallets", frozenset({"GreenCertificates"}), partial(_points_vectors, wallets=True)),
    Killer("fingerprint-vectors", frozenset({"Fingerprints"}), _fingerprint_vectors),
    Killer("fingerprint-wallets", frozenset({"Fingerprints"}), partial(_fingerprint_vectors, wallets=True)),
    Killer("trade-wallets", TRADE | {"Fingerprints"}, partial(_trade_vectors, wallets=True)),
    Killer("campaign", AUCTION, _auction_campaign),
    Killer("wallet-vectors", AUCTION, partial(_auction_vectors, wallets=True)),
    Killer("trade-campaign", TRADE, _trade_campaign),
    # both markets on one deployment: the auction's orders settled in kWh (ENG-9), reputation written (TRD-10)
    Killer("both-campaign", frozenset({"BilateralMarket"}), _both_campaign),
    # slither-mutate's operators replace and delete; only a moved statement can put an effect after a call
    Killer("cei", AUCTION | TRADE, _scans, frozenset({"CEI reordering"})),
]
"""The kill-suite, cheapest first (others extend it); the first that finds a difference kills the mutant."""


def reached() -> frozenset[str]:
    """Every contract some killer deploys."""
    return frozenset().union(*(k.reach for k in KILLERS))


def kill(target: Target, changed: set[str], names: tuple[str, ...]) -> tuple[str, str]:
    """Run the killers named ``names`` that reach a contract in ``changed``, in order, until one finds a
    difference: ``(killer, evidence)``, or ``("", "")`` when none does."""
    for killer in KILLERS:
        if killer.name not in names or not killer.reach & changed:
            continue
        if killer.operators and target.operator not in killer.operators:
            continue
        try:
            evidence = killer.run(target)
        except Exception as exc:  # the mutant broke the harness's expectations (a deployment that reverts...)
            evidence = f"crash: {type(exc).__name__}: {exc}"
        if evidence:
            return killer.name, evidence
    return "", ""
