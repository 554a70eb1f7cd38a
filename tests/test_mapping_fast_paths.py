"""The mapping's fast paths (issue 8) read a cell as the full reading does, and are taken
for the common clean forms: an e-mail cell's ``Name <address>``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from jobs.transforms import email_list
from jobs.transforms.email_list import Entry, entries

# the characters that steer the e-mail list's tokenizer, and a few plain ones
_CELL_CHARS = st.sampled_from(list("ab .-_+@<>();,\"'\u201c\u201d\u00ab\u00bb\u2018\u2019\u00a0"
                                   "\u00e9\u00dfZ9"))


@given(st.text(_CELL_CHARS, min_size=1, max_size=30))
@example("Ann Lee <ann@x.com>")
@example("Ann  Lee <ann@x.com>")
@example("Ann Lee<ann@x.com>")
@example("Ann Lee < ann@x.com >")
@example("Ann Lee <ann@x.com> (work)")
@example("Ann@Lee <ann@x.com>")
@example("Roe, Ann <ann@x.com>")
@example("\u201cAnn Lee\u201d <ann@x.com>")
@example("Ann Lee <>")
@example("Björn Öztürk <bjorn@x.org>")
def test_entries_fast_paths_read_as_the_tokenizer(text: str) -> None:
    """Every cell's entries are the tokenizer's, whichever path reads them."""
    text = " ".join(text.split())  # a cleaned, one-line cell, as entries takes it
    if text:
        assert entries(text) == email_list._tokenized(text)


@pytest.mark.parametrize("cell, entry", [
    ("Ann Lee <ann@x.com>", Entry("ann@x.com", "Ann Lee")),
    ("Björn Öztürk <BJORN.O@x.org>", Entry("BJORN.O@x.org", "Björn Öztürk")),
    ("Lee<lee@x.io>", Entry("lee@x.io", "Lee")),
])
def test_a_named_address_is_read_without_the_tokenizer(
        cell: str, entry: Entry, monkeypatch: Any) -> None:
    """``Name <address>``, a third of an export's e-mail cells, takes no token loop."""
    def no_tokens(text: str) -> list[Entry]:
        raise AssertionError(f"tokenized {text!r}")
    monkeypatch.setattr(email_list, "_tokenized", no_tokens)
    assert entries(cell) == [entry]
