"""TRD and ENG clauses on the reference model: the seven stages, the energy accounts and the paper's cases."""

from dataclasses import replace

import pytest

from reference import energy as en
from reference import errors
from reference import events as ev
from reference import fingerprints as fp
from reference import market as mk
from reference import trade as tr
from verify.trade.roles import FEE, TARIFF, address, fresh, key

A = address
KWH = 1000
T = 10 * tr.PERIOD
PRICE = 67 * 10**13
"""0.67 per kWh at 10^18 wei per unit of money, in wei per Wh."""


def ready(certifiers: int = 3, grid_wh: int = 10**7 * KWH) -> tr.TradeMarket:
    """Users u0..u2 registered in the auction with user accounts under the grid, which issued ``grid_wh``."""
    tm = fresh()
    registry = tm.registry
    for u in ("u0", "u1", "u2"):
        registry, _ = mk.register_user(registry, A("genesis"), A(u))
    e, _ = en.create_account(tm.energy, A("genesis"), A("grid"), en.Kind.GRID)
    e, _ = en.issue_energy(e, A("grid"), grid_wh)
    for u in ("u0", "u1", "u2"):
        e, _ = en.create_account(e, A("grid"), A(u), en.Kind.USER)
    tm = replace(tm, registry=registry, energy=e)
    for c in ("c0", "c1", "c2")[:certifiers]:
        tm, _ = tr.add_certifier(tm, A("genesis"), A(c))
    return tm


def give(tm: tr.TradeMarket, role: str, wh: int) -> tr.TradeMarket:
    e, _ = en.transfer_energy(tm.energy, A("grid"), A(role), wh, tm.energy.accounts[A("grid")].nonce)
    return replace(tm, energy=e)


def matched(tm: tr.TradeMarket, volume: int = 10 * KWH, ask: int = PRICE, bid: int = PRICE) -> tr.TradeMarket:
    tm = give(tm, "u0", volume)
    tm, _ = tr.declare_ask(tm, A("u0"), volume, ask, T, 0)
    tm, _ = tr.declare_bid(tm, A("u1"), volume, bid, T, 0)
    tm, _ = tr.match_offers(tm, 0, 1, 0)
    return tm


def evidenced(tm: tr.TradeMarket, delivered: int, trade_id: int = 0) -> tr.TradeMarket:
    """The grid anchors the execution record (``trade_id``, ``delivered``) (FPR-7)."""
    tm, _ = tr.anchor_evidence(tm, A("grid"), A("grid"), trade_id, delivered, T)
    return tm


def authenticated(tm: tr.TradeMarket) -> tr.TradeMarket:
    trade = tm.trades[0]
    sigs = (tr.sign_terms(key("u0"), tm, 0, trade), tr.sign_terms(key("u1"), tm, 0, trade))
    tm, _ = tr.authenticate_match(tm, A("u1"), 0, *sigs, tr.escrow(trade, FEE), 1)
    return tm


