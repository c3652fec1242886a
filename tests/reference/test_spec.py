"""spec/ is complete and traceable: every clause names a reference function that exists, and is tested."""

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from verify import spec, traceability
from verify.check import Context
from verify.checks.traceability import TraceabilityCheck
from verify.findings import Status

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"


def clauses() -> dict[str, list[str]]:
    """Clause id -> the reference functions it names (ids must be unique)."""
    found = spec.clauses()
    ids = [c.id for c in found]
    assert len(ids) == len(set(ids)), "a clause id is defined twice"
    return {c.id: list(c.reference) for c in found}


def _resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_spec_has_the_rule_sets():
    names = {p.name for p in SPEC.glob("*.md")}
    assert {"auction.md", "quotes.md", "reputation.md", "settlement.md", "market.md", "errata.md"} <= names
    assert len(clauses()) >= 30


@pytest.mark.parametrize("clause", sorted(clauses()))
def test_clause_names_an_existing_reference_function(clause):
    functions = clauses()[clause]
    assert functions, f"{clause} names no reference function"
    for dotted in functions:
        assert callable(_resolve(dotted)), dotted


def test_every_clause_is_declared_by_a_test_marker():
    declared = traceability.declared(ROOT / "tests")
    untested = [c for c in clauses() if c not in declared]
    assert not untested, f"clauses no @pytest.mark.clauses declares: {untested}"
    assert set(declared) <= set(clauses()), "a marker names no clause"


def test_errata_table_has_reasons_and_every_cited_erratum_exists():
    rows = spec.errata()
    assert all(all(row.values()) for row in rows)
    ids = {row["id"] for row in rows}
    assert len(ids) == len(rows) >= 12
    cited = set(re.findall(r"ERR-\d+", "\n".join(p.read_text() for p in SPEC.glob("*.md"))))
    assert cited <= ids, f"cited but not in the table: {cited - ids}"


def test_clauses_name_solidity_that_exists():
    sources = {p.stem: p.read_text() for p in (ROOT / "contracts").rglob("*.sol")}
    named = [name for clause in spec.clauses() for name in clause.contract]
    for name in named:
        unit, _, function = name.partition(".")
        assert unit in sources, f"no contracts/**/{unit}.sol"
        if function:
            assert re.search(rf"function {function}\(", sources[unit]), f"{name} not found"
    assert len(named) >= 35


MARKED = """
import pytest

@pytest.mark.clauses("AUC-7", "SET-1")
def test_passes():
    pass

@pytest.mark.clauses("SET-2")
def test_fails():
    assert False

@pytest.mark.clauses("SET-3")
@pytest.mark.skip
def test_skipped():
    pass
"""


def run_marked(tmp_path: Path, source: str, *options: str) -> subprocess.CompletedProcess:
    (tmp_path / "test_marked.py").write_text(source)
    env = dict(os.environ, **{traceability.ENV: str(tmp_path / "clauses.json")})
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "verify.traceability",
        "-p",
        "no:cacheprovider",
        *options,
        "test_marked.py",
    ]
    return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("options", [(), ("-n", "2")], ids=["one process", "xdist workers"])
def test_the_plugin_records_per_clause_the_tests_that_passed(tmp_path, options):
    done = run_marked(tmp_path, MARKED, *options)
    assert done.returncode == 1, done.stdout  # test_fails fails
    record = json.loads((tmp_path / "clauses.json").read_text())
    assert record["passed"] == {"AUC-7": ["test_marked.py::test_passes"], "SET-1": ["test_marked.py::test_passes"]}
    assert record["failed"] == ["test_marked.py::test_fails"]
    assert re.fullmatch(r"[0-9a-f]{64}|changed during the run", record["tree"])  # others may edit the tree meanwhile


@pytest.mark.slow
def test_a_marker_naming_no_clause_stops_the_run(tmp_path):
    done = run_marked(tmp_path, MARKED.replace("SET-1", "SET-99"))
    assert done.returncode == 4 and "names no clause: ['SET-99']" in done.stdout + done.stderr


@pytest.fixture
def tree(monkeypatch) -> str:
    """A fixed tree hash: the tree itself may change while the tests run."""
    monkeypatch.setattr(traceability, "tree_hash", lambda: "this tree")
    return "this tree"


def trace(tmp_path: Path, record: dict | None) -> list:
    path = tmp_path / "clauses.json"
    if record is not None:
        path.write_text(json.dumps(record))
    ctx = Context(root=ROOT, out=tmp_path, contracts=ROOT / "contracts", options={"clauses_json": path})
    return TraceabilityCheck().run(ctx)


def test_the_traceability_check_flags_every_clause_no_passing_test_covers(tmp_path, tree):
    every = {c: [f"tests/test_x.py::test_{c}"] for c in clauses()}
    covered = trace(tmp_path, {"tree": tree, "passed": every, "failed": []})
    assert len(covered) == len(every) and all(f.status == Status.PASSED for f in covered)
    del every["AUC-7"]
    record = {"tree": tree, "passed": every, "failed": ["tests/test_x.py::test_broken"]}
    bad = [(f.status, f.clause, f.title) for f in trace(tmp_path, record) if f.status != Status.PASSED]
    assert bad == [
        (Status.VIOLATION, "AUC-7", "AUC-7: no test passed"),
        (Status.VIOLATION, "", "1 tests failed in the recorded run"),
    ]


def test_a_missing_or_stale_test_record_is_not_verified(tmp_path, tree):
    (missing,) = trace(tmp_path, None)
    (stale,) = trace(tmp_path, {"tree": "another", "args": ["tests/x.py"], "passed": {}, "failed": []})
    assert missing.status == stale.status == Status.NOT_VERIFIED
    assert "not of this tree" in stale.title and "tests/x.py" in stale.title
