"""The Bitstring Status List encoding (W3C Bitstring Status List v1.0 §3)."""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerpath.recognition import status_list


@given(st.sets(st.integers(min_value=0, max_value=status_list.LIST_SIZE - 1), max_size=64))
def test_encoding_then_decoding_gives_back_exactly_the_set_bits(bits):
    decoded = status_list.decode(status_list.encode(bits))

    assert len(decoded) == status_list.LIST_SIZE // 8
    set_bits = {
        at * 8 + bit
        for at, byte in enumerate(decoded)
        if byte
        for bit in range(8)
        if status_list.is_set(decoded, at * 8 + bit)
    }
    assert set_bits == bits


def test_bit_zero_is_the_leftmost_bit_of_the_first_byte():
    encoded = status_list.encode([0, 9])

    assert encoded.startswith("u")
    assert "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert len(raw) == 16 * 1024


def test_the_same_bits_always_encode_the_same_way():
    assert status_list.encode([5, 7]) == status_list.encode([7, 5])


@pytest.mark.parametrize("bad", ["", "H4sI", "u!!!", "u" + base64.urlsafe_b64encode(b"x").decode()])
def test_anything_else_is_refused(bad):
    with pytest.raises(status_list.StatusListInvalid):
        status_list.decode(bad)


def test_an_index_outside_the_list_is_refused():
    with pytest.raises(ValueError, match="outside"):
        status_list.encode([status_list.LIST_SIZE])
    with pytest.raises(status_list.StatusListInvalid):
        status_list.is_set(bytes(2), 16)
