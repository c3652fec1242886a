"""Run the differential campaign and report it: ``fairwatt diff``.

A failure is shrunk by hypothesis and written out as a replayable pytest file: the printed program of
the failing run, wrapped in a test that rebuilds the same world.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.internal.conjecture import engine
from hypothesis.stateful import run_state_machine_as_test

from verify.differential.machine import artifacts_with_mocks, build_world, machine
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS

REPLAY_TEMPLATE = '''"""Replay of a differential failure found by `fairwatt diff` against {contracts}.

{message}
"""

from pathlib import Path

from verify.differential.machine import artifacts_with_mocks, build_world, machine

CONTRACTS = Path({contracts_literal})


def test_{name}():
    DifferentialMachine = machine(build_world(artifacts_with_mocks(CONTRACTS), {backend!r}))
{program}
'''


@dataclass
class Report:
    """What a campaign did."""

    contracts: str
    examples: int
    steps: int = 0
    seconds: float = 0.0
    failures: list[dict] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)
    engine: str = FAST
    """The chain backend the contracts ran on."""

    @property
    def steps_per_second(self) -> float:
        return round(self.steps / self.seconds, 1) if self.seconds else 0.0

    def to_json(self) -> dict:
        return {
            "contracts": self.contracts,
            "examples": self.examples,
            "engine": self.engine,
            "steps": self.steps,
            "seconds": round(self.seconds, 2),
            "steps_per_second": self.steps_per_second,
            "failures": self.failures,
            "statuses_reached": self.reached,
        }


def program_of(error: BaseException) -> str:
    """The shrunk failing program hypothesis attached to ``error`` (its ``state = ...`` lines)."""
    notes = "\n".join(getattr(error, "__notes__", []))
    lines = notes.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("state = ")), None)
    if start is None:
        return ""
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("state.teardown()")), len(lines) - 1)
    return "\n".join(lines[start : end + 1])


def replay_file(program: str, message: str, contracts: Path, name: str, backend: str = FAST) -> str:
    """A pytest file that replays ``program`` on ``backend``; it fails for as long as the defect is there."""
    body = "\n".join("    " + line for line in program.splitlines())
    return REPLAY_TEMPLATE.format(
        backend=backend,
        contracts=contracts,
        contracts_literal=repr(str(contracts)),
        message=message.strip().replace('"""', "'''"),
        name=re.sub(r"\W", "_", name),
        program=body,
    )


@contextmanager
def shrink_limit(shrinks: int) -> Iterator[None]:
    """Hypothesis stops shrinking after ``shrinks`` successful shrinks, never on the clock: the same
    failure shrinks to the same program on an idle or a loaded machine."""
    caps = engine.MAX_SHRINKS, engine.MAX_SHRINKING_SECONDS
    engine.MAX_SHRINKS, engine.MAX_SHRINKING_SECONDS = shrinks, 10**9
    try:
        yield
    finally:
        engine.MAX_SHRINKS, engine.MAX_SHRINKING_SECONDS = caps


def run(
    examples: int,
    contracts: Path = CONTRACTS,
    steps: int = 40,
    replay_dir: Path | None = None,
    seed: int | None = 0,
    shrinks: int = 200,
    backend: str = FAST,
    artifacts: dict | None = None,
) -> Report:
    """Run ``examples`` random action sequences of up to ``steps`` steps against ``contracts``.

    Shrinking a failure stops after ``shrinks`` successful shrinks, never on the clock, so the same
    failure shrinks to the same program on an idle or a loaded machine; 0 skips shrinking. ``backend``
    names the chain engine (:data:`~verify.toolchain.chain.BACKENDS`); ``artifacts``, when given, are
    ``contracts`` already compiled with the mocks.
    """
    world = build_world(artifacts or artifacts_with_mocks(contracts), backend)
    report = Report(contracts=str(contracts), examples=examples, engine=backend)
    config = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        derandomize=seed is not None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,  # one failure, shrunk, rather than an ExceptionGroup of several
        phases=[Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrinks else []),
    )
    start = time.perf_counter()
    try:
        with shrink_limit(shrinks):
            run_state_machine_as_test(machine(world), settings=config)
    except AssertionError as error:  # a Mismatch, or a broken invariant
        program = program_of(error)
        failure = {"error": f"{type(error).__name__}: {error}", "program": program}
        if replay_dir is not None and program:
            replay_dir.mkdir(parents=True, exist_ok=True)
            path = replay_dir / "test_replay_differential_failure.py"
            path.write_text(replay_file(program, failure["error"], contracts, "differential_failure", backend))
            failure["replay"] = str(path)
        report.failures.append(failure)
    report.seconds = time.perf_counter() - start
    report.steps = world.steps
    report.reached = sorted(s.name for s in world.reached)
    return report
