"""Proof obligations on the compiled contracts: halmos runs the Solidity harnesses of ``verify/bytecode/``
on FairwattMarket's bytecode, every argument symbolic, and on each obligation's known-bad twin.

A twin is ``contracts/`` with one mutation (``verify/bytecode/twins.toml``), generated into
``verify/bytecode/twins/`` with its contracts renamed so that one ``forge build`` holds them all. An
obligation is ``proved`` only when halmos explores every path of its check on ``contracts/`` without a
counterexample and refutes it on its twin; a twin that survives makes it ``not_verified`` (the proof
may be vacuous), as do a timeout, a loop bound reached, a tool missing or crashing.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from verify.check import Check, Context
from verify.findings import Finding, Impact, Status
from verify.toolchain.compiler import ROOT

HARNESSES = ROOT / "verify" / "bytecode"
TWINS = HARNESSES / "twins"
FORGE_OUT = ".fairwatt-cache/forge/out"
FOUNDRY_CONFIG = Path(__file__).resolve().parents[1] / "bytecode" / "foundry.toml"
LOOP = 4
"""halmos's loop bound: above the three bids of the largest harness (a loop cut short is not verified)."""
TIMEOUT = 240
"""Seconds for the whole halmos run, originals and twins."""


@dataclass(frozen=True)
class Twin:
    """A known-bad copy of the contracts: one mutation of one source file."""

    id: str
    harness: str
    """The harness contract run on it."""
    file: str
    """The source file mutated, relative to ``contracts/``."""
    why: str
    old: str
    new: str

    @property
    def suffix(self) -> str:
        """``twin-first-price`` -> ``TwinFirstPrice``: appended to every contract name it copies."""
        return "".join(part.capitalize() for part in self.id.split("-"))


@dataclass(frozen=True)
class Obligation:
    """One ``check_*`` function of a harness: its claim, and the twin that must refute it."""

    id: str
    clause: str
    harness: str
    function: str
    twin: str
    statement: str


OBLIGATIONS = (
    Obligation(
        "bytecode-withdraw",
        "SET-7",
        "Withdraw",
        "check_withdraw_pays_pending",
        "twin-withdraw-pays-all",
        "A withdrawal pays exactly the caller's pending balance, zeroed before the transfer; a re-entrant "
        "receiver gets nothing more.",
    ),
    Obligation(
        "bytecode-cei",
        "SET-7",
        "Withdraw",
        "check_no_write_after_call",
        "twin-zero-after-call",
        "Checks-Effects-Interactions: the state a re-entrant receiver sees inside the market's external call is "
        "the state after it: nothing is written after the interaction.",
    ),
    Obligation(
        "bytecode-ban-post",
        "REP-9",
        "Ban",
        "check_banned_cannot_post",
        "twin-ban-ends-early",
        "A banned user's postOrder reverts at every time before the ban's end, whatever its arguments.",
    ),
    Obligation(
        "bytecode-ban-bid",
        "REP-9",
        "Ban",
        "check_banned_cannot_bid",
        "twin-ban-ends-early",
        "A banned user's placeBid reverts at every time before the ban's end, whatever its ciphertext and value.",
    ),
    Obligation(
        "bytecode-auction",
        "AUC-7",
        "Auction",
        "check_auction",
        "twin-first-price",
        "Three bids with symbolic quotes, opened and settled: the winner holds the highest valid quote, the "
        "price is max(second, start) and never above it, every other deposit is credited back.",
    ),
    Obligation(
        "bytecode-binding",
        "QUO-5",
        "Binding",
        "check_copied_ciphertext",
        "twin-unbound-quote",
        "A ciphertext copied by another account never opens to the victim's quote: the copy cannot take the "
        "victim's win or push the price to the victim's own quote.",
    ),
)


def load_twins(path: Path = HARNESSES / "twins.toml") -> dict[str, Twin]:
    return {t["id"]: Twin(**t) for t in tomllib.loads(path.read_text())["twin"]}


class TwinError(Exception):
    """A twin's mutation no longer applies to the contracts."""


