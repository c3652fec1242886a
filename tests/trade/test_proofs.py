"""The bilateral market's Z3 obligations: each holds and its known-bad variant refutes it, and the
encodings they are built from compute what the reference transitions compute."""

from dataclasses import replace

import pytest
import z3
from eth_account.messages import encode_typed_data

from reference import energy as en
from reference import trade as tr
from reference.params import RESOLVED
from verify.checks.proofs import trade as proofs
from verify.findings import Status
from verify.registry import discover
from verify.toolchain.compiler import CONTRACTS
from verify.trade.roles import FEE, address
from verify.trade.vectors import KWH, setup, trade_to_execution

OBLIGATIONS = [proofs.EnergyConservation, proofs.MoneyConservation, proofs.CertificationMajority,
               proofs.SignatureBindsTrade, proofs.SignatureBindsDomain]  # fmt: skip
E = proofs.ENCODINGS


def value(expr) -> int:
    return z3.simplify(proofs.as_z3(expr)).as_long()


@pytest.mark.clauses("ENG-8", "TRD-8", "TRD-5", "TRD-3")
@pytest.mark.parametrize("obligation", OBLIGATIONS, ids=lambda cls: cls.ID)
def test_each_obligation_holds_and_its_known_bad_variant_refutes_it(obligation):
    assert obligation().prove(RESOLVED).status == Status.PROVED
    bad = obligation().prove(RESOLVED, obligation.REFUTED_BY)
    assert bad.status == Status.REFUTED and bad.counterexample
    assert discover()[obligation.ID] is obligation  # registered: fairwatt prove lists it (level "model")


@pytest.mark.clauses("TRD-3")
@pytest.mark.parametrize("dropped", ["tradeId", "price", "deliveryTime"])
def test_signature_binds_trade_is_refuted_when_the_hashed_terms_drop_a_field(monkeypatch, dropped):
    """The bound fields are the statement's six, not the hashed list: dropping one from the signed
    struct itself (not only from the encoding) leaves two trades with one digest."""
    terms = [f for f in tr.TERMS_TYPES["Terms"] if f["name"] != dropped]
    monkeypatch.setitem(tr.TERMS_TYPES, "Terms", terms)
    result = proofs.SignatureBindsTrade().prove(RESOLVED)
    assert result.status == Status.REFUTED and result.counterexample


def test_every_variant_belongs_to_an_obligation():
    assert {cls.REFUTED_BY for cls in OBLIGATIONS} == set(proofs.VARIANTS)


@pytest.mark.clauses("TRD-5")
def test_certification_encodings_are_the_reference_s():
    for n in range(1, 30):
        for votes in range(n + 1):
            assert z3.is_true(z3.simplify(E.certified(votes, n))) == tr.certified(votes, n)
            assert z3.is_true(z3.simplify(E.rejected(votes, n))) == tr.rejected(votes, n)


@pytest.mark.clauses("ENG-4", "ENG-6")
def test_meter_encodings_are_the_reference_s():
    s = setup("meters", [])
    e = s.tm.energy
    for meter_before, amount in ((0, 99 * KWH), (99 * KWH, KWH), (50 * KWH, 250 * KWH), (0, 7)):
        user = replace(e.accounts[address("u0")], meter=meter_before, balance=40 * KWH)
        start = en.with_account(e, address("u0"), user)
        after, _ = en.report_generation(start, address("grid"), address("u0"), 0, amount)
        assert value(E.triggered(meter_before, amount)) == after.issued - start.issued
        after, _ = en.report_consumption(start, address("grid"), address("u0"), 0, amount)
        assert value(E.consumed(40 * KWH, amount)) == after.consumed - start.consumed


@pytest.mark.clauses("TRD-7", "TRD-8", "ENG-8")
@pytest.mark.parametrize("delivered", [0, 3 * KWH, 10 * KWH])
def test_settlement_and_rejection_encodings_are_the_reference_s(delivered):
    s, delivery = trade_to_execution(setup("settle", []), delivered=delivered)
    t = s.tm.trades[0]
    assert value(E.escrow(t.volume, t.price, FEE)) == tr.escrow(t, FEE) == s.tm.energy.balance
    rejected = s.tm
    for certifier in ("c0", "c1"):
        rejected, _ = tr.certify_execution(rejected, address(certifier), 0, False, delivery)
    assert rejected.energy.pending == {address("u1"): value(E.reject_credit(t.volume, t.price, FEE))}
    s.do("anchor_evidence", "grid", "grid", 0, delivered)
    s.do("certify_execution", "c0", 0, True).do("certify_execution", "c1", 0, True)
    s.now = delivery + tr.PERIOD
    before = s.tm.energy
    s.do("clear_trade", 0).do("settle_trade", 0)
    after = s.tm.energy
    seller, third, buyer = (value(x) for x in E.settle_credits(t.volume, delivered, t.price, FEE))
    credited = {role: after.pending.get(address(role), 0) - before.pending.get(address(role), 0)
                for role in ("u0", "fee", "u1")}  # fmt: skip
    assert credited == {"u0": seller, "fee": third, "u1": buyer}
    to_buyer, to_seller = (value(x) for x in E.settle_energy(t.volume, delivered))
    grew = {role: after.accounts[address(role)].balance - before.accounts[address(role)].balance
            for role in ("u1", "u0")}  # fmt: skip
    assert grew == {"u1": to_buyer, "u0": to_seller} and before.locked - after.locked == t.volume


@pytest.mark.clauses("TRD-3", "TRD-9")
def test_the_signed_fields_are_the_reference_s_and_the_contract_s():
    terms = "Terms(" + ",".join(f"{f['type']} {f['name']}" for f in tr.TERMS_TYPES["Terms"]) + ")"
    assert f'"{terms}"' in (CONTRACTS / "BilateralMarket.sol").read_text()
    s, _ = trade_to_execution(setup("sign", []))
    tm, t = s.tm, s.tm.trades[0]

    def hashed(market, trade_id):
        signable = encode_typed_data(full_message=tr.terms_message(market, trade_id, t))
        return signable.header + signable.body

    base = hashed(tm, 0)  # each field the obligations say is bound changes what is signed
    assert base != hashed(tm, 1) and base != hashed(replace(tm, chain_id=tm.chain_id + 1), 0)
    assert base != hashed(replace(tm, address=address("stranger")), 0)
