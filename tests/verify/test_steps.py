"""The lockstep comparison the trade, points and fingerprints machines share (verify/steps.py): addresses
compare case-blind, error names do not (a contract's `notPermitted` is not the rules' `NotPermitted`)."""

import pytest

from reference import energy as en
from verify.fingerprints.driver import jsonable
from verify.steps import Mismatch, compare
from verify.toolchain.chain import Outcome
from verify.trade.machine import _norm

ADDRESS = "0xAbCdEf0000000000000000000000000000000001"


def refused():
    raise en.NotPermitted(ADDRESS, 1)


ENCODINGS = [_norm, jsonable]  # the trade and points machines', the fingerprints machine's


@pytest.mark.parametrize("encode", ENCODINGS)
def test_addresses_compare_case_blind(encode):
    contract = Outcome(False, "NotPermitted", (ADDRESS.lower(), 1))
    after, outcome = compare("step", refused, "state", lambda: contract, encode)
    assert after == "state" and outcome is contract


@pytest.mark.parametrize("encode", ENCODINGS)
@pytest.mark.parametrize("name", ["notPermitted", "NOTPERMITTED", "NotAllowed"])
def test_an_error_name_differing_even_in_case_is_a_mismatch(name, encode):
    with pytest.raises(Mismatch):
        compare("step", refused, "state", lambda: Outcome(False, name, (ADDRESS, 1)), encode)
