# ruff: noqa: RUF001, RUF003  # the quote marks of every script are the point here
"""Person cells, round 15 (x51r1's re-test of round 14): each cell names one person with
the e-mail / phone it writes, or the row fails (a str: the reason).

- F1: a run of ``/`` or ``|`` inside an address's local part is part of it (RFC 5322's
  atext): the whole address, or the row fails; never a shortened address;
- F2: every quote mark or bracket of every script (``quote_marks.QUOTE_MARKS``) glued to
  an address is punctuation, in the name cell and in the E-mail column;
"""

from __future__ import annotations

from typing import Any

import pytest

from jobs.transforms import email_addresses
from tests.each_case import check_each
from tests.test_person_identity import decide_all, rows_of
from tests.test_person_lists_round10 import _bare_planner


def _decided(**cells: str) -> Any:
    return decide_all(_bare_planner(), rows_of([cells]))["K2"]


def _person(ref: Any) -> tuple[str | None, list[str], list[str]]:
    assert isinstance(ref, dict), ref
    body = ref.get("body") or {}
    return (body.get("name"), [e["value"] for e in body.get("emails") or []],
            [p["value"] for p in body.get("phones") or []])


def _whole_or_refused(ref: Any, name: str, address: str) -> None:
    """The person ``name`` with exactly ``address``, or the row failed naming it."""
    if isinstance(ref, str):
        assert address in ref, ref
        return
    assert _person(ref)[:2] == (name, [address]), ref


# F1: a run of separators inside a local part (x51r1: 'Thea Brandt z8//w@m8.example.org'
# wrote 'w@m8.example.org' and named the person 'Thea Brandt z8')
_LOCALS = ["z8//w", "p||q35", "a/|b", "m//n||o", "x///y", "Z8//w", "Ab||c", "z8//W"]
_SHAPES = ["Thea Brandt {a}", "Thea Brandt <{a}>", "Thea Brandt, {a}", "Thea Brandt – {a}",
           "Thea Brandt - {a}", "Thea Brandt ({a})", "Thea Brandt; {a}", "Thea Brandt: {a}",
           "Thea Brandt [{a}]", "{a} Thea Brandt"]


def _local_whole(local: str, shape: str) -> None:
    address = f"{local}@m8.example.org"
    _whole_or_refused(_decided(contact=shape.format(a=address)), "Thea Brandt", address)


# Here each grid is one item per shape, its cases looped and every one that fails named
# (issue 8: 777 items, each ~4 ms of pytest's own beside its work, before)
@pytest.mark.parametrize("shape", _SHAPES)
def test_a_run_of_separators_inside_a_local_part_is_never_cut(shape: str) -> None:
    assert check_each({local: (local, shape) for local in _LOCALS}, _local_whole) == len(_LOCALS)


@pytest.mark.parametrize("local", ["z8//w", "p||q", "a/b", "x|y"])
def test_a_run_of_separators_in_the_e_mail_column_is_the_address(local: str) -> None:
    address = f"{local}@m8.example.org"
    assert email_addresses(address) == (address,)


def test_a_lower_case_run_of_separators_is_read_whole() -> None:
    ref = _decided(contact="Thea Brandt z8//w@m8.example.org")
    assert _person(ref)[:2] == ("Thea Brandt", ["z8//w@m8.example.org"]), ref


def test_a_single_separator_after_a_name_still_separates() -> None:
    assert _person(_decided(contact="Jane Roe/jane@roe.com"))[:2] \
        == ("Jane Roe", ["jane@roe.com"])


# F2: every quote mark / bracket around an address (x51r1: 'Gisela Ekdahl ‹qq00@x›' wrote
# '‹qq00@x' and named the person 'Gisela Ekdahl ›')
_PAIRS = [("‹", "›"), ("„", "“"), ("‚", "‘"), ("«", "»"), ("「", "」"), ("“", "”"), ("‘", "’"),
          ("›", "‹"), ("„", "”"), ("『", "』"), ("《", "》"), ("〈", "〉"), ("»", "«"), ("〝", "〞"),
          ("＂", "＂"), ("【", "】"), ("〔", "〕"), ("❝", "❞"), ("⟨", "⟩"), ("﹁", "﹂"), ("`", "`")]


def _quoted_is_punctuation(opening: str, closing: str, shape: str) -> None:
    address = "qq00@qt0.example.com"
    ref = _decided(contact=shape.format(q=f"{opening}{address}{closing}"))
    assert _person(ref)[:2] == ("Gisela Ekdahl", [address]), ref


