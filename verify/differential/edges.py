"""Test vectors at the edges of the rules (``spec/vectors.md``): the bands of reputation reached, prices
above 64 bits, payments one wei short, an order one Wh over the seller's limit, a receiver that refuses
its refund, and calls one phase early or late. Each is a scenario of the model, replayed on the contracts
as every vector is.
"""

from __future__ import annotations

from collections.abc import Iterator

from reference.quotes import public_key
from verify.vectors import DEPOSIT, GWEI, KEY, REFUSING, ROLES, Script, Seal, _auction, _setup

WIDE_DEPOSIT = 2**64 + 7919
"""A deposit that does not fit 64 bits."""
LONG = ("reputation_climbs_to_the_cap", "serial_fraud_hits_the_floor")
"""The walks to the reputation bands: many orders, each step's state read costs most on a slow engine."""


def _sale(s: Script, order_id: int, price: int, deposit: int) -> Script:
    """``s0`` sells 1000 Wh to ``b0``'s only bid, at ``price`` (the start price), delivered."""
    s.do("post_order", "s0", 1000, price, deposit, public_key(KEY + order_id))
    s.do("place_bid", "b0", order_id, Seal(price, order_id + 1), deposit)
    s.until(s.market.orders[order_id].bidding_end)
    s.do("disclose_key", "s0", order_id, KEY + order_id).do("open_bids", order_id, 1).do("settle", order_id)
    return s.do("pay_price", "b0", order_id, price).do("confirm_delivery", "b0", order_id)


