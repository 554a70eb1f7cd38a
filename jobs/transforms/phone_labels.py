"""The label a person's phone cell writes beside its number, read as Pipedrive's.

CRMs write the kind of a phone into its cell (Copper's ``+49 30 4616337 (work)``,
Close's ``Work: +49 …``, ``Mobile +49 …``, ``… [work]``, ``… - work``; z55r1 F2: 213 of
300 rows of a Copper export refused as "not a phone number"). Pipedrive keeps a kind per
phone: the ``label`` of a person's ``phones`` items ``{value, primary, label}``, one of
``work``, ``home``, ``mobile``, ``other`` (openapi-v1.yaml, addPerson ``phone``: "Possible
values - work, home, mobile or other"; openapi-v2.yaml's ``phones`` items). This module
reads the word (of en, de, fr, es, pt, nl, it, sv) as one of those four:

- a word meaning one of them is it (``Büro`` / ``Office`` / ``Direct`` / ``Main`` /
  ``Zentrale``: work; ``Privat`` / ``Casa``: home; ``Handy`` / ``Cell`` / ``Portable``:
  mobile; ``Andere``: other);
- a word naming a line Pipedrive has no label for (``Fax``, ``Pager``, ``Assistant``) is
  ``other``;
- a word naming a phone alone (``Phone``, ``Tel.``, ``Telefon``, ``Number``) names no kind
  (None: the number is sent as an unlabelled one is, ``work``).

Only listed words are labels: any other text beside a number (``Ask for Bob``, ``Berlin``)
still fails the row, as a label's digits never join the number (``Mobile 2 +49 …`` fails).
Pure: no I/O, no state; never reads the number itself (``contacts.clean_phone`` does).
"""

from __future__ import annotations

import re

from .person_words import EXTENSION_WORDS

# Pipedrive's four phone labels (openapi-v1.yaml, addPerson ``phone``)
PIPEDRIVE_LABELS = ("work", "home", "mobile", "other")

# each label word (lower case, as written and without its accents) and what it is
_WORDS: dict[str, str | None] = {}
for _label, _words in (
    ("work", "work office business biz direct main switchboard company job "  # en
             "arbeit büro buero geschäftlich geschaeftlich dienstlich firma zentrale "  # de
             "travail bureau professionnel pro entreprise "  # fr
             "trabajo oficina empresa laboral "  # es
             "trabalho escritório escritorio comercial "  # pt
             "werk kantoor zakelijk bedrijf "  # nl
             "lavoro ufficio azienda "  # it
             "arbete arbetet jobb kontor"),  # sv
    ("home", "home private personal house residence "
             "privat zuhause heim "
             "domicile maison personnel privé prive perso "
             "casa particular domicilio "
             "residencial pessoal "
             "thuis "
             "privato abitazione "
             "hem hemma bostad"),
    ("mobile", "mobile mob cell cellular cellphone "
               "mobil handy mobiltelefon funk "
               "portable cellulaire "
               "móvil movil celular "
               "telemóvel telemovel móvel movel "
               "mobiel gsm "
               "cellulare telefonino"),
    ("other", "other fax telefax pager assistant "
              "andere anderes sonstige sonstiges weitere "
              "autre "
              "otro otra "
              "outro outra "
              "ander anders overig "
              "altro altra "
              "annat annan övrigt ovrigt"),
    ("", "phone telephone tel number "
         "telefon telefonnummer nummer rufnummer "
         "téléphone téléphone tél numéro "
         "teléfono telefono número numero "
         "telefone "
         "telefoon tfn tlf"),
):
    for _word in _words.split():
        _WORDS.setdefault(_word, _label or None)

_WORD = "|".join(sorted(map(re.escape, _WORDS), key=lambda w: (-len(w), w)))
# a label: one to three listed words (``Work``, ``Work Phone``, ``Tel. privat``,
# ``Mobile No.``), each ending at a word's end, a dot after it allowed
_LABEL = rf"(?:{_WORD})(?![^\W_])\.?(?:[\s\-/]{{0,3}}(?:{_WORD})(?![^\W_])\.?){{0,2}}"
# ``Work: +49 …``, ``Work +49 …``, ``(work) +49 …``, ``[Mobil] 0151 …``
_BEFORE = re.compile(rf"\s*(?:\(\s*(?P<a>{_LABEL})\s*\)|\[\s*(?P<b>{_LABEL})\s*\]"
                     rf"|(?P<c>{_LABEL}))\s*[:\-\u2013\u2014]?\s*(?P<body>[+(\d].*)",
                     re.I | re.S)
