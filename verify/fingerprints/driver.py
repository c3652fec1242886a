"""Drive ``Fingerprints`` in the reference model's vocabulary (:mod:`reference.fingerprints`), and read the
observable state both sides are compared on.

Each method is named after a transition and takes the same arguments (``now`` excepted); it returns the
chain's :class:`~verify.toolchain.chain.Outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_keys import keys
from eth_utils import keccak

from reference import fingerprints as fpr
from verify.fingerprints import wallets as wallets_
from verify.steps import OnChain
from verify.toolchain.chain import Call, Chain, Outcome
from verify.toolchain.compiler import Artifact

CONTRACT = "Fingerprints"
ROLES = ("admin", "p0", "p1", "h0", "h1", "viewer")
"""``admin`` deploys; ``p*`` are registered providers, ``h*`` holders; ``viewer`` is never registered.
Role ``i`` is the chain's account ``i`` (private key ``i + 1``)."""
MARKET = "0x" + "0" * 36 + "fa17"
"""The bilateral market whose execution records the delivery evidence names (FPR-7)."""


def address(role: str) -> str:
    return keys.PrivateKey((ROLES.index(role) + 1).to_bytes(32, "big")).public_key.to_checksum_address()


PAYLOADS = (
    keccak(fpr.meter_reading(address("p0"), 0, 12_500)),
    keccak(fpr.delivery_evidence(MARKET, 0, 10_000)),
    keccak(fpr.supply_record(address("p1"), address("p0"), 10_000)),
    *(keccak(fpr.meter_reading(address("p0"), nonce, 12_500)) for nonce in (1, 2, 3)),
)
"""The content hashes the vectors and the campaign anchor, replay and ask ``anchoredBy`` about: a meter
reading, a delivery's evidence, a supply record, three more readings."""


NAMES = {address(role).lower(): role for role in ROLES}


def jsonable(value: Any) -> Any:
    """Comparable and JSON-ready: addresses as role names, bytes as hex, tuples as lists, enums as ints."""
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str):
        return NAMES.get(value.lower(), value.lower())
    if isinstance(value, bool):
        return value
    return int(value) if isinstance(value, int) else value


def model_state(fp: fpr.Fingerprints) -> dict:
    """The observable state of the model, shaped as :meth:`ContractFingerprints.state` reads it."""
    records = [
        (a.fingerprint, a.payload_hash, a.provider, a.record_time, a.anchored_at, a.kind, a.uploader)
        for a in fp.records
    ]
    return jsonable(
        {
            "roles": {role: int(fpr.role_of(fp, address(role))) for role in ROLES},
            "delegates": sorted(jsonable(list(fp.delegates))),
            "latest": {role: fp.latest.get(address(role), 0) for role in ROLES},
            "records": records,
            "anchored_by": [[fpr.anchored_by(fp, address(r), h) for h in PAYLOADS] for r in ROLES],
            "record_of": [[fpr.record_of(fp, address(r), h) for h in PAYLOADS] for r in ROLES],
        }
    )


@dataclass
class ContractFingerprints(OnChain):
    chain: Chain
    contract: Any
    wallet: Artifact | None = None
    """Set: every role's address holds this wallet's code and its transactions are relayed by the chain's
    last account (:mod:`verify.fingerprints.wallets`)."""

    @classmethod
    def deploy(
        cls, artifacts: dict[str, Artifact], backend: str | None = None, wallets: bool = False
    ) -> ContractFingerprints:
        """Deployed by ``admin``; with ``wallets``, every role (the admin too) then becomes a contract account."""
        chain = Chain(accounts=len(ROLES) + 1, backend=backend)  # the last: the wallets' relayer
        deployed = chain.deploy(artifacts[CONTRACT], sender=address("admin"))
        if not deployed.ok:
            raise RuntimeError(f"deploying {CONTRACT} failed: {deployed.error}{deployed.error_args}")
        wallet = artifacts[wallets_.WALLET] if wallets else None
        if wallet:
            wallets_.install(chain, wallet, [address(role) for role in ROLES])
        return cls(chain, deployed.value, wallet)

    def _send(self, call: Call, caller: str) -> Outcome:
        if self.wallet is None:
            return self.chain.transact(call, sender=caller)
        return self.chain.transact(wallets_.relayed(self.chain, self.wallet, call, caller), self.chain.accounts[-1])

    def register_participant(self, caller: str, account: str, role: int) -> Outcome:
        return self._send(self.f.registerParticipant(account, role), caller)

    def set_delegate(self, caller: str, delegate: str, allowed: bool) -> Outcome:
        return self._send(self.f.setDelegate(delegate, allowed), caller)

    def anchor_record(self, caller: str, provider: str, kind: int, record_time: int, payload_hash: bytes) -> Outcome:
        return self._send(self.f.anchorRecord(provider, kind, record_time, payload_hash), caller)

    def get_record(self, caller: str, record_id: int) -> Outcome:
        """FPR-6's read, sent as a transaction: its revert (``UnknownRecord``) is an outcome like any other."""
        return self._send(self.f.getRecord(record_id), caller)

    def state(self) -> dict:
        def call(view: Call) -> Any:  # from the relayer: no role's account, which may hold code
            return self.chain.call(view, sender=self.chain.accounts[-1])

        roles = {role: call(self.f.roleOf(address(role))) for role in ROLES}
        holders = [role for role in ROLES if roles[role] == fpr.Role.HOLDER]  # only holders are delegates (FPR-2)
        delegates = [(p, d) for p in ROLES for d in holders if call(self.f.isDelegate(address(p), address(d)))]
        records = [tuple(call(self.f.getRecord(i))) for i in range(call(self.f.recordCount()))]
        return jsonable(
            {
                "roles": roles,
                "delegates": sorted(jsonable(delegates)),
                "latest": {role: call(self.f.latestRecordTime(address(role))) for role in ROLES},
                "records": records,
                "anchored_by": [[call(self.f.anchoredBy(address(r), h)) for h in PAYLOADS] for r in ROLES],
                "record_of": [[call(self.f.recordOf(address(r), h)) for h in PAYLOADS] for r in ROLES],
            }
        )
