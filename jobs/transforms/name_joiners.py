"""Two persons a name cell joins with no space or separator a list reader sees, and the
dash spaced on one side only (x50r1 F3, F4).

- ``script_joined``: an "and" glued to the names it joins, in scripts written without
  spaces or with the joiner as a suffix — ``山田太郎と佐藤花子``, ``李伟和王芳``, ``王芳与李伟``
  (``と 和 与 及 跟 同`` between two runs of two CJK letters or more: ``王和平``, ``さとみ``,
  ``佐藤和子`` stay one), ``김민준과 박지훈`` (a Hangul word ending in ``과 와 하고 및``
  before another Hangul word), ``김민준과박지훈`` (one run of 2-4 syllables, the joiner,
  2-4 more: ``김와준`` stays one), ``محمد علي وفاطمة حسن`` (an Arabic word led by ``و`` glued
  to three letters or more after a name of two words or more: ``وليد عمر`` stays one).
  Each was ONE person; the row now fails ("may name 2 persons"): the safe side, as the
  two-person rule's joiners (``person_words.AND_WORDS``) are.
- ``spaced_dashes``: a dash of any kind (``DASHES``: Unicode's Pd and the minus sign)
  spaced on one side only, before or after a letter (``Jane Hoff -Bob Hoff``, ``Jane
  Iske- Berlin``), or on both (``Bea Roe \u2010 Cai Roe``), written as the spaced hyphen the
  dash rule reads (``name_lists._DASHES``): each was kept in a name (x50r1 F4, x50r7 F1);
  a hyphenated name (``Mary Roe-Smith``) has no space either side.

Pure; no I/O.
"""

from __future__ import annotations

import re

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_JOINED = re.compile(rf"([{_CJK}]{{2,}})[と和与及跟同]([{_CJK}]{{2,}})")
_HANGUL_JOINED = re.compile(r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]{2,})(?:과|와|하고|및)"
                            r"\s+([\uac00-\ud7a3]{2,})")
# fully glued: one Hangul run that is a name of 2-4 syllables, the joiner, and another
# (``김민준과박지훈``: x50r7 F2, one person). A Korean name is 2-4 syllables (mostly 3), so
# a run this long holding the joiner between two is two names; a given name ending in 과
# or 와 is rare (neither is among the syllables commonly given in names), and the row
# fails, never makes two: the safe side
# ... but 과장 (manager) ending the run, 님 / 께 after it, is a title glued after the name
# (x51r1 F6: ``이서연과장님`` failed as naming '이서연' and '장님'; ``김민준과장수연`` still
# may name 2: 장 is a surname)
_HANGUL_GLUED = re.compile(r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]{2,4})"
                           r"(?:과(?!장(?:님)?께?(?![\uac00-\ud7a3]))|와|하고|및)"
                           r"([\uac00-\ud7a3]{2,4})(?![\uac00-\ud7a3])")
_ARABIC_WORD = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]+")


def script_joined(value: str) -> list[str] | None:
    """The two names (as written, the joiner left out) an "and" glued to them joins in
    ``value`` (a name cell), or None (the module's docstring). Pure."""
    if value.isascii():
        return None
    for pattern in (_CJK_JOINED, _HANGUL_JOINED, _HANGUL_GLUED):
        if (m := pattern.search(value)) is not None:
            return [m[1], m[2]]
    words = value.split()
    for i, word in enumerate(words[2:], start=2):
        if word[0] == "\u0648" and len(word) > 3 and _ARABIC_WORD.fullmatch(word) \
                and all(_ARABIC_WORD.fullmatch(w) for w in words[:i]):
            return [" ".join(words[:i]), " ".join([word[1:], *words[i + 1:]])]
    return None


# every dash: Unicode's category Pd (Dash_Punctuation, Unicode 14) and the minus sign,
# read alike (x50r7 F1: U+2010 U+2011 U+2012 U+2015 spaced were no dash, ``Bea Roe \u2010 Cai
# Roe`` one person); ``tests/test_person_cells_round14.py`` checks it holds every Pd
DASHES = ("-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a"
          "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d"
          "\U00010ead\u2212")
_DASH_RUN = re.compile(f"[{re.escape(DASHES)}]+")


def _letter(ch: str) -> bool:
    return ch.isalpha()


def spaced_dashes(value: str) -> str:
    """``value`` with each dash the dash rule reads as a separator written as the spaced
    hyphen ``name_lists._DASHES`` reads: a run of dashes of any kind (``DASHES``) spaced on
    both sides, or on one side with a letter on the other (``Jane Hoff -Bob Hoff``, ``Jane
    Iske\u2010 Berlin``, ``Bea Roe \u2015 Cai Roe``), becomes `` - ``; a hyphen spaced on both
    sides stays as it is, and an unspaced dash (``Mary Roe-Smith``, ``Jean\u2011Luc``,
    ``030\u2013123``) is left as written. ``value`` itself when it holds no dash. Pure."""
    if _DASH_RUN.search(value) is None:
        return value

    def one(m: re.Match[str]) -> str:
        before = value[m.start() - 1] if m.start() else ""
        after = value[m.end()] if m.end() < len(value) else ""
        spaced_before, spaced_after = before.isspace(), after.isspace()
        if not spaced_before and not spaced_after:
            return m[0]
        if spaced_before and spaced_after:
            return m[0] if set(m[0]) == {"-"} else "-"
        if not _letter(after if spaced_before else before):
            return m[0]
        return ("" if spaced_before else " ") + "-" + ("" if spaced_after else " ")

    return _DASH_RUN.sub(one, value)


__all__ = ["DASHES", "script_joined", "spaced_dashes"]
