# ruff: noqa: RUF001  # the quote marks of every script are the point here
"""Person cells, round 16 (x51r8's re-test of round 15): each cell names one person with
the e-mail / phone it writes, or the row fails (a str: the reason).

- F1, F5, F8, F9: one reading of the display name whatever form the address takes: the
  name before ``<addr>`` is the name before the address after a space (its quotes and
  brackets kept or cut alike, bracket text to the note, a leading ``'`` kept);
- F2: a phone never takes a word of the name; an unsure split fails naming both readings;
- F3: ``MM/YYYY``, ``YYYY/MM``, ``MM-YYYY``, ``MM.YYYY`` are dates, never phones;
- F4: an address glued to a name word by ``'`` or a backtick fails naming both readings;
- F6: a lone quote mark glued to the name before an address, combined phone labels;
- F7: month words of more languages, Roman-numeral months, quarters and halves.
"""

from __future__ import annotations

from typing import Any

import pytest

from bulk.errors import InputError
from jobs.transforms import phone_numbers
from tests.test_person_cells_round15 import _decided, _person


def _read(ref: Any) -> tuple[Any, ...]:
    """(name, e-mails, phones, note) of a person reference; the reason of a failed row."""
    if isinstance(ref, str) or ref is None:
        return (ref,)
    return (*_person(ref), ref.get("title"))


# F1/F8/F9: the display name before <addr> read as the one before an address after a space
_DISPLAY = ["Robert Smith 'Bob'", "Ann Roe 「営業部」", "„Ani“ Nowak", "Anna Roe ‹CEO›",
            "Anna Nowak „Ani“", "Jane Roe (née Smith)", "Jane Roe [Sales]", "‘Iolani Kaʻai",
            "Ann Roe [Q4 2026]", "'Abd al-Rahman Saleh",
            "《Didrik Dahl》", '"Ann Lee"', "Ann O'Neil", "Olav 'Ole' Berg", "Kari Dahl (Oslo)",
            "Anna Roe «Ania»", "Mia Roe 『PM』", "‚Bo‘ Ek", "“Ida Holm”", "Ida Holm (CEO)"]


@pytest.mark.parametrize("display", _DISPLAY)
def test_the_name_before_an_angle_address_reads_as_before_a_spaced_one(display: str) -> None:
    address = "dn16@d16.example.org"
    angle = _read(_decided(contact=f"{display} <{address}>"))
    spaced = _read(_decided(contact=f"{display} {address}"))
    assert angle == spaced, (angle, spaced)
    assert len(angle) == 4 and angle[1] == [address], angle


@pytest.mark.parametrize(("display", "name"), [
    ("Robert Smith 'Bob'", "Robert Smith 'Bob'"), ("Ann Roe 「営業部」", "Ann Roe"),
    ("„Ani“ Nowak", "„Ani“ Nowak"), ("Anna Roe ‹CEO›", "Anna Roe ‹CEO›"),
    ("'Abd al-Rahman Saleh", "'Abd al-Rahman Saleh"), ("‘Iolani Kaʻai", "‘Iolani Kaʻai"),
    ("《Didrik Dahl》", "Didrik Dahl"), ("【Didrik Dahl】", "Didrik Dahl"),
    ("〈Didrik Dahl〉", "Didrik Dahl"), ('"Ann Lee"', "Ann Lee"), ("«Ann Lee»", "Ann Lee"),
    ("'Ann Lee'", "Ann Lee")])
@pytest.mark.parametrize("form", ["{n} <{a}>", "{n} {a}"])
def test_a_name_keeps_its_own_quotes_and_loses_wrapping_ones(display: str, name: str,
                                                            form: str) -> None:
    address = "dq16@d16.example.org"
    ref = _decided(contact=form.format(n=display, a=address))
    assert _person(ref)[:2] == (name, [address]), ref


@pytest.mark.parametrize(("cell", "read"), [
    ("'t Hooft, Gerard <th16@d16.example.org>", ("'t Hooft, Gerard", None)),
    ("Jane Roe, CEO <jr16@d16.example.org>", ("Jane Roe", "CEO")),
    ("Jane Roe, CEO, jr16@d16.example.org", ("Jane Roe", "CEO"))])
def test_a_comma_in_the_name_before_an_angle_address(cell: str, read: tuple[str, Any]) -> None:
    got = _read(_decided(contact=cell))
    assert (got[0], got[-1]) == read, got


@pytest.mark.parametrize(("display", "name"), [("(Jostein Dahl)", "Jostein Dahl"),
                                              ("[Karin Dahl]", "Karin Dahl")])
def test_a_display_name_in_brackets_before_an_angle_address(display: str, name: str) -> None:
    """x51r8 t2: ``(Jostein Dahl) <a@x>`` named the person by the address, the name
    dropped unsaid. (After a space, ``(Jostein Dahl) a@x`` fails as 2 persons: left.)"""
    ref = _decided(contact=f"{display} <jd16@d16.example.org>")
    assert _person(ref)[:2] == (name, ["jd16@d16.example.org"]), ref


