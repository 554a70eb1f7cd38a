# ruff: noqa: RUF001, RUF002  # the quote marks of every script are the point here
"""Person cells, round 17 (x52r1's re-test of round 16): one reading of the display name
whatever pair of brackets or quotes holds the contact beside it.

- F1, F4 (a generated grid): for every hard name (its own quotes, nicknames, apostrophes,
  a bracket note, a Korean title, a romanisation) x every contact form (after a space, a
  comma, in every bracket and quote pair of ``quote_marks.PAIRS`` a person writes) the
  same person name and note come out as from the name alone, the contact the person's;
- F2: a name wholly in quotes is the name without them, alone and beside a contact.
"""

from __future__ import annotations

from typing import Any

import pytest

from bulk.errors import InputError
from jobs.transforms import display_name, email_addresses, phone_numbers
from tests.test_person_cells_round15 import _decided
from tests.test_person_cells_round16 import _read

# the hard names: quotes of their own, nicknames, apostrophes, the okina, a bracket note, a
# title after a Hangul name, a Latin spelling, a name wholly in quotes
HARD_NAMES = ["„Ani“ Nowak", "'Abd Salehi", "‘Iolani Kaʻai", '"Anne Lia"',
              "Jane Rowa (née Smith)", "강민수 팀장님", "이서연대리", "山田太郎 (Taro Yamada)",
              "Ann O'Nail", "Seán O'Brien", "Olav 'Ole' Berg", "Robert Smith 'Bob'",
              "«Anna Ruud»", "《Didrik Dahl》", "「Ann Leu」", "„Ann Leu“", "'Ann Lee'",
              "Ann Roe 「営業部」", "Anna Roe ‹CEO›", "Tūhoe ʻOkelani", "Kari Dahl (Oslo)",
              "Agent 007", "Unit 02"]
# every pair a contact is written in: ASCII, guillemets both ways, German, Polish, English
# quotes, CJK corner, double, lenticular, angle, tortoise-shell, fullwidth brackets
CONTACT_PAIRS = ["<>", "()", "[]", "«»", "»«", "‹›", "„“", "„”", "‚‘", "“”", "‘’", '""',
                 "''", "「」", "『』", "【】", "《》", "〈〉", "〔〕", "（）", "［］", "＜＞", "〖〗"]
FORMS = ["{n} {c}", "{n}, {c}", *(f"{{n}} {p[0]}{{c}}{p[1]}" for p in CONTACT_PAIRS)]


def _name_and_note(ref: Any) -> tuple[Any, Any]:
    got = _read(ref)
    return (got[0], got[-1]) if len(got) == 4 else (got[0], "failed")


@pytest.mark.parametrize("contact", ["gq17@d17.example.org", "+49 30 1234567"])
@pytest.mark.parametrize("name", HARD_NAMES)
def test_one_reading_of_the_name_whatever_pair_holds_the_contact(name: str,
                                                                 contact: str) -> None:
    alone = _name_and_note(_decided(contact=name))
    wrong = {}
    for form in FORMS:
        cell = form.format(n=name, c=contact)
        got = _read(_decided(contact=cell))
        if len(got) != 4 or (got[0], got[-1]) != alone or contact not in (*got[1], *got[2]):
            wrong[cell] = got
    assert not wrong, (alone, wrong)


@pytest.mark.parametrize(("cell", "name"), [
    ('"Ann Leu"', "Ann Leu"), ("«Ann Leu»", "Ann Leu"), ("「Ann Leu」", "Ann Leu"),
    ("„Ann Leu“", "Ann Leu"), ("《Ann Leu》", "Ann Leu"), ("'Ann Leu'", "Ann Leu"),
    ("“Ann Leu”", "Ann Leu"), ("„Ani“ Nowak", "„Ani“ Nowak"),
    ("Robert Smith 'Bob'", "Robert Smith 'Bob'"), ("'Abd Salehi", "'Abd Salehi")])
@pytest.mark.parametrize("form", ["{n}", "{n} <aq17@d17.example.org>", "{n}, +358 9 555 0000",
                                  "{n} 「+358 9 555 0000」"])
def test_a_name_wholly_in_quotes_is_read_one_way_alone_and_beside_a_contact(
        cell: str, name: str, form: str) -> None:
    """x52r1 F2: ``"Ann Leu" <a@x>`` was ``Ann Leu`` and ``"Ann Leu"`` alone ``"Ann Leu"``:
    two persons at one organization (README: a quote pair around the whole is cut)."""
    assert _read(_decided(contact=form.format(n=cell)))[0] == name


@pytest.mark.parametrize("cell", ["(CEO)", "（CEO）", "[n/a]", "(Jostein Dahl)"])
def test_a_bracket_alone_still_names_no_one(cell: str) -> None:
    """A name cell's bracket alone is a comment (``name_cell_name``), quotes aside."""
    assert _decided(contact=cell) is None


