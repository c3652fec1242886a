"""The bilateral market's test vectors (``spec/vectors.md``, form ``fairwatt-trade-vectors/1``): scenarios
scripted on the reference model, and their replay on the contracts.

A signature is carried as how to make it, a :class:`~verify.trade.signatures.Signed`: the replayer signs in
its own deployment's domain (TRD-3).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from reference import energy as en
from reference import fingerprints as fp
from reference import market as mk
from reference import trade as tr
from verify.differential.observe import differences
from verify.steps import Recorder, departures
from verify.trade.roles import FEE, NAMES, REFUSING, ROLES, TARIFF, account, address, fresh
from verify.trade.signatures import FORMS as FORMS  # re-exported: the edge vectors take it from here
from verify.trade.signatures import SIGNATURES, Signed, sign, sign_on

FORMAT = "fairwatt-trade-vectors/1"
T0 = 2_000_000_000
KWH = 1000
PRICE = 67 * 10**13
"""The paper's 0.67 per kWh, in wei per Wh."""


# action -> (module, arguments, takes ``now``)
ACTIONS: dict[str, tuple[Any, tuple[str, ...], bool]] = {
    "register_user": (mk, ("caller", "account"), False),
    "create_account": (en, ("caller", "account", "kind"), False),
    "issue_energy": (en, ("caller", "amount"), False),
    "transfer_energy": (en, ("caller", "target", "amount", "nonce"), False),
    "purchase_energy": (en, ("caller", "grid", "amount", "nonce", "value"), False),
    "report_generation": (en, ("caller", "account", "nonce", "amount"), False),
    "report_consumption": (en, ("caller", "account", "nonce", "amount"), False),
    "withdraw": (en, ("caller",), False),
    "declare_ask": (tr, ("seller", "volume", "price", "delivery_time"), True),
    "declare_bid": (tr, ("buyer", "volume", "price", "delivery_time"), True),
    "get_offer": (tr, ("offer_id",), False),
    "match_offers": (tr, ("ask_id", "bid_id"), True),
    "authenticate_match": (tr, ("caller", "trade_id", "seller_signature", "buyer_signature", "value"), True),
    "record_execution": (tr, ("caller", "trade_id", "delivered"), True),
    "add_certifier": (tr, ("caller", "account"), False),
    "certify_execution": (tr, ("caller", "trade_id", "approve"), True),
    "clear_trade": (tr, ("trade_id",), True),
    "settle_trade": (tr, ("trade_id",), True),
    "settle_auction_energy": (tr, ("order_id",), False),
    "record_bilateral_trade": (tr, ("caller", "seller", "buyer", "amount", "delivered"), True),
    "link_bilateral": (tr, ("caller", "bilateral"), False),
    "register_participant": (fp, ("caller", "account", "role"), False),
    "set_delegate": (fp, ("caller", "delegate", "allowed"), False),
    "anchor_record": (fp, ("caller", "provider", "kind", "record_time", "payload_hash"), True),
    "anchor_evidence": (tr, ("caller", "provider", "trade_id", "delivered"), True),
}
READS = {"get_offer"}
"""Views sent as transactions (``getOffer``, TRD-1): nothing changes and nothing is emitted, or they revert."""
ACCOUNT_ARGS = {"caller", "account", "target", "grid", "seller", "buyer", "provider", "delegate", "bilateral"}


def apply(tm: tr.TradeMarket, action: str, args: list, now: int) -> tuple[tr.TradeMarket, list]:
    """One transition on the whole model: the registry, the energy accounts or the trade market."""
    module, _, takes_now = ACTIONS[action]
    function = getattr(module, action)
    call = [*args, now] if takes_now else args
    if action in READS:
        function(tm, *call)
        return tm, []
    if module is mk:
        registry, events = function(tm.registry, *call)
        return replace(tm, registry=registry), events
    if module is en:
        energy, events = function(tm.energy, *call)
        return replace(tm, energy=energy), events
    if module is fp:
        fingerprints, events = function(tm.fingerprints, *call)
        return replace(tm, fingerprints=fingerprints), events
    return function(tm, *call)


