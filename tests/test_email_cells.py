"""How a person's e-mail cell is read (x20r1): a list is split into its entries first
(quotes, angle and round brackets respected), the first entry listed is the person's;
a bracket comment is no name; empty entries are skipped; a domain's root dot is
dropped."""

from __future__ import annotations

import pytest

from jobs import transforms as tf


@pytest.mark.parametrize(("cell", "expected"), [
    ("trail@x.com.", "trail@x.com"),
    ("Maria@M\u00fcnchen.DE.", "maria@m\u00fcnchen.de"),
    ("Trail Q <trail@x.com.>", "trail@x.com"),
    ("trail@x.com.; other@x.com", "trail@x.com"),
])
def test_a_domain_written_as_an_fqdn_loses_its_root_dot(cell: str, expected: str) -> None:
    """x20r1 L4: ``trail@x.com.`` failed its row; it is the address ``trail@x.com``, the
    account's spelling of it (account e-mails are read by the same function)."""
    assert tf.normalize_email(cell) == expected
    assert tf.normalize_email(cell) == tf.normalize_email(expected)
