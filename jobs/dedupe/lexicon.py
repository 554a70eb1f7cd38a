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


COMMON_ZIPF = 3.5  # a common word: about 3 times per million words in some language
UNHEARD_ZIPF = 1.0  # never written: under once per billion words in every language


@lru_cache(maxsize=65536)
def _zipf(token: str, wordlist: str) -> float:
    from wordfreq import zipf_frequency

    return max(zipf_frequency(token, lang, wordlist=wordlist) for lang in LANGUAGES)


def misspelt(x: str, y: str) -> bool:
    """True when one of two words is a common word (``COMMON_ZIPF`` in a ``small`` list)
    and the other is written nowhere (under ``UNHEARD_ZIPF`` in every language's large
    list): ``implementaton`` next to ``implementation``. Not for names and brands,
    which are rare words (``salesforce`` 2.9, ``mailchimp`` 1.9, ``heilbrunn`` 2.6: their
    near spellings may be other names), nor where the other spelling is written at all
    (``friedburg`` 1.7: a place)."""
    if not (x.isalpha() and y.isalpha()):
        return False
    for common, other in ((x, y), (y, x)):
        if _zipf(common, "small") >= COMMON_ZIPF and _zipf(other, "best") < UNHEARD_ZIPF:
            return True
    return False


def both_known(x: str, y: str) -> bool:
    """True when ``x`` and ``y`` are both known words (``is_known_word``): two words,
    not one word and its typo."""
    return is_known_word(x) and is_known_word(y)


__all__ = ["COMMON_ZIPF", "KNOWN_ZIPF", "LANGUAGES", "UNHEARD_ZIPF", "both_known", "is_known_word",
           "misspelt"]
