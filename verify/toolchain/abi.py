"""ABI decoding compiled once per type list: the hot path of a campaign reads every order and user after
every step, and eth-abi's general decoder costs more than the EVM call itself.

:func:`decoder` returns a function from return data to the tuple eth-abi's ``decode`` gives (addresses
checksummed). Data too short for its types raises :class:`ValueError`. :func:`encoder` is the way back,
for the arguments of every call a campaign sends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import eth_abi
from eth_utils import is_address, to_checksum_address

Read = Callable[[bytes, int], Any]
"""Reads one value whose head is at ``offset`` of ``data`` (dynamic values: relative to their block)."""

_ARRAY = re.compile(r"^(.*)\[(\d*)\]$")


@lru_cache(maxsize=65_536)
def _address(word: bytes) -> str:
    return to_checksum_address(word[12:])


def _word(data: bytes, offset: int) -> bytes:
    word = data[offset : offset + 32]
    if len(word) != 32:
        raise ValueError(f"ABI data ends at {len(data)} bytes, a word was expected at {offset}")
    return word


def _split(inner: str) -> list[str]:
    """The component types of a tuple's inside, split at top-level commas."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    return parts + [inner[start:]] if inner else []


def _dynamic(typ: str) -> bool:
    array = _ARRAY.match(typ)
    if array:
        return array.group(2) == "" or _dynamic(array.group(1))
    if typ.startswith("("):
        return any(_dynamic(t) for t in _split(typ[1:-1]))
    return typ in ("bytes", "string")


def _size(typ: str) -> int:
    """Head size of a static type."""
    array = _ARRAY.match(typ)
    if array:
        return int(array.group(2)) * _size(array.group(1))
    if typ.startswith("("):
        return sum(_size(t) for t in _split(typ[1:-1]))
    return 32


def _sequence(types: list[str]) -> Callable[[bytes, int], tuple]:
    """Reads a tuple encoded at ``base``: static parts in place, dynamic parts through an offset."""
    parts: list[tuple[int, bool, Read]] = []
    head = 0
    for t in types:
        dynamic = _dynamic(t)
        parts.append((head, dynamic, _reader(t)))
        head += 32 if dynamic else _size(t)

    def read(data: bytes, base: int) -> tuple:
        out = []
        for at, dynamic, reader in parts:
            if dynamic:
                out.append(reader(data, base + int.from_bytes(_word(data, base + at), "big")))
            else:
                out.append(reader(data, base + at))
        return tuple(out)

    return read


@lru_cache(maxsize=4096)
def _repeated(element: str, count: int) -> Callable[[bytes, int], tuple]:
    """A reader of ``count`` values of type ``element``: a dynamic array's elements, built once per length."""
    return _sequence([element] * count)


def _reader(typ: str) -> Read:
    array = _ARRAY.match(typ)
    if array:
        element, length = array.group(1), array.group(2)
        if length:
            fixed = _sequence([element] * int(length))
            return lambda data, offset: fixed(data, offset)

        def dynamic_array(data: bytes, offset: int) -> tuple:
            count = int.from_bytes(_word(data, offset), "big")
            if count > len(data):
                raise ValueError(f"ABI array of {count} elements in {len(data)} bytes")
            return _repeated(element, count)(data, offset + 32)

        return dynamic_array
    if typ.startswith("("):
        return _sequence(_split(typ[1:-1]))
    if typ == "address":
        return lambda data, offset: _address(_word(data, offset))
    if typ == "bool":
        return lambda data, offset: _word(data, offset) != bytes(32)
    if typ.startswith("uint"):
        return lambda data, offset: int.from_bytes(_word(data, offset), "big")
    if typ.startswith("int"):
        return lambda data, offset: int.from_bytes(_word(data, offset), "big", signed=True)
    if typ.startswith("bytes") and typ != "bytes":
        width = int(typ[5:])
        return lambda data, offset: _word(data, offset)[:width]
    if typ in ("bytes", "string"):

        def raw(data: bytes, offset: int) -> Any:
            length = int.from_bytes(_word(data, offset), "big")
            value = data[offset + 32 : offset + 32 + length]
            if len(value) != length:
                raise ValueError(f"ABI {typ} of {length} bytes runs past the data")
            return value.decode() if typ == "string" else value

        return raw
    raise ValueError(f"unsupported ABI type {typ}")


