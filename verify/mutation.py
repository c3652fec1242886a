"""``fairwatt mutate``: mutants of ``contracts/`` against the conformance suite; the mutation score.

Mutants come from two sources: slither-mutate's operators (generated, :func:`generate`) and the
semantic mutants below, each one change at one place named after the rule it breaks. Each compiles
in a resident solc-js (:mod:`verify.toolchain.batch`), and the kill-suite (:data:`KILLERS`, a list
others extend) runs on pyrevm until one finds a difference from the model: the mutant is *killed*.
Mutants are *uncompilable* when the compiler rejects them (counted apart), *equivalent* when they
compile to the original's bytecode (metadata aside) or carry an argument why they cannot change
behaviour, *duplicates* when their bytecode equals an earlier mutant's (they share its verdict), and
*survived* otherwise: listed with their diff. Workers run on every core.
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify import vectors
from verify.checks.static import scanners
from verify.checks.static.checks import roots
from verify.differential import campaign
from verify.differential.machine import MOCKS
from verify.findings import Status
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, EVM_VERSION, SOLC, Artifact, CompileError, read_tree


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    """Flipped comparison, off-by-one, first price, ...; or slither-mutate's operator (ROR, AOR, ...)."""
    file: str
    original: str
    mutated: str
    clause: str
    equivalent: str = ""
    """Why the mutant cannot change behaviour, when that is the case."""
    start: int = -1
    """Byte offset of ``original`` in ``file`` (generated mutants); -1: its only occurrence."""


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "first-price",
        "first price",
        "FairwattMarket.sol",
        "uint256 price = o.second > o.startPrice ? o.second : o.startPrice;",
        "uint256 price = o.highest;",
        "AUC-7",
    ),
    Mutant(
        "price-ignores-reserve",
        "first price",
        "FairwattMarket.sol",
        "uint256 price = o.second > o.startPrice ? o.second : o.startPrice;",
        "uint256 price = o.second;",
        "AUC-7",
    ),
    Mutant(
        "tie-goes-to-latest",
        "flipped comparison",
        "FairwattMarket.sol",
        "} else if (quote >= t.highest) {",
        "} else if (quote > t.highest) {",
        "AUC-6",
    ),
    Mutant(
        "quote-under-reserve-valid",
        "flipped comparison",
        "FairwattMarket.sol",
        "valid = valid && quote >= t.startPrice && quote <= Params.MAX_QUOTE;",
        "valid = valid && quote > t.startPrice && quote <= Params.MAX_QUOTE;",
        "AUC-5",
    ),
    Mutant(
        "second-not-updated",
        "flipped comparison",
        "FairwattMarket.sol",
        "if (quote > t.second) t.second = quote;",
        "if (quote < t.second) t.second = quote;",
        "AUC-6",
    ),
    Mutant(
        "bidding-deadline-off-by-one",
        "off-by-one deadline",
        "FairwattMarket.sol",
        "if (o.status != OrderStatus.Open || block.timestamp >= o.biddingEnd) revert",
        "if (o.status != OrderStatus.Open || block.timestamp > o.biddingEnd) revert",
        "MKT-3",
    ),
    Mutant(
        "payment-deadline-off-by-one",
        "off-by-one deadline",
        "FairwattMarket.sol",
        "if (o.status != OrderStatus.Settled || block.timestamp >= o.deadline) revert",
        "if (o.status != OrderStatus.Settled || block.timestamp > o.deadline) revert",
        "SET-1",
    ),
    Mutant(
        "delivery-timeout-early",
        "off-by-one deadline",
        "FairwattMarket.sol",
        "if (o.status != OrderStatus.Paid || block.timestamp < o.deadline) revert",
        "if (o.status != OrderStatus.Paid || block.timestamp + 1 < o.deadline) revert",
        "SET-2",
    ),
    Mutant(
        "seller-window-off-by-one",
        "off-by-one window",
        "UserRegistry.sol",
        "amount + _recent(_users[account], Params.WINDOW_S - 1)",
        "amount + _recent(_users[account], Params.WINDOW_S)",
        "REP-2",
    ),
    Mutant(
        "buyer-window-off-by-one",
        "off-by-one window",
        "UserRegistry.sol",
        "Reputation.buyerPenalty(amount, _recent(u, Params.WINDOW_P - 1))",
        "Reputation.buyerPenalty(amount, _recent(u, Params.WINDOW_P))",
        "REP-5",
    ),
    Mutant(
        "withdraw-effects-after-call",
        "CEI reordering",
        "FairwattMarket.sol",
        "_users[msg.sender].pending = 0;\n        emit Withdrawn(msg.sender, amount);\n"
        '        (bool ok,) = msg.sender.call{value: amount}("");',
        'emit Withdrawn(msg.sender, amount);\n        (bool ok,) = msg.sender.call{value: amount}("");\n'
        "        _users[msg.sender].pending = 0;",
        "SET-7",
    ),
    Mutant(
        "no-deposit-check",
        "deleted revert",
        "FairwattMarket.sol",
        "if (msg.value != o.deposit) revert WrongDeposit(msg.value, o.deposit);",
        "",
        "AUC-3",
    ),
    Mutant(
        "no-seller-check",
        "deleted revert",
        "FairwattMarket.sol",
        "if (msg.sender != o.seller) revert NotSeller(msg.sender);",
        "",
        "AUC-4",
    ),
    Mutant(
        "no-ban-check",
        "deleted revert",
        "UserRegistry.sol",
        "if (block.timestamp < u.bannedUntil) revert UserBanned(account, u.bannedUntil);",
        "",
        "REP-9",
    ),
    Mutant(
        "no-payment-check",
        "deleted revert",
        "FairwattMarket.sol",
        "if (msg.value != o.price) revert WrongPayment(msg.value, o.price);",
        "",
        "SET-1",
    ),
    Mutant(
        "ban-rounds-down",
        "rounding direction",
        "Reputation.sol",
        "uint256 d = (coefficient * Params.WAD).ceilDiv(reputation);",
        "uint256 d = (coefficient * Params.WAD) / reputation;",
        "REP-8",
    ),
    Mutant(
        "share-rounds-up",
        "rounding direction",
        "Reputation.sol",
        "return amount.mulDiv(Params.WAD, windowTotal) + Params.Z0;",
        "return (amount * Params.WAD).ceilDiv(windowTotal) + Params.Z0;",
        "REP-2",
    ),
    Mutant(
        "k1-for-k2",
        "swapped constant",
        "UserRegistry.sol",
        "Reputation.step(u.sellerReputation, 0, penalty, c, Params.K1, Params.K2)",
        "Reputation.step(u.sellerReputation, 0, penalty, c, Params.K2, Params.K1)",
        "REP-7",
        equivalent="k1 = k2 = 1.0 in params.toml: swapping them computes the same number.",
    ),
)


