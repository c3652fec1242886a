"""Z3 obligations of the bilateral market and the energy accounts (ENG-8, TRD-3, TRD-5, TRD-8).

The encodings below mirror what ``reference.trade`` and ``reference.energy`` compute for each
transition; ``tests/trade/test_proofs.py`` evaluates them against the reference transitions on concrete
markets. Each obligation names a known-bad variant (``VARIANTS``) that must refute it.

Signatures are modelled at the level of the typed data: keccak256 is an uninterpreted function assumed
collision-free (injective: every argument is recoverable from the hash), and the fields hashed are those
of ``reference.trade.TERMS_TYPES``, the types the reference signs with eth-account and the contract's
type hash spells out.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

import z3

from reference import energy as en
from reference import trade as tr
from reference.params import Params
from verify.checks.proofs.base import ProofCheck, every_move, named_ints
from verify.checks.proofs.encodings import as_z3
from verify.checks.proofs.variants import Variant
from verify.findings import Impact

# -- encodings ---------------------------------------------------------------------------------------


def triggered(meter, amount, n: int = en.METER_SET_VALUE):
    """``reference.energy.report_generation``: the Wh the meter turns into assets."""
    total = as_z3(meter) + amount
    return total - total % n


def consumed(balance, amount):
    """``reference.energy.report_consumption``: at most the balance is consumed."""
    return z3.If(as_z3(amount) < balance, as_z3(amount), as_z3(balance))


def escrow(volume, price, fee):
    """``reference.trade.escrow``: what the buyer pays in at authentication."""
    return as_z3(volume) * price + fee


def reject_credit(volume, price, fee):
    """``reference.trade.certify_execution`` on a rejection: the buyer's refund."""
    return escrow(volume, price, fee)


def settle_credits(volume, delivered, price, fee):
    """``reference.trade.settle_trade``: (the seller's payment, the third party's fee, the buyer's refund)."""
    return as_z3(delivered) * price, as_z3(fee), (as_z3(volume) - delivered) * price


def settle_energy(volume, delivered):
    """``reference.trade.settle_trade``: (Wh to the buyer, Wh back to the seller)."""
    return as_z3(delivered), as_z3(volume) - delivered


def certified(passes, certifiers):
    """``reference.trade.certified`` (eq 5 as resolved, ERR-31)."""
    return 2 * as_z3(passes) > certifiers


def rejected(opposes, certifiers):
    """``reference.trade.rejected``."""
    return 2 * as_z3(opposes) >= certifiers


def terms_fields() -> list[str]:
    """The fields of the signed struct, as ``reference.trade.TERMS_TYPES`` declares them."""
    return [f["name"] for f in tr.TERMS_TYPES["Terms"]]


def domain_fields() -> list[str]:
    """The fields of the EIP-712 domain separator."""
    return [f["name"] for f in tr.TERMS_TYPES["EIP712Domain"]]


ENCODINGS = SimpleNamespace(
    **{
        f.__name__: f
        for f in (triggered, consumed, escrow, reject_credit, settle_credits, settle_energy, certified, rejected)
    },
    terms_fields=terms_fields,
    domain_fields=domain_fields,
)


VARIANTS = {
    v.id: v
    for v in (
        Variant(
            "settle-drops-undelivered",
            "settlement gives the buyer the delivered Wh but not the undelivered rest back to the seller",
            "settle_energy",
            lambda volume, delivered: (as_z3(delivered), z3.IntVal(0)),
        ),
        Variant(
            "fee-kept",
            "settlement pays the seller and refunds the buyer but credits nobody with the fee",
            "settle_credits",
            lambda volume, delivered, price, fee: (
                as_z3(delivered) * price,
                z3.IntVal(0),
                (volume - delivered) * price,
            ),
        ),
        Variant(
            "half-certifies",
            "eq 5 read as 'at least half': 2·passes ≥ count certifies",
            "certified",
            lambda passes, certifiers: 2 * as_z3(passes) >= certifiers,
        ),
        Variant(
            "terms-without-trade-id",
            "the signed struct leaves out the trade id",
            "terms_fields",
            lambda: [f for f in terms_fields() if f != "tradeId"],
        ),
        Variant(
            "domain-without-chain",
            "the domain separator leaves out the chain id",
            "domain_fields",
            lambda: [f for f in domain_fields() if f != "chainId"],
        ),
    )
}


class TradeProof(ProofCheck):
    ABSTRACT = True
    ENCODINGS = ENCODINGS
    KNOWN_BAD = VARIANTS
    IMPACT = Impact.HIGH


# -- energy conservation (ENG-8) ------------------------------------------------------------------------


