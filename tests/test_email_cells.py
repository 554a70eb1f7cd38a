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


@pytest.mark.parametrize(("cell", "name"), [
    ("ann.q@x.com (work)", None),
    ("Dana Q <dana.q@x.com> (private)", "Dana Q"),
    ("(private) \"Dana Q\" <dana.q@x.com>", "Dana Q"),
    ("Anna M\u00fcller (anna@firma.example)", "Anna M\u00fcller"),  # HubSpot: the address
])
def test_a_bracket_comment_is_no_display_name(cell: str, name: str | None) -> None:
    """x20r1 L2: ``ann.q@x.com (work)`` made a person named ``work``, ``Dana Q
    <dana.q@x.com> (private)`` one named ``Dana Q (private)``: a comment is not a name."""
    assert tf.display_name(cell) == name
    assert tf.normalize_email(cell) in {"ann.q@x.com", "dana.q@x.com", "anna@firma.example"}


@pytest.mark.parametrize(("cell", "first", "addresses"), [
    ("; semi@x.com", "semi@x.com", ("semi@x.com",)),
    (",, semi@x.com;;other@x.com", "semi@x.com", ("semi@x.com", "other@x.com")),
    ("; Semi Q <semi@x.com>", "semi@x.com", ("semi@x.com",)),
    (" ; , ", None, None),
])
def test_empty_list_entries_are_skipped(cell: str, first: str | None,
                                        addresses: tuple[str, ...] | None) -> None:
    """x20r1 L3: ``; semi@x.com`` (a leading separator) failed its row as "An email address
    must have an @-sign": an empty entry is no address; a cell of separators is none."""
    assert tf.normalize_email(cell) == first
    assert tf.email_addresses(cell) == addresses
    assert tf.display_name(cell) == ("Semi Q" if "Semi Q" in cell else None)
