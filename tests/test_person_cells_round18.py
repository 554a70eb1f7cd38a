# ruff: noqa: RUF001  # the fullwidth and Arabic-Indic digits are the point here
"""Person cells, round 18 (x52r11's re-test of round 17): each cell names one person with
the e-mail / phone it writes, or the row fails (a str: the reason).

- F2: phone labels joined by ``/`` with ``SMS``, ``Text``, ``KakaoTalk`` in any order are
  cut with the phone (``Kaja Lind, Tlf./SMS: +47 …`` was named ``Kaja Lind, Tlf.``);
- F3: a month and year in fullwidth or other scripts' digits and separators is a date, in
  the name cell and the phone column (``\uff11\uff12/\uff12\uff10\uff12\uff16`` was written as a phone);
- F5: the E-mail column reads spaces inside a pair and a CJK full stop / comma after an
  address (``« ec@e.se »``, ``ec@e.se。`` were refused with the validator's text);
- F7: ``a@x (Anna Bex)`` is ``Anna Bex <a@x>`` (refused as "2 persons ('a@x', …)");
- F8: a week number (``KW 49``, ``Woche 49``, ``wk 49``, ``CW 49/2026``) fails the row as a
  date (it was kept in the name).
"""

from __future__ import annotations

import pytest

from bulk.errors import InputError
from jobs.transforms import email_addresses, phone_numbers
from tests.test_person_cells_round15 import _decided
from tests.test_person_cells_round16 import _read

_PHONE = "+47 22 77 00 00"
_LABELS = ["Tlf./SMS:", "Tel./SMS:", "Mobil/SMS:", "SMS/Tel.:", "Tel./KakaoTalk:", "Handy/SMS :",
           "Cell/Text:", "Text/Tel:", "SMS / Mobil :", "Tel./SMS/WhatsApp:", "KakaoTalk/Tel.:"]


@pytest.mark.parametrize("label", _LABELS)
@pytest.mark.parametrize("shape", ["Kaja Lind, {l} {p}", "Kaja Lind ({l} {p})", "Kaja Lind [{l} {p}]",
                                   "Kaja Lind {l} {p}", "Kaja Lind; {l} {p}"])
def test_a_label_joined_with_sms_text_or_kakaotalk_is_cut_with_its_phone(label: str,
                                                                          shape: str) -> None:
    got = _read(_decided(contact=shape.format(l=label, p=_PHONE)))
    assert got[:3] == ("Kaja Lind", [], [_PHONE]), got


@pytest.mark.parametrize("cell", ["Kaja Text +47 22 77 00 00", "Kaja Sms +47 22 77 00 00"])
def test_text_or_sms_without_a_colon_or_slash_is_no_label(cell: str) -> None:
    assert _read(_decided(contact=cell))[:3] == (cell.removesuffix(" " + _PHONE), [], [_PHONE])


_WIDE_DATES = ["１２/２０２６", "１２.２０２６", "２０２６/１２", "１２ / ２０２６", "０１２/２０２６",
               "٠٦/٢٠٢٧", "１２／２０２６", "２０２６／１２", "۰۶/۲۰۲۷", "12／2026"]


@pytest.mark.parametrize("date", _WIDE_DATES)
def test_a_month_and_year_in_other_digits_in_the_phone_column_is_no_phone(date: str) -> None:
    with pytest.raises(InputError, match="date"):
        phone_numbers(date)


@pytest.mark.parametrize("date", _WIDE_DATES)
def test_a_month_and_year_in_other_digits_in_a_name_cell_is_a_date(date: str) -> None:
    ref = _decided(contact=f"Tove Kyl {date}")
    assert isinstance(ref, str) and "holds a date" in ref, ref


@pytest.mark.parametrize("phone", ["０３０ １２３４５６７", "+49 30 1234567"])
def test_a_phone_in_fullwidth_digits_stays_a_phone(phone: str) -> None:
    assert phone_numbers(phone) == (phone,)


@pytest.mark.parametrize("cell", ["« ec@e.se »", "» ec@e.se «", "“ ec@e.se ”", "ec@e.se。",
                                  "ec@e.se、", "「ec@e.se」。", "「 ec@e.se 」", "Eva Ra « ec@e.se »"])
def test_the_e_mail_column_reads_spaces_in_a_pair_and_a_cjk_stop_after(cell: str) -> None:
    assert email_addresses(cell) == ("ec@e.se",), cell


