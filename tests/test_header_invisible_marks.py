"""A header name holding an invisible mark (a second byte-order mark, a zero-width or
no-break space) is shown by name where a missing column is reported, not as a name that
looks the same as the mapping's (x41r1 L2: "no such column 'Key' (its columns:
\\ufeffKey, ...)")."""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs.import_checks import check_columns
from jobs.mapping import Mapping

MAPPING = 'version = 1\n[import]\nkey_column = "Key"\n[deal]\ntitle = "Title"\n'


@pytest.mark.parametrize("mark, words", [("\ufeff", "byte-order mark (U+FEFF)"),
                                         ("\u200b", "zero-width space (U+200B)")])
def test_an_invisible_mark_in_a_header_is_named(mark: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        check_columns(Mapping.loads(MAPPING), [f"{mark}Key", "Title"])
    said = str(caught.value)
    assert mark not in said, said
    assert f"invisible {words} beside 'Key'" in said, said