@pytest.mark.parametrize("shape", ["Gisela Ekdahl {q}", "Gisela Ekdahl, {q}",
                                   "Gisela Ekdahl ({q})", "Gisela Ekdahl – {q}",
                                   "Gisela Ekdahl: {q}"])
def test_a_quote_mark_around_an_address_in_the_name_cell_is_punctuation(shape: str) -> None:
    assert check_each({f"{o}…{c}": (o, c, shape) for o, c in _PAIRS},
                      _quoted_is_punctuation) == len(_PAIRS)


@pytest.mark.parametrize(("opening", "closing"), [p for p in _PAIRS if p[0] != "`"])
def test_a_quote_mark_around_an_address_in_the_e_mail_column_is_punctuation(
        opening: str, closing: str) -> None:
    address = "qc2@qtc2.example.com"
    assert email_addresses(f"{opening}{address}{closing}") == (address,)
    assert email_addresses(f"{opening}{address}{closing}, b@x.io") == (address, "b@x.io")


def test_the_quoted_and_the_bare_address_are_one_person() -> None:
    rows = rows_of([{"contact": "Gisela Ekdahl ‹qq00@qt0.example.com›"},
                    {"contact": "Gisela Ekdahl,qq00@qt0.example.com"}])
    refs = decide_all(_bare_planner(), rows)
    assert _person(refs["K2"])[:2] == _person(refs["K3"])[:2] \
        == ("Gisela Ekdahl", ["qq00@qt0.example.com"]), refs


# F3: the punctuation around a contact cut from the name goes with it (x51r1: 'Rosa Dahlberg
# 「quo0@x」' was named 'Rosa Dahlberg 「 」', 'Leif Juhl tp50@x·' 'Leif Juhl ·', 'Corin
# Abelsen ‐+47 22 33 00 44' 'Corin Abelsen ‐')
_TRAILING = ["！", "？", "؟", "،", "।", "·", "•", "¡", "‼", "⁉", "；", "※", "〜", "»", "」。", "。",
             "、", "…", "!!", "?!", "：", "¿", "*", "~"]


def _trailing_not_the_name(mark: str, shape: str) -> None:
    address = "tp50@tr5.example.net"
    ref = _decided(contact=shape.format(a=address, p=mark))
    assert _person(ref)[:2] == ("Leif Juhl", [address]), ref


@pytest.mark.parametrize("shape", ["Leif Juhl {a}{p}", "Leif Juhl, {a}{p}", "Leif Juhl <{a}>{p}",
                                   "Leif Juhl {a} {p}"])
def test_punctuation_after_an_address_is_not_the_name(shape: str) -> None:
    assert check_each({mark: (mark, shape) for mark in _TRAILING},
                      _trailing_not_the_name) == len(_TRAILING)


_SIGNS = ["·", "•", "‧", "∙", "|", "–", "‐", "‑", "‒", "—", "―", "﹘", "⸺", "～", "〜", "／"]


def _separator_not_the_name(sign: str, contact: str, form: str) -> None:
    ref = _decided(contact=form.format(s=sign, c=contact))
    if isinstance(ref, str):  # (a sign that may start an address: both readings named)
        assert "@" in contact and contact in ref, ref
        return
    name, emails, phones = _person(ref)
    assert name == "Corin Abelsen" and (emails or phones), ref


@pytest.mark.parametrize("form", ["Corin Abelsen {s} {c}", "Corin Abelsen {s}{c}",
                                  "Corin Abelsen {c} {s}"])
def test_a_separator_before_a_contact_is_not_the_name(form: str) -> None:
    contacts = ["tp@x.example.net", "+47 22 33 00 44"]
    assert check_each({f"{sign} {contact}": (sign, contact, form) for sign in _SIGNS
                       for contact in contacts}, _separator_not_the_name) == 32


@pytest.mark.parametrize("cell", ["Ann Roe 「営業部」 ann@x.io", "Ann Roe (CEO) ann@x.io"])
def test_a_bracket_holding_a_word_stays_beside_the_name(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) or "·" not in str(ref), ref


# F4: a phone's label, listed or a word before a colon, in the name cell and after a comma
# alike (x51r1: 'Stellan Iversen Cep: +90 212 444 0003' was named 'Stellan Iversen Cep';
# after a comma the row failed as naming 2 persons)
_LABELS = ["Cep:", "Cep Tel.:", "İş:", "Κιν.", "Κινητό:", "טל'", "נייד:", "โทร.", "มือถือ", "ĐT:",
           "SĐT:", "Điện thoại:", "DĐ:", "HP:", "Telp.", "WA:", "WhatsApp:", "Tel bimbit:",
           "Matkapuhelin", "Telefonas:", "Mob. tel.", "Tālr.", "Mobiltelefon:", "Τηλέφωνο:",
           "Handphone:", "Sabit:", "Cellphone:", "Cellular:", "Móvel:", "Tel. kom.", "Mobile No.:",
           "Tel.:", "Mob.:", "mobil:", "Puhelin:", "Tlf:", "Gsm:"]


