"""Manifest readers: CSV dialects, BOM, CRLF, multi-line cells, line numbers, JSONL, memory."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.manifest import count_rows, header, read_manifest, sniff_delimiter


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])  # \r: Mac Excel's "CSV (Macintosh)"
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_dialects(tmp_path: Path, delimiter: str, end: str) -> None:
    """Comma, semicolon, tab and pipe files are read the same way, whatever their line
    ends (CR-only too)."""
    d = delimiter
    text = f"Name{d}Amount{d}Note{end}Acme{d}\"1,5\"{d}x{end}Beta{d}2{d}\"a{d}b\"{end}"
    rows = list(read_manifest(write(tmp_path, "m.csv", text)))
    assert [r.values for r in rows] == [
        {"Name": "Acme", "Amount": "1,5", "Note": "x"},
        {"Name": "Beta", "Amount": "2", "Note": f"a{d}b"},
    ]
    assert [r.line for r in rows] == [2, 3]
    assert all(r.ok for r in rows)


def test_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    """A European export (';' with ',' decimals) is not mistaken for a comma file."""
    text = "Deal;Amount;Prob\nA;1.234,50;10\nB;12,5;20\nC;7;30\n"
    assert header(write(tmp_path, "m.csv", text)) == ["Deal", "Amount", "Prob"]


def test_bom_crlf_and_multiline_cells(tmp_path: Path) -> None:
    """BOM is dropped; CRLF and quoted newlines work; a row is the spreadsheet's (a record
    of several lines one row, a blank line one), its line the file's (x25r2 F4)."""
    data = (b"\xef\xbb\xbfid,notes,amount\r\n"
            b'1,"first\r\nsecond\r\nthird",10\r\n'
            b"\r\n"
            b'2,"say ""hi""",20\r\n'
            b'3,"x\ny",30\n'
            b"4,plain,40")
    path = write(tmp_path, "m.csv", data)
    rows = list(read_manifest(path))
    assert header(path) == ["id", "notes", "amount"]
    assert [(r.row, r.line, r.values["id"]) for r in rows] == [
        (2, 2, "1"), (4, 6, "2"), (5, 7, "3"), (6, 9, "4")]
    assert rows[0].values["notes"] == "first\r\nsecond\r\nthird"
    assert rows[1].values["notes"] == 'say "hi"'
    assert count_rows(path) == 4


def test_short_and_long_rows(tmp_path: Path) -> None:
    """A row with fewer or more cells than the header is an error row, trailing empties included."""
    text = "a,b,c\n1,2\n1,2,3,\n1,2,3,4\n5,6,7\n"
    rows = list(read_manifest(write(tmp_path, "m.csv", text)))
    assert [(r.row, r.ok) for r in rows] == [(2, False), (3, False), (4, False), (5, True)]
    assert rows[0].error is not None and rows[0].error.reason == "2 cells but the header has 3 columns"
    assert rows[1].error is not None and rows[1].error.row == 3
    assert "row 3: 4 cells but the header has 3 columns" in str(rows[1].error)
    assert rows[2].values == {"a": "1", "b": "2", "c": "3", "(extra 1)": "4"}  # kept for failed.csv
    assert rows[3].values == {"a": "5", "b": "6", "c": "7"}


def test_shifted_row_with_an_empty_last_cell(tmp_path: Path) -> None:
    """An unquoted $17,300.00 split in two is caught although its extra cell is empty."""
    text = "key,title,amount,stage\nk1,A,\"$1,000.00\",Won\nk2,B,$17,300.00,\n"
    rows = list(read_manifest(write(tmp_path, "m.csv", text)))
    assert rows[0].ok and not rows[1].ok
    assert rows[1].values["stage"] == "300.00" and rows[1].values["(extra 1)"] == ""


def test_file_wide_trailing_delimiter(tmp_path: Path) -> None:
    """When every row ends with the same trailing delimiter, the empties are dropped."""
    path = write(tmp_path, "m.csv", "a,b,\n1,2,\n3,4,\n")
    rows = list(read_manifest(path))
    assert [r.values for r in rows] == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]
    assert all(r.ok for r in rows)
    mixed = write(tmp_path, "x.csv", "a,b,\n1,2,\n3,4\n")
    assert [r.ok for r in read_manifest(mixed)] == [False, True]  # not file-wide: widths count


def test_a_short_row_in_a_file_of_trailing_delimiters_fails_alone(tmp_path: Path) -> None:
    """x10r1 S2: the header and every row end in a delimiter, one row lacks a cell: every
    complete row failed ("5 cells but the header has 4 columns") and the short one was read
    as complete, its organization in the person's column. The header line ending in
    delimiters, as most rows do, is the file's way: the short row fails alone, as does a
    row with one delimiter too many; the complete rows read, the first row short or not."""
    for short_first in (False, True):
        rows = ["k1,One,Acme,Ann,", "k2,Two,Beta,Bob,", "k3,Three,Gamma,Cid,",
                "k4,Four,Dana Scott,", "k5,Five,Echo,Eve,,"]
        if short_first:
            rows.insert(0, rows.pop(3))
        path = write(tmp_path, "t.csv", "id,title,org,person,\n" + "\n".join(rows) + "\n")
        got = {r.values["id"]: r for r in read_manifest(path)}
        assert sorted(k for k, r in got.items() if not r.ok) == ["k4", "k5"], got
        assert got["k1"].values == {"id": "k1", "title": "One", "org": "Acme", "person": "Ann"}
        assert "4 cells, but the header line and most lines have 5" in str(got["k4"].error)


def test_a_key_ending_in_a_digit_before_an_amount_is_no_split_number(tmp_path: Path) -> None:
    """x10r3 F3: in a file whose lines all end in a delimiter, the key ``R1`` before the
    amount ``200`` read as the number "1,200" split, so the trailing delimiter was not
    forgiven and every row failed. Only a number's start (``$1``, ``-12``, ``EUR 1``)
    before a group is taken for a split number."""
    path = write(tmp_path, "k.csv", "Id,Amount,Title,\nR1,200,Deal a,\nR2,300,Deal 2,\n")
    assert [r.ok for r in read_manifest(path)] == [True, True]
    split = write(tmp_path, "s.csv", "Key,Amount,Title\nK1,$1,500.00,Deal\n")
    (row,) = read_manifest(split)
    assert "'$1' and '500.00' look like one number split" in str(row.error)


