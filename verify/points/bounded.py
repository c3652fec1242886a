"""A bounded proof on the reference model: every state the points contract can reach in up to ``depth`` actions
from a fixed alphabet — claims (hostile ones included: twice, unsettled, unknown, no vote, no registration),
transfers, spends, offers, purchases, cancellations, withdrawals — is explored breadth first (states seen
before are not expanded again), and no double spend (PTS-7), certificate uniqueness (CRT-2), certified energy
within generation (CRT-4) and solvency (PTS-6) are checked in each. Within the bound this is exhaustive: a
pass is a proof for every sequence of up to ``depth`` of these actions, not a sample.

The markets' facts are fixed before the search (one completed auction order, one settled bilateral trade
with two recorded votes, one executed but unsettled trade, one wash trade back; together more than the
seller generated, so the order of the claims matters): the points contract only reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from reference import certificates as crt
from reference import errors
from reference import points as pts
from verify.points import vectors as pv
from verify.trade.roles import address

GRANTS = pts.Grants(registration=2, trade_per_kwh=1, verification=1)
"""Small grants keep the state space small; the rules do not depend on the amounts."""
Transition = Callable[..., tuple[pts.Green, list]]
HOLDERS = ("u0", "u1", "stranger")


def facts() -> pts.Green:
    """The markets after (u0 generated 100 kWh, the grid gave it 50 kWh more): auction order 0 completed and
    its energy settled (u0 → u1, 1 kWh), bilateral trade 0 settled (u0 → u1, 99.5 kWh, c0 and c1 voted),
    trade 1 executed (not settled), trade 2 settled (u1 → u0, 1 kWh: the wash trade back)."""
    s = pv.setup("bounded", [])
    pv.grid_energy(s, "u0", 50 * pv.KWH)
    s.do("confirm_delivery", "u1", pv.auction_sale(s)).do("settle_auction_energy", 0)
    pv.certified_trade(s, 99 * pv.KWH + 500, 99 * pv.KWH + 500)
    pv.bilateral_trade(s, pv.KWH, pv.KWH)
    pv.certified_trade(s, pv.KWH, pv.KWH, "u1", "u0")
    assert all(step["expect"]["ok"] for step in s.steps), "the facts must all hold"
    return replace(s.g, grants=GRANTS)


def alphabet() -> list[tuple[str, tuple]]:
    """Every action the search tries in every state: (transition name, arguments)."""
    a = {role: address(role) for role in (*HOLDERS, "c0", "c2")}
    out: list[tuple[str, tuple]] = [("claim_registration_grant", (a[r],)) for r in HOLDERS]
    out += [("claim_certificate", (m, t)) for m in (0, 1, 2) for t in (0, 1, 2)]
    out += [("claim_verification_grant", (a[c], 0)) for c in ("c0", "c2")]
    for source in HOLDERS:
        out += [("transfer_points", (a[source], a[target], 2)) for target in HOLDERS if target != source]
        out += [("spend_points", (a[source], amount)) for amount in (1, 2)]
    out += [("offer_points", (a[r], 1, 1)) for r in ("u0", "u1")]
    out += [("buy_points", (a[r], offer, 1)) for r in ("u0", "u1") for offer in (0, 1)]
    out += [("cancel_offer", (a[r], offer)) for r in ("u0", "u1") for offer in (0, 1)]
    out += [("withdraw_proceeds", (a[r],)) for r in ("u0", "u1")]
    return out


def key(g: pts.Green) -> tuple:
    """What identifies a state of the points contract (the markets do not change during the search)."""
    return (
        tuple(sorted((k, v) for k, v in g.balances.items() if v)),
        g.granted, g.burned, g.offers, g.certificates, g.certified, g.registered, g.verified,
        tuple(sorted(g.pending.items())), g.balance,
    )  # fmt: skip


def violations(g: pts.Green) -> list[str]:
    checks = {
        "double spend": pts.points_conserved(g),
        "certificate issued twice": crt.certificates_unique(g.certificates, g.certified),
        "certified beyond generation": crt.certified_within_generation(g.certificates, g.markets.energy),
        "proceeds not solvent": pts.is_solvent(g),
    }
    return [name for name, ok in checks.items() if not ok]


@dataclass(frozen=True)
class Result:
    states: int
    """Distinct states explored."""
    depth: int
    counterexample: tuple[tuple[str, tuple], ...] | None = None
    """The shortest action sequence that reaches a violation, when there is one."""
    violated: tuple[str, ...] = ()


def explore(depth: int, transitions: dict[str, Transition] | None = None, limit: int = 200_000) -> Result:
    """Breadth-first over every sequence of up to ``depth`` actions (``transitions`` replaces some of
    :mod:`reference.points`' functions: a mutant). Stops at the first violation; ``limit`` bounds the states."""
    table = {name: getattr(pts, name) for name, _ in alphabet()} | (transitions or {})
    start = facts()
    seen = {key(start)}
    frontier: list[tuple[pts.Green, tuple]] = [(start, ())]
    for _ in range(depth):
        following = []
        for g, trace in frontier:
            for name, args in alphabet():
                try:
                    after, _events = table[name](g, *args)
                except errors.FairwattError:
                    continue
                path = (*trace, (name, args))
                bad = violations(after)
                if bad:
                    return Result(len(seen), len(path), path, tuple(bad))
                if key(after) not in seen:
                    seen.add(key(after))
                    following.append((after, path))
                    if len(seen) > limit:
                        raise RuntimeError(f"more than {limit} states: lower the depth")
        frontier = following
    return Result(len(seen), depth)
