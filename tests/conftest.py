from pathlib import Path

import pytest

from verify.toolchain.compiler import compile_sources

FIXTURES = Path(__file__).parent / "fixtures"
pytest_plugins = ["verify.traceability"]


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def good_artifacts():
    return compile_sources({"SafeBank.sol": (FIXTURES / "scan" / "SafeBank.sol").read_text()})
