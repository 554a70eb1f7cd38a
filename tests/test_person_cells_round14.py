# ruff: noqa: RUF001  # the curly quotes are the point here
"""Person cells, round 14 (x50r7's re-test of round 13): each cell names one person with
the e-mail / phone it writes, or the row fails (a str: the reason).

- F3: ``nan`` / ``Na`` are names as well as a spreadsheet's empty cell: never dropped
  (a lone ``nan`` fails its row, ``Na`` is a person), in person and organization cells;
- F1: every Unicode dash (category Pd, and U+2212) is the dash rule's dash;
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_person_identity import decide_all, rows_of
from tests.test_person_lists_round10 import _bare_planner


def _decided(**cells: str) -> Any:
    return decide_all(_bare_planner(), rows_of([cells]))["K2"]


def _name(ref: Any) -> str | None:
    assert isinstance(ref, dict), ref
    return (ref.get("body") or {}).get("name")


# F3: a lone nan (any case) fails its row, whatever else the row writes; Na is a person
@pytest.mark.parametrize("cell", ["nan", "Nan", "NAN", "NaN", " nan "])
@pytest.mark.parametrize("more", [{}, {"email": "nan.q@x.cn"}, {"phone": "+49 30 4440001"}])
def test_a_lone_nan_person_cell_fails_its_row(cell: str, more: dict[str, str]) -> None:
    ref = _decided(contact=cell, **more)
    assert isinstance(ref, str) and "may be an empty cell a spreadsheet tool wrote, or a " \
        "name" in ref and repr(cell.strip()) in ref, ref


@pytest.mark.parametrize("cell", ["Na", "Nan Li", "Li Nan", "Nan Wu"])
def test_a_name_like_nan_is_a_person(cell: str) -> None:
    assert _name(_decided(contact=cell)) == cell
    ref = _decided(contact=cell, email="nan.r@x.cn")
    assert _name(ref) == cell, ref


def _org(company: str) -> Any:
    p = _bare_planner()
    rows = rows_of([{"contact": "Vera Org", "company": company}])
    p.learn_persons(rows)
    item = p.decide(rows[0])
    return item.error if item.error else item.payload.get("org")


@pytest.mark.parametrize("cell", ["nan", "Nan", "NAN", "NaN"])
def test_a_lone_nan_organization_cell_fails_its_row(cell: str) -> None:
    ref = _org(cell)
    assert isinstance(ref, str) and "may be an empty cell a spreadsheet tool wrote" in ref, ref


@pytest.mark.parametrize("cell", ["Na", "Nan Fang Group", "NaN Systems"])
def test_an_organization_named_like_nan_is_made(cell: str) -> None:
    ref = _org(cell)
    assert isinstance(ref, dict) and cell in str(ref), ref


@pytest.mark.parametrize("cell", ["n/a", "N/A", "null", "NULL", "None", "unknown", "-",
                                  "N.N.", "n.a."])
def test_a_placeholder_is_still_no_person(cell: str) -> None:
    assert _decided(contact=cell) is None


# F1: every Unicode dash is the dash rule's, spaced on both sides or on one
_EVERY_DASH = ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe58",
               "\ufe63", "\uff0d", "\u2e3a", "-"]


@pytest.mark.parametrize("dash", _EVERY_DASH)
@pytest.mark.parametrize("form", ["Bea Roe {} Cai Roe", "Bea Roe{} Cai Roe", "Bea Roe {}Cai Roe"])
def test_every_spaced_dash_between_two_names_is_two_persons(dash: str, form: str) -> None:
    ref = _decided(contact=form.format(dash))
    assert isinstance(ref, str) and "2 persons" in ref, ref


@pytest.mark.parametrize("dash", _EVERY_DASH)
def test_every_spaced_dash_before_a_title_cuts_it(dash: str) -> None:
    assert _name(_decided(contact=f"Bea Roez{dash} CEO")) == "Bea Roez"
    assert _name(_decided(contact=f"Bea Roey {dash} CEO")) == "Bea Roey"


@pytest.mark.parametrize("cell", ["Jean\u2011Luc Picardo", "Jean\u2010Paul Sartor",
                                  "Mary Roe-Smith", "Anna Iske\u2012Nilsen"])
def test_an_unspaced_dash_stays_in_the_name_as_written(cell: str) -> None:
    assert _name(_decided(contact=cell)) == cell


def test_the_dash_list_holds_every_unicode_dash() -> None:
    import sys
    import unicodedata

    from jobs.transforms.name_joiners import DASHES
    pd = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Pd"}
    assert pd <= set(DASHES) and "\u2212" in DASHES


# F2: Hangul joiners glued on both sides
@pytest.mark.parametrize("cell", ["김민준과박지훈", "이서연와최지우", "박민수하고정하늘",
                                  "정우성및한지민", "남궁민수와박지훈"])
def test_a_fully_glued_hangul_joiner_names_two_persons(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "2 persons" in ref, ref


@pytest.mark.parametrize("cell", ["김와준", "이과현", "김민준", "남궁민수", "박과민", "이와나"])
def test_a_hangul_name_holding_a_joiner_syllable_stays_one(cell: str) -> None:
    assert _name(_decided(contact=cell)) == cell


# F4: an address led by a sign that both separates and may start it: both readings named
@pytest.mark.parametrize(("cell", "whole"), [
    ("Rut Lead124 |rl124@z.io", "|rl124@z.io"), ("Rut Lead /rl125@z.io", "/rl125@z.io"),
    ("Rut Lead -rl126@z.io", "-rl126@z.io"), ("Rut Lead 'rl39@z.io", "'rl39@z.io"),
    ("|rl127@z.io", "|rl127@z.io")])
def test_an_address_led_by_a_separator_sign_fails_naming_both(cell: str, whole: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and repr(whole) in ref and repr(whole[1:]) in ref, ref


@pytest.mark.parametrize(("cell", "email"), [
    ("Rut Lead | rl1@z.io", "rl1@z.io"), ("Rut Lead 'rl2@z.io'", "rl2@z.io"),
    ("Rut Lead d'arcy@x.ie", "d'arcy@x.ie"), ("Rut Lead (rl3@z.io)", "rl3@z.io"),
    ("Rut Lead a/b|c@x.ie", "a/b|c@x.ie"), ("Rut Lead - rl4@z.io", "rl4@z.io")])
def test_an_address_after_a_spaced_separator_is_read(cell: str, email: str) -> None:
    ref = _decided(contact=cell)
    assert _name(ref) == "Rut Lead" and ref["body"]["emails"][0]["value"] == email, ref


# F6: a date of a 2-digit year after a label, a "+", a comma is never left in a name
@pytest.mark.parametrize("cell", [
    "Vilma Dat tel:6.12.26", "Vilma Dat +6.12.26", "Vilma Dat Mobil 6/12/26",
    "Vilma Dat Tel. 06.12.26", "Vilma Dat, +6.12.26", "Vilma Dat T: 06-12-26",
    "Vilma Dat 6.12.26", "Vilma Dat tel:06/12/2026"])
def test_a_date_in_a_name_cell_fails_its_row(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "holds a date" in ref, ref


@pytest.mark.parametrize("cell", ["Vilma Dat (06.12.26)", "Vilma Dat (06.12.2026)"])
def test_a_bracketed_date_goes_to_the_note(cell: str) -> None:
    """The bracket beside the name is kept in the note, as any comment in one is: nothing
    is lost, nothing read as a phone."""
    ref = _decided(contact=cell)
    assert _name(ref) == "Vilma Dat" and "phones" not in ref["body"], ref


# F5: the phone labels of more languages never left in the name
@pytest.mark.parametrize("label", [
    "Cel.", "Telemóvel", "Τηλ.", "電話", "携帯", "手机", "전화", "هاتف", "Direct:", "Office:",
    "W:", "P:", "Kom.", "Portable:", "Tel/Fax:", "Tel./Fax:"])
def test_a_phone_label_of_any_language_is_no_part_of_the_name(label: str) -> None:
    for cell in (f"Lars Bach {label} +49 30 2234502", f"Lars Bach, {label} +49 30 2234502"):
        ref = _decided(contact=cell)
        assert _name(ref) == "Lars Bach", (cell, ref)
        assert ref["body"]["phones"][0]["value"] == "+49 30 2234502", (cell, ref)


@pytest.mark.parametrize(("cell", "name"), [("Anna Cel", "Anna Cel"), ("Piotr Kom", "Piotr Kom"),
                                            ("Jane Roe, Office Manager", "Jane Roe")])
def test_a_name_like_a_label_stays(cell: str, name: str) -> None:
    assert _name(_decided(contact=cell)) == name


# F7: more extension words, a spaced ``;ext=``, ``Ext.:``, a bracketed extension
@pytest.mark.parametrize("written", [
    "+49 30 1234567 ; ext=12", "+49 30 1234567 Ext.: 12", "+48 22 123 45 67 wewn. 12",
    "+48 22 123 45 67 wew. 12", "+55 11 1234 5678 ramal 12", "+81 3 1234 5678 内線 12",
    "+86 10 1234 5678 分机 12", "+82 2 1234 5678 내선 12", "+7 495 123 45 67 доб. 12",
    "+420 212 345 678 linka 12", "+36 1 234 5678 mellék 12", "+90 212 123 45 67 dahili 12",
    "+49 30 1234567 (ext. 12)"])
def test_an_extension_word_of_any_language_stays_with_the_phone(written: str) -> None:
    from jobs import transforms as tf
    ref = _decided(contact=f"Kurt Abt {written}")
    assert _name(ref) == "Kurt Abt", ref
    phone = ref["body"]["phones"][0]["value"]
    assert tf.normal_phone(phone).endswith(" ext. 12"), (written, phone)  # type: ignore[union-attr]
    assert tf.normal_phone(written).endswith(" ext. 12"), written  # type: ignore[union-attr]


# F10: sentence signs, an unclosed bracket and curly quotes around an address
@pytest.mark.parametrize("cell", [
    "Ann Roe ann@x.io!", "Ann Roe ann@x.io?", "Ann Roe ann@x.io:", "Ann Roe ann@x.io…",
    "Ann Roe ann@x.io)", "Ann Roe ‘ann@x.io’", "Ann Roe “ann@x.io”", "Ann Roe, ann@x.io!",
    "Ann Roe (ann@x.io)", "Ann Roe «ann@x.io»"])
def test_punctuation_around_an_address_is_no_part_of_it_nor_the_name(cell: str) -> None:
    ref = _decided(contact=cell)
    assert _name(ref) == "Ann Roe" and ref["body"]["emails"][0]["value"] == "ann@x.io", ref
