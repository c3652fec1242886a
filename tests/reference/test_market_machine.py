"""Random action sequences on the model: SET-6 solvency and conservation, REP-7 bounds, MKT-2 atomicity."""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from reference import errors
from reference import market as mk
from reference.params import RESOLVED
from reference.quotes import Ciphertext, encrypt, public_key

P = RESOLVED
OP = "op"
ACCOUNTS = ["s0", "s1", "b0", "b1", "b2", "stranger"]
DEPOSIT = 10**15
S = mk.OrderStatus
TERMINAL = {S.COMPLETED, S.UNSOLD, S.FAILED}
accounts = st.sampled_from(ACCOUNTS)
sellers = st.sampled_from(["s0", "s1", "b0", "stranger"])  # the first is the one hypothesis favours
bidders = st.sampled_from(["b0", "b1", "b2", "s1", "s0", "stranger"])
picks = st.integers(0, 7)
# small draws (which hypothesis favours) are valid quotes; the ends are invalid ones
quotes = st.integers(0, 21).map(lambda g: [P.max_quote + 1, 0][g - 20] if g >= 20 else (20 - g) * 10**9)


class MarketMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.market = mk.Market(operator=OP)
        for account in ACCOUNTS[:-1]:
            self.market, _ = mk.register_user(self.market, OP, account)
        self.now = 0
        self.keys: list[int] = []
        self.paid_in = 0
        self.paid_out = 0
        self.reached: set[S] = set()

    def apply(self, transition, *args, value: int = 0) -> bool:
        before = self.market
        try:
            self.market, events = transition(self.market, *args)
        except errors.FairwattError:
            assert self.market is before  # MKT-2: a rejected action changes nothing
            return False
        self.paid_in += value
        self.paid_out += sum(e.amount for e in events if isinstance(e, mk.ev.Withdrawn))
        self.reached.update(o.status for o in self.market.orders)
        return True

    @initialize(first=quotes, second=quotes)
    def an_auction_under_way(self, first, second):
        """Every run starts with an order with two bids and one without, so every ending is within reach."""
        self.post("s0", 77, 10**9)
        for nonce, (bidder, quote) in enumerate([("b0", first), ("b1", second)], start=1):
            sealed = encrypt(public_key(77), quote, nonce)
            self.apply(mk.place_bid, bidder, 0, sealed, DEPOSIT, self.now, value=DEPOSIT)
        self.post("s1", 78, 10**9)

    def has_orders(self) -> bool:
        return bool(self.market.orders)

    def pick(self, pick: int) -> int:
        """An order id, live orders with bids first, then other live orders, then any."""
        orders = self.market.orders
        live = [i for i, o in enumerate(orders) if o.status not in TERMINAL]
        candidates = [i for i in live if orders[i].bids] + [i for i in live if not orders[i].bids]
        candidates += [i for i in range(len(orders)) if i not in live]
        return candidates[pick % len(candidates)]

    def few_orders(self) -> bool:
        return len(self.market.orders) < 6

    @precondition(few_orders)
    @rule(seller=sellers, key=st.integers(1, 1000), start=st.integers(1, 5).map(lambda g: g * 10**9))
    def post(self, seller, key, start):
        if self.apply(mk.post_order, seller, 1000, start, DEPOSIT, public_key(key), self.now):
            self.keys.append(key)

    @precondition(has_orders)
    @rule(bidder=bidders, pick=picks, quote=quotes, nonce=st.integers(1, 2**64), bad=st.integers(0, 5))
    def bid(self, bidder, pick, quote, nonce, bad):
        order_id = self.pick(pick)
        sealed = encrypt(self.market.orders[order_id].public_key, quote, nonce)
        if bad == 5:  # an undecryptable ciphertext now and then (hypothesis favours small values)
            sealed = Ciphertext((1, 3), sealed.c2)
        self.apply(mk.place_bid, bidder, order_id, sealed, DEPOSIT, self.now, value=DEPOSIT)

    @precondition(has_orders)
    @rule(pick=picks, right=st.integers(0, 4), lapse=st.integers(0, 3))
    def advance(self, pick, right, lapse):
        """Move one order to its next step: mostly the right action, sometimes a wrong one or a lapse."""
        order_id = self.pick(pick)
        order = self.market.orders[order_id]
        wrong, late = right == 4, lapse == 3
        if order.status == S.OPEN and self.now < order.bidding_end:
            self.now = order.bidding_end
        elif order.status == S.OPEN and late:
            self.now = max(self.now, order.disclosure_end)
            self.apply(mk.claim_seller_default, order_id, self.now)
        elif order.status == S.OPEN:
            self.apply(mk.disclose_key, order.seller, order_id, self.keys[order_id] + wrong, self.now)
        elif order.status in (S.DISCLOSED, S.ABANDONED) and order.opened < len(order.bids):
            self.apply(mk.open_bids, order_id, 1 + right, self.now)
        elif order.status == S.DISCLOSED:
            self.apply(mk.settle, order_id, self.now)
        elif order.status == S.SETTLED and late:
            self.now = max(self.now, order.deadline)
            self.apply(mk.claim_buyer_default, order_id, self.now)
        elif order.status == S.SETTLED:
            payer = order.seller if wrong else order.winner
            self.apply(mk.pay_price, payer, order_id, order.price, self.now, value=order.price)
        elif order.status == S.PAID:
            if late:
                self.now = max(self.now, order.deadline)
            outcome = [
                (mk.confirm_delivery, order.winner, order_id, self.now),
                (mk.confirm_delivery, OP, order_id, self.now),
                (mk.report_non_delivery, OP, order_id, self.now),
                (mk.claim_delivery_timeout, order_id, self.now),
                (mk.confirm_delivery, order.seller, order_id, self.now),  # not allowed: the seller
            ][right]
            self.apply(*outcome)

    @rule(seconds=st.sampled_from([1, 60, 600]))
    def wait(self, seconds):
        self.now += seconds

    @precondition(has_orders)
    @rule(pick=picks, caller=st.sampled_from([*ACCOUNTS, OP]), which=st.integers(0, 8))
    def chaos(self, pick, caller, which):
        """Any transition, any caller, any time: it either succeeds legally or changes nothing."""
        order_id = pick % (len(self.market.orders) + 1)  # sometimes an unknown order
        transition, *args = [
            (mk.disclose_key, caller, order_id, 1, self.now),
            (mk.open_bids, order_id, 1, self.now),
            (mk.settle, order_id, self.now),
            (mk.pay_price, caller, order_id, 1, self.now),
            (mk.confirm_delivery, caller, order_id, self.now),
            (mk.report_non_delivery, caller, order_id, self.now),
            (mk.claim_delivery_timeout, order_id, self.now),
            (mk.claim_buyer_default, order_id, self.now),
            (mk.claim_seller_default, order_id, self.now),
        ][which]
        self.apply(transition, *args, value=1 if transition is mk.pay_price else 0)

    @rule(account=accounts)
    def withdraw(self, account):
        self.apply(mk.withdraw, account)

    @invariant()
    def solvent_SET_6(self):
        assert mk.is_solvent(self.market)
        assert self.market.balance == self.paid_in - self.paid_out

    @invariant()
    def reputations_in_bounds_REP_7(self):
        for user in self.market.users.values():
            assert P.min_reputation <= user.seller_reputation <= P.max_reputation
            assert P.min_reputation <= user.buyer_reputation <= P.max_reputation


MarketMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=50, deadline=None, derandomize=True
)
TestMarketMachine = MarketMachine.TestCase


def test_the_machine_reaches_every_terminal_status():
    """Guard against a machine that passes because it never gets anywhere."""
    reached: set = set()
    original = MarketMachine.teardown

    def record(self):
        reached.update(self.reached)
        original(self)

    MarketMachine.teardown = record
    try:
        MarketMachine.TestCase("runTest").runTest()
    finally:
        MarketMachine.teardown = original
    assert {S.COMPLETED, S.FAILED, S.UNSOLD, S.ABANDONED, S.PAID, S.SETTLED} <= reached
