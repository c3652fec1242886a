"""``fairwatt gas``: the gas of every step of one trade for 5, 10, ..., 60 bidders (Table 3 and Fig. 6).

Every figure is ``gasUsed`` of a transaction on the in-process chain (21,000 base included).
"""

from __future__ import annotations

import json
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

from reference.quotes import encrypt, public_key
from verify.driver import ContractMarket
from verify.toolchain.chain import GAS_LIMIT, Chain, Outcome

BIDDER_COUNTS = tuple(range(5, 61, 5))
DEPOSIT = 10**16
START_PRICE = 10**9
KEY = 0xFA1257A77
TARGETS = {"place_bid": 60_000, "open_per_bidder": 14_500, "per_bidder_end_to_end": 95_000}
"""Targets of the gas experiment; reported, never asserted."""


@dataclass(frozen=True)
class Trade:
    """Gas of each step of one trade with ``bidders`` bidders."""

    bidders: int
    post_order: int
    place_bid: list[int]
    disclose_key: int
    open_bids: int
    settle: int
    pay_price: int
    confirm_delivery: int
    withdraw: list[int]

    @property
    def open_per_bidder(self) -> float:
        return self.open_bids / self.bidders

    @property
    def settlement(self) -> int:
        """What follows opening: settle, the winner's payment and the delivery confirmation."""
        return self.settle + self.pay_price + self.confirm_delivery

    @property
    def publisher(self) -> int:
        """Everything but the bids and withdrawals: the gas the paper's Fig. 6 charges to the publisher."""
        return self.post_order + self.disclose_key + self.open_bids + self.settlement

    @property
    def per_bidder_end_to_end(self) -> float:
        """A bid, its share of key disclosure, opening and settlement, and its withdrawal."""
        shared = (self.disclose_key + self.open_bids + self.settlement) / self.bidders
        return statistics.mean(self.place_bid) + shared + statistics.mean(self.withdraw)


def check_counts(counts) -> tuple[int, ...]:
    """The bidder counts of a measurement, sorted; at least two different ones (the slopes need two points)."""
    distinct = tuple(sorted(set(counts)))
    if len(distinct) < 2 or distinct[0] < 1:
        raise ValueError(f"gas needs at least two different bidder counts of 1 or more, not {list(counts)}")
    return distinct


def _seal(market: ContractMarket, key, order_id: int, bidder: str, quote: int, rng: random.Random):
    return encrypt(key, quote, rng.randrange(1, 2**128), market.bid_context(order_id, bidder))


def _ok(outcome: Outcome, step: str) -> int:
    if not outcome.ok:
        raise RuntimeError(f"{step} reverted: {outcome.error}{outcome.error_args}")
    return outcome.gas_used


def measure(market: ContractMarket, bidders: int, seed: int = 0) -> Trade:
    """Run one complete trade with ``bidders`` bidders (accounts 2..) and return the gas of each step."""
    chain, accounts = market.chain, market.chain.accounts
    seller, bidder_accounts = accounts[1], accounts[2 : 2 + bidders]
    rng = random.Random(seed)
    key = public_key(KEY)
    posted = market.post_order(seller, 1000, START_PRICE, DEPOSIT, key)
    order_id = posted.events[0][1]["orderId"]
    bids = []
    for bidder in bidder_accounts:
        quote = START_PRICE + rng.randrange(10**12)
        bids.append(
            _ok(
                market.place_bid(bidder, order_id, _seal(market, key, order_id, bidder, quote, rng), DEPOSIT),
                "placeBid",
            )
        )
    market.at_time(market.order(order_id)["biddingEnd"])
    disclose = _ok(market.disclose_key(seller, order_id, KEY), "discloseKey")
    opened = _ok(market.open_bids(order_id, bidders), "openBids")
    settled = _ok(market.settle(order_id), "settle")
    order = market.order(order_id)
    winner = order["winner"]
    paid = _ok(market.pay_price(winner, order_id, order["price"]), "payPrice")
    confirmed = _ok(market.confirm_delivery(winner, order_id), "confirmDelivery")
    withdrawals = [_ok(market.withdraw(b), "withdraw") for b in bidder_accounts]
    _ok(market.withdraw(seller), "withdraw")
    assert chain.balance(market.address) == 0, "the market must end empty"
    return Trade(bidders, _ok(posted, "postOrder"), bids, disclose, opened, settled, paid, confirmed, withdrawals)


def run(counts: tuple[int, ...] = BIDDER_COUNTS, backend: str = "eth-tester") -> list[Trade]:
    """One fresh market per bidder count, all users registered up front, on a ``backend`` that runs real
    transactions (eth-tester or a node: pyrevm's message calls are not charged like transactions)."""
    chain = Chain(accounts=max(counts) + 2, backend=backend)
    if not chain.real_gas:
        raise ValueError(f"the {chain.ENGINE} engine does not run real transactions: no gas figures from it")
    market = ContractMarket.deploy(chain)
    for account in chain.accounts[1:]:
        _ok(market.register_user(market.operator, account), "registerUser")
    trades = []
    for n in counts:
        snapshot = market.snapshot()
        trades.append(measure(market, n, seed=n))
        market.revert(snapshot)
    return trades