@pytest.mark.parametrize(("cell", "name"), [
    ("Ann O'Nail 'q0@ap.ie'", "Ann O'Nail"), ("Seán O'Brien, 'q2c@ap.ie'", "Seán O'Brien"),
    ("'Abd Salehi 'b1@br1.com'", "'Abd Salehi"), ("Olav 'Ole' Berg 'ob@x.no'", "Olav 'Ole' Berg"),
    ("Ann O'Nail '+353 1 555 0101'", "Ann O'Nail"), ("D'Arcy Roe \"dr@x.ie\"", "D'Arcy Roe")])
def test_the_marks_of_a_cut_contact_never_take_the_names_apostrophes(cell: str,
                                                                    name: str) -> None:
    """x52r1 F4: ``Ann O'Nail 'q0@ap.ie'`` was named ``Ann O'Nail ' '``."""
    assert _read(_decided(contact=cell))[0] == name


@pytest.mark.parametrize("label", ["Tél/WhatsApp :", "Mob./Viber:", "Tel./Signal:", "Tel/Telegram:",
                                   "Tel / Signal :", "Tél. :", "Viber:", "Phone/WeChat :", "Tel.-Nr.:"])
@pytest.mark.parametrize("shape", ["Oda Fosse, {l} {p}", "Oda Fosse ({l} {p})", "Oda Fosse [{l} {p}]",
                                   "Oda Fosse {l} {p}", "Oda Fosse; {l} {p}"])
def test_every_combined_label_is_cut_with_its_phone(label: str, shape: str) -> None:
    """x52r1 F3: ``Oda Fosse, Tél/WhatsApp : +33 …`` was named ``Oda Fosse, Tél``, ``Mob./Viber:``
    left ``Mob.``: ``label(/label)* :`` with a messenger, a space before the colon."""
    phone = "+33 1 23 45 67 89"
    got = _read(_decided(contact=shape.format(l=label, p=phone)))
    assert got[:3] == ("Oda Fosse", [], [phone]), got


def test_a_messenger_word_without_a_colon_is_no_label() -> None:
    """``Line``, ``Signal`` may be a surname: a label only before a colon or after a ``/``."""
    assert _read(_decided(contact="Oda Line +33 1 23 45 67 89"))[:3] == (
        "Oda Line", [], ["+33 1 23 45 67 89"])


@pytest.mark.parametrize(("cell", "word", "phone"), [
    ("Unit 02 030 1234581", "02", "030 1234581"), ("Unit 02 (030) 1234581", "02", "(030) 1234581"),
    ("Box 012 0301 234582", "012", "0301 234582"),
    ("Agent 007 030 1234568", "007", "030 1234568")])
def test_a_digit_word_led_by_0_before_a_phone_names_both_readings(cell: str, word: str,
                                                                  phone: str) -> None:
    """x52r1 F5: ``Unit 02 030 1234581`` was the person ``Unit`` with the phone ``02 030
    1234581``."""
    got = _decided(contact=cell)
    assert isinstance(got, str) and f"{word!r} as the name's last word" in got \
        and f"the phone {phone!r}" in got, got


@pytest.mark.parametrize(("cell", "name", "phone"), [
    ("Jean Roe 01 02 03 04 05", "Jean Roe", "01 02 03 04 05"),
    ("Jean Roe 06 12 34 56 78", "Jean Roe", "06 12 34 56 78"),
    ("Jon Roe 0049 30 1234567", "Jon Roe", "0049 30 1234567"),
    ("Jon Roe 0171 0123456", "Jon Roe", "0171 0123456"), ("Agent 7 030 1234568", "Agent 7", "030 1234568"),
    ("Agent 007 「030 1234585」", "Agent 007", "030 1234585"),
    # (x52r1 F5: 'Agent' with '007 (030 1234585'; the bracket bounds the phone as 「」 does)
    ("Agent 007 (030 1234585)", "Agent 007", "030 1234585"),
    ("Unit 02 (030 1234581)", "Unit 02", "030 1234581"),
    ("Jon Roe, 02 030 1234581", "Jon Roe", "02 030 1234581")])
def test_a_phone_in_groups_of_one_width_or_apart_stays_one(cell: str, name: str, phone: str) -> None:
    assert _read(_decided(contact=cell))[:3] == (name, [], [phone])


_SPACED_MONTH_YEARS = ["12 / 2026", "2026 / 12", "0 12/2026", "012/2026", "12 /2026", "6 - 2026",
                       "2026 . 06"]


