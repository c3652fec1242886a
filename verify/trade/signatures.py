"""Signatures in the bilateral market's vectors (TRD-3). A signature is not carried as bytes — it depends on the
deployment's address and chain id — but as how to make it: a :class:`Signed` (who signs, and which terms,
possibly altered: another trade id, other terms, another chain, a malformed encoding). The model signs in its
domain when a step is recorded, the replayer in its own deployment's."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from eth_keys.constants import SECPK1_N

from reference import trade as tr
from verify.trade.roles import fresh, key

SIGNATURES = {"seller_signature", "buyer_signature"}
"""The arguments that carry a :class:`Signed`."""


@dataclass(frozen=True)
class Signed:
    """``by``'s signature over trade ``trade_id``'s terms with ``changes``, in the market's domain (or on
    ``chain_id``); ``trade_id`` None is the step's own trade."""

    by: str
    changes: tuple[tuple[str, int], ...] = ()
    trade_id: int | None = None
    chain_id: int | None = None
    form: str = ""
    """How the 65 bytes are then malformed (:data:`FORMS`); empty: as signed."""

    def json(self) -> dict:
        signed = {"by": self.by, "changes": dict(self.changes), "trade_id": self.trade_id, "chain_id": self.chain_id}
        return {"signed": signed | ({"form": self.form} if self.form else {})}

    @classmethod
    def from_json(cls, value: dict) -> Signed:
        s = value["signed"]
        return cls(s["by"], tuple(s["changes"].items()), s["trade_id"], s["chain_id"], s.get("form", ""))


def _high_s(signature: bytes) -> bytes:
    """The malleable twin: ``(r, n − s)`` with the other ``v`` (27 ↔ 28) recovers the same signer (TRD-3
    refuses ``s > n/2``)."""
    s = int.from_bytes(signature[32:64], "big")
    return signature[:32] + (SECPK1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])


FORMS = {
    "short": lambda signature: signature[:64],
    "long": lambda signature: signature + b"\x00",
    "v-raw": lambda signature: signature[:64] + bytes([signature[64] - 27]),
    "high-s": _high_s,
}
"""A signature's malformed forms (TRD-3): 64 bytes, 66 bytes, ``v`` as the raw recovery id (0 or 1, not 27
or 28), the high-``s`` twin."""


def sign(tm: tr.TradeMarket, trade_id: int, signed: Signed, private_key=None) -> bytes:
    """The bytes of ``signed`` for trade ``trade_id`` of ``tm`` (empty when there is no such trade)."""
    target = trade_id if signed.trade_id is None else signed.trade_id
    if not 0 <= trade_id < len(tm.trades):
        return b""
    changes: dict[str, Any] = dict(signed.changes)
    trade = replace(tm.trades[trade_id], **changes)
    domain = tm if signed.chain_id is None else replace(tm, chain_id=signed.chain_id)
    signature = tr.sign_terms(private_key or key(signed.by), domain, target, trade)
    return FORMS[signed.form](signature) if signed.form else signature


def sign_on(contract, trade_id: int, signed: Signed) -> bytes:
    """The bytes of ``signed`` for trade ``trade_id`` as a deployed bilateral market (a
    :class:`~verify.trade.driver.ContractTrade`) holds it, in that deployment's domain."""
    if trade_id >= contract.chain.call(contract.f.tradeCount()):
        return b""
    raw = contract.chain.call(contract.f.getTrade(trade_id))
    trade = tr.Trade(raw[0], raw[3], raw[7], raw[8], raw[1])
    domain = replace(fresh(contract.address, contract.chain.chain_id), trades=(trade,) * (trade_id + 1))
    return sign(domain, trade_id, signed)
