"""CLM-1..CLM-5, ECO-1, ECO-2: the paper's economic claims hold on the resolved parameters, and every claim's
check refutes a known-bad variant (the paper-literal set and a mutant of the resolved one)."""

from dataclasses import replace
from pathlib import Path

import pytest

from reference import economics
from reference.errors import InvalidOrder, OrderTooLarge, Panic
from reference.market import Market, post_order, register_user
from reference.params import PAPER, RESOLVED
from reference.quotes import public_key
from reference.reputation import User, ban_days, new_user, order_limit, record_seller_trade
from verify import audit, registry
from verify.check import Context
from verify.checks import claims
from verify.findings import Status

P, WAD = RESOLVED, RESOLVED.wad
Z0_200 = replace(P, z0=200 * WAD)
"""The resolved set with the paper's z0 = 200: the amount stops mattering and growth is x201."""
CAP_1E6 = replace(P, max_reputation=10**6 * WAD)
"""The resolved set with the former cap 10^6."""


@pytest.mark.clauses("CLM-1")
def test_paper_z0_makes_the_amount_irrelevant_CLM_1():
    user = User(5 * WAD, WAD, history=(10**9, 10**9, 10**9))
    small, large = (record_seller_trade(user, z, False, 0, Z0_200) for z in (1, 10**9))
    assert small.banned_until == large.banned_until  # the same ban
    assert 0.99 < large.seller_reputation / small.seller_reputation < 1  # 1% apart for 10^9 times the amount
    user = replace(user, seller_reputation=WAD, seller_frauds=3)  # resolved: at the cap, the 4th fraud
    small, large = (record_seller_trade(user, z, False, 0, P) for z in (1, 10**9))
    assert large.seller_reputation * 1.3 < small.seller_reputation and large.banned_until > small.banned_until


@pytest.mark.clauses("CLM-1", "CLM-2")
@pytest.mark.parametrize(
    "check, bad",
    [(claims.FraudAmountClaim, Z0_200), (claims.BanGrowthClaim, CAP_1E6)],
    ids=["CLM-1", "CLM-2"],
)
def test_z3_claims_proved_and_refuted_on_known_bad_sets_CLM_1_CLM_2(check, bad):
    assert check().evaluate(P)[0] == Status.PROVED
    for params in (bad, PAPER):
        status, _, evidence = check().evaluate(params)
        assert status == Status.REFUTED and " = " in evidence


@pytest.mark.clauses("CLM-2")
def test_with_the_old_cap_a_good_record_buys_one_day_bans_CLM_2():
    assert ban_days(2**10, 10**4 * WAD, WAD, P.max_ban_days) == 1
    assert ban_days(2**10, P.max_reputation, WAD, P.max_ban_days) == 2**10


@pytest.mark.clauses("CLM-3")
def test_escalation_holds_for_the_family_and_fails_with_z0_200_CLM_3():
    good = economics.restore_claim(P)
    assert good.holds and "27 Fig. 7 merchants" in good.method
    bad = economics.restore_claim(Z0_200)
    assert not bad.holds and "restore 2 -> 2" in bad.evidence
    assert not economics.restore_claim(PAPER).holds  # reputation never leaves 0 (ERR-1)


@pytest.mark.clauses("SIM-1", "CLM-3")
def test_escalation_criterion_SIM_1():
    assert economics.first_failure([0.7, 0.5, 0.3], [2, 2, 3]) is None  # one tie within the rounding
    assert economics.first_failure([0.7, 0.5, 0.3], [2, 2, 2]) == 3  # no more than two frauds before
    assert economics.first_failure([0.7, 0.7], [2, 3]) == 2  # not steeper