@pytest.mark.clauses("TRD-1", "TRD-2", "TRD-3", "TRD-4", "TRD-5", "TRD-6", "TRD-7", "TRD-8", "ENG-8")
def test_paper_case_pays_six_point_seven_and_a_fee_of_point_two():
    tm = authenticated(matched(ready()))
    assert tr.is_solvent(tm) and en.energy_conserved(tm.energy)
    tm, _ = tr.record_execution(tm, A("grid"), 0, 10 * KWH, T)
    tm, _ = tr.certify_execution(evidenced(tm, 10 * KWH), A("c0"), 0, True, T)
    assert tm.trades[0].status == tr.TradeStatus.EXECUTED  # 1 of 3 is no majority
    tm, events = tr.certify_execution(tm, A("c1"), 0, True, T)
    assert events[-1] == tr.ExecutionCertified(0, True)
    with pytest.raises(tr.WrongTradeStage):
        tr.clear_trade(tm, 0, T + tr.PERIOD - 1)
    tm, _ = tr.clear_trade(tm, 0, T + tr.PERIOD)
    assert tm.periods[tr.period_of(T)] == tr.Period(1, 10 * KWH, 67 * 10**17)
    tm, events = tr.settle_trade(tm, 0, T + tr.PERIOD)
    assert events[0] == tr.TradeSettled(0, 67 * 10**17, 2 * 10**17, 0)  # 6.7 to A, 0.2 to C
    seller, buyer = tm.registry.users[A("u0")], tm.registry.users[A("u1")]
    assert [type(e).__name__ for e in events[1:]] == ["ReputationUpdated"] * 2  # TRD-10: both sides honest
    initial = ready().registry.users[A("u0")]
    assert seller.seller_reputation > initial.seller_reputation and buyer.buyer_reputation > initial.buyer_reputation
    assert tm.energy.pending == {A("u0"): 67 * 10**17, A("fee"): 2 * 10**17}
    assert tm.energy.accounts[A("u1")].balance == 10 * KWH
    assert tr.is_solvent(tm) and en.energy_conserved(tm.energy)
    tm, _ = en_withdraw(tm, "u0")
    assert tr.is_solvent(tm)


def en_withdraw(tm: tr.TradeMarket, role: str):
    e, events = en.withdraw(tm.energy, A(role))
    return replace(tm, energy=e), events


@pytest.mark.clauses("TRD-1")
def test_declaration_needs_a_registered_unbanned_trader_with_an_energy_account():
    tm = ready()
    with pytest.raises(errors.NotRegistered):
        tr.declare_ask(tm, A("stranger"), 1, 1, T, 0)
    with pytest.raises(tr.InvalidOffer):
        tr.declare_ask(tm, A("u0"), 0, 1, T, 0)
    with pytest.raises(tr.InvalidOffer):
        tr.declare_bid(tm, A("u0"), 1, 1, 5, 5)  # delivery not in the future
    users = {**tm.registry.users, A("u0"): replace(tm.registry.users[A("u0")], banned_until=100)}
    with pytest.raises(errors.UserBanned):
        tr.declare_bid(replace(tm, registry=replace(tm.registry, users=users)), A("u0"), 1, 1, T, 99)
    registry, _ = mk.register_user(tm.registry, A("genesis"), A("c0"))
    with pytest.raises(en.UnknownAccount):
        tr.declare_bid(replace(tm, registry=registry), A("c0"), 1, 1, T, 0)


@pytest.mark.clauses("TRD-2")
def test_an_ask_matches_a_bid_it_does_not_exceed():
    tm = give(ready(), "u0", 10 * KWH)
    tm, _ = tr.declare_ask(tm, A("u0"), 10 * KWH, PRICE + 1, T, 0)
    tm, _ = tr.declare_bid(tm, A("u1"), 4 * KWH, PRICE, T, 0)
    with pytest.raises(tr.AskAboveBid):
        tr.match_offers(tm, 0, 1, 0)
    tm, _ = tr.declare_bid(tm, A("u2"), 4 * KWH, PRICE + 2, T, 0)
    with pytest.raises(tr.InvalidMatch):
        tr.match_offers(tm, 1, 2, 0)  # two bids
    tm, events = tr.match_offers(tm, 0, 2, 0)
    assert events == [tr.TradeMatched(0, 0, 2, 4 * KWH, PRICE + 1)]  # the smaller volume, at the ask
    with pytest.raises(tr.InvalidMatch):
        tr.match_offers(tm, 0, 1, 0)  # the ask is taken