def model_state(tm: tr.TradeMarket, roles: tuple[str, ...] = ROLES) -> dict:
    """The observable state of the model, the shape :meth:`ContractTrade.state` reads from a chain."""
    e = tm.energy
    accounts = {}
    for role in roles:
        a = e.accounts.get(address(role))
        row: dict[str, Any] = {"kind": 0, "parent": None, "balance": 0, "nonce": 0, "meter": 0, "meter_nonce": 0}
        if a is not None:
            row.update(kind=int(a.kind), parent=a.parent, balance=a.balance, nonce=a.nonce)
            row.update(meter=a.meter, meter_nonce=a.meter_nonce)
        row.update(pending=e.pending.get(address(role), 0), supplied=en.is_supplied(e, address(role)))
        accounts[role] = row
    trades = [
        (t.seller, t.buyer, t.volume, t.price, t.delivery_time, int(t.status), t.delivered, t.certifiers)
        + (t.passes, t.opposes)
        for t in tm.trades
    ]
    periods = {}
    for t in tm.trades:
        p = tm.periods.get(tr.period_of(t.delivery_time), tr.Period())
        periods[tr.period_of(t.delivery_time)] = (p.trades, p.energy, p.money)
    return {
        "balance": e.balance,
        "issued": e.issued,
        "consumed": e.consumed,
        "locked": e.locked,
        "accounts": accounts,
        "offers": [(o.trader, o.delivery_time, int(o.side), o.taken, o.volume, o.price) for o in tm.offers],
        "trades": trades,
        "certifiers": list(tm.certifiers),
        "periods": periods,
        "evidence": [
            fp.record_of(tm.fingerprints, tm.grid, tr.evidence_hash(tm.address, i, t.delivered))
            for i, t in enumerate(tm.trades)
        ],
        "records": len(tm.fingerprints.records),
        "bilateral": tm.bilateral,
    }