def _label_cut(label: str, shape: str) -> None:
    phone = "+90 212 444 0003"
    ref = _decided(contact=shape.format(l=label, p=phone))
    assert _person(ref) == ("Stellan Iversen", [], [phone]), ref


@pytest.mark.parametrize("shape", ["Stellan Iversen {l} {p}", "Stellan Iversen, {l} {p}",
                                   "Stellan Iversen / {l} {p}"])
def test_a_listed_phone_label_is_cut_with_the_phone_kept(shape: str) -> None:
    assert check_each({label: (label, shape) for label in _LABELS}, _label_cut) == len(_LABELS)


@pytest.mark.parametrize("word", ["Foo", "Zentrale", "Büro", "Privat", "Sekretariat", "Oficina"])
@pytest.mark.parametrize("shape", ["Stellan Iversen, {w}: {p}", "Stellan Iversen; {w}: {p}",
                                   "Stellan Iversen – {w}: {p}"])
def test_a_word_before_a_colon_alone_in_its_part_is_a_label(word: str, shape: str) -> None:
    phone = "+90 216 333 0009"
    ref = _decided(contact=shape.format(w=word, p=phone))
    assert _person(ref) == ("Stellan Iversen", [], [phone]), ref


@pytest.mark.parametrize("word", ["Foo", "Zentrale", "Büro", "Privat", "Sekretariat", "Oficina"])
def test_an_unlisted_word_before_a_colon_after_a_name_is_never_in_the_name(word: str) -> None:
    phone = "+90 216 333 0009"
    ref = _decided(contact=f"Stellan Iversen {word}: {phone}")
    if isinstance(ref, str):
        assert f"{word}:" in ref and "label" in ref, ref
    else:
        assert _person(ref) == ("Stellan Iversen", [], [phone]), ref


def test_a_name_before_a_colon_keeps_its_last_word() -> None:
    assert _person(_decided(contact="Jane Roe: +49 30 1234567")) \
        == ("Jane Roe", [], ["+49 30 1234567"])


# F7: an extension word not listed says so; the listed ones kept with the phone (x51r1: 'Zeno
# Holm, +420 2 2233 0024 Xtn 23' failed as naming 2 persons; glued, named 'Zeno Holm Xtn 23')
_EXTENSIONS = ["kl. 23", "klapka 23", "mell. 23", "dah. 23", "εσωτ. 23", "שלוחה 23", "ต่อ 23",
               "máy lẻ 23", "nhánh 23", "psw. 23", "pes. 23", "lok. 23", "vnitřní 23", "lisa 23",
               "iekšējais 23", "vid. 23", "inter. 23", "Xtn 23", "内线 23", "分機 23", "sisä 23",
               "alanumero 23", "轉 23"]


@pytest.mark.parametrize("extension", _EXTENSIONS)
@pytest.mark.parametrize("shape", ["Zeno Holm, {p} {e}", "Zeno Holm {p} {e}"])
def test_a_listed_extension_word_is_kept_with_the_phone(extension: str, shape: str) -> None:
    phone = "+420 2 2233 0024"
    ref = _decided(contact=shape.format(p=phone, e=extension))
    assert _person(ref) == ("Zeno Holm", [], [f"{phone} {extension}"]), ref


@pytest.mark.parametrize("extension", ["Zwq 23", "blorp. 7", "Nachwahl 12"])
@pytest.mark.parametrize("shape", ["Zeno Holm, {p} {e}", "Zeno Holm {p} {e}", "Zeno Holm ({p} {e})"])
def test_an_unknown_extension_word_says_so(extension: str, shape: str) -> None:
    ref = _decided(contact=shape.format(p="+420 2 2233 0024", e=extension))
    assert isinstance(ref, str) and "unknown extension word" in ref \
        and repr(extension.split()[0].rstrip(".")) in ref and "2 persons" not in ref, ref


