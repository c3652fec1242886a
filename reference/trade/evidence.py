"""FPR-7: the delivery evidence a pass vote certifies: the execution record the grid anchors in the data
fingerprints (:mod:`reference.fingerprints`), from the delivery time on."""

from __future__ import annotations

from dataclasses import replace

from eth_utils import keccak

from reference import fingerprints as fp
from reference.trade.state import Result, TradeMarket, get_trade


def evidence_hash(market: str, trade_id: int, delivered: int) -> bytes:
    """FPR-4, FPR-7: the content hash of ``market``'s execution record of trade ``trade_id``, ``delivered`` Wh."""
    return keccak(fp.delivery_evidence(market, trade_id, delivered))


def evidenced(tm: TradeMarket, trade_id: int) -> bool:
    """FPR-7: whether the grid anchored trade ``trade_id``'s execution record as recorded (its delivered Wh) as
    delivery evidence with a record time not before the delivery time: evidence made before the delivery
    began, or a record of another kind with the same content, is none."""
    trade = get_trade(tm, trade_id)
    payload = evidence_hash(tm.address, trade_id, trade.delivered)
    kind, record_time = fp.record_of(tm.fingerprints, tm.grid, payload)
    return kind == fp.Kind.DELIVERY_EVIDENCE and record_time >= trade.delivery_time


def anchor_evidence(tm: TradeMarket, caller: str, provider: str, trade_id: int, delivered: int, now: int) -> Result:
    """FPR-3, FPR-7: ``caller`` anchors, for ``provider``, the delivery evidence of this market's trade
    ``trade_id`` with ``delivered`` Wh, recorded now (``Fingerprints.anchorRecord``); any trade id or amount,
    executed or not: the fingerprints know nothing of trades."""
    kind, payload = int(fp.Kind.DELIVERY_EVIDENCE), evidence_hash(tm.address, trade_id, delivered)
    fingerprints, events = fp.anchor_record(tm.fingerprints, caller, provider, kind, now, payload, now)
    return replace(tm, fingerprints=fingerprints), events