def test_trailing_delimiter_on_data_rows_only_fails_every_row_with_the_fix(
        tmp_path: Path) -> None:
    """Data rows that all end in an empty cell the header line has not: as likely a cell
    with an unquoted delimiter in every row whose last column is empty (v10r16 S2:
    ``Smith, John`` imported as the title ``Smith`` and the organization ``John``, exit 0).
    Each row fails, naming both readings and their fixes; the header line ended the same
    way reads the file."""
    shifted = write(tmp_path, "w.csv", "Key,Title,Company,Notes\n"
                    "W1,Smith, John,Acme Inc,\nW2,Doe, Jane,Globex,\n")
    rows = list(read_manifest(shifted))
    assert [r.ok for r in rows] == [False, False]
    assert "every row ends in 1 empty cell(s) the header line has not" in str(rows[0].error)
    assert "quote it" in str(rows[0].error) and "end the header line with one" in str(
        rows[0].error)
    path = write(tmp_path, "m.csv", "a,b\n1,2,\n3,4,\n")
    assert [r.ok for r in read_manifest(path)] == [False, False]
    fixed = write(tmp_path, "f.csv", "a,b,\n1,2,\n3,4,\n")
    assert [r.values for r in read_manifest(fixed)] == [{"a": "1", "b": "2"},
                                                         {"a": "3", "b": "4"}]
    path = write(tmp_path, "n.csv", "a,b\n1,2,\n3,4\n")
    assert [r.ok for r in read_manifest(path)] == [False, True]


def test_blank_records_are_skipped(tmp_path: Path) -> None:
    """Blank lines and all-empty records do not count as rows."""
    text = "a,b\n\n1,2\n,\n  ,\n3,4\n\n"
    path = write(tmp_path, "m.csv", text)
    rows = list(read_manifest(path))
    assert [(r.row, r.line) for r in rows] == [(3, 3), (6, 6)]
    assert count_rows(path) == 2


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("a,,b\n1,2,3\n", "no name for column 2 (B), but row 2 has a value there ('2')"),
    ("a,,b\n1,,3\n4, x ,6\n", "no name for column 2 (B), but row 3 has a value"),
    # v10r12 M2: past the header's last name; was every row "4 cells but ... 3 columns"
    ("Key,Name,Amount,\nk1,A,5,\nk2,B,6,y\n",
     "no name for column 4 (D), but row 3 has a value there ('y')"),
    ("Key;Name;Amount;;\nk1;A;5;;\nk2;B;6;;z\n", "no name for column 5 (E), but row 3"),
])
def test_header_errors(tmp_path: Path, text: str, message: str) -> None:
    """A missing header or empty names fail the whole file (a name twice: only where it is
    read, tests/test_header_twice.py)."""
    path = write(tmp_path, "m.csv", text)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(read_manifest(path))
    with pytest.raises(InputError):
        header(path)


def test_a_semicolon_files_extra_cell_is_no_split_number(tmp_path: Path) -> None:
    """v10r14 M3: in a ``;`` file (where no number's mark is the delimiter) a row with one
    cell too many was said to hold '28.02.2026' and '10' as one split number."""
    path = write(tmp_path, "m.csv", "Key;Name;Close;Prob\nW1;A;28.02.2026;10;extra\n")
    (row,) = list(read_manifest(path))
    assert row.error is not None and "look like one number" not in row.error.reason
    assert "5 cells but the header has 4 columns" in row.error.reason