def _json(value: Any) -> Any:
    """JSON-ready, addresses as role names."""
    if isinstance(value, Signed):
        return value.json()
    if isinstance(value, dict):
        return {str(_json(k)): _json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, str):
        return NAMES.get(value, value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


@dataclass
class Script(Recorder):
    """Builds a scenario on the model, one action at a time, recording what it must do."""

    name: str
    clauses: list[str]
    linked: bool = True
    """Whether the auction links the bilateral market at deployment (TRD-10)."""
    tm: tr.TradeMarket = field(default_factory=fresh)
    now: int = T0
    steps: list[dict] = field(default_factory=list)
    roles: tuple[str, ...] = ROLES
    """The accounts ``post`` lists: :data:`ROLES`, and :data:`REFUSING` in a case where it acts."""

    def __post_init__(self):
        if not self.linked:
            self.tm = fresh(linked=False)

    def do(self, action: str, *args: Any) -> Script:
        names = ACTIONS[action][1]
        named = dict(zip(names, args, strict=True))
        model_args = []
        for name, value in named.items():
            if name in ACCOUNT_ARGS:
                value = account(value)
            elif name in SIGNATURES:
                value = sign(self.tm, named["trade_id"], value)
            model_args.append(value)
        if action == "withdraw" and named["caller"] == REFUSING:
            model_args.append(False)  # the receiver reverts (TRD-8)
        run = partial(apply, self.tm, action, model_args, self.now)
        self.tm = self.record(action, _json(named), run, self.tm, _json, lambda tm: _json(model_state(tm, self.roles)))
        return self

    def case(self) -> dict:
        case = {"format": FORMAT, "name": self.name, "clauses": self.clauses, "roles": list(self.roles)}
        return case | ({} if self.linked else {"linked": False}) | {"steps": self.steps}


def setup(
    name: str, clauses: list[str], grid_wh: int = 10_000_000 * KWH, linked: bool = True, roles: tuple[str, ...] = ROLES
) -> Script:
    """Users registered in the auction with accounts under the grid, which issued ``grid_wh``; certifiers."""
    s = Script(name, clauses, linked, roles=roles)
    s.do("create_account", "genesis", "grid", int(en.Kind.GRID)).do("issue_energy", "grid", grid_wh)
    for user in ("u0", "u1", "u2"):
        s.do("register_user", "genesis", user).do("create_account", "grid", user, int(en.Kind.USER))
    for certifier in ("c0", "c1", "c2"):
        s.do("add_certifier", "genesis", certifier)
    return s


def trade_to_execution(
    s: Script, volume: int = 10 * KWH, delivered: int = 10 * KWH, recorder: str = "grid"
) -> tuple[Script, int]:
    """u0 sells ``volume`` to u1 at the paper's price; matched, signed, executed (recorded by ``recorder``);
    returns the delivery time."""
    delivery = (s.now // tr.PERIOD + 2) * tr.PERIOD
    s.do("transfer_energy", "grid", "u0", volume, s.tm.energy.accounts[address("grid")].nonce)
    s.do("declare_ask", "u0", volume, PRICE, delivery).do("declare_bid", "u1", volume, PRICE, delivery)
    trade_id = len(s.tm.trades)
    s.do("match_offers", len(s.tm.offers) - 2, len(s.tm.offers) - 1)
    s.do("authenticate_match", "u1", trade_id, Signed("u0"), Signed("u1"), volume * PRICE + FEE)
    s.now = delivery
    s.do("record_execution", recorder, trade_id, delivered)
    return s, delivery


def scenarios() -> list[Script]:
    out = []
    s, delivery = trade_to_execution(
        setup("trade_paper_case", ["TRD-1", "TRD-2", "TRD-3", "TRD-4", "TRD-5", "TRD-6", "TRD-7", "TRD-8"])
    )
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)  # FPR-7: the grid fingerprints the execution record
    s.do("certify_execution", "c0", 0, True).do("certify_execution", "c1", 0, True)
    s.do("clear_trade", 0)  # the period is not over
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", 0).do("settle_trade", 0).do("settle_trade", 0)
    s.do("withdraw", "u0").do("withdraw", "fee").do("withdraw", "u1")
    out.append(s)

    s = setup("energy_paper_experiment", ["ENG-1", "ENG-2", "ENG-5", "ENG-6", "ENG-8"])
    s.do("report_generation", "grid", "u0", 0, 99 * KWH)
    s.do("purchase_energy", "u1", "grid", 1000 * KWH, 0, 1000 * KWH * TARIFF)
    s.do("report_generation", "grid", "u0", 1, 1 * KWH).do("withdraw", "grid")
    out.append(s)

    s, delivery = trade_to_execution(setup("trade_rejected_and_hostile", ["TRD-3", "TRD-5", "TRD-9"]), delivered=0)
    s.do("certify_execution", "c2", 0, False).do("certify_execution", "c2", 0, False)  # voting twice
    s.do("certify_execution", "u0", 0, True).do("certify_execution", "c0", 0, False)
    s.do("certify_execution", "c1", 0, True).do("withdraw", "u1")
    s.do("transfer_energy", "grid", "u2", 5 * KWH, s.tm.energy.accounts[address("grid")].nonce)
    d2 = delivery + 3 * tr.PERIOD
    s.do("declare_ask", "u2", 5 * KWH, PRICE + 1, d2).do("declare_bid", "u1", 5 * KWH, PRICE, d2)
    s.do("match_offers", 2, 3).do("declare_bid", "u0", 4 * KWH, PRICE + 2, d2).do("match_offers", 2, 4)
    due = 4 * KWH * (PRICE + 1) + FEE
    for forged in (
        Signed("u0", changes=(("price", PRICE),)),  # terms other than those matched
        Signed("u0", trade_id=0),  # another trade's signature
        Signed("u0", chain_id=5),  # another chain
        Signed("u1"),  # someone else
    ):
        s.do("authenticate_match", "u0", 1, Signed("u2"), forged, due)
    s.do("authenticate_match", "u2", 1, Signed("u2"), Signed("u0"), due)
    s.do("authenticate_match", "u0", 1, Signed("u2"), Signed("u0"), due - 1)
    s.do("authenticate_match", "u0", 1, Signed("u2"), Signed("u0"), due)
    s.do("authenticate_match", "u0", 1, Signed("u2"), Signed("u0"), due)  # replayed
    out.append(s)

    s, delivery = trade_to_execution(setup("trade_short_delivery_fraud", ["TRD-10", "TRD-9"]), delivered=4 * KWH)
    s.do("record_bilateral_trade", "u0", "u0", "u1", 10**18, True)  # only the bilateral market writes reputation
    s.do("anchor_evidence", "grid", "grid", 0, 4 * KWH)
    s.do("certify_execution", "c0", 0, True).do("certify_execution", "c1", 0, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", 0).do("settle_trade", 0)  # the seller's fraud: banned in both markets
    s.do("declare_ask", "u0", KWH, PRICE, s.now + tr.PERIOD).do("declare_bid", "u1", KWH, PRICE, s.now + tr.PERIOD)
    out.append(s)

    s = setup("energy_rejections", ["ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-7", "ENG-9", "TRD-1"])
    s.do("settle_auction_energy", 0)  # no auction order yet
    s.do("create_account", "genesis", "stranger", int(en.Kind.USER)).do("create_account", "u0", "stranger", 1)
    s.do("create_account", "grid", "u0", 1).do("issue_energy", "u0", 5).do("issue_energy", "grid", 0)
    s.do("transfer_energy", "grid", "u0", 5, 0).do("transfer_energy", "grid", "u0", 5, 0)
    s.do("transfer_energy", "u0", "u1", 6, 0).do("transfer_energy", "u0", "stranger", 1, 0)
    s.do("transfer_energy", "u0", "u1", 1, 1).do("transfer_energy", "u0", "u1", 1, 0)
    s.do("report_consumption", "u1", "u0", 0, 1).do("report_consumption", "grid", "u0", 0, 3)
    s.do("report_consumption", "grid", "u0", 0, 3).do("report_consumption", "grid", "u0", 1, 9)
    s.do("declare_ask", "stranger", 1, 1, s.now + 9).do("declare_ask", "u0", 0, 1, s.now + 9)
    out.append(s)

    # Two trades in flight at once, one delivered in part; two purchases; a purchase from a user, an
    # over-delivery and a transfer of a whole balance: totals that one trade cannot tell from overwrites.
    s = setup("two_trades_in_flight", ["TRD-4", "TRD-5", "TRD-6", "TRD-7", "TRD-8", "ENG-3", "ENG-5", "ENG-8"])
    s.do("add_certifier", "genesis", "stranger")  # four certifiers: two passes are half, not a majority
    delivery = (s.now // tr.PERIOD + 2) * tr.PERIOD
    for seller, volume in (("u0", 10 * KWH), ("u2", 4 * KWH)):
        s.do("transfer_energy", "grid", seller, volume + KWH, s.tm.energy.accounts[address("grid")].nonce)
        s.do("declare_ask", seller, volume, PRICE, delivery).do("declare_bid", "u1", volume, PRICE, delivery)
        trade_id = len(s.tm.trades)
        s.do("match_offers", len(s.tm.offers) - 2, len(s.tm.offers) - 1)
        s.do("authenticate_match", "u1", trade_id, Signed(seller), Signed("u1"), volume * PRICE + FEE)
    for grid in ("grid", "grid", "u0"):
        s.do("purchase_energy", "u1", grid, KWH, s.tm.energy.accounts[address("u1")].nonce, KWH * TARIFF)
    s.now = delivery
    s.do("record_execution", "grid", 1, 5 * KWH)  # more than the trade's volume
    s.do("record_execution", "grid", 0, 10 * KWH).do("record_execution", "grid", 1, 3 * KWH)
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH).do("anchor_evidence", "grid", "grid", 1, 3 * KWH)
    for trade_id in (0, 1):
        for certifier in ("c0", "c1", "c2"):
            s.do("certify_execution", certifier, trade_id, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", 0).do("clear_trade", 1).do("settle_trade", 0).do("settle_trade", 1)
    s.do("transfer_energy", "u0", "u2", KWH, s.tm.energy.accounts[address("u0")].nonce)  # u0's whole balance
    for role in ("u0", "u2", "u1", "grid", "fee"):
        s.do("withdraw", role)
    out.append(s)

    # FPR-7: a pass certifies only the execution record the grid (or its delegate) fingerprinted.
    s, delivery = trade_to_execution(setup("trade_delivery_evidence", ["FPR-7", "TRD-5"]))
    provider, holder = int(fp.Role.PROVIDER), int(fp.Role.HOLDER)
    s.do("certify_execution", "c0", 0, True)  # no evidence at all
    s.do("anchor_evidence", "grid", "grid", 0, 9 * KWH).do("certify_execution", "c0", 0, True)  # another amount
    s.do("anchor_evidence", "grid", "grid", 1, 10 * KWH).do("certify_execution", "c0", 0, True)  # another trade
    s.do("register_participant", "genesis", "u2", provider).do("anchor_evidence", "u2", "u2", 0, 10 * KWH)
    s.do("certify_execution", "c0", 0, True)  # the very record, anchored by a provider who is not the grid
    s.do("anchor_evidence", "u2", "grid", 0, 10 * KWH)  # u2 writing as the grid
    s.do("anchor_evidence", "stranger", "stranger", 0, 10 * KWH)  # a viewer posing as a provider
    s.do("certify_execution", "c0", 0, False)  # opposing needs no evidence: a missing one locks nothing
    s.do("register_participant", "genesis", "stranger", holder).do("set_delegate", "grid", "stranger", True)
    s.do("anchor_evidence", "stranger", "grid", 0, 10 * KWH)  # the grid's delegate
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)  # replayed: anchored once
    s.do("certify_execution", "c1", 0, True).do("certify_execution", "c2", 0, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", 0).do("settle_trade", 0)
    out.append(s)

    # TRD-4, FPR-7: only the grid records; evidence anchored before the delivery time (here before the trade
    # exists: trade ids are predictable) is none, and the certifiers reject instead.
    s = setup("trade_evidence_recorder_and_time", ["TRD-4", "TRD-5", "FPR-7"])
    s.do("create_account", "genesis", "stranger", int(en.Kind.GRID))  # another grid account
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)  # pre-anchored: trade 0 does not exist yet
    s, delivery = trade_to_execution(s, recorder="genesis")  # genesis: above the grid's threshold, not the grid
    s.do("record_execution", "stranger", 0, 0).do("record_execution", "u0", 0, 10 * KWH)
    s.do("record_execution", "grid", 0, 10 * KWH)
    s.do("certify_execution", "c0", 0, True)  # the very record, but fingerprinted before the delivery began
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)  # anchored once: it cannot be made anew
    s.do("certify_execution", "c0", 0, False).do("certify_execution", "c1", 0, False)  # rejected: refunded
    s.do("withdraw", "u1")
    d2 = (s.now // tr.PERIOD + 2) * tr.PERIOD  # anchored at the very delivery time, before the recording: counts
    s.do("declare_ask", "u0", 5 * KWH, PRICE, d2).do("declare_bid", "u1", 5 * KWH, PRICE, d2).do("match_offers", 2, 3)
    s.do("authenticate_match", "u1", 1, Signed("u0"), Signed("u1"), 5 * KWH * PRICE + FEE)
    s.now = d2
    s.do("anchor_evidence", "grid", "grid", 1, 5 * KWH).do("record_execution", "grid", 1, 5 * KWH)
    s.do("certify_execution", "c0", 1, True).do("certify_execution", "c1", 1, True)
    out.append(s)

    # TRD-10: until the operator links the bilateral market, settling (which writes reputation) reverts.
    s, delivery = trade_to_execution(setup("trade_link_bilateral", ["TRD-10", "TRD-7"], linked=False))
    s.do("anchor_evidence", "grid", "grid", 0, 10 * KWH)
    s.do("certify_execution", "c0", 0, True).do("certify_execution", "c1", 0, True)
    s.now = delivery + tr.PERIOD
    s.do("clear_trade", 0).do("settle_trade", 0)  # not linked: the whole settlement reverts
    s.do("link_bilateral", "u0", "market").do("link_bilateral", "genesis", mk.ZERO_ADDRESS)
    s.do("link_bilateral", "genesis", "market").do("link_bilateral", "genesis", "u0")  # once
    s.do("settle_trade", 0).do("record_bilateral_trade", "u0", "u0", "u1", 10**18, True)
    out.append(s)
    return out


def generate(out: Path) -> list[Path]:
    """Write every scenario of the bilateral market and the energy accounts as ``out/<name>.json``."""
    from verify import vectors

    return vectors.generate(out, scenarios())


# -- replaying ----------------------------------------------------------------------------------


def replay(case: dict, contract) -> list[str]:
    """Replay ``case`` on a fresh :class:`~verify.trade.driver.ContractTrade` (another one, unlinked, when the
    case's deployment does not link the markets); every difference found."""
    if case.get("linked", True) != contract.linked():
        contract = type(contract).deploy(contract.artifacts, contract.backend, link=case.get("linked", True))
    roles = tuple(case["roles"])
    if REFUSING in roles:
        contract.install_refusing()
    problems = []
    for number, step in enumerate(case["steps"]):
        if step["time"] < contract.chain.pending_timestamp():
            return [f"step {number}: the chain is already past {step['time']}"]
        contract.at_time(step["time"])
        arguments = [_decode(name, step["args"], contract) for name in ACTIONS[step["action"]][1]]
        outcome = getattr(contract, step["action"])(*arguments)
        where = f"step {number} {step['action']}"
        problems += departures(where, outcome, step["expect"], _json)
        problems += [f"{where}: {d}" for d in differences(step["post"], _json(contract.state(roles)))]
    return problems


def _decode(name: str, args: dict, contract) -> Any:
    value = args[name]
    if name in ACCOUNT_ARGS:
        return account(value)
    if name == "payload_hash":
        return bytes.fromhex(value[2:])
    if name in SIGNATURES:
        return sign_on(contract, args["trade_id"], Signed.from_json(value))
    return value


def replay_all(cases: list[dict], artifacts: dict, backend: str | None = None) -> dict[str, list[str]]:
    """Each case on its own fresh deployment: case name -> differences."""
    from verify.trade.driver import ContractTrade

    deploy = ContractTrade.deploy
    return {case["name"]: replay(case, deploy(artifacts, backend, case.get("linked", True))) for case in cases}
