"""Regression for ERR-41 (fixed): a wash trade A → B → A no longer certifies the same energy twice. Each seller's
certificates stay within what its meter generated (CRT-4), on the model and on the contracts."""

import pytest

from reference import certificates as crt
from reference import points as pts
from verify.points import vectors as pv
from verify.points.driver import ContractPoints
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import compile_tree
from verify.trade.roles import address

KWH = 1000


def wash() -> tuple[pv.Script, int, int]:
    """u0 sells 1 kWh of its PV to u1, u1 sells it back (the trades' ids); both settled, nothing claimed."""
    s = pv.setup("wash", [])
    there = pv.certified_trade(s, KWH, KWH)
    back = pv.certified_trade(s, KWH, KWH, "u1", "u0")
    assert s.steps[-1]["expect"]["ok"], s.steps[-1]
    return s, there, back


@pytest.mark.clauses("CRT-4", "CRT-2")
def test_a_wash_trade_certifies_the_energy_once_on_the_model():
    s, there, back = wash()
    energy = s.g.markets.energy.accounts
    assert energy[address("u0")].balance == pv.GENERATED and energy[address("u1")].balance == 0  # where it started
    g, _ = pts.claim_certificate(s.g, 1, there)
    with pytest.raises(crt.NotGenerated) as raised:
        pts.claim_certificate(g, 1, back)
    assert raised.value.args == (address("u1"), 0, KWH)  # u1 generated nothing: the resale has nothing to certify
    with pytest.raises(crt.NotGenerated):  # nor when its claim comes first
        pts.claim_certificate(s.g, 1, back)
    assert sum(c.quantity for c in g.certificates) == KWH and crt.certified_within_generation(
        g.certificates, g.markets.energy
    )
    assert g.balances[address("u0")] == g.balances[address("u1")] == pts.trade_grant(g.grants, KWH)  # points once
    twice = g.certificates + (crt.Certificate(1, back, address("u1"), address("u0"), KWH, KWH),)
    assert not crt.certified_within_generation(twice, g.markets.energy)  # the property fails on the old behaviour


@pytest.mark.clauses("CRT-4")
def test_a_wash_trade_certifies_the_energy_once_on_the_contracts():
    s, there, back = wash()
    s.do("claim_certificate", 1, back).do("claim_certificate", 1, there).do("claim_certificate", 1, back)
    assert [step["expect"].get("error") for step in s.steps[-3:]] == ["NotGenerated", None, "NotGenerated"]
    contract = ContractPoints.deploy(compile_tree(), FAST)
    assert pv.replay(s.case(), contract) == []  # every outcome, error argument and state as the model's
    state = contract.state()
    assert state["certified_wh"] == KWH and state["accounts"]["u1"]["certified_by"] == 0
    assert state["accounts"]["u0"]["certified_by"] == KWH <= state["accounts"]["u0"]["generated"] == pv.GENERATED
