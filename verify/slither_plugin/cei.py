"""A Checks-Effects-Interactions detector for Slither: on some path of a function, a state variable is
written after an external call or a value transfer — following internal calls into their callees.

Path-sensitive over the control-flow graph: each node is visited once per "an interaction has
happened" state. An internal call counts as the interactions and writes of everything it reaches (and a
callee that itself writes after interacting is a violation at the call). Library code is internal; a
``staticcall`` cannot re-enter to write state and is not an interaction. Functions that call each other
are summarised over everything they reach, so recursion ends.

Every public or external function of every deployed contract is analysed, inherited ones included
(once per declaring contract). The impact follows the interaction: ``high`` when it forwards ether with
all the remaining gas (``call`` or a contract call with value), ``medium`` for any other external call,
``low`` when it is only ``transfer``/``send`` (2300 gas: the recipient cannot re-enter to write state).
"""

from __future__ import annotations

from functools import cache

from slither.core.cfg.node import Node
from slither.core.declarations import Function
from slither.detectors.abstract_detector import AbstractDetector, DetectorClassification
from slither.slithir.operations import HighLevelCall, LibraryCall, LowLevelCall, Send, Transfer

HIGH, MEDIUM, LOW, NONE = 3, 2, 1, 0
IMPACT_NAMES = {HIGH: "High", MEDIUM: "Medium", LOW: "Low"}


def _kind(node: Node) -> int:
    """How dangerous the node's interactions are: :data:`HIGH` ... :data:`NONE` (no interaction)."""
    kind = NONE
    for op in node.irs:
        if isinstance(op, LowLevelCall) and op.function_name != "staticcall":
            kind = max(kind, HIGH if op.call_value is not None else MEDIUM)
        elif isinstance(op, HighLevelCall) and not isinstance(op, LibraryCall):
            kind = max(kind, HIGH if op.call_value is not None else MEDIUM)
        elif isinstance(op, (Transfer, Send)):
            kind = max(kind, LOW)
    return kind


def _callees(node: Node) -> list[Function]:
    out = [call.function for call in node.internal_calls if isinstance(getattr(call, "function", None), Function)]
    out += [call.function for call in node.library_calls if isinstance(getattr(call, "function", None), Function)]
    return out


@cache
def _reachable(function: Function) -> tuple[Function, ...]:
    """``function`` and every function it calls internally, directly or not (cycles visited once)."""
    seen = {function}
    todo = [function]
    while todo:
        for node in todo.pop().nodes:
            for callee in _callees(node):
                if callee not in seen:
                    seen.add(callee)
                    todo.append(callee)
    return tuple(seen)


@cache
def _effects(function: Function) -> tuple[bool, int]:
    """``(writes state, strongest interaction)`` of ``function`` and everything it reaches."""
    nodes = [node for reached in _reachable(function) for node in reached.nodes]
    return any(node.state_variables_written for node in nodes), max((_kind(node) for node in nodes), default=NONE)


def _first_violation(function: Function, active: frozenset = frozenset()) -> tuple[Node, Node, int] | None:
    """An (interaction, later write, interaction kind) triple on some path of ``function``, or None.
    ``active``: the functions being analysed up the call chain (a call back into one is not entered
    again: its own analysis covers it)."""
    if function.entry_point is None:
        return None
    active = active | {function}
    stack: list[tuple[Node, Node | None, int]] = [(function.entry_point, None, NONE)]
    seen: set[tuple[Node, bool]] = set()
    while stack:
        node, interaction, kind = stack.pop()
        key = (node, interaction is not None)
        if key in seen:
            continue
        seen.add(key)
        if interaction is not None and node.state_variables_written:
            return interaction, node, kind
        for callee in _callees(node):
            if callee in active:
                continue
            writes, interacts = _effects(callee)
            inner = _violation_in(callee, active) if writes and interacts else None
            if inner is not None:
                return inner[0], node, inner[2]
            if interaction is not None and writes:
                return interaction, node, kind
            if interacts and interaction is None:
                interaction, kind = node, interacts
        if interaction is None and _kind(node):
            interaction, kind = node, _kind(node)
        stack.extend((son, interaction, kind) for son in node.sons)
    return None


@cache
def _own_violation(function: Function) -> tuple[Node, Node, int] | None:
    return _first_violation(function)


def _violation_in(callee: Function, active: frozenset) -> tuple[Node, Node, int] | None:
    """The first violation of ``callee`` called from the chain ``active`` (kept once computed when no
    function of the chain is reachable from ``callee``: then the chain cannot change it)."""
    if active.isdisjoint(_reachable(callee)):
        return _own_violation(callee)
    return _first_violation(callee, active)


class ChecksEffectsInteractions(AbstractDetector):
    ARGUMENT = "fairwatt-cei"
    HELP = "State written after an external call or value transfer (Checks-Effects-Interactions)"
    IMPACT = DetectorClassification.HIGH
    CONFIDENCE = DetectorClassification.MEDIUM

    WIKI = "https://docs.soliditylang.org/en/latest/security-considerations.html#reentrancy"
    WIKI_TITLE = "Checks-Effects-Interactions violated"
    WIKI_DESCRIPTION = (
        "On some path the function writes contract state after calling another contract or sending ether, "
        "following internal calls. The callee can re-enter and observe or exploit the unfinished state. "
        "High when the call forwards ether with all remaining gas, medium for other external calls, low for "
        "`transfer`/`send` (2300 gas)."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "`withdraw` sends a balance and only then zeroes it: the recipient's fallback calls `withdraw` again "
        "and is paid twice (the paper's Fig. 8: OrderCon.updateOrderList, CryptoCon.DecryptedBidding)."
    )
    WIKI_RECOMMENDATION = "Write every effect before the first interaction; pay out by pull (withdraw) payments."

    def _detect(self):
        results = []
        reported = set()
        for contract in self.compilation_unit.contracts_derived:
            for function in contract.functions_and_modifiers:
                if not function.is_implemented or function.visibility not in ("public", "external"):
                    continue
                violation = _first_violation(function)
                if violation is None:
                    continue
                interaction, write, kind = violation
                key = (function.canonical_name, str(interaction.source_mapping), str(write.source_mapping))
                if key in reported:  # inherited by several contracts, analysed alike
                    continue
                reported.add(key)
                info = [
                    function,
                    " writes state after an interaction:\n",
                    "\t- interaction: ",
                    interaction,
                    "\n",
                    "\t- later write: ",
                    write,
                    "\n",
                ]
                result = self.generate_result(info)
                result.data["impact"] = IMPACT_NAMES[kind]
                results.append(result)
        return results