@lru_cache(maxsize=1024)
def decoder(types: tuple[str, ...]) -> Callable[[bytes], tuple]:
    """A decoder of ``types``; the same values as ``eth_abi.decode`` with addresses checksummed."""
    read = _sequence(list(types))
    return lambda data: read(data, 0)


# -- encoding ----------------------------------------------------------------------------------

Write = Callable[[Any], bytes]


class _Unusual(Exception):
    """A value outside the fast encoder's plain cases: eth-abi encodes it (or says what is wrong)."""


@lru_cache(maxsize=65_536)
def _address_word(value: str) -> bytes:
    if not is_address(value):
        raise _Unusual
    return bytes(12) + bytes.fromhex(value[2:])


def _int_writer(bits: int, signed: bool) -> Write:
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1)) if signed else (0, 2**bits)

    def write(value: Any) -> bytes:
        if type(value) is not int or not low <= value < high:
            raise _Unusual
        return (value % 2**256).to_bytes(32, "big")

    return write


def _writer(typ: str) -> Write:
    array = _ARRAY.match(typ)
    if array:
        element, length = array.group(1), array.group(2)
        if length:
            fixed = _write_sequence([element] * int(length))
            return lambda values: fixed(values)
        return lambda values: len(_listed(values)).to_bytes(32, "big") + _write_repeated(element, len(values))(values)
    if typ.startswith("("):
        return _write_sequence(_split(typ[1:-1]))
    if typ == "address":
        return lambda value: _address_word(value) if isinstance(value, str) else _unusual()
    if typ == "bool":
        return lambda value: (b"\0" * 31 + bytes([value])) if type(value) is bool else _unusual()
    if typ.startswith(("uint", "int")):
        signed = typ.startswith("int")
        return _int_writer(int(typ[4 - signed :] or 256), signed)
    if typ.startswith("bytes") and typ != "bytes":
        width = int(typ[5:])
        return lambda value: value.ljust(32, b"\0") if type(value) is bytes and len(value) <= width else _unusual()
    return lambda value: _unusual()  # bytes, string: eth-abi's


def _unusual() -> bytes:
    raise _Unusual


def _listed(values: Any) -> Any:
    if not isinstance(values, list | tuple):
        raise _Unusual
    return values


def _write_sequence(types: list[str]) -> Write:
    """Writes a tuple: static parts in place, dynamic parts after the heads, through an offset."""
    parts = [(_dynamic(t), _writer(t)) for t in types]
    head = sum(32 if dynamic else _size(t) for t, (dynamic, _) in zip(types, parts, strict=True))

    def write(values: Any) -> bytes:
        if len(_listed(values)) != len(parts):
            raise _Unusual
        heads, tails, at = [], [], head
        for (dynamic, writer), value in zip(parts, values, strict=True):
            data = writer(value)
            if dynamic:
                heads.append(at.to_bytes(32, "big"))
                tails.append(data)
                at += len(data)
            else:
                heads.append(data)
        return b"".join(heads + tails)

    return write


@lru_cache(maxsize=4096)
def _write_repeated(element: str, count: int) -> Write:
    """A writer of ``count`` values of type ``element``: a dynamic array's elements, built once per length."""
    return _write_sequence([element] * count)


@lru_cache(maxsize=1024)
def encoder(types: tuple[str, ...]) -> Callable[[tuple], bytes]:
    """An encoder of ``types``: the bytes of ``eth_abi.encode``, written directly for plain values (ints,
    addresses, booleans, fixed bytes, tuples and arrays of them); anything else goes to eth-abi."""
    write = _write_sequence(list(types))

    def encode(values: tuple) -> bytes:
        try:
            return write(values)
        except _Unusual:
            return eth_abi.encode(list(types), list(values))

    return encode