@pytest.mark.clauses("TRD-3", "TRD-9")
def test_signatures_bind_the_terms_the_trade_the_market_and_the_chain():
    tm = matched(ready())
    trade = tm.trades[0]
    good = (tr.sign_terms(key("u0"), tm, 0, trade), tr.sign_terms(key("u1"), tm, 0, trade))
    due = tr.escrow(trade, FEE)
    forged = [
        tr.sign_terms(key("u1"), tm, 0, replace(trade, price=trade.price - 1)),  # other terms
        tr.sign_terms(key("u1"), tm, 1, trade),  # another trade
        tr.sign_terms(key("u1"), replace(tm, chain_id=5), 0, trade),  # another chain
        tr.sign_terms(key("u1"), replace(tm, address=A("stranger")), 0, trade),  # another market
        tr.sign_terms(key("u2"), tm, 0, trade),  # someone else
        good[1][:64] + bytes([good[1][64] ^ 1]),  # the other recovery id
    ]
    for bad in forged:
        with pytest.raises(tr.BadSignature):
            tr.authenticate_match(tm, A("u1"), 0, good[0], bad, due, 1)
    r, s, v = good[1][:32], int.from_bytes(good[1][32:64], "big"), good[1][64]
    malleated = r + (tr.SECPK1_N - s).to_bytes(32, "big") + bytes([55 - v])
    assert tr.signer(tm, 0, trade, malleated) is None
    with pytest.raises(tr.NotBuyer):
        tr.authenticate_match(tm, A("u0"), 0, *good, due, 1)
    with pytest.raises(errors.WrongPayment):
        tr.authenticate_match(tm, A("u1"), 0, *good, due - 1, 1)
    with pytest.raises(tr.WrongTradeStage):
        tr.authenticate_match(tm, A("u1"), 0, *good, due, T)
    tm2, _ = tr.authenticate_match(tm, A("u1"), 0, *good, due, 1)
    assert tm2.energy.locked == trade.volume
    with pytest.raises(tr.WrongTradeStage):
        tr.authenticate_match(tm2, A("u1"), 0, *good, due, 2)  # replayed


@pytest.mark.clauses("TRD-3")
def test_a_seller_without_the_energy_cannot_authenticate():
    tm = matched(ready())
    e = tm.energy
    e, _ = en.transfer_energy(e, A("u0"), A("u2"), 1, 0)
    tm = replace(tm, energy=e)
    trade = tm.trades[0]
    sigs = (tr.sign_terms(key("u0"), tm, 0, trade), tr.sign_terms(key("u1"), tm, 0, trade))
    with pytest.raises(en.InsufficientEnergy):
        tr.authenticate_match(tm, A("u1"), 0, *sigs, tr.escrow(trade, FEE), 1)


@pytest.mark.clauses("TRD-4", "TRD-5", "TRD-8")
def test_a_rejected_execution_refunds_and_unlocks():
    tm = authenticated(matched(ready()))
    with pytest.raises(tr.WrongTradeStage):
        tr.record_execution(tm, A("grid"), 0, 1, T - 1)
    with pytest.raises(en.NotPermitted):
        tr.record_execution(tm, A("u0"), 0, 1, T)
    with pytest.raises(tr.ExcessDelivery):
        tr.record_execution(tm, A("grid"), 0, 10 * KWH + 1, T)
    tm, _ = tr.record_execution(tm, A("grid"), 0, 0, T)
    with pytest.raises(tr.NotCertifier):
        tr.certify_execution(tm, A("u0"), 0, False, T)
    tm, _ = tr.certify_execution(tm, A("c2"), 0, False, T)
    with pytest.raises(tr.AlreadyVoted):
        tr.certify_execution(tm, A("c2"), 0, False, T)  # a certifier voting twice
    tm, events = tr.certify_execution(tm, A("c0"), 0, False, T)
    assert events[-1] == tr.ExecutionCertified(0, False)
    assert tm.energy.pending == {A("u1"): 67 * 10**17 + FEE}
    assert tm.energy.accounts[A("u0")].balance == 10 * KWH and tm.energy.locked == 0
    assert tr.is_solvent(tm) and en.energy_conserved(tm.energy)


