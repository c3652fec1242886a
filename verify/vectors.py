"""Test vectors (``spec/vectors.md``): scripted scenarios run on the reference model, written as JSON
cases that any implementation can replay; and the replayer for a market contract.

Accounts are role names (``operator``, ``s0``, ``b0``, ...); a replayer maps them to its own addresses.
Every step carries the absolute block timestamp it must execute at. A bid's ciphertext is bound to the
chain, the market, the order and the bidder (QUO-5), so a vector does not carry the ciphertext of an
honest bid but how to make it: a :class:`Seal` (quote and nonce, sealed by the replayer in the
implementation's context) or a :class:`Derived` ciphertext (the adversary's copy of a bid seen on chain).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reference import errors
from reference import market as mk
from reference.quotes import GENERATOR, Ciphertext, encrypt, public_key, scalar_mul
from verify.attacks.library import maul
from verify.differential.observe import contract_state, differences, model_events, model_state, role_address
from verify.toolchain.chain import FAST

FORMAT = "fairwatt-vectors/1"
T0 = 2_000_000_000
"""Block timestamp of every vector's first step."""
ROLES = ["s0", "s1", "b0", "b1", "b2", "stranger"]
REFUSING = "hostile"
"""A contract account that reverts when paid (the replayer's ``HostileBidder`` in mode ``Revert``): a case
lists it among its roles when it acts."""
NAMES = {role_address(role): role for role in ["operator", *ROLES, REFUSING]}
"""The model's stand-in addresses, back to role names."""
NOBODY = mk.ZERO_ADDRESS
"""Observed after every step besides the roles: nobody may be credited (a refund to the zero address)."""
REGISTERED = ["s0", "s1", "b0", "b1", "b2"]
KEY = 4242
DEPOSIT = 10**15
GWEI = 10**9
NOW_ARG = {
    name
    for name in (
        "post_order",
        "place_bid",
        "disclose_key",
        "open_bids",
        "settle",
        "claim_seller_default",
        "pay_price",
        "claim_buyer_default",
        "confirm_delivery",
        "claim_delivery_timeout",
        "report_non_delivery",
    )
}
ARGUMENTS = {
    "register_user": ("caller", "account"),
    "post_order": ("seller", "quantity", "start_price", "deposit", "public_key"),
    "place_bid": ("bidder", "order_id", "ciphertext", "value"),
    "disclose_key": ("caller", "order_id", "private_key"),
    "open_bids": ("order_id", "count"),
    "settle": ("order_id",),
    "claim_seller_default": ("order_id",),
    "pay_price": ("caller", "order_id", "value"),
    "claim_buyer_default": ("order_id",),
    "confirm_delivery": ("caller", "order_id"),
    "claim_delivery_timeout": ("order_id",),
    "report_non_delivery": ("caller", "order_id"),
    "withdraw": ("caller",),
}
"""Each action's arguments, by name, in the order the reference function and the driver take them."""


@dataclass(frozen=True)
class Seal:
    """An honest sealed bid: ``quote`` under ``nonce``, in the context of ``sealed_for``'s bid (QUO-5) —
    the bidder's own unless the step submits someone else's pending bid (a front-runner) — sealed to the
    order's key, or to ``key``·G when ``key`` is given (0: the point at infinity, which no key disclosed
    can match: the quote would open only under the private key 0)."""

    quote: int
    nonce: int
    sealed_for: str = ""
    key: int | None = None


@dataclass(frozen=True)
class Derived:
    """The ciphertext of bid ``index`` of order ``order_id`` as seen on chain, transformed by ``maul``
    (:data:`verify.attacks.library.MAULS`)."""

    order_id: int
    index: int
    maul: str = "copy"


Sealed = Ciphertext | Seal | Derived


