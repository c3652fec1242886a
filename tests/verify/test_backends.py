"""One chain interface, three engines: eth-tester, pyrevm and a JSON-RPC node (anvil) agree."""

import json
import random

import pytest
from eth_abi import decode, encode
from eth_abi.exceptions import EncodingError

from reference.quotes import public_key
from verify import gas, vectors
from verify.cli import main
from verify.differential import edges
from verify.differential.machine import artifacts_with_mocks, build_world
from verify.driver import ContractMarket
from verify.toolchain.abi import decoder, encoder
from verify.toolchain.chain import Chain, checksum
from verify.toolchain.compiler import CONTRACTS
from verify.toolchain.node import NodeError, anvil, backend

TYPES = ("uint256", "address", "bool", "int64", "bytes28", "(address,uint256[],string,(bool,uint8))", "bytes")


def _value(typ: str, rng: random.Random):
    simple = {
        "uint256": lambda: rng.randrange(2**256),
        "address": lambda: "0x" + rng.randbytes(20).hex(),
        "bool": lambda: rng.random() < 0.5,
        "int64": lambda: rng.randrange(-(2**63), 2**63),
        "bytes28": lambda: rng.randbytes(28),
        "bytes": lambda: rng.randbytes(rng.randrange(70)),
    }
    if typ in simple:
        return simple[typ]()
    words = tuple(rng.randrange(2**40) for _ in range(rng.randrange(4)))
    return ("0x" + rng.randbytes(20).hex(), words, "x" * rng.randrange(40), (True, rng.randrange(256)))


def _checksummed(value):
    """eth-abi's values with every address checksummed, as the chain gives them."""
    if isinstance(value, tuple):
        return tuple(_checksummed(v) for v in value)
    return checksum(value) if isinstance(value, str) and value.startswith("0x") else value


def test_the_fast_decoder_and_encoder_agree_with_eth_abi_and_reject_bad_data():
    rng = random.Random(7)
    for _ in range(200):
        types = tuple(rng.sample(TYPES, rng.randrange(1, len(TYPES))))
        values = [_value(t, rng) for t in types]
        data = encode(list(types), values)
        assert decoder(types)(data) == _checksummed(decode(list(types), data))
        assert encoder(types)(tuple(values)) == data
    with pytest.raises(ValueError):
        decoder(("uint256", "uint256"))(bytes(40))
    for typ, bad in (("uint8", 256), ("uint256", -1), ("address", "0xabc"), ("bool", 1), ("bytes2", b"abc")):
        with pytest.raises(EncodingError):  # eth-abi's own error, as before
            encoder((typ,))((bad,))


def test_one_read_gives_what_each_view_gives_and_is_made_again_only_when_the_chain_moved():
    world = build_world(artifacts_with_mocks(CONTRACTS), "pyrevm")
    market, chain = world.contract, world.contract.chain
    accounts = list(world.actors.values())
    assert market.register_user(market.operator, accounts[0]).ok
    assert market.post_order(accounts[0], 1000, 10**9, 10**15, public_key(5)).ok
    state = market.read_state(accounts)
    assert [market.decode_order(raw) for raw in state.orders] == [market.order(0)]
    assert [market.decode_user(raw) for raw in state.users] == [market.user(a) for a in accounts]
    assert state.ether == tuple(chain.balance(a) for a in accounts) and state.balance == market.balance()
    moves = chain.moves
    rejected = market.register_user(market.operator, accounts[0])
    assert not rejected.ok and not rejected.mined and chain.moves == moves
    assert market.read_state(accounts) is state  # a revert moved nothing: the last read stands
    assert market._read(accounts) == state  # and reading again gives the same bytes
    market.at_time(chain.pending_timestamp() + 100)
    assert chain.moves == moves + 1 and market.read_state(accounts) is not state
    assert market.register_user(market.operator, accounts[1]).mined and chain.moves == moves + 2
    assert market.read_state(accounts).users[1] != state.users[1]
    market.revert(world.snapshot)
    assert chain.moves == moves + 3 and market.read_state(accounts).orders == ()