@pytest.mark.parametrize("cell", ["« ec@e.se", "ec@e se。", "ec@e.se。。x"])
def test_the_e_mail_column_still_refuses_a_broken_address(cell: str) -> None:
    with pytest.raises(InputError):
        email_addresses(cell)


@pytest.mark.parametrize(("cell", "name"), [
    ("ad0@y.io (Anna Bex)", "Anna Bex"), ("ad0@y.io [Anna Bex]", "Anna Bex"),
    ("ad0@y.io (José Núñez)", "José Núñez")])
def test_an_address_first_then_a_display_name_in_brackets(cell: str, name: str) -> None:
    assert _read(_decided(contact=cell))[:3] == (name, ["ad0@y.io"], [])


@pytest.mark.parametrize("cell", ["ad0@y.io, Bob Roe (Anna Bex)", "ad0@y.io, Bob Roe",
                                  "ad0@y.io; Bob Roe"])
def test_a_message_never_calls_an_address_a_person(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "persons (" not in ref and "before the name" in ref, ref


@pytest.mark.parametrize("cell", ["Tove Wek, KW 49", "Tove Wek, Woche 49", "Tove Wek, wk 49",
                                  "Tove Wek, CW 49/2026", "Tove Wek KW 49", "Tove Wek, KW49",
                                  "Tove Wek KW 49 tw@x.io", "Tove Wek, week 49", "Tove Wek - KW 49/26"])
def test_a_week_number_fails_the_row_as_a_date(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "holds a date" in ref, ref


@pytest.mark.parametrize(("cell", "name"), [("Tove Week", "Tove Week"), ("Ida Uke", "Ida Uke"),
                                            ("Tove Wek (KW 49)", "Tove Wek")])
def test_a_week_word_without_its_number_or_in_brackets_stays(cell: str, name: str) -> None:
    assert _read(_decided(contact=cell))[0] == name


# F4: a title after a comma / slash / dash before a contact in any pair reads as in <…>
_F4_PAIRS = ["<>", "()", "[]", "「」", "«»", "»«", "''", "„“", "‹›", "《》", '""', "【】", "『』", "〈〉",
             "“”", "（）", "  "]


@pytest.mark.parametrize("pair", _F4_PAIRS)
@pytest.mark.parametrize("sep", [", ", " / ", " - ", " – "])
@pytest.mark.parametrize("contact", ["jr4@roa.io", "+47 21 20 02 00"])
def test_a_title_before_a_contact_in_any_pair_goes_to_the_note(pair: str, sep: str,
                                                               contact: str) -> None:
    cell = f"Jane Roa{sep}CEO {pair[0]}{contact}{pair[1]}".replace("  ", " ").strip()
    got = _read(_decided(contact=cell))
    assert got[0] == "Jane Roa" and contact in (*got[1], *got[2]) and got[3] == "CEO", (cell, got)


@pytest.mark.parametrize("cell", ["Jane Roa, Bob Roe 「jr4@roa.io」", "Jane Roa / Bob Roe «jr4@roa.io»",
                                  "Jane Roa - Bob Roe 「jr4@roa.io」"])
def test_a_second_name_before_a_contact_in_a_pair_still_fails(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "2 persons" in ref, ref


# F6: text in CJK brackets goes to the note as () [] do; a date inside is not the cell's
@pytest.mark.parametrize("pair", ["()", "[]", "「」", "【】", "《》", "〔〕", "『』", "〈〉"])
@pytest.mark.parametrize("contact", ["", " <ab6@y.io>", " 「ab6@y.io」", " ab6@y.io"])
def test_text_in_a_cjk_bracket_goes_to_the_note(pair: str, contact: str) -> None:
    got = _read(_decided(contact=f"Anna Bøe {pair[0]}née Smith{pair[1]}{contact}"))
    assert got[0] == "Anna Bøe" and got[3] == "née Smith", got


@pytest.mark.parametrize("cell", ["Jane Rzz 「2026年12月」 <jy@x.io>", "Jane Rzz 【Q4 2026】 <jy@x.io>"])
def test_a_date_in_a_cjk_bracket_is_not_the_cells_date(cell: str) -> None:
    got = _read(_decided(contact=cell))
    assert got[:3] == ("Jane Rzz", ["jy@x.io"], []), got
