"""Build ``jobs/dedupe/near_known.txt``: rare words next to a common English word.

``lexicon.misspelt`` takes a word one letter off a common English word (Zipf >= 3.0,
5+ letters) for that word mistyped only when the other spelling is written nowhere.
wordfreq's ``small`` lists stop at Zipf 3, so a town or a brand (``Woking``, Zipf 2.7
next to ``working``) looked unwritten; the ``large`` lists know it but cost ~200 MB and
~4 s to load. This script keeps, once, the few words the rule can ever ask about: every
word of the ``large`` lists of the five languages (Zipf > 0; umlauts transliterated as
``normalize`` does) that is one letter replaced, added or dropped after the first letter
from a common English word of ``MIN_SHAPED_LEN``+ letters, and in ``near_written.txt`` those
of them written at least ``WRITTEN_ZIPF`` (2.0, once per 100 million words) in one of the
languages (``lexicon.rare_slip``: ``woking`` 2.7 is written, ``servce`` 1.1 is a slip). Run it
again after upgrading wordfreq: ``python scripts/build_near_known.py``. Data: wordfreq (CC BY-SA 4.0).
"""

from __future__ import annotations

import string
import sys
from pathlib import Path

from wordfreq import get_frequency_dict, top_n_list, zipf_frequency

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jobs.dedupe.lexicon import COMMON_ZIPF, LANGUAGES, MIN_SHAPED_LEN, WRITTEN_ZIPF

OUT = Path(__file__).resolve().parents[1] / "jobs" / "dedupe" / "near_known.txt"
WRITTEN = OUT.with_name("near_written.txt")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def neighbours(w: str) -> set[str]:
    """Words one letter replaced, added or dropped after the first letter from ``w``."""
    out: set[str] = set()
    for k in range(1, len(w) + 1):
        if k < len(w):
            out.add(w[:k] + w[k + 1:])
            out.update(w[:k] + c + w[k + 1:] for c in string.ascii_lowercase)
        out.update(w[:k] + c + w[k:] for c in string.ascii_lowercase)
    out.discard(w)
    return out


def main() -> None:
    common = [w for w in top_n_list("en", 100_000, wordlist="small")
              if len(w) >= MIN_SHAPED_LEN and w.isascii() and w.isalpha()
              and zipf_frequency(w, "en", wordlist="small") >= COMMON_ZIPF]
    cands: set[str] = set()
    for w in common:
        cands |= neighbours(w)
    known: set[str] = set()
    written: set[str] = set()  # ... and written at least WRITTEN_ZIPF in one language
    floor = 10 ** (WRITTEN_ZIPF - 9)  # Zipf = log10(frequency) + 9
    for lang in LANGUAGES:
        for w, f in get_frequency_dict(lang, wordlist="large").items():
            t = w.translate(_UMLAUTS)
            if t in cands:
                known.add(t)
                if f >= floor:
                    written.add(t)
    OUT.write_text("".join(f"{w}\n" for w in sorted(known)), encoding="utf-8")
    WRITTEN.write_text("".join(f"{w}\n" for w in sorted(written)), encoding="utf-8")
    print(f"{len(common)} common words, {len(known)} near spellings known -> {OUT}, "
          f"{len(written)} of them written at Zipf {WRITTEN_ZIPF}+ -> {WRITTEN}")


if __name__ == "__main__":
    main()