def mutated_text(mutant: Mutant, text: str) -> str:
    """``text`` of ``mutant.file`` with the mutation applied."""
    if mutant.start >= 0:
        raw = text.encode()
        end = mutant.start + len(mutant.original.encode())
        if raw[mutant.start : end].decode() != mutant.original:
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


# -- generation --------------------------------------------------------------------------------


def generate(contracts: Path = CONTRACTS) -> tuple[list[Mutant], list[str]]:
    """Every mutant slither-mutate's operators propose for the contracts (interfaces aside), without
    its per-mutant compile and test loop; and the operators that failed, as ``file OP: error``."""
    from slither import Slither
    from slither.tools.mutator.mutators import all_mutators
    from slither.tools.mutator.mutators.abstract_mutator import AbstractMutator

    logging.getLogger("Slither-Mutate").setLevel(logging.CRITICAL)
    operators: list[Any] = [
        c
        for c in vars(all_mutators).values()
        if inspect.isclass(c) and issubclass(c, AbstractMutator) and bool(c.NAME)  # type: ignore[attr-defined]
    ]
    mutants: list[Mutant] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fairwatt-mutate-") as work:
        root = Path(work) / "contracts"  # slither-mutate's operators read the files: a copy, never the tree
        shutil.copytree(contracts, root)
        options = {"solc": str(SOLC), "solc_args": f"--evm-version {EVM_VERSION}", "compile_force_framework": "solc"}
        for path in sorted(root.rglob("*.sol")):
            relative = path.relative_to(root).as_posix()
            if relative.startswith("interfaces/"):
                continue
            text = path.read_bytes()
            slither = Slither(str(path), cwd=work, **options)
            contract = next((c for u in slither.compilation_units for c in u.contracts if c.name == path.stem), None)
            if contract is None:
                continue
            for operator in sorted(operators, key=lambda o: o.NAME):
                try:
                    proposed = operator(contract.compilation_unit, 10, "true", work, contract, None, False, root, [])
                    patches = proposed._mutate().get("patches", {})
                except Exception as exc:  # an operator that crashes is reported, never hidden
                    failures.append(f"{relative} {operator.NAME}: {type(exc).__name__}: {exc}")
                    continue
                for patch in (p for ps in patches.values() for p in ps):
                    old = text[patch["start"] : patch["end"]].decode()
                    mutants.append(
                        Mutant(
                            f"{path.stem}-{operator.NAME}-{len(mutants)}",
                            operator.NAME,
                            relative,
                            old,
                            patch["new_string"],
                            "",
                            start=patch["start"],
                        )
                    )
    return mutants, failures


