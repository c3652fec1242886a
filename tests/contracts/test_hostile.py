"""Hostile counterparties block no settlement and take nobody's funds (SET-7, SET-5, AUC-5, REP-9, ERR-12)."""

import pytest

from reference.quotes import Ciphertext, public_key
from verify.driver import link

from .conftest import DEPOSIT, KEY, START, seal

REVERT, REENTER = 1, 2


def hostile(market, artifacts, mode: int):
    chain = market.chain
    bidder = chain.deploy(artifacts["HostileBidder"], market.address, value=10**18).value
    assert market.register_user(market.operator, bidder.address).ok
    assert chain.transact(bidder.functions.setMode(mode)).ok
    return bidder


def open_auction(market, quotes, hostile_bidder=None, hostile_quote=None):
    """Order 0 by account 1; bids from accounts 2.. with `quotes`, and maybe one from the hostile contract."""
    a = market.chain.accounts
    assert market.post_order(a[1], 1000, START, DEPOSIT, public_key(KEY)).ok
    for i, q in enumerate(quotes):
        assert market.place_bid(a[2 + i], 0, seal(market, a[2 + i], q, i + 1), DEPOSIT).ok
    if hostile_bidder is not None:
        c = seal(market, hostile_bidder.address, hostile_quote, 99)
        call = hostile_bidder.functions.bid(0, c.c1[0], c.c1[1], c.c2)
        assert market.observe(market.chain.transact(call, value=DEPOSIT)).ok
    market.at_time(market.order(0)["biddingEnd"])
    assert market.disclose_key(a[1], 0, KEY).ok
    assert market.open_bids(0, 100).ok
    assert market.settle(0).ok


@pytest.mark.clauses("SET-7")
def test_a_bidder_that_reverts_on_receive_blocks_nobody_SET_7(market, artifacts):
    a = market.chain.accounts
    bidder = hostile(market, artifacts, REVERT)
    open_auction(market, [5 * START, 3 * START], bidder, 2 * START)
    refused = market.chain.transact(bidder.functions.withdraw())
    assert (refused.ok, refused.error) == (False, "TransferFailed")
    assert market.user(bidder.address)["pending"] == DEPOSIT  # still owed, nothing lost
    assert market.pay_price(a[2], 0, 3 * START).ok and market.confirm_delivery(a[2], 0).ok
    for account in (a[1], a[2], a[3]):
        assert market.withdraw(account).ok
    assert market.balance() == DEPOSIT == market.user(bidder.address)["pending"]


def test_a_bidder_that_reenters_withdraw_gets_paid_once_ERR_12(market, artifacts):
    bidder = hostile(market, artifacts, REENTER)
    open_auction(market, [5 * START], bidder, 2 * START)
    before = market.chain.balance(bidder.address)
    assert market.chain.transact(bidder.functions.withdraw()).ok
    assert market.chain.call(bidder.functions.reentries()) == 1
    assert market.chain.balance(bidder.address) == before + DEPOSIT
    assert market.user(bidder.address)["pending"] == 0
    assert market.balance() == DEPOSIT  # the leader's deposit, still escrowed


@pytest.mark.clauses("SET-2")
def test_a_hostile_winner_cannot_stop_the_seller_being_paid_SET_2(market, artifacts):
    a = market.chain.accounts
    bidder = hostile(market, artifacts, REVERT)
    open_auction(market, [3 * START], bidder, 9 * START)
    assert market.order(0)["winner"] == bidder.address
    assert market.chain.transact(bidder.functions.pay(0), value=3 * START).ok
    assert market.chain.transact(bidder.functions.confirm(0)).ok
    assert market.withdraw(a[1]).ok  # the seller is paid
    assert market.user(a[1])["pending"] == 0


