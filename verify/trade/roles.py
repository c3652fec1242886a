"""The actors of the bilateral market's vectors and campaign, with the private keys they sign with.

Role ``i`` of :data:`ROLES` holds private key ``i + 1``, as account ``i`` of every in-process chain does
(:func:`verify.toolchain.chain.account_keys`): the model's addresses are the chain's, so a signature the
model checks is the one the contract checks, given the same domain.
"""

from __future__ import annotations

import rlp
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

from reference import energy as en
from reference import fingerprints as fp
from reference import market as mk
from reference import trade as tr

ROLES = ("genesis", "grid", "u0", "u1", "u2", "c0", "c1", "c2", "fee", "stranger")
"""``genesis`` deploys both markets and the fingerprints (the auction's operator and the fingerprints' admin
too); ``grid`` is the grid account, registered as the fingerprints' provider of delivery evidence;
``u*`` trade; ``c*`` certify; ``fee`` is the third party; ``stranger`` is nobody."""
USERS = ("u0", "u1", "u2")
CERTIFIERS = ("c0", "c1", "c2")
TARIFF = 6 * 10**14
"""Wei per Wh the grid sells at (0.6 per kWh at 10^18 wei per unit of money)."""
FEE = 2 * 10**17
"""The paper's third-party fee: 0.2 at 10^18 wei per unit of money."""
REFUSING = "hostile"
"""A contract account that refuses ether (``RefusingWallet``, its calls relayed): its withdrawal reverts
``TransferFailed`` (TRD-8). Not one of :data:`ROLES`: a case lists it among its roles when it acts. Its key is
the one after the relayer's (the chain's account ``len(ROLES)``): no account of the chain."""


def key(role: str) -> bytes:
    index = len(ROLES) + 1 if role == REFUSING else ROLES.index(role)
    return (index + 1).to_bytes(32, "big")


def address(role: str) -> str:
    return keys.PrivateKey(key(role)).public_key.to_checksum_address()


def created(deployer: str, nonce: int) -> str:
    """The address of the contract ``deployer`` creates with its transaction number ``nonce`` (CREATE)."""
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(deployer[2:]), nonce]))[12:])


MARKET_NONCE = 2
"""``genesis`` deploys the auction (its transaction 0), the fingerprints (1), then the bilateral market (2)."""
MARKET = created(address("genesis"), MARKET_NONCE)
"""Where the bilateral market is on every fresh chain (``ContractTrade.deploy`` checks it): the vectors'
model is there too, so the evidence it anchors names the market the replay deploys (FPR-7)."""
NAMES = {address(role): role for role in (*ROLES, REFUSING)} | {MARKET: "market"}
"""Addresses back to role names; the bilateral market is ``market``."""


def account(name: str) -> str:
    """A role's address, the bilateral market's for ``market``; an address as it is."""
    return MARKET if name == "market" else name if name.startswith("0x") else address(name)


def fresh(market_address: str = MARKET, chain_id: int = mk.CHAIN_ID, linked: bool = True) -> tr.TradeMarket:
    """An empty bilateral market deployed by ``genesis`` beside an empty auction of the same operator and the
    fingerprints, ``grid`` registered there as a provider; linked to the auction (TRD-10) unless not ``linked``."""
    genesis, grid = address("genesis"), address("grid")
    fingerprints, _ = fp.register_participant(fp.deploy(genesis), genesis, grid, int(fp.Role.PROVIDER))
    return tr.TradeMarket(
        registry=mk.Market(operator=genesis),
        energy=en.EnergyAccounts(genesis=genesis, tariff=TARIFF),
        fee=FEE,
        fee_recipient=address("fee"),
        address=market_address,
        chain_id=chain_id,
        fingerprints=fingerprints,
        grid=grid,
        bilateral=market_address if linked else mk.ZERO_ADDRESS,
    )
