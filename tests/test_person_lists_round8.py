"""Person cells, round 8 (x47r9's re-test of round 7): a couple's given names after a
surname written first, a lower-case Cyrillic or any Arabic name after a title's head
word, a name after a title part joined by ``/`` or ``,``, a place's word alone after a
title's ``&`` / ``and``. Each cell is labelled with the one person it names (its name
once the title is cut) or REFUSED (the cell lists, or may list, two persons: the row
fails, naming them) — the safe side wherever two persons could be made one.
"""

from __future__ import annotations

import pytest

from jobs import transforms as tf

REFUSED = "REFUSED"

LABELLED: list[tuple[str, str]] = [
    # F1: a surname written first then a couple's given names joined by a weak joiner
    # is two persons (each was ONE person named as the couple)
    ("Rossi, Marco e Anna", REFUSED), ("Nowak, Anna i Piotr", REFUSED),
    ("Pérez, Juan y María", REFUSED), ("Nowak, Anna a Piotr", REFUSED),
    ("Santos, Jose at Maria", REFUSED), ("Cruz, Juan y Ana", REFUSED),
    ("de Rossi, Marco e Anna", REFUSED), ("Roe/Smith, Anna e Bob", REFUSED),
    # the surname part itself may hold the joiner (one person, as before)
    ("Puig i Cadafalch, Josep", "Puig i Cadafalch, Josep"), ("Roe, Jane", "Roe, Jane"),
    ("Gaudí i Cornet, Antoni", "Gaudí i Cornet, Antoni"),
    ("Berg, Anna Maria", "Berg, Anna Maria"),
    # F2: a name in a non-Latin script after a title's head word (each was cut and
    # hidden in the note)
    ("Иван Петров, директор анна смирнова", REFUSED),
    ("Иван Петров, генеральный директор анна", REFUSED),
    ("Іван Петренко, директор олена", REFUSED),
    ("Иван Петров, руководитель отдела мария", REFUSED),
    ("Ahmed Ali, مدير فاطمة حسن", REFUSED), ("Ahmed Ali, مدير محمد", REFUSED),
    # a title of the script's vocabulary alone stays cut
    ("Иван Петров, генеральный директор", "Иван Петров"),
    ("Иван Петров, директор по развитию", "Иван Петров"),
    ("Иван Петров, руководитель отдела продаж", "Иван Петров"),
    ("Іван Петренко, головний менеджер відділу продажів", "Іван Петренко"),
    ("Ahmed Ali, مدير المبيعات", "Ahmed Ali"), ("Ahmed Ali, مدير", "Ahmed Ali"),
    # F3: after a title part any further part not a title, suffix or company is a
    # person (each was ONE person named as the whole cell)
    ("Jane Roe/CEO/Bob Roe", REFUSED), ("Jane Roe/CEO/Anna Berg", REFUSED),
    ("Jane Roe/CEO/Bob/Ann Lee", REFUSED), ("Jane Roe/CTO/Bob Roe/CEO", REFUSED),
    ("Jane Roe/CEO/Bob", REFUSED), ("Jane Roe, CEO/Bob", REFUSED),
    ("Jane Roe, CEO, Bob", REFUSED), ("Jane Roe, Director, Anna", REFUSED),
    # a single word ending the cell, the first part after the name, stays the name's
    ("Ann Lee, CEO", "Ann Lee"), ("Anna Berg, Lee", "Anna Berg, Lee"),
    ("Jane Roe, CEO, Acme GmbH", "Jane Roe, CEO, Acme GmbH"),
    ("Jane Roe, Founder, CEO", "Jane Roe"), ("Anna Berg, PhD, CEO", "Anna Berg, PhD"),
    # F4: a place's word alone after a title's joiner is no title word (each was cut)
    ("Jane Roe, CEO & Plant", REFUSED), ("Jane Roe, CEO & Key", REFUSED),
    ("Jane Roe, CEO and Key", REFUSED), ("Jane Roe, Founder & Store", REFUSED),
    ("Jane Roe, CEO & Field", REFUSED), ("Jane Roe, CEO & Branch", REFUSED),
    # a place's word beside a title word after the joiner stays a title
    ("Jane Roe, Founder & CEO", "Jane Roe"), ("Jane Roe, CEO & Store Manager", "Jane Roe"),
    ("Jane Roe, Sales & Key Account Manager", "Jane Roe"),
    # F6: a double surname at an unspaced slash before a title after a comma is one
    # person's (was refused as "Anna Roe" and "Smith, CEO"); two full names stay two
    ("Anna Roe/Smith, CEO", "Anna Roe/Smith"), ("Anna Berg/Smith, VP Sales", "Anna Berg/Smith"),
    ("Jane Roe/Bob Poe, CEO", REFUSED), ("Roe, Jane/Smith, Bob", REFUSED),
    # F5: a region's word beside a head word after a slash, a title led by a region's
    # word or by ``Head of`` (each was refused as two persons)
    ("Jane Roe/CEO North", "Jane Roe"), ("Jane Roe / CEO North", "Jane Roe"),
    ("Jane Roe / Director Europe", "Jane Roe"),
    ("Jane Roe, Head of Sales North America", "Jane Roe"),
    ("Jane Roe, North Sales Manager", "Jane Roe"),
    # a name beside them stays refused
    ("Jane Roe / Director Europe Maria", REFUSED), ("Jane Roe, Head of Sales Tom", REFUSED),
    ("Jane Roe, North Bob Manager", REFUSED), ("Anna Berg, Carl North", REFUSED),
    ("Jane Roe/West Smith", REFUSED),
]


def read(cell: str) -> str:
    """The one person a cell names (its title cut), or REFUSED."""
    if tf.listed_persons(cell) is not None:
        return REFUSED
    return tf.name_and_title(cell)[0]


@pytest.mark.parametrize(("cell", "expected"), LABELLED)
def test_round_8_cells(cell: str, expected: str) -> None:
    assert read(cell) == expected
