"""The replayer of the auction's test vectors (:mod:`verify.vectors`) for a market contract: each case on a
fresh deployment, each step at its timestamp, ciphertexts sealed in the implementation's own context, and
the outcome, the events and the observed state compared with what the case expects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reference.quotes import GENERATOR, Ciphertext, encrypt, scalar_mul
from verify.attacks.library import maul
from verify.differential.observe import contract_state, differences
from verify.toolchain.chain import FAST
from verify.vectors_script import ACCOUNT_ARGS, ARGUMENTS, NOBODY, _roles


def _decode(action: str, args: dict, account: Callable[[str], str], contract) -> list:
    """A step's arguments for the driver, roles replaced by addresses and ciphertexts made in the
    implementation's own context (``bidContext``, QUO-5) from what it has seen on chain."""
    values = []
    for name in ARGUMENTS[action]:
        value = args[name]
        if name in ACCOUNT_ARGS:
            value = account(value)
        elif name == "ciphertext":
            value = _ciphertext(value, args, account, contract)
        elif name == "public_key":
            value = tuple(value)
        values.append(value)
    return values


def _ciphertext(value: dict, args: dict, account: Callable[[str], str], contract) -> Ciphertext:
    if "seal" in value:
        seal, order_id = value["seal"], args["order_id"]
        known = order_id < contract.order_count()
        raw = contract.order(order_id) if known else {"keyX": GENERATOR[0], "keyY": GENERATOR[1]}
        context = contract.bid_context(order_id, account(seal["sealed_for"] or args["bidder"]))
        key = (raw["keyX"], raw["keyY"]) if "key" not in seal else scalar_mul(GENERATOR, seal["key"])
        return encrypt(key, seal["quote"], seal["nonce"], context)
    if "derived" in value:
        derived = value["derived"]
        return maul(derived["maul"], contract.bids[derived["order_id"]][derived["index"]][1])
    return Ciphertext((value["c1x"], value["c1y"]), value["c2"])


def _forged_opening(contract, order_id: int, count: int, how: str):
    """``openBids`` of the newest ``count`` unopened bids, the newest one's ciphertext mauled by ``how``,
    sent by the chain's first account (anyone may open)."""
    below, batch = contract.open_batch(order_id, count)
    if batch:
        bidder, c1x, c1y, c2 = batch[-1]
        mauled = maul(how, Ciphertext((c1x, c1y), c2))
        batch[-1] = (bidder, *mauled.c1, mauled.c2)
    call = contract.functions.openBids(order_id, below, batch)
    return contract.observe(contract.chain.transact(call, sender=contract.chain.accounts[0]))


def replay_all(
    contracts: Path, cases: list[dict], backend: str = FAST, artifacts: dict | None = None
) -> dict[str, list[str]]:
    """Replay every case on its own fresh deployment of ``contracts`` (or of ``artifacts``, already
    compiled with the mocks) on a ``backend`` chain: case name -> differences."""
    from verify.differential.world import artifacts_with_mocks, build_world

    world = build_world(artifacts or artifacts_with_mocks(contracts), backend)
    actors = {**world.actors, "operator": world.contract.operator}
    results = {}
    for case in cases:
        world.contract.revert(world.snapshot)
        world.snapshot = world.contract.snapshot()
        results[case["name"]] = replay(case, world.contract, actors)
    return results


def replay(case: dict, contract, actors: dict[str, str], adversary: bool = True) -> list[str]:
    """Replay ``case`` on a fresh ``contract`` (a driver); return every difference found.

    With ``adversary=False`` the adversary's steps are left out (an attack's twin run): nothing is
    compared then, the run only brings the implementation to where it would be without them.
    """
    names = {address: role for role, address in actors.items()}
    problems = []
    for number, step in enumerate(case["steps"]):
        if step.get("adversary") and not adversary:
            continue
        if step["time"] < contract.chain.pending_timestamp():
            return [f"step {number}: the chain is already past {step['time']}"]
        contract.at_time(step["time"])
        arguments = _decode(step["action"], step["args"], actors.__getitem__, contract)
        if "forged" in step["args"]:
            outcome = _forged_opening(contract, arguments[0], arguments[1], step["args"]["forged"])
        else:
            outcome = getattr(contract, step["action"])(*arguments)
        if not adversary:
            continue
        where = f"step {number} {step['action']}"
        expect = step["expect"]
        events = expect.get("events", [])
        if step["action"] == "place_bid" and events and events[0][1].get("c2") == "submitted":
            sealed: Ciphertext = arguments[2]
            events = [[events[0][0], {**events[0][1], "c1x": sealed.c1[0], "c1y": sealed.c1[1], "c2": sealed.c2}]]
        got_error = (outcome.error, _roles(list(outcome.error_args), names))
        if outcome.ok != expect["ok"]:
            wanted = "success" if expect["ok"] else expect["error"]
            problems.append(f"{where}: expected {wanted}, got {outcome.error or 'success'}")
        elif not outcome.ok and got_error != (expect["error"], expect["args"]):
            problems.append(f"{where}: expected {expect['error']}{expect['args']}, got {got_error}")
        elif outcome.ok and _roles(outcome.events, names) != events:
            problems.append(f"{where}: events {outcome.events} != {events}")
        state = _roles(contract_state(contract, [actors[r] for r in case["roles"]] + [NOBODY]), names)
        problems += [f"{where}: {d}" for d in differences(step["post"], state)]
    return problems
