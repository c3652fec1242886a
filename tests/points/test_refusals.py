"""PTS-6's pull payment to a maker that refuses its wei (a contract reverting on receipt): the model refuses the
withdrawal ``TransferFailed`` of the maker, as the energy ledger and the auction do (``payments.pay_out``), the
contract alike (edge vector ``points_refusing_receiver``), and the vector kills mutants of ``withdrawProceeds``
that every other points vector lets live, built here from the source text."""

import pytest

from reference import errors
from reference import points as pts
from verify.mutation import killers, runner
from verify.mutation.runner import CACHE
from verify.points import edge_vectors, vectors
from verify.points.driver import ContractPoints
from verify.toolchain.chain import FAST
from verify.trade.roles import REFUSING, address

FILE = "PowerPoints.sol"
ORIGIN_REFUSED = {"revert TransferFailed(msg.sender)": "revert TransferFailed(tx.origin)"}
"""withdrawProceeds names ``tx.origin`` as the refusing receiver: the relayer, when the maker is a contract."""
UNCHECKED = {"        if (!ok) revert TransferFailed(msg.sender);\n": ""}
"""withdrawProceeds ignores a failed transfer: the maker's wei is no longer owed, and stays in the contract."""


@pytest.fixture(scope="module")
def built() -> list[dict]:
    return runner.patched(FILE, ORIGIN_REFUSED, UNCHECKED, cache=CACHE)


@pytest.mark.clauses("PTS-6")
def test_a_refusing_maker_keeps_its_wei_owed_on_the_model():
    maker, other = address("u0"), address("u1")
    g = pts.Green(markets=vectors.fresh_green().markets, grants=pts.load_grants(), pending={maker: 5}, balance=5)
    with pytest.raises(errors.TransferFailed) as refused:
        pts.withdraw_proceeds(g, maker, False)
    assert refused.value.args == (maker,)
    with pytest.raises(errors.NothingToWithdraw):  # owed nothing: that is said first
        pts.withdraw_proceeds(g, other, False)
    paid, events = pts.withdraw_proceeds(g, maker)
    assert (paid.pending, paid.balance, events) == ({}, 0, [pts.Withdrawn(maker, 5)])


@pytest.mark.clauses("PTS-6")
def test_the_refusing_maker_vector_is_the_models_and_replays_green(built):
    steps = edge_vectors.refusing_receiver().case()["steps"]
    refused = [i for i, s in enumerate(steps) if s["action"] == "withdraw_proceeds" and not s["expect"]["ok"]]
    assert [steps[i]["expect"] for i in refused] == [{"ok": False, "error": "TransferFailed", "args": [REFUSING]}] * 2
    assert all(steps[i]["post"] == steps[i - 1]["post"] for i in refused)  # nothing changed
    assert steps[refused[-1]]["post"]["accounts"][REFUSING]["pending"] == 30  # still owed, the other maker paid
    case = edge_vectors.refusing_receiver().case()
    for deploy in (ContractPoints.deploy, edge_vectors.WalletPoints.deploy):
        assert vectors.replay(case, deploy(built[0], FAST)) == []


@pytest.mark.clauses("PTS-6")
def test_the_refusing_maker_kills_mutants_the_other_vectors_let_live(built):
    others = [c for c in killers._points_cases() if c["name"] != "points_refusing_receiver"]
    for mutant, seen in (
        (built[1], "expected TransferFailed['hostile'], got TransferFailed"),
        (built[2], "proceeds not solvent"),  # the wei stays in the contract, owed to nobody
    ):
        assert [vectors.replay(c, ContractPoints.deploy(mutant, FAST)) for c in others] == [[]] * len(others)
        target = killers.Target(mutant, {}, "patch", 1, 1)
        killer, evidence = killers.kill(target, {"GreenCertificates"}, ("points-vectors",))
        assert killer == "points-vectors" and "points_refusing_receiver" in evidence and seen in evidence, evidence
