"""The bounded proof on the model: it proves no double spend and unique certificates over every short
sequence of actions, and refutes both on mutant rules with the shortest counterexample."""

from dataclasses import replace
from unittest import mock

import pytest

from reference import certificates as crt
from reference import points as pts
from verify.check import Context
from verify.checks import points
from verify.findings import Status
from verify.points import bounded
from verify.points import vectors as pv


def spend_without_burning(g, caller, amount):
    """A spend that checks the balance and counts the burn but never debits the holder."""
    pts.spend_points(g, caller, amount)  # the same checks
    return replace(g, burned=g.burned + amount), [pts.PointsSpent(caller, amount)]


def claim_forgetting_the_claim(g, market, trade_id):
    """A certificate claim that forgets which trades were certified."""
    after, events = pts.claim_certificate(replace(g, certified=frozenset()), market, trade_id)
    return replace(after, certified=after.certified | g.certified), events


def claim_ignoring_generation(g, market, trade_id):
    """A certificate claim without CRT-4's check: the rules before ERR-41 was fixed."""
    with mock.patch.object(crt, "check_generated", lambda *args: None):
        return pts.claim_certificate(g, market, trade_id)


@pytest.mark.clauses("PTS-7", "CRT-2", "CRT-4", "PTS-6")
def test_the_bounded_proof_holds_on_the_model(tmp_path):
    [finding] = points.PointsBoundedProof().run(Context(tmp_path, tmp_path, tmp_path, {"points_depth": 4}))
    assert finding.status == Status.PROVED and "up to 4 actions" in finding.title
    assert bounded.explore(4).states > 500  # the search is not vacuous: hundreds of distinct states


@pytest.mark.clauses("PTS-7", "PTS-5")
def test_a_spend_that_forgets_to_burn_is_a_double_spend():
    result = bounded.explore(4, {"spend_points": spend_without_burning})
    assert result.violated == ("double spend",)
    assert [name for name, _ in result.counterexample] == ["claim_registration_grant", "spend_points"]


@pytest.mark.clauses("CRT-2")
def test_a_claim_that_forgets_the_trade_certifies_it_twice():
    result = bounded.explore(4, {"claim_certificate": claim_forgetting_the_claim})
    assert result.violated == ("certificate issued twice",)
    assert result.counterexample == (("claim_certificate", (0, 0)), ("claim_certificate", (0, 0)))


@pytest.mark.clauses("CRT-4")
def test_a_claim_ignoring_generation_certifies_the_wash_trade_back():
    result = bounded.explore(4, {"claim_certificate": claim_ignoring_generation})
    assert result.violated == ("certified beyond generation",)
    assert result.counterexample == (("claim_certificate", (1, 2)),)  # u1's resale of what it bought from u0
    facts = bounded.facts()
    g, _ = pts.claim_certificate(facts, 0, 0)  # u0's auction sale: 1 kWh of its 100 kWh generated
    with pytest.raises(crt.NotGenerated) as raised:  # then its 99.5 kWh sale does not fit: claims are ordered
        pts.claim_certificate(g, 1, 0)
    assert raised.value.args[1:] == (99 * pv.KWH, 99 * pv.KWH + 500)
    g, _ = pts.claim_certificate(facts, 1, 0)  # the other order: the auction's 1 kWh no longer fits
    with pytest.raises(crt.NotGenerated):
        pts.claim_certificate(g, 0, 0)
