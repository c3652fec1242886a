"""Every attack of the library scripted on the model as a test vector (``spec/vectors.md``).

The honest baseline is the issue's: seller ``s0`` posts an order, ``b0`` seals 9 gwei and ``b1`` seals
3 gwei, so ``b0`` wins at 3 gwei. The adversary's steps are marked; an attack's twin run leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator

from reference.quotes import FIELD_MODULUS, public_key
from verify.attacks.library import ATTACKS, Attack
from verify.vectors import DEPOSIT, GWEI, KEY, Derived, Script, Seal, _setup

HIGH, LOW = 9 * GWEI, 3 * GWEI


def _post(s: Script, order_id: int, key: int = KEY, seller: str = "s0") -> None:
    s.do("post_order", seller, 1000, GWEI, DEPOSIT, public_key(key + order_id))


def _close(s: Script, order_id: int, key: int = KEY, seller: str = "s0") -> Script:
    """Disclose, open every bid and settle ``order_id``."""
    s.until(s.market.orders[order_id].bidding_end)
    s.do("disclose_key", seller, order_id, key + order_id)
    s.do("open_bids", order_id, len(s.market.orders[order_id].bids))
    return s.do("settle", order_id)


def _honest(s: Script, order_id: int = 0) -> None:
    s.do("place_bid", "b0", order_id, Seal(HIGH, 11), DEPOSIT)
    s.do("place_bid", "b1", order_id, Seal(LOW, 12), DEPOSIT)


def _adversary(s: Script, *steps: tuple) -> None:
    s.adversary = True
    for step in steps:
        s.do(*step)
    s.adversary = False


def _derived_bids(attack: Attack, attacker: str, mauls: tuple[str, ...]) -> Script:
    s = _setup(f"attack_{attack.id.replace('-', '_')}", list(attack.clauses))
    _post(s, 0)
    _honest(s)
    _adversary(s, *(("place_bid", attacker, 0, Derived(0, 0, how), DEPOSIT) for how in mauls))
    return _close(s, 0)


def scripts() -> Iterator[tuple[Attack, Script]]:
    """Each attack with its scripted run."""
    by_id = {a.id: a for a in ATTACKS}
    yield by_id["copy-ciphertext"], _derived_bids(by_id["copy-ciphertext"], "b2", ("copy",))
    yield by_id["maul-c2"], _derived_bids(by_id["maul-c2"], "b2", ("flip-c2-low", "flip-c2-high"))
    rerandomise = by_id["rerandomise-c1"]
    yield rerandomise, _derived_bids(rerandomise, "b2", ("negate-c1", "shift-c1", "double-c1"))
    yield by_id["seller-sybil-copy"], _derived_bids(by_id["seller-sybil-copy"], "s1", ("copy",))

    attack = by_id["tie-by-copy"]
    s = _setup("attack_tie_by_copy", list(attack.clauses))
    _post(s, 0)
    _honest(s)
    _adversary(s, ("place_bid", "b1", 0, Derived(0, 0, "copy"), DEPOSIT))
    yield attack, _close(s, 0)

    attack = by_id["front-run-ciphertext"]
    s = _setup("attack_front_run_ciphertext", list(attack.clauses))
    _post(s, 0)
    _adversary(s, ("place_bid", "b2", 0, Seal(HIGH, 11, sealed_for="b0"), DEPOSIT))
    _honest(s)
    yield attack, _close(s, 0)

    attack = by_id["cross-order-replay"]
    s = _setup("attack_cross_order_replay", list(attack.clauses))
    _post(s, 0)
    _post(s, 1)
    _honest(s, 0)
    s.do("place_bid", "b1", 1, Seal(LOW, 13), DEPOSIT)
    _adversary(s, ("place_bid", "b2", 1, Derived(0, 0, "copy"), DEPOSIT))
    _close(s, 0)
    yield attack, _close(s, 1)

    attack = by_id["reuse-disclosed-key"]
    s = _setup("attack_reuse_disclosed_key", list(attack.clauses))
    _post(s, 0)
    _honest(s)
    _close(s, 0)
    x, y = public_key(KEY)
    _adversary(
        s,
        ("post_order", "s0", 1000, GWEI, DEPOSIT, (x, y)),
        ("post_order", "s1", 1000, GWEI, DEPOSIT, (x, FIELD_MODULUS - y)),
    )
    yield attack, s

    attack = by_id["winner-defaults"]
    s = _setup("attack_winner_defaults", list(attack.clauses))
    _post(s, 0)
    _honest(s)
    _close(s, 0)
    s.until(s.market.orders[0].deadline)
    _adversary(s, ("claim_buyer_default", 0), ("withdraw", "s0"))
    yield attack, s
