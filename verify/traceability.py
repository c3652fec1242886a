"""Which tests cover which clauses, from what each test declares: ``@pytest.mark.clauses("AUC-7", "SET-1")``.

As a pytest plugin (``tests/conftest.py`` loads it) it rejects a marker naming no clause of ``spec/``, and when
``$FAIRWATT_CLAUSES_JSON`` names a file it writes there, per clause, the tests that passed in the run, with the
hash of the tree the run tested. ``make test`` writes :data:`RECORD`, which the audit's traceability check reads.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

import pytest

from verify import spec
from verify.toolchain.compiler import CACHE, ROOT

MARKER = "clauses"
ENV = "FAIRWATT_CLAUSES_JSON"
RECORD = CACHE.parent / "tests" / "clauses.json"
"""Where ``make test`` records the last run (tox sets ``$FAIRWATT_CLAUSES_JSON`` to it)."""
TREE = ("contracts", "reference", "spec", "tests", "verify", "package-lock.json", "pyproject.toml")
"""What a test run's results depend on: a run counts only for the tree it tested."""


def tree_hash() -> str:
    from verify.audit import _digest

    return _digest([ROOT / name for name in TREE])


def declared(tests: Path = ROOT / "tests") -> dict[str, set[str]]:
    """Clause id -> the test files whose ``pytest.mark.clauses`` markers name it (read, not run)."""
    found: dict[str, set[str]] = {}
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == f"pytest.mark.{MARKER}":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, set()).add(path.relative_to(tests).as_posix())
    return found


def clauses_of(item: pytest.Item) -> list[str]:
    return [clause for mark in item.iter_markers(MARKER) for clause in mark.args]


class Recorder:
    """The pytest hooks: clause ids checked at collection, outcomes gathered per test.

    Under pytest-xdist the workers collect and run, and the controller gathers: each test carries its clause ids
    in its reports' ``user_properties``, and only the process that is no worker writes the record.
    """

    def __init__(self, path: Path | None, worker: bool):
        self.path = None if worker else path
        self.tree = tree_hash() if self.path else ""
        self.clauses: dict[str, list[str]] = {}
        self.failed: set[str] = set()
        self.ran: set[str] = set()

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        known = {c.id for c in spec.clauses()}
        for item in items:
            unknown = [c for c in clauses_of(item) if c not in known]
            if unknown:
                raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{MARKER} names no clause: {unknown}")
            if clauses_of(item):
                item.user_properties.append((MARKER, clauses_of(item)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, ids in report.user_properties:
            if name == MARKER:
                self.clauses[report.nodeid] = list(ids)
        if report.when == "call" and report.passed:
            self.ran.add(report.nodeid)
        elif report.failed:
            self.failed.add(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.path is None:
            return
        passed: dict[str, list[str]] = {}
        for nodeid, ids in self.clauses.items():
            if nodeid in self.ran and nodeid not in self.failed:
                for clause in ids:
                    passed.setdefault(clause, []).append(nodeid)
        record = {
            "tree": self.tree if tree_hash() == self.tree else "changed during the run",
            "args": sys.argv[1:],
            "passed": {clause: sorted(ids) for clause, ids in sorted(passed.items())},
            "failed": sorted(self.failed),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(record, indent=2))


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get(ENV)
    worker = hasattr(config, "workerinput")  # a pytest-xdist worker: the controller writes the record
    config.pluginmanager.register(Recorder(Path(target) if target else None, worker), "fairwatt-clauses")
