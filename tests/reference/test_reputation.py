"""REP-1..REP-9, FXP-1..FXP-4, SIM-1, and the errata shown on the paper-literal parameters."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import exact
from reference.errors import Panic
from reference.fixedpoint import UINT256_MAX, ceil_div, checked, div, mul_div
from reference.params import PAPER, RESOLVED
from reference.reputation import (
    User,
    ban_days,
    buyer_growth,
    buyer_penalty,
    is_banned,
    new_user,
    penalty_coefficient,
    record_buyer_trade,
    record_seller_trade,
    reputation_step,
    seller_growth,
    share_plus_z0,
)
from reference.scenarios import drops as fraud_drops
from reference.scenarios import malicious_trader, restore_counts

P = RESOLVED
WAD = P.wad
amounts = st.integers(10**9, 10**24)
histories = st.lists(amounts, max_size=P.history_size).map(tuple)
reputations = st.integers(P.min_reputation, P.max_reputation)
users = st.builds(
    User,
    seller_reputation=reputations,
    buyer_reputation=reputations,
    seller_frauds=st.integers(0, 40),
    buyer_frauds=st.integers(0, 40),
    history=histories,
)


@pytest.mark.clauses("REP-1")
def test_new_users_start_at_one_REP_1():
    assert new_user(P) == User(P.initial_reputation, P.initial_reputation) and 0 < P.initial_reputation <= WAD


@pytest.mark.clauses("REP-2")
def test_eq1_share_of_the_window_REP_2():
    user = User(WAD, WAD, history=(10, 30, 20))
    # window_s = 4 includes the current trade: 10 / (10 + 30 + 20 + 40)... of the last four
    assert seller_growth(user, 40, P) == 40 * WAD // (10 + 30 + 20 + 40) + P.z0
    assert seller_growth(User(WAD, WAD), 7, P) == WAD + P.z0  # empty history: the share is 1


@pytest.mark.clauses("REP-3")
def test_eq2_same_shape_rounds_down_REP_3():
    assert share_plus_z0(1, 3, P.z0, WAD) == WAD // 3 + P.z0


@pytest.mark.clauses("REP-4")
def test_c_of_n_doubles_and_is_capped_REP_4():
    assert [penalty_coefficient(n, 32) for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert penalty_coefficient(100, 32) == 2**32


@pytest.mark.clauses("REP-5")
def test_eq4_buyer_penalty_REP_5():
    assert buyer_penalty(20, 0, P.profit_coefficient, WAD) == WAD  # no history: p = 1
    assert buyer_penalty(20, 30, P.profit_coefficient, WAD) == 10 * WAD // 40


@pytest.mark.clauses("REP-6")
def test_eq5_buyer_growth_is_L_times_s_REP_6():
    assert buyer_growth(201 * WAD, P.profit_coefficient, WAD) == 201 * WAD // 2


@settings(max_examples=200)
@given(users, amounts)
@pytest.mark.clauses("REP-7")
def test_honest_trades_never_lower_and_frauds_always_lower_REP_7(user, amount):
    for honest in (True, False):
        after = record_seller_trade(user, amount, honest, 0, P)
        if honest:
            assert after.seller_reputation >= user.seller_reputation
        elif user.seller_reputation > P.min_reputation:
            assert after.seller_reputation < user.seller_reputation
        growth = seller_growth(user, amount, P)
        bought = record_buyer_trade(user, amount, growth, honest, 0, P)
        if honest:
            assert bought.buyer_reputation >= user.buyer_reputation
        elif user.buyer_reputation > P.min_reputation:
            assert bought.buyer_reputation < user.buyer_reputation
        for side in (after.seller_reputation, bought.buyer_reputation):
            assert P.min_reputation <= side <= P.max_reputation
        assert after.history[-1] == amount and len(after.history) <= P.history_size


@pytest.mark.clauses("REP-7")
def test_reputation_step_matches_eq3_REP_7():
    assert reputation_step(WAD, 201 * WAD, 0, 1, WAD, WAD) == 202 * WAD
    assert reputation_step(202 * WAD, 0, 200 * WAD, 2, WAD, WAD) == 202 * WAD * WAD // (401 * WAD)


@settings(max_examples=200)
@given(users, amounts, st.integers(0, 2**40))
@pytest.mark.clauses("REP-8")
def test_fraud_bans_grow_with_the_count_and_never_shrink_REP_8(user, amount, now):
    after = record_seller_trade(user, amount, False, now, P)
    days = ban_days(penalty_coefficient(after.seller_frauds, 32), after.seller_reputation, WAD, P.max_ban_days)
    assert after.banned_until == max(user.banned_until, now + days * P.day)
    assert 1 <= days <= P.max_ban_days
    assert ban_days(2, WAD, WAD, 0) > ban_days(1, WAD, WAD, 0)


@pytest.mark.clauses("REP-9")
def test_banned_while_before_the_date_REP_9():
    user = replace(new_user(P), banned_until=100)
    assert is_banned(user, 99) and not is_banned(user, 100)


@pytest.mark.clauses("FXP-1", "FXP-2", "FXP-3")
def test_uint256_semantics_FXP_1_FXP_2_FXP_3():
    assert checked(UINT256_MAX) == UINT256_MAX
    with pytest.raises(Panic) as overflow:
        checked(UINT256_MAX + 1)
    assert overflow.value.args == (Panic.OVERFLOW,)
    with pytest.raises(Panic) as zero:
        div(1, 0)
    assert zero.value.args == (Panic.DIVISION_BY_ZERO,)
    assert (div(7, 2), ceil_div(7, 2), ceil_div(0, 5)) == (3, 4, 0)
    with pytest.raises(Panic):
        mul_div(2**255, 2, 1)  # the product overflows although the result would not


@settings(max_examples=300)
@given(users, amounts, st.booleans())
@pytest.mark.clauses("FXP-4")
def test_fixed_point_within_the_stated_error_of_the_rational_formula_FXP_4(user, amount, honest):
    sold = record_seller_trade(user, amount, honest, 0, P)
    rational = exact.seller_update(user, amount, honest, P) * WAD
    c = penalty_coefficient(sold.seller_frauds, P.max_fraud_exponent)
    assert abs(sold.seller_reputation - rational) <= 1 + rational * (c + 2) / WAD
    growth = seller_growth(user, amount, P)
    bought = record_buyer_trade(user, amount, growth, honest, 0, P)
    rational = exact.buyer_update(user, amount, exact.seller_growth(user, amount, P), honest, P) * WAD
    c = penalty_coefficient(bought.buyer_frauds, P.max_fraud_exponent)
    assert abs(bought.buyer_reputation - rational) <= 1 + rational * (c + 2) / WAD


@pytest.mark.clauses("SIM-1")
def test_fig7_seller_each_fraud_steeper_and_recovery_longer_SIM_1():
    steps = malicious_trader(P, 200, seller=True)
    drops = fraud_drops(steps)
    assert len(drops) >= 10
    assert all(later < earlier for earlier, later in zip(drops, drops[1:], strict=False))
    counts = restore_counts(steps, P, seller=True)
    assert all(later >= earlier for earlier, later in zip(counts, counts[1:], strict=False))
    assert counts[-1] > counts[0]


def test_fig7_buyer_escalates_but_not_strictly_ERR_14():
    steps = malicious_trader(P, 200, seller=False)
    drops = fraud_drops(steps)
    assert all(later <= earlier for earlier, later in zip(drops, drops[1:], strict=False))
    assert drops[-1] < drops[0]
    counts = restore_counts(steps, P, seller=False)
    assert counts[-1] > counts[0]
    # two equal drops: with previous totals 10 then 30, p(z) halves as c(n) doubles (L·z = 10)
    first = record_buyer_trade(User(WAD, WAD, history=(10,)), 20, 0, False, 0, P).buyer_reputation
    second = record_buyer_trade(User(WAD, WAD, buyer_frauds=1, history=(10, 10, 10)), 20, 0, False, 0, P)
    assert first == second.buyer_reputation == WAD * 2 // 3


# -- the paper-literal parameters show the defects -----------------------------------------


def test_paper_reputation_zero_never_moves_ERR_1():
    steps = malicious_trader(PAPER, 20, seller=True)
    assert all(s.reputation == 0 and s.honest for s in steps)


def test_paper_eq6_rewards_a_default_and_punishes_payment_ERR_2():
    user = User(WAD, WAD, history=(10, 10))
    growth = seller_growth(user, 10, PAPER)
    assert record_buyer_trade(user, 10, growth, False, 0, PAPER).buyer_reputation > WAD
    assert record_buyer_trade(user, 10, growth, True, 0, PAPER).buyer_reputation < WAD


def test_paper_unbounded_reputation_overflows_ERR_5():
    user = User(WAD, WAD)
    with pytest.raises(Panic) as overflow:
        for _ in range(60):
            user = record_seller_trade(user, 10, True, 0, PAPER)
    assert overflow.value.args == (Panic.OVERFLOW,)
    capped = User(WAD, WAD)
    for _ in range(60):
        capped = record_seller_trade(capped, 10, True, 0, P)
    assert capped.seller_reputation == P.max_reputation


def test_paper_ban_divides_by_zero_at_reputation_zero_ERR_4():
    with pytest.raises(Panic) as zero:
        record_seller_trade(User(0, 0), 10, False, 0, PAPER)
    assert zero.value.args == (Panic.DIVISION_BY_ZERO,)
    assert record_seller_trade(User(P.min_reputation, WAD), 10, False, 0, P).banned_until == P.max_ban_days * P.day
