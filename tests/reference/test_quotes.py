"""QUO-1..QUO-4: sealed quotes on alt_bn128."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.quotes import (
    CURVE_ORDER,
    FIELD_MODULUS,
    GENERATOR,
    INFINITY,
    Ciphertext,
    bid_context,
    decrypt,
    encrypt,
    is_valid_point,
    key_matches,
    public_key,
)

keys = st.integers(1, CURVE_ORDER - 1)
quotes = st.integers(0, 2**128 - 1)


@pytest.mark.clauses("QUO-1")
def test_valid_points_QUO_1():
    assert is_valid_point(GENERATOR)
    assert not is_valid_point(INFINITY)
    assert not is_valid_point((1, 3))  # 3**2 != 1 + 3
    assert not is_valid_point((GENERATOR[0] + FIELD_MODULUS, GENERATOR[1]))  # out of the field


@settings(max_examples=20, deadline=None)
@given(keys)
@pytest.mark.clauses("QUO-2", "QUO-3")
def test_public_keys_are_valid_and_disclosure_checks_them_QUO_2_QUO_3(k):
    key = public_key(k)
    assert is_valid_point(key)
    assert key_matches(k, key)
    assert not key_matches(k + CURVE_ORDER, key)  # same point on the curve, not the key
    assert not key_matches((k % (CURVE_ORDER - 1)) + 1 if k != 1 else 2, key)
    assert not key_matches(0, key)


ALICE, MALLORY, MARKET = "0x" + "a1" * 20, "0x" + "66" * 20, "0x" + "fa" * 20
CONTEXT = bid_context(1, MARKET, 0, ALICE)


@settings(max_examples=20, deadline=None)
@given(keys, quotes, keys)
@pytest.mark.clauses("QUO-4")
def test_sealing_round_trips_QUO_4(k, m, r):
    assert decrypt(k, encrypt(public_key(k), m, r, CONTEXT), CONTEXT) == m


@settings(max_examples=10, deadline=None)
@given(keys, quotes, keys)
@pytest.mark.clauses("QUO-4")
def test_wrong_key_or_tampering_yields_out_of_range_quotes_QUO_4(k, m, r):
    sealed = encrypt(public_key(k), m, r, CONTEXT)
    wrong = k + 1 if k + 1 < CURVE_ORDER else 1
    assert decrypt(wrong, sealed, CONTEXT) >= 2**128  # overwhelmingly: the mask's high bits are random
    for flip in (1, 1 << 200):  # without a context only a high flip would be caught; a low one moves the quote
        assert decrypt(k, Ciphertext(sealed.c1, sealed.c2 ^ flip), CONTEXT) == m ^ flip


@settings(max_examples=10, deadline=None)
@given(keys, quotes, keys)
@pytest.mark.clauses("QUO-5")
def test_a_quote_opens_only_in_its_own_context_QUO_5(k, m, r):
    sealed = encrypt(public_key(k), m, r, CONTEXT)
    for other in (
        bid_context(1, MARKET, 0, MALLORY),  # the same ciphertext submitted by someone else
        bid_context(1, MARKET, 1, ALICE),  # replayed into another order
        bid_context(1, MALLORY, 0, ALICE),  # another market
        bid_context(5, MARKET, 0, ALICE),  # another chain
    ):
        assert decrypt(k, sealed, other) >= 2**128


@pytest.mark.clauses("QUO-5")
def test_the_context_names_every_part_QUO_5():
    contexts = {
        bid_context(c, m, o, b) for c in (1, 2) for m in (MARKET, ALICE) for o in (0, 1) for b in (ALICE, MALLORY)
    }
    assert len(contexts) == 16


@pytest.mark.clauses("QUO-4")
def test_undecryptable_ciphertexts_QUO_4():
    assert decrypt(5, Ciphertext((1, 3), 0), CONTEXT) is None
    assert decrypt(5, Ciphertext(INFINITY, 0), CONTEXT) is None
