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

import unicodedata
from typing import Any

import pytest

from tests.test_person_identity import decide_all, rows_of
from tests.test_person_lists_round10 import _bare_planner, read

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
    # a glued contact after the word, a bracket before the dash: the same rule
    ("Jane Roe - Bob jane@roe.com", REFUSED), ("山田太郎 (Taro Yamada) - Tokyo", REFUSED),
    ("Jane Roe (CEO) - Bob", REFUSED), ("Jane Roe (CEO) - Sales", "Jane Roe (CEO)"),
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
    # the spelling beside a contact or a title (x49r10 table 6: refused as two)
    ("山田太郎 (Taro Yamada) taro@example.jp", "山田太郎 (Taro Yamada) taro@example.jp"),
    ("李伟 (Li Wei), CEO", "李伟 (Li Wei)"), ("李伟 (Hans Müller), CEO", REFUSED),
]

LABELLED = DASHES + BRACKETS


@pytest.mark.parametrize(("cell", "expected"), LABELLED)
def test_round_12_cells(cell: str, expected: str) -> None:
    assert read(cell) == expected


def _digits(phone: str | None) -> str | None:
    return None if phone is None else "".join(
        c for c in unicodedata.normalize("NFKC", phone) if c.isdigit())


def _person(cell: str) -> Any:
    return decide_all(_bare_planner(), rows_of([{"contact": cell}]))["K2"]


def _one(cell: str, name: str, email: str | None = None, phone: str | None = None) -> None:
    ref = _person(cell)
    assert isinstance(ref, dict), ref
    body = ref.get("body") or {}
    got = (body.get("name"), (body.get("emails") or [{}])[0].get("value"),
           _digits((body.get("phones") or [{}])[0].get("value")))
    assert got == (name, email, phone), ref


# F2: an address / phone followed by a joiner or CJK text
@pytest.mark.parametrize("cell", [
    "李伟 li@x.cn・王芳", "李伟 li@x.cn和王芳", "李伟 li@x.cn 王芳", "李伟 li@x.cn，王芳",
    "李伟 li@x.cn；王芳", "Jane Roe jane@roe.com・Bob Roe",
    "Иван Петров ivan@mail.ru・Ольга Смирнова", "李伟 +86 138 0013 8000・王芳",
    "김민준 010-1234-5678・박지훈", "李伟 li@x.cn、王芳"])
def test_a_name_after_a_contact_is_a_second_person(cell: str) -> None:
    ref = _person(cell)
    assert isinstance(ref, str), ref


@pytest.mark.parametrize(("cell", "name", "email"), [
    ("李伟 li@x.cn。", "李伟", "li@x.cn"),
    ("山田太郎 yamada@x.jp（営業部長）", "山田太郎", "yamada@x.jp"),
    ("Jane Roe jane@roe.com（CEO）", "Jane Roe", "jane@roe.com"),
    ("山田太郎 yamada@x.jp、営業部長", "山田太郎", "yamada@x.jp"),
    ("山田太郎 (Taro Yamada) taro@example.jp", "山田太郎", "taro@example.jp"),
])
def test_an_address_ends_at_cjk_punctuation(cell: str, name: str, email: str) -> None:
    _one(cell, name, email)


@pytest.mark.parametrize("cell", ["王芳 wang@x.cn・北京", "李伟 li@x.cn・王芳"])
def test_an_address_never_holds_cjk_letters_nor_a_nakaguro(cell: str) -> None:
    ref = _person(cell)
    if isinstance(ref, dict):
        mail = ((ref.get("body") or {}).get("emails") or [{}])[0].get("value") or ""
        name = (ref.get("body") or {}).get("name") or ""
        assert "・" not in mail + name and mail.isascii(), ref


