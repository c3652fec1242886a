"""The bilateral market: seed 004's seven-stage trade (``spec/trade.md``, TRD-1..TRD-10).

Asks and bids are declared (volume P in Wh, price C in wei per Wh, delivery time T), matched when the
ask does not exceed the bid, authenticated by both parties' EIP-712 signatures over the matched terms
(the buyer escrows the payment and the fee, the seller's Wh are locked), executed with the grid's meter
data, certified by a strict majority of the registered certifiers once the grid has anchored the
execution record's fingerprint (FPR-7), cleared after the delivery period and settled: the seller is paid
for what was delivered, the third party takes the flat fee. Users are the auction's (``registry``, read
only; the auction links this market to write reputation, TRD-10); energy moves in the kWh assets of
:mod:`reference.energy`.

The package splits the model along the clauses: :mod:`~reference.trade.state` (statuses, errors, events,
state), :mod:`~reference.trade.stages` (TRD-1..TRD-7), :mod:`~reference.trade.terms` (the signed terms, TRD-3),
:mod:`~reference.trade.evidence` (FPR-7) and :mod:`~reference.trade.auction` (TRD-10, ENG-9); every name is
here too, as ``reference.trade.X``.
"""

from __future__ import annotations

from reference.trade.auction import (
    link_bilateral,
    record_bilateral_trade,
    settle_auction_energy,
)
from reference.trade.evidence import (
    anchor_evidence,
    evidence_hash,
    evidenced,
)
from reference.trade.stages import (
    add_certifier,
    authenticate_match,
    certified,
    certify_execution,
    clear_trade,
    declare_ask,
    declare_bid,
    match_offers,
    record_execution,
    rejected,
    settle_trade,
)
from reference.trade.state import (
    PERIOD,
    UINT40_MAX,
    AlreadyVoted,
    AskAboveBid,
    AuctionEnergySettled,
    BadSignature,
    CertifierAdded,
    EnergySettledAlready,
    ExcessDelivery,
    ExecutionCertified,
    ExecutionVoted,
    InvalidEvidenceSource,
    InvalidMatch,
    InvalidOffer,
    MatchAuthenticated,
    NoCertifiers,
    NoDeliveryEvidence,
    NotBilateral,
    NotBuyer,
    NotCertifier,
    Offer,
    OfferDeclared,
    Period,
    Result,
    Side,
    Trade,
    TradeCleared,
    TradeExecuted,
    TradeMarket,
    TradeMatched,
    TradeSettled,
    TradeStatus,
    UnknownOffer,
    UnknownTrade,
    WrongTradeStage,
    escrow,
    get_offer,
    get_period,
    get_trade,
    held,
    is_solvent,
    period_of,
    require_stage,
    with_trade,
)
from reference.trade.terms import (
    DOMAIN_NAME,
    DOMAIN_VERSION,
    SECPK1_N,
    TERMS_TYPES,
    require_signed,
    sign_terms,
    signer,
    terms_message,
)

__all__ = [
    # state
    "PERIOD",
    "UINT40_MAX",
    "Side",
    "TradeStatus",
    "InvalidOffer",
    "UnknownOffer",
    "InvalidMatch",
    "AskAboveBid",
    "UnknownTrade",
    "WrongTradeStage",
    "NotBuyer",
    "BadSignature",
    "ExcessDelivery",
    "NoCertifiers",
    "NotCertifier",
    "AlreadyVoted",
    "EnergySettledAlready",
    "NotBilateral",
    "NoDeliveryEvidence",
    "InvalidEvidenceSource",
    "OfferDeclared",
    "TradeMatched",
    "MatchAuthenticated",
    "TradeExecuted",
    "CertifierAdded",
    "ExecutionVoted",
    "ExecutionCertified",
    "TradeCleared",
    "TradeSettled",
    "AuctionEnergySettled",
    "Offer",
    "Trade",
    "Period",
    "TradeMarket",
    "Result",
    "escrow",
    "held",
    "is_solvent",
    "period_of",
    "get_trade",
    "get_offer",
    "get_period",
    "require_stage",
    "with_trade",
    # terms
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "TERMS_TYPES",
    "terms_message",
    "sign_terms",
    "signer",
    "SECPK1_N",
    "require_signed",
    # stages
    "declare_ask",
    "declare_bid",
    "match_offers",
    "authenticate_match",
    "record_execution",
    "add_certifier",
    "certified",
    "rejected",
    "certify_execution",
    "clear_trade",
    "settle_trade",
    # evidence
    "evidence_hash",
    "evidenced",
    "anchor_evidence",
    # auction
    "link_bilateral",
    "record_bilateral_trade",
    "settle_auction_energy",
]
