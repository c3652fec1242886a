"""One action applied in lockstep to the reference ``Market`` and, when a world is attached, to the deployed
market, then the two compared: success or revert and the error's name and arguments, the decoded events,
the whole observable state (:mod:`.observe`) and the externally owned accounts' ether.

:class:`Lockstep` is the base of the campaign's state machine (:mod:`.machine`), which chooses the actions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from hypothesis.stateful import RuleBasedStateMachine

from reference import errors
from reference import events as ev
from reference import market as mk
from verify.differential.observe import model_events, role_address, state_differences
from verify.differential.world import REFUSING, ROLES, World
from verify.steps import Mismatch
from verify.toolchain.chain import Outcome
from verify.vectors_script import ARGUMENTS, NOW_ARG

ACTIONS: dict[str, tuple[Any, bool]] = {name: (getattr(mk, name), name in NOW_ARG) for name in ARGUMENTS}
"""transition name -> (reference function, whether it takes ``now``)"""
VALUE_ARG = {name: arguments.index("value") for name, arguments in ARGUMENTS.items() if "value" in arguments}
"""Position of the ether value among an action's arguments."""


class Lockstep(RuleBasedStateMachine):
    """The model, the deployed market of ``WORLD`` if any, and what is compared after every step."""

    WORLD: ClassVar[World | None] = None
    """The deployed contract to compare against; None runs the model alone."""

    def __init__(self):
        super().__init__()
        world = self.WORLD
        self.contract = world.contract if world else None
        if world is not None and self.contract is not None:
            self.contract.revert(world.snapshot)
            world.snapshot = self.contract.snapshot()  # snapshots are used up by a revert
            self.actors = dict(world.actors)
        else:
            self.actors = {role: role_address(role) for role in ROLES}
        self.operator = self.contract.operator if self.contract else role_address("operator")
        self.market = mk.Market(operator=self.operator)
        if self.contract is not None:  # quotes are sealed in the deployed market's context (QUO-5)
            self.market = replace(self.market, address=self.contract.address, chain_id=self.contract.chain.chain_id)
        self.model_now = 0
        self.paid_in = 0
        self.paid_out = 0
        self.reached: set[mk.OrderStatus] = set()
        self.ether = self._ether()

    def now(self) -> int:
        return self.contract.chain.pending_timestamp() if self.contract else self.model_now

    def wait_until(self, timestamp: int) -> None:
        if self.contract:
            self.contract.at_time(timestamp)
        else:
            self.model_now = max(self.model_now, timestamp)

    def apply(self, action: str, *args) -> bool:
        """Apply ``action`` to the model and the contract; return whether it succeeded."""
        function, takes_now = ACTIONS[action]
        receiver = args[0] if action == "withdraw" else None
        model_args = (*args, self.now()) if takes_now else args
        if receiver is not None:
            model_args = (receiver, receiver != self.actors[REFUSING])
        before = self.market
        try:
            after, events = function(before, *model_args)
            expected: tuple = (None, ())
        except errors.FairwattError as exc:
            after, events, expected = before, [], (type(exc).__name__, exc.args)
            assert self.market is before  # MKT-2
        if self.contract is not None:
            self._compare(action, args, expected, model_events(events), after)
        self.market = after
        if expected[0] is None:
            self.paid_in += args[VALUE_ARG[action]] if action in VALUE_ARG else 0
            self.paid_out += sum(e.amount for e in events if isinstance(e, ev.Withdrawn))
            self.reached.update(o.status for o in self.market.orders)
        return expected[0] is None

    def _compare(self, action: str, args: tuple, expected: tuple, events: list, after: mk.Market) -> None:
        assert self.contract is not None
        world = self.WORLD
        assert world is not None
        outcome: Outcome = getattr(self.contract, action)(*args)
        world.steps += 1
        got = (outcome.error, tuple(outcome.error_args)) if not outcome.ok else (None, ())
        if got != expected:
            raise Mismatch(f"{action}{args}: model {_outcome(expected)}, contract {_outcome(got)}")
        if outcome.ok and outcome.events != events:
            raise Mismatch(f"{action}{args}: events differ\n  model    {events}\n  contract {outcome.events}")
        if outcome.ok:  # fee 0 on an engine without fees; the value moves all the same
            sender = args[0] if isinstance(args[0], str) else None
            if sender in self.ether:  # proxied and caller-less actions are sent by the operator
                value = args[VALUE_ARG[action]] if action in VALUE_ARG else 0
                self.ether[sender] -= outcome.fee + value
        for name, data in outcome.events:
            if name == "Withdrawn" and data["account"] in self.ether:
                self.ether[data["account"]] += data["amount"]
        accounts = list(self.actors.values())
        observed = self.contract.read_state(accounts)
        diffs = state_differences(after, self.contract, accounts, observed)
        if diffs:
            raise Mismatch(f"after {action}{args}:\n  " + "\n  ".join(diffs[:12]))
        for account, wei in zip(accounts, observed.ether, strict=True):
            if account in self.ether and wei != self.ether[account]:
                raise Mismatch(f"after {action}{args}: ether of {account}: expected {self.ether[account]}, chain {wei}")

    def _ether(self) -> dict[str, int]:
        if self.contract is None:
            return {}
        eoas = [a for a in self.actors.values() if a not in self.contract.proxies]
        return {a: self.contract.chain.balance(a) for a in eoas}

    def teardown(self):
        if self.WORLD is not None:
            self.WORLD.reached |= self.reached


def _outcome(result: tuple) -> str:
    return "success" if result[0] is None else f"revert {result[0]}{tuple(result[1])}"