# an extension after the label (``+1 555-010-0123 (work) x12``): the number's own
_EXT_TAIL = rf"\s*[,;]?\s*\(?\s*(?:(?:{EXTENSION_WORDS})(?![^\W\d_])\.?|\#)\s*[.:=]?\s*-?\s*\d{{1,6}}\s*\)?"
# ``… (work)``, ``… [work]``, ``… - work``, ``… / work``, ``… , work``, ``… : work``,
# ``… work``
_AFTER = re.compile(rf"(?P<body>.*?\d\)?)\s*(?:\(\s*(?P<a>{_LABEL})\s*\)|\[\s*(?P<b>{_LABEL})\s*\]"
                    rf"|(?:[\-\u2013\u2014/,:;]\s*|\s+)(?P<c>{_LABEL}))"
                    rf"(?P<ext>{_EXT_TAIL})?\s*", re.I | re.S)
_ALONE = re.compile(rf"\s*(?:\(\s*(?P<a>{_LABEL})\s*\)|\[\s*(?P<b>{_LABEL})\s*\]"
                    rf"|(?P<c>{_LABEL}))\s*:?\s*", re.I | re.S)
_SPLIT = re.compile(r"[\s\-/.]+")
# a lone digit, then a separator and more of a number (a digit, a bracket, a dash):
# after a bare label, the label's own number
_LONE_DIGIT = re.compile(r"\d[\s.\-/]+[-(\[\d]")
# words of a line that is no person's phone kind: beside a kind's word, still ``other``
_LINES = frozenset({"fax", "telefax", "pager"})


class Labelled:
    """A phone cell's text read as ``body`` (the number, its extension, without the
    label) and ``label`` (Pipedrive's: ``work`` / ``home`` / ``mobile`` / ``other``, or
    None for a word naming no kind)."""

    __slots__ = ("body", "label")

    def __init__(self, body: str, label: str | None) -> None:
        self.body = body
        self.label = label

    def __repr__(self) -> str:
        return f"Labelled({self.body!r}, {self.label!r})"


def label_of(words: str) -> str | None:
    """Pipedrive's label of a label's text (``Work Phone`` -> ``work``, ``Tel.`` ->
    None): the kind its words name; a fax or pager line is ``other`` whatever word is
    beside it (``Home Fax``, ``Business Fax``: Outlook's columns). None when no word
    names a kind; ValueError when two words name two kinds (``Work Mobile``, ``Home
    Work``: which it is, the cell does not say — v56r1 F2)."""
    kinds = {kind for word in _SPLIT.split(words.casefold())
             if word and (kind := _WORDS.get(word)) is not None}
    if len(kinds) > 1:
        if any(word in _LINES for word in _SPLIT.split(words.casefold())):
            return "other"
        raise ValueError(f"two labels: {words!r}")
    return next(iter(kinds), None)


def split_label(text: str) -> Labelled | None:
    """``text`` (a phone cell, or one item of a list of them) as its number and label,
    when it writes a listed label before the number (``Work: +49 30 4616337``, ``Mobile
    +49 …``, ``(work) …``) or after it (``… (work)``, ``… [work]``, ``… - work``, ``… /
    work``, ``… , work``, ``… work``; an extension after the label kept with the number:
    ``… (work) x12`` is ``… x12``); None otherwise. The body is not checked to be a
    number (``contacts.clean_phone`` does, and refuses ``Mobile 2 +49 …``)."""
    try:
        before = _BEFORE.fullmatch(text)
        if before is not None:
            if before["c"] is not None and _LONE_DIGIT.match(before["body"]) \
                    and not text[before.end("c"):before.start("body")].strip(" \t."):
                # ``Mobile 2 0151 …``, ``Mobile 2 (0151) …``: a label's own number (a
                # second mobile), not the phone's first digit: no colon or bracket tells
                # them apart, so the cell fails (v56r1 F1: ``2 (0151) …`` was written)
                return None
            return Labelled(before["body"].strip(), label_of(_found(before)))
        after = _AFTER.fullmatch(text)
        if after is not None and after["body"].strip():
            return Labelled((after["body"] + (after["ext"] or "")).strip(),
                            label_of(_found(after)))
    except ValueError:  # two labels of two kinds (``label_of``): the cell fails
        return None
    return None


def label_alone(text: str) -> str | bool | None:
    """Pipedrive's label of a list item that is a label alone (``work`` of ``+49 30
    4616337, work``; the label of the number before it): the label, None for a word
    naming no kind, False when ``text`` is no label."""
    alone = _ALONE.fullmatch(text)
    if alone is None:
        return False
    try:
        return label_of(_found(alone))
    except ValueError:  # two labels of two kinds: no one label
        return False


def _found(match: re.Match[str]) -> str:
    return match["a"] or match["b"] or match["c"]


__all__ = ["PIPEDRIVE_LABELS", "Labelled", "label_alone", "label_of", "split_label"]
