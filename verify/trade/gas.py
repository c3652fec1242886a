"""``fairwatt gas``, the bilateral market's table: the gas of every stage of seed 004's seven-stage trade
(the paper's case, 10 kWh at 0.67 per kWh) and of every energy-account operation of seed 002.

Every figure is ``gasUsed`` of one transaction (21,000 base included) on a backend that runs real
transactions (eth-tester or a node), written as ``trade-gas.json`` and ``trade-gas.md`` beside the
auction's ``gas.json``/``gas.md``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from reference import energy as en
from reference import trade as tr
from verify import gas as auction_gas
from verify.toolchain.chain import Outcome
from verify.toolchain.compiler import compile_tree
from verify.trade.driver import ContractTrade
from verify.trade.roles import FEE, TARIFF, address, fresh, key
from verify.trade.vectors import KWH, PRICE

STAGES: dict[str, tuple[str, str]] = {
    "create_account": ("ENG-1", "a grid account creates a user account"),
    "issue_energy": ("ENG-2", "the grid issues 10,000,000 kWh"),
    "transfer_energy": ("ENG-3", "the grid moves 10 kWh to the seller"),
    "purchase_energy": ("ENG-5", "the active purchase of 1,000 kWh"),
    "report_generation": ("ENG-6", "a meter reaching N = 100 kWh: the triggered trade"),
    "report_consumption": ("ENG-4", "a metered load (the supply stays on)"),
    "declare_ask": ("TRD-1", "stage (1): the seller's ask"),
    "declare_bid": ("TRD-1", "stage (1): the buyer's bid"),
    "match_offers": ("TRD-2", "stage (2): matching"),
    "authenticate_match": ("TRD-3", "stage (3): both EIP-712 signatures checked, escrow, Wh locked"),
    "record_execution": ("TRD-4", "stage (4): the metered delivery"),
    "anchor_evidence": ("FPR-7", "the grid anchors the execution record's fingerprint (`Fingerprints`)"),
    "certify_vote": ("TRD-5", "stage (5): a pass that does not decide (reads the evidence, FPR-7)"),
    "certify_decisive": ("TRD-5", "stage (5): the pass that makes a majority (certified)"),
    "certify_reject": ("TRD-5", "stage (5): the vote that rejects (escrow refunded, Wh unlocked)"),
    "clear_trade": ("TRD-6", "stage (6): clearing into the period's totals"),
    "settle_trade": ("TRD-7", "stage (7): 6.7 to the seller, 0.2 to the third party; both reputations (TRD-10)"),
    "withdraw": ("TRD-8", "a pull payment (the seller's)"),
    "settle_auction_energy": ("ENG-9", "a completed auction order's Wh to its winner"),
}
"""Every stage measured: name -> (clause, what the transaction does)."""


def _ok(outcome: Outcome, step: str) -> int:
    if not outcome.ok:
        raise RuntimeError(f"{step} reverted: {outcome.error}{outcome.error_args}")
    return outcome.gas_used


def _trade(c: ContractTrade, trade_id: int, volume: int, delivery: int, delivered: int) -> dict[str, int]:
    """u0 sells ``volume`` Wh to u1 at the paper's price, up to the recorded delivery and the grid's
    evidence of it; gas per stage."""
    g: dict[str, int] = {}
    g["declare_ask"] = _ok(c.declare_ask(address("u0"), volume, PRICE, delivery), "declareAsk")
    g["declare_bid"] = _ok(c.declare_bid(address("u1"), volume, PRICE, delivery), "declareBid")
    offers = c.chain.call(c.f.offerCount())
    g["match_offers"] = _ok(c.match_offers(offers - 2, offers - 1), "matchOffers")
    terms = tr.Trade(address("u0"), address("u1"), volume, PRICE, delivery)
    domain = replace(fresh(c.address, c.chain.chain_id), trades=(terms,) * (trade_id + 1))
    seller, buyer = (tr.sign_terms(key(role), domain, trade_id, terms) for role in ("u0", "u1"))
    due = tr.escrow(terms, FEE)
    g["authenticate_match"] = _ok(
        c.authenticate_match(address("u1"), trade_id, seller, buyer, due), "authenticateMatch"
    )
    c.at_time(delivery)
    g["record_execution"] = _ok(c.record_execution(address("grid"), trade_id, delivered), "recordExecution")
    grid = address("grid")
    g["anchor_evidence"] = _ok(c.anchor_evidence(grid, grid, trade_id, delivered), "anchorRecord")
    return g


def measure(backend: str = "eth-tester") -> dict[str, int]:
    """The paper's case end to end, a rejected trade and the energy operations: gas of every stage."""
    c = ContractTrade.deploy(compile_tree(), backend)
    if not c.chain.real_gas:
        raise ValueError(f"the {c.chain.ENGINE} engine does not run real transactions: no gas figures from it")
    genesis, grid = address("genesis"), address("grid")
    g: dict[str, int] = {}
    _ok(c.create_account(genesis, grid, int(en.Kind.GRID)), "createAccount")
    g["issue_energy"] = _ok(c.issue_energy(grid, 10_000_000 * KWH), "issueEnergy")
    for role in ("u0", "u1", "u2"):
        _ok(c.register_user(genesis, address(role)), "registerUser")
        g["create_account"] = _ok(c.create_account(grid, address(role), int(en.Kind.USER)), "createAccount")
    for role in ("c0", "c1", "c2"):
        _ok(c.add_certifier(genesis, address(role)), "addCertifier")
    g["transfer_energy"] = _ok(c.transfer_energy(grid, address("u0"), 20 * KWH, 0), "transferEnergy")
    cost = 1000 * KWH * TARIFF
    g["purchase_energy"] = _ok(c.purchase_energy(address("u2"), grid, 1000 * KWH, 0, cost), "purchaseEnergy")
    _ok(c.report_generation(grid, address("u0"), 0, 99 * KWH), "reportGeneration")
    g["report_generation"] = _ok(c.report_generation(grid, address("u0"), 1, KWH), "reportGeneration")
    g["report_consumption"] = _ok(c.report_consumption(grid, address("u2"), 0, KWH), "reportConsumption")

    delivery = (c.chain.pending_timestamp() // tr.PERIOD + 2) * tr.PERIOD
    g.update(_trade(c, 0, 10 * KWH, delivery, 10 * KWH))
    g["certify_vote"] = _ok(c.certify_execution(address("c0"), 0, True), "certifyExecution")
    g["certify_decisive"] = _ok(c.certify_execution(address("c1"), 0, True), "certifyExecution")
    c.at_time(delivery + tr.PERIOD)
    g["clear_trade"] = _ok(c.clear_trade(0), "clearTrade")
    g["settle_trade"] = _ok(c.settle_trade(0), "settleTrade")
    g["withdraw"] = _ok(c.withdraw(address("u0")), "withdraw")

    _trade(c, 1, 5 * KWH, delivery + 2 * tr.PERIOD, 0)
    _ok(c.certify_execution(address("c0"), 1, False), "certifyExecution")
    g["certify_reject"] = _ok(c.certify_execution(address("c1"), 1, False), "certifyExecution")

    _ok(c.register_user(genesis, grid), "registerUser")  # the grid sells 1000 Wh in the auction
    auction_gas.measure(c.auction, 2)
    g["settle_auction_energy"] = _ok(c.settle_auction_energy(0), "settleAuctionEnergy")
    return {stage: g[stage] for stage in STAGES}


def table(data: dict[str, int]) -> str:
    """The bilateral market's gas table in Markdown."""
    lines = ["| stage | clause | what | gas |", "|---|---|---|---|"]
    lines += [f"| {s} | {STAGES[s][0]} | {STAGES[s][1]} | {data[s]:,} |" for s in STAGES]
    flow = sum(data[s] for s in STAGES if STAGES[s][0].startswith(("TRD", "FPR")) and s != "certify_reject")
    case = "the paper's case, stages (1)-(7), the grid's evidence (FPR-7) and the withdrawal"
    return "\n".join(lines) + f"\n\n- {case}: {flow:,} gas\n"


def write(out: Path, backend: str = "eth-tester") -> dict[str, int]:
    """Measure on ``backend`` and write ``trade-gas.json`` and ``trade-gas.md`` into ``out``."""
    data = measure(backend)
    out.mkdir(parents=True, exist_ok=True)
    (out / "trade-gas.json").write_text(json.dumps({"unit": "gasUsed per transaction", "stages": data}, indent=2))
    (out / "trade-gas.md").write_text(table(data))
    return data