@dataclass
class Script:
    """Builds a scenario on the model, one action at a time, recording what it must do."""

    name: str
    clauses: list[str]
    market: mk.Market = field(default_factory=lambda: mk.Market(operator=role_address("operator")))
    now: int = T0
    steps: list[dict] = field(default_factory=list)
    roles: list[str] = field(default_factory=lambda: list(ROLES))
    """The accounts whose state ``post`` lists (the zero address too)."""
    adversary: bool = False
    """Whether the steps being recorded are the adversary's (an attack's twin run leaves them out)."""

    def user(self, role: str):
        return self.market.users[role_address(role)]

    def ciphertext(self, bidder: str, order_id: int, sealed: Sealed) -> Ciphertext:
        """The model's ciphertext for a step's ``sealed`` argument."""
        if isinstance(sealed, Seal):
            orders = self.market.orders
            key = orders[order_id].public_key if order_id < len(orders) else GENERATOR  # refused anyway
            key = key if sealed.key is None else scalar_mul(GENERATOR, sealed.key)
            context = mk.context(self.market, order_id, role_address(sealed.sealed_for or bidder))
            return encrypt(key, sealed.quote, sealed.nonce, context)
        if isinstance(sealed, Derived):
            return maul(sealed.maul, self.market.orders[sealed.order_id].bids[sealed.index].ciphertext)
        return sealed

    def wait(self, seconds: int) -> None:
        self.now += seconds

    def until(self, timestamp: int) -> None:
        self.now = max(self.now, timestamp)

    def do(self, action: str, *args: Any, forged: str = "") -> Script:
        """Record ``action`` with ``args`` (by :data:`ARGUMENTS`) as the model runs it. ``forged`` (for
        ``open_bids``): the opener's batch carries the newest bid's ciphertext transformed by that maul
        (:data:`verify.attacks.library.MAULS`); it does not hash to the stored chain, so where the model would
        open the bids the contract reverts ``CiphertextMismatch`` and nothing changes (AUC-6)."""
        function = getattr(mk, action)
        named = dict(zip(ARGUMENTS[action], args, strict=True))
        model_args = [role_address(v) if k in ACCOUNT_ARGS else v for k, v in named.items()]
        if action == "place_bid":
            model_args[2] = self.ciphertext(named["bidder"], named["order_id"], named["ciphertext"])
        call = (*model_args, self.now) if action in NOW_ARG else model_args
        if action == "withdraw" and named["caller"] == REFUSING:
            call = (*call, False)  # the receiver reverts (SET-7)
        step: dict[str, Any] = {"time": self.now, "action": action, "args": _encode(named)}
        if forged:
            if action != "open_bids" or forged == "copy":
                raise ValueError(f"{action} forged by {forged!r}: only open_bids, by a maul that changes it")
            step["args"]["forged"] = forged
        if self.adversary:
            step["adversary"] = True
        try:
            market, events = function(self.market, *call)
            if forged:
                raise errors.CiphertextMismatch()
            self.market = market
            expected = _roles(_encode(model_events(events)), NAMES)
            if action == "place_bid" and not isinstance(named["ciphertext"], Ciphertext):
                expected[0][1].update(c1x="submitted", c1y="submitted", c2="submitted")
            step["expect"] = {"ok": True, "events": expected}
        except errors.FairwattError as exc:
            step["expect"] = {"ok": False, "error": type(exc).__name__, "args": _roles(_encode(list(exc.args)), NAMES)}
        observed = [role_address(r) for r in self.roles] + [NOBODY]
        step["post"] = _roles(_encode(model_state(self.market, observed)), NAMES)
        self.steps.append(step)
        self.now += 1  # a chain executes one transaction per block
        return self

    def case(self) -> dict:
        return {
            "format": FORMAT,
            "name": self.name,
            "clauses": self.clauses,
            "roles": self.roles,
            "steps": self.steps,
        }


ACCOUNT_ARGS = ("caller", "account", "seller", "bidder")


def _encode(value: Any) -> Any:
    """JSON-ready: tuples become lists, ciphertexts become {c1x, c1y, c2}, seals {seal: {...}}, derived
    ciphertexts {derived: {...}}, points [x, y]."""
    if isinstance(value, Ciphertext):
        return {"c1x": value.c1[0], "c1y": value.c1[1], "c2": value.c2}
    if isinstance(value, Seal):
        seal = {"quote": value.quote, "nonce": value.nonce, "sealed_for": value.sealed_for}
        return {"seal": seal if value.key is None else {**seal, "key": value.key}}
    if isinstance(value, Derived):
        return {"derived": {"order_id": value.order_id, "index": value.index, "maul": value.maul}}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _setup(name: str, clauses: list[str]) -> Script:
    s = Script(name, clauses)
    for role in REGISTERED:
        s.do("register_user", "operator", role)
    return s


