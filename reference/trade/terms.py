"""TRD-3: the matched terms both parties sign, as EIP-712 typed data in the market's domain, and who signed them
as ``ecrecover`` finds it (no malleable twin)."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_keys.constants import SECPK1_N
from eth_utils import to_checksum_address

from reference.trade.state import BadSignature, Trade, TradeMarket

DOMAIN_NAME = "fairwatt-trade"
DOMAIN_VERSION = "1"
TERMS_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Terms": [
        {"name": "tradeId", "type": "uint256"},
        {"name": "seller", "type": "address"},
        {"name": "buyer", "type": "address"},
        {"name": "volume", "type": "uint256"},
        {"name": "price", "type": "uint256"},
        {"name": "deliveryTime", "type": "uint256"},
    ],
}
"""The EIP-712 types both parties sign (TRD-3)."""


def terms_message(tm: TradeMarket, trade_id: int, trade: Trade) -> dict:
    """TRD-3: the EIP-712 typed data of ``trade``'s terms in this market's domain."""
    return {
        "types": TERMS_TYPES,
        "primaryType": "Terms",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": tm.chain_id,
            "verifyingContract": to_checksum_address(tm.address),
        },
        "message": {
            "tradeId": trade_id,
            "seller": to_checksum_address(trade.seller),
            "buyer": to_checksum_address(trade.buyer),
            "volume": trade.volume,
            "price": trade.price,
            "deliveryTime": trade.delivery_time,
        },
    }


def sign_terms(private_key: bytes, tm: TradeMarket, trade_id: int, trade: Trade) -> bytes:
    """A party's 65-byte signature (r ‖ s ‖ v) over ``trade``'s terms."""
    signed = Account.sign_message(encode_typed_data(full_message=terms_message(tm, trade_id, trade)), private_key)
    return bytes(signed.signature)


def signer(tm: TradeMarket, trade_id: int, trade: Trade, signature: bytes) -> str | None:
    """Who signed ``trade``'s terms, as ``ecrecover`` finds it; None for a malformed or malleable signature."""
    if len(signature) != 65 or signature[64] not in (27, 28):
        return None
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")
    if not (0 < r < SECPK1_N and 0 < s <= SECPK1_N // 2):
        return None
    message = encode_typed_data(full_message=terms_message(tm, trade_id, trade))
    try:
        return Account.recover_message(message, signature=signature)
    except Exception:  # eth_keys refuses a point off the curve: no signer, as ecrecover returns 0
        return None


def require_signed(tm: TradeMarket, trade_id: int, trade: Trade, party: str, signature: bytes) -> None:
    """``BadSignature(party)`` unless ``signature`` is ``party``'s over ``trade``'s terms."""
    found = signer(tm, trade_id, trade, signature)
    if found is None or found.lower() != party.lower():
        raise BadSignature(party)