# F5: a date with a month's word, or without its year, is no part of a name (x51r1: 'Gisela
# Mattsson Jan 6 2026' and 18 of 20 such dates were kept in the person's name)
_DATES = ["Jan 6 2026", "6 Dec", "Dec. 6, 2026", "6th December", "December 2026", "6 Dez. 2026",
          "6. Dezember", "6 janvier 2026", "6 de diciembre", "6 грудня", "2026年12月6日", "12月6日",
          "2026년 12월 6일", "12/6", "06/12", "06.12.", "6.12.", "6-Dec-26", "Mon 6 Dec", "Q4 2026",
          "December 6", "6 Dec 2026", "Dec 2026", "2026年12月", "6 грудня 2026", "3 maja",
          "5 мая 2026", "May 5", "5. Mai", "1er avril", "12 de março"]


def _date_fails(date: str, shape: str) -> None:
    ref = _decided(contact=shape.format(d=date))
    assert isinstance(ref, str) and "holds a date" in ref, ref


@pytest.mark.parametrize("shape", ["Gisela Mattsson {d}", "{d} Gisela Mattsson",
                                   "Gisela Mattsson, {d}", "Gisela Mattsson - {d}"])
def test_a_date_in_a_name_cell_fails_its_row(shape: str) -> None:
    assert check_each({date: (date, shape) for date in _DATES}, _date_fails) == len(_DATES)


@pytest.mark.parametrize("cell", ["May Lindqvist", "June Roe", "April Berg", "Mai Tran",
                                  "Jan Novak", "Augusta Mars", "Ann May", "Maj Hansen",
                                  "Louis XIV", "John Smith III", "Agent 47", "Mar Gómez",
                                  "Oktober Berg", "Dec Jones", "Kunde 12.5"])
def test_a_month_word_alone_is_a_name(cell: str) -> None:
    assert _person(_decided(contact=cell))[0] == cell


# F8: a placeholder is no name however the cell goes on; never a person named by an address
# (x51r1: 'N/A, CEO' made a person 'N/A', 'nan <nan@x.example>' one 'nan', 'N/A' beside an
# e-mail one named 'keep2.me@x.example'; 'k.A.', '不明' ... became persons)
@pytest.mark.parametrize("cell", ["k.A.", "不明", "なし", "未知", "미상", "Sin nombre", "Без имени",
                                  "غير معروف", "TBD", "Unbekannt", "Inconnu", "n.a.", "N/A"])
def test_a_placeholder_of_any_language_is_no_person(cell: str) -> None:
    assert _decided(contact=cell) is None


@pytest.mark.parametrize("cell", ["N/A, CEO", "N/A (CEO)", "n/a - Sales Director", "NULL, CEO",
                                  "Unknown (CEO)", "k.A., Einkauf"])
def test_a_placeholder_before_a_title_is_no_person(cell: str) -> None:
    assert _decided(contact=cell) is None


@pytest.mark.parametrize("cell", ["nan, CEO", "nan <nan@x.example>", "Nan (CEO)", "NaN - CEO"])
def test_nan_before_a_title_or_address_fails_as_nan_alone(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "may be an empty cell a spreadsheet tool wrote" in ref, ref


@pytest.mark.parametrize("cell", ["N/A <keep2.me@x.example>", "n/a, keep2.me@x.example",
                                  "Unknown, CEO, keep2.me@x.example", "N/A (CEO) keep2.me@x.example"])
def test_a_placeholder_with_an_address_is_a_blank_name_with_it(cell: str) -> None:
    """A placeholder is a blank cell (README): the person is the address's alone, as a
    cell of the address alone makes it; never one named by the placeholder."""
    ref, bare = _decided(contact=cell), _decided(contact="keep2.me@x.example")
    assert _person(ref)[1:] == _person(bare)[1:] == (["keep2.me@x.example"], [])
    assert _person(ref)[0] == _person(bare)[0], (ref, bare)


@pytest.mark.parametrize("cell", ["Ka Li", "Ka", "Na", "Nan Li", "Mia Unknown-Berg", "Kim Null"])
def test_a_name_like_a_placeholder_is_a_person(cell: str) -> None:
    assert _person(_decided(contact=cell))[0] == cell


# F6: 과장 (manager) glued after a Korean name is a title, not the joiner 과 (x51r1:
# '이서연과장님' failed as naming '이서연' and '장님')
@pytest.mark.parametrize("cell", ["이서연과장님", "박지훈과장님", "정하늘과장님께", "김민준과장", "최지우과장"])
def test_a_glued_korean_title_is_no_second_person(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, dict) and _person(ref)[0], ref


@pytest.mark.parametrize("cell", ["김민준과장수연", "김민준과박지훈", "이서연와최지우"])
def test_two_glued_korean_names_still_fail(cell: str) -> None:
    ref = _decided(contact=cell)
    assert isinstance(ref, str) and "2 persons" in ref, ref
