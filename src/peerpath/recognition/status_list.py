"""W3C Bitstring Status List v1.0: the revocation bits of issued credentials.

A list holds ``LIST_SIZE`` bits (the specification's minimum of 16 KiB, so a list says
little about how many credentials exist); bit 0 is the most significant bit of the first
byte. ``encodedList`` is the Multibase base64url (prefix ``u``, no padding) of the
GZIP-compressed bitstring.
"""

from __future__ import annotations

import base64
import gzip
import io
from collections.abc import Iterable

LIST_SIZE = 131_072
MAX_DECODED_BYTES = 16 * 1024 * 1024


class StatusListInvalid(ValueError):
    pass


def encode(set_bits: Iterable[int], *, size: int = LIST_SIZE) -> str:
    """The ``encodedList`` of a list of ``size`` bits with ``set_bits`` set."""
    if size <= 0 or size % 8:
        raise ValueError("A status list holds a positive multiple of 8 bits.")
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"Status index {index} is outside the list.")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always encode the same way, so caches can compare them.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; refuses anything that is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListInvalid("The encoded list must be Multibase base64url (prefix u).")
    body = encoded[1:]
    try:
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except ValueError as exc:
        raise StatusListInvalid("The encoded list is not base64url.") from exc
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            bits = stream.read(MAX_DECODED_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise StatusListInvalid("The encoded list is not GZIP-compressed.") from exc
    if len(bits) > MAX_DECODED_BYTES:
        raise StatusListInvalid("The encoded list is too large.")
    if not bits:
        raise StatusListInvalid("The encoded list is empty.")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListInvalid(f"Status index {index} is outside the list.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
