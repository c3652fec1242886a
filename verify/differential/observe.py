"""The observable state of a market, the same shape whether read from the model or from a contract.

Comparing two such snapshots is the differential check; a field added here is compared everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any

from eth_abi.exceptions import EncodingError

from reference import market as mk
from reference.reputation import User
from verify.driver import ContractMarket, Observed

ORDER_FIELDS = (
    "seller",
    "quantity",
    "start_price",
    "deposit",
    "public_key",
    "bidding_end",
    "disclosure_end",
    "status",
    "private_key",
    "bids",
    "opened",
    "winner",
    "highest",
    "second",
    "price",
    "deadline",
)
USER_FIELDS = (
    "registered",
    "seller_reputation",
    "buyer_reputation",
    "seller_frauds",
    "buyer_frauds",
    "banned_until",
    "pending",
    "history",
)


def role_address(role: str) -> str:
    """The address standing for ``role`` where no chain assigns one: the name's bytes, left-padded
    (``b0`` -> ``0x000…6230``), so that a model's accounts are addresses and every role reads back."""
    return "0x" + role.encode().hex().rjust(40, "0")


@cache
def camel(name: str) -> str:
    """``order_id`` -> ``orderId``: the one naming rule between Python and Solidity."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@cache
def snake(name: str) -> str:
    """``orderId`` -> ``order_id``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_model_rows: dict[Any, tuple[Any, dict[str, Any]]] = {}
"""Rows already built, by the identity of the (immutable) order or user they show; the object is kept
beside its row so that its id cannot be reused while the row is cached."""


def _model_row(key: Any, source: Any, build: Any, *args: Any) -> dict[str, Any]:
    cached = _model_rows.get(key)
    if cached is None or cached[0] is not source:
        if len(_model_rows) > 50_000:
            _model_rows.clear()
        cached = _model_rows[key] = (source, build(source, *args))
    return cached[1]


def _order_row(o: mk.Order) -> dict[str, Any]:
    row = {f: getattr(o, f) for f in ORDER_FIELDS if f not in ("bids", "status")}
    row.update(status=int(o.status), bids=len(o.bids), public_key=tuple(o.public_key))
    return row


def _user_row(user: User | None, pending: int) -> dict[str, Any]:
    row: dict[str, Any] = {"registered": user is not None, "pending": pending}
    source = user or User(0, 0)
    row.update({f: getattr(source, f) for f in USER_FIELDS if f not in ("registered", "pending")})
    row["history"] = tuple(row["history"])
    return row


def model_state(market: mk.Market, accounts: list[str]) -> dict[str, Any]:
    """The model's observable state for ``accounts`` (its rows are shared between calls: read them only)."""
    orders = [_model_row(id(o), o, _order_row) for o in market.orders]
    users = {}
    for account in accounts:
        user, pending = market.users.get(account), market.pending.get(account, 0)
        users[account] = _model_row((id(user), pending), user, _user_row, pending)
    return {"balance": market.balance, "orders": orders, "users": users}


def contract_state(contract: ContractMarket, accounts: list[str], observed: Observed | None = None) -> dict[str, Any]:
    """The contract's observable state for ``accounts``, read through its views in one call (or ``observed``,
    read already). A record is decoded once: the same bytes map to the same row from then on."""
    observed = observed or contract.read_state(accounts)
    order_rows, user_rows = contract.__dict__.setdefault("_rows", ({}, {}))
    if len(order_rows) + len(user_rows) > 50_000:
        order_rows.clear(), user_rows.clear()
    orders = []
    for raw in observed.orders:
        if (row := order_rows.get(raw)) is None:
            view = contract.decode_order(raw)
            row = {snake(k): v for k, v in view.items() if k not in ("keyX", "keyY", "bidCount")}
            row.update(public_key=(view["keyX"], view["keyY"]), bids=view["bidCount"], status=int(view["status"]))
            order_rows[raw] = row
        orders.append(row)
    users = {}
    for account, raw in zip(accounts, observed.users, strict=True):
        if (row := user_rows.get(raw)) is None:
            row = {snake(k): v for k, v in contract.decode_user(raw).items()}
            row["history"] = tuple(row["history"])
            user_rows[raw] = row
        users[account] = row
    return {"balance": observed.balance, "orders": orders, "users": users}


