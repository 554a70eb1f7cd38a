"""Issue 8: an ASCII address is keyed by ``str.lower`` (a tenth of a translate table's
time); its key stays the letter-for-letter A-Z to a-z mapping, for every ASCII character
and any ASCII address. The address written keeps its case (f32e): only its key is
lower-cased."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from jobs import transforms as tf

_AZ = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII = st.text(st.characters(max_codepoint=127), max_size=40)


def test_every_ascii_character_keys_as_a_to_z_alone() -> None:
    """Each of the 128 ASCII characters: only A-Z change, each to its own a-z."""
    for code in range(128):
        char = chr(code)
        assert tf.email_key(char) == char.translate(_AZ)


@given(_ASCII, _ASCII)
def test_an_ascii_address_keys_letter_for_letter(local: str, domain: str) -> None:
    """``email_key`` of an ASCII address: A-Z to a-z, nothing else."""
    address = f"{local}@{domain}"
    assert tf.email_key(address) == address.translate(_AZ)
    assert tf.email_key(local) == local.translate(_AZ)  # (no "@")