def _auction(s: Script, quotes: list[tuple[str, int | Ciphertext]], start: int = GWEI, key: int = KEY) -> Script:
    """Order 0 by s0 with ``quotes`` as bids, then disclosed."""
    s.do("post_order", "s0", 1000, start, DEPOSIT, public_key(key))
    for nonce, (bidder, quote) in enumerate(quotes, start=1):
        s.do("place_bid", bidder, 0, quote if isinstance(quote, Ciphertext) else Seal(quote, nonce), DEPOSIT)
    s.until(s.market.orders[0].bidding_end)
    return s.do("disclose_key", "s0", 0, key)


def scenarios() -> Iterator[Script]:
    """The scripted scenarios; each names the clauses it exercises."""
    s = _auction(
        _setup(
            "happy_path_second_price",
            [
                "AUC-1",
                "AUC-2",
                "AUC-4",
                "AUC-6",
                "AUC-7",
                "AUC-8",
                "SET-1",
                "SET-2",
                "SET-7",
                "REP-2",
                "REP-6",
                "REP-7",
            ],
        ),
        [("b0", 9 * GWEI), ("b1", 4 * GWEI), ("b2", 6 * GWEI)],
    )
    s.do("open_bids", 0, 3).do("settle", 0).do("pay_price", "b0", 0, 6 * GWEI).do("confirm_delivery", "b0", 0)
    for role in ("b0", "b1", "b2", "s0"):
        s.do("withdraw", role)
    s.do("withdraw", "b0")  # nothing left
    yield s

    s = _auction(_setup("tie_earliest_bid_wins", ["AUC-6", "AUC-7"]), [("b0", 5 * GWEI), ("b1", 5 * GWEI)])
    yield s.do("open_bids", 0, 1).do("open_bids", 0, 1).do("open_bids", 0, 1).do("settle", 0)

    s = _auction(_setup("single_bid_pays_the_start_price", ["AUC-7"]), [("b0", 7 * GWEI)], start=2 * GWEI)
    yield s.do("open_bids", 0, 5).do("settle", 0)

    bad: list[tuple[str, int | Ciphertext]] = [("b0", Ciphertext((1, 3), 5)), ("b1", GWEI), ("b2", 2**128)]
    s = _auction(_setup("invalid_quotes_are_refunded", ["AUC-5", "QUO-4"]), bad, start=2 * GWEI)
    yield s.do("open_bids", 0, 3).do("settle", 0).do("withdraw", "b0")

    s = _setup("seller_never_discloses", ["SET-5", "REP-8", "REP-9"])
    s.do("post_order", "s0", 1000, GWEI, DEPOSIT, public_key(KEY))
    s.do("place_bid", "b0", 0, Seal(3 * GWEI, 1), DEPOSIT)
    s.until(s.market.orders[0].disclosure_end - 1)
    s.do("claim_seller_default", 0)
    s.do("claim_seller_default", 0).do("open_bids", 0, 1).do("withdraw", "b0")
    yield s.do("post_order", "s0", 1000, GWEI, DEPOSIT, public_key(KEY + 1))

    s = _auction(_setup("buyer_default", ["SET-4", "REP-5", "REP-8"]), [("b0", 9 * GWEI), ("b1", 4 * GWEI)])
    s.do("open_bids", 0, 2).do("settle", 0).do("pay_price", "b1", 0, 4 * GWEI)
    s.until(s.market.orders[0].deadline)
    yield s.do("pay_price", "b0", 0, 4 * GWEI).do("claim_buyer_default", 0).do("withdraw", "s0")

    s = _auction(_setup("non_delivery", ["SET-3", "REP-3", "REP-4", "REP-8"]), [("b0", 9 * GWEI)])
    s.do("open_bids", 0, 1).do("settle", 0).do("pay_price", "b0", 0, GWEI)
    yield s.do("report_non_delivery", "b0", 0).do("report_non_delivery", "operator", 0).do("withdraw", "b0")

    s = _auction(_setup("delivery_timeout", ["SET-2"]), [("b0", 9 * GWEI)])
    s.do("open_bids", 0, 1).do("settle", 0).do("pay_price", "b0", 0, GWEI)
    s.do("claim_delivery_timeout", 0)
    s.until(s.market.orders[0].deadline - 1)
    s.do("claim_delivery_timeout", 0)  # one second early
    yield s.do("confirm_delivery", "b1", 0).do("claim_delivery_timeout", 0)

    s = _auction(_setup("second_price_from_an_older_bid", ["AUC-6", "AUC-7"]), [("b0", 4 * GWEI), ("b1", 9 * GWEI)])
    yield s.do("open_bids", 0, 1).do("open_bids", 0, 1).do("settle", 0)

    # Honest sales alternate with non-deliveries so that reputation stays inside the band (a capped value
    # would hide rounding and window errors); the buyer's default comes after four trades of its own.
    s = _setup(
        "repeat_trades_fill_the_windows", ["REP-2", "REP-3", "REP-5", "REP-6", "REP-7", "SET-2", "SET-3", "SET-4"]
    )
    kinds = ["honest", "undelivered", "honest", "undelivered", "honest", "honest", "default"]
    for order_id, (gwei, kind) in enumerate(zip([7, 3, 11, 5, 13, 2, 17], kinds, strict=True)):
        start = gwei * GWEI + order_id * 7919  # amounts that do not divide each other evenly
        s.until(s.user("s0").banned_until)
        s.do("post_order", "s0", 1000, start, DEPOSIT, public_key(KEY + order_id))
        s.do("place_bid", "b0", order_id, Seal(start + order_id, order_id + 1), DEPOSIT)
        s.until(s.market.orders[order_id].bidding_end)
        s.do("disclose_key", "s0", order_id, KEY + order_id).do("open_bids", order_id, 1).do("settle", order_id)
        if kind == "default":
            s.until(s.market.orders[order_id].deadline)
            s.do("claim_buyer_default", order_id)
            continue
        s.do("pay_price", "b0", order_id, start)
        if kind == "honest":
            s.do("confirm_delivery", "b0", order_id)
        else:
            s.do("report_non_delivery", "operator", order_id)
    yield s

    s = _setup("rejections", ["MKT-1", "MKT-2", "MKT-3", "MKT-4", "AUC-1", "AUC-2", "AUC-3", "AUC-4"])
    s.do("register_user", "s0", "stranger").do("register_user", "operator", "b0")
    s.do("post_order", "stranger", 1, GWEI, DEPOSIT, public_key(KEY))
    s.do("post_order", "s0", 0, GWEI, DEPOSIT, public_key(KEY)).do("post_order", "s0", 1, GWEI, DEPOSIT, (1, 3))
    s.do("post_order", "s0", 1, GWEI, DEPOSIT, public_key(KEY))
    sealed = Seal(3 * GWEI, 1)
    s.do("place_bid", "b0", 1, sealed, DEPOSIT).do("place_bid", "s0", 0, sealed, DEPOSIT)
    s.do("place_bid", "b0", 0, sealed, DEPOSIT + 1).do("place_bid", "stranger", 0, sealed, DEPOSIT)
    s.do("disclose_key", "s0", 0, KEY)
    s.until(s.market.orders[0].bidding_end)
    s.do("place_bid", "b1", 0, sealed, DEPOSIT).do("disclose_key", "b0", 0, KEY).do("disclose_key", "s0", 0, KEY + 1)
    yield s.do("settle", 0).do("open_bids", 0, 1).do("withdraw", "b0")

    from verify.attacks.scenarios import scripts  # the attack library's vectors (they build on this module)
    from verify.differential import edges

    yield from (script for _, script in scripts())
    yield from edges.scenarios()


def generate(out: Path, scripts: Iterable | None = None) -> list[Path]:
    """Write every scenario (the auction's, unless ``scripts`` are given) as ``out/<name>.json``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for script in scenarios() if scripts is None else scripts:
        path = out / f"{script.name}.json"
        path.write_text(json.dumps(script.case(), indent=1))
        paths.append(path)
    return paths


# -- replaying ------------------------------------------------------------------------------


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


def _roles(value: Any, names: dict[str, str]) -> Any:
    """Addresses replaced by role names, tuples by lists: a contract's view in the vectors' terms."""
    if isinstance(value, dict):
        return {names.get(k, k): _roles(v, names) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_roles(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


def replay_all(
    contracts: Path, cases: list[dict], backend: str = FAST, artifacts: dict | None = None
) -> dict[str, list[str]]:
    """Replay every case on its own fresh deployment of ``contracts`` (or of ``artifacts``, already
    compiled with the mocks) on a ``backend`` chain: case name -> differences."""
    from verify.differential.machine import artifacts_with_mocks, build_world

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