def test_the_same_name_without_its_address_is_the_same_person() -> None:
    """x51r8 F1: ``Robert Smith 'Bob' <a@x>`` was 'Robert Smith 'Bob' (a second person
    made for a later row of the name alone)."""
    with_address = _decided(contact="Robert Smith 'Bob' <bob16@d16.example.org>")
    alone = _decided(contact="Robert Smith 'Bob'")
    assert _person(with_address)[0] == _person(alone)[0] == "Robert Smith 'Bob'"


def test_bracket_text_beside_an_angle_address_goes_to_the_note() -> None:
    ref = _decided(contact="Jane Roe (née Smith) <f4@d16.example.org>")
    assert _read(ref) == ("Jane Roe", ["f4@d16.example.org"], [], "née Smith")


# F5: an address in a bracket is whole: its run of / or | is its own
@pytest.mark.parametrize("form", ["Nora Eli <{a}>", "Nora Eli ({a})", "Nora Eli [{a}]",
                                  "Nora Eli 「{a}」"])
def test_a_run_inside_a_bracketed_address_is_its_own(form: str) -> None:
    address = "Z8//w@d16.example.org"
    assert _person(_decided(contact=form.format(a=address)))[:2] == ("Nora Eli", [address])


# F2: a phone never takes a word of the name
@pytest.mark.parametrize(("cell", "name", "phone"), [
    ("Anna Boe0 030 1234569", "Anna Boe0", "030 1234569"),
    ("Anna Roe2 06 12 34 56 78", "Anna Roe2", "06 12 34 56 78"),
    ("Agent 7 030 1234568", "Agent 7", "030 1234568"),
    ("Lars Berg 01 02 03 04 05", "Lars Berg", "01 02 03 04 05"),
    ("Lars Berg 0171 0123456", "Lars Berg", "0171 0123456"),
    ("Lars Berg 030 1234567", "Lars Berg", "030 1234567")])
def test_a_phone_never_takes_a_word_of_the_name(cell: str, name: str, phone: str) -> None:
    assert _person(_decided(contact=cell)) == (name, [], [phone])


@pytest.mark.parametrize(("cell", "whole", "part"), [
    ("Agent 007 030 1234568", "007 030 1234568", "030 1234568"),
    ("Anna Zoe 0 030 1234570", "0 030 1234570", "030 1234570"),
    ("Agent 001, 030 1234568", "001, 030 1234568", "030 1234568")])
def test_an_unsure_phone_split_names_both_readings(cell: str, whole: str, part: str) -> None:
    ref = _decided(contact=cell)
    if isinstance(ref, dict):  # (a comma parts them: the digit word is the name's)
        assert "," in cell and _person(ref) == (cell.split(",")[0], [], [part]), ref
        return
    assert repr(whole) in ref and repr(part) in ref, ref


# F3: a month and year are a date, never a phone
_MONTH_YEARS = ["12/2026", "2026/12", "12-2026", "12.2026", "06.2026", "1/2027", "2026-06"]


@pytest.mark.parametrize("date", _MONTH_YEARS)
@pytest.mark.parametrize("shape", ["Tuva Roe, {d}", "Tuva Roe / {d}", "Tuva Roe | {d}",
                                   "Tuva Roe; {d}", "Tuva Roe - {d}", "Tuva Roe {d}"])
def test_a_month_and_year_in_a_name_cell_is_a_date(date: str, shape: str) -> None:
    ref = _decided(contact=shape.format(d=date))
    assert isinstance(ref, str) and "date" in ref and "2 persons" not in ref, ref


@pytest.mark.parametrize("date", _MONTH_YEARS)
def test_a_month_and_year_in_the_phone_column_is_no_phone(date: str) -> None:
    with pytest.raises(InputError, match="date"):
        phone_numbers(date)


@pytest.mark.parametrize("phone", ["030 1234567", "0123/4567890", "12 34 56 78", "+49 2026 1234"])
def test_a_phone_like_a_month_and_year_stays_a_phone(phone: str) -> None:
    assert phone_numbers(phone) == (phone,)


# F4: an address glued to a name word by ' or a backtick
@pytest.mark.parametrize(("cell", "whole", "quoted"), [
    ("Jo Evje'je@d16.example.no'", "Evje'je@d16.example.no", "je@d16.example.no"),
    ("Ann O'Neil'ann@d16.example.ie'", "O'Neil'ann@d16.example.ie", "ann@d16.example.ie"),
    ("Jo Evjo`jo@d16.example.no`", "Evjo`jo@d16.example.no", "jo@d16.example.no")])