def test_a_header_with_trailing_delimiters_and_empty_cells_there_reads(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Key,Name,Amount,\nk1,A,5,\nk2,B,6,\n")
    assert [r.values for r in read_manifest(path)] == [
        {"Key": "k1", "Name": "A", "Amount": "5"}, {"Key": "k2", "Name": "B", "Amount": "6"}]


def test_a_number_split_in_every_row_is_no_trailing_delimiter(tmp_path: Path) -> None:
    """v10r10 S1: every row's unquoted `$1,500.00` split in two, its last column (Notes)
    empty: one extra empty cell per row looked like a file-wide trailing delimiter, was
    dropped, and every column after the amount shifted (values 1, 12, 2; organizations
    `500.00`...), exit 0. Now each row fails naming the split; a real trailing delimiter
    with amounts under 1,000 (or quoted ones) is still forgiven."""
    path = write(tmp_path, "m.csv", "Key,Title,Amount,Company,Notes\n"
                 "k1,Deal A,$1,500.00,Acme,\nk2,Deal B,$12,000.00,Globex,\n")
    rows = list(read_manifest(path))
    assert [r.ok for r in rows] == [False, False]
    assert "'$1' and '500.00' look like one number split" in str(rows[0].error)
    comma = write(tmp_path, "c.csv", "Key,Deal,Amount,Probability,Notes\n"
                  "k1,Deal A,1234,50,30,\nk3,Deal C,10,00,20,\n")  # v10r11: decimal commas
    assert [r.ok for r in read_manifest(comma)] == [False, False]
    fine = write(tmp_path, "f.csv", 'Key,Title,Amount,Company,Notes\n'
                 'k1,Deal A,$950.00,Acme,,\nk2,Deal B,"$12,000.00",Globex,,\n')
    assert [r.values["Company"] for r in read_manifest(fine)] == ["Acme", "Globex"]


def test_header_trimmed_and_trailing_delimiter(tmp_path: Path) -> None:
    """Header names are trimmed; a trailing delimiter on the header line is ignored."""
    assert header(write(tmp_path, "m.csv", " a , b ,\n1,2,\n")) == ["a", "b"]


def test_invalid_utf8_with_explicit_utf8_fails_only_its_row(tmp_path: Path) -> None:
    """Read as UTF-8 on request, a row with a bad byte is an error row keeping its cells."""
    path = write(tmp_path, "m.csv", b"a,b\n1,ok\n2,caf\xe9\n3,fine\n")
    rows = list(read_manifest(path, encoding="utf-8"))
    assert [r.ok for r in rows] == [True, False, True]
    assert rows[1].error is not None
    assert "row 3: byte 0xe9 in column 'b' is not valid UTF-8" in str(rows[1].error)
    assert rows[1].values == {"a": "2", "b": "caf\\xe9"}


WIN1252 = "Titel;Betrag;Stufe\r\nMüller GmbH;1.234,50 €;Gewonnen\r\nSchöne Grüße;12,00 €;Offen\r\n"


def test_windows_1252_is_refused_with_the_fix(tmp_path: Path) -> None:
    """A cp1252 file stops before any row, naming the encoding and the option; the option reads it."""
    path = write(tmp_path, "m.csv", WIN1252.encode("cp1252"))
    for call in (lambda: header(path), lambda: list(read_manifest(path)), lambda: count_rows(path)):
        with pytest.raises(InputError, match=r"not UTF-8 \(first bad byte on line 2, byte offset 21: "
                                             r"b'\\xfc'\); it looks like "
                                             r"cp1252.*--encoding cp1252"):
            call()
    rows = list(read_manifest(path, encoding="cp1252"))
    assert [r.values["Titel"] for r in rows] == ["Müller GmbH", "Schöne Grüße"]
    assert rows[0].values["Betrag"] == "1.234,50 €"
    with pytest.raises(InputError, match="unknown encoding"):
        header(path, encoding="klingon")


_WESTERN = ["M\xfcller GmbH", "Sch\xf6ne Gr\xfc\xdfe AG", "Caf\xe9 Cr\xe8me SARL", "\xc5gren AB",
            "Fa\xe7ade S.A.", "K\xf6ln Logistik", "Z\xfcrich Partner", "Espa\xf1a Ventas",
            "\x93Quoted\x94 Ltd", "\x80uro Trade"]


@pytest.mark.parametrize("stray", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
@pytest.mark.parametrize(("seed", "rows"), [(2, 5), (3, 5), (4, 50), (6, 50)])
def test_cp1252_with_an_undefined_byte_is_named_cp1252(tmp_path: Path, stray: bytes,
                                                       seed: int, rows: int) -> None:
    """One byte cp1252 leaves undefined does not send the advice to cp1256/cp1250/mac-*,
    which turn the file's Western letters into other ones (v10r7 M1); following the
    advice reads the text, and the stray byte's row fails alone."""
    import random
    pick = random.Random(seed)
    lines = [f"k{i};Angebot {pick.choice(_WESTERN)};{pick.randint(1, 9)};{pick.choice(_WESTERN)}"
             .encode("latin-1") for i in range(rows)]
    lines.insert(pick.randint(0, rows - 1), b"kx;Odd " + stray + b" byte;1;X")
    path = write(tmp_path, "m.csv", b"Key;Deal;Amount;Company\r\n" + b"\r\n".join(lines)
                 + b"\r\n")
    with pytest.raises(InputError) as info:
        header(path)
    advice = info.value.reason.split("it looks like ", 1)[1]
    assert advice.startswith("cp1252")
    alternatives = advice.split(")", 1)[0]
    # (cp1257, Baltic, may be named beside it with the word it reads otherwise: v10r9 S1)
    assert not any(name in alternatives for name in ("cp1256", "mac-", "cp1251"))
    line = 2 + next(n for n, text in enumerate(lines) if text.startswith(b"kx"))
    assert "cp1252 leaves undefined in the first" in advice
    assert f"(the first {stray!r} on line {line}: a row holding one fails alone" in advice
    read = list(read_manifest(path, encoding="cp1252"))
    assert [r.values["Key"] for r in read if not r.ok] == ["kx"]
    assert all("\ufffd" not in r.values["Deal"] for r in read if r.ok)
    assert {r.values["Company"] for r in read if r.ok} <= {
        w.encode("latin-1").decode("cp1252") for w in _WESTERN}


_POLISH = ("Klucz;Oferta;Firma\r\nk1;Oferta dla Łódź - wdrożenie;Wrocław Sp. z o.o.\r\n"
           "k2;Kraków śląsk;Źródło Żółć\r\nk3;Gdańsk;Przedsiębiorstwo Ślęża\r\n")


@pytest.mark.parametrize(("text", "codec", "advised"), [
    (_POLISH, "cp1250", "cp1250"),  # v10r8 severe 1: advised cp1252, imported as £ódŸ
    ("Titel;Firma\rÜbernahme Größe;Zoë Ärger\rKöln;Straße\r", "mac_roman", "mac-roman"),
    ("Ключ;Сделка\r\nk1;Привет мир;Ромашка и сыновья\r\n", "cp1251", "cp1251"),
    (WIN1252, "cp1252", "cp1252"),
])
def test_the_advised_encoding_reads_the_words_right(tmp_path: Path, text: str, codec: str,
                                                    advised: str) -> None:
    """The encoding a non-UTF-8 file is advised to be read with is the one under which its
    non-ASCII words read as words (v10r8: a Polish cp1250 file and a Mac Excel "CSV
    (Macintosh)" file were advised as cp1252, and following the advice garbled them);
    following the advice reads the text exactly."""
    path = write(tmp_path, "m.csv", text.encode(codec))
    with pytest.raises(InputError) as info:
        header(path)
    assert info.value.reason.split("it looks like ", 1)[1].startswith(advised)
    assert f"--encoding {advised}" in info.value.reason
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
             if line][1:]
    read = [";".join(r.values.values()) for r in read_manifest(path, encoding=advised)]
    assert read == lines


@pytest.mark.parametrize("end", ["\r", "\n", "\r\n"])
def test_the_bad_byte_s_line_counts_every_kind_of_line_end(tmp_path: Path, end: str) -> None:
    """v10r8: a CR-only file (Mac Excel) had its first non-UTF-8 byte reported on line 1."""
    text = end.join(["Titel;Firma", "a;b", "c;d", "Übernahme;x", ""])
    path = write(tmp_path, "m.csv", text.encode("cp1252"))
    with pytest.raises(InputError, match=r"first bad byte on line 4,"):
        header(path)


def test_a_code_page_that_reads_as_well_is_named_with_the_word_it_reads_otherwise(
        tmp_path: Path) -> None:
    """Czech cp1250 reads as plausibly under cp1252 (Černý → Èerný) letter by letter;
    its words are Czech words, so cp1250 is advised, and cp1252 named beside it with the
    first word the two read differently (before the word check: cp1252 first). Names no
    dictionary knows leave the order as it was: cp1252 first, cp1250 beside it."""
    text = "Klíč;Nabídka\r\nk1;Česká nabídka;Černý a syn\r\n"
    path = write(tmp_path, "m.csv", text.encode("cp1250"))
    with pytest.raises(InputError) as info:
        header(path)
    assert "it looks like cp1250 (or cp1252: «Klíč» reads «Klíè»" in info.value.reason
    names = "Kód;Firma\r\nk1;Zbyňkova;Vořechová\r\n"
    path = write(tmp_path, "n.csv", names.encode("cp1250"))
    with pytest.raises(InputError) as info:
        header(path)
    assert "it looks like cp1252 (or cp1250: «Zbyòkova» reads «Zbyňkova»" \
        in info.value.reason, info.value.reason


_NOT_WESTERN = {  # codec: (rows of names, what the advice must say first or name beside it)
    "shift_jis": (["株式会社テスト", "山田太郎", "東京都千代田区", "新規案件", "見積もり"], "cp932"),
    "gbk": (["北京科技有限公司", "张伟", "上海市", "新客户", "合同"], "gb18030"),
    "big5": (["台北科技股份有限公司", "陳大文", "新客戶"], "big5"),
    "euc_kr": (["주식회사 테스트", "김철수", "서울특별시"], "cp949"),
    "koi8_r": (["Общество с ограниченной ответственностью", "Иван Петров", "Москва"], "koi8-r"),  # noqa: RUF001
    "cp1255": (["שלום עולם", "חברה בע״מ", "תל אביב"], "cp1255"),
    "cp1254": (["İstanbul Şirketi", "Çağrı Öztürk", "Ağaç", "Iğdır", "Gümüşhane"], "cp1254"),  # noqa: RUF001
    "iso8859_15": (["Café €5", "Œuvre", "Šárka"], "iso-8859-15"),
    "cp1257": (["Vilnius Įmonė", "Jonas Žukauskas", "Rīga", "Ūdrys", "Šiauliai"], "cp1257"),
}


@pytest.mark.parametrize(("codec", "cells"), [
    ("cp1255", ["עסקה חדשה", "לקוח גדול"]), ("cp1257", ["Kauno šviesa", "Rīgas ūdens"]),
    ("koi8_r", ["Новая сделка", "Большой клиент"]),
    ("cp1254", ["Yeni anlaşma", "Büyük müşteri"]), ("cp1253", ["Νέα συμφωνία", "Μεγάλος πελάτης"]),
    ("cp1257", ["Jaunā līgums", "Liels klients"])])
def test_two_rows_are_advised_by_their_words(tmp_path: Path, codec: str,
                                             cells: list[str]) -> None:
    """v10 known item: two rows of Hebrew were advised as cp1251 (``тсчд``), Baltic as
    cp1252, KOI8-R as Shift-JIS — too little text for letter shapes. The code page whose
    reading is made of its languages' words (wordfreq) is advised first."""
    rows = "".join(f"k{i},{cell}\n" for i, cell in enumerate(cells))
    path = write(tmp_path, "m.csv", ("id,title\n" + rows).encode(codec))
    with pytest.raises(InputError) as info:
        header(path)
    wanted = codecs.lookup(codec).name
    assert info.value.reason.split("it looks like ", 1)[1].startswith(wanted), info.value.reason
    assert [r.values["title"] for r in read_manifest(path, encoding=wanted)] == cells


@pytest.mark.parametrize("codec", sorted(_NOT_WESTERN))
def test_the_advice_for_other_scripts_names_the_code_page_that_reads_them(
        tmp_path: Path, codec: str) -> None:
    """v10r9 S1: Shift-JIS, GBK and EUC-KR files were advised as Mac Roman, Big5 and
    Baltic as cp1252, KOI8-R as cp1251, Hebrew as ISO-8859-5, Latin-9 as ISO-8859-10 —
    and following the advice imported garbled titles with exit 0. The advice names the
    code page that reads the text (first, or beside the first with the word it reads
    otherwise), and reading with it gives the text back."""
    names, wanted = _NOT_WESTERN[codec]
    rows = "".join(f"k{i};{name};100\r\n" for i, name in enumerate(names))
    path = write(tmp_path, "m.csv", ("Key;Title;Amount\r\n" + rows).encode(codec))
    with pytest.raises(InputError) as info:
        header(path)
    advice = info.value.reason.split("it looks like ", 1)[1].split(". Read it", 1)[0]
    first = advice.split(" ", 1)[0]
    assert first == wanted, advice  # before the word check, Baltic and Turkish: beside it
    if first == wanted:
        read = list(read_manifest(path, encoding=first))
        assert [r.values["Title"] for r in read] == names


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_utf8_and_utf16_are_read(tmp_path: Path, codec: str) -> None:
    """UTF-8 with or without BOM and UTF-16 with a BOM (or detected) are read as text."""
    text = WIN1252.replace(";", ",")
    data = text.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = ("\ufeff" + text).encode(codec)
    path = write(tmp_path, "m.csv", data)
    assert [r.values["Titel"] for r in read_manifest(path)] == ["Müller GmbH", "Schöne Grüße"]


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    """The format comes from the suffix (or the caller); a missing file is an InputError."""
    with pytest.raises(InputError, match="cannot tell the format"):
        read_manifest(write(tmp_path, "m.pdf", "a"))
    rows = list(read_manifest(write(tmp_path, "m.data", "a\n1\n"), format="csv"))
    assert rows[0].values == {"a": "1"}
    with pytest.raises(InputError, match="cannot read"):
        list(read_manifest(tmp_path / "missing.csv"))


def test_single_column_file(tmp_path: Path) -> None:
    """A one-column file (no delimiter anywhere) reads as one column."""
    rows = list(read_manifest(write(tmp_path, "m.csv", "email\na@x.io\nb@x.io\n")))
    assert [r.values for r in rows] == [{"email": "a@x.io"}, {"email": "b@x.io"}]


def test_sniff_ignores_delimiters_inside_quotes() -> None:
    """Delimiters inside quoted multi-line cells do not fool the sniffer."""
    sample = 'a;b;c\n"x, y\nz, w";2;3\n"p,q";5;6\n'
    assert sniff_delimiter(sample, complete=True) == ";"


# ---------------------------------------------------------------- JSONL

def test_jsonl_rows_and_errors(tmp_path: Path) -> None:
    """JSONL: blank lines skipped; bad JSON and non-objects are error rows with line numbers."""
    data = (b'\xef\xbb\xbf{"id": 1, "amount": 12.5}\n'
            b"\n"
            b'{"id": 2, "amount":\n'
            b"[1, 2]\n"
            b'{"id": 3, "nested": {"a": [1]}}\r\n'
            b'"text"\n')
    path = write(tmp_path, "m.jsonl", data)
    rows = list(read_manifest(path))
    assert [(r.row, r.line, r.ok) for r in rows] == [
        (1, 1, True), (3, 3, False), (4, 4, False), (5, 5, True), (6, 6, False)]
    assert rows[0].values == {"id": 1, "amount": 12.5}
    assert rows[1].error is not None and rows[1].error.reason.startswith("line 3, column")
    assert "not valid JSON" in rows[1].error.reason
    assert rows[2].error is not None
    assert "expected a JSON object, got an array" in str(rows[2].error)
    assert rows[4].error is not None and "got a string" in rows[4].error.reason
    assert rows[2].values == {"(line)": "[1, 2]"}  # kept as it is for failed.csv
    assert rows[1].values == {"(line)": '{"id": 2, "amount":'}
    assert count_rows(path) == 5
    assert header(path) == ["id", "amount", "nested.a"]  # nested keys as dotted paths


# ---------------------------------------------------------------- round trips, memory

# (a cell a spreadsheet's text prefix starts, ``'=`` or ``="x"``, reads without it:
# ``manifest_csv._unprefixed``, tested on its own; Hypothesis found ``'\t`` read as a tab)
cells = st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                max_size=12).filter(lambda c: not c.startswith(("'", '="')))


