"""The fingerprint rules on the reference model: roles, delegation, anchoring, the canonical encoding, the
integrity check of copies, and every hostile input rejected with its error."""

from dataclasses import replace

import pytest
from eth_utils import keccak

from reference import errors
from reference import fingerprints as fpr
from reference.market import ZERO_ADDRESS

ADMIN, P0, P1, H0, H1, VIEWER = (f"0x{i:040x}" for i in range(1, 7))
NOW = 2_000_000_000
READING = fpr.meter_reading(P0, 0, 12_500)


@pytest.fixture
def fp():
    fp = fpr.deploy(ADMIN)
    for account, role in ((P0, 1), (P1, 1), (H0, 2), (H1, 2)):
        fp, _ = fpr.register_participant(fp, ADMIN, account, role)
    fp, _ = fpr.set_delegate(fp, P0, H0, True)
    return fp


def anchor(fp, caller=P0, provider=P0, kind=1, time=NOW - 5, payload=READING, now=NOW):
    return fpr.anchor_record(fp, caller, provider, kind, time, keccak(payload), now)


@pytest.mark.clauses("FPR-1")
def test_only_the_admin_registers_providers_and_holders_once(fp):
    assert fpr.role_of(fp, P0) == fpr.Role.PROVIDER and fpr.role_of(fp, VIEWER) == fpr.Role.VIEWER
    for caller, account, role, error in (
        (VIEWER, VIEWER, 1, fpr.NotAdmin),
        (P0, VIEWER, 2, fpr.NotAdmin),
        (ADMIN, VIEWER, 0, fpr.InvalidRole),
        (ADMIN, VIEWER, 3, fpr.InvalidRole),
        (ADMIN, H0, 1, errors.AlreadyRegistered),
        (ADMIN, ZERO_ADDRESS, 1, errors.AlreadyRegistered),
    ):
        with pytest.raises(error):
            fpr.register_participant(fp, caller, account, role)
    after, events = fpr.register_participant(fp, ADMIN, VIEWER, 2)
    assert events == [fpr.ParticipantRegistered(VIEWER, 2)] and fpr.role_of(after, VIEWER) == fpr.Role.HOLDER


@pytest.mark.clauses("FPR-2", "FPR-3")
def test_a_delegate_uploads_until_revoked(fp):
    after, [event] = anchor(fp, caller=H0)
    assert (event.uploader, event.provider, after.records[0].uploader) == (H0, P0, H0)
    with pytest.raises(fpr.NotUploader):
        anchor(fp, caller=H1)  # never delegated
    revoked, [event] = fpr.set_delegate(after, P0, H0, False)
    assert event == fpr.DelegateSet(P0, H0, False) and revoked.delegates == frozenset()
    with pytest.raises(fpr.NotUploader) as raised:
        anchor(revoked, caller=H0, payload=b"next")
    assert raised.value.args == (H0, P0)
    with pytest.raises(fpr.NotProvider):
        fpr.set_delegate(fp, VIEWER, H1, True)
    with pytest.raises(fpr.NotHolder):
        fpr.set_delegate(fp, P0, P1, True)


@pytest.mark.clauses("FPR-3", "FPR-5")
def test_hostile_anchors_are_rejected_and_change_nothing(fp):
    fp, _ = anchor(fp)
    before = fp
    hostile = [
        (dict(caller=VIEWER, provider=VIEWER), fpr.NotProvider, (VIEWER,)),  # a viewer writing as itself
        (dict(caller=VIEWER), fpr.NotUploader, (VIEWER, P0)),  # a viewer writing for a provider
        (dict(caller=H0, provider=H0), fpr.NotProvider, (H0,)),  # a forged provider
        (dict(kind=0, payload=b"x"), fpr.UnknownKind, (0,)),
        (dict(kind=4, payload=b"x"), fpr.UnknownKind, (4,)),
        (dict(time=NOW + 1, payload=b"x"), fpr.FutureRecord, (NOW + 1, NOW)),
        (dict(time=NOW - 6, payload=b"x"), fpr.BackDated, (NOW - 6, NOW - 5)),
        (dict(), fpr.AlreadyAnchored, (keccak(READING), 0)),  # replayed
    ]
    for changes, error, args in hostile:
        with pytest.raises(error) as raised:
            anchor(fp, **changes)
        assert raised.value.args == args
    assert fp == before


