"""Run the attack library against an implementation of ``IFairwattMarket``: held or broken, and what it cost.

Each attack's vector is replayed twice on fresh deployments: once whole, compared step by step with
the model, and once without the adversary's steps (the twin). The attack is **held** when the whole
run matches the model and, for attacks the honest parties must not feel, every order ends with the
same winner, price and status as in the twin; otherwise it is **broken**, with the economic effect.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from verify.attacks.library import Attack
from verify.attacks.scenarios import scripts
from verify.toolchain.compiler import CONTRACTS
from verify.vectors import replay

KNOWN_BAD = Path(__file__).with_name("known_bad.toml")
"""Today's design before QUO-5 and QUO-2's key check, as edits of ``contracts/``: the stage must flag it."""


@dataclass
class Verdict:
    """How one attack went against one implementation."""

    attack: Attack
    held: bool
    effect: str
    """The economic effect, e.g. ``order 0: b0 paid 9,000,000,000 instead of 3,000,000,000``."""
    problems: list[str] = field(default_factory=list)
    """Where the run departed from the model's vector."""
    trace: list[str] = field(default_factory=list)
    """The vector's steps, the adversary's marked."""

    def to_json(self) -> dict:
        return {
            "attack": self.attack.id,
            "title": self.attack.title,
            "clauses": list(self.attack.clauses),
            "held": self.held,
            "effect": self.effect,
            "problems": self.problems,
            "trace": self.trace,
        }


def _outcome(contract, names: dict[str, str]) -> list[tuple[str, int, int]]:
    """Per order: winner (a role), price and status."""
    out = []
    for order_id in range(contract.order_count()):
        order = contract.order(order_id)
        out.append((names.get(order["winner"], order["winner"]), order["price"], int(order["status"])))
    return out


def _effect(whole: list, twin: list) -> str:
    if whole == twin:
        return "none: every order ends as it would without the adversary"
    parts = []
    for order_id in range(max(len(whole), len(twin))):
        got = whole[order_id] if order_id < len(whole) else None
        want = twin[order_id] if order_id < len(twin) else None
        if got == want:
            continue
        if want is None:
            parts.append(f"order {order_id} was accepted though it should not exist")
        elif got is None:
            parts.append(f"order {order_id} is missing")
        elif got[0] != want[0]:
            parts.append(f"order {order_id}: {got[0]} won at {got[1]:,} instead of {want[0]} at {want[1]:,}")
        elif got[1] != want[1]:
            parts.append(f"order {order_id}: winner {got[0]} paid {got[1]:,} instead of {want[1]:,}")
        else:
            parts.append(f"order {order_id}: status {got[2]} instead of {want[2]}")
    return "; ".join(parts)


def _trace(case: dict) -> list[str]:
    lines = []
    for step in case["steps"]:
        if step["action"] == "register_user":
            continue
        args = ", ".join(f"{k}={v}" for k, v in step["args"].items())
        who = "ADVERSARY " if step.get("adversary") else ""
        lines.append(f"{who}{step['action']}({args})")
    return lines


def run(contracts: Path = CONTRACTS) -> list[Verdict]:
    """Every attack of the library against ``contracts``."""
    from verify.differential.machine import artifacts_with_mocks, build_world

    world = build_world(artifacts_with_mocks(contracts))
    actors = {**world.actors, "operator": world.contract.operator}
    names = {address: role for role, address in actors.items()}
    verdicts = []
    for attack, script in scripts():
        case = script.case()
        outcomes = []
        problems: list[str] = []
        for adversary in (True, False):
            world.contract.revert(world.snapshot)
            world.snapshot = world.contract.snapshot()
            found = replay(case, world.contract, actors, adversary=adversary)
            problems = problems or found
            outcomes.append(_outcome(world.contract, names))
        effect = _effect(*outcomes)
        if problems and outcomes[0] == outcomes[1]:
            effect = f"departs from the model: {problems[0][:160]}"
        held = not problems and (outcomes[0] == outcomes[1] or not attack.independent)
        if not attack.independent and not problems:
            effect = "the adversary bore its own loss, as the model prescribes"
        verdicts.append(Verdict(attack, held, effect, problems[:5], _trace(case)))
    world.contract.revert(world.snapshot)
    world.snapshot = world.contract.snapshot()
    return verdicts


def write_known_bad(out: Path) -> Path:
    """Materialise the known-bad implementation: ``contracts/`` with the edits of :data:`KNOWN_BAD`.

    Each edit must match exactly once, so a change of the contracts that the fixture no longer fits
    fails loudly instead of producing a fixture that is not the old design.
    """
    edits = tomllib.loads(KNOWN_BAD.read_text())["edit"]
    for source in sorted(CONTRACTS.rglob("*.sol")):
        target = out / source.relative_to(CONTRACTS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text())
    for edit in edits:
        path = out / edit["file"]
        text = path.read_text()
        if text.count(edit["old"]) != 1:
            raise ValueError(f"{KNOWN_BAD.name}: the edit of {edit['file']} no longer fits")
        path.write_text(text.replace(edit["old"], edit["new"]))
    return out
