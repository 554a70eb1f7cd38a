"""What a letter's address line writes around a person's name and is no part of it
(x51r8 F10): a leading ``Attn:`` / ``Attention:`` / ``FAO:`` / ``Re:`` / ``z. Hd.``
(``Attn: Bob Roe`` was a person named so; ``FAO Ida Berg``, ``zu Händen Max Maier``, ``z.
Hd. v. Max Maier``: x52r1 F11), and a Korean job title after a Hangul name,
spaced or glued, with its honorific ``님`` / ``께`` (``서지우과장님``, ``강민호 팀장님``,
``이서연대리`` were persons named with the title, while ``Jane Roe, CEO`` is cut with a
note), and so a Japanese or Chinese one after a Han or kana name and a space (f52b:
``山田太郎 部長``, ``王伟 经理`` were persons so named; glued, ``佐藤部長`` is a name, x48r1 F1).

Pure; no I/O.
"""

from __future__ import annotations

import re

from .person_titles import cjk_title

# "for the attention of" in English and German, and a reply's "Re:", before a name
# ... and without a colon or dot: ``FAO Ida Berg``, ``ATTN Bob Roe`` (capitals, before a
# word), German ``zu Händen`` (x52r1 F11: kept in the name)
_ADDRESSED = re.compile(r"(?i:attn|attention|att|fao|f\.a\.o|re|z\.\s?hd|zhd)\.?\s*:\s*"
                        r"|(?i:attn|fao|z\.\s?hd)\.\s+|(?:FAO|ATTN|Attn)\s+(?=[^\W\d_])"
                        r"|(?i:zu\s+h(?:\u00e4|ae)nden)\s*:?\s+")
# German's "von" after ``z. Hd.`` / ``zu Händen`` (``z. Hd. v. Max Maier``: x52r1 F11, the
# person was named ``v. Max Maier``), ``von`` only before two words or more (``z. Hd. von
# Weizsäcker``: the surname's own)
_GERMAN = re.compile(r"(?i:z\.?\s?hd|zhd|zu\s+h)")
_VON = re.compile(r"(?:v\.\s*|von\s+(?=\S+\s+\S))")
# a Korean name of 2-3 syllables, then a job title (spaced or glued) and an honorific
_HANGUL_TITLED = re.compile(r"(?P<name>[\uac00-\ud7a3]{2,3}?)\s?(?P<title>본부장|과장|부장|팀장|대리"
                            r"|차장|실장|사장|대표|이사|주임|상무|전무|사원)(?:님께|님|께)?")
# a name of Han or kana letters (one or two words), a space, then one word that may be a
# title of ``person_words.CJK_HEADS`` / ``CJK_LEADS`` (``cjk_title`` decides)
_HAN = r"[\u3005\u3040-\u30fa\u30fc-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
_HAN_TITLED = re.compile(rf"(?P<name>{_HAN}(?:[ \u3000]{_HAN})?)[ \u3000]+(?P<title>{_HAN})")


def addressed_name(name: str) -> tuple[str, str | None]:
    """``name`` (a one-person name cell, its contacts cut) without a leading addressing
    word (``Attn: Bob Roe`` -> ``Bob Roe``; dropped: it says to whom, not who) and with a
    Korean job title after a Hangul name cut for the note (``강민호 팀장님`` -> ``("강민호",
    "팀장")``), a Japanese or Chinese one after a Han or kana name and a space too
    (``山田太郎 部長`` -> ``("山田太郎", "部長")``); ``(name, None)`` otherwise. A name that is
    only the word (``Re:``) is kept, and so is one of title words alone (``営業 部長``). Pure."""
    if (m := _ADDRESSED.match(name)) is not None and any(c.isalpha() for c in name[m.end():]):
        name = name[m.end():]
        if _GERMAN.match(m[0]) and (v := _VON.match(name)) is not None \
                and any(c.isalpha() for c in name[v.end():]):
            name = name[v.end():]
    if "\uac00" <= name[:1] <= "\ud7a3" and (k := _HANGUL_TITLED.fullmatch(name)):
        return k["name"], k["title"]
    if (h := _HAN_TITLED.fullmatch(name)) is not None and cjk_title(h["title"]) \
            and not cjk_title(h["name"].replace(" ", "").replace("\u3000", "") + h["title"]):
        return h["name"], h["title"]
    return name, None


__all__ = ["addressed_name"]
