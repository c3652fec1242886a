"""Which contracts of a scanned file Mythril is run on, in what order, and why not on the others.

After Slither's run on a file: first where Slither could not analyse it, then contracts that transfer value,
then the rest, each group's smallest first (:class:`MythrilTask`); asked the reentrancy question, never where
Slither or the CEI detector already found state written after an external call (:func:`reentrant`), nor
where the bytecode makes no external call (reentrancy impossible, :func:`_no_call`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from verify.checks.static import scanners
from verify.findings import Finding, Impact, Status
from verify.scan_compilers import CALLS, Choice
from verify.toolchain.compiler import ROOT

REENTRANCY = ("ExternalCalls", "StateChangeAfterCall")
"""Mythril's modules for the reentrancy question: calls to user-supplied addresses, state access after a call."""
CONTRACT = re.compile(r"^\s*(?:abstract\s+)?(contract|library|interface)\s+(\w+)", re.M)
SLITHER_RANK = 1  # the queue's rank of Slither's runs (Mythril's: MythrilTask.rank)
VALUE_TRANSFER = re.compile(r"\.\s*(?:call\s*\.\s*value\s*\(|call\s*\{[^}]*value\s*:|transfer\s*\(|send\s*\()")


def _contracts(path: Path) -> list[tuple[str, int, int, str]]:
    """Each contract of ``path``: its name, first and last line, and its own text."""
    text = path.read_text()
    starts = [(m.start(), m[2]) for m in CONTRACT.finditer(text)] + [(len(text), "")]
    return [
        (name, text.count("\n", 0, start) + 1, text.count("\n", 0, end - 1) + 1, text[start:end])
        for (start, name), (end, _) in zip(starts, starts[1:], strict=False)
    ]


def transfers_value(path: Path, contract: str) -> bool:
    """``contract``'s own text in ``path`` sends ether (``call`` with value, ``transfer``, ``send``)."""
    return any(name == contract and VALUE_TRANSFER.search(own) for name, _, _, own in _contracts(path))


def reentrant(path: Path, result: dict) -> set[str]:
    """The contracts of ``path`` in whose own text Slither or the CEI detector found state written after
    an external call (the question Mythril's reentrancy modules answer; ``reentrancy-events`` is not)."""
    lines = set()
    for tool, findings in result.get("tools", {}).items():
        for f in findings:
            check = f["data"].get("tool_check", "")
            if f["status"] != Status.VIOLATION or check == "reentrancy-events":
                continue
            where, _, line = f["location"].partition("#L")
            if (ROOT / where).resolve() != path.resolve() or not line.split("-")[0].isdigit():
                continue
            if tool == scanners.CEI or (tool == "slither" and check.startswith("reentrancy")):
                lines.add(int(line.split("-")[0]))
    return {name for name, first, last, _ in _contracts(path) if any(first <= line <= last for line in lines)}


@dataclass(frozen=True)
class MythrilTask:
    """One Mythril run: one contract of one file."""

    path: Path
    contract: str
    compiler: scanners.Compiler
    priority: int
    """0: Slither could not analyse the file; 1: the contract transfers value; 2: the rest."""
    size: int = 0
    """Bytes of its runtime code: within a rank the smallest runs first (a run that finishes answers the
    question, one cut short answers nothing; on DAO.sol the 1 kB ManagedAccount is answered in ~40 s while
    the 20 kB DAO is cut short by any budget that fits a scan)."""

    @property
    def rank(self) -> int:
        """Its rank in the queue: after every Slither run (cheap, and it answers most files: a Mythril run of
        a file Slither could not read, taken first, held both jobs for minutes while Slither's files waited
        and the budget ran out), then where Slither was blind, value transfers, the rest."""
        return SLITHER_RANK + 1 + self.priority


def mythril_tasks(path: Path, result: dict, choice: Choice, question: bool) -> tuple[list[MythrilTask], list[Finding]]:
    """Mythril's runs on ``path`` after Slither's ``result``, and why it is not run on the others. Asked
    the reentrancy ``question``, it is not run where Slither or the CEI detector already found state
    written after an external call (:func:`reentrant`; not verified by Mythril), nor where the bytecode
    has no external call (``choice.callers``): there reentrancy is impossible, proved by construction."""
    blind = any(f["status"] == Status.NOT_VERIFIED for f in result["tools"]["slither"])
    answered = reentrant(path, result) if question else set()
    calm = set(choice.contracts) - set(choice.callers) if question and choice.callers is not None else set()
    tasks = [
        MythrilTask(
            path,
            contract,
            choice.compiler,
            0 if blind else 1 if transfers_value(path, contract) else 2,
            choice.sizes.get(contract, 0),
        )
        for contract in choice.contracts
        if contract not in answered | calm
    ]
    skips = [_no_call(path, c) if c in calm else _not_run(path, c) for c in choice.contracts if c in answered | calm]
    return tasks, skips


def _not_run(path: Path, contract: str) -> Finding:
    why = (
        f"not run on {contract}: Slither or the CEI detector found state written after an external call in it, "
        "the reentrancy question is answered (every module, --all-modules, runs Mythril on it)"
    )
    return scanners.not_verified("mythril", path, why, 0)


def _no_call(path: Path, contract: str) -> Finding:
    """Reentrancy is impossible in ``contract``: its code hands control to no other code."""
    return Finding(
        check="mythril",
        title=f"{contract}: no external call in the bytecode: reentrancy impossible (reentrancy modules not run)",
        status=Status.PROVED,
        impact=Impact.INFORMATIONAL,
        location=str(path),
        evidence=f"The constructor and runtime code of {contract} have no {', '.join(CALLS.values())} instruction "
        "(PUSH data and solc's metadata skipped): no other code runs while its code does, nothing re-enters it, "
        "and Mythril's reentrancy modules (they start at a CALL, CALLCODE or DELEGATECALL) have nothing to look "
        "at. Every module (--all-modules) runs Mythril on it.",
        data={"file": str(path), "contract": contract, "skip": "no-external-call"},
    )