def twin_sources(twin: Twin, contracts: Path) -> dict[str, str]:
    """File name -> text of the twin: the mutated file and FairwattMarket (which must use it), renamed."""
    copied = {"FairwattMarket.sol", twin.file}
    stems = [Path(name).stem for name in copied]
    out = {}
    for name in copied:
        text = (contracts / name).read_text()
        if name == twin.file:
            if text.count(twin.old) != 1:
                raise TwinError(
                    f"{twin.id}: its mutation's text occurs {text.count(twin.old)} times in {name}, not once"
                )
            text = text.replace(twin.old, twin.new)
        text = re.sub(
            r'from "\./([\w/]+\.sol)"',
            lambda m: m.group(0) if m.group(1) in copied else f'from "../../../contracts/{m.group(1)}"',
            text,
        )
        for stem in stems:
            text = re.sub(rf"\b{stem}\b", stem + twin.suffix, text)
        out[f"{Path(name).stem}{twin.suffix}.sol"] = text
    market = f"FairwattMarket{twin.suffix}"
    out[f"{twin.harness}{twin.suffix}.t.sol"] = f"""// SPDX-License-Identifier: MIT
// Generated by verify/checks/bytecode.py from twins.toml: {twin.why}.
pragma solidity ^0.8.24;

import {{IFairwattMarket}} from "../../../contracts/interfaces/IFairwattMarket.sol";
import {{{market}}} from "./{market}.sol";
import {{{twin.harness}}} from "../{twin.harness}.t.sol";

contract {twin.harness}{twin.suffix} is {twin.harness} {{
    function _deploy() internal override returns (IFairwattMarket) {{
        return IFairwattMarket(address(new {market}(address(this))));
    }}
}}
"""
    return out


def write_twins(twins: dict[str, Twin], contracts: Path, folder: Path = TWINS) -> None:
    """(Re)generate ``folder``, rewriting only changed files so that forge's cache stays warm."""
    wanted: dict[str, str] = {}
    for twin in twins.values():
        wanted.update(twin_sources(twin, contracts))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in folder.iterdir()) - set(wanted):
        (folder / stale).unlink()
    for name, text in wanted.items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def halmos_executable() -> str | None:
    """``$FAIRWATT_HALMOS`` (the tox env ``halmos``), else ``halmos`` on PATH."""
    configured = os.environ.get("FAIRWATT_HALMOS")
    if configured and Path(configured).exists():
        return configured
    return shutil.which("halmos")


@dataclass(frozen=True)
class Outcome:
    """halmos's verdict on one check function of one harness contract."""

    status: Status
    evidence: str = ""
    seconds: float = 0.0


def verdict(result: dict) -> Outcome:
    """One entry of halmos's ``--json-output``: exit code 0 with no loop cut short is proved, 1 refuted."""
    seconds = (result.get("time") or [0])[0] / 1e3 if result.get("time") else 0.0
    code = result.get("exitcode")
    if code == 0 and not result.get("num_bounded_loops"):
        return Outcome(Status.PROVED, seconds=seconds)
    if code == 1:
        models = [m.get("model") for m in result.get("models") or []]
        return Outcome(Status.REFUTED, json.dumps(models[:1], indent=1, default=str), seconds)
    names = {2: "solver timeout", 3: "stuck", 4: "every path reverts", 5: "halmos raised an exception"}
    why = names.get(code, f"exit code {code}") if code else f"loop bound {LOOP} reached: paths left unexplored"
    return Outcome(Status.NOT_VERIFIED, why, seconds)


