"""Mutants: what one is, how it applies to a source text, and slither-mutate's operators as a generator."""

from __future__ import annotations

import difflib
import hashlib
import inspect
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify.toolchain.compiler import EVM_VERSION, SOLC


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    """Flipped comparison, off-by-one, first price, ...; or slither-mutate's operator (ROR, AOR, ...)."""
    file: str
    original: str
    mutated: str
    clause: str = ""
    start: int = -1
    """Byte offset of ``original`` in ``file`` (generated mutants); -1: its only occurrence."""

    def offset(self, text: str) -> int:
        """The byte offset of the mutated text in ``text`` (the file's original content)."""
        if self.start >= 0:
            return self.start
        return len(text[: text.index(self.original)].encode())

    def line(self, text: str) -> int:
        """The line of ``text`` (the file's original content) the mutation starts on, for readers."""
        return text.encode()[: self.offset(text)].count(b"\n") + 1

    def key(self, text: str) -> str:
        """A stable id that a reviewer can find again: ``file:operator:digest:k``, the digest of the original
        and the replacement text, ``k`` how many times the original text starts earlier in the file
        (``text``, its original content). Edits elsewhere in the file leave it unchanged."""
        offset = self.offset(text)
        k = sum(start < offset for start in starts(self.original, text))
        return f"{self.file}:{self.operator}:{digest(self.original, self.mutated)}:{k}"


def digest(original: str, mutated: str) -> str:
    """The first ten hex digits of the sha256 of a patch's original and replacement text."""
    return hashlib.sha256(f"{original}\0{mutated}".encode()).hexdigest()[:10]


def parse_key(key: str) -> tuple[str, str, str, int]:
    """``file, operator, digest, k`` of a stable key; ValueError for anything else (an old
    ``file:line:operator:digest`` key among them)."""
    parts = key.rsplit(":", 3)
    if len(parts) != 4 or not parts[3].isdigit() or not re.fullmatch(r"[0-9a-f]{10}", parts[2]):
        raise ValueError(f"{key!r} is not a mutant key file:operator:digest:k (`fairwatt mutate --json` prints each)")
    return parts[0], parts[1], parts[2], int(parts[3])


def starts(original: str, text: str) -> list[int]:
    """The byte offsets at which ``original`` starts in ``text``, overlapping occurrences included."""
    return [m.start() for m in re.finditer(b"(?=" + re.escape(original.encode()) + b")", text.encode())]


def mutated_text(mutant: Mutant, text: str) -> str:
    """``text`` of ``mutant.file`` with the mutation applied."""
    if mutant.start >= 0:
        raw = text.encode()
        end = mutant.start + len(mutant.original.encode())
        if raw[mutant.start : end].decode(errors="replace") != mutant.original:
            raise ValueError(f"mutant {mutant.id}: the original text is not at byte {mutant.start}")
        return (raw[: mutant.start] + mutant.mutated.encode() + raw[end:]).decode()
    if text.count(mutant.original) != 1:
        raise ValueError(f"mutant {mutant.id}: the original text occurs {text.count(mutant.original)} times")
    return text.replace(mutant.original, mutant.mutated)


def diff_of(mutant: Mutant, text: str, mutated: str) -> str:
    lines = difflib.unified_diff(text.splitlines(), mutated.splitlines(), mutant.file, mutant.file, lineterm="", n=0)
    return "\n".join(lines)


def apply(mutant: Mutant, root: Path) -> str:
    """Write ``mutant`` into the copy of the contracts at ``root``; return its unified diff."""
    path = root / mutant.file
    text = path.read_text()
    mutated = mutated_text(mutant, text)
    path.write_text(mutated)
    return diff_of(mutant, text, mutated)


def _operators() -> list[Any]:
    from slither.tools.mutator.mutators import all_mutators
    from slither.tools.mutator.mutators.abstract_mutator import AbstractMutator

    return sorted(
        (
            c
            for c in vars(all_mutators).values()
            if inspect.isclass(c) and issubclass(c, AbstractMutator) and bool(c.NAME)  # type: ignore[attr-defined]
        ),
        key=lambda o: o.NAME,
    )


def generate_file(job: tuple[Path, str]) -> tuple[list[Mutant], list[str]]:
    """Every mutant slither-mutate's operators propose for one file of a contracts folder (``job`` is the
    folder and the file's path in it), without its per-mutant compile and test loop; and the operators
    that failed there, as ``file OP: error``."""
    from slither import Slither

    contracts, relative = job
    logging.getLogger("Slither-Mutate").setLevel(logging.CRITICAL)
    mutants: list[Mutant] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fairwatt-mutate-") as work:
        root = Path(work) / "contracts"  # slither-mutate's operators read the files: a copy, never the tree
        shutil.copytree(contracts, root)
        path = root / relative
        text = path.read_bytes()
        options = {"solc": str(SOLC), "solc_args": f"--evm-version {EVM_VERSION}", "compile_force_framework": "solc"}
        slither = Slither(str(path), cwd=work, **options)
        contract = next((c for u in slither.compilation_units for c in u.contracts if c.name == path.stem), None)
        if contract is None:
            return [], []
        for operator in _operators():
            try:
                proposed = operator(contract.compilation_unit, 10, "true", work, contract, None, False, root, [])
                patches = proposed._mutate().get("patches", {})
            except Exception as exc:  # an operator that crashes is reported, never hidden
                failures.append(f"{relative} {operator.NAME}: {type(exc).__name__}: {exc}")
                continue
            for patch in (p for ps in patches.values() for p in ps):
                old = text[patch["start"] : patch["end"]].decode()
                number = len(mutants)
                mutants.append(
                    Mutant(
                        f"{path.stem}-{operator.NAME}-{number}",
                        operator.NAME,
                        relative,
                        old,
                        patch["new_string"],
                        start=patch["start"],
                    )  # fmt: skip
                )
    return mutants, failures


def contract_files(contracts: Path) -> list[str]:
    """The files whose contracts are mutated: every ``.sol`` below ``contracts``, interfaces aside."""
    files = (p.relative_to(contracts).as_posix() for p in sorted(contracts.rglob("*.sol")))
    return [f for f in files if not f.startswith("interfaces/")]


def distinct(mutants: list[Mutant]) -> tuple[list[Mutant], int, int]:
    """``mutants`` without the patches that change nothing and without repeats of the same patch; and the
    counts of both, which the report shows."""
    seen: set[tuple[str, int, str, str]] = set()
    kept, no_ops, repeats = [], 0, 0
    for m in mutants:
        if m.original == m.mutated:
            no_ops += 1
        elif (m.file, m.start, m.original, m.mutated) in seen:
            repeats += 1
        else:
            seen.add((m.file, m.start, m.original, m.mutated))
            kept.append(m)
    return kept, no_ops, repeats
