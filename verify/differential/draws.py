"""The arguments of the state machine's rules, declared once and drawn two ways: as hypothesis strategies
(hypothesis runs the rules on the model alone) and straight from a seeded :class:`random.Random` (the
campaign's driver, :mod:`verify.differential.driver`, thousands of steps a second).

Both favour the small end, as hypothesis does: the first values of a range or a list are the happy path,
the rest the faults. Each kind also proposes simpler values than a given one, for shrinking a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from random import Random
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule

SMALL = 0.5
"""How often a draw is among the first :data:`FEW` values of its range."""
FEW = 4


class Draw:
    """One argument's values."""

    def strategy(self) -> st.SearchStrategy:
        raise NotImplementedError

    def draw(self, rng: Random) -> Any:
        raise NotImplementedError

    def simpler(self, value: Any) -> list[Any]:
        """Values simpler than ``value``, simplest first."""
        raise NotImplementedError


def _index(rng: Random, count: int) -> int:
    return rng.randrange(min(FEW, count)) if rng.random() < SMALL else rng.randrange(count)


@dataclass(frozen=True)
class Ints(Draw):
    """Integers in ``[low, high]``; the driver draws among the first ``pool`` only, when given."""

    low: int
    high: int
    pool: int | None = None

    def strategy(self) -> st.SearchStrategy:
        return st.integers(self.low, self.high)

    def draw(self, rng: Random) -> int:
        return self.low + _index(rng, min(self.high - self.low + 1, self.pool or self.high - self.low + 1))

    def simpler(self, value: int) -> list[int]:
        return sorted({self.low, (self.low + value) // 2, value - 1} - {value}) if value > self.low else []


@dataclass(frozen=True)
class OneOf(Draw):
    """One of ``values``, the first ones favoured."""

    values: tuple

    def strategy(self) -> st.SearchStrategy:
        return st.sampled_from(self.values)

    def draw(self, rng: Random) -> Any:
        return self.values[_index(rng, len(self.values))]

    def simpler(self, value: Any) -> list[Any]:
        position = self.values.index(value)
        return list(dict.fromkeys(self.values[i] for i in (0, position // 2) if i < position))


@dataclass(frozen=True)
class Pairs(Draw):
    """Lists of ``[min_size, max_size]`` pairs, each component drawn from its own :class:`Draw`."""

    first: Draw
    second: Draw
    min_size: int
    max_size: int

    def strategy(self) -> st.SearchStrategy:
        pair = st.tuples(self.first.strategy(), self.second.strategy())
        return st.lists(pair, min_size=self.min_size, max_size=self.max_size)

    def draw(self, rng: Random) -> list[tuple]:
        size = self.min_size + _index(rng, self.max_size - self.min_size + 1)
        return [(self.first.draw(rng), self.second.draw(rng)) for _ in range(size)]

    def simpler(self, value: list[tuple]) -> list[list[tuple]]:
        shorter = [value[:i] + value[i + 1 :] for i in range(len(value))] if len(value) > self.min_size else []
        plainer: list[list[tuple]] = []
        for i, (a, b) in enumerate(value):
            plainer += [value[:i] + [(s, b)] + value[i + 1 :] for s in self.first.simpler(a)]
            plainer += [value[:i] + [(a, s)] + value[i + 1 :] for s in self.second.simpler(b)]
        return shorter + plainer


def _draws(kind: Callable, draws: dict[str, Draw]) -> Callable:
    """A hypothesis rule (``kind``: ``rule`` or ``initialize``) whose function remembers its draws."""

    def decorate(function: Callable) -> Callable:
        function.draws = draws  # type: ignore[attr-defined]
        return kind(**{name: d.strategy() for name, d in draws.items()})(function)

    return decorate


def drawn_rule(**draws: Draw) -> Callable:
    """``@rule`` with arguments declared as :class:`Draw` objects."""
    return _draws(rule, draws)


def drawn_initialize(**draws: Draw) -> Callable:
    """``@initialize`` with arguments declared as :class:`Draw` objects."""
    return _draws(initialize, draws)
