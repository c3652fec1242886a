"""The observable state of a market, the same shape whether read from the model or from a contract.

Comparing two such snapshots is the differential check; a field added here is compared everywhere.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any

from reference import market as mk
from reference.reputation import User
from verify.driver import ContractMarket

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


def camel(name: str) -> str:
    """``order_id`` -> ``orderId``: the one naming rule between Python and Solidity."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


@cache
def snake(name: str) -> str:
    """``orderId`` -> ``order_id``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def model_state(market: mk.Market, accounts: list[str]) -> dict[str, Any]:
    """The model's observable state for ``accounts``."""
    orders = []
    for o in market.orders:
        row = {f: getattr(o, f) for f in ORDER_FIELDS if f not in ("bids", "status")}
        row.update(status=int(o.status), bids=len(o.bids), public_key=tuple(o.public_key))
        orders.append(row)
    users = {}
    for account in accounts:
        user: User | None = market.users.get(account)
        row = {"registered": user is not None, "pending": market.pending.get(account, 0)}
        source = user or User(0, 0)
        row.update({f: getattr(source, f) for f in USER_FIELDS if f not in ("registered", "pending")})
        row["history"] = tuple(row["history"])
        users[account] = row
    return {"balance": market.balance, "orders": orders, "users": users}


def contract_state(contract: ContractMarket, accounts: list[str]) -> dict[str, Any]:
    """The contract's observable state for ``accounts``, read through its views."""
    orders = []
    for order_id in range(contract.order_count()):
        raw = contract.order(order_id)
        row = {snake(k): v for k, v in raw.items() if k not in ("keyX", "keyY", "bidCount")}
        row.update(public_key=(raw["keyX"], raw["keyY"]), bids=raw["bidCount"], status=int(raw["status"]))
        orders.append(row)
    users = {}
    for account in accounts:
        raw = contract.user(account)
        row = {snake(k): v for k, v in raw.items()}
        row["history"] = tuple(row["history"])
        users[account] = row
    return {"balance": contract.balance(), "orders": orders, "users": users}


def model_events(events: list) -> list[tuple[str, dict]]:
    """Reference events as ``(Name, {camelCaseField: value})``, the shape the chain decodes."""
    return [(type(e).__name__, {camel(k): v for k, v in dataclasses.asdict(e).items()}) for e in events]


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
