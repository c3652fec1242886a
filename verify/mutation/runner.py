"""``fairwatt mutate``: generate, build and kill the mutants in a pool of worker processes; the report."""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.util import Finalize
from pathlib import Path

from verify.differential.machine import MOCKS, artifacts_with_mocks
from verify.mutation import killers
from verify.mutation.build import Builder, is_library
from verify.mutation.mutants import (
    Mutant,
    contract_files,
    diff_of,
    digest,
    distinct,
    generate_file,
    mutated_text,
    parse_key,
    starts,
)
from verify.mutation.semantic import MUTANTS
from verify.toolchain.compiler import CONTRACTS, ROOT, Artifact, CompileError, read_tree

EQUIVALENTS = Path(__file__).with_name("equivalents.toml")
"""The reviewed equivalent mutants: stable key -> why it cannot change behaviour."""
CACHE = ROOT / ".fairwatt-cache" / "mutation"

_state: dict = {}
"""Each worker's builder and the original build, made once per process."""


def sources_of(contracts: Path) -> dict[str, str]:
    """The contracts with fairwatt's interface and the hostile mocks, as the killers deploy them."""
    sources = read_tree(contracts)
    sources.setdefault("interfaces/IFairwattMarket.sol", (CONTRACTS / "interfaces/IFairwattMarket.sol").read_text())
    sources.update({f"hostile/{k}": v for k, v in read_tree(MOCKS).items()})
    return sources


def patched(file: str, *variants: dict[str, str], cache: Path | None = None) -> list[dict[str, Artifact]]:
    """The whole system, the mocks included, as it is and then as each variant of ``file`` makes it (its
    patches, original text -> replacement, each text found once): how a test builds a named mutant."""
    sources = sources_of(CONTRACTS)
    original = artifacts_with_mocks(CONTRACTS)
    builder = Builder(sources, cache)
    try:
        built = [original]
        for patches in variants:
            text = sources[file]
            for old, new in patches.items():
                text = mutated_text(Mutant("patch", "patch", file, old, new), text)
            built.append({**original, **builder.build({**sources, file: text}, {file})})
        return built
    finally:
        builder.close()


def _init(sources: dict[str, str], cache: Path | None, original: dict[str, Artifact]) -> None:
    builder = Builder(sources, cache)
    _state.update(builder=builder, original=original)
    Finalize(builder, builder.close, exitpriority=10)  # the compiler is waited for: its CPU time is counted


def _build(job: tuple[str, str, str]) -> dict:
    """Build one mutant (id, file, mutated text): the contracts whose code changed, or the compiler's error."""
    mutant_id, file, text = job
    builder: Builder = _state["builder"]
    start = time.perf_counter()
    try:
        artifacts = builder.build({**builder.sources, file: text}, {file})
    except CompileError as exc:
        return {"id": mutant_id, "error": exc.messages[0][:300] if exc.messages else "does not compile"}
    original: dict[str, Artifact] = _state["original"]
    changed = {name: a for name, a in artifacts.items() if original.get(name) != a}
    return {"id": mutant_id, "changed": changed, "seconds": time.perf_counter() - start}


KillJob = tuple[str, str, str, str, dict[str, Artifact], set[str], int, int, tuple[str, ...]]
"""A mutant's id, operator, file and its mutated text, the contracts it changed and those it touches, the
campaigns' examples and steps, and the killers to run."""


def _kill(job: KillJob) -> dict:
    """Run the killers that reach the ``touched`` contracts on one built mutant."""
    mutant_id, operator, file, text, changed, touched, examples, steps, names = job
    start = time.perf_counter()
    builder: Builder = _state["builder"]
    target = killers.Target(
        {**_state["original"], **changed}, {**builder.sources, file: text}, operator, examples, steps
    )
    killer, evidence = killers.kill(target, touched, names)
    return {"id": mutant_id, "killed": bool(killer), "killer": killer, "evidence": evidence[:300],
            "seconds": round(time.perf_counter() - start, 2)}  # fmt: skip


def _twin(job: tuple[str, str, str]) -> tuple[str, bool]:
    mutant_id, file, text = job
    builder: Builder = _state["builder"]
    return mutant_id, builder.optimized_twin({**builder.sources, file: text}, file)


def _counted(results: Iterable[dict], verb: str, progress: Callable[[str], None]) -> Iterator[dict]:
    """``results`` as they come, told to ``progress`` every 50 and at the end."""
    number = 0
    for number, result in enumerate(results, 1):
        if number % 50 == 0:
            progress(f"{verb} {number}")
        yield result
    progress(f"{verb} {number}: done")


