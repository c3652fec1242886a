"""``fairwatt mutate``: mutants of ``contracts/`` against the conformance suite; the mutation score.

Each mutant is one textual change at one place of the contracts, named after the rule it breaks. A
mutant is *killed* when the test vectors, the CEI detector or the differential campaign find a
difference from the model (or a violation), *stillborn* when it does not compile (left out of the
score), and *survived* otherwise. Survivors are listed with their diff and, when known, the argument
that they are equivalent.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from verify import vectors
from verify.checks.static import scanners
from verify.checks.static.checks import roots
from verify.differential import campaign
from verify.findings import Status
from verify.toolchain.compiler import CONTRACTS, CompileError, compile_tree


@dataclass(frozen=True)
class Mutant:
    id: str
    operator: str
    """Flipped comparison, off-by-one, first price, CEI reordering, deleted revert, rounding."""
    file: str
    original: str
    mutated: str
    clause: str
    equivalent: str = ""
    """Why the mutant cannot change behaviour, when that is the case."""


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "first-price",
        "first price",
        "FairwattMarket.sol",
        "uint256 price = o.second > o.startPrice ? o.second : o.startPrice;",
        "uint256 price = o.highest;",
        "AUC-7",
    ),
    Mutant(
        "price-ignores-reserve",
        "first price",
        "FairwattMarket.sol",
        "uint256 price = o.second > o.startPrice ? o.second : o.startPrice;",
        "uint256 price = o.second;",
        "AUC-7",
    ),
    Mutant(
        "tie-goes-to-latest",
        "flipped comparison",
        "FairwattMarket.sol",
        "} else if (quote >= t.highest) {",
        "} else if (quote > t.highest) {",
        "AUC-6",
    ),
    Mutant(
        "quote-under-reserve-valid",
        "flipped comparison",
        "FairwattMarket.sol",
        "valid = valid && quote >= t.startPrice && quote <= Params.MAX_QUOTE;",
        "valid = valid && quote > t.startPrice && quote <= Params.MAX_QUOTE;",
        "AUC-5",
    ),
    Mutant(
        "second-not-updated",
        "flipped comparison",
        "FairwattMarket.sol",
        "if (quote > t.second) t.second = quote;",
        "if (quote < t.second) t.second = quote;",
        "AUC-6",
    ),
    Mutant(
        "bidding-deadline-off-by-one",
        "off-by-one deadline",
        "FairwattMarket.sol",
        "if (o.status != OrderStatus.Open || block.timestamp >= o.biddingEnd) revert",
        "if (o.status != OrderStatus.Open || block.timestamp > o.biddingEnd) revert",
        "MKT-3",
    ),
    Mutant(
        "payment-deadline-off-by-one",
        "off-by-one deadline",
        "FairwattMarket.sol",
        "if (o.status != OrderStatus.Settled || block.timestamp >= o.deadline) revert",
        "if (o.status != OrderStatus.Settled || block.timestamp > o.deadline) revert",
        "SET-1",
    ),
    Mutant(
        "delivery-timeout-early",
        "off-by-one deadline",
        "FairwattMarket.sol",
        "if (o.status != OrderStatus.Paid || block.timestamp < o.deadline) revert",
        "if (o.status != OrderStatus.Paid || block.timestamp + 1 < o.deadline) revert",
        "SET-2",
    ),
    Mutant(
        "seller-window-off-by-one",
        "off-by-one window",
        "UserRegistry.sol",
        "amount + _recent(_users[account], Params.WINDOW_S - 1)",
        "amount + _recent(_users[account], Params.WINDOW_S)",
        "REP-2",
    ),
    Mutant(
        "buyer-window-off-by-one",
        "off-by-one window",
        "UserRegistry.sol",
        "Reputation.buyerPenalty(amount, _recent(u, Params.WINDOW_P - 1))",
        "Reputation.buyerPenalty(amount, _recent(u, Params.WINDOW_P))",
        "REP-5",
    ),
    Mutant(
        "withdraw-effects-after-call",
        "CEI reordering",
        "FairwattMarket.sol",
        "_users[msg.sender].pending = 0;\n        emit Withdrawn(msg.sender, amount);\n"
        '        (bool ok,) = msg.sender.call{value: amount}("");',
        'emit Withdrawn(msg.sender, amount);\n        (bool ok,) = msg.sender.call{value: amount}("");\n'
        "        _users[msg.sender].pending = 0;",
        "SET-7",
    ),
    Mutant(
        "no-deposit-check",
        "deleted revert",
        "FairwattMarket.sol",
        "if (msg.value != o.deposit) revert WrongDeposit(msg.value, o.deposit);",
        "",
        "AUC-3",
    ),
    Mutant(
        "no-seller-check",
        "deleted revert",
        "FairwattMarket.sol",
        "if (msg.sender != o.seller) revert NotSeller(msg.sender);",
        "",
        "AUC-4",
    ),
    Mutant(
        "no-ban-check",
        "deleted revert",
        "UserRegistry.sol",
        "if (block.timestamp < u.bannedUntil) revert UserBanned(account, u.bannedUntil);",
        "",
        "REP-9",
    ),
    Mutant(
        "no-payment-check",
        "deleted revert",
        "FairwattMarket.sol",
        "if (msg.value != o.price) revert WrongPayment(msg.value, o.price);",
        "",
        "SET-1",
    ),
    Mutant(
        "ban-rounds-down",
        "rounding direction",
        "Reputation.sol",
        "uint256 d = (coefficient * Params.WAD).ceilDiv(reputation);",
        "uint256 d = (coefficient * Params.WAD) / reputation;",
        "REP-8",
    ),
    Mutant(
        "share-rounds-up",
        "rounding direction",
        "Reputation.sol",
        "return amount.mulDiv(Params.WAD, windowTotal) + Params.Z0;",
        "return (amount * Params.WAD).ceilDiv(windowTotal) + Params.Z0;",
        "REP-2",
    ),
    Mutant(
        "k1-for-k2",
        "swapped constant",
        "UserRegistry.sol",
        "Reputation.step(u.sellerReputation, 0, penalty, c, Params.K1, Params.K2)",
        "Reputation.step(u.sellerReputation, 0, penalty, c, Params.K2, Params.K1)",
        "REP-7",
        equivalent="k1 = k2 = 1.0 in params.toml: swapping them computes the same number.",
    ),
)


def apply(mutant: Mutant, root: Path) -> str:
    """Write ``mutant`` into the copy of the contracts at ``root``; return its unified diff."""
    path = root / mutant.file
    text = path.read_text()
    if text.count(mutant.original) != 1:
        raise ValueError(f"mutant {mutant.id}: the original text occurs {text.count(mutant.original)} times")
    mutated = text.replace(mutant.original, mutant.mutated)
    path.write_text(mutated)
    diff = difflib.unified_diff(text.splitlines(), mutated.splitlines(), mutant.file, mutant.file, lineterm="", n=0)
    return "\n".join(diff)


def _vectors(contracts: Path) -> str:
    """The first difference the test vectors find on ``contracts``, or ``""``."""
    cases = [script.case() for script in vectors.scenarios()]
    for name, problems in vectors.replay_all(contracts, cases).items():
        if problems:
            return f"vector {name}: {problems[0]}"
    return ""


def _scans(contracts: Path) -> str:
    """The first violation fairwatt's CEI detector reports on ``contracts``, or ``""``."""
    for path in roots(contracts):
        for finding in scanners.slither(path)[1]:
            if finding.status == Status.VIOLATION:
                return f"fairwatt-cei: {finding.title.splitlines()[0]}"
    return ""