@pytest.mark.clauses("TRD-5")
def test_only_the_certifiers_of_the_execution_vote_and_a_minority_never_passes():
    tm = authenticated(matched(ready(certifiers=0)))
    with pytest.raises(tr.NoCertifiers):
        tr.record_execution(tm, A("grid"), 0, 1, T)
    tm, _ = tr.add_certifier(tm, A("genesis"), A("c0"))
    tm, _ = tr.add_certifier(tm, A("genesis"), A("c1"))
    with pytest.raises(errors.AlreadyRegistered):
        tr.add_certifier(tm, A("genesis"), A("c1"))
    with pytest.raises(en.NotPermitted):
        tr.add_certifier(tm, A("grid"), A("c2"))
    tm, _ = tr.record_execution(tm, A("grid"), 0, 1, T)
    tm, _ = tr.add_certifier(evidenced(tm, 1), A("genesis"), A("c2"))
    with pytest.raises(tr.NotCertifier):
        tr.certify_execution(tm, A("c2"), 0, True, T)  # joined after the execution
    tm, _ = tr.certify_execution(tm, A("c0"), 0, True, T)
    assert tm.trades[0].status == tr.TradeStatus.EXECUTED  # 1 of 2 is half, not more
    for n in range(1, 12):
        for passes in range(n + 1):
            assert tr.certified(passes, n) == (passes > n - passes)
            assert not (tr.certified(passes, n) and tr.rejected(n - passes, n))


@pytest.mark.clauses("ENG-1", "ENG-2")
def test_hierarchy_and_thresholds():
    tm = ready()
    e = tm.energy
    with pytest.raises(en.NotPermitted):
        en.create_account(e, A("genesis"), A("stranger"), en.Kind.USER)  # genesis creates grids only
    with pytest.raises(en.NotPermitted):
        en.create_account(e, A("u0"), A("stranger"), en.Kind.USER)
    with pytest.raises(en.NotPermitted):
        en.create_account(e, A("grid"), A("stranger"), en.Kind.GRID)
    with pytest.raises(en.AccountExists):
        en.create_account(e, A("grid"), A("u0"), en.Kind.USER)
    with pytest.raises(en.NotPermitted):
        en.issue_energy(e, A("u0"), 1)  # users cannot issue assets
    with pytest.raises(en.InvalidAmount):
        en.issue_energy(e, A("grid"), 0)


@pytest.mark.clauses("ENG-2", "ENG-5", "ENG-6", "ENG-8")
def test_paper_experiment_grid_of_ten_million_kwh():
    tm = ready()
    e = tm.energy
    assert e.accounts[A("grid")].balance == 10_000_000 * KWH
    e, _ = en.report_generation(e, A("grid"), A("u0"), 0, 99 * KWH)
    assert e.accounts[A("u0")].balance == 0  # below N = 100: nothing triggered
    e, _ = en.purchase_energy(e, A("u1"), A("grid"), 1000 * KWH, 0, 1000 * KWH * TARIFF)
    e, events = en.report_generation(e, A("grid"), A("u0"), 1, 1 * KWH)
    assert events == [en.MeterTriggered(A("u0"), 100 * KWH)]
    assert e.accounts[A("grid")].balance == 9_999_000 * KWH
    assert (e.accounts[A("u1")].balance, e.accounts[A("u0")].balance) == (1000 * KWH, 100 * KWH)
    assert e.pending == {A("grid"): 1000 * KWH * TARIFF} and en.energy_conserved(e)
    with pytest.raises(errors.WrongPayment):
        en.purchase_energy(e, A("u1"), A("grid"), 1, 1, 0)
    with pytest.raises(en.UnknownAccount):
        en.purchase_energy(e, A("u1"), A("u0"), 1, 1, TARIFF)


