"""Person cells left from round 16 (f52b): each cell names one person with the e-mail /
phone it writes, or the row fails (a str: the reason).

- F1: a contact ending the cell after a space is the person's own, as in ``<…>``: a
  display name in brackets before it is that contact's name (``(Jostein Dahl) a@x``),
  and a job title after a comma before it goes to the note (``Jane Roe, CEO d@x``);
  both failed as "2 persons";
- F2: a Japanese / Chinese job title after a spaced Han name goes to the note, as a
  Korean one does (``山田太郎 部長`` was a person so named);
- F3: a word of digits glued by ``/`` or ``|`` to an address fails naming both readings,
  as a capital word does (``Thea Brandt 9//w@x`` wrote ``9//w@x`` unasked).
"""

from __future__ import annotations

import pytest

from jobs.transforms import email_addresses
from tests.test_person_cells_round15 import _decided, _person
from tests.test_person_cells_round16 import _read

# F1: a bracketed display name before a spaced contact
_BRACKETED = [("(Jostein Dahl) {a}", "Jostein Dahl"), ("[Karin Dahl] {a}", "Karin Dahl"),
              ("(Jostein Dahl)  {a}", "Jostein Dahl"), ("(Anna Maria Berg) {a}", "Anna Maria Berg"),
              ("(Jostein Dahl) {a}.", "Jostein Dahl"), ("(Jostein Dahl): {a}", "Jostein Dahl"),
              ("(Jostein Dahl) mailto:{a}", "Jostein Dahl"),
              ("(Jostein Dahl) E-Mail: {a}", "Jostein Dahl"),
              ("(José Núñez) {a}", "José Núñez"), ("(Иван Петров) {a}", "Иван Петров"),
              ("(Ann O'Neil) {a}", "Ann O'Neil"), ("[Dr. Anna Berg] {a}", "Dr. Anna Berg")]


@pytest.mark.parametrize(("form", "name"), _BRACKETED)
def test_a_display_name_in_brackets_before_a_spaced_address(form: str, name: str) -> None:
    address = "jd17@d17.example.org"
    ref = _decided(contact=form.format(a=address))
    assert _person(ref)[:2] == (name, [address]), ref


@pytest.mark.parametrize("display", ["(Jostein Dahl)", "[Karin Dahl]", "(Anna Maria Berg)"])
def test_the_bracketed_name_reads_alike_before_an_angle_or_a_spaced_address(display: str
                                                                            ) -> None:
    address = "ja17@d17.example.org"
    assert _read(_decided(contact=f"{display} <{address}>")) \
        == _read(_decided(contact=f"{display} {address}"))


# F1: a title after a comma before a spaced contact
_TITLED = [("Jane Roe, CEO {a}", "Jane Roe", "CEO"),
           ("Jane Roe, Managing Director {a}", "Jane Roe", "Managing Director"),
           ("Hans Müller, Geschäftsführer {a}", "Hans Müller", "Geschäftsführer"),
           ("Marie Dupont, PDG {a}", "Marie Dupont", "PDG"),
           ("Ana Ruiz, gerente de ventas {a}", "Ana Ruiz", "gerente de ventas"),
           ("Jane Roe, Head of Marketing {a}", "Jane Roe", "Head of Marketing"),
           ("Jane Roe, VP Sales {a}", "Jane Roe", "VP Sales"),
           ("Jane Roe, Founder & CEO {a}", "Jane Roe", "Founder & CEO"),
           ("Roe, Jane, Founder & CEO {a}", "Roe, Jane", "Founder & CEO"),
           ("Jane Roe, CEO: {a}", "Jane Roe", "CEO"),
           ("Jan Novák, jednatel {a}", "Jan Novák", "jednatel"),
           ("Ayşe Kaya, Genel Müdür {a}", "Ayşe Kaya", "Genel Müdür"),
           ("Jane Roe, CEO  {a}", "Jane Roe", "CEO")]


@pytest.mark.parametrize(("form", "name", "title"), _TITLED)
def test_a_title_after_a_comma_before_a_spaced_address_goes_to_the_note(
        form: str, name: str, title: str) -> None:
    address = "jt17@d17.example.org"
    got = _read(_decided(contact=form.format(a=address)))
    assert got == (name, [address], [], title), got


@pytest.mark.parametrize(("cell", "name", "phone", "title"), [
    ("Jane Roe, VP Sales +49 30 1234567", "Jane Roe", "+49 30 1234567", "VP Sales"),
    ("Jane Roe, CEO 030 1234567", "Jane Roe", "030 1234567", "CEO"),
    ("Hans Müller, Geschäftsführer Tel. +49 30 1234567", "Hans Müller", "+49 30 1234567",
     "Geschäftsführer")])
def test_a_title_after_a_comma_before_a_spaced_phone_goes_to_the_note(
        cell: str, name: str, phone: str, title: str) -> None:
    assert _read(_decided(contact=cell)) == (name, [], [phone], title)


@pytest.mark.parametrize("display", ["Jane Roe, CEO", "Jane Roe, Managing Director",
                                     "Hans Müller, Geschäftsführer", "Marie Dupont, PDG"])
def test_the_titled_name_reads_alike_before_an_angle_or_a_spaced_address(display: str) -> None:
    address = "jb17@d17.example.org"
    assert _read(_decided(contact=f"{display} <{address}>")) \
        == _read(_decided(contact=f"{display} {address}"))


