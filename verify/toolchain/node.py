"""A local Ethereum node for the campaigns: anvil from the npm registry, on a free loopback port.

``with anvil() as url:`` starts one (Shanghai rules, 30M-gas blocks, eth-tester's chain id), waits
until it answers, and stops it by its process id when the block ends.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from verify.toolchain.chain import CHAIN_ID, GAS_LIMIT
from verify.toolchain.compiler import ROOT

ANVIL = ROOT / "node_modules" / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
"""The binary npm installs with ``@foundry-rs/anvil`` (pinned in ``package.json``)."""
NODES = ("anvil",)


class NodeError(Exception):
    """The node could not be started or did not answer."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as reply:
            return "result" in json.loads(reply.read())
    except OSError:
        return False


@contextmanager
def anvil(binary: Path = ANVIL, startup_seconds: float = 30) -> Iterator[str]:
    """A fresh anvil on 127.0.0.1; yields its URL."""
    if not binary.exists():
        raise NodeError(f"anvil is not installed at {binary}: run npm ci")
    port = free_port()
    command = [str(binary), "--host", "127.0.0.1", "--port", str(port), "--silent", "--hardfork", "shanghai"]
    command += ["--gas-limit", str(GAS_LIMIT), "--chain-id", str(CHAIN_ID)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while not _answers(url):
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise NodeError(f"anvil exited with {process.returncode}: {error.strip()[:300]}")
            if time.monotonic() > deadline:
                raise NodeError(f"anvil did not answer on {url} within {startup_seconds:.0f} s")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def backend(engine: str, node: str | None = None, rpc: str | None = None) -> Iterator[str]:
    """The chain backend a command runs on: a node started for it (``node``), a running node's URL
    (``rpc``), or the in-process ``engine``. A node that does not answer is a :class:`NodeError`."""
    if node == "anvil":
        with anvil() as url:
            yield url
    elif node is not None:
        raise NodeError(f"unknown node {node!r}: one of {', '.join(NODES)}")
    elif rpc is not None:
        if not rpc.startswith(("http://", "https://")) or not _answers(rpc):
            raise NodeError(f"no JSON-RPC node answers at {rpc}")
        yield rpc
    else:
        yield engine
