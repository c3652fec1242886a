"""Run the differential campaign and report it: ``fairwatt diff``.

The state machine's rules are run by the seeded driver (:mod:`verify.differential.driver`). A failure
is shrunk and written out as a replayable pytest file: the program of the failing run, as hypothesis
prints one, wrapped in a test that rebuilds the same world.
"""

from __future__ import annotations

import gc
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis.internal.conjecture import engine

from verify.differential.driver import Driver
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
    seed: int = 0
    """The driver's seed: the same seed runs the same steps."""

    @property
    def steps_per_second(self) -> float:
        return round(self.steps / self.seconds, 1) if self.seconds else 0.0

    def to_json(self) -> dict:
        return {
            "contracts": self.contracts,
            "examples": self.examples,
            "engine": self.engine,
            "seed": self.seed,
            "steps": self.steps,
            "seconds": round(self.seconds, 2),
            "steps_per_second": self.steps_per_second,
            "failures": self.failures,
            "statuses_reached": self.reached,
        }


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
    failure shrinks to the same program on an idle or a loaded machine (for the campaigns hypothesis
    runs, such as the bilateral market's; this one shrinks with its own driver)."""
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
    """Run ``examples`` random action sequences of ``steps`` steps against ``contracts``, up to the first
    failure; ``seed`` None draws a seed (reported). ``steps`` and ``seconds`` are those of the search.

    Shrinking a failure stops after ``shrinks`` successful shrinks, never on the clock, so the same
    failure shrinks to the same program on an idle or a loaded machine; 0 skips shrinking. ``backend``
    names the chain engine (:data:`~verify.toolchain.chain.BACKENDS`); ``artifacts``, when given, are
    ``contracts`` already compiled with the mocks.
    """
    world = build_world(artifacts or artifacts_with_mocks(contracts), backend)
    seed = random.SystemRandom().randrange(2**32) if seed is None else seed
    report = Report(contracts=str(contracts), examples=examples, engine=backend, seed=seed)
    driver = Driver(machine(world))
    rng = random.Random(seed)
    gc.collect()
    gc.freeze()  # the collector no longer walks every object the libraries loaded, thousands of times a run
    start = time.perf_counter()
    try:
        failure = next((f for _ in range(examples) if (f := driver.run(rng, steps)) is not None), None)
    finally:
        gc.unfreeze()
    report.seconds, report.steps = time.perf_counter() - start, world.steps
    if failure is not None:
        shrunk = driver.shrink(failure, shrinks)
        program = driver.program(shrunk)
        found = {"error": f"{type(shrunk.error).__name__}: {shrunk.error}", "program": program}
        if replay_dir is not None:
            replay_dir.mkdir(parents=True, exist_ok=True)
            path = replay_dir / "test_replay_differential_failure.py"
            path.write_text(replay_file(program, found["error"], contracts, "differential_failure", backend))
            found["replay"] = str(path)
        report.failures.append(found)
    report.reached = sorted(s.name for s in world.reached)
    return report
