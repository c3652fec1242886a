"""The differential state machine: every rule applies one action to the reference ``Market`` and,
when a contract is attached, to the deployed market; after every step the two must agree.

Compared after each step: success or revert and the error's name and arguments; the decoded events;
the whole observable state (every order, every user with reputation, fraud counts, ban date, history
and pending balance, the contract's balance); the externally owned accounts' ether. Invariants: value
conservation, solvency, reputation bounds, a rejected action changes nothing, and price independence:
every settled order has the winner and the price it would have without the adversary's bids.

The adversary reads the chain and acts on what it sees (``attack_*`` rules, catalogued in
:mod:`verify.attacks`): it copies, mauls and re-randomises other bids' ciphertexts, replays them into
other orders, front-runs a bid with its own ciphertext, reposts a disclosed key, and defaults as a winner.

Without a contract (``machine()``) the same rules exercise the model alone.

The comparison after every step is :mod:`.lockstep`; the deployed world, :mod:`.world`.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis.stateful import invariant, precondition

from reference import market as mk
from reference.params import RESOLVED
from reference.quotes import FIELD_MODULUS, Ciphertext, encrypt, public_key
from verify.attacks.library import MAULS, maul
from verify.differential.draws import Ints, OneOf, Pairs, drawn_initialize, drawn_rule
from verify.differential.lockstep import Lockstep
from verify.differential.lockstep import Mismatch as Mismatch
from verify.differential.world import MOCKS as MOCKS
from verify.differential.world import ROLES, World
from verify.differential.world import artifacts_with_mocks as artifacts_with_mocks
from verify.differential.world import build_world as build_world

P = RESOLVED
S = mk.OrderStatus
TERMINAL = {S.COMPLETED, S.UNSOLD, S.FAILED}
DEPOSIT = 10**15


# small draws, which both drivers favour, are the happy path; the rest are the faults. Order keys and
# nonces play no part in any rule beyond being valid (and keys fresh): the campaign's driver draws them
# from a small pool, so that the model's pure-Python curve arithmetic on them is mostly cached.
sellers = OneOf(("s0", "s1", "b0", "stranger"))
bidders = OneOf(("b0", "b1", "b2", "hostile", "reentrant", "s1", "s0", "stranger"))
picks = Ints(0, 7)
attackers = OneOf(("b1", "b2", "s1", "reentrant", "b0"))
"""Who plays the adversary: other bidders, a seller's second account, a contract."""
quotes = OneOf(tuple((20 - g) * 10**9 for g in range(20)) + (P.max_quote + 1, 0))


