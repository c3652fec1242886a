"""The bilateral market's and the energy accounts' edge vectors: the boundaries and the hostile moves the paper
cases leave out — the seller's signature forged, an overpayment, a match shorter than the bid, two certifiers
where one pass is half, a certifier registered after the execution, the last second of a ban, a delivery due
now, volumes and balances beyond 2^64, a purchase from an account that is not a grid, signatures of the
wrong length, with a wrong ``v`` or a high ``s``, offers read past the last, the execution record anchored as
another kind, a receiver that refuses its wei.

Scripted with :class:`verify.trade.vectors.Script` on the reference model (the oracle) and replayed by
:func:`verify.trade.vectors.replay`, in the same format (``fairwatt-trade-vectors/1``).
"""

from __future__ import annotations

from pathlib import Path

from reference import energy as en
from reference import fingerprints as fp
from reference import trade as tr
from verify.trade.roles import FEE, REFUSING, ROLES, TARIFF, address
from verify.trade.vectors import FORMS, KWH, PRICE, Script, Signed, setup, trade_to_execution

BIG = 2**64
"""Beyond every uint64: a volume, a price or a balance a narrowing cast would cut."""


def _grid_nonce(s: Script, role: str = "grid") -> int:
    return s.tm.energy.accounts[address(role)].nonce