def _reads_as_ditto_marks(cell: str, delimiter: str) -> bool:
    """A cell over several lines whose first and last lines hold the delimiter: written
    quoted, its opening and closing quotes read as well as two lone quote cells (a ditto
    mark, ``"``, on two rows), so the reader refuses the lines as ambiguous on purpose
    (x10r4 F2; f38f's run found ``;\\n;`` under ``;``)."""
    lines = cell.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return len(lines) > 1 and delimiter in lines[0] and delimiter in lines[-1]


@settings(max_examples=60)
@given(rows=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", ";", "\t", "|"]), crlf=st.booleans())
def test_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]],
                        delimiter: str, crlf: bool) -> None:
    """Whatever csv.writer writes (any cells, any dialect), the reader reads back — but a
    cell the reader cannot tell from ditto marks (``_reads_as_ditto_marks``: refused, as
    ``test_csv_ditto_marks_or_one_cell_is_refused`` shows)."""
    import csv
    import io

    assume(not any(_reads_as_ditto_marks(c, delimiter) for r in rows for c in r))

    buffer = io.StringIO()
    # Python 3.11's writer leaves a lone CR unquoted under "\n" line ends: quote all then
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n",
                        quoting=csv.QUOTE_MINIMAL if crlf else csv.QUOTE_ALL)
    writer.writerow(["first", "second", "third"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("rt") / "m.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    expected = [dict(zip(["first", "second", "third"], r, strict=True)) for r in rows
                if any(c and not c.isspace() for c in r)]
    got = [r.values for r in read_manifest(path, delimiter=delimiter)]
    assert got == expected


def test_csv_ditto_marks_or_one_cell_is_refused(tmp_path: Path) -> None:
    """The bytes csv.writer makes of the cell ``;\\n;`` under ``;`` are also two rows
    whose middle cell is a ditto mark (``"``): neither reading is taken, both lines fail
    naming the quote (Hypothesis found it in the round trip, f38f)."""
    path = write(tmp_path, "m.csv", b'"first";"second";"third"\n"";";\n;";""\n')
    rows = list(read_manifest(path, delimiter=";"))
    assert [(r.line, r.ok) for r in rows] == [(2, False), (3, False)]
    assert all(r.error is not None and "each of those lines alone is a whole row"
               in r.error.reason for r in rows)


def test_memory_stays_flat(tmp_path: Path) -> None:
    """Reading 200,000 rows keeps live allocations flat (no growth with the file).

    tracemalloc makes each allocation ~8x slower, so the peak is measured with
    it over the first 10,000 rows, and flatness over all 200,000 with the
    interpreter's live block count (cheap), sampled every 10,000 rows.
    """
    import tracemalloc

    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write("id,Deal Name,Amount,Email,Close Date\r\n")
        f.writelines(f'{i},"Deal {i}","$1,{i % 1000:03d}.50",p{i}@example.com,01/02/2024\r\n'
                     for i in range(200_000))
    tracemalloc.start()
    try:
        rows = read_manifest(path)
        for _, _row in zip(range(10_000), rows, strict=False):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    baseline = sys.getallocatedblocks()
    highest = 0
    for row in rows:
        if row.row % 10_000 == 0:
            highest = max(highest, sys.getallocatedblocks() - baseline)
    assert row.row == 200_001  # the header is line 1
    assert highest < 20_000, f"{highest} blocks more than at row 10,000"
    # no wall-clock bound: speed is the benchmarks' (make bench); under load (CI beside
    # other runs) "< 10 s" failed a correct reader


def test_count_rows_matches_reader(tmp_path: Path) -> None:
    """count_rows agrees with the reader, error rows included."""
    text = 'a,b\n1,2\n"x\ny",3\n\n4,5,6\n7,8\n'
    path = write(tmp_path, "m.csv", text)
    assert count_rows(path) == len(list(read_manifest(path))) == 4


def test_bytes_undefined_in_the_chosen_encoding_fail_their_row(tmp_path: Path) -> None:
    """0x81 has no character in cp1252: that row fails naming cp1252; its cells are kept."""
    path = write(tmp_path, "m.csv", b"a,b\n1,M\xfcller\n2,x\x81y\n")
    rows = list(read_manifest(path, encoding="cp1252"))
    assert rows[0].values == {"a": "1", "b": "Müller"}
    assert rows[1].error is not None and "byte 0x81 in column 'b' is not valid cp1252" in rows[1].error.reason
    assert rows[1].values == {"a": "2", "b": "x\\x81y"}


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_excel_sep_hint_line_names_the_delimiter(tmp_path: Path, delimiter: str,
                                                 bom: bytes) -> None:
    """Excel's "sep=;" first line is not the header: it names the delimiter; Excel does not
    show it, so the header is row 1 (line 2 of the file)."""
    d = delimiter
    text = f"sep={d}\r\nkey{d}title{d}amount\r\nk1{d}Alpha Beta{d}15\r\nk2{d}Gamma{d}2\r\n"
    path = tmp_path / "m.csv"
    path.write_bytes(bom + text.encode())
    assert header(path) == ["key", "title", "amount"]
    rows = list(read_manifest(path))
    assert [(r.row, r.line, r.ok) for r in rows] == [(2, 3, True), (3, 4, True)]
    assert rows[0].values == {"key": "k1", "title": "Alpha Beta", "amount": "15"}
    assert count_rows(path) == 2


@pytest.mark.parametrize(("data", "declared", "expected"), [
    ("key,title\r\nk1,Café Crème\r\n".encode(), "cp1252", "Café Crème"),  # failed.csv
    (b"\xef\xbb\xbf" + "key,title\r\nk1,Café\r\n".encode(), "latin-1", "Café"),
    ("key,title\r\nk1,Café\r\n".encode("utf-16"), "cp1252", "Café"),
    ("key,title\r\nk1,Café\r\n".encode("cp1252"), "cp1252", "Café"),
    ("key,title\r\nk1,Cafe\r\nk2,Café\r\n".encode("cp1252"), "cp1252", "Cafe"),
])
def test_a_file_that_shows_it_is_unicode_wins_over_a_declared_code_page(
        tmp_path: Path, data: bytes, declared: str, expected: str) -> None:
    """A declared single-byte encoding (a mapping's [defaults] encoding) does not turn a
    UTF-8 or UTF-16 file (a re-imported failed.csv) into mojibake; a real cp1252 file is
    still read as declared."""
    path = write(tmp_path, "m.csv", data)
    rows = list(read_manifest(path, encoding=declared))
    assert rows[0].values["title"] == expected and all(r.ok for r in rows)
    if len(rows) > 1:
        assert rows[1].values["title"] == "Café"


# ---------------------------------------------------------------- encodings (issue 10 findings)

def test_a_bad_byte_past_any_sample_is_found_and_named(tmp_path: Path) -> None:
    """The first non-UTF-8 byte 5 MiB in: detection said "ascii" (the detector saw only the
    sample) or let the row be read wrong. The whole file is checked; the message names
    the byte's offset and line and the likely encoding from the text around it."""
    body = b"".join(b"k%d,plain ascii title %d\r\n" % (n, n) for n in range(200_000))
    tail = "k-last,Müller Grüße Straße\r\n".encode("cp1252")
    path = write(tmp_path, "m.csv", b"key,title\r\n" + body + tail)
    offset = len(b"key,title\r\n" + body) + len("k-last,M")
    assert offset > 4 * 2**20
    with pytest.raises(InputError) as info:
        header(path)
    message = str(info.value)
    assert f"byte offset {offset}: b'\\xfc'" in message and "line 200002" in message
    assert "--encoding cp1252" in message and "ascii" not in message
    rows = list(read_manifest(path, encoding="cp1252"))
    assert rows[-1].values["title"] == "Müller Grüße Straße"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_read_as_utf16(tmp_path: Path, codec: str) -> None:
    """UTF-16 without a BOM was read as UTF-8 (ASCII in UTF-16 is valid UTF-8 with NULs),
    and init-mapping wrote NUL characters into the mapping."""
    ascii_only = write(tmp_path, "a.csv", "key,title\r\nk1,Plain\r\n".encode(codec))
    assert header(ascii_only) == ["key", "title"]
    assert [r.values for r in read_manifest(ascii_only)] == [{"key": "k1", "title": "Plain"}]
    path = write(tmp_path, "m.csv", WIN1252.replace(";", ",").encode(codec))
    assert header(path) == ["Titel", "Betrag", "Stufe"]
    assert [r.values["Titel"] for r in read_manifest(path)] == ["Müller GmbH", "Schöne Grüße"]
    jsonl = write(tmp_path, "m.jsonl", '{"a": "Grüße"}\n{"a": "x"}\n'.encode(codec))
    assert [r.values["a"] for r in read_manifest(jsonl)] == ["Grüße", "x"]


def test_a_nul_byte_is_refused_naming_where(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", b"key,title\r\nk1,ok\r\nk2,bro\x00ken\r\n")
    with pytest.raises(InputError, match=r"NUL byte\(s\) \(the first on line 3, byte offset "
                                         r"24\).*--encoding utf-8"):
        header(path)
    path = write(tmp_path, "b.csv", b"\x00\x01\x02\x03binary\x00\xff\x00")
    with pytest.raises(InputError, match="NUL byte on line 1"):
        list(read_manifest(path))


@pytest.mark.parametrize(("name", "data"), [("e.jsonl", b""), ("w.jsonl", b"\n  \n"),
                                            ("e.json", b"[]")])
def test_an_empty_json_file_says_so(tmp_path: Path, name: str, data: bytes) -> None:
    """An empty .jsonl said "no column 'X'" when its mapping was checked."""
    with pytest.raises(InputError, match="has no records"):
        header(write(tmp_path, name, data))


def test_a_json_file_of_only_bad_records_says_why(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no readable record among its first 2 .*line 1"):
        header(write(tmp_path, "b.jsonl", b"{not json\n[1]\n"))


@pytest.mark.parametrize(("data", "where"), [
    ("key,title\r\nk1,ok\r\n".encode("utf-16") + b"\x41", "byte offset 38 .line 3: truncated"),
    ("key,title\r\nk1,".encode("utf-16") + b"\x00\xd8a\x00\r\x00\n\x00", "byte offset 30 .line 2: illegal"),
])
def test_a_utf16_file_that_does_not_decode_is_refused_naming_where(
        tmp_path: Path, data: bytes, where: str) -> None:
    """A truncated UTF-16 file or a lone surrogate stopped the reader with a traceback."""
    path = write(tmp_path, "m.csv", data)
    for call in (lambda: header(path), lambda: list(read_manifest(path)),
                 lambda: header(path, encoding="utf-16")):
        with pytest.raises(InputError, match=f"not valid utf-16 at {where}.*--encoding"):
            call()


# ---------------------------------------------------------------- a UTF-8 file with a stray byte

def _utf8_with_a_stray_cp1252_row(tmp_path: Path) -> Path:
    body = "".join(f"{n},Müller {n},Grüße\r\n" for n in range(1, 3000)).encode()
    return write(tmp_path, "m.csv", b"key,title,city\r\n" + body
                 + "3000,Café,Köln\r\n".encode("cp1252"))


def test_a_utf8_file_with_a_stray_byte_is_never_told_to_read_as_cp1252(tmp_path: Path) -> None:
    """2,999 UTF-8 rows then one cp1252 row: the hint said "--encoding cp1252", which read
    all 3,000 rows as mojibake (MÃ¼ller) — before a code page was read line by line. Now
    the advice is one checked on the file (x25r2 F3): --encoding cp1252 reads every line
    in its own encoding, all 3,000 right ("--encoding utf-8", advised since, failed the
    cp1252 row). A line mixing both, which no reading reads right, still gets
    --encoding utf-8 (that row fails alone)."""
    path = _utf8_with_a_stray_cp1252_row(tmp_path)
    with pytest.raises(InputError) as info:
        header(path)
    message = str(info.value)
    assert "is UTF-8 except for 1 line(s) in cp1252 (the first is line 3001" in message
    assert "'Café'" in message and "--encoding cp1252" in message
    assert "--encoding utf-8" not in message
    rows = list(read_manifest(path, encoding="cp1252"))
    assert len(rows) == 3000 and all(r.ok for r in rows)
    assert (rows[0].values["title"], rows[-1].values["city"]) == ("Müller 1", "Köln")
    mixed = write(tmp_path, "mixed.csv", path.read_bytes() + "3001,Grüße ".encode()
                  + "Köln\r\n".encode("cp1252"))
    with pytest.raises(InputError) as info:
        header(mixed)
    message = str(info.value)
    assert "is UTF-8 except for 3 byte(s)" in message and "line 3001" in message
    assert "--encoding utf-8" in message and "--encoding cp1252" not in message
    rows = list(read_manifest(mixed, encoding="utf-8"))
    assert len(rows) == 3001 and all(r.ok for r in rows[:-2]) and not rows[-1].ok
    assert rows[0].values["title"] == "Müller 1"


def test_a_stray_nul_in_an_ascii_file_is_advised_utf8_which_reads_it(tmp_path: Path) -> None:
    """x25r2 F3: 2,000 ASCII rows with one NUL on line 1501 were refused "--encoding NAME,
    e.g. --encoding utf-16-le", which failed; --encoding utf-8 reads them (that row fails
    alone), and is what the refusal says now. A file that is not UTF-8 besides is told
    no utf-16 it was not checked against."""
    body = b"".join(b"r%d,Deal %d,%d\r\n" % (n, n, n) for n in range(1, 2001))
    body = body.replace(b"Deal 1500,", b"Deal\x00 1500,")
    path = write(tmp_path, "nul.csv", b"id,title,amount\r\n" + body)
    with pytest.raises(InputError) as info:
        header(path)
    message = str(info.value)
    assert "has 1 NUL byte(s) (the first on line 1501" in message
    assert "--encoding utf-8" in message and "utf-16-le" not in message
    rows = list(read_manifest(path, encoding="utf-8"))
    assert len(rows) == 2000 and all(r.ok for r in rows)  # the mapping fails U+0000
    assert [(r.row, r.values["title"]) for r in rows if "\x00" in r.values["title"]] == [
        (1501, "Deal\x00 1500")]
    binary = write(tmp_path, "b.bin.csv", b"a,b\n\x00\x01\xff\xfe\n")
    with pytest.raises(InputError) as info:
        header(binary)
    assert "utf-16-le" not in str(info.value) and "--encoding utf-8" not in str(info.value)


@pytest.mark.parametrize("declared", ["cp1252", "latin-1"])
def test_a_declared_code_page_never_garbles_a_utf8_file_with_a_stray_byte(
        tmp_path: Path, declared: str) -> None:
    """--encoding cp1252 on a UTF-8 file with one stray byte imported every row as
    mojibake, exit 0. Each line is read in its own encoding now: the UTF-8 rows as UTF-8,
    the code page's row as the code page."""
    path = _utf8_with_a_stray_cp1252_row(tmp_path)
    rows = list(read_manifest(path, encoding=declared))
    assert len(rows) == 3000 and all(r.ok for r in rows)
    assert rows[0].values["title"] == "Müller 1"
    assert "Ã" not in "".join(str(r.values) for r in rows)
    assert rows[-1].values == {"key": "3000", "title": "Café", "city": "Köln"}


def test_a_filled_extra_cell_in_a_reimported_failed_csv_fails_its_row(tmp_path: Path) -> None:
    """A leftover non-empty "(extra 1)" cell was silently ignored on re-import (the cell
    the source row had past its header would be lost). Filled: the row fails; empty: read."""
    path = write(tmp_path, "failed.csv",
                 "row,key,reason,status,column,hold,id,title,(extra 1)\r\n"
                 "1,k1,x,,,,k1,Alpha,EXTRA\r\n"
                 "2,k2,x,,,,k2,Beta,\r\n")
    rows = list(read_manifest(path))
    assert [r.ok for r in rows] == [False, True]
    assert rows[0].error is not None and "'(extra 1)' is still filled" in rows[0].error.reason


def test_the_advice_never_shows_an_empty_word(tmp_path: Path) -> None:
    """v10r10: a cp1252 en dash, which ISO-8859-15 reads as an invisible control
    character, was named as «–» reads «»."""  # noqa: RUF002
    path = write(tmp_path, "m.csv", "Key,Title\r\nk1,Café \u2013 Crème\r\n".encode("cp1252"))
    with pytest.raises(InputError) as info:
        header(path)
    assert "«»" not in info.value.reason and "it looks like cp1252" in info.value.reason


def test_a_repeated_header_line_fails_and_a_reordered_one_fails_what_follows(
        tmp_path: Path) -> None:
    """v10r16 B: two exports joined into one file. The second header (a BOM before it, its
    columns in another order) was imported as a deal titled "Company", and the rows after
    it with title and organization swapped, exit 0."""
    joined = write(tmp_path, "b1.csv", b"Key,Name,Company\nc1,Deal One,Acme\n"
                   + "\ufeffKey,Company,Name\nc3,Initech,Deal Three\n".encode())
    rows = list(read_manifest(joined))
    assert [r.ok for r in rows] == [True, False, False]
    assert "row 3 repeats the header in another order" in str(rows[1].error)
    assert "under the header on row 3" in str(rows[2].error)
    same = write(tmp_path, "b2.csv", "Key,Name,Company\nc1,One,Acme\nkey, name ,COMPANY\n"
                 "c3,Three,Initech\n")
    assert [r.ok for r in read_manifest(same)] == [True, False, True]
    import openpyxl

    book = openpyxl.Workbook()
    for line in (["Key", "Name"], ["c1", "One"], ["Key", "Name"], ["c2", "Two"]):
        book.active.append(line)
    book.save(tmp_path / "b3.xlsx")
    assert [r.ok for r in read_manifest(tmp_path / "b3.xlsx")] == [True, False, True]
    one = write(tmp_path, "one.csv", "Name\nName\nx\n")  # one column: a value may be its name
    assert all(r.ok for r in read_manifest(one))


@pytest.mark.parametrize("second", [
    "Record ID,Deal name (new),Company name,Amount",  # two columns renamed
    "Record ID,Deal Name,Company Name,Amount",  # one renamed
    "record id,DEAL NAME,Associated Company,Amount",  # renamed, another case
    "Deal Name,Record ID,Amount,Owner",  # reordered, one new
])
def test_a_header_line_of_another_export_fails_with_the_rows_after_it(
        tmp_path: Path, second: str) -> None:
    """v10r25 F1: two exports joined, the second with a column renamed: its header line was
    imported as a deal keyed "Record ID" (an organization "Company name" created) and the
    rows after it read under the first header's names. The header-like line fails, naming
    the columns it does not share, and so does every row after it."""
    path = write(tmp_path, "j.csv", "Record ID,Deal Name,Company,Amount\n501,First,Acme,10\n"
                 f"{second}\n503,Third,Initech,30\n504,Fourth,Umbrella,40\n")
    rows = list(read_manifest(path))
    assert [r.ok for r in rows] == [True, False, False, False]
    assert "row 3 looks like another header line" in str(rows[1].error)
    assert rows[1].error is not None and rows[1].error.row == 3
    assert all("under the header on row 3" in str(r.error) for r in rows[2:])


def test_a_row_with_one_or_a_few_header_names_is_data(tmp_path: Path) -> None:
    """A column's own name in a cell now and then is data: a stage called "Stage", an
    owner called "Owner" (under half of the header's names in one record)."""
    path = write(tmp_path, "d.csv", "Key,Title,Stage,Owner,Amount\nk1,Title,Won,Ann,1\n"
                 "k2,Deal,Stage,Owner,2\nk3,Deal,Won,Ann,3\n")
    assert all(r.ok for r in read_manifest(path))


@pytest.mark.parametrize(("cell", "value"), [
    ('="00123"', "00123"), ('"=""00123"""', "00123"), ('="Eq deal"', "Eq deal"),
    ('"=""say """"hi"""""""', 'say "hi"'), ('=""', ""),
    ("'=\"00123\"", '="00123"'),  # a failed.csv's guard: the text as written
    ('=A1', "=A1"), ('="a"&B2', '="a"&B2'),  # a formula that is not just a text
])
def test_excels_text_wrapper_is_the_text_inside(tmp_path: Path, cell: str, value: str) -> None:
    """v10r25 F2: ``="00123"`` (how exports keep an id's leading zeros in Excel) was kept
    literally, so the key differed from a later export's ``00123``: two deals of one
    record. It is the text inside, ``""`` read as ``"``."""
    path = write(tmp_path, "w.csv", f"Key,Title\n{cell},T\n")
    (row,) = read_manifest(path)
    assert row.ok and row.values["Key"] == value


def test_the_first_character_filter_never_passes_over_a_header_name() -> None:
    """issue 8: ``_may_be_header`` passes over a cell by its first character alone; for
    names and cells in any case, with spaces, a BOM, letters whose case folding changes
    them (ß, the Kelvin sign, the long s) and punctuation, its verdict is the full reading's,
    with the texts it read before remembered too."""
    import random

    from bulk.manifest import _header_text, _may_be_header, _not_first

    rnd = random.Random(8)
    alphabet = "abcKsSß\u017f\u212aÉé1_ #(-\ufeff"
    for _ in range(300):
        read: set[str] = set()  # the texts read as no name, in this "file" (with a cache)
        names = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 4)))
                 for _ in range(4)]
        known = frozenset(_header_text(n) for n in names)
        skip = _not_first(known)
        for _ in range(40):
            cell = rnd.choice([*names, "".join(rnd.choice(alphabet) for _ in range(3))])
            cell = rnd.choice([cell, cell.upper(), cell.lower(), cell.title(), f" {cell}",
                               f"\ufeff{cell}", cell.casefold()])
            values = {"a": cell}
            assert _may_be_header(values, known, ["a"], skip) \
                == _may_be_header(values, known, ["a"]), (names, cell)
            assert _may_be_header(values, known, ["a"], skip, read) \
                == _may_be_header(values, known, ["a"]), (names, cell)


