"""Data fingerprints as audit checks: the vectors, the differential campaign with hostile moves, and the
integrity check of off-chain copies against the fingerprints the contract anchored."""

from __future__ import annotations

from dataclasses import replace

from eth_utils import keccak

from reference import fingerprints as fpr
from verify.check import Check, Context
from verify.checks.replay import machine_findings, vector_findings
from verify.findings import Finding, Impact, Status
from verify.fingerprints import machine, vectors
from verify.fingerprints.driver import ContractFingerprints, address, jsonable
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import compile_tree


class FingerprintVectorsCheck(Check):
    ID = "fingerprint-vectors"
    STAGE = "trade"
    IMPACT = Impact.HIGH
    CLAUSES = ("FPR-3", "FPR-1", "FPR-2", "FPR-5", "FPR-7")
    DESCRIPTION = "The fingerprints' vectors (delegated uploads, hostile writers, replays, back-dating) replay green."
    RECOMMENDATION = "Fix the contract where the replay departs from the vector's expected outcome or state."

    def run(self, ctx: Context) -> list[Finding]:
        cases = [s.case() for s in vectors.scenarios()]
        results = vectors.replay_all(cases, compile_tree(ctx.contracts), FAST)
        return vector_findings(self, cases, results, "{cases} vectors replay green")


class FingerprintDifferentialCheck(Check):
    ID = "fingerprint-differential"
    STAGE = "trade"
    IMPACT = Impact.HIGH
    CLAUSES = ("FPR-5", "FPR-3")
    DESCRIPTION = "Random runs of anchoring, delegating and registering, hostile moves included, agree with the model."
    RECOMMENDATION = "Replay the falsifying example and fix the contract where it departs from the clause."

    def run(self, ctx: Context) -> list[Finding]:
        machine.deploy(compile_tree(ctx.contracts), FAST)
        return machine_findings(self, ctx, machine.FingerprintMachine, 30)


def copies(provider: str, now: int) -> list[fpr.Record]:
    """One record of each kind, as its holders would keep it."""
    return [
        fpr.Record(fpr.Kind.METER_READING, provider, now - 900, fpr.meter_reading(provider, 7, 12_500)),
        fpr.Record(fpr.Kind.DELIVERY_EVIDENCE, provider, now - 600, fpr.delivery_evidence(provider, 3, 10_000)),
        fpr.Record(fpr.Kind.SUPPLY_RECORD, provider, now - 300, fpr.supply_record(provider, address("p1"), 10_000)),
    ]


def tampered(record: fpr.Record) -> dict[str, fpr.Record]:
    """The copy with one thing changed: a byte of the content, the kind, the provider, the time."""
    flipped = record.payload[:-1] + bytes([record.payload[-1] ^ 1])
    return {
        "content": replace(record, payload=flipped),
        "kind": replace(record, kind=record.kind % 3 + 1),
        "provider": replace(record, provider=address("viewer")),
        "time": replace(record, record_time=record.record_time - 1),
    }


class FingerprintIntegrityCheck(Check):
    ID = "fingerprint-integrity"
    STAGE = "trade"
    IMPACT = Impact.HIGH
    CLAUSES = ("FPR-6", "FPR-4")
    DESCRIPTION = (
        "Records anchored on the contract (by a delegate): getRecord returns every field as expected, each "
        "intact off-chain copy matches the anchored fingerprint (check_copy) and every copy with its content, "
        "kind, provider or time changed is a mismatch."
    )
    RECOMMENDATION = "Hash the canonical encoding of FPR-4 in the contract, every field of it."

    def run(self, ctx: Context) -> list[Finding]:
        contract = ContractFingerprints.deploy(compile_tree(ctx.contracts), FAST)
        call = contract.chain.call
        provider, uploader = address("p0"), address("h0")
        contract.register_participant(address("admin"), provider, int(fpr.Role.PROVIDER))
        contract.register_participant(address("admin"), uploader, int(fpr.Role.HOLDER))
        contract.set_delegate(provider, uploader, True)
        problems = []
        for record in copies(provider, contract.chain.pending_timestamp()):
            payload_hash, at = keccak(record.payload), contract.chain.pending_timestamp()
            done = contract.anchor_record(uploader, provider, record.kind, record.record_time, payload_hash)
            if not done.ok:
                problems.append(f"anchoring kind {record.kind} failed: {done.error}{done.error_args}")
                continue
            record_id = done.events[0][1]["recordId"]
            raw = tuple(call(contract.f.getRecord(record_id)))
            digest = fpr.fingerprint(record.kind, provider, record.record_time, payload_hash)
            expected = (digest, payload_hash, provider, record.record_time, at, record.kind, uploader)
            if jsonable(raw) != jsonable(expected):
                problems.append(f"record {record_id}: getRecord returns {jsonable(raw)}, expected {jsonable(expected)}")
            anchor = fpr.Anchor(raw[0], raw[1], raw[2], raw[6], raw[5], raw[3], raw[4])
            if not fpr.check_copy(anchor, record_id, record).intact:
                problems.append(f"record {record_id} (kind {record.kind}): the intact copy does not match the chain")
            for what, copy in {"intact": record, **tampered(record)}.items():
                on_chain = call(
                    contract.f.fingerprintOf(copy.kind, copy.provider, copy.record_time, keccak(copy.payload))
                )
                if (bytes(on_chain) == bytes(anchor.fingerprint)) != (what == "intact"):
                    problems.append(
                        f"record {record_id} (kind {record.kind}): fingerprintOf of the {what} copy is wrong"
                    )
        if problems:
            return [self.finding(problems[0], Status.VIOLATION, evidence="\n".join(problems))]
        return [
            self.finding(
                "3 anchored records: every field as expected, intact copies match, 12 tampered mismatch", Status.PASSED
            )
        ]
