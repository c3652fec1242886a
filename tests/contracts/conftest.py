import pytest

from reference.quotes import encrypt, public_key
from verify.differential.machine import artifacts_with_mocks
from verify.driver import ContractMarket
from verify.toolchain.chain import Chain
from verify.toolchain.compiler import CONTRACTS

KEY = 4242
DEPOSIT = 10**15
START = 10**9


@pytest.fixture(scope="session")
def artifacts():
    """The project's contracts and the hostile mocks, compiled together."""
    return artifacts_with_mocks(CONTRACTS)


@pytest.fixture
def market(artifacts):
    """A fresh market with accounts 1..6 registered; account 0 is the operator."""
    chain = Chain(accounts=8)
    m = ContractMarket.deploy(chain, artifacts=artifacts)
    for account in chain.accounts[1:7]:
        assert m.register_user(m.operator, account).ok
    return m


def seal(market, bidder: str, quote: int, nonce: int = 7, order_id: int = 0):
    """``bidder``'s sealed quote for ``order_id``, in the context the contract opens it in (QUO-5)."""
    return encrypt(public_key(KEY), quote, nonce, market.bid_context(order_id, bidder))