def test_an_address_glued_by_a_quote_names_both_readings(cell: str, whole: str,
                                                         quoted: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and repr(whole) in ref and repr(quoted) in ref, ref


@pytest.mark.parametrize("cell", ["Ann Roe 'ann@d16.example.ie'", "Ann Roe d'arcy@d16.example.ie",
                                  "Ann Roe `ann@d16.example.ie`"])
def test_a_quoted_or_apostrophe_address_after_a_space_stays_read(cell: str) -> None:
    name, emails, _ = _person(_decided(contact=cell))
    assert name == "Ann Roe" and len(emails) == 1, (name, emails)


# F6: a lone quote mark glued to the name before an address; combined labels
@pytest.mark.parametrize(("opening", "closing"), [
    ("„", "“"), ("『", "』"), ("【", "】"), ("《", "》"), ("〈", "〉"), ("〔", "〕"), ("‹", "›"),
    ("‚", "‘"), ("〝", "〞"), ("﹁", "﹂"), ("«", "»"), ("「", "」")])
def test_a_quote_mark_glued_before_an_address_is_no_part_of_the_name(
        opening: str, closing: str) -> None:
    address = "uf16@d16.example.jp"
    ref = _decided(contact=f"Unni Foss{opening}{address}{closing}")
    assert _person(ref)[:2] == ("Unni Foss", [address]), ref


@pytest.mark.parametrize("label", ["Tel/WhatsApp:", "Mobil/WhatsApp:", "Phone/WA:",
                                   "Tel. / WhatsApp:", "Tel./WhatsApp", "Mob./WA:"])
@pytest.mark.parametrize("shape", ["Oda Foss, {l} {p}", "Oda Foss {l} {p}", "Oda Foss ({l} {p})"])
def test_a_combined_phone_label_is_cut_with_the_phone(label: str, shape: str) -> None:
    phone = "+90 216 5500 777"
    assert _person(_decided(contact=shape.format(l=label, p=phone))) == ("Oda Foss", [], [phone])


def test_wa_in_a_bracket_before_a_phone_is_its_label() -> None:
    assert _person(_decided(contact="Elin Foss (WA +90 216 4400 777)")) \
        == ("Elin Foss", [], ["+90 216 4400 777"])


# F7: dates of more languages and shapes
_MORE_DATES = ["Dec-06", "Dec/06", "Dec-2026", "H1 2026", "H2 2026", "Q1/2027", "Q3 '26", "Q2-2026",
               "6 Aralık", "6 Ara", "6 Kasım", "6 Oca", "6 Şubat", "6 prosince",
               "6 joulukuuta", "6 decembrie", "6 Δεκεμβρίου", "6 ธันวาคม", "6 tháng 12",
               "6 בדצמבר", "6 ديسمبر", "6.XII.", "6 XII 2026", "6. XII. 2026", "6 listopadu",
               "6 lokakuuta", "6 Mayıs 2026", "6-12", "Tue 6", "Friday 6", "Wed, 6"]


@pytest.mark.parametrize("date", _MORE_DATES)
@pytest.mark.parametrize("shape", ["Oddvar Jo, {d}", "Oddvar Jo {d}", "Oddvar Jo - {d}"])
def test_a_date_of_any_language_in_a_name_cell_fails_its_row(date: str, shape: str) -> None:
    ref = _decided(contact=shape.format(d=date))
    assert isinstance(ref, str) and "date" in ref and "2 persons" not in ref, ref


@pytest.mark.parametrize("cell", ["Ara Guler", "Kasım Yılmaz", "Louis XIV", "John Smith III",
                                  "Henry VIII", "Oca Berg", "Mayıs Demir", "Q Roe", "Ada Dec",
                                  "Sun Li", "Agent 47", "Monday Roe"])
def test_a_month_word_or_numeral_alone_is_still_a_name(cell: str) -> None:
    assert _person(_decided(contact=cell))[0] == cell


# F10: an address line's words around the name (x51r8: 'Attn: Bob Roe', '강민호 팀장님' were
# persons named so, while 'Jane Roe, CEO' is cut with a note)
@pytest.mark.parametrize(("cell", "name", "note"), [
    ("Attn: Bob Roe", "Bob Roe", None), ("Re: Anna Roe", "Anna Roe", None),
    ("FAO: Ida Berg", "Ida Berg", None), ("ATTN Bob Roe".replace(" ", ": ", 1), "Bob Roe", None),
    ("Attn: Bob Roe, CEO", "Bob Roe", "CEO"), ("서지우과장님", "서지우", "과장"),
    ("강민호 팀장님", "강민호", "팀장"), ("이서연대리", "이서연", "대리"),
    ("정하늘과장님께", "정하늘", "과장")])
def test_an_address_lines_words_are_no_part_of_the_name(cell: str, name: str,
                                                         note: str | None) -> None:
    got = _read(_decided(contact=cell))
    assert (got[0], got[-1]) == (name, note), got


@pytest.mark.parametrize("cell", ["Reidar Roe", "Attila Berg", "Att Berg", "Faolan Roe", "김이사"])
def test_a_name_starting_like_an_address_word_stays(cell: str) -> None:
    assert _person(_decided(contact=cell))[0] == cell


@pytest.mark.parametrize("extension", ["lisä 23", "Lisä 23"])
def test_finnish_lisa_with_its_umlaut_is_an_extension_word(extension: str) -> None:
    phone = f"+420 2 2233 0000 {extension}"
    assert _person(_decided(contact=f"Alva Grønli {phone}")) == ("Alva Grønli", [], [phone])
    assert phone_numbers(phone) == (phone,)
