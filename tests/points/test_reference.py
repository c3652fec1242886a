"""PTS and CRT clauses on the reference model: grants only against market facts, points spent once, moved by
their holder, exchanged through escrowed offers; one certificate per settled trade, every Wh labelled once."""

from dataclasses import replace

import pytest

from reference import certificates as crt
from reference import energy as en
from reference import errors
from reference import points as pts
from verify.points import vectors as pv
from verify.trade.roles import TARIFF, address

A = address
KWH = 1000


def funded() -> pts.Green:
    """u0 and u1 claimed their registration grants."""
    s = pv.setup("t", [])
    s.do("claim_registration_grant", "u0").do("claim_registration_grant", "u1")
    return s.g


@pytest.mark.clauses("PTS-1")
def test_the_registration_grant_is_claimed_once_by_a_registered_user():
    g = funded()
    assert g.balances[A("u0")] == g.grants.registration == 100 and g.granted == 200
    with pytest.raises(pts.RegistrationClaimed):
        pts.claim_registration_grant(g, A("u0"))
    with pytest.raises(errors.NotRegistered):
        pts.claim_registration_grant(g, A("stranger"))
    with pytest.raises(errors.NotRegistered):  # a certifier is no user of the registry
        pts.claim_registration_grant(g, A("c0"))


@pytest.mark.clauses("PTS-2", "CRT-1", "CRT-2")
def test_a_settled_bilateral_trade_is_certified_once_with_trade_grants_per_whole_kwh():
    s = pv.setup("t", [])
    trade_id = pv.bilateral_trade(s, 10 * KWH + 500, 10 * KWH + 500)
    with pytest.raises(crt.TradeNotSettled) as raised:
        pts.claim_certificate(s.g, 1, trade_id)
    assert raised.value.args == (1, trade_id, 3)  # executed
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    pv.settle_bilateral(s, trade_id)
    g, events = pts.claim_certificate(s.g, 1, trade_id)
    assert events == [
        crt.CertificateIssued(0, 1, trade_id, A("u0"), A("u1"), 10 * KWH + 500, 0),
        pts.PointsGranted(A("u0"), int(pts.Grant.TRADE), 10),  # ERR-36: 10.5 kWh, 10 whole kWh
        pts.PointsGranted(A("u1"), int(pts.Grant.TRADE), 10),
    ]
    with pytest.raises(crt.CertifiedAlready):
        pts.claim_certificate(g, 1, trade_id)
    with pytest.raises(crt.NoSuchTrade):
        pts.claim_certificate(g, 1, trade_id + 1)
    with pytest.raises(crt.UnknownMarket):
        pts.claim_certificate(g, 2, trade_id)
    assert crt.certificates_unique(g.certificates, g.certified) and pts.points_conserved(g)
    assert pts.trade_grant(g.grants, 999) == 0 and pts.trade_grant(g.grants, 2000) == 2


@pytest.mark.clauses("CRT-1")
def test_a_trade_that_delivered_nothing_labels_nothing():
    s = pv.setup("t", [])
    trade_id = pv.bilateral_trade(s, 2 * KWH, 0)
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    pv.settle_bilateral(s, trade_id)
    with pytest.raises(crt.NothingDelivered):
        pts.claim_certificate(s.g, 1, trade_id)


@pytest.mark.clauses("CRT-3", "CRT-2")
def test_auction_orders_and_bilateral_trades_are_certified_apart_with_running_serials():
    s = pv.setup("t", [])
    order_id = pv.auction_sale(s)
    with pytest.raises(crt.TradeNotSettled):  # paid, not delivered
        pts.claim_certificate(s.g, 0, order_id)
    s.do("confirm_delivery", "u1", order_id)
    with pytest.raises(crt.TradeNotSettled):  # completed, its energy never settled (ENG-9)
        pts.claim_certificate(s.g, 0, order_id)
    s.do("settle_auction_energy", order_id)
    trade_id = pv.bilateral_trade(s, 3 * KWH, 3 * KWH)
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    pv.settle_bilateral(s, trade_id)
    assert (order_id, trade_id) == (0, 0)
    g, _ = pts.claim_certificate(s.g, 0, 0)
    g, _ = pts.claim_certificate(g, 1, 0)
    assert [(c.market, c.trade_id, c.first_serial, c.quantity) for c in g.certificates] == [
        (0, 0, 0, KWH),
        (1, 0, KWH, 3 * KWH),
    ]
    assert crt.certificates_unique(g.certificates, g.certified)
    twice = replace(g, certificates=g.certificates + (g.certificates[0],))
    assert not crt.certificates_unique(
        twice.certificates, twice.certified
    )  # the property fails on a certificate issued twice
    overlapping = replace(g, certificates=(g.certificates[0], replace(g.certificates[1], first_serial=KWH - 1)))
    assert not crt.certificates_unique(overlapping.certificates, overlapping.certified)  # and on a Wh labelled twice


@pytest.mark.clauses("PTS-3")
def test_a_recorded_vote_earns_one_verification_grant():
    s = pv.setup("t", [])
    trade_id = pv.bilateral_trade(s, KWH, KWH)
    with pytest.raises(pts.NotVerifier):
        pts.claim_verification_grant(s.g, A("c0"), trade_id)  # no vote yet
    s.do("certify_execution", "c0", trade_id, False)
    g, events = pts.claim_verification_grant(s.g, A("c0"), trade_id)
    assert events == [pts.PointsGranted(A("c0"), int(pts.Grant.VERIFICATION), g.grants.verification)]
    with pytest.raises(pts.VerificationClaimed):
        pts.claim_verification_grant(g, A("c0"), trade_id)
    with pytest.raises(pts.NotVerifier):
        pts.claim_verification_grant(g, A("c1"), 7)