def state_differences(
    market: mk.Market, contract: ContractMarket, accounts: list[str], observed: Observed
) -> list[str]:
    """Every difference between the model's observable state and the contract's, ``observed`` through its
    views: their return data compared byte for byte with the model's state encoded as the views encode
    it, and field by field (:func:`differences`) where the bytes differ."""
    problems = missing_fields(contract)
    orders = tuple(_encoded(contract, id(o), o, _order_view, o) for o in market.orders)
    users = []
    for account in accounts:
        user, pending = market.users.get(account), market.pending.get(account, 0)
        users.append(_encoded(contract, (id(user), pending), user, _user_view, user, pending))
    if observed.balance == market.balance and observed.orders == orders and observed.users == tuple(users):
        return problems
    return problems + differences(model_state(market, accounts), contract_state(contract, accounts, observed))


def missing_fields(contract: ContractMarket) -> list[str]:
    """The model's observable fields that the implementation's ``getOrder``/``getUser`` leave out: the
    byte comparison encodes the model into the view's own fields only, so it cannot see them."""
    missing = contract.__dict__.get("_missing_fields")
    if missing is None:
        expected = {
            "getOrder": [camel(f) for f in ORDER_FIELDS if f not in ("public_key", "bids")]
            + ["keyX", "keyY", "bidCount"],
            "getUser": [camel(f) for f in USER_FIELDS],
        }
        missing = contract.__dict__["_missing_fields"] = [
            f"{view}: the implementation has no field {name!r}"
            for view, names in expected.items()
            for name in names
            if name not in contract.view_fields(view)
        ]
    return list(missing)


def _encoded(contract: ContractMarket, key: Any, source: Any, view: Any, *args: Any) -> bytes | None:
    """The model's order or user as the contract's view returns it (None: it cannot be encoded so),
    remembered by the identity of the immutable ``source``."""
    cache = contract.__dict__.setdefault("_encoded", {})
    cached = cache.get(key)
    if cached is None or cached[0] is not source:
        if len(cache) > 50_000:
            cache.clear()
        try:
            data = view(contract, *args)
        except (KeyError, TypeError, ValueError, EncodingError):  # another implementation's fields or types
            data = None
        cached = cache[key] = (source, data)
    return cached[1]


def _order_view(contract: ContractMarket, order: mk.Order) -> bytes:
    row = _order_row(order)
    view = {camel(k): v for k, v in row.items() if k not in ("public_key", "bids")}
    view.update(keyX=row["public_key"][0], keyY=row["public_key"][1], bidCount=row["bids"])
    return contract.encode_order(view)


def _user_view(contract: ContractMarket, user: User | None, pending: int) -> bytes:
    return contract.encode_user({camel(k): v for k, v in _user_row(user, pending).items()})


def model_events(events: list) -> list[tuple[str, dict]]:
    """Reference events as ``(Name, {camelCaseField: value})``, the shape the chain decodes."""
    return [(type(e).__name__, _fields(e)) for e in events]


_SCALARS = (int, str, bool, bytes)


def _fields(event: Any) -> dict[str, Any]:
    """An event's fields by camelCase name; ``dataclasses.asdict`` (slow: it copies deeply) only for an
    event with a nested value."""
    row = {camel(f.name): getattr(event, f.name) for f in dataclasses.fields(event)}
    if all(type(v) in _SCALARS for v in row.values()):
        return row
    return {camel(k): v for k, v in dataclasses.asdict(event).items()}


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Every path where two snapshots differ, as ``path: expected != actual``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            out += differences(expected.get(key), actual.get(key), f"{path}.{key}" if path else str(key))
        return out
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            d for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for d in differences(e, a, f"{path}[{i}]")
        ]
    return [] if expected == actual else [f"{path}: model {expected!r} != contract {actual!r}"]
