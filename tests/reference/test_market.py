"""MKT, PAR, AUC and SET clauses on the reference Market."""

from dataclasses import replace

import pytest

from reference import errors
from reference import events as ev
from reference.market import (
    ZERO_ADDRESS,
    Market,
    OrderStatus,
    auction_price,
    claim_buyer_default,
    claim_delivery_timeout,
    claim_seller_default,
    confirm_delivery,
    context,
    disclose_key,
    escrowed,
    is_solvent,
    open_bids,
    pay_price,
    place_bid,
    post_order,
    register_user,
    report_non_delivery,
    settle,
    valid_quote,
    withdraw,
)
from reference.params import PAPER, RESOLVED, load
from reference.quotes import FIELD_MODULUS, Ciphertext, encrypt, public_key
from verify.differential.observe import role_address

OP, SELLER, ALICE, BOB, CAROL = (role_address(r) for r in ("op", "seller", "alice", "bob", "carol"))
KEY = 4242
DEPOSIT = 10**15
START = 10**9
T = RESOLVED.bidding_period


def seal(bidder: str, quote: int, nonce: int = 7, order_id: int = 0) -> Ciphertext:
    """``bidder``'s sealed quote for ``order_id`` of a stand-alone market (QUO-4, QUO-5)."""
    return encrypt(public_key(KEY), quote, nonce, context(Market(operator=OP), order_id, bidder))


def market_with_users() -> Market:
    m = Market(operator=OP)
    for account in (SELLER, ALICE, BOB, CAROL):
        m, _ = register_user(m, OP, account)
    return m


def auction(quotes: dict[str, int | Ciphertext]) -> Market:
    """An order with the given bids, disclosed, opened and settled."""
    m, _ = post_order(market_with_users(), SELLER, 1000, START, DEPOSIT, public_key(KEY), 0)
    for i, (bidder, quote) in enumerate(quotes.items()):
        sealed = quote if isinstance(quote, Ciphertext) else seal(bidder, quote, i + 1)
        m, _ = place_bid(m, bidder, 0, sealed, DEPOSIT, 1)
    m, _ = disclose_key(m, SELLER, 0, KEY, T)
    if quotes:
        m, _ = open_bids(m, 0, 100, T)
    m, _ = settle(m, 0, T)
    return m


@pytest.mark.clauses("PAR-1")
def test_parameters_load_both_sets_PAR_1():
    assert load("resolved") is RESOLVED and RESOLVED.z0 == RESOLVED.wad // 100  # ERR-20
    assert PAPER.initial_reputation == 0 and not PAPER.eq6_corrected


@pytest.mark.clauses("MKT-1")
def test_registration_by_the_operator_only_MKT_1():
    m = Market(operator=OP)
    with pytest.raises(errors.NotOperator):
        register_user(m, ALICE, ALICE)
    m, events = register_user(m, OP, ALICE)
    assert events == [ev.UserRegistered(ALICE)]
    with pytest.raises(errors.AlreadyRegistered):
        register_user(m, OP, ALICE)


@pytest.mark.clauses("MKT-2")
def test_a_failed_action_leaves_the_state_as_it_was_MKT_2():
    m = market_with_users()
    before = replace(m)
    with pytest.raises(errors.NotRegistered):
        post_order(m, "stranger", 1, START, DEPOSIT, public_key(KEY), 0)
    assert m == before


@pytest.mark.clauses("QUO-2")
def test_a_key_is_posted_once_up_to_sign_QUO_2():
    m, _ = post_order(market_with_users(), SELLER, 5, START, DEPOSIT, public_key(KEY), 0)
    x, y = public_key(KEY)
    for account, key in ((SELLER, (x, y)), (ALICE, (x, FIELD_MODULUS - y))):  # -K discloses with n - k
        with pytest.raises(errors.KeyReused):
            post_order(m, account, 5, START, DEPOSIT, key, 1)
    m, _ = post_order(m, ALICE, 5, START, DEPOSIT, public_key(KEY + 1), 1)
    assert m.used_keys == {x, public_key(KEY + 1)[0]}


@pytest.mark.clauses("MKT-3", "MKT-4")
def test_half_open_windows_MKT_3_and_order_ids_MKT_4():
    m, events = post_order(market_with_users(), SELLER, 5, START, DEPOSIT, public_key(KEY), 0)
    assert events[0].order_id == 0
    m, events = post_order(m, SELLER, 5, START, DEPOSIT, public_key(KEY + 1), 0)
    assert events[0].order_id == 1
    with pytest.raises(errors.UnknownOrder):
        place_bid(m, ALICE, 2, seal(ALICE, START), DEPOSIT, 0)
    m, _ = place_bid(m, ALICE, 0, seal(ALICE, START), DEPOSIT, T - 1)
    with pytest.raises(errors.WrongPhase):
        place_bid(m, ALICE, 0, seal(ALICE, START), DEPOSIT, T)
    with pytest.raises(errors.WrongPhase):
        disclose_key(m, SELLER, 0, KEY, T - 1)
    with pytest.raises(errors.WrongPhase):
        disclose_key(m, SELLER, 0, KEY, T + RESOLVED.disclosure_period)


