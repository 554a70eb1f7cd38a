# ruff: noqa: RUF001  # fullwidth forms are the point here
"""Person cells, round 12 (x49r10's re-test of round 11). Each cell is labelled with the
one person it names (with the e-mail / phone the cell writes) or REFUSED (the row fails):

- F1 dash: one word after a spaced dash that is no job title makes the row fail, in
  every script (``Jane Roe - Hans``, ``- Oliver``, ``Иван Петров - Ольга`` were ONE
  person: the given-name list misses most names; ``Mary Roe - Smith``, ``Jane Roe -
  Berlin`` refused again, the safe side);
- F1 brackets: a Latin name in brackets beside a CJK name is its spelling only when every
  word reads as an East-Asian romanisation (``李伟 (Hans Müller)`` was ONE person);
- F2: an address or phone ends at a joiner or CJK text (``李伟 li@x.cn・王芳`` wrote the
  e-mail ``li@x.cn・王芳``);
- F3: a phone with a bracketed part is one phone (``+44 (0)20 7946 0958`` was split);
- F4: fullwidth digits and every dash between digit groups (``090\uff0d1234\uff0d5678``);
- F6: fullwidth punctuation left in a name, bracket text after a name dropped unsaid;
- F5: a compound surname (``y``) before a title or contact.
"""

from __future__ import annotations

import pytest

from tests.test_person_lists_round10 import read

REFUSED = "REFUSED"

# F1 dash: (cell, the one person, or REFUSED)
DASHES: list[tuple[str, str]] = [
    *[(f"Jane Roe - {n}", REFUSED) for n in (
        "Hans", "Oliver", "Yuki", "Bob", "Berlin", "Smith", "Sofia", "Elizabeth", "Priya",
        "Ahmed", "Søren", "Björn", "Chloé", "Jürgen")],
    ("Jane Roe \u2013 Paris", REFUSED), ("Jane Roe \u2014 London", REFUSED),
    ("Mary Roe - Smith", REFUSED), ("Hans Müller - München", REFUSED),
    ("Ana López - Madrid", REFUSED), ("Jan Nowak - Kraków", REFUSED),
    ("Иван Петров - Ольга", REFUSED), ("Иван Петров - Москва", REFUSED),
    ("Γιάννης Παπαδόπουλος - Μαρία", REFUSED), ("- Oliver", "- Oliver"),
    ("Jane Roe - CEO", "Jane Roe"), ("Jane Roe - Sales Director", "Jane Roe"),
    ("Jane Roe - Acme GmbH", "Jane Roe - Acme GmbH"), ("Mary Roe-Smith", "Mary Roe-Smith"),
    ("Jane Roe - Bob Roe", REFUSED), ("Jane Roe", "Jane Roe"),
]

# F1 brackets: a Latin name in brackets beside a CJK name
BRACKETS: list[tuple[str, str]] = [
    ("山田太郎 (Taro Yamada)", "山田太郎 (Taro Yamada)"),
    ("山田太郎 (Yamada Tarō)", "山田太郎 (Yamada Tarō)"), ("李伟 (Li Wei)", "李伟 (Li Wei)"),
    ("김민준 (Kim Min-jun)", "김민준 (Kim Min-jun)"), ("王芳 [Wang Fang]", "王芳 [Wang Fang]"),
    ("山田由紀 (Yuki Yamada)", "山田由紀 (Yuki Yamada)"),
    ("王小明 (Wang Xiaoming)", "王小明 (Wang Xiaoming)"),
    ("服部純一 (Jun'ichi Hattori)", "服部純一 (Jun'ichi Hattori)"),
    ("李伟 (Hans Müller)", REFUSED), ("李伟 (Oliver Roe)", REFUSED),
    ("山田太郎 (Elizabeth Smith)", REFUSED), ("김민준 (Christopher Lee)", REFUSED),
    ("李伟 (Bob Roe)", REFUSED), ("王芳 [Jane Roe]", REFUSED),
    # fullwidth brackets read as ``(...)``
    ("山田太郎（Taro Yamada）", "山田太郎（Taro Yamada）"), ("李伟（Oliver Roe）", REFUSED),
    ("李伟（Hans Müller）", REFUSED),
]

LABELLED = DASHES + BRACKETS


@pytest.mark.parametrize(("cell", "expected"), LABELLED)
def test_round_12_cells(cell: str, expected: str) -> None:
    assert read(cell) == expected