@pytest.mark.clauses("ENG-3", "ENG-4")
def test_users_move_only_their_own_assets_and_supply_stops_at_zero():
    e = give(ready(), "u0", 5).energy
    with pytest.raises(en.InsufficientEnergy):
        en.transfer_energy(e, A("u0"), A("u1"), 6, 0)
    with pytest.raises(en.UnknownAccount):
        en.transfer_energy(e, A("u0"), A("stranger"), 1, 0)
    with pytest.raises(en.NotPermitted):
        en.report_consumption(e, A("u1"), A("u0"), 0, 1)  # only the parent grid meters a user
    e, events = en.report_consumption(e, A("grid"), A("u0"), 0, 3)
    assert events == [en.EnergyConsumed(A("u0"), 3)] and en.is_supplied(e, A("u0"))
    e, events = en.report_consumption(e, A("grid"), A("u0"), 1, 9)
    assert events == [en.EnergyConsumed(A("u0"), 2), en.SupplyCut(A("u0"))]
    assert not en.is_supplied(e, A("u0")) and e.consumed == 5 and en.energy_conserved(e)


@pytest.mark.clauses("ENG-7")
def test_nonces_reject_replayed_too_large_and_too_small():
    e = give(ready(), "u0", 5).energy
    e, _ = en.transfer_energy(e, A("u0"), A("u1"), 1, 0)
    with pytest.raises(en.NonceTooSmall):
        en.transfer_energy(e, A("u0"), A("u1"), 1, 0)  # replayed
    with pytest.raises(en.NonceTooLarge):
        en.transfer_energy(e, A("u0"), A("u1"), 1, 2)
    e, _ = en.report_generation(e, A("grid"), A("u0"), 0, 7)
    with pytest.raises(en.NonceTooSmall):
        en.report_generation(e, A("grid"), A("u0"), 0, 7)  # a meter reading replayed
    with pytest.raises(en.NonceTooLarge):
        en.report_consumption(e, A("grid"), A("u0"), 5, 7)


@pytest.mark.clauses("ENG-9")
def test_a_completed_auction_moves_its_energy_once():
    tm = give(ready(), "u0", 2000)
    order = mk.Order(A("u0"), 1500, 1, 1, (1, 2), 0, 0, status=mk.OrderStatus.COMPLETED, winner=A("u1"))
    tm = replace(tm, registry=replace(tm.registry, orders=(order, replace(order, status=mk.OrderStatus.PAID))))
    with pytest.raises(errors.WrongPhase):
        tr.settle_auction_energy(tm, 1)
    with pytest.raises(errors.UnknownOrder):
        tr.settle_auction_energy(tm, 2)
    tm, events = tr.settle_auction_energy(tm, 0)
    assert events == [tr.AuctionEnergySettled(0, 1500)] and tm.energy.accounts[A("u1")].balance == 1500
    with pytest.raises(tr.EnergySettledAlready):
        tr.settle_auction_energy(tm, 0)


@pytest.mark.clauses("TRD-10", "TRD-9")
def test_a_short_delivery_is_the_seller_s_fraud_in_the_shared_registry():
    tm = authenticated(matched(ready()))
    tm, _ = tr.record_execution(tm, A("grid"), 0, 4 * KWH, T)
    tm = evidenced(tm, 4 * KWH)
    for certifier in ("c0", "c1"):
        tm, _ = tr.certify_execution(tm, A(certifier), 0, True, T)
    tm, _ = tr.clear_trade(tm, 0, T + tr.PERIOD)
    tm, events = tr.settle_trade(tm, 0, T + tr.PERIOD)
    seller = tm.registry.users[A("u0")]
    assert seller.seller_frauds == 1 and events[-1] == ev.BanImposed(A("u0"), seller.banned_until)
    assert tm.registry.users[A("u1")] == ready().registry.users[A("u1")]  # the buyer is not judged
    with pytest.raises(errors.UserBanned):  # banned in both markets: the auction's registry is shared
        tr.declare_ask(tm, A("u0"), 1, 1, T + 3 * tr.PERIOD, T + tr.PERIOD)
    with pytest.raises(errors.UserBanned):
        mk.post_order(tm.registry, A("u0"), 1000, 10**9, 10**15, (1, 2), T + tr.PERIOD)
    with pytest.raises(tr.NotBilateral):  # nobody but the bilateral market writes reputation
        tr.record_bilateral_trade(tm, A("u1"), A("u1"), A("u2"), 1, True, T)


