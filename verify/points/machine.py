"""The differential state machine of the power points and green certificates: every rule applies one action to
the reference model and to the deployed contracts; after every step they must agree (outcome, error and
arguments, events, the points' whole observable state). Invariants are checked on both sides: on the model,
and on the contract's own state alone — no double spend (PTS-7: Σ balances + Σ open offers = granted −
burned), certificates unique with disjoint serials (CRT-2), no source certified beyond what its meter
generated (CRT-4: certifiedBy ≤ generatedOf), the proceeds solvent (PTS-6).

The hostile moves are rules like the others: claiming twice, claiming for an unsettled or unknown trade,
claiming without a vote or a registration, selling grid energy or energy bought back (the wash trade A → B →
A, ERR-41) as one's own, spending or transferring beyond the balance, buying a closed offer, cancelling
someone else's.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule

from reference import certificates as crt
from reference import energy as en
from reference import market as mk
from reference import points as pts
from reference import trade as tr
from reference.quotes import encrypt, public_key
from verify.differential.observe import differences
from verify.points.driver import ContractPoints
from verify.points.vectors import (
    ACCOUNT_ARGS,
    ACTIONS,
    ADDRESS,
    DEPOSIT,
    GWEI,
    KEY,
    POINTS_ACTIONS,
    apply,
    contract_invariants,
    fresh_green,
    model_state,
)  # fmt: skip
from verify.steps import ChainMachine, Mismatch, compare
from verify.trade.machine import _norm, open_markets, tr_role
from verify.trade.roles import CERTIFIERS, FEE, USERS, address
from verify.trade.signatures import Signed, sign

holders = st.sampled_from(["u0", "u0", "u1", "u1", "u2", "c0", "stranger"])
"""Mostly the users who claimed their registration grant at set-up."""
points = st.sampled_from([0, 1, 5, 20, 60, 2**128])
"""Mostly amounts some holder has; sometimes zero, more than anyone has, or out of range."""
ids = st.integers(0, 3)


class PointsMachine(ChainMachine):
    def __init__(self):
        super().__init__()
        contract = self.contract
        contract.markets.auction.bids = {}  # the bids the auction's driver saw went with the reverted chain
        chain_id, auction = contract.chain.chain_id, contract.markets.auction.address
        g = fresh_green(contract.markets.address, chain_id)
        registry = replace(g.markets.registry, address=auction, chain_id=chain_id)
        self.g = replace(g, markets=replace(g.markets, registry=registry))
        self.orders = 0

    def act(self, action: str, *args: Any) -> bool:
        names = ACTIONS[action][1]
        model_args = [ADDRESS[v] if n in ACCOUNT_ARGS else v for n, v in zip(names, args, strict=True)]
        model = partial(apply, self.g, action, model_args, self.now())
        contract = partial(getattr(self.contract, action), *model_args)
        events = action in POINTS_ACTIONS  # a market's step: its events are the trade machine's business
        self.g, outcome = compare(f"{action}{tuple(args)}", model, self.g, contract, _norm, events)
        observed = _norm(self.contract.state())
        problems = differences(_norm(model_state(self.g)), observed) + contract_invariants(observed)
        if problems:
            raise Mismatch(f"{action}{tuple(args)}: " + "; ".join(problems[:5]))
        return outcome.ok

    @initialize()
    def setup(self):
        open_markets(self.act)
        self.act("report_generation", "grid", "u0", 0, 2 * en.METER_SET_VALUE)  # u0's PV: 200 kWh to certify
        for user in USERS[:2]:
            self.act("claim_registration_grant", user)

    # -- the facts: trades in both markets ---------------------------------------------------------------

    @rule(user=st.sampled_from(USERS), kwh=st.sampled_from([100, 100, 250]))
    def generate(self, user, kwh):
        """The grid reports ``kwh`` of a user's PV (ENG-6): what its certificates may cover (CRT-4)."""
        nonce = self.g.markets.energy.accounts[address(user)].meter_nonce
        self.act("report_generation", "grid", user, nonce, kwh * 1000)

    @rule(seller=st.sampled_from(USERS), buyer=st.sampled_from(USERS), kwh=st.integers(1, 4),
          delivered=st.sampled_from([0, 1, 2, 2]), votes=st.sampled_from([0, 1, 2, 2]),
          settle=st.sampled_from([False, True, True]), claim=st.booleans(), grid=st.booleans())  # fmt: skip
    def bilateral(self, seller, buyer, kwh, delivered, votes, settle, claim, grid):
        """A bilateral trade up to execution, ``votes`` passes, and (if ``settle``) cleared and settled; its
        certificate claimed at once if ``claim``. The seller sells what it holds, given by the grid first if
        ``grid`` (energy, but not its generation)."""
        self._trade(seller, buyer, kwh, delivered, votes, settle, claim, grid)

    def _trade(self, seller, buyer, kwh, delivered, votes, settle, claim, grid) -> int | None:
        """:meth:`bilateral`: the trade's id, if the offers matched."""
        volume, delivery = kwh * 1000 + 250, (self.now() // tr.PERIOD + 1) * tr.PERIOD
        if grid:
            self.act("transfer_energy", "grid", seller, volume, self.g.markets.energy.accounts[address("grid")].nonce)
        ok = self.act("declare_ask", seller, volume, 10**14, delivery)
        ok &= self.act("declare_bid", buyer, volume, 10**14, delivery)
        offers = len(self.g.markets.offers)
        if not (ok and self.act("match_offers", offers - 2, offers - 1)):
            return None
        trade_id = len(self.g.markets.trades) - 1
        t = self.g.markets.trades[trade_id]
        signatures = (sign(self.g.markets, trade_id, Signed(seller)), sign(self.g.markets, trade_id, Signed(buyer)))
        self.act("authenticate_match", buyer, trade_id, *signatures, tr.escrow(t, FEE))
        self.contract.at_time(delivery)
        self.act("record_execution", "grid", trade_id, volume * delivered // 2)
        self.act("anchor_evidence", "grid", "grid", trade_id, volume * delivered // 2)  # FPR-7: a pass needs it
        for certifier in CERTIFIERS[:votes]:
            self.act("certify_execution", certifier, trade_id, True)
        if settle:
            self.contract.at_time(delivery + tr.PERIOD)
            self.act("clear_trade", trade_id)
            self.act("settle_trade", trade_id)
        if claim:
            self.act("claim_certificate", int(crt.MarketKind.BILATERAL), trade_id)
        return trade_id

    @rule(seller=st.sampled_from(USERS), buyer=st.sampled_from(USERS), kwh=st.integers(1, 4),
          first=st.booleans())  # fmt: skip
    def wash(self, seller, buyer, kwh, first):
        """ERR-41's attack: ``seller`` sells ``kwh`` (and a quarter) to ``buyer``, who sells it straight back,
        both fully delivered and settled; the resale's certificate claimed first if ``first``."""
        there = self._trade(seller, buyer, kwh, 2, 2, True, not first, False)
        self._trade(buyer, seller, kwh, 2, 2, True, True, False)
        if first and there is not None:
            self.act("claim_certificate", int(crt.MarketKind.BILATERAL), there)

    @rule(seller=st.sampled_from(USERS), buyer=st.sampled_from(USERS), confirm=st.booleans())
    def auction(self, seller, buyer, confirm):
        """An auction of 1 kWh: ``buyer`` wins (a second bidder quotes less), pays, and (if ``confirm``) confirms."""
        order_id, key = len(self.g.markets.registry.orders), KEY + self.orders
        self.orders += 1
        if not self.act("post_order", seller, 1000, GWEI, DEPOSIT, public_key(key)):
            return
        other = next(u for u in USERS if u not in (seller, buyer))
        for nonce, (bidder, quote) in enumerate(((buyer, 3 * GWEI), (other, 2 * GWEI)), start=1):
            context = self.contract.markets.auction.bid_context(order_id, address(bidder))
            self.act("place_bid", bidder, order_id, encrypt(public_key(key), quote, nonce, context), DEPOSIT)
        self.contract.at_time(self.g.markets.registry.orders[order_id].bidding_end)
        self.act("disclose_key", seller, order_id, key)
        self.act("open_bids", order_id, 2)
        self.act("settle", order_id)
        if self.g.markets.registry.orders[order_id].status == mk.OrderStatus.SETTLED:
            winner = tr_role(self.g.markets.registry.orders[order_id].winner)
            self.act("pay_price", winner, order_id, self.g.markets.registry.orders[order_id].price)
            if confirm:
                self.act("confirm_delivery", winner, order_id)
                self.act("settle_auction_energy", order_id)
                self.act("claim_certificate", int(crt.MarketKind.AUCTION), order_id)

    # -- claims ---------------------------------------------------------------------------------------------

    @rule(role=holders)
    def claim_registration(self, role):
        self.act("claim_registration_grant", role)

    @rule(market=st.sampled_from([0, 1, 1, 2]), trade=ids)
    def claim_certificate(self, market, trade):
        self.act("claim_certificate", market, trade)

    @rule(role=st.sampled_from([*CERTIFIERS, "u0"]), trade=ids)
    def claim_verification(self, role, trade):
        self.act("claim_verification_grant", role, trade)

    # -- the ledger ---------------------------------------------------------------------------------------------

    @rule(source=holders, receiver=holders, amount=points)
    def transfer(self, source, receiver, amount):
        self.act("transfer_points", source, receiver, amount)

    @rule(role=holders, amount=points, twice=st.booleans())
    def spend(self, role, amount, twice):
        self.act("spend_points", role, amount)
        if twice:
            self.act("spend_points", role, amount)

    @rule(role=holders, amount=points, price=st.sampled_from([0, 1, 10**9, 10**9]))
    def offer(self, role, amount, price):
        self.act("offer_points", role, amount, price)

    @rule(role=holders, offer=st.integers(0, 1), exact=st.sampled_from([True, True, False]))
    def buy(self, role, offer, exact):
        due = self.g.offers[offer].amount * self.g.offers[offer].price if offer < len(self.g.offers) else 0
        self.act("buy_points", role, offer, due + (not exact))

    @rule(role=holders, offer=st.integers(0, 1))
    def cancel(self, role, offer):
        self.act("cancel_offer", role, offer)

    @rule(role=holders)
    def withdraw(self, role):
        self.act("withdraw_proceeds", role)

    @invariant()
    def conserved(self):
        assert pts.points_conserved(self.g), "model: points not conserved"
        assert crt.certificates_unique(self.g.certificates, self.g.certified), "model: a certificate issued twice"
        energy = self.g.markets.energy
        assert crt.certified_within_generation(self.g.certificates, energy), "model: certified beyond generation"
        assert pts.is_solvent(self.g), "model: proceeds not solvent"


def deploy(artifacts: dict, backend: str | None = None) -> None:
    """Deploy the contracts the machine compares against, snapshotted empty."""
    PointsMachine.install(ContractPoints.deploy(artifacts, backend))
