"""Power points' and green certificates' test vectors (``spec/vectors.md``, form ``fairwatt-points-vectors/1``):
scenarios scripted on the reference model — the markets' steps that make the facts, then the claims and the
ledger's moves, hostile ones among them — and their replay on the contracts.

As in the bilateral market's vectors, a signature is carried as a :class:`~verify.trade.signatures.Signed` and a
sealed bid as a :class:`Seal`: the replayer signs and seals in its own deployment's context. Every step's
outcome is compared; events and the points' state after every step too (the markets' own state is the
trade vectors' business).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from reference import certificates as crt
from reference import energy as en
from reference import market as mk
from reference import points as pts
from reference import trade as tr
from reference.quotes import encrypt, public_key
from verify.differential.observe import differences
from verify.points.driver import ADDRESS, ContractPoints
from verify.steps import Recorder, departures
from verify.trade import vectors as tv
from verify.trade.roles import FEE, REFUSING, ROLES, USERS, address, fresh
from verify.trade.signatures import SIGNATURES, Signed, sign, sign_on

FORMAT = "fairwatt-points-vectors/1"
T0 = tv.T0
KWH = tv.KWH
GWEI = 10**9
DEPOSIT = 10**15
KEY = 4242
GENERATED = en.METER_SET_VALUE
"""What u0's meter generated at set-up (ENG-6): the Wh its certificates may cover (CRT-4)."""


@dataclass(frozen=True)
class Seal:
    """An honest sealed bid: ``quote`` under ``nonce`` to the public key of private key ``key``, in the
    bidder's context (QUO-5) of whichever deployment seals it."""

    key: int
    quote: int
    nonce: int


AUCTION_ACTIONS: dict[str, tuple[Any, tuple[str, ...], bool]] = {
    "post_order": (mk, ("seller", "quantity", "start_price", "deposit", "public_key"), True),
    "place_bid": (mk, ("bidder", "order_id", "ciphertext", "value"), True),
    "disclose_key": (mk, ("caller", "order_id", "private_key"), True),
    "open_bids": (mk, ("order_id", "count"), True),
    "settle": (mk, ("order_id",), True),
    "pay_price": (mk, ("caller", "order_id", "value"), True),
    "confirm_delivery": (mk, ("caller", "order_id"), True),
}
POINTS_ACTIONS: dict[str, tuple[Any, tuple[str, ...], bool]] = {
    "claim_registration_grant": (pts, ("caller",), False),
    "claim_certificate": (pts, ("market", "trade_id"), False),
    "claim_verification_grant": (pts, ("caller", "trade_id"), False),
    "transfer_points": (pts, ("caller", "target", "amount"), False),
    "spend_points": (pts, ("caller", "amount"), False),
    "offer_points": (pts, ("caller", "amount", "price"), False),
    "buy_points": (pts, ("caller", "offer_id", "value"), False),
    "cancel_offer": (pts, ("caller", "offer_id"), False),
    "withdraw_proceeds": (pts, ("caller",), False),
}
ACTIONS = {**tv.ACTIONS, **AUCTION_ACTIONS, **POINTS_ACTIONS}
"""action -> (module, arguments, takes ``now``)."""
ACCOUNT_ARGS = tv.ACCOUNT_ARGS | {"bidder"}


def fresh_green(market_address: str = mk.MARKET_ADDRESS, chain_id: int = mk.CHAIN_ID) -> pts.Green:
    """Empty markets deployed by ``genesis`` and the points contract reading them."""
    return pts.Green(markets=fresh(market_address, chain_id), grants=pts.load_grants())


def apply(g: pts.Green, action: str, args: list, now: int) -> tuple[pts.Green, list]:
    """One transition: a market's (through the trade vectors' dispatch) or the points contract's."""
    module, _, takes_now = ACTIONS[action]
    call = [*args, now] if takes_now else args
    if module is pts:
        return getattr(pts, action)(g, *call)
    if action in AUCTION_ACTIONS:
        registry, events = getattr(mk, action)(g.markets.registry, *call)
        return replace(g, markets=replace(g.markets, registry=registry)), events
    markets, events = tv.apply(g.markets, action, args, now)
    return replace(g, markets=markets), events