@pytest.mark.clauses("AUC-1")
def test_post_order_checks_AUC_1():
    m = market_with_users()
    with pytest.raises(errors.InvalidOrder):
        post_order(m, SELLER, 0, START, DEPOSIT, public_key(KEY), 0)
    with pytest.raises(errors.InvalidOrder):
        post_order(m, SELLER, 1, START - 1, DEPOSIT, public_key(KEY), 0)
    with pytest.raises(errors.InvalidPublicKey):
        post_order(m, SELLER, 1, START, DEPOSIT, (1, 3), 0)
    m, events = post_order(m, SELLER, 1, START, DEPOSIT, public_key(KEY), 5)
    assert events == [ev.OrderPosted(0, SELLER, 1, START, DEPOSIT, 5 + T, 5 + T + RESOLVED.disclosure_period)]


@pytest.mark.clauses("AUC-2", "AUC-3")
def test_place_bid_checks_AUC_2_and_fixed_deposit_AUC_3():
    m, _ = post_order(market_with_users(), SELLER, 1, START, DEPOSIT, public_key(KEY), 0)
    with pytest.raises(errors.SellerCannotBid):
        place_bid(m, SELLER, 0, seal(SELLER, START), DEPOSIT, 1)
    with pytest.raises(errors.WrongDeposit):
        place_bid(m, ALICE, 0, seal(ALICE, 5 * START), 5 * START, 1)  # a deposit may not track the quote
    m, events = place_bid(m, ALICE, 0, seal(ALICE, START), DEPOSIT, 1)
    assert isinstance(events[0], ev.BidPlaced) and m.balance == DEPOSIT


@pytest.mark.clauses("AUC-4")
def test_disclosure_checks_the_key_AUC_4():
    m, _ = post_order(market_with_users(), SELLER, 1, START, DEPOSIT, public_key(KEY), 0)
    with pytest.raises(errors.NotSeller):
        disclose_key(m, ALICE, 0, KEY, T)
    with pytest.raises(errors.WrongKey):
        disclose_key(m, SELLER, 0, KEY + 1, T)
    m, events = disclose_key(m, SELLER, 0, KEY, T)
    assert events == [ev.KeyDisclosed(0, KEY)] and m.orders[0].status == OrderStatus.DISCLOSED


@pytest.mark.clauses("AUC-5")
def test_invalid_quotes_are_rejected_and_refunded_AUC_5():
    m = auction({ALICE: START - 1, BOB: Ciphertext((1, 3), 0), CAROL: RESOLVED.max_quote + 1})
    assert m.orders[0].status == OrderStatus.UNSOLD
    assert m.pending == {ALICE: DEPOSIT, BOB: DEPOSIT, CAROL: DEPOSIT}
    assert not valid_quote(m.orders[0], None, RESOLVED)


@pytest.mark.clauses("AUC-6")
def test_batches_and_ties_AUC_6():
    m, _ = post_order(market_with_users(), SELLER, 1, START, DEPOSIT, public_key(KEY), 0)
    for i, bidder in enumerate((ALICE, BOB, CAROL)):
        m, _ = place_bid(m, bidder, 0, seal(bidder, 5 * START, i + 1), DEPOSIT, 1)
    m, _ = disclose_key(m, SELLER, 0, KEY, T)
    m, first = open_bids(m, 0, 2, T)
    assert first == [ev.BidsOpened(0, 1, 2)] and m.orders[0].opened == 2  # bids 2 and 1, newest first
    with pytest.raises(errors.BidsNotOpened):
        settle(m, 0, T)
    m, _ = open_bids(m, 0, 2, T)
    with pytest.raises(errors.NothingToOpen):
        open_bids(m, 0, 1, T)
    m, events = settle(m, 0, T)
    assert events == [ev.AuctionSettled(0, ALICE, 5 * START)]  # the earliest of the tie wins, at the tie


@pytest.mark.clauses("AUC-7")
def test_second_price_with_reserve_AUC_7():
    assert auction({ALICE: 9 * START, BOB: 4 * START, CAROL: 6 * START}).orders[0].price == 6 * START
    assert auction({ALICE: 9 * START}).orders[0].price == START  # a single bid pays the start price
    assert auction_price(10, 3, 5) == 5


@pytest.mark.clauses("AUC-8")
def test_settle_AUC_8():
    m = auction({ALICE: 9 * START, BOB: 4 * START})
    order = m.orders[0]
    assert (order.status, order.winner, order.deadline) == (
        OrderStatus.SETTLED,
        ALICE,
        T + RESOLVED.payment_period,
    )
    assert m.pending == {BOB: DEPOSIT} and is_solvent(m)
    assert auction({}).orders[0].status == OrderStatus.UNSOLD


def paid() -> Market:
    m = auction({ALICE: 9 * START, BOB: 4 * START})
    with pytest.raises(errors.NotWinner):
        pay_price(m, BOB, 0, 4 * START, T)
    with pytest.raises(errors.WrongPayment):
        pay_price(m, ALICE, 0, 9 * START, T)
    m, events = pay_price(m, ALICE, 0, 4 * START, T)
    assert events == [ev.PricePaid(0, ALICE, 4 * START)]
    return m


