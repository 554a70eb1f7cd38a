"""A key spelled otherwise is worded by its direction, and an update by key names the deal
whose key differs only in spelling (x35r1 3: ``417`` failed "no deal with key '417'"
without naming deal ``000417``; the refusal of ``0008417`` against a deal's ``8417`` said
"a spreadsheet ... drops them", though the file added the zeros)."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs.similar_keys import SimilarKeys
from jobs.updating import _spelled


def test_zeros_the_file_adds_are_not_said_dropped() -> None:
    """'0008417' against a deal's '8417': "it adds", the fix without the padding; '417'
    against '000417' is still the spreadsheet that drops them."""
    similar = SimilarKeys()
    assert similar.see(2, "0008417", {"8417": {}}) == "8417"
    with pytest.raises(InputError) as exc:
        similar.check()
    text = str(exc.value)
    assert "leading zeros it adds" in text and "drops them" not in text, text
    assert "without the padding zeros" in text and "as Text" not in text, text
    similar = SimilarKeys()
    assert similar.see(2, "417", {"000417": {}}) == "000417"
    with pytest.raises(InputError, match="drops them") as exc:
        similar.check()
    assert "it adds" not in str(exc.value)


def test_an_update_key_no_deal_carries_names_the_deal_spelled_otherwise() -> None:
    """By key: '417' names deal 7 carrying '000417'; a Salesforce 18-character id names
    the deal carrying its 15 characters; a key with no other spelling names nothing."""
    similar = SimilarKeys()
    by_key = {"000417": {"id": 7}, "0065g00000AbCdE": {"id": 9}}
    said = _spelled(similar, "417", by_key)
    assert said is not None and "deal 7 carries key '000417'" in said, said
    assert "drops them" in said
    said = _spelled(similar, "0065g00000AbCdEAAV", by_key)
    assert said is not None and "deal 9 carries key '0065g00000AbCdE'" in said, said
    assert "in its 18-character form where the other is the 15-character id" in said, said
    assert _spelled(similar, "9999", by_key) is None
    assert similar.rows == 0  # nothing noted: an update refuses no file for it