@pytest.mark.clauses("SET-5")
def test_a_seller_who_never_discloses_SET_5(market):
    a = market.chain.accounts
    assert market.post_order(a[1], 1000, START, DEPOSIT, public_key(KEY)).ok
    assert market.place_bid(a[2], 0, seal(market, a[2], 5 * START), DEPOSIT).ok
    assert market.place_bid(a[3], 0, seal(market, a[3], 4 * START, 2), DEPOSIT).ok
    market.at_time(market.order(0)["disclosureEnd"])
    claimed = market.claim_seller_default(0, caller=a[4])
    assert [name for name, _ in claimed.events] == ["TradeFailed", "ReputationUpdated", "BanImposed"]
    assert market.open_bids(0, 2).ok
    assert market.user(a[2])["pending"] == market.user(a[3])["pending"] == DEPOSIT
    assert market.user(a[1])["sellerFrauds"] == 1


@pytest.mark.clauses("AUC-5")
def test_malformed_ciphertexts_are_refunded_and_lose_AUC_5(market):
    a = market.chain.accounts
    assert market.post_order(a[1], 1000, START, DEPOSIT, public_key(KEY)).ok
    assert market.place_bid(a[2], 0, Ciphertext((1, 3), 5), DEPOSIT).ok  # off the curve
    assert market.place_bid(a[3], 0, Ciphertext((0, 0), 5), DEPOSIT).ok  # infinity
    assert market.place_bid(a[4], 0, seal(market, a[4], 2 * START), DEPOSIT).ok
    market.at_time(market.order(0)["biddingEnd"])
    assert market.disclose_key(a[1], 0, KEY).ok
    opened = market.open_bids(0, 3)
    assert opened.ok and opened.gas_used < 200_000  # a failing precompile burns only its own 6,000
    assert market.settle(0).events[0][1]["winner"] == a[4]
    assert market.user(a[2])["pending"] == market.user(a[3])["pending"] == DEPOSIT


@pytest.mark.clauses("AUC-6")
def test_an_opener_cannot_substitute_a_ciphertext_AUC_6(market):
    a = market.chain.accounts
    assert market.post_order(a[1], 1000, START, DEPOSIT, public_key(KEY)).ok
    assert market.place_bid(a[2], 0, seal(market, a[2], 9 * START), DEPOSIT).ok
    assert market.place_bid(a[3], 0, seal(market, a[3], 2 * START, 2), DEPOSIT).ok
    market.at_time(market.order(0)["biddingEnd"])
    assert market.disclose_key(a[1], 0, KEY).ok
    below, batch = market.open_batch(0, 2)
    forged = [batch[0], (batch[1][0], batch[1][1], batch[1][2], batch[1][3] ^ 1)]
    tampered = market.chain.transact(market.functions.openBids(0, below, forged))
    assert (tampered.ok, tampered.error) == (False, "CiphertextMismatch")
    skipped = market.chain.transact(market.functions.openBids(0, below, batch[:1]))  # drop the newest bid
    assert (skipped.ok, skipped.error) == (False, "CiphertextMismatch")
    assert market.order(0)["opened"] == 0
    newest_alone = market.chain.transact(market.functions.openBids(0, link(below, *market.bids[0][0]), batch[1:]))
    assert newest_alone.ok and market.open_bids(0, 1).ok


@pytest.mark.clauses("REP-9")
def test_banned_users_can_neither_post_nor_bid_REP_9(market):
    a = market.chain.accounts
    assert market.post_order(a[1], 1000, START, DEPOSIT, public_key(KEY)).ok
    assert market.place_bid(a[2], 0, seal(market, a[2], 5 * START), DEPOSIT).ok
    market.at_time(market.order(0)["disclosureEnd"])
    assert market.claim_seller_default(0).ok  # the seller is now banned
    posted = market.post_order(a[1], 1000, START, DEPOSIT, public_key(KEY))
    assert posted.error == "UserBanned" and posted.error_args[0] == a[1]
    assert market.post_order(a[2], 1000, START, DEPOSIT, public_key(KEY + 1)).ok
    assert market.place_bid(a[1], 1, seal(market, a[1], 5 * START, order_id=1), DEPOSIT).error == "UserBanned"
