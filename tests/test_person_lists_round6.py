"""Person cells, round 6 (x47r5's re-test): a couple or a compound surname before a job
title, a second name inside a "title", a given name that is a courtesy title, a family
word or a legal form that can be initials after a comma, a title after a slash. Each cell
is labelled with the one person it names (its name once the title is cut) or REFUSED
(the cell lists, or may list, two persons: the row fails, naming them) — the safe side
wherever two persons could be made one.
"""

from __future__ import annotations

import pytest

from jobs import transforms as tf
from jobs.account import PersonIndex
from tests.test_person_identity import decide_all, planner, rows_of

REFUSED = "REFUSED"

LABELLED: list[tuple[str, str]] = [
    # F1: a couple before a title or a suffix is two persons, as without it (each was
    # ONE person named as the couple)
    ("Marco e Anna Rossi, CEO", REFUSED), ("Juan y María Pérez, Gerente", REFUSED),
    ("Anna i Piotr Nowak, Prezes", REFUSED), ("Jana a Petr Novákovi, ředitel", REFUSED),
    ("Marco e Anna Rossi, Store Manager", REFUSED), ("Marco e Anna Rossi, PhD", REFUSED),
    ("Marco e Anna Rossi, Jr.", REFUSED), ("Juan y María Pérez, Store Manager", REFUSED),
    ("Anna i Piotr Nowak, Jr.", REFUSED), ("Jana a Petr Novákovi, PhD", REFUSED),
    ("Marco e Anna Rossi, VP Sales, PhD", REFUSED), ("Marco e Anna Rossi", REFUSED),
    # F6: a second surname joined by y / i / e before a title is one person's
    ("José Ortega y Gasset, Director", "José Ortega y Gasset"),
    ("Josep Puig i Cadafalch, CEO", "Josep Puig i Cadafalch"),
    ("Maria da Silva e Souza, CEO", "Maria da Silva e Souza"),
    ("José Ortega y Gasset, PhD", "José Ortega y Gasset, PhD"),
    ("José Ortega y Gasset", "José Ortega y Gasset"),
    ("Puig i Cadafalch, Josep", "Puig i Cadafalch, Josep"),
    # F2: two capitalised words outside the vocabulary after a title's words are a name
    ("Jane Roe, CEO Bob Roe", REFUSED), ("Jane Roe, Store Manager Robert Plant", REFUSED),
    ("Jane Roe, CEO Bob Roe, CTO", REFUSED),
    ("Jane Roe, Director of Sales Bob Roe", REFUSED),
    ("Ana López, Director Comercial", "Ana López"),
    ("Jan Kowalski, Prezes Zarządu", "Jan Kowalski"),
    ("Anna Berg, Sales Manager Nordics", "Anna Berg"),
    ("Иван Петров, генеральный директор", "Иван Петров"),
    # F3: a courtesy title and a name after a comma are a person, never one trailing word
    ("Anna Berg, Don Lee", REFUSED), ("Don Lee, Anna Berg", REFUSED),
    ("Anna Berg, Mr Smith", REFUSED), ("Anna Berg, Herr Schmidt", REFUSED),
    ("Anna Berg, Ing Lee", REFUSED), ("Jane Roe, CEO, Don Lee", REFUSED),
    ("Jane Roe, Store Manager, Don Lee", REFUSED), ("Ann Lee, CEO", "Ann Lee"),
    ("Roe, Jane", "Roe, Jane"), ("Anna Berg, Dr.", "Anna Berg, Dr."),
    # F4: a family word or a legal form that can be initials after a comma: refused
    ("Anna Berg, Bob Partners", REFUSED), ("Anna Berg, Anna Sons", REFUSED),
    ("Anna Berg, Hans Söhne", REFUSED), ("Anna Berg, AB Smith", REFUSED),
    ("Jane Roe, PT Barnum", REFUSED), ("Anna Berg, Maria Brothers", REFUSED),
    ("Jane Roe, SA Renault", REFUSED), ("Anna Berg, AB Volvo", REFUSED),
    ("Anna Berg, Acme Co", REFUSED),
    ("Ivan Petrov, OOO Romashka", "Ivan Petrov, OOO Romashka"),
    ("Иван Петров, \u041e\u041e\u041e Ромашка", "Иван Петров, \u041e\u041e\u041e Ромашка"),
    ("田中太郎、株式会社ABC", "田中太郎、株式会社ABC"),
    ("Anna Berg, Hans Söhne GmbH", "Anna Berg, Hans Söhne GmbH"),
    ("Anna Berg, Acme Sons Ltd", "Anna Berg, Acme Sons Ltd"),
    ("Smith & Sons", "Smith & Sons"), ("Smith & Sons Ltd", "Smith & Sons Ltd"),
    ("Rossi & Figli S.r.l.", "Rossi & Figli S.r.l."),
    ("Anna Berg, Acme GmbH", "Anna Berg, Acme GmbH"),
    # F9: a title after a spaced slash is cut as after a comma
    ("Jane Roe / CEO", "Jane Roe"), ("Jane Roe / Sales Director", "Jane Roe"),
    ("Jane Roe / T. Manager", REFUSED),
    # F7: titles the vocabulary lacked (left in the name: a second person beside a row of
    # the plain name)
    ("Jane Roe, Export Manager", "Jane Roe"), ("Jane Roe, Design Director/Lead", "Jane Roe"),
    ("Jane Roe, Head of Design/Engineering/People", "Jane Roe"),
    ("Ayşe Kaya, Sat\u0131\u015f Müdürü", "Ayşe Kaya"), ("Jan Novák, obchodní ředitel", "Jan Novák"),
    ("Budi Santoso, Direktur Utama", "Budi Santoso"),
    ("Budi Santoso, Manajer Pemasaran", "Budi Santoso"),
    ("Nguyễn Văn An, Giám đốc", "Nguyễn Văn An"),
    ("Hans Müller, Verkaufsleiter", "Hans Müller"),
    ("Anna Berg, Vertriebsleiterin", "Anna Berg"),
    ("Anna Berg, Hans Leiter", REFUSED), ("Anna Berg & Bob Designer", REFUSED),
    # F8: ``en`` lower-case only
    ("Tan En Qi", "Tan En Qi"), ("Jan de Vries en Piet Bakker", REFUSED),
]


