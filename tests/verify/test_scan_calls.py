"""Mythril's reentrancy modules only where a reentrancy can exist: a contract whose bytecode has no
instruction that runs other code (CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE, CREATE2) cannot be
re-entered, so it is proved safe by construction and not given to Mythril; every module runs everywhere."""

import json

import pytest

from verify import scan, scan_compilers
from verify.checks.static import scanners
from verify.findings import Status

IPFS = bytes([0xA2, 0x64]) + b"ipfs" + bytes([0x58, 0x22, 0x12, 0x20]) + b"\xf1" * 32
TRAILER = IPFS + bytes([0x64]) + b"solc" + bytes([0x43, 0, 8, 0x25])  # solc 0.8's metadata map
PLACEHOLDER = "__$" + "0123456789abcdef0123456789abcdef01" + "$__"  # an unlinked library address


def code(body: bytes, trailer: bytes = b"") -> str:
    return (body + trailer + (len(trailer).to_bytes(2, "big") if trailer else b"")).hex()


@pytest.mark.parametrize(
    ("hex_code", "found"),
    [
        (code(bytes([0x60, 0xF1, 0x00])), []),  # PUSH1 0xf1: data, not a CALL
        (code(bytes([0x7F]) + b"\xf1" * 32 + bytes([0xF4])), ["DELEGATECALL"]),  # PUSH32's data, then one
        ("61f1f1f1", ["CALL"]),  # PUSH2 0xf1f1, then a CALL
        ("61f1", []),  # PUSH2 cut short by the end of the code: its data still
        (code(bytes([0x5B, 0xF1, 0xF2, 0xFA, 0xF0, 0xF5])), ["CALL", "CALLCODE", "CREATE", "CREATE2", "STATICCALL"]),
        (code(bytes([0x00]), TRAILER), []),  # the metadata's hash holds F1 bytes: not code
        (code(bytes([0x00]), bytes([0xA2, 0x64]) + b"abcd" + b"\xf1" * 8), ["CALL"]),  # not solc's map: code
        ("73" + PLACEHOLDER + "00", []),
        ("73" + PLACEHOLDER + "f1", ["CALL"]),
    ],
)
def test_the_bytecode_is_read_as_the_evm_reads_it(hex_code, found):
    assert scan_compilers.calls_out(hex_code) == found


@pytest.fixture
def calls(fixtures, tmp_path, monkeypatch):
    monkeypatch.setattr(scan_compilers, "CHOICES", tmp_path / "choices")  # compiled now, not read from a cache
    return fixtures / "scan_calls" / "Calls.sol"


def slither_clean(path):
    analysed = scanners._analysed("slither", path, 1.0).to_json()
    return {"tools": {"slither": [analysed], "fairwatt-cei": [analysed]}}


def test_contracts_without_an_external_call_are_proved_safe_and_not_given_to_mythril(calls, monkeypatch):
    stale = scan_compilers.CHOICES / f"{scan_compilers._source_key(calls)}.json"
    stale.parent.mkdir(parents=True)
    older = {"version": "0.8.37", "contracts": ["Counter"], "tried": [], "callers": []}  # no sizes
    stale.write_text(json.dumps(older))
    choice = scan.compiler_for(calls)  # an older scan's record, without them, is compiled again
    assert choice.contracts == ("Counter", "Greeter", "SafeAdd", "Vault")
    assert choice.callers == ("Greeter", "Vault")  # Greeter calls out in its constructor only
    assert set(choice.sizes) == set(choice.contracts) and all(size > 0 for size in choice.sizes.values())
    monkeypatch.setattr(scan_compilers, "_compile", lambda *a: pytest.fail("the outcome is cached"))
    assert scan.compiler_for(calls) == choice

    tasks, skips = scan.mythril_tasks(calls, slither_clean(calls), choice, question=True)
    assert [(t.contract, t.priority) for t in tasks] == [("Greeter", 2), ("Vault", 1)]
    assert [(f.status, f.data["contract"]) for f in skips] == [(Status.PROVED, "Counter"), (Status.PROVED, "SafeAdd")]
    assert all("no external call in the bytecode: reentrancy impossible" in f.title for f in skips)

    tasks, skips = scan.mythril_tasks(calls, slither_clean(calls), choice, question=False)  # every module
    assert [t.contract for t in tasks] == list(choice.contracts) and skips == []