@pytest.fixture(scope="module")
def node():
    with anvil() as url:
        yield url


def _replays(engine: str) -> dict:
    """The vectors, one of them tampered so that a difference must be reported, replayed on ``engine``;
    the long walks to the reputation bands only on pyrevm (test_vectors.py): on py-evm they cost a minute."""
    cases = [s.case() for s in vectors.scenarios() if s.name not in edges.LONG]
    tampered = next(c for c in cases if c["name"] == "single_bid_pays_the_start_price")
    tampered["steps"][-1]["expect"]["events"][0][1]["price"] += 1
    return vectors.replay_all(CONTRACTS, cases, engine)


@pytest.mark.slow
def test_the_vectors_give_identical_results_on_every_engine(node):
    results = {engine: _replays(engine) for engine in ("pyrevm", "eth-tester", node)}
    fast = results["pyrevm"]
    assert fast["single_bid_pays_the_start_price"] and "events" in fast["single_bid_pays_the_start_price"][0]
    assert sum(map(bool, fast.values())) == 1 and len(fast) >= 9
    assert results["eth-tester"] == fast and results[node] == fast


def test_pyrevm_keeps_the_clock_nonces_and_snapshots_like_eth_tester():
    chains = [Chain(accounts=3, backend=engine) for engine in ("pyrevm", "eth-tester")]
    markets = [ContractMarket.deploy(c) for c in chains]
    assert markets[0].address == markets[1].address  # same accounts, same nonces: same CREATE address
    for chain, market in zip(chains, markets, strict=True):
        snap = market.snapshot()
        start = chain.pending_timestamp()
        assert market.register_user(market.operator, chain.accounts[1]).ok
        assert chain.pending_timestamp() == start + 1  # one block per transaction
        again = market.register_user(market.operator, chain.accounts[1])
        assert (again.error, again.error_args) == ("AlreadyRegistered", (chain.accounts[1],))
        assert chain.pending_timestamp() == start + 1  # a revert is never mined
        market.at_time(start + 1000)
        assert chain.pending_timestamp() == start + 1000 and chain.now() == start + 999
        market.revert(snap)
        assert chain.pending_timestamp() == start and not market.user(chain.accounts[1])["registered"]
    fast = chains[0]
    first, second = fast.snapshot(), fast.snapshot()
    with pytest.raises(ValueError, match="newest first"):
        fast.revert(first)
    fast.revert(second)
    with pytest.raises(ValueError, match="unknown chain backend"):
        Chain(backend="geth")


def test_gas_comes_only_from_engines_that_run_real_transactions():
    assert Chain(backend="eth-tester").real_gas and not Chain(backend="pyrevm").real_gas
    with pytest.raises(ValueError, match="real transactions"):
        gas.run((1, 2), backend="pyrevm")


@pytest.mark.slow
def test_gas_on_a_fresh_anvil_equals_eth_tester():
    with anvil() as url:  # fresh: the same nonces give the market the same address, the calldata the same bytes
        on_node = gas.summary(gas.run((2, 4), backend=url))
    on_tester = gas.summary(gas.run((2, 4), backend="eth-tester"))
    assert on_node == on_tester and on_node["place_bid"] > 21_000


@pytest.mark.slow
def test_diff_on_a_fresh_anvil(tmp_path, capsys):
    out = tmp_path / "diff.json"
    assert main(["diff", "--node", "anvil", "--examples", "5", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["engine"].startswith("http://127.0.0.1:") and data["steps"] > 50 and data["failures"] == []
    assert all(problems == [] for problems in data["vectors"].values())
    assert "on anvil" in capsys.readouterr().out


def test_a_node_that_does_not_answer_is_one_clear_error(tmp_path, capsys):
    assert main(["diff", "--rpc", "http://127.0.0.1:9", "--examples", "1"]) == 2
    assert main(["gas", "--rpc", "ftp://nowhere", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("no JSON-RPC node answers") == 2
    with pytest.raises(NodeError, match="not installed"), anvil(tmp_path / "anvil"):
        pass
    with pytest.raises(NodeError, match="unknown node"), backend("pyrevm", node="ganache"):
        pass