def read(cell: str) -> str:
    """The one person a cell names (its title cut), or REFUSED."""
    if tf.listed_persons(cell) is not None:
        return REFUSED
    return tf.name_and_title(cell)[0]


@pytest.mark.parametrize(("cell", "expected"), LABELLED)
def test_round_6_cells(cell: str, expected: str) -> None:
    assert read(cell) == expected


def test_a_cut_title_after_a_slash_is_noted() -> None:
    assert tf.name_and_title("Jane Roe / CEO") == ("Jane Roe", "CEO")
    assert tf.name_and_title("Jane Roe, VP Sales") == ("Jane Roe", "VP Sales")


def _account(*named: tuple[int, str]) -> PersonIndex:
    persons = PersonIndex()
    for pid, name in named:
        persons.add({"id": pid, "name": name})
    return persons


@pytest.mark.parametrize("cell", ["Bob Poe, VP Sales", "Bob Poe / VP Sales"])
def test_an_account_person_named_with_the_whole_cell_is_found(cell: str) -> None:
    """F5: the account's person an older version named with the whole cell (``Bob Poe, VP
    Sales``, no e-mail) is the row's, found by that name when none has the name without
    the title (before: a new person ``Bob Poe``, and an upsert moved the deal to it)."""
    got = decide_all(planner(_account((5, cell))), rows_of([{"contact": cell}]))
    assert got["K2"].get("id") == 5, got
    assert got["K2"]["title"] == "VP Sales", got


def test_the_name_without_the_title_is_preferred() -> None:
    """The account's ``Bob Poe`` (6) and ``Bob Poe, VP Sales`` (5): the row is Bob Poe's."""
    got = decide_all(planner(_account((5, "Bob Poe, VP Sales"), (6, "Bob Poe"))),
                     rows_of([{"contact": "Bob Poe, VP Sales"}]))
    assert got["K2"].get("id") == 6, got
