"""Full-width forms folded to their plain ones before numbers and dates are read.

Japanese, Chinese and Korean exports type digits and their separators in full width
(``2,077,823`` and ``2026年3月5日`` with full-width digits and comma, U+FF10-U+FF19 and
U+FF0C; ``¥`` as U+FFE5). Their compatibility forms
(Unicode NFKC: ``2,077,823``, ``2026年3月5日``, ``¥1,200``) are what the number and date
readers know, so a cell is folded once, before either reads it (x53r5 F3: 14 amounts and
8 dates of 50 Japanese rows were refused). Only the Halfwidth and Fullwidth Forms block
(U+FF01-U+FF5E, U+FFE0-U+FFE6) and the ideographic space U+3000 are folded: other
compatibility characters (``½``, ``²``, ligatures) are no digits as written and stay as
they are, for the reader to refuse."""

from __future__ import annotations

import re
import unicodedata

_WIDE = re.compile("[\u3000\uff01-\uff5e\uffe0-\uffe6]")


def fold_wide(text: str) -> str:
    """``text`` with its full-width forms folded (NFKC of each: the full-width digit two
    U+FF12 is ``2``, the ideographic space a space, U+FFE5 ``¥``); ``text`` itself when
    it has none."""
    if text.isascii() or _WIDE.search(text) is None:
        return text
    return _WIDE.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
