"""The differential state machine of the fingerprints: every rule applies one action to the reference model
and to the deployed contract; after every step they agree (outcome, error and arguments, events, the whole
observable state), and what was anchored stays as it was: no record overwritten, none back-dated, none
anchored after its block time or twice.

The hostile moves are rules like the others: viewers and undelegated holders writing, forged providers,
revoked delegates, replayed content, records from the future or behind the provider's latest.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from reference import fingerprints as fpr
from verify.fingerprints.driver import PAYLOADS, ROLES, ContractFingerprints, address, jsonable, model_state
from verify.fingerprints.vectors import ACCOUNTS, ACTIONS, apply
from verify.steps import ChainMachine, Mismatch, compare

anyone = st.sampled_from(ROLES)
uploaders = st.sampled_from(["p0", "p0", "h0", "p1", "h1", "viewer"])
providers = st.sampled_from(["p0", "p0", "p1", "h0", "viewer"])
offsets = st.sampled_from([0, 0, -30, -1, 1, 30])
"""Seconds from the provider's latest record time: back-dated (< 0) or, above the clock, from the future."""


class FingerprintMachine(ChainMachine):
    def __init__(self):
        super().__init__()
        self.fp = fpr.deploy(address("admin"))
        self.anchored: tuple[fpr.Anchor, ...] = ()

    def act(self, action: str, *args: Any) -> None:
        named = dict(zip(ACTIONS[action], args, strict=True))
        model_args = [address(v) if k in ACCOUNTS else v for k, v in named.items()]
        model = partial(apply, self.fp, action, model_args, self.now())
        contract = partial(getattr(self.contract, action), *model_args)
        self.fp, _ = compare(f"{action}{tuple(args)}", model, self.fp, contract, jsonable)
        state, chain = model_state(self.fp), self.contract.state()
        if state != chain:
            raise Mismatch(f"{action}{tuple(args)}: model state {state} != contract state {chain}")

    @initialize()
    def setup(self):
        for role, kind in (("p0", 1), ("p1", 1), ("h0", 2), ("h1", 2)):
            self.act("register_participant", "admin", role, kind)
        self.act("set_delegate", "p0", "h0", True)

    @rule(caller=st.sampled_from(["admin", "admin", "viewer"]), account=anyone, role=st.integers(0, 3))
    def register(self, caller, account, role):
        self.act("register_participant", caller, account, role)

    @rule(caller=st.sampled_from(["p0", "p1", "h0", "viewer"]), delegate=anyone, allowed=st.booleans())
    def delegate(self, caller, delegate, allowed):
        self.act("set_delegate", caller, delegate, allowed)

    @rule(caller=uploaders, provider=providers, kind=st.sampled_from([1, 2, 3, 0, 4]), offset=offsets,
          payload=st.sampled_from(PAYLOADS))  # fmt: skip
    def anchor(self, caller, provider, kind, offset, payload):
        latest = self.fp.latest.get(address(provider), self.now() - 100)
        self.act("anchor_record", caller, provider, kind, max(latest + offset, 0), payload)

    @rule(caller=anyone, record=st.integers(0, 6))
    def read(self, caller, record):
        """FPR-6's read, past the last record too."""
        self.act("get_record", caller, record)

    @rule(seconds=st.sampled_from([1, 60]))
    def wait(self, seconds):
        self.contract.at_time(self.now() + seconds)

    @invariant()
    def nothing_anchored_changes(self):
        records = self.fp.records
        assert records[: len(self.anchored)] == self.anchored, "an anchored record changed"
        assert all(a.record_time <= a.anchored_at for a in records), "a record anchored before its time"
        assert len({a.payload_hash for a in records}) == len(records), "content anchored twice"
        for provider in {a.provider for a in records}:
            times = [a.record_time for a in records if a.provider == provider]
            assert times == sorted(times), "a provider's record back-dated"
        self.anchored = records


def deploy(artifacts: dict, backend: str | None = None) -> None:
    """Deploy the contract the machine compares against, snapshotted empty."""
    FingerprintMachine.install(ContractFingerprints.deploy(artifacts, backend))
