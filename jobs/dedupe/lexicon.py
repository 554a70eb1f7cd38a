"""Known words: is a title token a real word (or a common name) in the languages dedupe reads?

Two tokens one edit apart are a typo only when one of them is not a word anyone
writes: ``wesbite`` next to ``website``. When BOTH are real words (``trial`` /
``trail``, ``invoice`` / ``invoices``) or both common names (``Schmidt`` /
``Schmitt``, ``Meyer`` / ``Mayer``) they are two different words, and scoring
never lets them auto-merge (``scoring``: review at most).

Source: the ``small`` word lists of wordfreq (Robyn Speer; Apache-2.0 code,
CC BY-SA 4.0 data; built from Wikipedia, subtitles, news, books, web text and
SUBTLEX), for the languages the normalizer knows: English, German, French,
Spanish and Dutch. A ``small`` list holds every word seen at least once per
million words (Zipf frequency >= 3), common given names and surnames included;
that is what "known" means here. The lists ship inside the wordfreq wheel: no
network, nothing downloaded at run time. wordfreq is imported on the first
question (about 0.4 s and 30 MB), which only a pair of titles one edit apart
asks. Pure: no I/O beyond reading the installed package's data.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

LANGUAGES = ("en", "de", "fr", "es", "nl")
KNOWN_ZIPF = 3.0  # log10 of occurrences per billion words: 3.0 = once per million words


@lru_cache(maxsize=65536)
def is_known_word(token: str) -> bool:
    """True when ``token`` (a normalized title token: casefolded, no punctuation) is a
    word or name written at least once per million words (``KNOWN_ZIPF``) in any of
    ``LANGUAGES``. Tokens with a digit and single letters are never known words."""
    if len(token) < 2 or not token.isalpha():
        return False
    from wordfreq import zipf_frequency  # lazy: only a near-typo pair needs it

    return any(zipf_frequency(token, lang, wordlist="small") >= KNOWN_ZIPF for lang in LANGUAGES)


COMMON_ZIPF = 3.5  # a common English word: about 3 times per million words
# the shortest common word ``misspelt`` reads a typo in: a short word one letter off is as
# likely another short name (``Looker`` / ``locker``, ``Braze`` / ``brave``) as a slip
MIN_COMMON_LEN = 7
_NEAR_KNOWN = Path(__file__).with_name("near_known.txt")


@lru_cache(maxsize=1)
def near_known() -> frozenset[str]:
    """The words of wordfreq's ``large`` lists (any of ``LANGUAGES``, any frequency, Zipf >
    0) one letter replaced, added or dropped after the first letter from a common English
    word of ``MIN_COMMON_LEN``+ letters (``woking`` next to ``working``): rare words, names
    and places that the ``small`` lists lack. Built by ``scripts/build_near_known.py`` (the
    ``large`` lists themselves cost ~200 MB and ~4 s to load): 28,295 words, 259 KB, read on
    the first question."""
    return frozenset(_NEAR_KNOWN.read_text(encoding="utf-8").split())


def misspelt(x: str, y: str) -> bool:
    """True when one of two words is a common English word (``COMMON_ZIPF`` in the
    ``small`` list) of ``MIN_COMMON_LEN`` (7)+ letters and the other is written nowhere:
    no known word in any of ``LANGUAGES`` (``is_known_word``) nor any word of wordfreq's
    ``large`` lists at any frequency (``near_known``): ``implementaton`` next to
    ``implementation``, ``contrakt`` next to ``contract``. Names and brands are rarer in
    English (``salesforce`` 2.9, ``mailchimp`` 1.9, ``heilbronn`` 1.8, ``katharina`` 2.5),
    so their near spellings stay near words; so do a town or brand next to a common word
    (``woking`` / ``working``: Zipf 2.7 in the large English list) and any pair whose common
    word is short (``looker`` / ``locker``, ``braze`` / ``brave``)."""
    if not (x.isalpha() and y.isalpha()):
        return False
    from wordfreq import zipf_frequency

    for common, other in ((x, y), (y, x)):
        if len(common) >= MIN_COMMON_LEN \
                and zipf_frequency(common, "en", wordlist="small") >= COMMON_ZIPF \
                and not is_known_word(other) and other not in near_known():
            return True
    return False


def both_known(x: str, y: str) -> bool:
    """True when ``x`` and ``y`` are both known words (``is_known_word``): two words,
    not one word and its typo."""
    return is_known_word(x) and is_known_word(y)


__all__ = ["COMMON_ZIPF", "KNOWN_ZIPF", "LANGUAGES", "MIN_COMMON_LEN", "both_known", "is_known_word",
           "misspelt", "near_known"]
