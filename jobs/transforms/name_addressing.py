"""What a letter's address line writes around a person's name and is no part of it
(x51r8 F10): a leading ``Attn:`` / ``Attention:`` / ``FAO:`` / ``Re:`` / ``z. Hd.``
(``Attn: Bob Roe`` was a person named so), and a Korean job title after a Hangul name,
spaced or glued, with its honorific ``님`` / ``께`` (``서지우과장님``, ``강민호 팀장님``,
``이서연대리`` were persons named with the title, while ``Jane Roe, CEO`` is cut with a
note).

Pure; no I/O.
"""

from __future__ import annotations

import re

# "for the attention of" in English and German, and a reply's "Re:", before a name
_ADDRESSED = re.compile(r"(?i:attn|attention|att|fao|f\.a\.o|re|z\.\s?hd|zhd)\.?\s*:\s*"
                        r"|(?i:attn|fao|z\.\s?hd)\.\s+")
# a Korean name of 2-3 syllables, then a job title (spaced or glued) and an honorific
_HANGUL_TITLED = re.compile(r"(?P<name>[\uac00-\ud7a3]{2,3}?)\s?(?P<title>본부장|과장|부장|팀장|대리"
                            r"|차장|실장|사장|대표|이사|주임|상무|전무|사원)(?:님께|님|께)?")


def addressed_name(name: str) -> tuple[str, str | None]:
    """``name`` (a one-person name cell, its contacts cut) without a leading addressing
    word (``Attn: Bob Roe`` -> ``Bob Roe``; dropped: it says to whom, not who) and with a
    Korean job title after a Hangul name cut for the note (``강민호 팀장님`` -> ``("강민호",
    "팀장")``); ``(name, None)`` otherwise. A name that is only the word (``Re:``) is
    kept. Pure."""
    if (m := _ADDRESSED.match(name)) is not None and any(c.isalpha() for c in name[m.end():]):
        name = name[m.end():]
    if "\uac00" <= name[:1] <= "\ud7a3" and (k := _HANGUL_TITLED.fullmatch(name)):
        return k["name"], k["title"]
    return name, None


__all__ = ["addressed_name"]
