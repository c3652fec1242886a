"""The campaign's driver: the state machine's rules run straight from a seeded :class:`random.Random`.

Hypothesis draws every value through its engine, which costs more than a step of the EVM; this driver
runs the same rules (their arguments declared once, :mod:`verify.differential.draws`), chosen uniformly
among those whose preconditions hold, with the same invariants after every step. A failing run is shrunk
here, never on the clock: steps are removed (in halves, then quarters, ... then one by one) and arguments
made simpler for as long as the same failure remains, up to a number of successful shrinks. It is then
printed as hypothesis prints a program (``state = DifferentialMachine()`` ...), which replays it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from random import Random
from typing import Any

from hypothesis.stateful import RuleBasedStateMachine

Step = tuple[str, dict[str, Any]]
"""A rule's name and its arguments."""
ATTEMPTS = 20
"""Replays a shrink may try per successful shrink it is allowed."""


@dataclass(frozen=True)
class Failure:
    """A run that failed: its steps up to the failing one, and what failed."""

    error: AssertionError
    steps: tuple[Step, ...]
    invariant: str | None = None
    """The invariant that failed after the last step; None when the step itself failed."""

    @property
    def signature(self) -> tuple[str, str]:
        """What makes two failures the same one: the exception and its first line, arguments and numbers left out."""
        first = (str(self.error).splitlines() or [""])[0]
        return type(self.error).__name__, re.sub(r"\d+", "", re.sub(r"\(.*\)", "()", first))


class Driver:
    """Runs ``machine``'s rules (a :class:`RuleBasedStateMachine` whose rules are ``drawn_rule``)."""

    def __init__(self, machine: type[RuleBasedStateMachine]):
        setup = machine.setup_state()
        self.machine = machine
        self.initializers = list(setup.initializers)
        self.rules = {r.function.__name__: r for r in [*setup.initializers, *setup.rules]}
        self.choices: dict[tuple, list] = {}
        """The rules grouped by their preconditions: each is asked once a step."""
        for rule in setup.rules:
            self.choices.setdefault(tuple(rule.preconditions), []).append(rule)
        self.invariants = list(setup.invariants)

    def run(self, rng: Random, steps: int) -> Failure | None:
        """One random run of ``steps`` steps, initializers included."""
        drawn = [self._draw(rule, rng) for rule in self.initializers]

        def more(state: Any) -> Step | None:
            if len(drawn) >= steps:
                return None
            enabled = [r for needs, rules in self.choices.items() if all(p(state) for p in needs) for r in rules]
            drawn.append(self._draw(rng.choice(enabled), rng))
            return drawn[-1]

        return self._execute(iter(list(drawn)), more)

    @staticmethod
    def _draw(rule: Any, rng: Random) -> Step:
        return rule.function.__name__, {k: d.draw(rng) for k, d in rule.function.draws.items()}

    def replay(self, steps: tuple[Step, ...] | list[Step]) -> Failure | None:
        """Run ``steps`` as given; a step whose preconditions do not hold is left out."""
        return self._execute(iter(steps), lambda state: None)

    def _execute(self, given: Any, more: Any) -> Failure | None:
        state = self.machine()
        done: list[Step] = []
        waiting = {r.function.__name__ for r in self.initializers}
        try:
            while (step := next(given, None) or more(state)) is not None:
                rule = self.rules[step[0]]
                if not _holds(rule, state):
                    continue
                done.append(step)
                rule.function(state, **step[1])
                waiting.discard(step[0])
                for inv in self.invariants if not waiting else ():
                    if _holds(inv, state):
                        try:
                            inv.function(state)
                        except AssertionError as error:
                            return Failure(error, tuple(done), inv.function.__name__)
        except AssertionError as error:
            return Failure(error, tuple(done))
        finally:
            state.teardown()
        return None

    def shrink(self, failure: Failure, shrinks: int) -> Failure:
        """``failure`` made smaller ``shrinks`` times at most (deterministic: no clock)."""
        best, successes, attempts = failure, 0, 0

        def better(candidate: list[Step]) -> bool:
            nonlocal best, successes, attempts
            attempts += 1
            found = self.replay(candidate)
            if found is None or found.signature != failure.signature:
                return False
            best, successes = found, successes + 1
            return True

        def budget() -> bool:
            return successes < shrinks and attempts < ATTEMPTS * shrinks

        first, progress = len(self.initializers), True
        while progress and budget():
            progress = False
            size = max((len(best.steps) - first) // 2, 1)
            while size >= 1 and budget():  # remove runs of steps, the longest first
                start = first
                while start < len(best.steps) and budget():
                    steps = list(best.steps)
                    if better(steps[:start] + steps[start + size :]):
                        progress = True
                    else:
                        start += size
                size //= 2
            index = 0
            while index < len(best.steps) and budget():  # then simpler arguments, step by step
                if self._simplify(index, best.steps, better):
                    progress = True
                else:
                    index += 1
        return best

    def _simplify(self, index: int, steps: tuple[Step, ...], better: Any) -> bool:
        """Try simpler values for the arguments of ``steps[index]``; True at the first that keeps the failure."""
        name, args = steps[index]
        for key in sorted(args):
            for value in self.rules[name].function.draws[key].simpler(args[key]):
                if better([*steps[:index], (name, {**args, key: value}), *steps[index + 1 :]]):
                    return True
        return False

    def program(self, failure: Failure) -> str:
        """``failure`` as the program hypothesis prints: it fails again where it failed."""
        lines = [f"state = {self.machine.__name__}()"]
        for name, args in failure.steps:
            lines.append(f"state.{name}({', '.join(f'{k}={args[k]!r}' for k in sorted(args))})")
        if failure.invariant:
            lines.append(f"state.{failure.invariant}()")
        return "\n".join([*lines, "state.teardown()"])


def _holds(rule: Any, state: Any) -> bool:
    """Whether every precondition of ``rule`` (a rule or an invariant) holds in ``state``."""
    return all(p(state) for p in rule.preconditions)
