"""Data fingerprints (``spec/fingerprints.md``, FPR-1..FPR-7): seed 000's anchoring of off-chain records.

An off-chain record — a meter reading, the evidence of a delivery, a supply record — is kept by the data
holders; its fingerprint, keccak256 of a canonical byte encoding, is anchored on chain with its provider,
its uploader and the block time. Providers may delegate the upload to a holder; everybody else is a
viewer, who reads and checks copies but never writes. A fingerprint is never overwritten, a provider's
records never go back in time, and a record's content is anchored once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum

from eth_abi import encode
from eth_utils import keccak

from reference import errors
from reference.market import ZERO_ADDRESS

TAG = keccak(b"fairwatt-fingerprint/1")
"""The first word of every encoded record: a fingerprint of another scheme never equals one of ours."""


class Role(IntEnum):
    """A participant's role. The integers are the Solidity enum's."""

    VIEWER = 0
    """Everybody not registered: reads, checks copies, never writes."""
    PROVIDER = 1
    """Owns records and anchors them, itself or through a delegate."""
    HOLDER = 2
    """Keeps the off-chain copies; uploads for the providers that delegate to it."""


class Kind(IntEnum):
    """What a record is. The integers are those the contract accepts."""

    METER_READING = 1
    DELIVERY_EVIDENCE = 2
    SUPPLY_RECORD = 3


# -- errors ------------------------------------------------------------------------------------


class NotAdmin(errors.FairwattError):
    """Only the admin (the deployer) registers participants."""


class InvalidRole(errors.FairwattError):
    """Participants are registered as providers (1) or holders (2)."""


class NotProvider(errors.FairwattError):
    """The account is not a registered provider (a viewer or holder writing as one, a forged provider)."""


class NotHolder(errors.FairwattError):
    """A delegate must be a registered holder."""


class NotUploader(errors.FairwattError):
    """The caller is neither the provider nor a holder it delegates to (now)."""


class UnknownKind(errors.FairwattError):
    """The record kind is not one of :class:`Kind`."""


class FutureRecord(errors.FairwattError):
    """The record's time is after the block's."""


class BackDated(errors.FairwattError):
    """The record's time is before the provider's latest anchored record."""


class AlreadyAnchored(errors.FairwattError):
    """This content is anchored already (a replayed record): its record id is given."""


class UnknownRecord(errors.FairwattError):
    """No record has this id."""


# -- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantRegistered:
    account: str
    role: int


@dataclass(frozen=True)
class DelegateSet:
    provider: str
    delegate: str
    allowed: bool


@dataclass(frozen=True)
class FingerprintAnchored:
    record_id: int
    provider: str
    uploader: str
    kind: int
    fingerprint: bytes
    record_time: int


# -- the canonical encoding ----------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """An off-chain record as its holders keep it."""

    kind: int
    provider: str
    record_time: int
    """When the record was made (a meter's reading time, a delivery's end), in seconds."""
    payload: bytes
    """The record's content, encoded by :func:`meter_reading`, :func:`delivery_evidence` or :func:`supply_record`."""


def meter_reading(meter: str, nonce: int, wh: int) -> bytes:
    """FPR-4: a meter reading's payload, ``abi.encode(address meter, uint64 nonce, uint256 wh)``."""
    return encode(["address", "uint64", "uint256"], [meter, nonce, wh])


def delivery_evidence(market: str, trade_id: int, delivered: int) -> bytes:
    """FPR-4, FPR-7: a trade's execution record, ``abi.encode(address market, uint256 tradeId, uint256 delivered)``."""
    return encode(["address", "uint256", "uint256"], [market, trade_id, delivered])


def supply_record(supplier: str, receiver: str, wh: int) -> bytes:
    """FPR-4: a supply record's payload, ``abi.encode(address supplier, address receiver, uint256 wh)``."""
    return encode(["address", "address", "uint256"], [supplier, receiver, wh])


def encode_record(kind: int, provider: str, record_time: int, payload_hash: bytes) -> bytes:
    """FPR-4: ``abi.encode(bytes32 TAG, uint8 kind, address provider, uint40 recordTime, bytes32
    keccak256(payload))``: five 32-byte words."""
    return encode(
        ["bytes32", "uint8", "address", "uint40", "bytes32"], [TAG, kind, provider, record_time, payload_hash]
    )


def fingerprint(kind: int, provider: str, record_time: int, payload_hash: bytes) -> bytes:
    """FPR-4: keccak256 of the canonical encoding (``Fingerprints.fingerprintOf``)."""
    return keccak(encode_record(kind, provider, record_time, payload_hash))


def record_fingerprint(record: Record) -> bytes:
    """FPR-4: the fingerprint of a whole off-chain record."""
    return fingerprint(record.kind, record.provider, record.record_time, keccak(record.payload))


# -- state -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """What the chain keeps of one record (``Fingerprints.getRecord``)."""

    fingerprint: bytes
    payload_hash: bytes
    provider: str
    uploader: str
    kind: int
    record_time: int
    anchored_at: int
    """The block time of the anchoring: never an argument, so never back-dated."""