def _key(mutant: Mutant, sources: dict[str, str]) -> str:
    """``mutant``'s stable key in ``sources``, or ``""`` when it does not apply there."""
    try:
        return mutant.key(sources[mutant.file])
    except (ValueError, KeyError):
        return ""


def _describe(mutant: Mutant, sources: dict[str, str], diff: str, key: str) -> dict:
    """How the report names a mutant: its id, stable key, the line it starts on (for readers), its diff."""
    line = mutant.line(sources[mutant.file])
    return {"id": mutant.id, "key": key, "line": line, "operator": mutant.operator, "file": mutant.file, "diff": diff}


def _entries() -> dict[str, dict]:
    """The reviewed equivalents as written: key -> original, mutated and reason, each required."""
    entries = tomllib.loads(EQUIVALENTS.read_text())
    for key, entry in entries.items():
        parse_key(key)
        missing = [f for f in ("original", "mutated", "reason") if not isinstance(entry.get(f), str)]
        if missing or not entry["reason"].strip():
            raise ValueError(f"{EQUIVALENTS.name}: no {', '.join(missing) or 'reason'} given for {key}")
    return entries


def reviewed() -> dict[str, str]:
    """The reviewed equivalents: key -> reason (a reason is required)."""
    return {key: entry["reason"] for key, entry in _entries().items()}


def stale(sources: dict[str, str], seen: set[str] | None = None) -> list[str]:
    """The reviewed keys that no longer name a mutant of ``sources``: their file is gone, their digest is
    not that of the entry's texts, or the file no longer has that many occurrences of the original text;
    and, when ``seen`` (every key a full run generated) is given, the keys not among them."""
    found = []
    for key, entry in _entries().items():
        file, _, digest_, k = parse_key(key)
        if (
            file not in sources
            or digest_ != digest(entry["original"], entry["mutated"])
            or len(starts(entry["original"], sources[file])) <= k
            or (seen is not None and key not in seen)
        ):
            found.append(key)
    return sorted(found)