def run_halmos(contracts: list[str], timeout: float = TIMEOUT, root: Path = ROOT) -> dict[tuple[str, str], Outcome]:
    """halmos on the named harness contracts: ``(contract, function name) -> Outcome``.

    Raises ``RuntimeError`` with a one-line reason when halmos is missing, fails or runs out of time.
    """
    halmos = halmos_executable()
    if halmos is None:
        raise RuntimeError("halmos is not installed (tox env `halmos`; $FAIRWATT_HALMOS)")
    # forge from node_modules; halmos's own environment before ours: halmos runs the `z3` executable it finds
    # on PATH to check counterexamples, and the test environment's z3 (another version) makes it crash
    own = [str(root / "node_modules" / ".bin"), str(Path(halmos).parent)]
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join([*own, os.environ.get("PATH", "")])
    # forge's configuration lives beside the harnesses, not at the root, where Slither (crytic-compile)
    # would take the repository for a Foundry project
    env["FOUNDRY_CONFIG"] = str(FOUNDRY_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "halmos.json"
        command = [halmos, "--root", str(root), "--forge-build-out", FORGE_OUT, "--loop", str(LOOP)]
        command += ["--match-contract", f"^({'|'.join(contracts)})$", "--json-output", str(report)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=root)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"halmos did not finish in {timeout:.0f} s") from None
        except OSError as e:
            raise RuntimeError(f"halmos could not start: {e}") from None
        if not report.exists():
            raise RuntimeError(f"halmos failed (exit {done.returncode}): {(done.stderr or done.stdout)[-800:]}")
        data = json.loads(report.read_text())
    out = {}
    for path, results in (data.get("test_results") or {}).items():
        contract = path.rsplit(":", 1)[-1]
        for result in results:
            out[(contract, result["name"].split("(")[0])] = verdict(result)
    return out


class BytecodeProofs(Check):
    ID = "bytecode"
    STAGE = "bytecode"
    LEVEL = "bytecode"
    """Obligations about the compiled contracts, not about a model of them."""
    CLAUSES = tuple(sorted({o.clause for o in OBLIGATIONS}))
    IMPACT = Impact.HIGH
    DESCRIPTION = "halmos proves withdrawal, CEI, bans, the auction and sealed-bid binding on the bytecode."
    RECOMMENDATION = "Read the counterexample's symbolic inputs as a call sequence and fix the contract."

    def run(self, ctx: Context) -> list[Finding]:
        start = time.perf_counter()
        twins = load_twins()
        try:
            (ROOT / ".fairwatt-cache").mkdir(exist_ok=True)
            with open(ROOT / ".fairwatt-cache" / "bytecode.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # one generation and forge build at a time
                write_twins(twins, ctx.contracts)
                names = sorted({o.harness for o in OBLIGATIONS} | {t.harness + t.suffix for t in twins.values()})
                outcomes = run_halmos(names, ctx.options.get("bytecode_seconds", TIMEOUT))
        except (RuntimeError, TwinError, OSError) as e:
            seconds = time.perf_counter() - start
            return [self._finding(o, Outcome(Status.NOT_VERIFIED, str(e)), None, seconds) for o in OBLIGATIONS]
        missing = Outcome(Status.NOT_VERIFIED, "halmos reported no result for it")
        return [
            self._finding(
                o,
                outcomes.get((o.harness, o.function), missing),
                outcomes.get((o.harness + twins[o.twin].suffix, o.function), missing),
                0.0,
            )
            for o in OBLIGATIONS
        ]

    def _finding(self, o: Obligation, proof: Outcome, twin: Outcome | None, seconds: float) -> Finding:
        status, evidence = proof.status, proof.evidence
        twin_status = twin.status if twin else Status.NOT_VERIFIED
        if status == Status.PROVED and twin_status != Status.REFUTED:
            status = Status.NOT_VERIFIED
            detail = twin.evidence if twin else ""
            evidence = f"vacuous: the known-bad twin {o.twin} is {twin_status.value}, not refuted {detail}".strip()
        return self.finding(
            o.statement,
            status,
            clause=o.clause,
            location=f"{o.harness}.{o.function}",
            evidence=evidence,
            seconds=seconds or proof.seconds + (twin.seconds if twin else 0.0),
            data={
                "obligation": o.id,
                "level": self.LEVEL,
                "params": "resolved",
                "proof_status": proof.status.value,
                "refuted_by": o.twin,
                "variant_status": twin_status.value,
                "variant_counterexample": twin.evidence if twin else "",
            },
        )