def energy_moves(e, x: SimpleNamespace) -> dict[str, tuple[Any, tuple]]:
    """transition -> (guard, (Δissued, Δbalances, Δlocked, Δconsumed)), ``x`` the values it reads."""
    moved = x.amount - x.amount  # a move between two accounts: debited and credited alike
    used = e.consumed(x.balance, x.amount)
    made = e.triggered(x.meter, x.amount)
    to_buyer, to_seller = e.settle_energy(x.volume, x.delivered)
    return {
        "issue_energy": (x.amount > 0, (x.amount, x.amount, 0, 0)),
        "report_generation": (z3.And(x.amount > 0, x.meter >= 0, x.meter < en.METER_SET_VALUE), (made, made, 0, 0)),
        "report_consumption": (x.amount > 0, (0, -used, 0, used)),
        "transfer_energy": (x.amount <= x.balance, (0, moved, 0, 0)),
        "purchase_energy": (x.amount <= x.balance, (0, moved, 0, 0)),
        "settle_auction_energy": (x.amount <= x.balance, (0, moved, 0, 0)),
        "authenticate_match": (x.volume <= x.balance, (0, -x.volume, x.volume, 0)),
        "certify_execution": (x.volume <= x.locked, (0, x.volume, -x.volume, 0)),
        "settle_trade": (
            z3.And(x.delivered <= x.volume, x.volume <= x.locked),
            (0, to_buyer + to_seller, -x.volume, 0),
        ),
    }