def model_state(g: pts.Green, roles: tuple[str, ...] = ROLES) -> dict:
    """The points contract's observable state in the model, the shape :meth:`ContractPoints.state` reads."""
    accounts = {
        role: {
            "points": g.balances.get(ADDRESS[role], 0),
            "pending": g.pending.get(ADDRESS[role], 0),
            "registration_claimed": ADDRESS[role] in g.registered,
            "generated": en.generated_of(g.markets.energy, ADDRESS[role]),
            "certified_by": crt.certified_by(g.certificates, ADDRESS[role]),
        }
        for role in roles
    }
    return {
        "wei": g.balance,
        "granted": g.granted,
        "burned": g.burned,
        "supply": pts.supply(g),
        "certified_wh": sum(c.quantity for c in g.certificates),
        "accounts": accounts,
        "offers": [[o.maker, o.open, o.amount, o.price] for o in g.offers],
        "certificates": [[c.market, c.trade_id, c.source, c.buyer, c.quantity, c.first_serial] for c in g.certificates],
    }


def _json(value: Any) -> Any:
    """JSON-ready, addresses as role names, seals as ``{seal: {...}}``."""
    if isinstance(value, Seal):
        return {"seal": {"key": value.key, "quote": value.quote, "nonce": value.nonce}}
    if isinstance(value, dict):
        return {str(tv._json(k)): _json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return tv._json(value)


@dataclass
class Script(Recorder):
    """Builds a scenario on the model, one action at a time, recording what it must do."""

    name: str
    clauses: list[str]
    g: pts.Green = field(default_factory=fresh_green)
    now: int = T0
    steps: list[dict] = field(default_factory=list)
    roles: tuple[str, ...] = ROLES
    """The accounts ``post`` lists: :data:`ROLES`, and :data:`REFUSING` in a case where it acts."""

    def do(self, action: str, *args: Any) -> Script:
        named = dict(zip(ACTIONS[action][1], args, strict=True))
        model_args = []
        for name, value in named.items():
            if name in ACCOUNT_ARGS:
                value = address(value)
            elif name in SIGNATURES:
                value = sign(self.g.markets, named["trade_id"], value)
            elif isinstance(value, Seal):
                context = mk.context(self.g.markets.registry, named["order_id"], address(named["bidder"]))
                value = encrypt(public_key(value.key), value.quote, value.nonce, context)
            model_args.append(value)
        if action == "withdraw_proceeds" and named["caller"] == REFUSING:
            model_args.append(False)  # the receiver reverts (PTS-6)
        run = partial(apply, self.g, action, model_args, self.now)
        self.g = self.record(action, _json(named), run, self.g, _json, lambda g: _json(model_state(g, self.roles)))
        return self

    def case(self) -> dict:
        return {
            "format": FORMAT,
            "name": self.name,
            "clauses": self.clauses,
            "roles": list(self.roles),
            "steps": self.steps,
        }


def setup(name: str, clauses: list[str], roles: tuple[str, ...] = ROLES) -> Script:
    """Users registered with energy accounts under the grid, u0's PV meter at ``GENERATED`` Wh; three certifiers."""
    s = Script(name, clauses, roles=roles)
    s.do("create_account", "genesis", "grid", int(en.Kind.GRID)).do("issue_energy", "grid", 10**6 * KWH)
    for user in USERS:
        s.do("register_user", "genesis", user).do("create_account", "grid", user, int(en.Kind.USER))
    s.do("report_generation", "grid", "u0", 0, GENERATED)
    for certifier in ("c0", "c1", "c2"):
        s.do("add_certifier", "genesis", certifier)
    return s


def grid_energy(s: Script, user: str, amount: int) -> None:
    """The grid moves ``amount`` Wh of its issued assets to ``user``: energy, but nobody's generation."""
    s.do("transfer_energy", "grid", user, amount, s.g.markets.energy.accounts[address("grid")].nonce)


def bilateral_trade(s: Script, volume: int, delivered: int, seller: str = "u0", buyer: str = "u1") -> int:
    """``seller`` sells ``volume`` Wh it holds to ``buyer``, ``delivered`` of them metered; executed, not yet
    certified. Its id."""
    delivery = (s.now // tr.PERIOD + 2) * tr.PERIOD
    s.do("declare_ask", seller, volume, tv.PRICE, delivery).do("declare_bid", buyer, volume, tv.PRICE, delivery)
    trade_id = len(s.g.markets.trades)
    s.do("match_offers", len(s.g.markets.offers) - 2, len(s.g.markets.offers) - 1)
    s.do("authenticate_match", buyer, trade_id, Signed(seller), Signed(buyer), volume * tv.PRICE + FEE)
    s.now = delivery
    s.do("record_execution", "grid", trade_id, delivered)
    s.do("anchor_evidence", "grid", "grid", trade_id, delivered)  # FPR-7: the grid's evidence, for the passes
    return trade_id


def certified_trade(s: Script, volume: int, delivered: int, seller: str = "u0", buyer: str = "u1") -> int:
    """:func:`bilateral_trade`, passed by c0 and c1, cleared and settled. Its id."""
    trade_id = bilateral_trade(s, volume, delivered, seller, buyer)
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    settle_bilateral(s, trade_id)
    return trade_id


def settle_bilateral(s: Script, trade_id: int) -> None:
    s.now = (s.g.markets.trades[trade_id].delivery_time // tr.PERIOD + 1) * tr.PERIOD
    s.do("clear_trade", trade_id).do("settle_trade", trade_id)


def auction_sale(s: Script, quantity: int = KWH, seller: str = "u0", winner: str = "u1", other: str = "u2") -> int:
    """``seller`` sells ``quantity`` Wh it holds by auction; ``winner`` wins at ``other``'s quote; paid, not yet
    delivered. Its order id."""
    order_id, key = len(s.g.markets.registry.orders), KEY + len(s.g.markets.registry.orders)
    s.do("post_order", seller, quantity, GWEI, DEPOSIT, public_key(key))
    s.do("place_bid", winner, order_id, Seal(key, 3 * GWEI, 1), DEPOSIT)
    s.do("place_bid", other, order_id, Seal(key, 2 * GWEI, 2), DEPOSIT)
    s.now = s.g.markets.registry.orders[order_id].bidding_end
    s.do("disclose_key", seller, order_id, key).do("open_bids", order_id, 2).do("settle", order_id)
    s.do("pay_price", winner, order_id, s.g.markets.registry.orders[order_id].price)
    return order_id


def scenarios() -> list[Script]:
    out = []
    s = setup("points_ledger", ["PTS-1", "PTS-4", "PTS-5", "PTS-6", "PTS-7"])
    s.do("claim_registration_grant", "u0").do("claim_registration_grant", "u1")
    s.do("claim_registration_grant", "u0").do("claim_registration_grant", "stranger")  # twice; not a user
    s.do("transfer_points", "u0", "u1", 30).do("transfer_points", "u0", "u1", 71)  # beyond the balance
    s.do("transfer_points", "u0", "stranger", 1).do("transfer_points", "u0", "u2", 0)
    s.do("spend_points", "u1", 100).do("spend_points", "u1", 31).do("spend_points", "u1", 30)  # spent once
    s.do("offer_points", "u0", 20, 10**12).do("offer_points", "u0", 51, 1).do("offer_points", "u0", 1, 0)
    s.do("buy_points", "u2", 0, 20 * 10**12 - 1).do("buy_points", "stranger", 0, 20 * 10**12)
    s.do("buy_points", "u2", 0, 20 * 10**12).do("buy_points", "u1", 0, 20 * 10**12).do("cancel_offer", "u0", 0)
    s.do("offer_points", "u0", 10, 1).do("cancel_offer", "u1", 1).do("cancel_offer", "u0", 1)
    s.do("buy_points", "u2", 1, 10).do("buy_points", "u2", 7, 10)
    s.do("withdraw_proceeds", "u0").do("withdraw_proceeds", "u0").do("spend_points", "u2", 20)
    out.append(s)

    s = setup("certificate_bilateral", ["CRT-1", "CRT-2", "PTS-2", "PTS-3", "PTS-7"])
    trade_id = bilateral_trade(s, 10 * KWH + 500, 10 * KWH + 500)
    s.do("claim_certificate", 1, trade_id)  # executed, not settled
    s.do("claim_verification_grant", "c0", trade_id)  # no vote yet
    s.do("certify_execution", "c0", trade_id, True).do("certify_execution", "c1", trade_id, True)
    s.do("claim_verification_grant", "c0", trade_id).do("claim_verification_grant", "c0", trade_id)
    s.do("claim_verification_grant", "c2", trade_id).do("claim_verification_grant", "c1", 9)
    settle_bilateral(s, trade_id)
    s.do("claim_certificate", 1, trade_id).do("claim_certificate", 1, trade_id)  # the second: twice
    s.do("claim_certificate", 1, trade_id + 1).do("claim_certificate", 2, trade_id)
    empty = bilateral_trade(s, 2 * KWH, 0)
    s.do("certify_execution", "c0", empty, True).do("certify_execution", "c2", empty, True)
    settle_bilateral(s, empty)
    s.do("claim_certificate", 1, empty).do("claim_verification_grant", "c2", empty)
    out.append(s)

    s = setup("certificate_auction", ["CRT-1", "CRT-2", "CRT-3", "PTS-2"])
    order_id = auction_sale(s)
    s.do("claim_certificate", 0, order_id).do("claim_certificate", 0, order_id + 1)  # paid only; no such order
    s.do("confirm_delivery", "u1", order_id)
    s.do("claim_certificate", 0, order_id)  # completed, its energy never settled (ENG-9)
    s.do("settle_auction_energy", order_id)
    s.do("claim_certificate", 0, order_id).do("claim_certificate", 0, order_id)
    trade_id = bilateral_trade(s, 3 * KWH, 3 * KWH)
    s.do("certify_execution", "c1", trade_id, True).do("certify_execution", "c2", trade_id, True)
    settle_bilateral(s, trade_id)
    s.do("claim_certificate", 1, trade_id).do("claim_certificate", 1, order_id)  # trade 0 of the other market
    out.append(s)

    s = setup("certificate_wash_trade", ["CRT-4", "CRT-1", "CRT-3", "PTS-2"])  # ERR-41
    there = certified_trade(s, 60 * KWH, 60 * KWH)  # u0 sells 60 kWh of its PV to u1
    back = certified_trade(s, 60 * KWH, 60 * KWH, "u1", "u0")  # and u1 sells the same Wh back
    s.do("claim_certificate", 1, back)  # NotGenerated: u1 generated nothing, whichever claim comes first
    s.do("claim_certificate", 1, there).do("claim_certificate", 1, back)
    grid_energy(s, "u2", KWH)  # grid-issued assets, nobody's generation, resold by auction
    order_id = auction_sale(s, KWH, "u2", "u1", "u0")
    s.do("confirm_delivery", "u1", order_id).do("settle_auction_energy", order_id).do("claim_certificate", 0, order_id)
    exact = certified_trade(s, 40 * KWH, 40 * KWH)  # u0 resells what came back
    s.do("claim_certificate", 1, exact)  # exactly the 40 kWh left of its PV
    again = certified_trade(s, 50 * KWH, 41 * KWH)  # and more: 41 kWh delivered, a short delivery
    s.do("claim_certificate", 1, again)  # NotGenerated: nothing of u0's PV is left uncertified
    s.do("report_generation", "grid", "u0", 1, GENERATED)  # 100 kWh more PV: claims are not time-matched
    s.do("claim_certificate", 1, again)  # the delivered 41 kWh, not the volume
    out.append(s)

    s = setup("energy_uint128_bound", ["ENG-2", "ENG-3", "ENG-6", "CRT-4"])  # a 128-bit slot never wraps
    s.do("issue_energy", "grid", en.UINT128_MAX - 10**6 * KWH).do("issue_energy", "grid", 1)  # at the bound; past
    grid_energy(s, "u1", en.UINT128_MAX)  # u1 at the bound, the grid empty
    s.do("issue_energy", "grid", 1).do("transfer_energy", "grid", "u1", 1, 1)  # the target's balance: past
    s.do("report_generation", "grid", "u0", 1, en.UINT128_MAX)  # balance and generation past the bound
    fits = (en.UINT128_MAX - GENERATED) // GENERATED * GENERATED  # the most whole set values that fit
    s.do("report_generation", "grid", "u0", 1, fits).do("report_generation", "grid", "u0", 2, GENERATED)
    s.do("report_consumption", "grid", "u0", 2, 1).do("report_generation", "grid", "u0", 3, GENERATED - 1)
    s.do("report_generation", "grid", "u0", 4, 1)  # the meter reaches N: the balance would pass the bound
    certified_trade(s, KWH, KWH, "u0", "u2")
    s.do("claim_certificate", 1, 0)  # CRT-4's available Wh, generatedOf − certifiedBy, near the bound
    out.append(s)
    return out


def generate(out: Path) -> list[Path]:
    """Write every scenario as ``out/<name>.json``."""
    from verify import vectors

    return vectors.generate(out, scenarios())


# -- replaying ---------------------------------------------------------------------------------------------


def contract_invariants(state: dict) -> list[str]:
    """PTS-7, CRT-2, CRT-4, PTS-6 read from a contract's observable state alone: what is violated."""
    problems = []
    held = sum(a["points"] for a in state["accounts"].values())
    escrow = sum(o[2] for o in state["offers"] if o[1])
    if not held + escrow == state["supply"] == state["granted"] - state["burned"]:
        problems.append(f"double spend: balances {held} + offers {escrow} != supply {state['supply']}")
    keys = [(c[0], c[1]) for c in state["certificates"]]
    spans = sorted((c[5], c[5] + c[4]) for c in state["certificates"])
    if len(set(keys)) != len(keys) or any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
        problems.append(f"certificate issued twice: {state['certificates']}")
    if state["certified_wh"] != sum(c[4] for c in state["certificates"]):
        problems.append("certified Wh differ from the certificates' sum")
    accounts = state["accounts"].values()
    if any(a["certified_by"] > a["generated"] for a in accounts):
        problems.append(f"certified beyond generation: {[(a['certified_by'], a['generated']) for a in accounts]}")
    if sum(a["certified_by"] for a in accounts) != state["certified_wh"]:
        problems.append("certified Wh by source differ from the certified Wh")
    if state["wei"] != sum(a["pending"] for a in accounts):
        problems.append("proceeds not solvent")
    return problems


def replay(case: dict, contract: ContractPoints, compare: bool = True) -> list[str]:
    """Replay ``case`` on a fresh deployment: every difference from the expected outcomes and states (unless
    ``compare`` is false), and every violation of :func:`contract_invariants` after a step."""
    problems, roles = [], tuple(case["roles"])
    if REFUSING in roles:
        contract.install_refusing()
    for number, step in enumerate(case["steps"]):
        contract.at_time(step["time"])
        arguments = [_decode(name, step["args"], contract) for name in ACTIONS[step["action"]][1]]
        outcome = getattr(contract, step["action"])(*arguments)
        where, state = f"step {number} {step['action']}", _json(contract.state(roles))
        problems += [f"{where}: {p}" for p in contract_invariants(state)]
        if not compare:
            continue
        problems += departures(where, outcome, step["expect"], _json, events=step["action"] in POINTS_ACTIONS)
        problems += [f"{where}: {d}" for d in differences(step["post"], state)]
    return problems


def _decode(name: str, args: dict, contract) -> Any:
    value = args[name]
    if name in ACCOUNT_ARGS:
        return address(value)
    if name in SIGNATURES:
        return sign_on(contract.markets, args["trade_id"], Signed.from_json(value))
    if name == "public_key":
        return tuple(value)
    if name == "ciphertext":
        seal = value["seal"]
        context = contract.markets.auction.bid_context(args["order_id"], address(args["bidder"]))
        return encrypt(public_key(seal["key"]), seal["quote"], seal["nonce"], context)
    return value


def replay_all(
    cases: list[dict], artifacts: dict, backend: str | None = None, compare: bool = True
) -> dict[str, list[str]]:
    """Each case on its own fresh deployment: case name -> problems (see :func:`replay`)."""
    return {case["name"]: replay(case, ContractPoints.deploy(artifacts, backend), compare) for case in cases}