def run(examples: int = 15, steps: int = 30, only: list[str] | None = None, contracts: Path = CONTRACTS) -> dict:
    """Run the campaign on every mutant; the report of ``fairwatt mutate``."""
    results, killed, survived, stillborn = [], 0, [], []
    for mutant in MUTANTS:
        if only and mutant.id not in only:
            continue
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "contracts"
            shutil.copytree(contracts, root)
            diff = apply(mutant, root)
            try:
                compile_tree(root)
            except CompileError as exc:
                stillborn.append({"id": mutant.id, "error": exc.messages[0]})
                continue
            evidence = _vectors(root) or _scans(root)
            if not evidence:
                report = campaign.run(examples, root, steps, replay_dir=None, shrink_seconds=0)
                evidence = report.failures[0]["error"].splitlines()[0] if report.failures else ""
        entry = {
            "id": mutant.id,
            "operator": mutant.operator,
            "clause": mutant.clause,
            "killed": bool(evidence),
            "seconds": round(time.perf_counter() - start, 1),
            "evidence": evidence,
        }
        results.append(entry)
        if evidence:
            killed += 1
        else:
            survived.append({"id": mutant.id, "clause": mutant.clause, "diff": diff, "equivalent": mutant.equivalent})
    scored = len(results) - sum(1 for s in survived if s["equivalent"])
    return {
        "mutants": len(results),
        "killed": killed,
        "survived": survived,
        "stillborn": stillborn,
        "equivalent": [s["id"] for s in survived if s["equivalent"]],
        "score": round(killed / scored, 3) if scored else 0.0,
        "score_definition": "killed / (mutants - argued equivalents)",
        "results": results,
    }
