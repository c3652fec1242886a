"""A Checks-Effects-Interactions detector for Slither: on some path of a function, a state variable is
written after an external call or a value transfer — following internal calls into their callees.

Path-sensitive over the control-flow graph: each node is visited once per "an interaction has
happened" state. An internal call counts as the interactions and writes of its callee (and a callee that
itself writes after interacting is a violation at the call). Library code is internal; a ``staticcall``
cannot re-enter to write state and is not an interaction.
"""

from __future__ import annotations

from functools import cache

from slither.core.cfg.node import Node
from slither.core.declarations import Function
from slither.detectors.abstract_detector import AbstractDetector, DetectorClassification
from slither.slithir.operations import LibraryCall


def _operation(item):
    """Slither lists some calls as ``(contract or variable, operation)`` pairs."""
    return item[1] if isinstance(item, tuple) else item


def _interacts(node: Node) -> bool:
    """The node calls another contract (not a library) or sends ether."""
    if any(not isinstance(_operation(call), LibraryCall) for call in node.high_level_calls):
        return True
    for call in node.low_level_calls:
        operation = _operation(call)
        name = operation if isinstance(operation, str) else getattr(operation, "function_name", "")
        if name != "staticcall":
            return True
    return node.can_send_eth()


def _callees(node: Node) -> list[Function]:
    out = [call.function for call in node.internal_calls if isinstance(getattr(call, "function", None), Function)]
    out += [call.function for call in node.library_calls if isinstance(getattr(call, "function", None), Function)]
    return out


@cache
def _summary(function: Function) -> tuple[bool, bool, tuple[Node, Node] | None]:
    """``(writes state, interacts, first violation inside)`` for ``function`` and what it calls."""
    writes = interacts = False
    for node in function.nodes:
        writes |= bool(node.state_variables_written)
        interacts |= _interacts(node)
        for callee in _callees(node):
            if callee is not function:
                w, i, _ = _summary(callee)
                writes, interacts = writes or w, interacts or i
    return writes, interacts, _first_violation(function)


def _first_violation(function: Function) -> tuple[Node, Node] | None:
    """A (interaction, later write) pair on some path of ``function``, or None."""
    if function.entry_point is None:
        return None
    stack: list[tuple[Node, Node | None]] = [(function.entry_point, None)]
    seen: set[tuple[Node, bool]] = set()
    while stack:
        node, interaction = stack.pop()
        key = (node, interaction is not None)
        if key in seen:
            continue
        seen.add(key)
        if interaction is not None and node.state_variables_written:
            return interaction, node
        for callee in _callees(node):
            if callee is function:
                continue
            writes, interacts, inner = _summary(callee)
            if inner is not None:
                return inner[0], node
            if interaction is not None and writes:
                return interaction, node
            if interacts and interaction is None:
                interaction = node
        if interaction is None and _interacts(node):
            interaction = node
        stack.extend((son, interaction) for son in node.sons)
    return None


class ChecksEffectsInteractions(AbstractDetector):
    ARGUMENT = "fairwatt-cei"
    HELP = "State written after an external call or value transfer (Checks-Effects-Interactions)"
    IMPACT = DetectorClassification.HIGH
    CONFIDENCE = DetectorClassification.MEDIUM

    WIKI = "https://docs.soliditylang.org/en/latest/security-considerations.html#reentrancy"
    WIKI_TITLE = "Checks-Effects-Interactions violated"
    WIKI_DESCRIPTION = (
        "On some path the function writes contract state after calling another contract or sending ether, "
        "following internal calls. The callee can re-enter and observe or exploit the unfinished state."
    )
    WIKI_EXPLOIT_SCENARIO = (
        "`withdraw` sends a balance and only then zeroes it: the recipient's fallback calls `withdraw` again "
        "and is paid twice (the paper's Fig. 8: OrderCon.updateOrderList, CryptoCon.DecryptedBidding)."
    )
    WIKI_RECOMMENDATION = "Write every effect before the first interaction; pay out by pull (withdraw) payments."

    def _detect(self):
        results = []
        for contract in self.compilation_unit.contracts_derived:
            for function in contract.functions_and_modifiers_declared:
                if not function.is_implemented or function.visibility not in ("public", "external"):
                    continue
                violation = _first_violation(function)
                if violation is None:
                    continue
                interaction, write = violation
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
                results.append(self.generate_result(info))
        return results
