"""Render ``contracts/generated/Params.sol`` from ``spec/params.toml`` (PAR-1): one source of constants.

Run ``python -m verify.toolchain.params_sol`` after changing the parameters; a test fails while the
committed file differs from the rendering.
"""

from __future__ import annotations

from dataclasses import fields

from reference.params import RESOLVED, Params
from verify.toolchain.compiler import CONTRACTS

TARGET = CONTRACTS / "generated" / "Params.sol"


def _solidity_name(field: str) -> str:
    return field.upper()


def render(params: Params = RESOLVED) -> str:
    lines = [
        "// SPDX-License-Identifier: MIT",
        "// Generated from spec/params.toml [resolved] by verify/toolchain/params_sol.py. Do not edit.",
        "pragma solidity ^0.8.24;",
        "",
        "/// @dev The mechanism's constants (PAR-1). Fixed-point values are scaled by WAD.",
        "library Params {",
    ]
    for field in fields(Params):
        value = getattr(params, field.name)
        if isinstance(value, bool):
            lines.append(f"    bool internal constant {_solidity_name(field.name)} = {str(value).lower()};")
        else:
            lines.append(f"    uint256 internal constant {_solidity_name(field.name)} = {value};")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(render())
    print(f"wrote {TARGET}")
