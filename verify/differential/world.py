"""The world a differential campaign runs in: the market under test deployed, with the mocks, on a fresh
chain, its actors registered and a snapshot to go back to before every run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verify.differential.wallets import deploy as wallet_market
from verify.driver import ContractMarket
from verify.toolchain.chain import Chain
from verify.toolchain.compiler import Artifact

ROLES = ("s0", "s1", "b0", "b1", "b2", "stranger", "hostile", "reentrant")
"""Actors: two sellers, three bidders, an unregistered account, a contract that refuses ether and a
contract that re-enters ``withdraw`` when paid."""
REFUSING = "hostile"


@dataclass
class World:
    """A deployed market with its actors, snapshotted right after set-up."""

    contract: ContractMarket
    actors: dict[str, str]
    snapshot: Any = None
    steps: int = 0
    seconds: float = 0.0
    reached: set = field(default_factory=set)


def build_world(artifacts: dict[str, Artifact], backend: str | None = None, wallets: bool = False) -> World:
    """Deploy the market and a hostile bidder on a fresh chain of ``backend``; register the actors.
    With ``wallets`` the operator and the first six roles are contract accounts (:mod:`.wallets`)."""
    chain = Chain(accounts=8, backend=backend)
    contract: ContractMarket
    if wallets:
        contract, actors = wallet_market(chain, artifacts, list(ROLES[:6]))
    else:
        contract = ContractMarket.deploy(chain, artifacts=artifacts)
        actors = dict(zip(ROLES[:6], chain.accounts[1:7], strict=True))
    for role, mode in (("hostile", 1), ("reentrant", 2)):  # HostileBidder.Mode: Revert, Reenter
        proxy = chain.deploy(artifacts["HostileBidder"], contract.address, value=10**20).value
        assert chain.transact(proxy.functions.setMode(mode)).ok
        contract.proxies[proxy.address] = proxy
        actors[role] = proxy.address
    contract.reader = chain.deploy(artifacts["StateReader"], sender=chain.accounts[-1]).value
    world = World(contract, actors)
    world.snapshot = contract.snapshot()
    return world


MOCKS = Path(__file__).with_name("mocks")
"""Hostile counterparties and the state reader, compiled beside the market under test (they import its
interface)."""


def artifacts_with_mocks(contracts: Path) -> dict[str, Artifact]:
    """Compile the market under test, then again with the hostile mocks.

    The first compile reports the implementation's own errors; the mocks import
    ``interfaces/IFairwattMarket.sol``, fairwatt's own unless the implementation ships one.
    """
    from verify.toolchain.compiler import CONTRACTS, compile_sources, read_tree

    sources = read_tree(contracts)
    compile_sources(sources)
    interface = "interfaces/IFairwattMarket.sol"
    sources.setdefault(interface, (CONTRACTS / interface).read_text())
    sources.update({f"hostile/{k}": v for k, v in read_tree(MOCKS).items()})
    return compile_sources(sources)