class EnergyConservation(TradeProof):
    ID = "prove-energy-conservation"
    REFUTED_BY = "settle-drops-undelivered"
    CLAUSES = ("ENG-8", "TRD-7")
    STATEMENT = (
        "kWh issued = Σ balances + locked + consumed after every energy transition (issue, meter trigger, "
        "consumption, transfer, purchase, auction energy, authentication's lock, rejection, settlement), "
        "and no balance, lock or meter goes negative."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = named_ints("issued balances locked consumed amount balance meter volume delivered")
        before = z3.And(
            x.issued == x.balances + x.locked + x.consumed,
            *(v >= 0 for v in (x.balances, x.locked, x.consumed, x.amount, x.volume, x.delivered)),
            x.balance >= 0,
            x.balance <= x.balances,
        )
        claims = []
        for guard, (di, db, dl, dc) in energy_moves(e, x).values():
            after = (x.issued + di, x.balances + db, x.locked + dl, x.consumed + dc)
            claims.append((guard, z3.And(after[0] == after[1] + after[2] + after[3], *(v >= 0 for v in after))))
        meter_left = x.meter + x.amount - e.triggered(x.meter, x.amount)
        meter = z3.Implies(z3.And(x.meter >= 0, x.amount > 0), z3.And(meter_left >= 0, meter_left < en.METER_SET_VALUE))
        return z3.And(meter, *every_move(before, claims))


# -- money conservation (TRD-8) ------------------------------------------------------------------------


def money_moves(e, x: SimpleNamespace) -> dict[str, tuple[Any, tuple]]:
    """transition -> (guard, (Δwei held, Δpending, Δescrow held)), ``x`` the values it reads."""
    escrowed = e.escrow(x.volume, x.price, x.fee)
    seller, third, buyer = e.settle_credits(x.volume, x.delivered, x.price, x.fee)
    sale = x.amount * x.tariff
    return {
        "authenticate_match": (z3.BoolVal(True), (escrowed, 0, escrowed)),
        "certify_execution": (z3.BoolVal(True), (0, e.reject_credit(x.volume, x.price, x.fee), -escrowed)),
        "settle_trade": (x.delivered <= x.volume, (0, seller + third + buyer, -escrowed)),
        "purchase_energy": (z3.BoolVal(True), (sale, sale, 0)),
        "withdraw": (z3.And(x.owed > 0, x.owed <= x.pending), (-x.owed, -x.owed, 0)),
    }


class MoneyConservation(TradeProof):
    ID = "prove-trade-money-conservation"
    REFUTED_BY = "fee-kept"
    CLAUSES = ("TRD-8", "TRD-7")
    STATEMENT = (
        "Every transition of the bilateral market and the energy accounts changes the wei held by exactly "
        "the change of what is owed (pending + escrow): escrow in = seller + third party's fee + buyer's "
        "refund out; settlement pays the seller delivered × price and the third party the fee."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        x = named_ints("wei pending held volume delivered price fee amount tariff owed")
        before = z3.And(
            x.wei == x.pending + x.held,
            *(v >= 0 for v in (x.pending, x.held, x.volume, x.delivered, x.price, x.fee, x.amount, x.tariff)),
        )
        escrowed = e.escrow(x.volume, x.price, x.fee)
        claims = []
        for name, (guard, (dw, dp, dh)) in money_moves(e, x).items():
            held = x.held if name == "authenticate_match" else x.held - escrowed  # a release needs its escrow
            guard = z3.And(guard, held >= 0) if name in ("certify_execution", "settle_trade") else guard
            ok = z3.And(x.wei + dw == x.pending + dp + x.held + dh, x.pending + dp >= 0, x.held + dh >= 0)
            claims.append((guard, ok))
        seller, third, _ = e.settle_credits(x.volume, x.delivered, x.price, x.fee)
        exact = z3.Implies(before, z3.And(seller == x.delivered * x.price, third == x.fee))
        return z3.And(exact, *every_move(before, claims))


# -- certification (TRD-5, eq 5) --------------------------------------------------------------------------


class CertificationMajority(TradeProof):
    ID = "prove-certification-majority"
    REFUTED_BY = "half-certifies"
    CLAUSES = ("TRD-5",)
    STATEMENT = (
        "For every number of certifiers n ≥ 1 and votes cast once each: passes from at most half of them "
        "never certify; passes from more than half always certify, and are never pre-empted by a rejection; "
        "no execution is both certified and rejected."
    )

    def claim(self, p: Params, e) -> z3.BoolRef:
        n, passes, opposes = z3.Ints("certifiers passes opposes")
        votes = z3.And(n >= 1, passes >= 0, opposes >= 0, passes + opposes <= n)
        return z3.Implies(
            votes,
            z3.And(
                z3.Implies(2 * passes <= n, z3.Not(e.certified(passes, n))),
                z3.Implies(2 * passes > n, e.certified(passes, n)),
                z3.Implies(2 * passes > n, z3.Not(e.rejected(n - passes, n))),  # the rest all oppose
                z3.Not(z3.And(e.certified(passes, n), e.rejected(opposes, n))),
            ),
        )


# -- signatures (TRD-3, TRD-9) -------------------------------------------------------------------------------

TRADE_TERMS = ("tradeId", "seller", "buyer", "volume", "price", "deliveryTime")
"""The terms a signature must bind (TRD-3), spelled out here and not read from the hashed list, so
that a field dropped from ``TERMS_TYPES`` refutes :class:`SignatureBindsTrade` instead of leaving it."""


def digest(e, values: dict[str, z3.ArithRef]) -> tuple[z3.ArithRef, list[z3.BoolRef]]:
    """The EIP-712 digest ``keccak(0x1901 ‖ domain ‖ keccak(terms))`` of ``values``, keccak256 an
    uninterpreted function per arity, and its injectivity at these arguments: each one is recovered
    from the hash (ground instances of ``∀x: unkeccak_i(keccak(x)) = x_i``, collision resistance)."""
    axioms = []

    def keccak(tag: str, args: list[z3.ArithRef]) -> z3.ArithRef:
        h = z3.Function(f"keccak_{tag}", *([z3.IntSort()] * len(args)), z3.IntSort())
        for i, arg in enumerate(args):
            axioms.append(z3.Function(f"unkeccak_{tag}_{i}", z3.IntSort(), z3.IntSort())(h(*args)) == arg)
        return h(*args)

    domain = keccak("domain", [values[f] for f in e.domain_fields()])
    terms = keccak("terms", [values[f] for f in e.terms_fields()])
    return keccak("message", [domain, terms]), axioms


def _two_signed() -> tuple[dict, dict]:
    signed = dict.fromkeys([*domain_fields(), *terms_fields(), *TRADE_TERMS])  # every field, in order, once
    return ({f: z3.Int(f"{f}_{side}") for f in signed} for side in ("a", "b"))  # type: ignore[return-value]


class SignatureBinds(TradeProof):
    """Two typed-data digests are equal only if the fields ``BOUND`` are."""

    ABSTRACT = True
    BOUND: ClassVar[tuple[str, ...]] = ()

    def claim(self, p: Params, e) -> z3.BoolRef:
        a, b = _two_signed()
        da, axioms = digest(e, a)
        db, more = digest(e, b)
        return z3.Implies(z3.And(*axioms, *more, da == db), z3.And([a[f] == b[f] for f in self.BOUND]))


class SignatureBindsTrade(SignatureBinds):
    ID = "prove-signature-binds-trade"
    REFUTED_BY = "terms-without-trade-id"
    CLAUSES = ("TRD-3",)
    BOUND = TRADE_TERMS
    STATEMENT = (
        "Two typed-data digests are equal only if the trade id, seller, buyer, volume, price and delivery "
        "time are: a signature over one trade's terms is no signature for another trade, even one matched "
        "on the same terms (keccak256 collision-free)."
    )


class SignatureBindsDomain(SignatureBinds):
    ID = "prove-signature-binds-domain"
    REFUTED_BY = "domain-without-chain"
    CLAUSES = ("TRD-3", "TRD-9")
    BOUND = ("chainId", "verifyingContract")
    STATEMENT = (
        "Two typed-data digests are equal only if the chain id and the market's address are: a signature "
        "is valid on one chain and one deployment only (keccak256 collision-free)."
    )
