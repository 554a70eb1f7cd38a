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


COMMON_ZIPF = 3.5  # a common English word: about 3 times per million words


def misspelt(x: str, y: str) -> bool:
    """True when one of two words is a common English word (``COMMON_ZIPF`` in the
    ``small`` list) and the other is no known word in any of ``LANGUAGES``
    (``is_known_word``): ``implementaton`` next to ``implementation``, ``contrakt`` next
    to ``contract``. Names and brands are rarer in English (``salesforce`` 2.9,
    ``mailchimp`` 1.9, ``heilbronn`` 1.8, ``katharina`` 2.5), so their near spellings
    stay near words. Only the ``small`` lists are read (the large ones cost ~190 MB)."""
    if not (x.isalpha() and y.isalpha()):
        return False
    from wordfreq import zipf_frequency

    for common, other in ((x, y), (y, x)):
        if zipf_frequency(common, "en", wordlist="small") >= COMMON_ZIPF \
                and not is_known_word(other):
            return True
    return False


def both_known(x: str, y: str) -> bool:
    """True when ``x`` and ``y`` are both known words (``is_known_word``): two words,
    not one word and its typo."""
    return is_known_word(x) and is_known_word(y)


__all__ = ["COMMON_ZIPF", "KNOWN_ZIPF", "LANGUAGES", "both_known", "is_known_word", "misspelt"]
