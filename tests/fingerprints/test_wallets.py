"""The fingerprints' vectors with every role a contract account, and the reads past the last record: green on
the contract, and each kills a mutant of Fingerprints.sol the plain vectors let live (issue #14)."""

import pytest

from verify.fingerprints import vectors
from verify.mutation import killers, runner
from verify.toolchain.chain import FAST

FILE = "Fingerprints.sol"
ORIGIN_ADMIN = ("if (msg.sender != admin)", "if (tx.origin != admin)")
"""registerParticipant asks ``tx.origin``: the same account while the admin is an externally owned one."""
PAST_THE_END = ("if (recordId >= _records.length)", "if (recordId > _records.length)")
"""getRecord one past the last record: an array access out of bounds (a panic) instead of ``UnknownRecord``."""


@pytest.fixture(scope="module")
def built() -> list[dict]:
    return runner.patched(FILE, dict([ORIGIN_ADMIN]), dict([PAST_THE_END]))


@pytest.mark.clauses("FPR-1", "FPR-2", "FPR-3", "FPR-6")
def test_the_vectors_replay_green_with_every_role_a_contract_account(built):
    cases = [s.case() for s in vectors.scenarios()]
    results = vectors.replay_all(cases, built[0], FAST, wallets=True)
    assert results == {c["name"]: [] for c in cases}
    reads = [s["expect"] for c in cases for s in c["steps"] if s["action"] == "get_record"]
    assert {r.get("error") for r in reads} == {None, "UnknownRecord"}


@pytest.mark.clauses("FPR-1", "FPR-6")
def test_contract_accounts_and_reads_kill_what_the_plain_vectors_let_live(built):
    _, origin_admin, past_the_end = built
    names = ("fingerprint-vectors", "fingerprint-wallets")
    killer, evidence = killers.kill(killers.Target(origin_admin, {}, "SBR", 1, 1), {"Fingerprints"}, names)
    assert killer == "fingerprint-wallets" and "NotAdmin" in evidence, evidence  # EOAs: tx.origin is the sender
    killer, evidence = killers.kill(killers.Target(past_the_end, {}, "ROR", 1, 1), {"Fingerprints"}, names)
    assert killer == "fingerprint-vectors" and "get_record" in evidence and "Panic" in evidence, evidence
