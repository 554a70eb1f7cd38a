"""Issue 8: an ASCII address is lower-cased and keyed by ``str.lower`` (a tenth of a
translate table's time); its result stays the letter-for-letter A-Z to a-z mapping,
for every ASCII character and any ASCII address."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from jobs import transforms as tf
from jobs.transforms.contacts import _lower, _lower_local

_AZ = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII = st.text(st.characters(max_codepoint=127), max_size=40)


def test_every_ascii_character_lowers_as_a_to_z_alone() -> None:
    """Each of the 128 ASCII characters: only A-Z change, each to its own a-z."""
    for code in range(128):
        char = chr(code)
        assert _lower_local(char) == tf.email_key(char) == char.translate(_AZ)


@given(_ASCII, _ASCII)
def test_an_ascii_address_lowers_and_keys_letter_for_letter(local: str, domain: str) -> None:
    """``_lower`` and ``email_key`` of an ASCII address: A-Z to a-z, nothing else."""
    address = f"{local}@{domain}"
    assert _lower(address) == address.translate(_AZ)
    assert tf.email_key(address) == address.translate(_AZ)
    assert _lower(local) == local.translate(_AZ)  # (no "@": the local part's rule alone)
