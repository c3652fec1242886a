"""QUO-1..QUO-4: sealed quotes on alt_bn128."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reference.quotes import (
    CURVE_ORDER,
    FIELD_MODULUS,
    GENERATOR,
    INFINITY,
    Ciphertext,
    decrypt,
    encrypt,
    is_valid_point,
    key_matches,
    public_key,
)

keys = st.integers(1, CURVE_ORDER - 1)
quotes = st.integers(0, 2**128 - 1)


def test_valid_points_QUO_1():
    assert is_valid_point(GENERATOR)
    assert not is_valid_point(INFINITY)
    assert not is_valid_point((1, 3))  # 3**2 != 1 + 3
    assert not is_valid_point((GENERATOR[0] + FIELD_MODULUS, GENERATOR[1]))  # out of the field


@settings(max_examples=20, deadline=None)
@given(keys)
def test_public_keys_are_valid_and_disclosure_checks_them_QUO_2_QUO_3(k):
    key = public_key(k)
    assert is_valid_point(key)
    assert key_matches(k, key)
    assert not key_matches(k + CURVE_ORDER, key)  # same point on the curve, not the key
    assert not key_matches((k % (CURVE_ORDER - 1)) + 1 if k != 1 else 2, key)
    assert not key_matches(0, key)


@settings(max_examples=20, deadline=None)
@given(keys, quotes, keys)
def test_sealing_round_trips_QUO_4(k, m, r):
    assert decrypt(k, encrypt(public_key(k), m, r)) == m


@settings(max_examples=10, deadline=None)
@given(keys, quotes, keys)
def test_wrong_key_or_tampering_yields_out_of_range_quotes_QUO_4(k, m, r):
    sealed = encrypt(public_key(k), m, r)
    wrong = k + 1 if k + 1 < CURVE_ORDER else 1
    assert decrypt(wrong, sealed) >= 2**128  # overwhelmingly: the mask's high bits are random
    tampered = Ciphertext(sealed.c1, sealed.c2 ^ (1 << 200))
    assert decrypt(k, tampered) >= 2**128


def test_undecryptable_ciphertexts_QUO_4():
    assert decrypt(5, Ciphertext((1, 3), 0)) is None
    assert decrypt(5, Ciphertext(INFINITY, 0)) is None