# -- killing -----------------------------------------------------------------------------------

Killer = Callable[[Path, dict[str, Artifact], int, int], str]
"""``(contracts folder, artifacts with the mocks, examples, steps) -> evidence`` ("" when it finds nothing)."""


def _vectors(contracts: Path, artifacts: dict[str, Artifact], examples: int, steps: int) -> str:
    """The first difference the test vectors find, or ``""``."""
    cases = [script.case() for script in vectors.scenarios()]
    for name, problems in vectors.replay_all(contracts, cases, FAST, artifacts).items():
        if problems:
            return f"vector {name}: {problems[0]}"
    return ""


def _campaign(contracts: Path, artifacts: dict[str, Artifact], examples: int, steps: int) -> str:
    """The first failure of the differential campaign, or ``""``."""
    report = campaign.run(examples, contracts, steps, replay_dir=None, shrinks=0, backend=FAST, artifacts=artifacts)
    return report.failures[0]["error"].splitlines()[0] if report.failures else ""


def _cei(contracts: Path) -> list[str]:
    """The violations fairwatt's CEI detector reports, paths relative to ``contracts``."""
    found = []
    for path in roots(contracts):
        for finding in scanners.slither(path)[1]:
            if finding.status == Status.VIOLATION:
                found.append(finding.title.splitlines()[0].replace(str(contracts), "contracts"))
    return found


_cei_baseline: list[str] | None = None


def _scans(contracts: Path, artifacts: dict[str, Artifact], examples: int, steps: int) -> str:
    """The first CEI violation the original contracts do not have, or ``""``."""
    global _cei_baseline
    if _cei_baseline is None:
        _cei_baseline = _cei(CONTRACTS)
    new = [title for title in _cei(contracts) if title not in _cei_baseline]
    return f"fairwatt-cei: {new[0]}" if new else ""


KILLERS: list[tuple[str, Killer]] = [("vectors", _vectors), ("campaign", _campaign), ("cei", _scans)]
"""The kill-suite, cheapest first; the first that finds a difference kills the mutant."""


def _sources(contracts: Path) -> dict[str, str]:
    """The contracts with the mocks, as :func:`~verify.differential.machine.artifacts_with_mocks` compiles them."""
    sources = read_tree(contracts)
    sources.setdefault("interfaces/IFairwattMarket.sol", (CONTRACTS / "interfaces/IFairwattMarket.sol").read_text())
    sources.update({f"hostile/{k}": v for k, v in read_tree(MOCKS).items()})
    return sources


def _fingerprint(artifacts: dict[str, Artifact]) -> str:
    """The code of every contract, the compiler's metadata (a hash of the source text) cut out."""
    parts = []
    for name in sorted(artifacts):
        runtime, creation = artifacts[name].runtime, artifacts[name].bytecode
        if len(runtime) >= 4:
            metadata = runtime[-(int(runtime[-4:], 16) + 2) * 2 :]
            runtime, creation = runtime.replace(metadata, ""), creation.replace(metadata, "")
        parts.append(f"{name}:{creation}:{runtime}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_compiler = None


def _worker_compiler():
    global _compiler
    if _compiler is None:
        from verify.toolchain.batch import BatchCompiler

        _compiler = BatchCompiler()
    return _compiler


def _compile(job: tuple[Mutant, dict[str, str]]) -> dict:
    """Compile one mutant: its fingerprint, or the first compiler message."""
    mutant, sources = job
    start = time.perf_counter()
    try:
        artifacts = _worker_compiler().compile(sources)
    except CompileError as exc:
        return {"id": mutant.id, "error": exc.messages[0] if exc.messages else "does not compile"}
    return {"id": mutant.id, "fingerprint": _fingerprint(artifacts), "compile_seconds": time.perf_counter() - start}


def _kill(job: tuple[Mutant, dict[str, str], int, int, list[str]]) -> dict:
    """Run the kill-suite on one compiled mutant."""
    mutant, sources, examples, steps, killers = job
    start = time.perf_counter()
    artifacts = _worker_compiler().compile(sources)  # from the cache
    evidence, killer = "", ""
    with tempfile.TemporaryDirectory(prefix="fairwatt-mutant-") as work:
        root = Path(work) / "contracts"
        for relative, text in sources.items():
            if not relative.startswith("hostile/"):
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text)
        for name, run_killer in KILLERS:
            if name in killers:
                try:
                    evidence = run_killer(root, artifacts, examples, steps)
                except Exception as exc:  # the mutant broke the harness's expectations: shown as such
                    evidence = f"crash: {type(exc).__name__}: {exc}"
                if evidence:
                    killer = name
                    break
    return {
        "id": mutant.id,
        "killed": bool(evidence),
        "killer": killer,
        "evidence": evidence[:300],
        "seconds": round(time.perf_counter() - start, 2),
    }


