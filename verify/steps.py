"""What the side systems' verifiers share (the bilateral market with the energy accounts, the power points, the
fingerprints): a step's outcome on the reference model, recorded as a vector's ``expect`` or compared at once
with the chain's (a state machine's step); how a replayed step departs from its vector; the vectors' step
recorder; the drivers' plumbing; the differential state machines' reset to the empty deployment and their runs'
settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import RuleBasedStateMachine

from reference import errors
from verify.differential.observe import model_events
from verify.toolchain.chain import Chain, Outcome

S = TypeVar("S")
Encode = Callable[[Any], Any]


class Mismatch(AssertionError):
    """The contracts and the model disagree."""


def _model(run: Callable[[], tuple[S, list]], before: S) -> tuple[S, tuple]:
    """The model's transition ``run``: the state after it (``before`` when refused) and its outcome, ``(ok,
    error, args, events)``."""
    try:
        after, events = run()
    except errors.FairwattError as exc:
        return before, (False, type(exc).__name__, tuple(exc.args), [])
    return after, (True, None, (), model_events(events))


def expect(run: Callable[[], tuple[S, list]], before: S, encode: Encode) -> tuple[S, dict]:
    """The model's transition ``run``: the state after it (``before`` when refused) and what the step must do,
    ``{"ok": true, "events": [...]}`` or ``{"ok": false, "error": Name, "args": [...]}``, through ``encode``."""
    after, (ok, error, args, events) = _model(run, before)
    if ok:
        return after, {"ok": True, "events": encode(events)}
    return after, {"ok": False, "error": error, "args": encode(list(args))}


def compare(
    where: str,
    model: Callable[[], tuple[S, list]],
    before: S,
    contract: Callable[[], Outcome],
    encode: Encode,
    events: bool = True,
) -> tuple[S, Outcome]:
    """One action on the model, then on the chain: the model's state after it and the chain's outcome, or
    :class:`Mismatch` where they differ (compared through ``encode``) in success, error and arguments, or (if
    ``events``) events."""
    after, expected = _model(model, before)
    outcome = contract()
    got: tuple = (outcome.ok, outcome.error, tuple(outcome.error_args), outcome.events if outcome.ok else [])
    if not events:
        expected, got = expected[:3], got[:3]
    if expected[1] != got[1] or encode(expected) != encode(got):  # error names as they are, not encoded
        raise Mismatch(f"{where}: model {expected} != contract {got}")
    return after, outcome


def departures(where: str, outcome: Outcome, expected: dict, encode: Encode, events: bool = True) -> list[str]:
    """How a replayed step's ``outcome`` departs from its ``expected`` (a vector's ``expect``): success or
    failure, the error and its arguments, and (if ``events``) the events."""
    if outcome.ok != expected["ok"]:
        return [f"{where}: expected {'success' if expected['ok'] else expected['error']}, got {outcome.error}"]
    if not outcome.ok and [outcome.error, encode(list(outcome.error_args))] != [expected["error"], expected["args"]]:
        return [f"{where}: expected {expected['error']}{expected['args']}, got {outcome.error}{outcome.error_args}"]
    if outcome.ok and events and encode(outcome.events) != expected["events"]:
        return [f"{where}: events {encode(outcome.events)} != {expected['events']}"]
    return []


class Recorder:
    """A vector's script: records each step as the model runs it, one second apart."""

    now: int
    steps: list[dict]

    def record(
        self, action: str, args: Any, run: Callable[[], tuple[S, list]], before: S, encode: Encode, post: Encode
    ) -> S:
        """Run ``run`` on the model and append the step (``args`` already encoded, ``post`` the state after it
        as the vector lists it); the state after."""
        after, expected = expect(run, before, encode)
        self.steps.append({"time": self.now, "action": action, "args": args, "expect": expected, "post": post(after)})
        self.now += 1
        return after


class _Deployed(Protocol):
    contract: Any

    @property
    def chain(self) -> Chain: ...


class OnChain:
    """A driver's plumbing: its ``contract``'s functions and address, and the chain's clock."""

    @property
    def f(self: _Deployed):
        return self.contract.functions

    @property
    def address(self: _Deployed) -> str:
        return self.contract.address

    def at_time(self: _Deployed, timestamp: int) -> None:
        """Make the next transaction's block carry ``timestamp``; an earlier time leaves the clock alone."""
        if timestamp > self.chain.pending_timestamp():
            self.chain.time_travel(timestamp)


class ChainMachine(RuleBasedStateMachine):
    """A differential state machine on one deployment (:meth:`install`), taken back to the empty deployment
    at the start of every run."""

    CONTRACT: ClassVar[Any] = None
    SNAPSHOT: ClassVar[Any] = None

    def __init__(self):
        super().__init__()
        contract = type(self).CONTRACT
        assert contract is not None, f"deploy first: {type(self).__name__}.CONTRACT"
        contract.chain.revert(type(self).SNAPSHOT)
        type(self).SNAPSHOT = contract.chain.snapshot()
        self.contract = contract

    @classmethod
    def install(cls, contract: Any) -> None:
        """Compare against ``contract`` (empty), from its snapshot."""
        cls.CONTRACT = contract
        cls.SNAPSHOT = contract.chain.snapshot()

    def now(self) -> int:
        return self.contract.chain.pending_timestamp()


def machine_settings(examples: int, steps: int, shrink: bool = True) -> settings:
    """``examples`` derandomized runs of up to ``steps`` steps, every health check off, no example database,
    one failure reported: shrunk, or (without ``shrink``) as found."""
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        report_multiple_bugs=False,
        phases=tuple(Phase) if shrink else (Phase.explicit, Phase.reuse, Phase.generate),
    )