@dataclass(frozen=True)
class Fingerprints:
    admin: str
    roles: dict[str, Role]
    delegates: frozenset[tuple[str, str]] = frozenset()
    """(provider, holder) pairs: the holder uploads for the provider."""
    records: tuple[Anchor, ...] = ()
    by_payload: dict[tuple[str, bytes], int] = field(default_factory=dict)
    """Content (keccak256 of the payload) -> the record that anchored it."""
    latest: dict[str, int] = field(default_factory=dict)
    """Each provider's latest anchored record time."""


def deploy(admin: str) -> Fingerprints:
    return Fingerprints(admin=admin, roles={})


def role_of(fp: Fingerprints, account: str) -> Role:
    return fp.roles.get(account, Role.VIEWER)


# -- transitions ---------------------------------------------------------------------------------


def register_participant(fp: Fingerprints, caller: str, account: str, role: int) -> tuple[Fingerprints, list]:
    """FPR-1: the admin registers a provider or a holder, once."""
    if caller != fp.admin:
        raise NotAdmin(caller)
    if role not in (Role.PROVIDER, Role.HOLDER):
        raise InvalidRole(role)
    if account in fp.roles or account == ZERO_ADDRESS:
        raise errors.AlreadyRegistered(account)
    return replace(fp, roles={**fp.roles, account: Role(role)}), [ParticipantRegistered(account, role)]


def set_delegate(fp: Fingerprints, caller: str, delegate: str, allowed: bool) -> tuple[Fingerprints, list]:
    """FPR-2: a provider lets a holder upload its records (``allowed``) or revokes it."""
    if role_of(fp, caller) != Role.PROVIDER:
        raise NotProvider(caller)
    if role_of(fp, delegate) != Role.HOLDER:
        raise NotHolder(delegate)
    pair = (caller, delegate)
    delegates = fp.delegates | {pair} if allowed else fp.delegates - {pair}
    return replace(fp, delegates=delegates), [DelegateSet(caller, delegate, allowed)]


def anchor_record(
    fp: Fingerprints, caller: str, provider: str, kind: int, record_time: int, payload_hash: bytes, now: int
) -> tuple[Fingerprints, list]:
    """FPR-3, FPR-5: the provider, or a holder it delegates to, anchors a record's fingerprint with the
    block time. Checks in order: provider, uploader, kind, time not ahead of the block nor behind the
    provider's latest record, content not anchored yet."""
    if role_of(fp, provider) != Role.PROVIDER:
        raise NotProvider(provider)
    if caller != provider and (provider, caller) not in fp.delegates:
        raise NotUploader(caller, provider)
    if kind not in set(Kind):
        raise UnknownKind(kind)
    if record_time > now:
        raise FutureRecord(record_time, now)
    latest = fp.latest.get(provider, 0)
    if record_time < latest:
        raise BackDated(record_time, latest)
    if (provider, payload_hash) in fp.by_payload:
        raise AlreadyAnchored(payload_hash, fp.by_payload[provider, payload_hash])
    record_id = len(fp.records)
    digest = fingerprint(kind, provider, record_time, payload_hash)
    anchor = Anchor(digest, payload_hash, provider, caller, kind, record_time, now)
    fp = replace(
        fp,
        records=fp.records + (anchor,),
        by_payload={**fp.by_payload, (provider, payload_hash): record_id},
        latest={**fp.latest, provider: record_time},
    )
    return fp, [FingerprintAnchored(record_id, provider, caller, kind, digest, record_time)]


# -- reading -------------------------------------------------------------------------------------


def get_record(fp: Fingerprints, record_id: int) -> Anchor:
    if not 0 <= record_id < len(fp.records):
        raise UnknownRecord(record_id)
    return fp.records[record_id]


@dataclass(frozen=True)
class Integrity:
    """FPR-6: an off-chain copy checked against its anchored fingerprint."""

    record_id: int
    anchored: bytes
    recomputed: bytes

    @property
    def intact(self) -> bool:
        return self.anchored == self.recomputed


def check_copy(anchor: Anchor, record_id: int, copy: Record) -> Integrity:
    """FPR-6: recompute the fingerprint of an off-chain copy of record ``record_id`` and compare it with the
    one anchored (``anchor``, as :func:`get_record` or ``Fingerprints.getRecord`` returns it): any changed
    byte of the content, or another kind, provider or time, is a mismatch."""
    return Integrity(record_id, anchor.fingerprint, record_fingerprint(copy))


def anchored_by(fp: Fingerprints, provider: str, payload_hash: bytes) -> bool:
    """FPR-7: whether ``provider`` anchored this content (``Fingerprints.anchoredBy``)."""
    return (provider, payload_hash) in fp.by_payload


def record_of(fp: Fingerprints, provider: str, payload_hash: bytes) -> tuple[int, int]:
    """FPR-7: the kind and record time of ``provider``'s record of this content, (0, 0) when it anchored none
    (``Fingerprints.recordOf``)."""
    record_id = fp.by_payload.get((provider, payload_hash))
    if record_id is None:
        return 0, 0
    return fp.records[record_id].kind, fp.records[record_id].record_time