@pytest.mark.clauses("FPR-7", "TRD-5")
def test_a_pass_needs_the_grid_s_fingerprint_of_the_very_execution_record():
    tm, _ = tr.record_execution(authenticated(matched(ready())), A("grid"), 0, 10 * KWH, T)
    fingerprints, _ = fp.register_participant(tm.fingerprints, A("genesis"), A("u2"), int(fp.Role.PROVIDER))
    tm = replace(tm, fingerprints=fingerprints)
    wrong = [
        tm,  # no evidence
        evidenced(tm, 9 * KWH),  # another delivered amount
        evidenced(tm, 10 * KWH, trade_id=1),  # another trade
        tr.anchor_evidence(tm, A("u2"), A("u2"), 0, 10 * KWH, T)[0],  # another provider
        replace(evidenced(replace(tm, address=A("stranger")), 10 * KWH), address=tm.address),  # another market
    ]
    for state in wrong:
        with pytest.raises(tr.NoDeliveryEvidence) as refused:
            tr.certify_execution(state, A("c0"), 0, True, T)
        assert refused.value.args == (0, 10 * KWH)
    opposed, _ = tr.certify_execution(tm, A("c0"), 0, False, T)  # opposing needs none: nothing stays locked
    assert opposed.trades[0].opposes == 1
    with pytest.raises(fp.NotUploader):  # nobody but the grid or its delegate writes the grid's evidence
        tr.anchor_evidence(tm, A("u2"), A("grid"), 0, 10 * KWH, T)
    tm = evidenced(tm, 10 * KWH)
    assert tr.evidenced(tm, 0) and fp.record_of(
        tm.fingerprints, A("grid"), tr.evidence_hash(tm.address, 0, 9 * KWH)
    ) == (0, 0)
    with pytest.raises(fp.AlreadyAnchored):
        evidenced(tm, 10 * KWH)
    tm, events = tr.certify_execution(tm, A("c0"), 0, True, T)
    assert events == [tr.ExecutionVoted(0, A("c0"), True)]


@pytest.mark.clauses("TRD-10")
def test_settling_before_the_auction_links_the_bilateral_market_reverts_not_bilateral():
    tm = replace(ready(), bilateral=mk.ZERO_ADDRESS)
    tm, _ = tr.record_execution(authenticated(matched(tm)), A("grid"), 0, 10 * KWH, T)
    tm = evidenced(tm, 10 * KWH)
    for certifier in ("c0", "c1"):
        tm, _ = tr.certify_execution(tm, A(certifier), 0, True, T)
    tm, _ = tr.clear_trade(tm, 0, T + tr.PERIOD)
    with pytest.raises(tr.NotBilateral) as refused:
        tr.settle_trade(tm, 0, T + tr.PERIOD)
    assert refused.value.args == (tm.address,)
    with pytest.raises(errors.NotOperator):
        tr.link_bilateral(tm, A("u0"), tm.address)
    with pytest.raises(errors.AlreadyRegistered):
        tr.link_bilateral(tm, A("genesis"), mk.ZERO_ADDRESS)
    linked, events = tr.link_bilateral(tm, A("genesis"), tm.address)
    assert events == [] and linked.bilateral == tm.address
    with pytest.raises(errors.AlreadyRegistered):  # once
        tr.link_bilateral(linked, A("genesis"), A("u0"))
    settled, _ = tr.settle_trade(linked, 0, T + tr.PERIOD)
    assert settled.trades[0].status == tr.TradeStatus.SETTLED
