"""The attack library: held on fairwatt's contracts, broken on the known-bad design, and the
price-independence invariant of the state machine refuted when quotes are not bound to their bids."""

import json

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from reference import market as mk
from verify.attacks import run
from verify.attacks.library import ATTACKS
from verify.cli import main
from verify.differential.machine import Mismatch, machine


@pytest.fixture(scope="module")
def known_bad(tmp_path_factory):
    return run.write_known_bad(tmp_path_factory.mktemp("known_bad"))


@pytest.mark.clauses("QUO-5", "QUO-2")
def test_every_attack_is_held_by_the_contracts_QUO_5_QUO_2(tmp_path, capsys):
    out = tmp_path / "attacks.json"
    assert main(["attacks", "--json", str(out)]) == 0
    verdicts = json.loads(out.read_text())
    assert {v["attack"] for v in verdicts} == {a.id for a in ATTACKS}
    assert all(v["held"] and not v["problems"] for v in verdicts), verdicts
    assert f"{len(ATTACKS)} of {len(ATTACKS)} attacks held" in capsys.readouterr().out


@pytest.mark.clauses("QUO-5")
def test_the_known_bad_design_loses_the_copy_with_its_price_QUO_5(known_bad, tmp_path, capsys):
    out = tmp_path / "attacks.json"
    assert main(["attacks", "--contracts", str(known_bad), "--json", str(out)]) == 1
    verdicts = {v["attack"]: v for v in json.loads(out.read_text())}
    copy = verdicts["copy-ciphertext"]
    assert not copy["held"] and copy["effect"] == "order 0: winner b0 paid 9,000,000,000 instead of 3,000,000,000"
    assert any(line.startswith("ADVERSARY place_bid") for line in copy["trace"])
    assert "b2 won at 9,000,000,000 instead of b0 at 3,000,000,000" in verdicts["maul-c2"]["effect"]
    assert "b2 won" in verdicts["front-run-ciphertext"]["effect"]
    assert "expected KeyReused, got success" in verdicts["reuse-disclosed-key"]["problems"][0]
    broken = {name for name, v in verdicts.items() if not v["held"]}
    assert broken == {
        "copy-ciphertext",
        "maul-c2",
        "seller-sybil-copy",
        "tie-by-copy",
        "front-run-ciphertext",
        "reuse-disclosed-key",
    }


@pytest.mark.slow
def test_diff_flags_the_known_bad_design_through_the_attack_vectors(known_bad, tmp_path):
    out = tmp_path / "diff.json"
    assert main(["diff", "--examples", "3", "--steps", "10", "--contracts", str(known_bad), "--json", str(out)]) == 1
    vectors = json.loads(out.read_text())["vectors"]
    assert vectors["attack_copy_ciphertext"] and vectors["attack_reuse_disclosed_key"]
    assert vectors["happy_path_second_price"] == []  # honest runs agree: the design only fails against the adversary


def test_a_known_bad_fixture_that_no_longer_fits_fails_loudly(tmp_path, monkeypatch):
    fixture = tmp_path / "known_bad.toml"
    fixture.write_text('[[edit]]\nfile = "SealedQuotes.sol"\nwhy = "x"\nold = "no such text"\nnew = ""\n')
    monkeypatch.setattr(run, "KNOWN_BAD", fixture)
    with pytest.raises(ValueError, match="no longer fits"):
        run.write_known_bad(tmp_path / "out")


def _model_campaign(examples: int = 150) -> None:
    config = settings(
        max_examples=examples,
        stateful_step_count=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # a refutation needs no shrinking
    )
    run_state_machine_as_test(machine(None), settings=config)


@pytest.mark.clauses("QUO-5")
def test_the_model_keeps_price_independence_against_the_adversary_QUO_5():
    _model_campaign()


@pytest.mark.clauses("QUO-5")
def test_price_independence_is_refuted_when_quotes_are_not_bound_QUO_5(monkeypatch):
    monkeypatch.setattr(mk, "context", lambda market, order_id, bidder: 0)  # today's mask: bound to nothing
    with pytest.raises(Mismatch, match="the adversary's bids changed the outcome"):
        _model_campaign()


@pytest.mark.slow
def test_the_audit_shows_the_attacks_broken_on_the_known_bad_design(known_bad, tmp_path):
    code = main(["audit", "--out", str(tmp_path), "--only", "attacks", "--contracts", str(known_bad), "--no-cache"])
    assert code == 1
    report = (tmp_path / "audit.md").read_text()
    section = report[report.index("## Attacks") :]
    assert "| copy-ciphertext | BROKEN | order 0: winner b0 paid 9,000,000,000 instead of 3,000,000,000 |" in section
    assert "| reuse-disclosed-key | BROKEN |" in section and "| rerandomise-c1 | held |" in section
    assert 'id="attacks"' in (tmp_path / "audit.html").read_text()


@pytest.mark.clauses("QUO-5")
@pytest.mark.parametrize("how", ["copy", "flip-c2-low"])
def test_a_bidder_taking_back_its_own_ciphertext_from_anothers_copy_bids_for_itself_QUO_5(how):
    """b1 copies (or mauls) the top bidder b0's ciphertext, b0 copies that back: a second bid sealed in b0's
    context, which only b0 could have placed; its raising b0's own price is no adversary's doing. The audit's
    campaign once reported it as one."""
    state = machine(None)()
    state.an_auction_under_way(first=20 * 10**9, second=19 * 10**9)
    state.attack_derived_bid(attacker="b1", how=how, pick=1, source=0, victim=0)
    state.attack_derived_bid(attacker="b0", how="copy", pick=0, source=1, victim=0)
    state.play(moves=[(0, 0), (0, 0), (2, 0)], pick=0)
    state.price_independence_QUO_5()
    assert state.adversarial == {1: {0}}  # b1's derived bid (on order 1) only; b0's, on order 0, is its own
    state.teardown()