def test_a_repeated_cell_is_read_once_for_the_header_check() -> None:
    """issue 8: a cell text ``_may_be_header`` read as no header name is not read again
    (a column repeats its values: stages, currencies, owners); a name is still found."""
    from bulk.manifest import _header_text, _may_be_header, _not_first

    reads = [0]

    class Cell(str):
        def strip(self, chars: str | None = None) -> str:
            reads[0] += 1
            return str(self).strip(chars)

    known = frozenset(_header_text(n) for n in ["Deal Stage", "Close Date", "Amount"])
    skip, read = _not_first(known), set()
    for _ in range(50):
        assert not _may_be_header({"s": Cell("closedwon"), "a": "5"}, known, ["s", "a"],
                                  skip, read)
    assert reads[0] == 1
    assert _may_be_header({"s": Cell(" deal stage"), "a": "5"}, known, ["s", "a"], skip, read)


@pytest.mark.parametrize(("text", "said"), [
    ('{"Source ID":"JD3","Amount":3,"Source ID":"JD999"}', "'Source ID'"),
    ('{"id":1,"Amount":2,"Amount":2000000}', "'Amount'"),
    ('{"id":1,"p":{"x":[{"q":1, "q" :2.5}]}}', "'p.x[0].q'"),
])
def test_a_json_record_naming_a_key_twice_fails_its_row(tmp_path: Path, text: str,
                                                         said: str) -> None:
    """A key written twice in a JSON object fails its row, naming the key (x19r1 F2: the
    last value was taken silently, the source key included); a ``":`` in a value is no key."""
    good = '{"id":2,"note":"a \\":b","n":{"m":"\\":"}}'
    (tmp_path / "m.jsonl").write_text(f"{text}\n{good}\n", encoding="utf-8")
    (tmp_path / "m.json").write_text(f"[{text},\n{good}]", encoding="utf-8")
    for name in ("m.jsonl", "m.json"):
        rows = list(read_manifest(tmp_path / name))
        assert rows[0].error is not None and rows[0].error.row == 1
        assert f"record names {said} twice" in str(rows[0].error)
        assert rows[1].error is None and rows[1].values["note"] == 'a ":b'


@pytest.mark.parametrize(("depth", "names"), [(900, ("m.jsonl",)),
                                               (1500, ("m.jsonl",)),
                                               (100_000, ("m.jsonl",))])
def test_a_record_nested_too_deeply_fails_its_row(tmp_path: Path, depth: int,
                                                  names: tuple[str, ...]) -> None:
    """x19r1 F6: a cell of 100,000 nested arrays ended the job "unexpected RecursionError";
    now its row fails "nested too deeply" and the next rows are read. (A .json array nested
    past 64 levels is refused whole before ijson reads it: tests/test_json_depth.py.)"""
    deep = "[" * depth + "]" * depth
    (tmp_path / "m.jsonl").write_text(f'{{"id":1,"a":{deep}}}\n{{"id":2}}\n', encoding="utf-8")
    (tmp_path / "m.json").write_text(f'[{{"id":1,"a":{deep}}},\n{{"id":2}}]', encoding="utf-8")
    for name in names:
        rows = list(read_manifest(tmp_path / name))
        if rows[0].error is None:  # shallow enough to read: it is read whole
            assert depth < 1000
            continue
        assert rows[0].error.row == 1 and "nested too deeply" in str(rows[0].error)
        assert rows[1].error is None and rows[1].values["id"] == 2