def run(
    examples: int = 15,
    steps: int = 30,
    only: list[str] | None = None,
    contracts: Path = CONTRACTS,
    generated: bool = True,
    sample: int | None = None,
    jobs: int | None = None,
    killers: tuple[str, ...] = ("vectors", "campaign", "cei"),
) -> dict:
    """Generate, compile and kill the mutants; the report of ``fairwatt mutate``.

    ``sample`` keeps every n-th generated mutant (a fixed, spread-out selection); ``only`` keeps the
    mutants with these ids; ``jobs`` worker processes (default: every core).
    """
    start = time.perf_counter()
    candidates, operator_failures = generate(contracts) if generated else ([], [])
    if sample:
        candidates = candidates[:: max(len(candidates) // sample, 1)][:sample]
    candidates += list(MUTANTS)
    if only:
        candidates = [m for m in candidates if m.id in only]
    base = _sources(contracts)
    prepared, invalid = [], []
    for mutant in candidates:
        try:
            mutated = mutated_text(mutant, base[mutant.file])
        except (ValueError, KeyError) as exc:
            invalid.append({"id": mutant.id, "error": str(exc)})
            continue
        prepared.append((mutant, {**base, mutant.file: mutated}, diff_of(mutant, base[mutant.file], mutated)))
    jobs = jobs or os.cpu_count() or 1
    with ProcessPoolExecutor(jobs) as pool:
        original = next(pool.map(_compile, [(Mutant("original", "", "", "", "", ""), base)]))
        compiled = list(pool.map(_compile, [(m, s) for m, s, _ in prepared], chunksize=4))
        uncompilable = [c for c in compiled if "error" in c]
        seen: dict[str, str] = {original["fingerprint"]: "original"}
        to_kill, equivalent, duplicates = [], [], {}
        for (mutant, sources, diff), result in zip(prepared, compiled, strict=True):
            if "error" in result:
                continue
            twin = seen.get(result["fingerprint"])
            if twin == "original" or mutant.equivalent:
                reason = mutant.equivalent or "compiles to the original bytecode (metadata aside)"
                equivalent.append({"id": mutant.id, "operator": mutant.operator, "reason": reason, "diff": diff})
            elif twin is not None:
                duplicates[mutant.id] = twin
            else:
                seen[result["fingerprint"]] = mutant.id
                to_kill.append((mutant, sources, diff))
        verdicts = {
            v["id"]: v
            for v in pool.map(_kill, [(m, s, examples, steps, list(killers)) for m, s, _ in to_kill], chunksize=1)
        }
    results, survived = [], []
    by_id = {m.id: (m, d) for m, _, d in prepared}
    for mutant, _, diff in to_kill:
        verdict = verdicts[mutant.id]
        results.append({**verdict, "operator": mutant.operator, "clause": mutant.clause, "file": mutant.file})
        if not verdict["killed"]:
            survived.append({"id": mutant.id, "operator": mutant.operator, "clause": mutant.clause, "diff": diff})
    for mutant_id, twin in duplicates.items():
        mutant, _ = by_id[mutant_id]
        verdict = {**verdicts[twin], "id": mutant_id, "duplicate_of": twin, "seconds": 0.0}
        results.append({**verdict, "operator": mutant.operator, "clause": mutant.clause, "file": mutant.file})
        if not verdict["killed"]:
            survived.append(
                {
                    "id": mutant_id,
                    "operator": mutant.operator,
                    "clause": mutant.clause,
                    "diff": by_id[mutant_id][1],
                    "duplicate_of": twin,
                }
            )
    killed = sum(r["killed"] for r in results)
    scored = len(results)
    return {
        "mutants": len(candidates),
        "compiled_non_equivalent": scored,
        "killed": killed,
        "killed_by_crash": sum(r["evidence"].startswith("crash:") for r in results),
        "score": round(killed / scored, 3) if scored else 0.0,
        "score_definition": "killed / (compiled mutants - equivalent ones); duplicates share their twin's verdict",
        "survived": survived,
        "equivalent": equivalent,
        "uncompilable": uncompilable + invalid,
        "duplicates": len(duplicates),
        "operator_failures": operator_failures,
        "killers": list(killers),
        "jobs": jobs,
        "seconds": round(time.perf_counter() - start, 1),
        "results": sorted(results, key=lambda r: r["id"]),
    }
