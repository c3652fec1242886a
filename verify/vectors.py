"""Test vectors (``spec/vectors.md``): scripted scenarios run on the reference model, written as JSON
cases that any implementation can replay; and the replayer for a market contract.

The format and the :class:`Script` that records a scenario are :mod:`verify.vectors_script`, the replayer
:mod:`verify.vectors_replay`; their names are importable from here too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from reference.quotes import Ciphertext, public_key
from verify.vectors_replay import replay as replay
from verify.vectors_replay import replay_all as replay_all
from verify.vectors_script import FORMAT as FORMAT
from verify.vectors_script import NOBODY as NOBODY
from verify.vectors_script import REFUSING as REFUSING
from verify.vectors_script import ROLES as ROLES
from verify.vectors_script import Derived as Derived
from verify.vectors_script import Script, Seal

REGISTERED = ["s0", "s1", "b0", "b1", "b2"]
KEY = 4242
DEPOSIT = 10**15
GWEI = 10**9


def _setup(name: str, clauses: list[str]) -> Script:
    s = Script(name, clauses)
    for role in REGISTERED:
        s.do("register_user", "operator", role)
    return s


def _auction(s: Script, quotes: list[tuple[str, int | Ciphertext]], start: int = GWEI, key: int = KEY) -> Script:
    """Order 0 by s0 with ``quotes`` as bids, then disclosed."""
    s.do("post_order", "s0", 1000, start, DEPOSIT, public_key(key))
    for nonce, (bidder, quote) in enumerate(quotes, start=1):
        s.do("place_bid", bidder, 0, quote if isinstance(quote, Ciphertext) else Seal(quote, nonce), DEPOSIT)
    s.until(s.market.orders[0].bidding_end)
    return s.do("disclose_key", "s0", 0, key)


def scenarios() -> Iterator[Script]:
    """The scripted scenarios; each names the clauses it exercises."""
    s = _auction(
        _setup(
            "happy_path_second_price",
            [
                "AUC-1",
                "AUC-2",
                "AUC-4",
                "AUC-6",
                "AUC-7",
                "AUC-8",
                "SET-1",
                "SET-2",
                "SET-7",
                "REP-2",
                "REP-6",
                "REP-7",
            ],
        ),
        [("b0", 9 * GWEI), ("b1", 4 * GWEI), ("b2", 6 * GWEI)],
    )
    s.do("open_bids", 0, 3).do("settle", 0).do("pay_price", "b0", 0, 6 * GWEI).do("confirm_delivery", "b0", 0)
    for role in ("b0", "b1", "b2", "s0"):
        s.do("withdraw", role)
    s.do("withdraw", "b0")  # nothing left
    yield s

    s = _auction(_setup("tie_earliest_bid_wins", ["AUC-6", "AUC-7"]), [("b0", 5 * GWEI), ("b1", 5 * GWEI)])
    yield s.do("open_bids", 0, 1).do("open_bids", 0, 1).do("open_bids", 0, 1).do("settle", 0)

    s = _auction(_setup("single_bid_pays_the_start_price", ["AUC-7"]), [("b0", 7 * GWEI)], start=2 * GWEI)
    yield s.do("open_bids", 0, 5).do("settle", 0)

    bad: list[tuple[str, int | Ciphertext]] = [("b0", Ciphertext((1, 3), 5)), ("b1", GWEI), ("b2", 2**128)]
    s = _auction(_setup("invalid_quotes_are_refunded", ["AUC-5", "QUO-4"]), bad, start=2 * GWEI)
    yield s.do("open_bids", 0, 3).do("settle", 0).do("withdraw", "b0")

    s = _setup("seller_never_discloses", ["SET-5", "REP-8", "REP-9"])
    s.do("post_order", "s0", 1000, GWEI, DEPOSIT, public_key(KEY))
    s.do("place_bid", "b0", 0, Seal(3 * GWEI, 1), DEPOSIT)
    s.until(s.market.orders[0].disclosure_end - 1)
    s.do("claim_seller_default", 0)
    s.do("claim_seller_default", 0).do("open_bids", 0, 1).do("withdraw", "b0")
    yield s.do("post_order", "s0", 1000, GWEI, DEPOSIT, public_key(KEY + 1))

    s = _auction(_setup("buyer_default", ["SET-4", "REP-5", "REP-8"]), [("b0", 9 * GWEI), ("b1", 4 * GWEI)])
    s.do("open_bids", 0, 2).do("settle", 0).do("pay_price", "b1", 0, 4 * GWEI)
    s.until(s.market.orders[0].deadline)
    yield s.do("pay_price", "b0", 0, 4 * GWEI).do("claim_buyer_default", 0).do("withdraw", "s0")

    s = _auction(_setup("non_delivery", ["SET-3", "REP-3", "REP-4", "REP-8"]), [("b0", 9 * GWEI)])
    s.do("open_bids", 0, 1).do("settle", 0).do("pay_price", "b0", 0, GWEI)
    yield s.do("report_non_delivery", "b0", 0).do("report_non_delivery", "operator", 0).do("withdraw", "b0")

    s = _auction(_setup("delivery_timeout", ["SET-2"]), [("b0", 9 * GWEI)])
    s.do("open_bids", 0, 1).do("settle", 0).do("pay_price", "b0", 0, GWEI)
    s.do("claim_delivery_timeout", 0)
    s.until(s.market.orders[0].deadline - 1)
    s.do("claim_delivery_timeout", 0)  # one second early
    yield s.do("confirm_delivery", "b1", 0).do("claim_delivery_timeout", 0)

    s = _auction(_setup("second_price_from_an_older_bid", ["AUC-6", "AUC-7"]), [("b0", 4 * GWEI), ("b1", 9 * GWEI)])
    yield s.do("open_bids", 0, 1).do("open_bids", 0, 1).do("settle", 0)

    # Honest sales alternate with non-deliveries so that reputation stays inside the band (a capped value
    # would hide rounding and window errors); the buyer's default comes after four trades of its own.
    s = _setup(
        "repeat_trades_fill_the_windows", ["REP-2", "REP-3", "REP-5", "REP-6", "REP-7", "SET-2", "SET-3", "SET-4"]
    )
    kinds = ["honest", "undelivered", "honest", "undelivered", "honest", "honest", "default"]
    for order_id, (gwei, kind) in enumerate(zip([7, 3, 11, 5, 13, 2, 17], kinds, strict=True)):
        start = gwei * GWEI + order_id * 7919  # amounts that do not divide each other evenly
        s.until(s.user("s0").banned_until)
        s.do("post_order", "s0", 1000, start, DEPOSIT, public_key(KEY + order_id))
        s.do("place_bid", "b0", order_id, Seal(start + order_id, order_id + 1), DEPOSIT)
        s.until(s.market.orders[order_id].bidding_end)
        s.do("disclose_key", "s0", order_id, KEY + order_id).do("open_bids", order_id, 1).do("settle", order_id)
        if kind == "default":
            s.until(s.market.orders[order_id].deadline)
            s.do("claim_buyer_default", order_id)
            continue
        s.do("pay_price", "b0", order_id, start)
        if kind == "honest":
            s.do("confirm_delivery", "b0", order_id)
        else:
            s.do("report_non_delivery", "operator", order_id)
    yield s

    s = _setup("rejections", ["MKT-1", "MKT-2", "MKT-3", "MKT-4", "AUC-1", "AUC-2", "AUC-3", "AUC-4"])
    s.do("register_user", "s0", "stranger").do("register_user", "operator", "b0")
    s.do("post_order", "stranger", 1, GWEI, DEPOSIT, public_key(KEY))
    s.do("post_order", "s0", 0, GWEI, DEPOSIT, public_key(KEY)).do("post_order", "s0", 1, GWEI, DEPOSIT, (1, 3))
    s.do("post_order", "s0", 1, GWEI, DEPOSIT, public_key(KEY))
    sealed = Seal(3 * GWEI, 1)
    s.do("place_bid", "b0", 1, sealed, DEPOSIT).do("place_bid", "s0", 0, sealed, DEPOSIT)
    s.do("place_bid", "b0", 0, sealed, DEPOSIT + 1).do("place_bid", "stranger", 0, sealed, DEPOSIT)
    s.do("disclose_key", "s0", 0, KEY)
    s.until(s.market.orders[0].bidding_end)
    s.do("place_bid", "b1", 0, sealed, DEPOSIT).do("disclose_key", "b0", 0, KEY).do("disclose_key", "s0", 0, KEY + 1)
    yield s.do("settle", 0).do("open_bids", 0, 1).do("withdraw", "b0")

    from verify.attacks.scenarios import scripts  # the attack library's vectors (they build on this module)
    from verify.differential import edges

    yield from (script for _, script in scripts())
    yield from edges.scenarios()


def generate(out: Path, scripts: Iterable | None = None) -> list[Path]:
    """Write every scenario (the auction's, unless ``scripts`` are given) as ``out/<name>.json``."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for script in scenarios() if scripts is None else scripts:
        path = out / f"{script.name}.json"
        path.write_text(json.dumps(script.case(), indent=1))
        paths.append(path)
    return paths
