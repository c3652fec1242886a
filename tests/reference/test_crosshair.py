"""CrossHair on the reference model: its PEP 316 contracts hold (FXP-3, REP-2, REP-5, REP-6, REP-8, AUC-7),
a counterexample or a crash is reported per condition, and an exhausted budget is never a pass."""

import subprocess

import pytest

from reference.params import PAPER, RESOLVED
from reference.reputation import penalty_coefficient
from verify.check import Context
from verify.checks.symbolic import crosshair as ch
from verify.findings import Status

ROOT = ch.Path(__file__).resolve().parents[2]


def run(root, **options):
    return ch.CrossHairCheck().run(Context(root=root, out=root, contracts=root, options=options))


@pytest.mark.slow
def test_every_reference_contract_is_confirmed_over_all_paths():
    findings = run(ROOT)
    expected = {f"{t.rsplit('.', 2)[-2]}.py:{n}" for t, lines in ch.targets(ROOT) for n in lines}
    assert {f.location for f in findings} == expected and len(expected) >= 10
    assert all(f.status == Status.PROVED for f in findings), [f.title for f in findings if f.bad]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("wrong_rounding.py", "when calling share_plus_z0("),
        ("second_price.py", "when calling auction_price("),
    ],
)
def test_crosshair_flags_known_bad_contracts(fixture, expected):
    module = f"tests/fixtures/crosshair/{fixture}"
    (target, lines), *_ = ch.targets(ROOT, (module,))
    found = ch.check_function(target, lines, ROOT, 4)
    assert any(s == Status.REFUTED and expected in m for _, s, m in found)


def test_an_exhausted_budget_is_unknown_never_passed():
    (target, lines), *_ = ch.targets(ROOT, ("tests/fixtures/crosshair/unconfirmable.py",))
    found = ch.check_function(target, lines, ROOT, 1)
    assert [s for _, s, _ in found] == [Status.UNKNOWN]


def test_a_crash_is_not_verified_for_its_function_only(monkeypatch):
    real = ch.crosshair

    def crashing(targets, root, per_condition, timeout):
        if targets == ["reference.fixedpoint.mul_div"]:
            return subprocess.CompletedProcess(targets, 2, "", "Traceback ...\nZ3Exception: b'crash'\n")
        return real(targets, root, per_condition, timeout)

    monkeypatch.setattr(ch, "crosshair", crashing)
    monkeypatch.setattr(ch, "MODULES", ("reference/fixedpoint.py",))
    findings = {f.location: f for f in run(ROOT)}
    crashed = [f for f in findings.values() if f.status == Status.NOT_VERIFIED]
    assert len(crashed) == 1 and "Z3Exception" in crashed[0].evidence and "mul_div" in crashed[0].evidence
    assert [f.status for f in findings.values() if f not in crashed] == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("p", [RESOLVED, PAPER], ids=["resolved", "paper-literal"])
def test_penalty_coefficient_starts_at_one_and_doubles_up_to_its_cap_REP_4(p):
    """Moved from CrossHair (a symbolic exponent): every fraud count up to past the cap, and far beyond."""
    cap = p.max_fraud_exponent
    counts = [*range(cap + 4), 2**32 - 1]
    c = {n: penalty_coefficient(n, cap) for n in counts}
    assert c[0] == c[1] == 1 and c[2**32 - 1] == 2**cap
    assert all(c[n + 1] == min(2 * c[n], 2**cap) for n in range(1, cap + 3))