@pytest.mark.clauses("PTS-4", "PTS-5", "PTS-7")
def test_points_move_by_their_holder_and_are_spent_once():
    g = funded()
    g, _ = pts.transfer_points(g, A("u0"), A("u1"), 30)
    with pytest.raises(pts.InsufficientPoints) as raised:
        pts.transfer_points(g, A("u0"), A("u1"), 71)
    assert raised.value.args == (70, 71)
    with pytest.raises(errors.NotRegistered):
        pts.transfer_points(g, A("u0"), A("stranger"), 1)
    with pytest.raises(pts.InvalidPoints):
        pts.transfer_points(g, A("u0"), A("u1"), 2**128)
    g, events = pts.spend_points(g, A("u1"), 130)
    assert events == [pts.PointsSpent(A("u1"), 130)] and pts.supply(g) == 70 == g.granted - g.burned
    with pytest.raises(pts.InsufficientPoints):
        pts.spend_points(g, A("u1"), 1)  # every point of u1 is spent
    assert pts.points_conserved(g)
    unburned = replace(g, balances={**g.balances, A("u1"): 130})  # a spend that forgot to burn
    assert not pts.points_conserved(unburned)


@pytest.mark.clauses("PTS-6", "PTS-7")
def test_points_are_bought_from_an_escrowed_offer_and_the_proceeds_pulled():
    g = funded()
    g, _ = pts.offer_points(g, A("u0"), 40, 10**9)
    assert g.balances[A("u0")] == 60 and pts.escrowed(g) == 40 and pts.points_conserved(g)
    with pytest.raises(pts.InvalidPrice):
        pts.offer_points(g, A("u0"), 1, 0)
    with pytest.raises(errors.WrongPayment):
        pts.buy_points(g, A("u1"), 0, 40 * 10**9 - 1)
    with pytest.raises(pts.NotOfferMaker):
        pts.cancel_offer(g, A("u1"), 0)
    g, _ = pts.buy_points(g, A("u1"), 0, 40 * 10**9)
    assert g.balances[A("u1")] == 140 and g.pending == {A("u0"): 40 * 10**9} and pts.is_solvent(g)
    with pytest.raises(pts.OfferClosed):
        pts.cancel_offer(g, A("u0"), 0)
    with pytest.raises(pts.NoSuchOffer):
        pts.buy_points(g, A("u1"), 1, 0)
    g, _ = pts.withdraw_proceeds(g, A("u0"))
    assert g.balance == 0 and pts.is_solvent(g) and pts.points_conserved(g)
    with pytest.raises(errors.NothingToWithdraw):
        pts.withdraw_proceeds(g, A("u0"))


@pytest.mark.clauses("PTS-1", "PTS-2", "PTS-3")
def test_the_grants_are_the_spec_parameters():
    assert pts.load_grants() == pts.Grants(registration=100, trade_per_kwh=1, verification=5)


@pytest.mark.clauses("ENG-6", "CRT-4")
def test_generation_counts_only_what_the_meter_triggered():
    s = pv.setup("t", [])  # u0's meter triggered GENERATED Wh
    s.do("report_generation", "grid", "u0", 1, 99 * KWH)  # below N: metered, not yet assets
    s.do("purchase_energy", "u1", "grid", KWH, 0, KWH * TARIFF).do("issue_energy", "grid", KWH)
    e = s.g.markets.energy
    assert all(step["expect"]["ok"] for step in s.steps)
    assert en.generated_of(e, A("u0")) == pv.GENERATED and e.accounts[A("u0")].meter == 99 * KWH
    assert [en.generated_of(e, A(r)) for r in ("u1", "grid", "genesis", "stranger")] == [0, 0, 0, 0]
    s.do("report_generation", "grid", "u0", 2, KWH)  # the meter reaches N: another N Wh, and generation
    assert en.generated_of(s.g.markets.energy, A("u0")) == 2 * pv.GENERATED
    s.do("report_consumption", "grid", "u0", 3, 5 * KWH)  # consuming assets takes nothing off generation
    assert en.generated_of(s.g.markets.energy, A("u0")) == 2 * pv.GENERATED


@pytest.mark.clauses("CRT-4", "CRT-1")
def test_a_sybil_and_grid_energy_have_nothing_to_certify():
    s = pv.setup("t", [])
    to_sybil = pv.certified_trade(s, 10 * KWH, 10 * KWH, "u0", "u2")  # u0 sells to its second account u2
    onward = pv.certified_trade(s, 10 * KWH, 10 * KWH, "u2", "u1")  # which sells on to the real buyer
    pv.grid_energy(s, "u2", 2 * KWH)
    grid_sale = pv.certified_trade(s, 2 * KWH, 2 * KWH, "u2", "u1")  # the grid's assets, resold as u2's
    g, _ = pts.claim_certificate(s.g, 1, to_sybil)
    for trade_id, quantity in ((onward, 10 * KWH), (grid_sale, 2 * KWH)):
        with pytest.raises(crt.NotGenerated) as raised:
            pts.claim_certificate(g, 1, trade_id)
        assert raised.value.args == (A("u2"), 0, quantity)
    assert crt.certified_by(g.certificates, A("u0")) == 10 * KWH
    crt.check_generated(g.markets.energy, g.certificates, A("u0"), pv.GENERATED - 10 * KWH)  # what is left fits
    with pytest.raises(crt.NotGenerated):
        crt.check_generated(g.markets.energy, g.certificates, A("u0"), pv.GENERATED - 10 * KWH + 1)
