"""The bilateral market's constructor refusals: no fee recipient (TRD-7's fees would be credited to address 0
and lost), and an evidence source with only one of its two parts wrong (TRD-5, FPR-7). No vector deploys with
bad arguments, so each check is shown here to fail on the mutant that drops or weakens it, built from the
source text."""

import pytest

from verify.mutation import runner
from verify.mutation.runner import CACHE
from verify.toolchain.chain import FAST
from verify.trade.driver import CONTRACT, ContractTrade
from verify.trade.roles import FEE, TARIFF, address

NO_FEE_CHECK = {"if (feeRecipient_ == address(0)) revert": "if (false) revert"}
"""The fee recipient left unchecked (slither-mutate's MIA)."""
BOTH_WRONG = {"code.length == 0 || grid_ == address(0)": "code.length == 0 && grid_ == address(0)"}
"""A deployment refused only when both parts of its evidence source are wrong (slither-mutate's LOR)."""
ZERO = "0x" + "00" * 20


@pytest.fixture(scope="module")
def built() -> list[dict]:
    return runner.patched("BilateralMarket.sol", NO_FEE_CHECK, BOTH_WRONG, cache=CACHE)


def _refusals(artifacts: dict) -> list[str | None]:
    """The error of each bad deployment, ``None`` where it succeeds: no fee recipient, an account without
    code as the fingerprints, no grid."""
    trade = ContractTrade.deploy(artifacts, FAST)
    fingerprints, grid, fee = trade.fingerprints.address, address("grid"), address("fee")  # type: ignore[attr-defined]
    errors = []
    for source, evidence_grid, recipient in (
        (fingerprints, grid, ZERO),
        (address("u0"), grid, fee),
        (fingerprints, ZERO, fee),
    ):
        args = (trade.auction.address, source, evidence_grid, TARIFF, FEE, recipient)
        deployed = trade.chain.deploy(artifacts[CONTRACT], *args, sender=address("genesis"))
        errors.append(None if deployed.ok else deployed.error)
    return errors


@pytest.mark.clauses("TRD-7", "TRD-5")
def test_each_bad_constructor_argument_is_refused_and_the_mutants_deploy(built):
    original, no_fee_check, both_wrong = built
    assert _refusals(original) == ["InvalidFeeRecipient", "InvalidEvidenceSource", "InvalidEvidenceSource"]
    assert _refusals(no_fee_check) == [None, "InvalidEvidenceSource", "InvalidEvidenceSource"]
    assert _refusals(both_wrong) == ["InvalidFeeRecipient", None, None]