class MarketMachine(Lockstep):
    """Rules shared by the model-only and the differential campaigns."""

    def __init__(self):
        super().__init__()
        self.adversarial: dict[int, set[int]] = {}
        """Per order, the indices of the bids the adversary derived from other bids."""
        self.sealers: dict[tuple[int, int], tuple[str, int]] = {}
        """(order, bid index) of a derived bid -> (bidder, order) of the context its ciphertext was sealed in:
        only that bidder can open it in that order, however often it is copied or mauled on the way."""
        self.keys: list[int] = []
        self.quotes: dict[int, list[int]] = {}

    # -- rules ---------------------------------------------------------------------------

    @drawn_initialize(first=quotes, second=quotes)
    def an_auction_under_way(self, first, second):
        """Every run starts with users registered, an order with two bids and an order without."""
        for role in ROLES:
            if role != "stranger":
                self.apply("register_user", self.operator, self.actors[role])
        self.post("s0", 77, 10**9)
        for nonce, (role, quote) in enumerate([("b0", first), ("reentrant", second)], start=1):
            self.apply("place_bid", self.actors[role], 0, self.seal(0, self.actors[role], quote, nonce), DEPOSIT)
        self.post("s1", 78, 10**9)

    def seal(self, order_id: int, bidder: str, quote: int, nonce: int) -> Ciphertext:
        """``bidder``'s honest sealed quote for ``order_id`` (QUO-4, QUO-5)."""
        key = self.market.orders[order_id].public_key
        return encrypt(key, quote, nonce, mk.context(self.market, order_id, bidder))

    def few_orders(self) -> bool:
        return len(self.market.orders) < 6

    def has_orders(self) -> bool:
        return bool(self.market.orders)

    def pick(self, pick: int) -> int:
        """An order id, live orders with bids first, then other live orders, then any."""
        orders = self.market.orders
        live = [i for i, o in enumerate(orders) if o.status not in TERMINAL]
        candidates = [i for i in live if orders[i].bids] + [i for i in live if not orders[i].bids]
        candidates += [i for i in range(len(orders)) if i not in live]
        return candidates[pick % len(candidates)]

    @precondition(few_orders)
    @drawn_rule(seller=sellers, key=Ints(1, 1000, pool=16), start=OneOf(tuple(g * 10**9 for g in range(1, 6))))
    def post(self, seller, key, start):
        key += 1000 * len(self.market.orders)  # a fresh key: reposting one is the adversary's move
        if self.apply("post_order", self.actors[seller], 1000, start, DEPOSIT, public_key(key)):
            self.keys.append(key)

    @precondition(has_orders)
    @drawn_rule(bidder=bidders, pick=picks, quote=quotes, nonce=Ints(1, 2**64, pool=16), variant=Ints(0, 7))
    def bid(self, bidder, pick, quote, nonce, variant):
        """A sealed bid; some variants probe the boundaries: the start price exactly and one below it, a tie
        with the order's previous quote, a wrong deposit, an undecryptable ciphertext."""
        order_id = self.pick(pick)
        order = self.market.orders[order_id]
        previous = self.quotes.get(order_id, [quote])
        quote = {2: order.start_price, 3: order.start_price - 1, 4: previous[-1]}.get(variant, quote)
        sealed = self.seal(order_id, self.actors[bidder], quote, nonce)
        if variant == 6:
            sealed = Ciphertext((1, 3), sealed.c2)
        value = DEPOSIT + 1 if variant == 5 else DEPOSIT
        if self.apply("place_bid", self.actors[bidder], order_id, sealed, value):
            self.quotes.setdefault(order_id, []).append(quote)

    @precondition(has_orders)
    @drawn_rule(pick=picks, right=Ints(0, 4), lapse=Ints(0, 3))
    def advance(self, pick, right, lapse):
        """Move one order to its next step: mostly the right action, sometimes a wrong one or a lapse."""
        order_id = self.pick(pick)
        order = self.market.orders[order_id]
        wrong, late = right == 4, lapse == 3
        now = self.now()
        if order.status == S.OPEN and now < order.bidding_end:
            self.wait_until(order.bidding_end)
        elif order.status == S.OPEN and late:
            self.wait_until(order.disclosure_end)
            self.apply("claim_seller_default", order_id)
        elif order.status == S.OPEN:
            self.apply("disclose_key", order.seller, order_id, self.keys[order_id] + wrong)
        elif order.status in (S.DISCLOSED, S.ABANDONED) and order.opened < len(order.bids):
            self.apply("open_bids", order_id, 1 + right)
        elif order.status == S.DISCLOSED:
            self.apply("settle", order_id)
        elif order.status == S.SETTLED and late:
            self.wait_until(order.deadline)
            self.apply("pay_price", order.winner, order_id, order.price)  # too late, exactly at the deadline
            self.apply("claim_buyer_default", order_id)
        elif order.status == S.SETTLED:
            payer = order.seller if wrong else order.winner
            self.apply("pay_price", payer, order_id, order.price + (lapse == 2))
        elif order.status == S.PAID:
            if late:
                self.wait_until(order.deadline - 1)
                self.apply("claim_delivery_timeout", order_id)  # one second early
                self.wait_until(order.deadline)
            outcome = [
                ("confirm_delivery", order.winner, order_id),
                ("confirm_delivery", self.operator, order_id),
                ("report_non_delivery", self.operator, order_id),
                ("claim_delivery_timeout", order_id),
                ("confirm_delivery", order.seller, order_id),  # not allowed: the seller
            ][right]
            self.apply(*outcome)

    @precondition(has_orders)
    @drawn_rule(pick=picks, moves=Pairs(Ints(0, 4), Ints(0, 3), min_size=2, max_size=8))
    def play(self, pick, moves):
        """Several moves of one order in a single draw, so that deep states are reached in few steps."""
        for right, lapse in moves:
            self.advance(pick, right, lapse)

    @drawn_rule(seconds=OneOf((1, 60, 600)))
    def wait(self, seconds):
        self.wait_until(self.now() + seconds)

    @precondition(has_orders)
    @drawn_rule(pick=picks, caller=OneOf((*ROLES, "operator")), which=Ints(0, 8))
    def chaos(self, pick, caller, which):
        """Any transition, any caller, any time: it either succeeds legally or changes nothing."""
        order_id = pick % (len(self.market.orders) + 1)  # sometimes an unknown order
        who = self.operator if caller == "operator" else self.actors[caller]
        action, *args = [
            ("disclose_key", who, order_id, 1),
            ("open_bids", order_id, 1),
            ("settle", order_id),
            ("pay_price", who, order_id, 1),
            ("confirm_delivery", who, order_id),
            ("report_non_delivery", who, order_id),
            ("claim_delivery_timeout", order_id),
            ("claim_buyer_default", order_id),
            ("claim_seller_default", order_id),
        ][which]
        self.apply(action, *args)

    @drawn_rule(role=OneOf(("reentrant", *ROLES[:-1])))
    def withdraw(self, role):
        self.apply("withdraw", self.actors[role])

    # -- the adversary (verify.attacks.library) -------------------------------------------

    def adversary_bid(self, order_id: int, attacker: str, sealed: Ciphertext, sealer: tuple[str, int]) -> None:
        """Submit a ciphertext derived from others' bids, sealed in ``sealer``'s (bidder, order) context;
        remember it for the price-independence check."""
        index = len(self.market.orders[order_id].bids)
        if self.apply("place_bid", attacker, order_id, sealed, DEPOSIT):
            self.adversarial.setdefault(order_id, set()).add(index)
            self.sealers[order_id, index] = sealer

    @precondition(has_orders)
    @drawn_rule(pick=picks, source=picks, victim=Ints(0, 7), attacker=attackers, how=OneOf(tuple(sorted(MAULS))))
    def attack_derived_bid(self, pick, source, victim, attacker, how):
        """Copy, maul or re-randomise a bid seen on chain (this order's or another's) and submit it as one's
        own: copy-ciphertext, maul-c2, rerandomise-c1, cross-order-replay, seller-sybil-copy, tie-by-copy."""
        source_id, order_id = self.pick(source), self.pick(pick)
        bids = self.market.orders[source_id].bids
        if not bids:
            return
        index = victim % len(bids)
        original, who = bids[index], self.actors[attacker]
        sealer = self.sealers.get((source_id, index), (original.bidder, source_id))
        if (who, order_id) == sealer:
            # a bidder reworking a ciphertext sealed in its own context (its bid, or another's copy of it) places
            # a second bid of its own, which only it could open: no attack
            return
        self.adversary_bid(order_id, who, maul(how, original.ciphertext), sealer)

    @precondition(has_orders)
    @drawn_rule(pick=picks, victim=OneOf(("b0", "b1", "b2")), attacker=attackers, quote=quotes, nonce=picks)
    def attack_front_run(self, pick, victim, attacker, quote, nonce):
        """front-run-ciphertext: the victim's sealed bid is seen in the mempool and mined first for another."""
        order_id = self.pick(pick)
        if self.actors[attacker] == self.actors[victim]:
            return
        sealed = self.seal(order_id, self.actors[victim], quote, nonce + 1)
        self.adversary_bid(order_id, self.actors[attacker], sealed, (self.actors[victim], order_id))
        self.apply("place_bid", self.actors[victim], order_id, sealed, DEPOSIT)

    @precondition(has_orders)
    @drawn_rule(pick=picks, seller=sellers, negate=OneOf((False, True)))
    def attack_reuse_key(self, pick, seller, negate):
        """reuse-disclosed-key: post under an earlier order's key, or its negation (the same key up to sign)."""
        x, y = self.market.orders[pick % len(self.market.orders)].public_key
        key = (x, FIELD_MODULUS - y) if negate else (x, y)
        if self.apply("post_order", self.actors[seller], 1000, 10**9, DEPOSIT, key):
            self.keys.append(0)  # unreachable while QUO-2 holds: the differential check has already failed

    @precondition(has_orders)
    @drawn_rule(pick=picks)
    def attack_winner_defaults(self, pick):
        """winner-defaults: the winner of a settled order lets the payment deadline pass."""
        order_id = self.pick(pick)
        order = self.market.orders[order_id]
        if order.status == S.SETTLED:
            self.wait_until(order.deadline)
            self.apply("claim_buyer_default", order_id)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def conservation_and_solvency_SET_6(self):
        assert mk.is_solvent(self.market)
        assert self.market.balance == self.paid_in - self.paid_out  # the chain's side: after every step (_compare)

    @invariant()
    def price_independence_QUO_5(self):
        """Every opened order has the winner and price it would have without the adversary's bids."""
        for order_id, marked in self.adversarial.items():
            order = self.market.orders[order_id]
            if order.private_key == 0 or order.opened < len(order.bids):
                continue
            honest = tuple(b for i, b in enumerate(order.bids) if i not in marked)
            twin = replace(order, status=S.DISCLOSED, bids=honest, opened=0, winner=mk.ZERO_ADDRESS)
            twin = replace(twin, highest=0, second=0)
            alone = mk._with_order(self.market, order_id, twin)
            if honest:
                alone, _ = mk.open_bids(alone, order_id, len(honest), self.now())
            got, want = order, alone.orders[order_id]
            if (got.winner, got.highest, max(got.second, got.start_price)) != (
                want.winner,
                want.highest,
                max(want.second, want.start_price),
            ):
                raise Mismatch(
                    f"order {order_id}: the adversary's bids changed the outcome: winner {got.winner} at "
                    f"{mk.auction_price(got.highest, got.second, got.start_price)}, without them {want.winner} at "
                    f"{mk.auction_price(want.highest, want.second, want.start_price)}"
                )

    @invariant()
    def reputations_in_bounds_REP_7(self):
        for user in self.market.users.values():
            assert P.min_reputation <= user.seller_reputation <= P.max_reputation
            assert P.min_reputation <= user.buyer_reputation <= P.max_reputation


def machine(world: World | None = None) -> type[MarketMachine]:
    """A machine class bound to ``world`` (None: the model alone)."""
    return type("DifferentialMachine" if world else "ModelMachine", (MarketMachine,), {"WORLD": world})