# F3: a phone with a bracketed part is one phone, whole
@pytest.mark.parametrize(("cell", "phone"), [
    ("Jane Roe +44 (0)20 7946 0958", "4402079460958"),
    ("Jane Roe +1 (212) 555-0100", "12125550100"),
    ("Jane Roe Tel: +49 (0)30 1234567", "490301234567"),
    ("Jane Roe +49 (30) 1234567", "49301234567"),
    ("Jane Roe (0)30 1234567", "0301234567"),
    ("Jane Roe, +44 (0)20 7946 0958", "4402079460958"),
])
def test_a_phone_with_a_bracketed_part_is_one_phone(cell: str, phone: str) -> None:
    _one(cell, "Jane Roe", None, phone)


@pytest.mark.parametrize("cell", ["Jane Roe (212) 555-0100", "Jane Roe (555) 123-4567"])
def test_a_bracketed_area_code_alone_is_no_phone(cell: str) -> None:
    ref = _person(cell)
    assert isinstance(ref, str) and "six digits or more" in ref, ref


# F4: fullwidth digits, every dash between digit groups
@pytest.mark.parametrize(("cell", "name", "phone"), [
    ("山田太郎 090－1234－5678", "山田太郎", "09012345678"),
    ("山田太郎 ０９０－１２３４－５６７８", "山田太郎", "09012345678"),
    ("佐藤花子 ０９０１２３４５６７８", "佐藤花子", "09012345678"),
    ("鈴木次郎 ０９０-１２３４-５６７８", "鈴木次郎", "09012345678"),
    ("高橋三郎 ＋８１ ９０ １２３４ ５６７８", "高橋三郎", "819012345678"),
    ("Jane Roe ＋49 30 1234567", "Jane Roe", "49301234567"),
    ("Ada Roe 030\u2013123\u20134567", "Ada Roe", "0301234567"),
    ("Hal Roe 030\u20101234\u2010567", "Hal Roe", "0301234567"),
    ("Flo Roe 090 1234 5678", "Flo Roe", "09012345678"),
])
def test_fullwidth_digits_and_dashes_make_one_phone(cell: str, name: str, phone: str) -> None:
    _one(cell, name, None, phone)


# F6: fullwidth punctuation, bracket text after a Latin name
@pytest.mark.parametrize(("cell", "name"), [
    ("山田太郎：", "山田太郎"), ("李伟（ ）", "李伟"), ("王芳［ ］", "王芳"), ("李伟()", "李伟"),
    ("Jane Roe:", "Jane Roe"),
])
def test_empty_brackets_and_trailing_colons_of_every_width_are_cut(cell: str, name: str) -> None:
    _one(cell, name)


@pytest.mark.parametrize(("cell", "words"), [
    ("Jane Roe (née Smith)", "née Smith"), ("Anna Berg (geb. Müller)", "geb. Müller"),
    ("Anna Berg (Berlin)", "Berlin"), ("Jane Roe (CEO)", "CEO"),
])
def test_a_bracket_cut_from_a_name_goes_to_the_note(cell: str, words: str) -> None:
    from jobs.import_items import linked_note, matched_by
    ref = _person(cell)
    assert isinstance(ref, dict) and ref["body"]["name"] == cell.split(" (")[0], ref
    note = linked_note(matched_by({"person": ref}))
    assert note is not None and repr(words) in note, note


# F5: a compound surname before a title or a contact
@pytest.mark.parametrize(("cell", "name", "email"), [
    ("José Ortega y Gasset - CEO", "José Ortega y Gasset", None),
    ("José Ortega y Gasset, CEO", "José Ortega y Gasset", None),
    ("José Ortega y Gasset jose@ortega.es", "José Ortega y Gasset", "jose@ortega.es"),
    ("José Ortega y Gasset, jose@ortega.es", "José Ortega y Gasset", "jose@ortega.es"),
])
def test_a_compound_surname_holds_before_a_title_or_contact(
        cell: str, name: str, email: str | None) -> None:
    _one(cell, name, email)


def test_a_word_after_a_compound_surnames_dash_is_refused_with_the_whole_name() -> None:
    ref = _person("María José García y López - Madrid")
    assert isinstance(ref, str) and "'María José García y López'" in ref \
        and "'Madrid'" in ref, ref
