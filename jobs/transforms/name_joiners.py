"""Two persons a name cell joins with no space or separator a list reader sees, and the
dash spaced on one side only (x50r1 F3, F4).

- ``script_joined``: an "and" glued to the names it joins, in scripts written without
  spaces or with the joiner as a suffix — ``山田太郎と佐藤花子``, ``李伟和王芳``, ``王芳与李伟``
  (``と 和 与 及 跟 同`` between two runs of two CJK letters or more: ``王和平``, ``さとみ``,
  ``佐藤和子`` stay one), ``김민준과 박지훈`` (a Hangul word ending in ``과 와 하고 및``
  before another Hangul word), ``محمد علي وفاطمة حسن`` (an Arabic word led by ``و`` glued
  to three letters or more after a name of two words or more: ``وليد عمر`` stays one).
  Each was ONE person; the row now fails ("may name 2 persons"): the safe side, as the
  two-person rule's joiners (``person_words.AND_WORDS``) are.
- ``spaced_dashes``: a hyphen or minus sign spaced on one side only, before or after a
  letter (``Jane Hoff -Bob Hoff``, ``Jane Iske- Berlin``), and a spaced minus sign
  (U+2212), written as the spaced hyphen the dash rule reads (``name_lists._DASHES``):
  each was kept in a name; a hyphenated name (``Mary Roe-Smith``) has no space either side.

Pure; no I/O.
"""

from __future__ import annotations

import re

_CJK = "\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_JOINED = re.compile(rf"([{_CJK}]{{2,}})[と和与及跟同]([{_CJK}]{{2,}})")
_HANGUL_JOINED = re.compile(r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]{2,})(?:과|와|하고|및)"
                            r"\s+([\uac00-\ud7a3]{2,})")
_ARABIC_WORD = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]+")


def script_joined(value: str) -> list[str] | None:
    """The two names (as written, the joiner left out) an "and" glued to them joins in
    ``value`` (a name cell), or None (the module's docstring). Pure."""
    if value.isascii():
        return None
    for pattern in (_CJK_JOINED, _HANGUL_JOINED):
        if (m := pattern.search(value)) is not None:
            return [m[1], m[2]]
    words = value.split()
    for i, word in enumerate(words[2:], start=2):
        if word[0] == "\u0648" and len(word) > 3 and _ARABIC_WORD.fullmatch(word) \
                and all(_ARABIC_WORD.fullmatch(w) for w in words[:i]):
            return [" ".join(words[:i]), " ".join([word[1:], *words[i + 1:]])]
    return None


# a hyphen or minus sign spaced on one side only, a letter on the other; a spaced minus
_ONE_SIDED = re.compile(r"(?<=\s)[-\u2212](?=[^\W\d_])|(?<=[^\W\d_])[-\u2212](?=\s)"
                        r"|(?<=\s)\u2212(?=\s)")


def spaced_dashes(value: str) -> str:
    """``value`` with each dash spaced on one side only (a letter on the other) and each
    spaced minus sign written `` - `` (the module's docstring); ``value`` itself when it
    holds none. Pure."""
    if "-" not in value and "\u2212" not in value:
        return value
    return _ONE_SIDED.sub(lambda m: ("" if m.start() and value[m.start() - 1].isspace()
                                     else " ") + "-" + ("" if value[m.end():m.end() + 1]
                                                        .isspace() else " "), value)


__all__ = ["script_joined", "spaced_dashes"]