@pytest.mark.clauses("SET-1")
def test_pay_price_SET_1():
    m = paid()
    assert m.orders[0].status == OrderStatus.PAID and m.pending[ALICE] == DEPOSIT and is_solvent(m)


@pytest.mark.clauses("SET-2")
def test_delivery_pays_the_seller_and_raises_both_reputations_SET_2():
    m, events = confirm_delivery(paid(), ALICE, 0, T + 1)
    assert m.pending[SELLER] == 4 * START and m.orders[0].status == OrderStatus.COMPLETED
    assert [type(e) for e in events] == [ev.DeliveryConfirmed, ev.ReputationUpdated, ev.ReputationUpdated]
    start = RESOLVED.initial_reputation
    assert m.users[SELLER].seller_reputation > start and m.users[ALICE].buyer_reputation > start
    with pytest.raises(errors.NotBuyerOrOperator):
        confirm_delivery(paid(), BOB, 0, T + 1)
    deadline = paid().orders[0].deadline
    with pytest.raises(errors.WrongPhase):
        claim_delivery_timeout(paid(), 0, deadline - 1)
    timed_out, _ = claim_delivery_timeout(paid(), 0, deadline)
    assert timed_out.users == m.users


@pytest.mark.clauses("SET-3")
def test_non_delivery_refunds_the_buyer_and_bans_the_seller_SET_3():
    with pytest.raises(errors.NotOperator):
        report_non_delivery(paid(), ALICE, 0, T + 1)
    m, events = report_non_delivery(paid(), OP, 0, T + 1)
    assert m.pending[ALICE] == DEPOSIT + 4 * START and m.orders[0].status == OrderStatus.FAILED
    assert events[0] == ev.TradeFailed(0, SELLER) and isinstance(events[-1], ev.BanImposed)
    with pytest.raises(errors.UserBanned):
        post_order(m, SELLER, 1, START, DEPOSIT, public_key(KEY), T + 2)


@pytest.mark.clauses("SET-4")
def test_buyer_default_forfeits_the_deposit_to_the_seller_SET_4():
    m = auction({ALICE: 9 * START, BOB: 4 * START})
    with pytest.raises(errors.WrongPhase):
        claim_buyer_default(m, 0, m.orders[0].deadline - 1)
    m, events = claim_buyer_default(m, 0, m.orders[0].deadline)
    assert m.pending[SELLER] == DEPOSIT and m.users[ALICE].buyer_frauds == 1
    assert events[0] == ev.TradeFailed(0, ALICE) and is_solvent(m)
    with pytest.raises(errors.UserBanned):
        post_order(m, ALICE, 1, START, DEPOSIT, public_key(KEY), T + RESOLVED.payment_period)


@pytest.mark.clauses("SET-5")
def test_seller_who_never_discloses_SET_5():
    m, _ = post_order(market_with_users(), SELLER, 1, START, DEPOSIT, public_key(KEY), 0)
    m, _ = place_bid(m, ALICE, 0, seal(ALICE, 3 * START), DEPOSIT, 1)
    m, _ = place_bid(m, BOB, 0, seal(BOB, 2 * START, 2), DEPOSIT, 1)
    end = m.orders[0].disclosure_end
    with pytest.raises(errors.WrongPhase):
        claim_seller_default(m, 0, end - 1)
    m, events = claim_seller_default(m, 0, end)
    assert m.orders[0].status == OrderStatus.ABANDONED and m.users[SELLER].seller_frauds == 1
    m, refunds = open_bids(m, 0, 10, end)
    assert refunds == [ev.BidsOpened(0, 0, 2)]
    assert m.pending == {ALICE: DEPOSIT, BOB: DEPOSIT} and is_solvent(m)
    empty, _ = post_order(market_with_users(), SELLER, 1, START, DEPOSIT, public_key(KEY), 0)
    empty, _ = claim_seller_default(empty, 0, end)
    assert empty.orders[0].status == OrderStatus.UNSOLD and empty.users[SELLER].seller_frauds == 0


@pytest.mark.clauses("SET-6")
def test_conservation_and_escrow_SET_6():
    m = paid()
    assert escrowed(m.orders[0]) == 4 * START
    assert m.balance == sum(m.pending.values()) + 4 * START
    assert not is_solvent(replace(m, balance=m.balance - 1))


@pytest.mark.clauses("SET-7")
def test_withdraw_pulls_the_whole_balance_once_SET_7():
    m = paid()
    with pytest.raises(errors.TransferFailed):
        withdraw(m, ALICE, receiver_accepts=False)
    m2, events = withdraw(m, ALICE)
    assert events == [ev.Withdrawn(ALICE, DEPOSIT)] and m2.balance == m.balance - DEPOSIT and is_solvent(m2)
    with pytest.raises(errors.NothingToWithdraw):
        withdraw(m2, ALICE)
    assert ZERO_ADDRESS not in m2.pending
