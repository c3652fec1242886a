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
from verify.checks.static.checks import MYTHRIL_DEPTH
from verify.findings import Finding, Impact, Status
from verify.toolchain.compiler import ROOT

HARNESSES = ROOT / "verify" / "bytecode"
TWINS = HARNESSES / "twins"
FORGE_OUT = ".fairwatt-cache/forge/out"
FOUNDRY_CONFIG = Path(__file__).resolve().parents[1] / "bytecode" / "foundry.toml"
LOOP = 5
"""halmos's loop bound: the five orders the solvency invariant sums over (a loop cut short is not verified)."""
TIMEOUT = 240
"""Seconds for the halmos run of the ``check_*`` harnesses, originals and twins."""
INVARIANT_DEPTH = 1
"""k of the solvency invariant: the calls halmos chains after setUp. Measured (benchmarks/README.md) on 2 cores:
k=1 with its twin ~135 s at load ~1 (279 s alone at load ~16); k=2 had not finished after 6 minutes; k=3 not tried."""
BUDGET = 280
"""Seconds for both halmos runs, under the audit's 300 s for the stage: the run of the ``invariant_*`` harnesses
comes second and gets what is left (at most :data:`TIMEOUT`); its timeout leaves the other verdicts standing."""
DROPPED = re.compile(r"ERROR\s+(depth=\d+|run_target_contract)")
"""What halmos logs when it drops a path of a call sequence (stuck, or raised): the invariant is not verified."""


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


INVARIANTS = (
    Obligation(
        "bytecode-solvency",
        "SET-6",
        "Solvency",
        "invariant_solvent",
        "twin-seller-paid-twice",
        f"After any sequence of up to k={INVARIANT_DEPTH} market calls (bids, disclosure, opening, settlement, "
        "payment, defaults, delivery, withdrawal; by any trader or the operator; symbolic quotes, keys, values and "
        "times) from orders in every phase, the market's ether equals the pending balances plus escrow.",
    ),
)
"""Obligations over call sequences (``invariant_*``), run only with the option ``bytecode_invariants``: at k=1
the solvency pair alone takes minutes on a loaded 2-core machine, more than the stage's budget leaves it."""


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


def dropped_paths(stdout: str) -> dict[str, str]:
    """Harness contract -> the first line where halmos dropped a path of its call sequences (its section of
    the output starts at ``Running N tests for FILE:CONTRACT``)."""
    out: dict[str, str] = {}
    contract = ""
    for line in stdout.splitlines():
        if header := re.search(r"Running \d+ tests for \S+:(\w+)", line):
            contract = header.group(1)
        elif DROPPED.search(line) and contract not in out:
            out[contract] = line.strip()
    return out


def run_halmos(
    contracts: list[str], timeout: float = TIMEOUT, root: Path = ROOT, depth: int = 0
) -> dict[tuple[str, str], Outcome]:
    """halmos on the named harness contracts: ``(contract, function name) -> Outcome``; ``depth``: the
    invariant depth (calls chained before each ``invariant_*`` assertion).

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
        command += ["--invariant-depth", str(depth)] if depth else []
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
    dropped = dropped_paths(done.stdout + done.stderr)
    for path, results in (data.get("test_results") or {}).items():
        contract = path.rsplit(":", 1)[-1]
        for result in results:
            outcome = verdict(result)
            if outcome.status == Status.PROVED and contract in dropped:
                outcome = Outcome(Status.NOT_VERIFIED, f"halmos dropped paths: {dropped[contract]}", outcome.seconds)
            out[(contract, result["name"].split("(")[0])] = outcome
    return out


class BytecodeProofs(Check):
    ID = "bytecode"
    STAGE = "bytecode"
    LEVEL = "bytecode"
    """Obligations about the compiled contracts, not about a model of them."""
    CLAUSES = tuple(sorted({o.clause for o in OBLIGATIONS}))
    IMPACT = Impact.HIGH
    DESCRIPTION = (
        "halmos proves withdrawal, CEI, bans, the auction and sealed-bid binding on the bytecode (and, with the "
        f"option bytecode_invariants, solvency over k={INVARIANT_DEPTH} calls): the multi-transaction properties "
        f"Mythril (depth {MYTHRIL_DEPTH} in the audit) cannot reach."
    )
    RECOMMENDATION = "Read the counterexample's symbolic inputs as a call sequence and fix the contract."

    def run(self, ctx: Context) -> list[Finding]:
        twins = load_twins()
        found = []
        start = time.perf_counter()
        # the invariant harnesses run apart, with their depth: their timeout must not take the others down
        groups = [(OBLIGATIONS, False)] + ([(INVARIANTS, True)] if ctx.options.get("bytecode_invariants") else [])
        for group, invariant in groups:
            left = BUDGET - (time.perf_counter() - start)
            seconds = ctx.options.get("bytecode_seconds", max(10.0, min(TIMEOUT, left)))
            found += self._run(ctx, twins, group, seconds, invariant)
        order = [o.id for o in OBLIGATIONS + INVARIANTS]
        return sorted(found, key=lambda f: order.index(f.data["obligation"]))

    def _run(
        self, ctx: Context, twins: dict[str, Twin], group: tuple[Obligation, ...], timeout: float, invariant: bool
    ) -> list[Finding]:
        start = time.perf_counter()
        try:
            (ROOT / ".fairwatt-cache").mkdir(exist_ok=True)
            with open(ROOT / ".fairwatt-cache" / "bytecode.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # one generation and forge build at a time
                write_twins(twins, ctx.contracts)
                names = sorted({o.harness for o in group} | {o.harness + twins[o.twin].suffix for o in group})
                outcomes = run_halmos(names, timeout, depth=INVARIANT_DEPTH if invariant else 0)
        except (RuntimeError, TwinError, OSError) as e:
            seconds = time.perf_counter() - start
            return [self._finding(o, Outcome(Status.NOT_VERIFIED, str(e)), None, seconds) for o in group]
        missing = Outcome(Status.NOT_VERIFIED, "halmos reported no result for it")
        return [
            self._finding(
                o,
                outcomes.get((o.harness, o.function), missing),
                outcomes.get((o.harness + twins[o.twin].suffix, o.function), missing),
                0.0,
            )
            for o in group
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
