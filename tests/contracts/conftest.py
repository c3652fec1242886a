import pytest

from reference.quotes import encrypt, public_key
from verify.driver import ContractMarket
from verify.toolchain.chain import Chain
from verify.toolchain.compiler import CONTRACTS, compile_sources, read_tree

KEY = 4242
DEPOSIT = 10**15
START = 10**9


@pytest.fixture(scope="session")
def artifacts(fixtures):
    """The project's contracts and the hostile mocks, compiled together."""
    sources = read_tree(CONTRACTS)
    sources.update({f"hostile/{k}": v for k, v in read_tree(fixtures / "hostile").items()})
    return compile_sources(sources)


@pytest.fixture
def market(artifacts):
    """A fresh market with accounts 1..6 registered; account 0 is the operator."""
    chain = Chain(accounts=8)
    m = ContractMarket.deploy(chain, artifacts=artifacts)
    for account in chain.accounts[1:7]:
        assert m.register_user(m.operator, account).ok
    return m


def seal(quote: int, nonce: int = 7):
    return encrypt(public_key(KEY), quote, nonce)