@pytest.mark.clauses("CLM-4")
def test_new_sellers_limited_and_slow_to_the_largest_order_CLM_4():
    good = economics.new_seller_claim(P)
    assert good.holds and "at least 7 honest sales" in good.evidence
    assert economics.sales_to_largest_order(Z0_200) == 1
    assert economics.sales_to_largest_order(replace(CAP_1E6, z0=200 * WAD, initial_reputation=WAD)) == 3
    assert not economics.new_seller_claim(Z0_200).holds
    assert not economics.new_seller_claim(replace(P, order_quantity_per_reputation=0)).holds
    assert not economics.new_seller_claim(PAPER).holds
    assert economics.honest_sales_of_ten(P) >= economics.sales_to_largest_order(P)  # the bound is a bound


@pytest.mark.clauses("CLM-5")
def test_buyer_growth_ignores_the_sellers_reputation_CLM_5():
    assert not economics.creditworthiness_claim(P).holds
    findings = claims.CreditworthinessClaim().run(Context(Path("."), Path("."), Path(".")))
    assert [f.status for f in findings] == [Status.ACCEPTED, Status.REFUTED]
    assert "ERR-23" in findings[0].evidence


def test_the_claim_family_is_registered_in_its_own_stage():
    found = {cid: c for cid, c in registry.discover().items() if c.STAGE == "economics"}
    assert set(found) == {
        "claim-fraud-amount",
        "claim-ban-exponential",
        "claim-restore",
        "claim-new-seller-limit",
        "claim-creditworthiness",
    }
    assert "economics" in audit.STAGE_INPUTS and "economics" in audit.TIMEOUTS


def test_a_reference_claim_reports_passed_or_refuted_per_set(monkeypatch):
    findings = claims.RestoreClaim().run(Context(Path("."), Path("."), Path(".")))
    assert [f.status for f in findings] == [Status.PASSED, Status.REFUTED]
    monkeypatch.setattr(economics, "restore_claim", lambda p: economics.Verdict(False, "m", "broken"))
    assert claims.RestoreClaim().run(Context(Path("."), Path("."), Path(".")))[0].status == Status.REFUTED


@pytest.mark.parametrize("amount", [1, 10, 10**9])
def test_unbounded_reputation_overflows_at_the_18th_honest_trade_ERR_5(amount):
    user = User(WAD, WAD)  # the paper's 0 never moves (ERR-1): start from 1.0
    for _ in range(17):
        user = record_seller_trade(user, amount, True, 0, PAPER)
    assert user.seller_reputation.bit_length() == 190
    with pytest.raises(Panic):
        record_seller_trade(user, amount, True, 0, PAPER)


def _market(seller: User) -> Market:
    market, _ = register_user(Market(operator="op"), "op", "s")
    return replace(market, users={"s": seller})


@pytest.mark.clauses("ECO-1")
def test_order_size_limited_by_reputation_ECO_1():
    first = order_limit(P.initial_reputation, P.order_quantity_per_reputation, WAD)
    assert first == 1000 and order_limit(P.min_reputation, P.order_quantity_per_reputation, WAD) == 1
    market = _market(new_user(P))
    post_order(market, "s", first, 10**9, 10**15, public_key(5), 0)
    with pytest.raises(OrderTooLarge) as too_large:
        post_order(market, "s", first + 1, 10**9, 10**15, public_key(5), 0)
    assert too_large.value.args == (first + 1, first)
    defrauded = record_seller_trade(new_user(P), 10, False, 0, P)
    with pytest.raises(OrderTooLarge):  # a fraud lowers the limit
        post_order(_market(defrauded), "s", first, 10**9, 10**15, public_key(5), defrauded.banned_until)
    post_order(
        replace(market, params=replace(P, order_quantity_per_reputation=0)), "s", 10**9, 10**9, 10**15, public_key(5), 0
    )


@pytest.mark.clauses("ECO-2")
def test_deposit_at_least_a_share_of_the_start_price_ECO_2():
    market = _market(new_user(P))
    post_order(market, "s", 1, 10 * 10**9, 10**9, public_key(5), 0)  # exactly 0.1 x start price
    with pytest.raises(InvalidOrder):
        post_order(market, "s", 1, 10 * 10**9, 10**9 - 1, public_key(5), 0)
