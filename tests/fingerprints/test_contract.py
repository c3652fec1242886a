"""Fingerprints.sol against the model: the vectors replay green, fingerprintOf is the canonical hash, and
each registered check passes on the contract and fails on a mutant of it."""

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from reference import fingerprints as fpr
from verify.check import Context
from verify.checks import fingerprints as checks
from verify.findings import Status
from verify.fingerprints import vectors
from verify.fingerprints.driver import ContractFingerprints
from verify.toolchain.chain import FAST
from verify.toolchain.compiler import CONTRACTS, compile_tree

SOURCE = CONTRACTS / "Fingerprints.sol"


@pytest.fixture(scope="module")
def artifacts():
    return compile_tree()


@pytest.fixture(scope="module")
def contract(artifacts):
    return ContractFingerprints.deploy(artifacts, FAST)


def context(tmp_path, contracts=CONTRACTS, **options):
    return Context(root=tmp_path, out=tmp_path, contracts=contracts, options=options)


def mutant(tmp_path, old: str, new: str):
    """A contracts folder holding only Fingerprints.sol with ``old`` replaced (it imports nothing)."""
    text = SOURCE.read_text()
    assert text.count(old) == 1
    tmp_path.mkdir(parents=True)
    (tmp_path / SOURCE.name).write_text(text.replace(old, new))
    return tmp_path


@pytest.mark.clauses("FPR-1", "FPR-2", "FPR-3", "FPR-5", "FPR-7")
def test_every_fingerprint_vector_is_green_on_the_contract(artifacts):
    cases = [s.case() for s in vectors.scenarios()]
    assert vectors.replay_all(cases, artifacts, FAST) == {c["name"]: [] for c in cases}
    errors = {s["expect"].get("error") for c in cases for s in c["steps"]}
    assert errors >= {"NotAdmin", "NotProvider", "NotUploader", "NotHolder", "BackDated", "FutureRecord",
                      "AlreadyAnchored", "UnknownKind", "InvalidRole", "AlreadyRegistered"}  # fmt: skip


@pytest.mark.clauses("FPR-4")
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 255), st.integers(0, 2**160 - 1), st.integers(0, 2**40 - 1), st.binary(min_size=32, max_size=32))
def test_the_contract_hashes_the_canonical_encoding(contract, kind, provider, time, payload_hash):
    account = f"0x{provider:040x}"
    on_chain = contract.chain.call(contract.f.fingerprintOf(kind, account, time, payload_hash))
    assert (
        on_chain
        == fpr.fingerprint(kind, account, time, payload_hash)
        == keccak(fpr.encode_record(kind, account, time, payload_hash))
    )


@pytest.mark.clauses("FPR-6", "FPR-4")
def test_integrity_check_passes_and_catches_a_hash_that_drops_the_time(tmp_path):
    [finding] = checks.FingerprintIntegrityCheck().run(context(tmp_path))
    assert finding.status == Status.PASSED
    bad = mutant(
        tmp_path / "m", "provider, uint40(recordTime), payloadHash", "provider, uint40(recordTime / 2), payloadHash"
    )
    [finding] = checks.FingerprintIntegrityCheck().run(context(tmp_path, bad))
    assert finding.status == Status.VIOLATION and "intact copy does not match" in finding.evidence


@pytest.mark.clauses("FPR-5", "FPR-3")
def test_vectors_check_catches_back_dating_and_replays(tmp_path):
    [finding] = checks.FingerprintVectorsCheck().run(context(tmp_path))
    assert finding.status == Status.PASSED
    for name, (old, new, error) in {
        "backdate": ("if (recordTime < latest)", "if (recordTime + 1 < latest)", "BackDated"),
        "replay": ("if (known != 0)", "if (known > 1)", "AlreadyAnchored"),
    }.items():
        found = checks.FingerprintVectorsCheck().run(context(tmp_path, mutant(tmp_path / name, old, new)))
        assert {f.status for f in found} == {Status.VIOLATION} and error in "\n".join(f.evidence for f in found)


@pytest.mark.clauses("FPR-2", "FPR-5")
def test_differential_check_passes_and_catches_a_revocation_that_does_not_revoke(tmp_path):
    [finding] = checks.FingerprintDifferentialCheck().run(context(tmp_path, examples=3))
    assert finding.status == Status.PASSED
    bad = mutant(
        tmp_path / "m", "isDelegate[msg.sender][delegate] = allowed;", "isDelegate[msg.sender][delegate] = true;"
    )
    [finding] = checks.FingerprintDifferentialCheck().run(context(tmp_path, bad, examples=10, shrinks=0))
    assert finding.status == Status.VIOLATION


@pytest.mark.clauses("FPR-5", "FPR-7")
def test_vectors_check_catches_content_claimed_across_providers(tmp_path):
    """The front-running bug: content keyed alone, so a provider anchoring a copy first blocks the grid."""
    store = "_byPayload[provider][payloadHash] = recordId + 1;"
    bad = mutant(tmp_path / "m", store, "_byPayload[address(0)][payloadHash] = " + store)
    source = bad / SOURCE.name
    lookup = "uint256 known = _byPayload[provider][payloadHash];"
    source.write_text(source.read_text().replace(lookup, lookup.replace("[provider]", "[address(0)]"), 1))
    found = checks.FingerprintVectorsCheck().run(context(tmp_path, bad))
    assert {f.status for f in found} == {Status.VIOLATION}
    assert "AlreadyAnchored" in "\n".join(f.evidence for f in found)


@pytest.mark.clauses("FPR-6", "FPR-5")
@pytest.mark.parametrize(
    "new",
    [
        "uint40(recordTime), uint8(kind), msg.sender",  # anchoredAt: the record's time, not the block's
        "uint40(block.timestamp), uint8(kind), provider",  # uploader: the provider, not the delegate
    ],
)
def test_integrity_check_catches_a_wrong_stored_field(tmp_path, new):
    bad = mutant(tmp_path / "m", "uint40(block.timestamp), uint8(kind), msg.sender", new)
    [finding] = checks.FingerprintIntegrityCheck().run(context(tmp_path, bad))
    assert finding.status == Status.VIOLATION and "getRecord returns" in finding.evidence
