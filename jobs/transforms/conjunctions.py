"""The words for "and" in the languages of the names and titles pdbulk reads: one table for
dedupe's titles (``jobs.dedupe.normalize``) and the import's organization key
(``jobs.transforms.contacts.org_match_key``), so the two read one connector alike (x52r9
F2: ``Hansen og Søn AS`` was one company to dedupe and no match for ``Hansen & Søn AS`` to
the import, which read only ``und`` / ``et``).

Sources: the coordinating conjunction "and" of English, German (``und``), French and Latin
(``et``), Swedish (``och``), Danish and Norwegian (``og``), Dutch (``en``), Turkish
(``ve``), Hungarian (``és``), Italian and Portuguese (``e``), Spanish (``y``), Catalan,
Polish, Croatian and Czech (``i``). Pure data, no I/O."""

from __future__ import annotations

CONJUNCTIONS = frozenset({"et", "och", "og", "en", "ve", "e", "y", "i", "és", "und", "and"})
# those read as "and" in any case wherever they stand between two words: never a single
# letter (``e``, ``y``, ``i`` are also a block's, a vitamin's or a label's letter, and ``i``
# is the Nordic "in": x42r6 F1), with their accents folded as organization keys fold them
AND_WORDS = frozenset({"et", "och", "og", "en", "ve", "es", "és", "und", "and"})

__all__ = ["AND_WORDS", "CONJUNCTIONS"]
