"""How a test vector (``spec/vectors.md``) is written: the JSON format and the :class:`Script` that records a
scenario as the reference model runs it.

Accounts are role names (``operator``, ``s0``, ``b0``, ...); a replayer maps them to its own addresses.
Every step carries the absolute block timestamp it must execute at. A bid's ciphertext is bound to the
chain, the market, the order and the bidder (QUO-5), so a vector does not carry the ciphertext of an
honest bid but how to make it: a :class:`Seal` (quote and nonce, sealed by the replayer in the
implementation's context) or a :class:`Derived` ciphertext (the adversary's copy of a bid seen on chain).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reference import errors
from reference import market as mk
from reference.quotes import GENERATOR, Ciphertext, encrypt, scalar_mul
from verify.attacks.library import maul
from verify.differential.observe import model_events, model_state, role_address

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
NOW_ARG = set(ARGUMENTS) - {"register_user", "withdraw"}
"""The actions whose reference function takes the block timestamp (``now``) after its arguments."""
ACCOUNT_ARGS = ("caller", "account", "seller", "bidder")


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


def _roles(value: Any, names: dict[str, str]) -> Any:
    """Addresses replaced by role names, tuples by lists: a contract's view in the vectors' terms."""
    if isinstance(value, dict):
        return {names.get(k, k): _roles(v, names) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_roles(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value
