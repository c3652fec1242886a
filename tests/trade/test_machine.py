"""The differential campaign of both markets on one deployment (the trade-differential check): the auction
and the bilateral market, sharing the registry, agree with the model on random runs that reach both markets'
deep states. That the campaign catches a contract departing from the model is shown in
tests/trade/test_checks.py (a fee left out of the escrow)."""

import pytest

from verify.check import Context
from verify.checks.trade import TradeDifferentialCheck
from verify.findings import Status
from verify.toolchain.compiler import CONTRACTS
from verify.trade import combined


@pytest.mark.slow
@pytest.mark.clauses("TRD-3", "TRD-5", "TRD-8", "TRD-9", "TRD-10", "ENG-7", "ENG-8", "ENG-9", "FPR-7")
def test_both_markets_agree_with_the_model(tmp_path):
    ctx = Context(root=tmp_path, out=tmp_path, contracts=CONTRACTS, options={"examples": 10})
    [finding] = TradeDifferentialCheck().run(ctx)
    assert finding.status == Status.PASSED, finding.evidence
    reached = combined.BothMarketsMachine.REACHED
    both = {"auction confirm_delivery", "auction report_non_delivery", "settle_auction_energy", "settle_trade",
            "authenticate_match", "certify_execution", "declare_ask!UserBanned",  # and certification with
            "anchor_evidence", "certify_execution!NoDeliveryEvidence",  # and without evidence
            "set_delegate", "record_execution!NotPermitted"}  # the grid's delegate; another recorder  # fmt: skip
    assert both <= set(reached), sorted(both - set(reached))
