"""A date written with a month's word, or without its year, in a person's name cell
(x51r1 F5: ``Gisela Mattsson Jan 6 2026``, ``6 Dec``, ``6. Dezember``, ``6 de diciembre``,
``6 грудня``, ``2026年12月6日``, ``2026년 12월 6일``, ``12/6``, ``06.12.``, ``Q4 2026`` were
kept in the person's name; ``name_cell_contacts.holds_date`` read digits-only dates with a
year).

A month's word alone is no date (``May``, ``June``, ``April``, ``Mai`` are given names):
only beside a day number (``6 Dec``, ``December 6``, ``6th December``, ``6-Dec-26``) or a
year (``December 2026``). The month words: English, German, French, Spanish, Italian,
Portuguese, Dutch, the Nordic languages, Polish, Russian and Ukrainian (their genitive,
as a date writes them), full and abbreviated; more languages' from CLDR
(``month_words``: Turkish, Czech, Finnish, Greek, Thai, Hebrew, Arabic ...); Vietnamese
``tháng 12``; a Roman numeral after a day (``6.XII.``, ``6 XII 2026``); ``Dec-06``,
``Q1/2027``, ``H1 2026``, ``Q3 '26`` (x51r8 F7). Han / Hangul dates by their 年 月 日 / 년 월 일.
A day and month of digits without a year (``12/6``, ``06.12.``; ``12.5`` is a number) is
one when it is a token of its own that reads as day and month either way round.

Pure; no I/O.
"""

from __future__ import annotations

import re

from .month_words import MORE_MONTHS

_MONTHS = (
    # English (and its abbreviations: ``Sept``)
    "january|february|march|april|may|june|july|august|september|october|november"
    "|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
    # German, Dutch, the Nordic languages
    "|januar|j\u00e4nner|februar|m\u00e4rz|maerz|mai|juni|juli|oktober|dezember|m\u00e4r|okt|dez"
    "|januari|februari|maart|mei|augustus|augusti|mars|maj|desember|december"
    # French
    "|janvier|f\u00e9vrier|fevrier|avril|juin|juillet|ao\u00fbt|aout|septembre|octobre"
    "|novembre|d\u00e9cembre|decembre|janv|f\u00e9vr|juil|d\u00e9c"
    # Spanish, Italian, Portuguese
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre"
    "|noviembre|diciembre|ene|dic|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre"
    "|ottobre|dicembre|gen|giu|lug|ott|janeiro|fevereiro|mar\u00e7o|maio|junho|julho|setembro"
    "|outubro|dezembro|fev|set|out"
    # Polish, Russian, Ukrainian (genitive)
    "|stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|wrze\u015bnia"
    "|pa\u017adziernika|listopada|grudnia"
    "|\u044f\u043d\u0432\u0430\u0440\u044f|\u0444\u0435\u0432\u0440\u0430\u043b\u044f"
    "|\u043c\u0430\u0440\u0442\u0430|\u0430\u043f\u0440\u0435\u043b\u044f|\u043c\u0430\u044f"
    "|\u0438\u044e\u043d\u044f|\u0438\u044e\u043b\u044f|\u0430\u0432\u0433\u0443\u0441\u0442\u0430"
    "|\u0441\u0435\u043d\u0442\u044f\u0431\u0440\u044f|\u043e\u043a\u0442\u044f\u0431\u0440\u044f"
    "|\u043d\u043e\u044f\u0431\u0440\u044f|\u0434\u0435\u043a\u0430\u0431\u0440\u044f"
    "|\u0441\u0456\u0447\u043d\u044f|\u043b\u044e\u0442\u043e\u0433\u043e"
    "|\u0431\u0435\u0440\u0435\u0437\u043d\u044f|\u043a\u0432\u0456\u0442\u043d\u044f"
    "|\u0442\u0440\u0430\u0432\u043d\u044f|\u0447\u0435\u0440\u0432\u043d\u044f"
    "|\u043b\u0438\u043f\u043d\u044f|\u0441\u0435\u0440\u043f\u043d\u044f"
    "|\u0432\u0435\u0440\u0435\u0441\u043d\u044f|\u0436\u043e\u0432\u0442\u043d\u044f"
    "|\u043b\u0438\u0441\u0442\u043e\u043f\u0430\u0434\u0430|\u0433\u0440\u0443\u0434\u043d\u044f")
