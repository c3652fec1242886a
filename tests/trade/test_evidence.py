"""TRD-4, TRD-5, FPR-7: who records an execution, and which anchored record is its evidence — on the model and
on the contracts, with the twins that lack each rule (the design before review 17) failing the vectors."""

from dataclasses import replace

import pytest
from eth_utils import keccak

from reference import energy as en
from reference import fingerprints as fp
from reference import market as mk
from reference import trade as tr
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, compile_sources, compile_tree, read_tree
from verify.trade import vectors
from verify.trade.driver import ContractTrade
from verify.trade.roles import MARKET, address
from verify.trade.vectors import KWH, setup, trade_to_execution

A = address
RECORDER_AND_TIME = "trade_evidence_recorder_and_time"


@pytest.fixture(scope="module")
def artifacts():
    return compile_tree()


def _case(name: str) -> dict:
    return next(s.case() for s in vectors.scenarios() if s.name == name)


def _twin(old: str, new: str, sources: dict[str, str] | None = None) -> dict[str, str]:
    """The contracts' sources with one line of ``BilateralMarket.sol`` replaced."""
    sources = dict(sources or read_tree(CONTRACTS))
    assert sources["BilateralMarket.sol"].count(old) == 1
    sources["BilateralMarket.sol"] = sources["BilateralMarket.sol"].replace(old, new)
    return sources


@pytest.mark.clauses("TRD-4")
def test_only_the_grid_records_an_execution():
    """Genesis (a threshold above the grid's) and another grid account recording first would fix the record
    the grid's evidence must match: any of them could force a rejection, or fake a certified delivery."""
    s = setup("recorder", [])
    s.do("create_account", "genesis", "stranger", int(en.Kind.GRID))
    s, _ = trade_to_execution(s, recorder="genesis")
    before = s.tm
    for recorder in ("stranger", "u0"):
        s.do("record_execution", recorder, 0, 0)
    refused = [(st["expect"]["error"], st["expect"]["args"]) for st in s.steps[-3:]]
    assert refused == [("NotPermitted", [who, en.ISSUE]) for who in ("genesis", "stranger", "u0")]
    assert s.tm == before and s.tm.trades[0].status == tr.TradeStatus.AUTHENTICATED
    s.do("record_execution", "grid", 0, 10 * KWH)
    assert s.tm.trades[0].status == tr.TradeStatus.EXECUTED


@pytest.mark.clauses("FPR-7", "TRD-5")
def test_evidence_made_before_the_delivery_or_of_another_kind_is_none():
    s = setup("early", [])
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)  # before trade 0 exists
    anchored = s.steps[-1]["time"]
    s, delivery = trade_to_execution(s)
    early = fp.record_of(s.tm.fingerprints, A("grid"), tr.evidence_hash(MARKET, 0, 10 * KWH))
    assert early == (fp.Kind.DELIVERY_EVIDENCE, anchored) and anchored < delivery
    with pytest.raises(tr.NoDeliveryEvidence):
        tr.certify_execution(s.tm, A("c0"), 0, True, delivery)
    s, delivery = trade_to_execution(setup("kind", []))  # the same content anchored as a meter reading
    payload = tr.evidence_hash(MARKET, 0, 10 * KWH)
    kind = int(fp.Kind.METER_READING)
    f, _ = fp.anchor_record(s.tm.fingerprints, A("grid"), A("grid"), kind, delivery, payload, delivery)
    with pytest.raises(tr.NoDeliveryEvidence):
        tr.certify_execution(replace(s.tm, fingerprints=f), A("c0"), 0, True, delivery)
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)  # at the delivery time: evidence
    assert tr.evidenced(s.tm, 0)
    assert fp.record_of(s.tm.fingerprints, A("u0"), payload) == (0, 0)  # nobody else's record


@pytest.mark.clauses("TRD-5")
def test_the_model_is_not_deployed_without_a_grid():
    with pytest.raises(tr.InvalidEvidenceSource):
        replace(setup("nogrid", []).tm, grid=mk.ZERO_ADDRESS)


@pytest.mark.clauses("FPR-7", "TRD-5")
def test_the_contract_refuses_a_record_of_another_kind(artifacts):
    """The grid's own record of the very content, anchored after the delivery as a meter reading (kind 1):
    the contract refuses the pass as the model does; the content is the grid's once, so only a rejection is left."""
    s, delivery = trade_to_execution(setup("kind", []))
    contract = ContractTrade.deploy(artifacts, FAST)
    assert vectors.replay(s.case(), contract) == []
    payload, grid = tr.evidence_hash(contract.address, 0, 10 * KWH), A("grid")
    contract.at_time(delivery + 5)
    anchor = contract.fingerprints.functions.anchorRecord(grid, int(fp.Kind.METER_READING), delivery + 5, payload)  # type: ignore[attr-defined]
    assert contract.chain.transact(anchor, sender=grid).ok
    assert contract.chain.call(contract.fingerprints.functions.recordOf(grid, payload)) == (1, delivery + 5)  # type: ignore[attr-defined]
    refused = contract.certify_execution(A("c0"), 0, True)
    assert (refused.ok, refused.error, tuple(refused.error_args)) == (False, "NoDeliveryEvidence", (0, 10 * KWH))
    assert contract.chain.call(contract.fingerprints.functions.recordOf(A("u0"), keccak(b""))) == (0, 0)  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.clauses("TRD-4", "TRD-5", "FPR-7")
def test_the_design_before_the_fix_fails_the_vector():
    """The twin as the market was (any account at the grid's threshold records; any anchored record of the
    content counts, whatever its kind and time) departs from the vector at both steps the rules decide: genesis
    recording, and the pass on evidence anchored before the trade existed."""
    twin = _twin(
        "if (msg.sender != grid) revert NotPermitted(msg.sender, ISSUE);", "_requireThreshold(msg.sender, ISSUE);"
    )
    twin = _twin(
        "if (kind != 2 || recordTime < t.deliveryTime)",
        "if (kind == 0 && recordTime == 0)",
        twin,
    )
    artifacts = compile_sources(twin)
    problems = "\n".join(vectors.replay(_case(RECORDER_AND_TIME), ContractTrade.deploy(artifacts, FAST)))
    assert "record_execution: expected NotPermitted" in problems, problems
    assert "certify_execution: expected NoDeliveryEvidence" in problems, problems
