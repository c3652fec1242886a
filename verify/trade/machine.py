"""The differential state machine of the bilateral market and the energy accounts: every rule applies one
action to the reference model and to the deployed contracts; after every step they must agree (outcome,
error and arguments, events, the whole observable state), and the invariants hold: energy conserved
(ENG-8), the market solvent (TRD-8), the contract's ether equal to the model's.

The hostile moves are rules like the others: a certifier voting twice or out of turn, signatures over
altered terms, another trade or another chain, a meter reading replayed or skipped ahead, an execution
recorded by an account other than the grid, a pass vote on an execution record the grid did not fingerprint,
evidence of another amount, anchored by another provider or before the delivery time (even before the trade
exists); the grid's evidence uploaded by its delegate, or by a holder whose delegation it revoked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from reference import energy as en
from reference import fingerprints as fp
from reference import trade as tr
from verify.differential.observe import differences
from verify.steps import ChainMachine, Mismatch, compare
from verify.toolchain.chain import Outcome
from verify.trade.driver import ContractTrade
from verify.trade.roles import CERTIFIERS, FEE, ROLES, TARIFF, USERS, account, address, fresh
from verify.trade.vectors import ACCOUNT_ARGS, ACTIONS, Signed, apply, model_state, sign

users = st.sampled_from([*USERS, "stranger"])
anyone = st.sampled_from(ROLES)
amounts = st.integers(1, 6).map(lambda k: k * 25_000)
prices = st.integers(1, 4).map(lambda k: k * 10**14)
nonce_offsets = st.sampled_from([0, 0, 0, -1, 1])
"""Mostly the right nonce; sometimes a replayed (−1) or a skipped-ahead (+1) one."""
forgeries = st.sampled_from([None, None, None, "price", "trade", "chain", "signer"])


def open_markets(act: Callable[..., bool]) -> None:
    """The set-up the markets' machines share, by ``act``: the grid's account with energy issued, the users
    registered in the auction with accounts under the grid, two certifiers."""
    act("create_account", "genesis", "grid", int(en.Kind.GRID))
    act("issue_energy", "grid", 10**9)
    for user in USERS:
        act("register_user", "genesis", user)
        act("create_account", "grid", user, int(en.Kind.USER))
    for certifier in CERTIFIERS[:2]:
        act("add_certifier", "genesis", certifier)


class TradeMachine(ChainMachine):
    REACHED: ClassVar[Counter[str]] = Counter()
    """How often each action succeeded (``name``) or was refused (``name!Error``), over every run."""

    def __init__(self):
        super().__init__()
        self.tm = fresh(self.contract.address, self.contract.chain.chain_id)
        self.steps = 0

    def act(self, action: str, *args: Any) -> bool:
        names = ACTIONS[action][1]
        model_args = [account(v) if n in ACCOUNT_ARGS else v for n, v in zip(names, args, strict=True)]
        now = self.now()
        return self.step(
            f"{action}{tuple(args)}",
            lambda: apply(self.tm, action, model_args, now),
            lambda: getattr(self.contract, action)(*model_args),
        )

    def step(self, where: str, model: Callable[[], tuple], contract: Callable[[], Outcome]) -> bool:
        """One action on the model and on the chain: the same outcome, error, events and state after."""
        self.tm, outcome = compare(where, model, self.tm, contract, _norm)
        self.steps += 1
        type(self).REACHED[where.split("(")[0] + ("" if outcome.ok else f"!{outcome.error}")] += 1
        problems = self.differences()
        if problems:
            raise Mismatch(f"{where}: " + "; ".join(problems[:5]))
        return outcome.ok

    def differences(self) -> list[str]:
        """Where the chain's observable state departs from the model's."""
        return differences(_norm(model_state(self.tm)), _norm(self.contract.state()))

    @initialize()
    def setup(self):
        open_markets(self.act)
        self.act("register_participant", "genesis", "u2", int(fp.Role.PROVIDER))  # a provider, not the grid
        self.act("register_participant", "genesis", "stranger", int(fp.Role.HOLDER))  # the grid's delegate-to-be

    # -- energy -------------------------------------------------------------------------------------

    def _nonce(self, role: str, meter: bool, offset: int) -> int:
        account = self.tm.energy.accounts.get(address(role))
        base = (account.meter_nonce if meter else account.nonce) if account else 0
        return max(base + offset, 0)

    @rule(role=users, amount=amounts, offset=nonce_offsets)
    def give(self, role, amount, offset):
        self.act("transfer_energy", "grid", role, amount, self._nonce("grid", False, offset))

    @rule(role=users, amount=amounts, offset=nonce_offsets, exact=st.booleans())
    def purchase(self, role, amount, offset, exact):
        self.act(
            "purchase_energy", role, "grid", amount, self._nonce(role, False, offset), amount * TARIFF + (not exact)
        )

    @rule(source=users, receiver=anyone, amount=amounts, offset=nonce_offsets)
    def transfer(self, source, receiver, amount, offset):
        self.act("transfer_energy", source, receiver, amount, self._nonce(source, False, offset))

    @rule(reporter=st.sampled_from(["grid", "grid", "u0"]), role=users, amount=amounts, offset=nonce_offsets,
          generation=st.booleans())  # fmt: skip
    def meter(self, reporter, role, amount, offset, generation):
        action = "report_generation" if generation else "report_consumption"
        self.act(action, reporter, role, self._nonce(role, True, offset), amount)

    @rule(role=anyone)
    def withdraw(self, role):
        self.act("withdraw", role)

    # -- the seven stages ------------------------------------------------------------------------------

    @rule(role=users, ask=st.booleans(), volume=amounts, price=prices, periods=st.integers(1, 2))
    def declare(self, role, ask, volume, price, periods):
        delivery = (self.now() // tr.PERIOD + periods) * tr.PERIOD
        self.act("declare_ask" if ask else "declare_bid", role, volume, price, delivery)

    @rule(ask=st.integers(0, 9), bid=st.integers(0, 9))
    def match(self, ask, bid):
        self.act("match_offers", ask, bid)

    @rule(trade=st.integers(0, 4), forge=forgeries, by_buyer=st.booleans(), exact=st.booleans())
    def authenticate(self, trade, forge, by_buyer, exact):
        if trade >= len(self.tm.trades):
            return
        t = self.tm.trades[trade]
        seller, buyer = tr_role(t.seller), tr_role(t.buyer)
        forged = {
            None: Signed(buyer),
            "price": Signed(buyer, changes=(("price", t.price + 1),)),
            "trade": Signed(buyer, trade_id=trade + 1),
            "chain": Signed(buyer, chain_id=self.tm.chain_id + 1),
            "signer": Signed(seller),
        }[forge]
        signatures = (sign(self.tm, trade, Signed(seller)), sign(self.tm, trade, forged))
        value = tr.escrow(t, FEE) + (not exact)
        self.act("authenticate_match", buyer if by_buyer else seller, trade, *signatures, value)

    @rule(seller=st.sampled_from(USERS), buyer=st.sampled_from(USERS), volume=amounts, price=prices,
          evidence=st.sampled_from([True, False]), through=st.booleans())  # fmt: skip
    def honest_trade(self, seller, buyer, volume, price, evidence, through):
        """The happy path up to execution in one rule, with the grid's evidence or without, and (if
        ``through``) :meth:`decide` passing the oldest executed trade: the later stages then see executed
        trades often, fingerprinted or not, and certification is tried with and without evidence."""
        delivery = (self.now() // tr.PERIOD + 1) * tr.PERIOD
        self.give(seller, volume, 0)
        ok = self.act("declare_ask", seller, volume, price, delivery)
        ok &= self.act("declare_bid", buyer, volume, price, delivery)
        if ok and self.act("match_offers", len(self.tm.offers) - 2, len(self.tm.offers) - 1):
            trade = len(self.tm.trades) - 1
            self.authenticate(trade, None, True, True)
            self.contract.at_time(delivery)
            if self.act("record_execution", "grid", trade, volume) and through:
                self.decide(True, evidence)
            elif evidence:
                self.anchor("grid", trade, 0)

    @rule(trade=st.integers(0, 4), fraction=st.sampled_from([0, 1, 2, 2]), late=st.booleans(),
          by=st.sampled_from(["grid", "grid", "grid", "genesis", "u0"]))  # fmt: skip
    def execute(self, trade, fraction, late, by):
        """The grid records trade ``trade``'s metered delivery; genesis (an account above the grid's threshold)
        or a user recording it are refused (TRD-4)."""
        if trade < len(self.tm.trades) and late:
            self.contract.at_time(self.tm.trades[trade].delivery_time)
        volume = self.tm.trades[trade].volume if trade < len(self.tm.trades) else 1
        self.act("record_execution", by, trade, volume * fraction // 2)

    @rule(who=st.sampled_from(["grid", "grid", "stranger", "u2", "u0"]), trade=st.integers(0, 4),
          off=st.sampled_from([0, 0, 1]), delegated=st.booleans())  # fmt: skip
    def anchor(self, who, trade, off, delegated=True):
        """Evidence of trade ``trade``'s recorded delivery (``off`` Wh more: another amount) anchored by the grid,
        by the holder (stranger) the grid first lets upload for it (FPR-2) or revokes (``delegated``), by another
        provider (u2), or by a viewer (u0) writing as the grid. A trade id not yet matched is evidence anchored
        before the trade exists."""
        if who == "stranger":
            self.act("set_delegate", "grid", "stranger", delegated)
        delivered = (self.tm.trades[trade].delivered if trade < len(self.tm.trades) else 0) + off
        self.act("anchor_evidence", who, "grid" if who in ("u0", "stranger") else who, trade, delivered)

    @rule(certifier=st.sampled_from([*CERTIFIERS, "u0"]), trade=st.integers(0, 4), approve=st.booleans())
    def certify(self, certifier, trade, approve):
        self.act("certify_execution", certifier, trade, approve)

    @rule(certifier=st.sampled_from(CERTIFIERS))
    def add_certifier(self, certifier):
        self.act("add_certifier", "genesis", certifier)

    @rule(trade=st.integers(0, 4), wait=st.booleans())
    def clear_and_settle(self, trade, wait):
        if wait:
            self.contract.at_time(self.now() + tr.PERIOD)
        self.act("clear_trade", trade)
        self.act("settle_trade", trade)

    @rule(approve=st.booleans(), evidence=st.sampled_from([True, True, False]))
    def decide(self, approve, evidence):
        """Every certifier votes on the oldest executed trade (once the grid fingerprinted its record, if
        ``evidence``), which is then cleared and settled."""
        executed = [i for i, t in enumerate(self.tm.trades) if t.status == tr.TradeStatus.EXECUTED]
        if executed:
            if evidence:
                self.anchor("grid", executed[0], 0)
            for certifier in CERTIFIERS:
                self.act("certify_execution", certifier, executed[0], approve)
            self.clear_and_settle(executed[0], True)

    @rule(seconds=st.sampled_from([1, 60, tr.PERIOD]))
    def wait(self, seconds):
        self.contract.at_time(self.now() + seconds)

    # -- invariants ---------------------------------------------------------------------------------------

    @invariant()
    def conserved(self):
        assert en.energy_conserved(self.tm.energy), "energy not conserved"
        assert tr.is_solvent(self.tm), "market not solvent"
        assert self.contract.chain.balance(self.contract.address) == self.tm.energy.balance


def tr_role(account: str) -> str:
    return next(role for role in ROLES if address(role) == account)


def _norm(value: Any) -> Any:
    """Comparable: tuples as lists, hex (addresses) lower-case; names (errors, events) keep their case."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_norm(v) for v in value]
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        return value.lower()
    return value


def deploy(artifacts: dict, backend: str | None = None, machine: type[TradeMachine] | None = None) -> None:
    """Deploy the contracts ``machine`` (default: :class:`TradeMachine`) compares against, snapshotted empty."""
    machine = machine or TradeMachine
    machine.install(ContractTrade.deploy(artifacts, backend))
    machine.REACHED = Counter()