_MONTH = rf"(?:{_MONTHS}|{MORE_MONTHS})(?![^\W\d_])\.?"
# a Roman numeral of a month (``6.XII.``, ``6 XII 2026``: x51r8 F7), upper case
_ROMAN = r"(?-i:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
# a month of Vietnamese (``tháng 12``, ``thg 12``: a word and the month's number)
_VI_MONTH = r"(?<![^\W\d_])(?:th\u00e1ng|thang|thg)\s*(?:1[0-2]|0?[1-9])(?!\d)"
_DAY = r"(?<![\d.,/\-])(?:[1-9]|[012]\d|3[01])(?:st|nd|rd|th|er|e|\.|\u00ba)?(?![\d])"
_YEAR = r"(?<!\d)(?:1[89]|2[01])\d{2}(?!\d)"
_WORD_DATE = re.compile(
    rf"{_DAY}[\s\-./]*(?:de\s+|of\s+)?(?<![^\W\d_]){_MONTH}"  # 6 Dec, 6. Dezember, 6-Dec-26
    rf"|(?<![^\W\d_]){_MONTH}[\s\-,]*{_DAY}"  # Jan 6 2026, December 6, Dec. 6, 2026
    rf"|(?<![^\W\d_]){_MONTH}[\s,]*{_YEAR}"  # December 2026
    rf"|(?<![^\W\d_]){_MONTH}[\-/](?:\d{{2}}|{_YEAR})(?!\d)"  # Dec-06, Dec/06, Dec-2026
    # Q4 2026, Q1/2027, Q2-2026, Q3 '26, H1 2026 (x51r8 F7)
    rf"|(?<![^\W\d_])(?:Q[1-4]|H[12])\s*[/\-]?\s*(?:{_YEAR}|['\u2019]\d{{2}}(?!\d))"
    rf"|{_DAY}\s*{_ROMAN}(?:\.|\s+{_YEAR})(?![^\W\d_])"  # 6.XII., 6 XII 2026, 6. XII. 2026
    rf"|{_DAY}\s*{_VI_MONTH}|{_VI_MONTH}[\s,/]*(?:n\u0103m\s*)?{_YEAR}"  # 6 tháng 12
    # a weekday and a day (``Tue 6``: x51r8 F7); ``Sun`` / ``Sat`` abbreviated may be names
    r"|(?<![^\W\d_])(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?"
    rf"|wed|thu(?:rs?)?|fri)\.?,?\s+{_DAY}"
    # a week's number (``KW 49``, ``Woche 49``, ``wk 49``, ``CW 49/2026``: x52r11 F8, kept in
    # the name or refused as "2 persons"): de ``KW`` ``Woche`` ``Kalenderwoche``, en ``CW``
    # ``wk`` ``week``, fr ``semaine``, es / pt ``semana``, it ``settimana``, nl ``week``, sv
    # ``vecka``, no / da ``uke`` ``uge``, fi ``viikko`` ``vko``, pl ``tydzień``, cs ``týden``
    r"|(?<![^\W\d_])(?:kw|cw|wk|kalenderwoche|woche|calendar\s+week|week|semaine|semana"
    r"|settimana|vecka|uke|uge|viikko|vko|tydzie\u0144|t\u00fdden)\.?\s*(?:[1-9]|[0-4]\d|5[0-3])"
    rf"(?!\d)(?:\s*[/\-.]\s*(?:{_YEAR}|['\u2019]?\d{{2}}(?!\d)))?"
    r"|\d{1,4}\s*\u5e74\s*\d{1,2}\s*\u6708|\d{1,2}\s*\u6708\s*\d{1,2}\s*\u65e5"  # 年月 月日
    r"|\d{4}\s*\ub144\s*\d{1,2}\s*\uc6d4|\d{1,2}\s*\uc6d4\s*\d{1,2}\s*\uc77c",  # 년월 월일
    re.IGNORECASE)
# a day and month of digits, no year: a token of its own (``12/6``, ``06.12.``; with dots
# only ended by one, as German writes it: ``12.5`` may be a number)
# ... or a dash (``6-12``: x51r8 F7)
_DAY_MONTH = re.compile(r"(?<![^\s(\[,;])(\d{1,2})(?:[/\-](\d{1,2})\.?|\.(\d{1,2})\.)(?=[\s)\],;]|$)")


def name_date(text: str) -> str | None:
    """The date ``text`` (a person's name cell, its contacts and brackets cut) writes with
    a month's word, by Han / Hangul signs, or as a day and month without a year (module
    docstring), as written; None when it writes none. A month's word alone is none
    (``May Lind``, ``June Roe``). Pure."""
    if not any(c.isdigit() for c in text):
        return None
    if (m := _WORD_DATE.search(text)) is not None:
        return m[0].strip(" ,")
    for m in _DAY_MONTH.finditer(text):
        one, two = int(m[1]), int(m[2] or m[3])
        if 1 <= one <= 31 and 1 <= two <= 31 and min(one, two) <= 12:
            return m[0]
    return None


__all__ = ["name_date"]
