"""The actors of the bilateral market's vectors and campaign, with the private keys they sign with.

Role ``i`` of :data:`ROLES` holds private key ``i + 1``, as account ``i`` of every in-process chain does
(:func:`verify.toolchain.chain.account_keys`): the model's addresses are the chain's, so a signature the
model checks is the one the contract checks, given the same domain.
"""

from __future__ import annotations

from eth_keys import keys

from reference import energy as en
from reference import market as mk
from reference import trade as tr

ROLES = ("genesis", "grid", "u0", "u1", "u2", "c0", "c1", "c2", "fee", "stranger")
"""``genesis`` deploys both markets (the auction's operator too); ``grid`` is the grid account;
``u*`` trade; ``c*`` certify; ``fee`` is the third party; ``stranger`` is nobody."""
USERS = ("u0", "u1", "u2")
CERTIFIERS = ("c0", "c1", "c2")
TARIFF = 6 * 10**14
"""Wei per Wh the grid sells at (0.6 per kWh at 10^18 wei per unit of money)."""
FEE = 2 * 10**17
"""The paper's third-party fee: 0.2 at 10^18 wei per unit of money."""


def key(role: str) -> bytes:
    return (ROLES.index(role) + 1).to_bytes(32, "big")


def address(role: str) -> str:
    return keys.PrivateKey(key(role)).public_key.to_checksum_address()


NAMES = {address(role): role for role in ROLES}
"""Addresses back to role names."""


def fresh(market_address: str = mk.MARKET_ADDRESS, chain_id: int = mk.CHAIN_ID) -> tr.TradeMarket:
    """An empty bilateral market deployed by ``genesis`` beside an empty auction of the same operator."""
    genesis = address("genesis")
    return tr.TradeMarket(
        registry=mk.Market(operator=genesis),
        energy=en.EnergyAccounts(genesis=genesis, tariff=TARIFF),
        fee=FEE,
        fee_recipient=address("fee"),
        address=market_address,
        chain_id=chain_id,
    )
