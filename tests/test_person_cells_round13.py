# ruff: noqa: RUF001, RUF002  # fullwidth forms are the point here
"""Person cells, round 13 (x50r1's re-test of round 12): each cell names one person with
the e-mail / phone it writes, or the row fails (a str: the reason).

- F1: an address's whole RFC 5322 local part (``ann.o'neil@x.ie`` was cut at the ``'``:
  the person named ``Ann Abe ann.o'``, the e-mail ``neil@x.ie``);
- F6: a fullwidth ``＠`` is refused as the E-mail column refuses it, ``＜ ＞`` ``．`` folded,
  a trailing ``.`` after an address no part of the name;
- F2: a phone's extension in every language's word (``Durchwahl``, ``poste``, ``int.``,
  ``#``, RFC 3966's ``;ext=``) kept with the phone, never in the name nor refused;
- F5: a date led by ``+`` is no phone (``Sven Tiel +06.12.2026`` wrote the phone);
- F7: the phone labels of every language (``T:``, ``Tél.``, ``Тел.``) never in the name;
"""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs import transforms as tf
from tests.test_person_cells_round12 import _one, _person
from tests.test_person_identity import decide_all, rows_of
from tests.test_person_lists_round10 import _bare_planner


# F1: the whole local part, bare, in brackets, after a label, ``mailto:``, a comma
@pytest.mark.parametrize(("cell", "name", "email"), [
    ("Ann Abe ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Dee d'arcy@x.ie", "Ann Dee", "d'arcy@x.ie"),
    ("Ann Abe (ann.o'neil@x.ie)", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe [ann.o'neil@x.ie]", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe <ann.o'neil@x.ie>", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe E-Mail: ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe: ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe mailto:ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe, ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe / ann.o'neil@x.ie", "Ann Abe", "ann.o'neil@x.ie"),
    ("Ann Abe ann+tag@x.ie", "Ann Abe", "ann+tag@x.ie"),
    ("Ann Abe a!b#c$d%e&f*g=h?i^j_k`l{m}n~o-p@x.ie", "Ann Abe",
     "a!b#c$d%e&f*g=h?i^j_k`l{m}n~o-p@x.ie"),
    ("Ann Abe a/b|c@x.ie", "Ann Abe", "a/b|c@x.ie"),
    ("山田太郎 o'neil@x.jp", "山田太郎", "o'neil@x.jp"),
    ("Ann Abe 'ann@x.ie'", "Ann Abe", "ann@x.ie"),
])
def test_an_address_keeps_its_whole_local_part(cell: str, name: str, email: str) -> None:
    _one(cell, name, email)


# F6: fullwidth forms and a trailing full stop
@pytest.mark.parametrize(("cell", "name", "email"), [
    ("Ann Gobe ann@gobe.com.", "Ann Gobe", "ann@gobe.com"),
    ("Ann Gobe, ann@gobe.com.", "Ann Gobe", "ann@gobe.com"),
    ("Jane Roe ＜jane@roe.com＞", "Jane Roe", "jane@roe.com"),
    ("Jane Roe jane@roe．com", "Jane Roe", "jane@roe.com"),
])
def test_a_name_keeps_no_address_leftovers(cell: str, name: str, email: str) -> None:
    _one(cell, name, email)


@pytest.mark.parametrize("cell", ["Jane Fitch jane＠fitch.com", "Jane Fitch, jane＠fitch.com",
                                  "Jane Fitch ＜jane＠fitch.com＞", "Jane Fitch＠"])
def test_a_fullwidth_at_sign_fails_the_row_as_in_the_email_column(cell: str) -> None:
    ref = _person(cell)
    assert isinstance(ref, str) and "＠" in ref, ref


def _phone_of(cell: str) -> tuple[str | None, str | None]:
    ref = _person(cell)
    assert isinstance(ref, dict), ref
    body = ref.get("body") or {}
    return body.get("name"), (body.get("phones") or [{}])[0].get("value")


# F2: an extension in every language's word, in the name cell and in the phone column
EXTENSIONS = [
    ("+49 30 1234567 Durchwahl -12", "12"), ("+49 30 1234568 Durchwahl 12", "12"),
    ("+49 30 1234570 DW 12", "12"), ("+1 212 555 0105 #15", "15"),
    ("+33 1 23 45 67 81 poste 16", "16"), ("030 1234573 Apparat 18", "18"),
    ("030 1234572 App. 18", "18"), ("+39 02 1234567 int. 19", "19"),
    ("+39 02 1234567 interno 19", "19"), ("+34 91 123 4567 ext. 20", "20"),
    ("+31 20 123 4567 toestel 21", "21"), ("+46 8 123 456 78 ankn. 22", "22"),
    ("+49 30 1234567 Nebenstelle 23", "23"), ("+1 212 555 0105 x24", "24"),
    ("tel:+49-30-1234583;ext=12", "12"),
]


@pytest.mark.parametrize(("written", "ext"), EXTENSIONS)
def test_a_name_cells_phone_keeps_its_extension(written: str, ext: str) -> None:
    labelled = [] if written.startswith("tel:") else [f"Kurt Abt Tel. {written}"]
    for cell in (f"Kurt Abt {written}", f"Kurt Abt, {written}", *labelled):
        name, phone = _phone_of(cell)
        assert name == "Kurt Abt", (cell, name)
        assert phone is not None and tf.normal_phone(phone).endswith(f" ext. {ext}"), (cell, phone)


@pytest.mark.parametrize(("written", "ext"), EXTENSIONS)
def test_the_phone_column_reads_every_extension_word(written: str, ext: str) -> None:
    assert tf.normal_phone(written).endswith(f" ext. {ext}")  # type: ignore[union-attr]
    assert tf.phone_key(written).ext == ext  # type: ignore[union-attr]


# F5: a date is never a phone, whatever leads it
@pytest.mark.parametrize("cell", ["Sven Tiel +06.12.2026", "Sven Voss +12.03.1980",
                                  "Sven Voss Tel. +12.03.1980", "Sven Voss, +12.03.1980",
                                  "Sven Voss (+12.03.1980)", "Sven Voss + 12.03.1980"])
def test_a_date_led_by_a_plus_is_no_phone(cell: str) -> None:
    """Refused (a name holding a number), or its bracket left for the note: never a phone."""
    ref = _person(cell)
    assert (isinstance(ref, str) and "date" in ref) or (
        "phones" not in ref.get("body", {}) and ref["body"]["name"] == "Sven Voss"), ref


@pytest.mark.parametrize("written", ["+12.03.1980", "+06.12.2026", "+2026-12-06"])
def test_the_phone_column_refuses_a_date(written: str) -> None:
    with pytest.raises(InputError):
        tf.clean_phone(written)


# F7: the labels a phone is written after, in every language, never left in a name
@pytest.mark.parametrize("label", ["T:", "M:", "Tél.", "Тел.", "тел.", "Tlf.", "Telefon",
                                   "Telefono", "Teléfono", "Móvil", "Ph.", "Tel.", "Mobil:",
                                   "GSM", "Puh."])
def test_a_phone_label_is_no_part_of_the_name(label: str) -> None:
    for cell in (f"Lars Bach {label} +49 30 2234502", f"Lars Bach, {label} +49 30 2234502"):
        assert _phone_of(cell) == ("Lars Bach", "+49 30 2234502"), cell


def _refused(cell: str) -> str:
    ref = _person(cell)
    assert isinstance(ref, str), (cell, ref)
    return ref


def _named(cell: str) -> str:
    ref = _person(cell)
    assert isinstance(ref, dict), (cell, ref)
    return str((ref.get("body") or {}).get("name"))


# F4: a dash spaced on one side only, and the minus sign, are the spaced dash
@pytest.mark.parametrize("cell", [
    "Jane Hoff -Bob Hoff", "Jane Jung -Berlin", "Jane Iske- Berlin", "Jane Cope \u2212 Berlin",
    "Jane Cope \u2212Bob Cope", "Jane Hoff- Bob Hoff", "Jane Roe -Hans"])
def test_a_dash_spaced_on_one_side_is_a_spaced_dash(cell: str) -> None:
    assert "2 persons" in _refused(cell)


@pytest.mark.parametrize(("cell", "name"), [
    ("Mary Roe-Smith", "Mary Roe-Smith"), ("Jane Roe -CEO", "Jane Roe"),
    ("Jane Roe- Sales Director", "Jane Roe"), ("Jane Roe \u2212 CEO", "Jane Roe"),
    ("Anne-Marie Roe", "Anne-Marie Roe")])
def test_a_hyphenated_name_and_a_title_after_a_dash_stay(cell: str, name: str) -> None:
    assert _named(cell) == name


# F3: unspaced joiners in CJK, Korean, Arabic
@pytest.mark.parametrize("cell", [
    "山田太郎と佐藤花子", "李伟和王芳", "王芳与李伟", "王芳及李伟", "李伟跟王芳", "李伟同王芳",
    "김민준과 박지훈", "이하은와 김서준", "김민준하고 박지훈", "김민준및 박지훈",
    "محمد علي وفاطمة حسن", "أحمد سالم وليلى خالد"])
def test_an_unspaced_joiner_names_two_persons(cell: str) -> None:
    assert "may name 2 persons" in _refused(cell) or "names 2 persons" in _refused(cell)


@pytest.mark.parametrize("cell", ["王和平", "さとみ", "وليد عمر", "佐藤和子", "山田太郎", "김민준",
                                  "محمد وليد", "李和平"])
def test_a_name_holding_a_joiner_letter_stays_one_person(cell: str) -> None:
    assert _named(cell) == cell


PLACEHOLDERS = ["None", "n/a", "N/A", "null", "NULL", "unknown", "-", "N.N.",  # (nan: round 14)
                "n.a.", "--", "Unknown"]


# F10: a placeholder person or organization cell is a blank cell: no person, no org
def test_a_placeholder_person_cell_makes_no_person_and_the_plan_says_so() -> None:
    p = _bare_planner()
    rows = rows_of([{"contact": c} for c in PLACEHOLDERS] + [{"contact": "Jane Roe"}])
    got = decide_all(p, rows)
    assert [got[f"K{n}"] for n in range(2, 2 + len(PLACEHOLDERS))] == [None] * len(PLACEHOLDERS)
    assert isinstance(got[f"K{2 + len(PLACEHOLDERS)}"], dict)
    notes = [n for n in p.mapper.mark_notes() if "placeholder person" in n]
    assert len(notes) == 1 and notes[0].startswith(f"{len(PLACEHOLDERS)} rows with a "
                                                   "placeholder person cell"), notes


@pytest.mark.parametrize("cell", ["Nan Lee", "Anna", "Jane Roe", "Nil Ay", "Non"])
def test_a_name_like_a_placeholder_stays_a_name(cell: str) -> None:
    assert _named(cell) == cell


def test_a_placeholder_organization_cell_makes_no_organization() -> None:
    p = _bare_planner()
    rows = rows_of([{"contact": "Jane Roe", "company": c} for c in ("N/A", "none", "-")]
                   + [{"contact": "Jane Roe", "company": "Acme GmbH"}])
    p.learn_persons(rows)
    orgs = [p.decide(row).payload.get("org") for row in rows]
    assert orgs[:3] == [None] * 3 and orgs[3] is not None, orgs
    notes = [n for n in p.mapper.mark_notes() if "placeholder organization" in n]
    assert len(notes) == 1 and notes[0].startswith("3 rows with a placeholder organization"), notes


# F8: ``Sr.`` / ``Jr.`` before a job title are the title's (``Senior``'s), never a second
# person; a suffix alone stays the name's
@pytest.mark.parametrize(("cell", "name"), [
    ("Tom Lark, Sr. Manager", "Tom Lark"), ("Sara Kim, Sr. Account Executive", "Sara Kim"),
    ("Tom Lark, Jr. Developer", "Tom Lark"), ("Tom Lark, Snr Sales Manager", "Tom Lark"),
    ("Tom Lark, Sr.", "Tom Lark, Sr."), ("Tom Lark Jr.", "Tom Lark Jr."),
    ("Tom Lark Jr., Manager", "Tom Lark Jr."), ("Jan Uiter, Inkoper", "Jan Uiter"),
    ("Anna Wolak, Dyrektor Handlowy", "Anna Wolak"),
    ("Ελένη Λάμπρου, Διευθύντρια", "Ελένη Λάμπρου"),
    ("Νίκος Ρήγας, Διευθυντής Πωλήσεων", "Νίκος Ρήγας"), ("Karin Berg, VD", "Karin Berg"),
    ("Ola Nordmann, daglig leder", "Ola Nordmann")])
def test_a_senior_or_junior_title_after_a_comma_is_cut(cell: str, name: str) -> None:
    assert _named(cell) == name
