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

from collections.abc import Mapping
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


COMMON_ZIPF = 3.0  # a common English word: once per million words (``rollout``, ``licences``)
# the shortest common word ``misspelt`` reads any one-letter slip in: a shorter word one letter
# off is as likely another short name (``Looker`` / ``locker``, ``Brevo`` / ``bravo``) as a slip
MIN_COMMON_LEN = 7
# the shortest common word ``misspelt`` reads a *plausible* slip in (``plausible_typo``)
MIN_SHAPED_LEN = 5
# a very common English word (``portal`` 4.0, ``server`` 4.5): a dropped letter before its last
# is a slip too, unless an ``e`` (``Softr`` / softer 3.5, ``Tumblr``, ``Lettr``: the ``-er``
# brand names drop; ``rare_slip`` only, x36r2 F5: ``Portl`` was held as a near word)
VERY_COMMON_ZIPF = 4.0
_NEAR_KNOWN = Path(__file__).with_name("near_known.txt")
# a spelling written less than this (Zipf, in every language's ``large`` list: once per 100
# million words) is a slip people make, not a word of its own (``servce`` 1.1, ``suport`` 1.8;
# ``woking`` 2.7, ``brest`` 2.7, ``lienz`` 3.0, ``coud`` 2.4 are written): ``rare_slip``
WRITTEN_ZIPF = 2.0
_NEAR_WRITTEN = Path(__file__).with_name("near_written.txt")

# keyboard rows of the layouts our users type on; a row is offset half a key from the next
_LAYOUTS = (("qwertyuiop", "asdfghjkl", "zxcvbnm"),      # QWERTY
            ("qwertzuiop", "asdfghjkl", "yxcvbnm"),      # QWERTZ
            ("azertyuiop", "qsdfghjklm", "wxcvbn"))      # AZERTY


def _key_neighbours() -> dict[str, frozenset[str]]:
    near: dict[str, set[str]] = {}
    for rows in _LAYOUTS:
        for r, row in enumerate(rows):
            for c, key in enumerate(row):
                keys = near.setdefault(key, set())
                keys.update(row[max(0, c - 1):c] + row[c + 1:c + 2])
                if r > 0:  # the row above sits half a key to the left
                    keys.update(rows[r - 1][c:c + 2])
                if r + 1 < len(rows):
                    keys.update(rows[r + 1][max(0, c - 1):c + 1])
    return {k: frozenset(v) for k, v in near.items()}


KEY_NEIGHBOURS = _key_neighbours()


def plausible_typo(common: str, other: str, very_common: bool = False) -> bool:
    """True when ``other`` is ``common`` (lowercase a-z words, the same first letter) typed
    with one slip of a finger: one letter replaced by its neighbour on a QWERTY, QWERTZ or
    AZERTY keyboard (``lsptop`` for ``laptop``), one letter doubled (``rolllout``), or one
    letter dropped (``rllout``, ``pilt``) — not the one before the last, the vowel brand
    names drop (``Softr`` / ``softer``, ``Kaspr`` / ``kasper``, ``Tumblr`` / ``tumbler``),
    unless ``very_common`` (the caller's ``VERY_COMMON_ZIPF`` test of ``common``) and the
    letter is no ``e`` (``portl`` for ``portal``). Two neighbours swapped are
    ``scoring.clear_typo``'s."""
    n = len(common)
    if len(other) == n:
        diff = [i for i in range(n) if common[i] != other[i]]
        return len(diff) == 1 and other[diff[0]] in KEY_NEIGHBOURS.get(common[diff[0]], ())
    if len(other) == n - 1:
        if very_common and n > 3 and common[n - 2] != "e" \
                and common[:n - 2] + common[n - 1:] == other:
            return True
        return any(common[:i] + common[i + 1:] == other for i in range(1, n - 2))
    if len(other) == n + 1:
        return any(other[:i] + other[i + 1:] == common and other[i] in (other[i - 1], other[i + 1])
                   for i in range(1, n))
    return False


@lru_cache(maxsize=1)
def near_known() -> frozenset[str]:
    """The words of wordfreq's ``large`` lists (any of ``LANGUAGES``, any frequency, Zipf >
    0) one letter replaced, added or dropped after the first letter from a common English
    word (``COMMON_ZIPF``) of ``MIN_SHAPED_LEN``+ letters (``woking`` next to ``working``):
    rare words, names and places that the ``small`` lists lack. Built by
    ``scripts/build_near_known.py`` (the ``large`` lists themselves cost ~200 MB and ~4 s to
    load): 115,764 words, 1.1 MB, read on the first question."""
    return frozenset(_NEAR_KNOWN.read_text(encoding="utf-8").split())