@pytest.mark.parametrize("cell", [
    "Anna Berg (Bob Roe) ab17@d17.example.org", "(Bob Roe) Anna Berg ab17@d17.example.org",
    "Jane Roe, Bob Roe ab17@d17.example.org", "Jane Roe, CEO Bob Roe ab17@d17.example.org",
    "Jane Roe, CEO ab17@d17.example.org Bob", "Jane Roe, CEO & Bob Roe ab17@d17.example.org",
    "Jane Roe; Bob Roe ab17@d17.example.org", "Jane Roe, Bob ab17@d17.example.org",
    "(Bob Roe) (Ann Lee) ab17@d17.example.org", "(Bob Roe) Ann ab17@d17.example.org"])
def test_a_second_person_beside_a_spaced_address_still_fails(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "2 persons" in ref, ref


# F2: a Japanese / Chinese job title after a spaced Han name
_CJK_TITLED = [("山田太郎 部長", "山田太郎", "部長"), ("佐藤花子 課長", "佐藤花子", "課長"),
               ("鈴木一郎 社長", "鈴木一郎", "社長"), ("田中太郎 主任", "田中太郎", "主任"),
               ("王伟 经理", "王伟", "经理"), ("李娜 总监", "李娜", "总监"),
               ("張偉 總監", "張偉", "總監"), ("山田太郎 営業部長", "山田太郎", "営業部長"),
               ("王伟 销售经理", "王伟", "销售经理"), ("山田 太郎 部長", "山田 太郎", "部長"),
               ("山田太郎\u3000部長", "山田太郎", "部長"), ("高橋一郎 代表取締役", "高橋一郎", "代表取締役"),
               ("王伟 副总经理", "王伟", "副总经理"), ("さとう はなこ 課長", "さとう はなこ", "課長")]


@pytest.mark.parametrize(("cell", "name", "title"), _CJK_TITLED)
def test_a_cjk_title_after_a_spaced_han_name_goes_to_the_note(cell: str, name: str,
                                                              title: str) -> None:
    assert _read(_decided(contact=cell)) == (name, [], [], title)


@pytest.mark.parametrize(("cell", "name", "title"), _CJK_TITLED[:4])
def test_a_cjk_titled_name_with_its_address(cell: str, name: str, title: str) -> None:
    address = "yt17@d17.example.jp"
    assert _read(_decided(contact=f"{cell} {address}")) == (name, [address], [], title)
    assert _read(_decided(contact=f"{cell} <{address}>")) == (name, [address], [], title)


@pytest.mark.parametrize("cell", ["佐藤部長", "山田 太郎", "部長", "王 伟", "山田太郎", "李伟 Li",
                                  "営業 部長", "销售 经理"])
def test_a_han_name_without_a_spaced_title_stays_whole(cell: str) -> None:
    """``佐藤部長`` glued is a name (x48r1 F1); a title alone is the cell's only name."""
    assert _read(_decided(contact=cell)) == (cell, [], [], None)


# F3: a word of digits glued to an address by a run of / or |
_DIGIT_LED = [("Thea Brandt {w}{s}w@d17.example.org", "9", "//"),
              ("Thea Brandt {w}{s}w@d17.example.org", "42", "||"),
              ("Thea Brandt {w}{s}info@d17.example.org", "2026", "//"),
              ("Thea Brandt {w}{s}w@d17.example.org", "9", "/"),
              ("Thea Brandt {w}{s}w@d17.example.org", "9", "|"),
              ("{w}{s}w@d17.example.org Thea Brandt", "9", "//"),
              ("Thea Brandt, {w}{s}w@d17.example.org", "9", "//"),
              ("Thea Brandt - {w}{s}w@d17.example.org", "9", "//"),
              ("Thea Brandt {w}{s}w@d17.example.org", "9.5", "//"),
              ("Thea Brandt {w}{s}w@d17.example.org", "12-3", "//"),
              ("Thea Brandt {w}{s}8//w@d17.example.org", "9", "//"),
              ("Thea Brandt: {w}{s}w@d17.example.org", "007", "//")]


@pytest.mark.parametrize(("form", "word", "run"), _DIGIT_LED)
def test_a_digit_word_glued_to_an_address_names_both_readings(form: str, word: str,
                                                              run: str) -> None:
    cell = form.format(w=word, s=run)
    ref = _decided(contact=cell)
    assert isinstance(ref, str), ref
    whole = cell[cell.index(word + run):].split()[0]
    short = whole.rsplit(run, 1)[1]
    assert whole.endswith(ref.split("or the address ")[1].split("'")[1]) \
        and repr(short) in ref, ref


def test_an_arabic_indic_digit_word_glued_to_an_address_fails() -> None:
    ref = _decided(contact="Thea Brandt \u0669//w@d17.example.org")
    assert isinstance(ref, str) and "w@d17.example.org" in ref, ref


@pytest.mark.parametrize(("cell", "address"), [
    ("Thea Brandt <9//w@d17.example.org>", "9//w@d17.example.org"),
    ("Thea Brandt (9//w@d17.example.org)", "9//w@d17.example.org"),
    ("Thea Brandt [42||w@d17.example.org]", "42||w@d17.example.org"),
    ("Thea Brandt z8//w@d17.example.org", "z8//w@d17.example.org"),
    ("Thea Brandt a9//w@d17.example.org", "a9//w@d17.example.org"),
    ("Thea Brandt 9w@d17.example.org", "9w@d17.example.org")])
def test_an_address_of_its_own_stays_whole(cell: str, address: str) -> None:
    assert _person(_decided(contact=cell))[:2] == ("Thea Brandt", [address])


@pytest.mark.parametrize("address", ["9//w@d17.example.org", "42||w@d17.example.org"])
def test_a_digit_run_in_the_e_mail_column_is_the_address(address: str) -> None:
    assert email_addresses(address) == (address,)