def run(
    examples: int = 15,
    steps: int = 30,
    only: list[str] | None = None,
    contracts: Path = CONTRACTS,
    generated: bool = True,
    sample: int | None = None,
    jobs: int | None = None,
    names: tuple[str, ...] | None = None,
    cache: Path | None = CACHE,
    progress: Callable[[str], None] = lambda line: None,
) -> dict:
    """Generate, build and kill the mutants; the report of ``fairwatt mutate``.

    ``sample`` keeps that many generated mutants, spread evenly over every file (a fixed selection);
    ``only`` keeps the mutants with these ids; ``jobs`` worker processes (default: every core);
    ``names`` the killers to run (default: all); ``cache`` holds builds between runs (None: none);
    ``progress`` is told what is done, a line at a time.
    """
    names = names or tuple(k.name for k in killers.KILLERS)
    unknown = set(names) - {k.name for k in killers.KILLERS}
    if unknown:
        raise ValueError(f"no killer named {', '.join(sorted(unknown))}")
    listed = reviewed()
    start = time.perf_counter()
    sources = sources_of(contracts)
    jobs = jobs or os.cpu_count() or 1
    timings: dict[str, float] = {}
    builder = Builder(sources, cache)
    try:
        original = builder.original()
    finally:
        builder.close()
    with ProcessPoolExecutor(jobs, initializer=_init, initargs=(sources, cache, original)) as pool:
        candidates: list[Mutant] = []
        operator_failures: list[str] = []
        if generated:
            for found, failed in pool.map(generate_file, [(contracts, f) for f in contract_files(contracts)]):
                candidates += found
                operator_failures += failed
        candidates, no_ops, repeats = distinct(candidates)
        if sample:
            candidates = candidates[:: max(len(candidates) // sample, 1)][:sample]
        candidates += list(MUTANTS)
        if only:  # ids or stable keys
            candidates = [m for m in candidates if m.id in only or _key(m, sources) in only]
        timings["generate"] = time.perf_counter() - start
        progress(f"{len(candidates)} mutants ({no_ops} no-op and {repeats} repeated patches dropped)")

        prepared: dict[str, tuple[Mutant, str, str, str]] = {}  # id -> mutant, text, diff, key
        invalid = []
        for mutant in candidates:
            try:
                text = mutated_text(mutant, sources[mutant.file])
            except (ValueError, KeyError) as exc:
                invalid.append({"id": mutant.id, "error": str(exc)})
                continue
            base = sources[mutant.file]
            prepared[mutant.id] = (mutant, text, diff_of(mutant, base, text), mutant.key(base))
        builds = list(
            _counted(pool.map(_build, [(i, m.file, t) for i, (m, t, _, _) in prepared.items()]), "built", progress)
        )
        timings["build"] = time.perf_counter() - start - timings["generate"]

        uncompilable, equivalent, to_kill, duplicates = [], [], [], {}
        seen: dict[tuple, str] = {}
        for result in builds:
            mutant, text, diff, key = prepared[result["id"]]
            entry = _describe(mutant, sources, diff, key)
            if "error" in result:
                uncompilable.append({**entry, "error": result["error"]})
                continue
            changed = result["changed"]
            deployed = {n for n, a in changed.items() if not is_library(a)}
            if not changed:
                equivalent.append({**entry, "reason": "compiles to the original bytecode", "by": "bytecode"})
            elif not deployed:
                libraries = ", ".join(sorted(changed))
                reason = f"changes only the code of library {libraries}, never deployed: its users' code is unchanged"
                equivalent.append({**entry, "reason": reason, "by": "bytecode"})
            elif key in listed:
                equivalent.append({**entry, "reason": listed[key], "by": "review"})
            else:
                fingerprint = tuple(sorted((n, a.bytecode, a.runtime) for n, a in changed.items()))
                if fingerprint in seen:
                    duplicates[mutant.id] = seen[fingerprint]
                else:
                    seen[fingerprint] = mutant.id
                    to_kill.append((mutant, text, changed))
        reach = killers.reached()
        first = next(iter(sources))  # the control: the original, which every killer must pass
        control: KillJob = ("original", "", first, sources[first], {}, set(reach), examples, steps, names)
        kill_jobs: list[KillJob] = [
            (m.id, m.operator, m.file, t, c, set(c), examples, steps, names) for m, t, c in to_kill
        ]
        verdicts = {v["id"]: v for v in _counted(pool.map(_kill, [control, *kill_jobs]), "judged", progress)}
        if verdicts.pop("original")["killed"]:
            raise RuntimeError("the kill-suite fails on the original contracts: no mutant can be judged")
        timings["kill"] = time.perf_counter() - start - timings["generate"] - timings["build"]

        survivors = [(i, prepared[i][0].file, prepared[i][1]) for i, v in verdicts.items() if not v["killed"]]
        twins = {i for i, twin in pool.map(_twin, survivors) if twin}
    changed_of = {m.id: set(c) for m, _, c in to_kill}
    results, survived = [], []
    for mutant_id in [m.id for m, _, _ in to_kill] + list(duplicates):
        mutant, _, diff, key = prepared[mutant_id]
        twin = duplicates.get(mutant_id, "")
        verdict = {**verdicts[twin or mutant_id], "id": mutant_id}
        entry = _describe(mutant, sources, diff, key)
        if twin:
            verdict.update(duplicate_of=twin, seconds=0.0)
        if (twin or mutant_id) in twins:
            reason = "the project's optimized build compiles it to the original bytecode"
            equivalent.append({**entry, "reason": reason, "by": "optimized bytecode"})
            continue
        results.append({**verdict, "operator": mutant.operator, "clause": mutant.clause, "file": mutant.file})
        if not verdict["killed"]:
            unreached = sorted(changed_of[twin or mutant_id] - reach)
            survived.append({**entry, "clause": mutant.clause, "duplicate_of": twin, "unreached": unreached})
    killed = sum(r["killed"] for r in results)
    scored = len(results)
    unique = [r for r in results if "duplicate_of" not in r]
    by_killer: dict[str, int] = {}
    for r in results:
        if r["killed"]:
            by_killer[r["killer"]] = by_killer.get(r["killer"], 0) + 1
    return {
        "mutants": scored,
        "mutants_definition": "compiled, non-equivalent mutants (duplicates included: they share their twin's verdict)",
        "candidates": len(candidates),
        "compiled_non_equivalent": scored,
        "killed": killed,
        "killed_by_crash": sum(r["evidence"].startswith("crash:") for r in results),
        "score": round(killed / scored, 4) if scored else 0.0,
        "score_definition": "killed / (compiled mutants - equivalent ones); duplicates share their twin's verdict",
        "unique_programs": len(unique),
        "unique_score": round(sum(r["killed"] for r in unique) / len(unique), 4) if unique else 0.0,
        "killed_by": by_killer,
        "survived": survived,
        "equivalent": equivalent,
        "uncompilable": uncompilable + invalid,
        "duplicates": len(duplicates),
        "dropped_patches": {"no_op": no_ops, "repeated": repeats},
        "stale_equivalents": stale(sources, None if sample or only else {p[3] for p in prepared.values()}),
        "operator_failures": operator_failures,
        "killers": list(names),
        "jobs": jobs,
        "seconds": round(time.perf_counter() - start, 1),
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "results": sorted(results, key=lambda r: r["id"]),
    }