def _delivery(s: Script) -> int:
    return (s.now // tr.PERIOD + 2) * tr.PERIOD


def _match(s: Script, seller: str, ask: int, buyer: str, bid: int, delivery: int) -> int:
    """``seller`` asks ``ask`` Wh, ``buyer`` bids for ``bid`` Wh, at the paper's price, matched: the trade's id."""
    s.do("declare_ask", seller, ask, PRICE, delivery).do("declare_bid", buyer, bid, PRICE, delivery)
    trade_id = len(s.tm.trades)
    s.do("match_offers", len(s.tm.offers) - 2, len(s.tm.offers) - 1)
    return trade_id


def two_certifiers() -> Script:
    """TRD-2..TRD-5 with two certifiers: the seller's signature forged, an overpayment, a bid larger than the
    ask, no certifier at execution, a late certifier, one pass of two (half: no majority), one opposing vote
    of two rejecting a trade while another is locked, the seller holding more than the trade's volume, a
    certifier the grid (not the genesis account) tries to register."""
    s = Script("edge_two_certifiers", ["TRD-2", "TRD-3", "TRD-4", "TRD-5", "ENG-2"])
    s.do("create_account", "genesis", "grid", int(en.Kind.GRID))
    s.do("issue_energy", "grid", 100 * KWH).do("issue_energy", "grid", 100 * KWH)  # the total issued is a sum
    for user in ("u0", "u1", "u2"):
        s.do("register_user", "genesis", user).do("create_account", "grid", user, int(en.Kind.USER))
    s.do("transfer_energy", "grid", "u0", 20 * KWH, _grid_nonce(s))
    delivery = _delivery(s)
    first = _match(s, "u0", 3 * KWH, "u1", 5 * KWH, delivery)  # the ask is the smaller: 3 kWh traded
    due = 3 * KWH * PRICE + FEE
    for forged in (
        Signed("u1"),  # the buyer signing for the seller
        Signed("u2"),  # someone else
        Signed("u0", changes=(("volume", 5 * KWH),)),  # terms other than those matched
        Signed("u0", chain_id=5),  # another chain
    ):
        s.do("authenticate_match", "u1", first, forged, Signed("u1"), due)
    s.do("authenticate_match", "u1", first, Signed("u0"), Signed("u1"), due + 1)  # overpaid
    s.do("authenticate_match", "u1", first, Signed("u0"), Signed("u1"), due)
    second = _match(s, "u0", 4 * KWH, "u2", 4 * KWH, delivery)
    s.do("authenticate_match", "u2", second, Signed("u0"), Signed("u2"), 4 * KWH * PRICE + FEE)
    s.now = delivery
    s.do("record_execution", "grid", first, 3 * KWH)  # nobody to certify it yet
    s.do("add_certifier", "grid", "c0")  # only the genesis account registers certifiers
    s.do("add_certifier", "genesis", "c0").do("add_certifier", "genesis", "c1")
    s.do("record_execution", "grid", first, 3 * KWH).do("record_execution", "grid", second, 0)
    s.do("add_certifier", "genesis", "c2")  # after both executions: certifies neither
    s.do("anchor_evidence", "grid", "grid", first, 3 * KWH)
    s.do("certify_execution", "c2", first, True)
    s.do("certify_execution", "c0", first, True)  # one pass of two: half, not a majority
    s.do("certify_execution", "c0", second, False)  # one opposing vote of two rejects; the first stays locked
    s.do("certify_execution", "c1", first, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", first).do("settle_trade", first)
    for role in ("u0", "u1", "u2", "fee"):
        s.do("withdraw", role)
    return s


def offer_boundaries() -> Script:
    """TRD-1, TRD-2: a delivery due now, a volume and a price beyond 2^64, a match at its delivery time and a
    second after it, a match with a bid id one past the last; the last offer read, then the ids one and two
    past it (``UnknownOffer``)."""
    s = setup("edge_offer_boundaries", ["TRD-1", "TRD-2"])
    s.do("declare_ask", "u0", KWH, PRICE, s.now)  # delivery now: too late
    s.do("declare_bid", "u1", KWH, PRICE, s.now + 1)  # the next second: in time
    s.do("declare_ask", "u0", BIG + 3, BIG + 5, s.now + 9).do("declare_bid", "u1", BIG + 7, BIG + 11, s.now + 8)
    delivery = s.now + 5
    s.do("declare_ask", "u2", KWH, PRICE, delivery).do("declare_bid", "u1", KWH, PRICE, delivery)
    s.now = delivery
    count = len(s.tm.offers)
    s.do("match_offers", count - 2, count - 1)  # at the delivery time: too late
    s.now = delivery + 1
    s.do("match_offers", count - 2, count - 1)  # past it: too late as well
    s.do("match_offers", count - 2, count)  # a bid one past the last
    return s.do("get_offer", count - 1).do("get_offer", count).do("get_offer", count + 1)


def evidence_kinds() -> Script:
    """FPR-7, TRD-5: the grid anchors trade 0's very execution record as a supply record (kind 3) and trade 1's
    as a meter reading (kind 1): neither is delivery evidence, so a pass is refused ``NoDeliveryEvidence``; the
    record is the grid's for good (``AlreadyAnchored`` as kind 2), and the certifiers reject. Kinds 0 and 4
    are none (``UnknownKind``, FPR-3)."""
    s = setup("edge_evidence_kinds", ["FPR-7", "TRD-5", "FPR-3"])
    s, delivery = trade_to_execution(s)
    s.now = delivery + tr.PERIOD  # the second trade, delivered a period later
    s, _ = trade_to_execution(s, volume=5 * KWH, delivered=5 * KWH)
    for trade_id, kind in ((0, fp.Kind.SUPPLY_RECORD), (1, fp.Kind.METER_READING)):
        payload = tr.evidence_hash(s.tm.address, trade_id, s.tm.trades[trade_id].delivered)
        s.do("anchor_record", "grid", "grid", int(kind), s.now, payload).do("certify_execution", "c0", trade_id, True)
        s.do("anchor_evidence", "grid", "grid", trade_id, s.tm.trades[trade_id].delivered)
        s.do("certify_execution", "c0", trade_id, False).do("certify_execution", "c1", trade_id, False)
    payload = tr.evidence_hash(s.tm.address, 2, 0)
    for unknown in (0, 4):
        s.do("anchor_record", "grid", "grid", unknown, s.now, payload)
    return s


def refusing_receiver() -> Script:
    """TRD-8, ENG-5: a grid account that is a contract refusing ether (``hostile``) sells energy; its withdrawal
    reverts ``TransferFailed`` of itself, not of the relayer that sent it, and changes nothing — its wei stays
    owed — nor blocks the other grid's. Its last purchase takes exactly the Wh it has left."""
    s = setup("edge_refusing_receiver", ["TRD-8", "ENG-5"], roles=(*ROLES, REFUSING))
    s.do("create_account", "genesis", REFUSING, int(en.Kind.GRID)).do("issue_energy", REFUSING, 10 * KWH)
    s.do("purchase_energy", "u1", REFUSING, KWH, 0, KWH * TARIFF)
    s.do("purchase_energy", "u1", "grid", KWH, 1, KWH * TARIFF)
    s.do("purchase_energy", "u1", REFUSING, 9 * KWH, 2, 9 * KWH * TARIFF)  # all it has left (ENG-5)
    return s.do("withdraw", REFUSING).do("withdraw", "grid").do("withdraw", REFUSING)


def ban_boundary() -> Script:
    """TRD-9, REP-9: a seller's short delivery bans it; one second before the ban ends it may not declare,
    at the second the ban ends it may."""
    s = setup("edge_ban_boundary", ["TRD-9", "TRD-1"])
    s.do("transfer_energy", "grid", "u0", 10 * KWH, _grid_nonce(s))
    delivery = _delivery(s)
    trade_id = _match(s, "u0", 10 * KWH, "u1", 10 * KWH, delivery)
    s.do("authenticate_match", "u1", trade_id, Signed("u0"), Signed("u1"), 10 * KWH * PRICE + FEE)
    s.now = delivery
    s.do("record_execution", "grid", trade_id, 4 * KWH).do("anchor_evidence", "grid", "grid", trade_id, 4 * KWH)
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", trade_id).do("settle_trade", trade_id)
    banned_until = s.tm.registry.users[address("u0")].banned_until
    if banned_until <= s.now:
        raise AssertionError("edge_ban_boundary: the short delivery did not ban the seller")
    s.now = banned_until - 1
    s.do("declare_ask", "u0", KWH, PRICE, banned_until + tr.PERIOD)
    s.do("declare_ask", "u0", KWH, PRICE, banned_until + tr.PERIOD)  # at banned_until: free again
    return s


def energy_boundaries() -> Script:
    """ENG-3..ENG-6: a transfer, a purchase and meter readings of nothing, balances beyond 2^64 moved and
    consumed, a purchase from the genesis account (a kind above the grid's, not a grid)."""
    s = setup("edge_energy_boundaries", ["ENG-3", "ENG-4", "ENG-5", "ENG-6"], grid_wh=4 * BIG)
    s.do("transfer_energy", "grid", "u0", 0, _grid_nonce(s))
    s.do("transfer_energy", "grid", "u0", BIG + 5, _grid_nonce(s))  # the target's balance beyond 2^64
    s.do("report_consumption", "grid", "u0", 0, 3)  # what is left is still beyond 2^64
    s.do("purchase_energy", "u1", "genesis", KWH, 0, KWH * TARIFF)
    s.do("purchase_energy", "u1", "u0", KWH, 0, KWH * TARIFF)  # a user is no grid either
    s.do("purchase_energy", "u1", "grid", 0, 0, 0)  # nothing bought, nothing paid
    s.do("report_generation", "grid", "u1", 0, 0).do("report_consumption", "grid", "u1", 0, 0)  # nothing metered
    s.do("purchase_energy", "u1", "grid", KWH, 0, KWH * TARIFF)
    return s


def uint128_returns() -> Script:
    """TRD-5, TRD-7, ENG-2 (ERR-42): Wh the market gives back or delivers past 2^128 − 1 — a seller topped up
    while its Wh are locked, then rejected; a buyer near the bound, then a seller near it, at settlement — each
    refused with ``InvalidAmount`` and nothing changed, then accepted at exactly 2^128 − 1 once there is room."""
    top, volume, delivered = en.UINT128_MAX, 10 * KWH, 4 * KWH
    s = setup("edge_uint128_returns", ["TRD-5", "TRD-7", "ENG-2"], grid_wh=top)
    s.do("transfer_energy", "grid", "u0", volume, _grid_nonce(s))
    delivery = _delivery(s)
    rejected = _match(s, "u0", volume, "u1", volume, delivery)
    s.do("authenticate_match", "u1", rejected, Signed("u0"), Signed("u1"), volume * PRICE + FEE)
    s.do("transfer_energy", "grid", "u0", top - volume, _grid_nonce(s)).do("issue_energy", "grid", 1)
    s.do("transfer_energy", "grid", "u0", 1, _grid_nonce(s))  # u0's balance plus its locked Wh: one past top
    s.now = delivery
    s.do("record_execution", "grid", rejected, 0)
    s.do("certify_execution", "c0", rejected, False).do("certify_execution", "c1", rejected, False)
    s.do("transfer_energy", "u0", "u2", 1, 0).do("certify_execution", "c1", rejected, False)  # u0 at top
    delivery = _delivery(s)
    settled = _match(s, "u0", volume, "u1", volume, delivery)
    s.do("authenticate_match", "u1", settled, Signed("u0"), Signed("u1"), volume * PRICE + FEE)
    s.do("issue_energy", "grid", top).do("transfer_energy", "grid", "u1", top - delivered + 1, _grid_nonce(s))
    s.do("issue_energy", "grid", 3).do("transfer_energy", "grid", "u0", delivered + 2, _grid_nonce(s))  # all it has
    s.now = delivery
    s.do("record_execution", "grid", settled, delivered).do("anchor_evidence", "grid", "grid", settled, delivered)
    s.do("certify_execution", "c0", settled, True).do("certify_execution", "c1", settled, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", settled).do("settle_trade", settled)  # the buyer's balance one past top: checked first
    s.do("transfer_energy", "u1", "u2", 1, 0).do("settle_trade", settled)  # then the seller's, two past top
    s.do("transfer_energy", "u0", "u2", 2, 1).do("settle_trade", settled)  # both at exactly top
    return s


def malformed_signatures() -> Script:
    """TRD-3: the seller's and then the buyer's signature 64 bytes long, 66 bytes long, with ``v`` the raw
    recovery id (0 or 1), and as its high-``s`` twin (which ``ecrecover`` would accept): each refused
    ``BadSignature`` of its party; then the well-formed pair is accepted."""
    s = setup("edge_malformed_signatures", ["TRD-3"])
    s.do("transfer_energy", "grid", "u0", 2 * KWH, _grid_nonce(s))
    trade_id = _match(s, "u0", 2 * KWH, "u1", 2 * KWH, _delivery(s))
    due = 2 * KWH * PRICE + FEE
    for form in FORMS:
        s.do("authenticate_match", "u1", trade_id, Signed("u0", form=form), Signed("u1"), due)
        s.do("authenticate_match", "u1", trade_id, Signed("u0"), Signed("u1", form=form), due)
    s.do("authenticate_match", "u1", trade_id, Signed("u0"), Signed("u1"), due)
    return s


def scenarios() -> list[Script]:
    return [
        two_certifiers(), offer_boundaries(), ban_boundary(), energy_boundaries(), uint128_returns(),
        malformed_signatures(), evidence_kinds(), refusing_receiver(),
    ]  # fmt: skip


def generate(out: Path) -> list[Path]:
    """Write every edge scenario as ``out/<name>.json``."""
    from verify import vectors

    return vectors.generate(out, scenarios())