def misspelt(x: str, y: str) -> bool:
    """True when one of two words (one letter replaced, added or dropped after the first
    letter) is a common English word (``COMMON_ZIPF`` in the ``small`` list) and the other is
    that word mistyped: written nowhere — no known word in any of ``LANGUAGES``
    (``is_known_word``) nor any word of wordfreq's ``large`` lists at any frequency
    (``near_known``) — and either the common word has ``MIN_COMMON_LEN`` (7)+ letters
    (``implementaton``, ``contrakt`` next to ``contract``) or ``MIN_SHAPED_LEN`` (5)+ letters
    and the slip is a plausible one (``plausible_typo``: ``lsptop`` / ``laptop``, ``pilt`` /
    ``pilot``). Names and brands are rarer in English (``salesforce`` 2.9, ``mailchimp``
    1.9, ``heilbronn`` 1.8, ``katharina`` 2.5), so their near spellings stay near words; so
    do a town or brand next to a common word (``woking`` / ``working``: Zipf 2.7 in the large
    English list), a short common word with a slip no finger makes (``brevo`` / ``bravo``,
    ``wrike`` / ``write``) and a dropped letter before the last (``softr`` / ``softer``)."""
    if not (x.isalpha() and y.isalpha()):
        return False
    from wordfreq import zipf_frequency

    for common, other in ((x, y), (y, x)):
        if len(common) < MIN_SHAPED_LEN or is_known_word(other) or other in near_known():
            continue
        if (len(common) >= MIN_COMMON_LEN or plausible_typo(common, other)) \
                and zipf_frequency(common, "en", wordlist="small") >= COMMON_ZIPF:
            return True
    return False


@lru_cache(maxsize=1)
def near_written() -> frozenset[str]:
    """The words of ``near_known`` written at least ``WRITTEN_ZIPF`` (2.0) in one of
    ``LANGUAGES``' ``large`` lists (``woking``, ``brest``, ``coud``): built with it by
    ``scripts/build_near_known.py``; read on the first question."""
    return frozenset(_NEAR_WRITTEN.read_text(encoding="utf-8").split())


def rare_slip(x: str, y: str) -> bool:
    """True when one of two words is a common English word (``COMMON_ZIPF``) of
    ``MIN_SHAPED_LEN`` (5)+ letters and the other that word with one plausible slip of a
    finger (``plausible_typo``: ``servce``, ``suport``, ``ofice``; in a ``VERY_COMMON_ZIPF``
    word a dropped letter before the last too, ``portl``) into a spelling that is no
    known word (``is_known_word``) and is written, if at all, less than ``WRITTEN_ZIPF``
    (``near_written``): a misspelling the ``large`` lists caught, not a town or a brand
    (``woking`` / ``working``, ``brest`` / ``breast`` stay near words). Weaker than
    ``misspelt``: ``scoring`` takes it for the word only when the deals agree on org record,
    person and value."""
    if not (x.isalpha() and y.isalpha()):
        return False
    from wordfreq import zipf_frequency

    for common, other in ((x, y), (y, x)):
        if len(common) < MIN_SHAPED_LEN:
            continue
        zipf = zipf_frequency(common, "en", wordlist="small")
        if zipf < COMMON_ZIPF or not plausible_typo(common, other, zipf >= VERY_COMMON_ZIPF) \
                or is_known_word(other) or other in near_written():
            continue
        return True
    return False


ACCOUNT_USES = 5  # deals whose titles use a common word: the account's own vocabulary
ACCOUNT_RATIO = 5  # ... at least this many times as many as use the other spelling


def account_slip(x: str, y: str, vocab: Mapping[str, int]) -> bool:
    """True when one of two words (one letter replaced, added or dropped after the first
    letter: ``word_pair``'s near words) is a common English word (``COMMON_ZIPF``) of
    ``MIN_SHAPED_LEN`` (5)+ letters that the account's titles use (``vocab``: deals per title
    word, at least ``ACCOUNT_USES`` and ``ACCOUNT_RATIO`` times the other's) and the other a
    spelling written nowhere (no known word, nor any word of wordfreq's ``large`` lists:
    ``near_known``), not the letter before the last dropped (``plausible_typo``: how brands
    drop a vowel): ``pilut`` in an account whose titles say ``pilot`` 200 times. Weaker than
    ``misspelt`` as ``rare_slip`` is: ``scoring`` takes it for the word only when the deals
    agree on org record, person and value (f36e 1)."""
    if not (x.isalpha() and y.isalpha()):
        return False
    from wordfreq import zipf_frequency

    for common, other in ((x, y), (y, x)):
        uses = vocab.get(common, 0)
        if len(common) < MIN_SHAPED_LEN or uses < ACCOUNT_USES \
                or uses < ACCOUNT_RATIO * vocab.get(other, 0) \
                or (len(other) == len(common) - 1 and other == common[:-2] + common[-1:]) \
                or is_known_word(other) or other in near_known():
            continue
        if zipf_frequency(common, "en", wordlist="small") >= COMMON_ZIPF:
            return True
    return False


def both_known(x: str, y: str) -> bool:
    """True when ``x`` and ``y`` are both known words (``is_known_word``): two words,
    not one word and its typo."""
    return is_known_word(x) and is_known_word(y)


__all__ = ["ACCOUNT_RATIO", "ACCOUNT_USES", "COMMON_ZIPF", "KEY_NEIGHBOURS", "KNOWN_ZIPF",
           "LANGUAGES", "MIN_COMMON_LEN", "MIN_SHAPED_LEN", "VERY_COMMON_ZIPF", "WRITTEN_ZIPF",
           "account_slip", "both_known", "is_known_word", "misspelt", "near_known",
           "near_written", "plausible_typo", "rare_slip"]