def scenarios() -> Iterator[Script]:
    # Each sale is about nine times the three before it, so the seller's share of its window is ~0.9 and
    # R^s nearly doubles per sale: the eighth reaches the cap max_reputation (ERR-5).
    # Amounts are not multiples of each other: every share is rounded (down, REP-2).
    s = _setup("reputation_climbs_to_the_cap", ["REP-2", "REP-6", "REP-7", "ECO-1", "SET-2"])
    for order_id in range(8):
        price = 9**order_id * GWEI + 7919 * (order_id + 1)
        _sale(s, order_id, price, price)  # a deposit of the whole price: at least 0.1 of it (ECO-2)
    yield s

    # A seller who never discloses, seven times: R^s falls below min_reputation and is held at the floor
    # (ERR-5), where its order limit is 1 Wh (ECO-1); each default bans it anew (REP-8), and it waits.
    s = _setup("serial_fraud_hits_the_floor", ["SET-5", "REP-4", "REP-7", "REP-8", "REP-9", "ECO-1"])
    for order_id in range(7):
        s.until(s.user("s0").banned_until)
        s.do("post_order", "s0", 1, GWEI, DEPOSIT, public_key(KEY + order_id))
        s.do("place_bid", "b0", order_id, Seal(3 * GWEI, order_id + 1), DEPOSIT)
        s.until(s.market.orders[order_id].disclosure_end)
        s.do("claim_seller_default", order_id)
    s.until(s.user("s0").banned_until)
    yield s.do("post_order", "s0", 2, GWEI, DEPOSIT, public_key(KEY + 7))  # over the floor's limit

    # Quotes and a price above 2^64 wei, below max_quote: every bit of the price is kept and paid.
    s = _auction(
        _setup("price_above_64_bits", ["AUC-6", "AUC-7", "SET-1", "SET-2", "SET-7"]),
        [("b0", 2**100 + 3), ("b1", 2**64 + 12345), ("b2", 2**64 - 1)],
    )
    s.do("open_bids", 0, 3).do("settle", 0).do("pay_price", "b0", 0, 2**64 + 12345).do("confirm_delivery", "b0", 0)
    yield s.do("withdraw", "s0").do("withdraw", "b0")

    # One wei short, and one Wh over: an order over the seller's limit (1000 Wh at R^s = 0.01), a deposit
    # and a payment one wei short of what they must be.
    s = _setup("one_short_is_refused", ["ECO-1", "AUC-3", "SET-1"])
    s.do("post_order", "s0", 1001, GWEI, DEPOSIT, public_key(KEY))
    s.do("post_order", "s0", 1000, GWEI, DEPOSIT, public_key(KEY))
    s.do("place_bid", "b0", 0, Seal(5 * GWEI, 1), DEPOSIT - 1).do("place_bid", "b0", 0, Seal(5 * GWEI, 1), DEPOSIT)
    s.do("place_bid", "b1", 0, Seal(4 * GWEI, 2), DEPOSIT)
    s.until(s.market.orders[0].bidding_end)
    s.do("disclose_key", "s0", 0, KEY).do("open_bids", 0, 2).do("settle", 0)
    yield s.do("pay_price", "b0", 0, 4 * GWEI - 1).do("pay_price", "b0", 0, 4 * GWEI)

    # An opener's batch with one ciphertext changed does not hash to the stored chain, whether it reaches the
    # first bid or not, before any bid is opened or after (AUC-6): refused, nothing changes.
    s = _auction(_setup("forged_openings_are_refused", ["AUC-6"]), [("b0", 5 * GWEI), ("b1", 7 * GWEI), ("b2", GWEI)])
    s.do("open_bids", 0, 2, forged="flip-c2-low").do("open_bids", 0, 3, forged="negate-c1")
    s.do("open_bids", 0, 1).do("open_bids", 0, 2, forged="flip-c2-high").do("open_bids", 0, 1, forged="shift-c1")
    yield s.do("open_bids", 0, 2).do("settle", 0)

    # A deposit above 64 bits; the losing quotes open highest first, so the second price is not the last
    # one opened; an empty batch while bids wait; then the settlement's calls one phase early or late: a
    # seller default once disclosed, a non-delivery report and a confirmation before payment, a second
    # confirmation. Each refused; nothing changes (AUC-6, SET-2, SET-3, SET-5).
    s = _setup("out_of_phase_calls_are_refused", ["ECO-2", "AUC-6", "AUC-7", "SET-2", "SET-3", "SET-5"])
    s.do("post_order", "s0", 1000, GWEI, WIDE_DEPOSIT, public_key(KEY))
    for nonce, (bidder, gwei) in enumerate([("b0", 4), ("b1", 6), ("b2", 9)], start=1):
        s.do("place_bid", bidder, 0, Seal(gwei * GWEI, nonce), WIDE_DEPOSIT)
    s.until(s.market.orders[0].bidding_end)
    s.do("disclose_key", "s0", 0, KEY).do("open_bids", 0, 0)
    s.until(s.market.orders[0].disclosure_end)
    s.do("claim_seller_default", 0).do("open_bids", 0, 3).do("settle", 0)
    s.do("report_non_delivery", "operator", 0).do("confirm_delivery", "b2", 0)
    s.do("pay_price", "b2", 0, 6 * GWEI).do("confirm_delivery", "b2", 0)
    yield s.do("confirm_delivery", "b2", 0)

    # A seller who never discloses: the abandoned order's bids are refunded unopened (SET-5), even one
    # sealed to the point at infinity, whose quote would open under the private key 0, which nobody disclosed.
    s = _setup("abandoned_bids_stay_sealed", ["SET-5", "AUC-5"])
    s.do("post_order", "s0", 1000, GWEI, DEPOSIT, public_key(KEY))
    s.do("place_bid", "b0", 0, Seal(3 * GWEI, 1), DEPOSIT).do("place_bid", "b1", 0, Seal(5 * GWEI, 2, key=0), DEPOSIT)
    s.until(s.market.orders[0].disclosure_end)
    yield s.do("claim_seller_default", 0).do("open_bids", 0, 2).do("withdraw", "b1")

    # A bidder contract that reverts when paid: its refund stays pending, the withdrawal reverts (SET-7).
    s = Script("refusing_receiver_keeps_its_refund", ["SET-7", "AUC-6"], roles=[*ROLES, REFUSING])
    for role in ("s0", "b0", REFUSING):
        s.do("register_user", "operator", role)
    s = _auction(s, [(REFUSING, 3 * GWEI), ("b0", 5 * GWEI)])
    yield s.do("open_bids", 0, 2).do("withdraw", REFUSING).do("settle", 0)