@pytest.mark.clauses("FPR-3", "FPR-5")
def test_an_anchor_keeps_the_block_time_and_records_go_forward(fp):
    fp, [event] = anchor(fp, time=NOW - 100, now=NOW)
    record = fpr.get_record(fp, 0)
    assert (record.anchored_at, record.record_time, record.provider) == (NOW, NOW - 100, P0)
    assert event.fingerprint == record.fingerprint == fpr.fingerprint(1, P0, NOW - 100, keccak(READING))
    fp, _ = anchor(fp, time=NOW - 100, payload=b"same second", now=NOW + 1)  # equal times are in order
    assert [r.record_time for r in fp.records] == [NOW - 100, NOW - 100] and fp.latest[P0] == NOW - 100
    fp, _ = anchor(fp, caller=P1, provider=P1, time=NOW - 200, payload=b"p1", now=NOW + 2)  # per provider
    assert fp.records[0] == record


@pytest.mark.clauses("FPR-4")
def test_the_canonical_encoding_is_five_words_and_every_field_counts():
    payload_hash = keccak(READING)
    encoded = fpr.encode_record(2, P0, NOW, payload_hash)
    assert len(encoded) == 160 and encoded[:32] == fpr.TAG and encoded[128:] == payload_hash
    assert encoded[32:64] == (2).to_bytes(32, "big") and encoded[96:128] == NOW.to_bytes(32, "big")
    assert encoded[64:96] == bytes(12) + bytes.fromhex(P0[2:])
    base = fpr.Record(2, P0, NOW, READING)
    others = [
        replace(base, kind=1),
        replace(base, provider=P1),
        replace(base, record_time=NOW - 1),
        replace(base, payload=READING + b"\0"),
        replace(base, payload=fpr.meter_reading(P0, 1, 12_500)),
    ]
    prints = {fpr.record_fingerprint(r) for r in [base, *others]}
    assert len(prints) == 6
    assert len(fpr.meter_reading(P0, 1, 2)) == len(fpr.delivery_evidence(P0, 1, 2)) == len(fpr.supply_record(P0, P1, 2))


@pytest.mark.clauses("FPR-6")
def test_the_integrity_check_reports_a_tampered_copy(fp):
    copy = fpr.Record(1, P0, NOW - 5, READING)
    fp, _ = anchor(fp)
    anchor0 = fpr.get_record(fp, 0)
    good = fpr.check_copy(anchor0, 0, copy)
    assert good.intact and good.recomputed == good.anchored
    bad = fpr.check_copy(anchor0, 0, replace(copy, payload=fpr.meter_reading(P0, 0, 12_501)))
    assert not bad.intact and bad.anchored == anchor0.fingerprint and bad.recomputed != bad.anchored
    with pytest.raises(fpr.UnknownRecord):
        fpr.get_record(fp, 1)


@pytest.mark.clauses("FPR-7")
def test_a_delivery_evidence_is_found_by_its_content(fp):
    market = "0x" + "0" * 36 + "fa17"
    evidence = fpr.delivery_evidence(market, 0, 10_000)
    assert not fpr.anchored_by(fp, P0, keccak(evidence))
    fp, _ = anchor(fp, caller=P1, provider=P1, kind=2, payload=evidence)  # another provider copies it first
    assert fpr.anchored_by(fp, P1, keccak(evidence)) and not fpr.anchored_by(fp, P0, keccak(evidence))
    fp, _ = anchor(fp, caller=H0, kind=2, payload=evidence)  # the grid still anchors it
    assert fpr.anchored_by(fp, P0, keccak(evidence))
    assert not fpr.anchored_by(fp, P0, keccak(fpr.delivery_evidence(market, 0, 9_999)))
    with pytest.raises(fpr.AlreadyAnchored):
        anchor(fp, caller=H0, kind=2, payload=evidence)
