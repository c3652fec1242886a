"""The fingerprints' test vectors (form ``fairwatt-fingerprint-vectors/1``): scenarios scripted on the
reference model, with each step's expected outcome, events and state, and their replay on the contract.

Accounts are role names (``driver.ROLES``); bytes (content hashes, fingerprints) are ``0x`` hex.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from eth_utils import keccak

from reference import fingerprints as fpr
from verify.differential.observe import differences
from verify.fingerprints.driver import PAYLOADS, ROLES, ContractFingerprints, address, jsonable, model_state
from verify.steps import Recorder, departures

FORMAT = "fairwatt-fingerprint-vectors/1"
T0 = 2_000_000_000
ACTIONS: dict[str, tuple[str, ...]] = {
    "register_participant": ("caller", "account", "role"),
    "set_delegate": ("caller", "delegate", "allowed"),
    "anchor_record": ("caller", "provider", "kind", "record_time", "payload_hash"),
    "get_record": ("caller", "record_id"),
}
ACCOUNTS = {"caller", "account", "delegate", "provider"}


def apply(fp: fpr.Fingerprints, action: str, args: list, now: int) -> tuple[fpr.Fingerprints, list]:
    """One transition of the model; ``args`` with addresses, in :data:`ACTIONS` order. ``get_record`` reads
    (FPR-6): whoever asks, nothing changes and nothing is emitted, or it raises ``UnknownRecord``."""
    function = getattr(fpr, action)
    if action == "get_record":
        function(fp, *args[1:])
        return fp, []
    return function(fp, *args, now) if action == "anchor_record" else function(fp, *args)


@dataclass
class Script(Recorder):
    """Builds a scenario on the model, one action at a time (one second apart), recording what it must do."""

    name: str
    clauses: list[str]
    fp: fpr.Fingerprints = field(default_factory=lambda: fpr.deploy(address("admin")))
    now: int = T0
    steps: list[dict] = field(default_factory=list)

    def do(self, action: str, *args: Any) -> Script:
        named = dict(zip(ACTIONS[action], args, strict=True))
        model_args = [address(v) if k in ACCOUNTS else v for k, v in named.items()]
        run = partial(apply, self.fp, action, model_args, self.now)
        self.fp = self.record(action, jsonable(named), run, self.fp, jsonable, model_state)
        return self

    def case(self) -> dict:
        return {"format": FORMAT, "name": self.name, "clauses": self.clauses, "roles": list(ROLES), "steps": self.steps}


def setup(name: str, clauses: list[str]) -> Script:
    """p0, p1 providers, h0, h1 holders; p0 delegates its uploads to h0."""
    s = Script(name, clauses)
    for role, kind in (("p0", fpr.Role.PROVIDER), ("p1", fpr.Role.PROVIDER), ("h0", fpr.Role.HOLDER)):
        s.do("register_participant", "admin", role, int(kind))
    s.do("register_participant", "admin", "h1", int(fpr.Role.HOLDER)).do("set_delegate", "p0", "h0", True)
    return s


def scenarios() -> list[Script]:
    reading, evidence, supply = PAYLOADS[:3]
    out = []

    s = setup("fingerprints_anchor_and_delegate", ["FPR-1", "FPR-2", "FPR-3", "FPR-4", "FPR-7"])
    s.do("anchor_record", "p0", "p0", int(fpr.Kind.METER_READING), s.now - 60, reading)
    s.do("anchor_record", "h0", "p0", int(fpr.Kind.DELIVERY_EVIDENCE), s.now, evidence)
    s.do("anchor_record", "p1", "p1", int(fpr.Kind.SUPPLY_RECORD), s.now - 3600, supply)
    s.do("set_delegate", "p0", "h0", False)
    s.do("anchor_record", "h0", "p0", int(fpr.Kind.METER_READING), s.now, keccak(b"after revocation"))
    out.append(s)

    s = setup("fingerprints_hostile", ["FPR-1", "FPR-2", "FPR-3", "FPR-5"])
    s.do("register_participant", "viewer", "viewer", int(fpr.Role.PROVIDER))  # not the admin
    s.do("register_participant", "admin", "viewer", 0).do("register_participant", "admin", "viewer", 3)
    s.do("register_participant", "admin", "h0", int(fpr.Role.PROVIDER))  # registered already
    s.do("set_delegate", "viewer", "h0", True).do("set_delegate", "p1", "p0", True)
    s.do("anchor_record", "viewer", "viewer", 1, s.now, reading)  # a viewer writing as itself
    s.do("anchor_record", "viewer", "p0", 1, s.now, reading)  # a viewer writing for a provider
    s.do("anchor_record", "h0", "h0", 1, s.now, reading)  # a forged provider: a holder
    s.do("anchor_record", "h1", "p0", 1, s.now, reading)  # a holder p0 never delegated to
    s.do("anchor_record", "p0", "p0", 0, s.now, reading).do("anchor_record", "p0", "p0", 4, s.now, reading)
    s.do("anchor_record", "p0", "p0", 1, s.now + 5, reading)  # from the future
    t = s.now - 10
    s.do("anchor_record", "p0", "p0", 1, t, reading)
    s.do("anchor_record", "p0", "p0", 2, t - 1, evidence)  # back-dated behind the latest
    s.do("anchor_record", "p0", "p0", 2, t, evidence)  # at the latest's time: in order
    s.do("anchor_record", "h0", "p0", 1, s.now, reading)  # a replayed record
    s.do("anchor_record", "p1", "p1", 3, s.now, reading)  # the same content by another provider: its own
    s.do("anchor_record", "p1", "p1", 2, s.now, evidence)  # an attacker anchors the grid's evidence first ...
    s.do("anchor_record", "p0", "p0", 2, s.now, evidence)  # ... and the grid still anchors it (and p0 replays)
    out.append(s)

    s = setup("fingerprints_roles_and_reads", ["FPR-2", "FPR-3", "FPR-6"])
    s.do("set_delegate", "h0", "h1", True)  # a holder is no provider: it delegates nothing
    s.do("set_delegate", "p0", "p1", True).do("set_delegate", "p0", "viewer", True)  # only holders are delegates
    s.do("get_record", "viewer", 0)  # nothing anchored yet
    s.do("anchor_record", "h0", "p0", int(fpr.Kind.METER_READING), s.now, reading)  # a delegate, at the block's time
    s.do("get_record", "viewer", 0).do("get_record", "viewer", 1).do("get_record", "p0", 2)  # one past the end, two
    s.do("set_delegate", "p0", "h1", True).do("set_delegate", "p0", "h0", False)  # h1 now, h0 no longer
    s.do("anchor_record", "h0", "p0", int(fpr.Kind.SUPPLY_RECORD), s.now, supply)
    s.do("anchor_record", "h1", "p0", int(fpr.Kind.SUPPLY_RECORD), s.now, supply)
    s.do("get_record", "h1", 1).do("get_record", "h1", 2)
    out.append(s)
    return out


def generate(out: Path) -> list[Path]:
    """Write every scenario as ``out/<name>.json``."""
    from verify import vectors

    return vectors.generate(out, scenarios())


def replay(case: dict, contract: ContractFingerprints) -> list[str]:
    """Replay ``case`` on a fresh deployment; every difference found."""
    problems = []
    for number, step in enumerate(case["steps"]):
        contract.at_time(step["time"])
        args = step["args"]
        values = [address(args[k]) if k in ACCOUNTS else _bytes(args[k]) for k in ACTIONS[step["action"]]]
        where = f"step {number} {step['action']}"
        problems += departures(where, getattr(contract, step["action"])(*values), step["expect"], jsonable)
        problems += [f"{where}: {d}" for d in differences(step["post"], contract.state())]
    return problems


def _bytes(value: Any) -> Any:
    return bytes.fromhex(value[2:]) if isinstance(value, str) and value.startswith("0x") else value


def replay_all(
    cases: list[dict], artifacts: dict, backend: str | None = None, wallets: bool = False
) -> dict[str, list[str]]:
    """Each case on its own fresh deployment: case name -> differences. With ``wallets``, every role is a
    contract account whose transactions a relayer sends (:mod:`verify.fingerprints.wallets`; ``artifacts``
    must hold the ``Wallet`` mock)."""
    return {case["name"]: replay(case, ContractFingerprints.deploy(artifacts, backend, wallets)) for case in cases}
