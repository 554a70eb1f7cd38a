"""Person cells, round 7 (x47r7's re-test of round 6): a surname ending in ``-leiter``
after a comma, a couple before a comma part outside the title vocabulary, a second person
inside a title whose words are not all the vocabulary's, a compound surname before a
place, a ``-leiter`` title after a slash. Each cell is labelled with the one person it
names (its name once the title is cut) or REFUSED (the cell lists, or may list, two
persons: the row fails, naming them) — the safe side wherever two persons could be made
one.
"""

from __future__ import annotations

import pytest

from jobs import transforms as tf

REFUSED = "REFUSED"

LABELLED: list[tuple[str, str]] = [
    # F3: a -leiter compound is a title only with a known job prefix; else a surname,
    # the person's own (each was cut and hidden in the "not sent" note)
    ("Anna Berg, Schleiter", "Anna Berg, Schleiter"),
    ("Hans Müller, Schleiter", "Hans Müller, Schleiter"),
    ("Anna Berg, Bergleiter", "Anna Berg, Bergleiter"),
    ("Anna Berg, Schleiterin", "Anna Berg, Schleiterin"),
    ("Hans Müller, Verkaufsleiter", "Hans Müller"),
    ("Hans Müller, Niederlassungsleiter", "Hans Müller"),
    ("Hans Müller, Teamleiter", "Hans Müller"), ("Anna Berg, Bauleiter", "Anna Berg"),
    ("Hans Müller, Vertriebsleiter DACH", "Hans Müller"),
    ("Hans Müller, Abteilungsleiter Einkauf", "Hans Müller"),
    # F5: the same on the slash path
    ("Jane Roe / Vertriebsleiterin", "Jane Roe"), ("Jane Roe / Verkaufsleiter", "Jane Roe"),
    ("Jane Roe / Schleiter", REFUSED),
    # an unspaced slash before an abbreviated title or a title of two words or more
    ("Jane Roe/CEO", "Jane Roe"), ("Jane Roe/VP Sales", "Jane Roe"),
    ("Jane Roe/Lead", "Jane Roe/Lead"), ("Roe/Smith", "Roe/Smith"),
    ("Jane Roe, Design Director/Lead", "Jane Roe"), ("Jane Roe/Key", "Jane Roe/Key"),
    # F1: a couple before a comma part outside the vocabulary is two persons (each was
    # ONE person named as the couple)
    ("Marco e Anna Rossi, Milano", REFUSED), ("Juan y María Pérez, Socios", REFUSED),
    ("Luis y Ana García, Directores", REFUSED), ("Pedro e Inês Costa, Sócios", REFUSED),
    ("Anna i Piotr Nowak, Kraków", REFUSED), ("Marco e Anna Rossi, Owners", REFUSED),
    # F4: a second surname before a place is one person's (was refused as two)
    ("José Ortega y Gasset, Madrid", "José Ortega y Gasset, Madrid"),
    ("Josep Puig i Cadafalch, Barcelona", "Josep Puig i Cadafalch, Barcelona"),
    ("Josep Puig i Cadafalch, Arquitecte", "Josep Puig i Cadafalch, Arquitecte"),
    ("Puig i Cadafalch, Josep", "Puig i Cadafalch, Josep"), ("Roe, Jane", "Roe, Jane"),
    ("Ana López, Director Comercial LATAM", "Ana López"),
    ("Ana López, Directora Comercial España", "Ana López"),
    # F2: a title holding a word outside the vocabulary may hold a person: refused (each
    # was cut and hidden in the note)
    ("Jane Roe, CEO Bob van Dijk", REFUSED), ("Jane Roe, Director Juan de la Cruz", REFUSED),
    ("Hans Müller, Geschäftsführer Peter von Weber", REFUSED),
    ("Jane Roe, CEO Ludwig van Beethoven", REFUSED), ("Jane Roe, CEO Bob-Roe", REFUSED),
    ("Jane Roe, CEO bob roe", REFUSED), ("Jane Roe, CEO Bob", REFUSED),
    ("Jane Roe, VP Sales Tom", REFUSED), ("Jane Roe, Sales Manager Bob", REFUSED),
    ("Jane Roe, CEO McDonald", REFUSED),
    # a title of the vocabulary's words alone stays cut
    ("Jane Roe, Sales Manager Nordics", "Jane Roe"), ("Jane Roe, Head of Sales EMEA", "Jane Roe"),
    ("Ana López, Directora Comercial", "Ana López"),
    ("Jan Kowalski, Prezes Zarządu", "Jan Kowalski"),
    ("Иван Петров, генеральный директор", "Иван Петров"),
    # a place's or field's word alone is no title (a surname too): kept, or refused
    # after a slash
    ("Jane Roe / Store", REFUSED), ("Jane Roe / Key", REFUSED),
    ("Jane Roe, Key", "Jane Roe, Key"), ("Jane Roe, Plant", "Jane Roe, Plant"),
    ("Anna Berg, Key Account Manager", "Anna Berg"), ("Anna Berg, Field Sales", "Anna Berg"),
    ("Jane Roe, Sales", "Jane Roe"), ("Jane Roe / Sales", "Jane Roe"),
]


def read(cell: str) -> str:
    """The one person a cell names (its title cut), or REFUSED."""
    if tf.listed_persons(cell) is not None:
        return REFUSED
    return tf.name_and_title(cell)[0]


@pytest.mark.parametrize(("cell", "expected"), LABELLED)
def test_round_7_cells(cell: str, expected: str) -> None:
    assert read(cell) == expected