@pytest.mark.parametrize("date", _SPACED_MONTH_YEARS)
def test_a_spaced_or_zero_led_month_and_year_in_the_phone_column_is_no_phone(date: str) -> None:
    """x52r1 F6: ``12 / 2026``, ``2026 / 12``, ``0 12/2026``, ``012/2026`` were written as
    phones (README: a month and year of digits is never a phone there)."""
    with pytest.raises(InputError, match="date"):
        phone_numbers(date)


@pytest.mark.parametrize("phone", ["030 12/2026", "06 12 2026 12", "+49 12 2026 1234", "030 2026 12",
                                   "01 12 20 26 00"])
def test_a_phone_holding_a_month_and_year_stays_a_phone(phone: str) -> None:
    assert phone_numbers(phone) == (phone,)


@pytest.mark.parametrize("cell", ["Tuva Roe, 12 / 2026", "Tuva Roe 0 12/2026", "Tuva Roe, 2026 / 12"])
def test_a_spaced_month_and_year_in_a_name_cell_is_a_date(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "holds a date" in ref and "2 persons" not in ref, ref


# F8: the E-mail column reads every pair the name cell reads
@pytest.mark.parametrize("pair", [p for p in CONTACT_PAIRS if p not in ('""',)])
def test_the_e_mail_column_reads_a_name_before_an_address_in_every_pair(pair: str) -> None:
    """x52r1 F8: ``Eva Kolumm 「en0@ec.io」`` (10 of 12 pairs) was refused with
    email-validator's "invalid characters before the @-sign: SPACE"."""
    cell = f"Eva Kolumm {pair[0]}en0@ec.io{pair[1]}"
    assert email_addresses(cell) == ("en0@ec.io",), cell
    assert display_name(cell) == "Eva Kolumm", cell


@pytest.mark.parametrize("cell", ["＜eb11@ec.io＞", "'eb8@ec.io'", "「eb9@ec.io」", "[eb10@ec.io]",
                                  "«eb12@ec.io»"])
def test_the_e_mail_column_reads_a_bare_address_in_a_pair(cell: str) -> None:
    """x52r1 F8: ``＜eb11@ec.io＞`` and ``'eb8@ec.io'`` were refused (README: fullwidth
    ``＜＞`` reads as ``<>``, quote marks are punctuation in the E-mail column too)."""
    assert email_addresses(cell) == (cell[1:-1],)


@pytest.mark.parametrize("cell", ["d'arcy@x.ie", "'abc@x.io", "ann.o'neil@x.ie"])
def test_an_apostrophe_of_a_local_part_stays_its_own(cell: str) -> None:
    assert email_addresses(cell) == (cell,)


def test_a_name_beside_an_address_with_only_a_space_is_refused_saying_how() -> None:
    """Never the validator's raw message ("invalid characters before the @-sign: SPACE")."""
    with pytest.raises(InputError, match="Name <address>") as caught:
        email_addresses("Eva Kolumm en0@ec.io")
    assert "@-sign" not in str(caught.value)


@pytest.mark.parametrize(("cell", "name"), [
    ("FAO Ida Berg", "Ida Berg"), ("ATTN Bob Roe", "Bob Roe"), ("zu Händen Max Maier", "Max Maier"),
    ("zu Händen von Max Maier", "Max Maier"), ("z. Hd. v. Max Maier", "Max Maier"),
    ("z. Hd. von Max Maier", "Max Maier"), ("z. Hd. von Weizsäcker", "von Weizsäcker"),
    ("Fao Li", "Fao Li"), ("FAO", "FAO")])
def test_an_address_lines_words_without_a_colon_are_no_part_of_the_name(cell: str,
                                                                        name: str) -> None:
    """x52r1 F11: ``FAO Ida Berg``, ``zu Händen Max Maier`` kept the words; ``z. Hd. v. Max
    Maier`` was ``v. Max Maier``."""
    assert _read(_decided(contact=cell))[0] == name


@pytest.mark.parametrize("date", ["6 ডিসেম্বর", "6 دسامبر", "6 दिसंबर", "6 டிசம்பர்", "6 Desemba",
                                  "6 Disyembre", "6 Dhjetor", "6. detsembril"])
@pytest.mark.parametrize("shape", ["Ana Roe {d}", "Ana Roe, {d}", "Ana Roe / {d}"])
def test_month_words_of_more_languages_make_a_date(date: str, shape: str) -> None:
    """x52r1 F9: Bengali, Persian, Hindi, Tamil, Swahili, Filipino, Albanian and Estonian's
    'in December' were kept in the name, or after ' / ' failed as naming 2 persons."""
    ref = _decided(contact=shape.format(d=date))
    assert isinstance(ref, str) and "holds a date" in ref, ref


@pytest.mark.parametrize("cell", ["Janar Tamm", "Machi Roe", "Marso Lee"])
def test_a_month_word_as_a_name_without_a_day_is_a_name(cell: str) -> None:
    assert _read(_decided(contact=cell))[0] == cell