def _slope(xs: list[int], ys: list[float]) -> float:
    """Least-squares slope: gas per extra bidder."""
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def summary(trades: list[Trade]) -> dict:
    """The figures of gas.json."""
    xs = [t.bidders for t in trades]
    largest = trades[-1]
    all_bids = [g for t in trades for g in t.place_bid]
    return {
        "unit": "gasUsed per transaction, 21,000 base included",
        "place_bid": max(all_bids),
        "place_bid_mean": round(statistics.mean(all_bids)),
        "open_marginal_per_bidder": round(_slope(xs, [t.open_bids for t in trades])),
        "settle_marginal_per_bidder": round(_slope(xs, [t.settlement for t in trades]), 1),
        "withdraw_mean": round(statistics.mean(g for t in trades for g in t.withdraw)),
        "per_bidder_end_to_end": round(largest.per_bidder_end_to_end),
        "per_bidder_end_to_end_bidders": largest.bidders,
        "open_and_settle_60_in_one_block": largest.open_bids + largest.settle <= GAS_LIMIT,
        "block_gas_limit": GAS_LIMIT,
        "targets": TARGETS,
        "by_bidders": {
            str(t.bidders): {
                "post_order": t.post_order,
                "place_bid_mean": round(statistics.mean(t.place_bid)),
                "disclose_key": t.disclose_key,
                "open_bids": t.open_bids,
                "open_per_bidder": round(t.open_per_bidder),
                "settle": t.settle,
                "pay_price": t.pay_price,
                "confirm_delivery": t.confirm_delivery,
                "withdraw_mean": round(statistics.mean(t.withdraw)),
                "publisher": t.publisher,
                "per_bidder_end_to_end": round(t.per_bidder_end_to_end),
            }
            for t in trades
        },
    }


def table(data: dict) -> str:
    """The Table 3 analogue in Markdown."""
    head = (
        "| bidders | post | bid (mean) | disclose | open (per bidder) | settle | pay | confirm | withdraw "
        "| per bidder e2e |"
    )
    lines = [head, "|" + "---|" * 10]
    for n, row in data["by_bidders"].items():
        lines.append(
            f"| {n} | {row['post_order']:,} | {row['place_bid_mean']:,} | {row['disclose_key']:,} | "
            f"{row['open_bids']:,} ({row['open_per_bidder']:,}) | {row['settle']:,} | {row['pay_price']:,} | "
            f"{row['confirm_delivery']:,} | {row['withdraw_mean']:,} | {row['per_bidder_end_to_end']:,} |"
        )
    t = data["targets"]
    lines += [
        "",
        f"- place bid, worst: {data['place_bid']:,} (target ≤ {t['place_bid']:,}; the paper: ≈ 750,000)",
        f"- opening, marginal per bidder: {data['open_marginal_per_bidder']:,} (target ≤ {t['open_per_bidder']:,})",
        f"- settlement (settle + pay + confirm), marginal per bidder: {data['settle_marginal_per_bidder']}",
        f"- per bidder end to end at {data['per_bidder_end_to_end_bidders']} bidders: "
        f"{data['per_bidder_end_to_end']:,} (target ≤ {t['per_bidder_end_to_end']:,})",
        f"- 60 bidders open and settle in one {data['block_gas_limit']:,}-gas block: "
        f"{data['open_and_settle_60_in_one_block']}",
    ]
    return "\n".join(lines) + "\n"


def plot(data: dict, path: Path) -> None:
    """The Fig. 6 analogue: publisher gas and per-bidder gas against the number of bidders."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data["by_bidders"]
    xs = [int(n) for n in rows]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(
        xs,
        [rows[str(n)]["publisher"] for n in xs],
        marker="o",
        label="publisher (post, disclose, open, settle)",
    )
    ax.plot(xs, [rows[str(n)]["per_bidder_end_to_end"] for n in xs], marker="s", label="per bidder, end to end")
    ax.plot(xs, [rows[str(n)]["place_bid_mean"] for n in xs], marker="^", label="one bid")
    ax.set(xlabel="bidders", ylabel="gas", title="fairwatt gas by number of bidders (Fig. 6 analogue)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(out: Path, counts: tuple[int, ...] = BIDDER_COUNTS, backend: str = "eth-tester") -> dict:
    """Measure on ``backend`` and write ``gas.json``, ``gas.md`` and ``gas.png`` into ``out``."""
    data = summary(run(check_counts(counts), backend))
    out.mkdir(parents=True, exist_ok=True)
    (out / "gas.json").write_text(json.dumps(data, indent=2))
    (out / "gas.md").write_text(table(data))
    plot(data, out / "gas.png")
    return data
