"""A file in a single-byte code page with some rows pasted in UTF-8 (v10r13 M2: read as
cp1252, ``Müller`` became ``MÃ¼ller`` with exit 0): each line is read in its own encoding,
the plan says how many lines were UTF-8, and the advice for an undeclared file says so."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest

from bulk.errors import InputError
from bulk.manifest import header_note, read_manifest
from bulk.manifest_encoding import single_byte, utf8_lines

WORDS = ["Müller", "Café Crème", "Straße", "Ærø", "Łódź", "naïve", "“quoted”", "Señor",
         "plain", "1.234,50 €", "Zürich \u2013 Genève", "Ÿves"]


def _rows(seed: int, n: int) -> list[tuple[str, str, str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 4)))
        if rnd.random() < 0.1:
            title += "\nsecond line"  # a quoted cell across lines
        out.append((f"k{i}", title, rnd.choice(["utf-8", "cp1252", "cp1252", "cp1252"])))
    return out


def _write_csv(path: Path, rows: list[tuple[str, str, str]], end: str) -> None:
    with path.open("wb") as f:
        f.write(f"key,title{end}".encode())
        for key, title, enc in rows:
            title = title.replace("\n", end)
            try:
                f.write(f'{key},"{title}"{end}'.encode(enc))
            except UnicodeEncodeError:  # Łódź has no cp1252 form: that row is UTF-8
                f.write(f'{key},"{title}"{end}'.encode())


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("seed", [1, 2])
def test_each_line_is_read_in_its_own_encoding(tmp_path: Path, end: str, seed: int) -> None:
    """Over 64 KiB (so lines and CR LF pairs cross the reader's chunks), every row's title
    reads exactly as written, whichever encoding its line was written in."""
    rows = _rows(seed, 3000)
    path = tmp_path / "mixed.csv"
    _write_csv(path, rows, end)
    assert path.stat().st_size > 64 * 1024
    read = [r for r in read_manifest(path, encoding="cp1252")]
    assert [r.error for r in read if r.error] == []
    assert [(r.values["key"], r.values["title"].replace("\r\n", "\n").replace("\r", "\n"))
            for r in read] == [(k, t) for k, t, _ in rows]


def test_the_plan_note_counts_the_utf8_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"key,title\r\n" + "a,Müller\r\n".encode("cp1252")
                     + "b,Müller\r\n".encode() + "c,Grüße\r\n".encode())
    assert utf8_lines(path, "cp1252") == (2, 3)
    note = header_note(path, encoding="cp1252")
    assert note is not None and "2 line(s)" in note and "line 3" in note
    assert header_note(path, encoding="utf-8") is None or "UTF-8 (the first" not in str(
        header_note(path, encoding="utf-8"))


def test_a_byte_the_code_page_leaves_undefined_still_fails_its_row(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"key,title\n" + "a,M\xfcller\n".encode("latin-1") + b"b,x\x81y\n"
                     + "c,Straße\n".encode())
    rows = list(read_manifest(path, encoding="cp1252"))
    assert [r.values["title"] for r in rows if r.error is None] == ["Müller", "Straße"]
    assert [r.row for r in rows if r.error is not None] == [3]


def test_the_advice_for_an_undeclared_file_names_its_utf8_lines(tmp_path: Path) -> None:
    """The advice counts the UTF-8 lines, and the bytes cp1252 leaves undefined only on the
    lines it will read (``”`` in UTF-8 ends in 0x9D, undefined in cp1252: it was counted)."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"key,title\n" + "a,Müller Crème\n".encode("cp1252") * 5
                     + "b,“Grüße”\n".encode())
    with pytest.raises(InputError) as caught:
        list(read_manifest(path))
    text = str(caught.value)
    assert "--encoding cp1252" in text
    assert "1 line(s) in that part are UTF-8 (the first is line 7)" in text
    assert "undefined" not in text


def test_jsonl_lines_are_read_in_their_own_encoding(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(orjson.dumps({"id": "1", "t": "Grüße"}).decode().encode("cp1252") + b"\n"
                     + orjson.dumps({"id": "2", "t": "Grüße"}) + b"\n")
    rows = list(read_manifest(path, encoding="cp1252"))
    assert [r.values["t"] for r in rows] == ["Grüße", "Grüße"]


def test_multi_byte_code_pages_are_read_whole() -> None:
    """GBK, Shift-JIS and Big5 lines can be valid UTF-8 by design: never split by line."""
    assert single_byte("cp1252") and single_byte("latin-1") and single_byte("mac-roman")
    assert not any(single_byte(e) for e in ("gbk", "shift_jis", "big5", "utf-8", "utf-16"))


def test_a_line_mixing_both_fails_alone_never_half_garbled(tmp_path: Path) -> None:
    """One line with a UTF-8 ``ü`` and a cp1252 ``ü``: no reading of it is right, so its row
    fails (failed.csv shows the UTF-8 text and the bad byte as \\xNN); the others are read."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"key,a,b\n" + "k1,Müller,".encode() + "Müller\n".encode("cp1252")
                     + "k2,Grüße,x\n".encode("cp1252") + "k3,Grüße,y\n".encode())
    rows = list(read_manifest(path, encoding="cp1252"))
    assert [r.values["a"] for r in rows if r.error is None] == ["Grüße", "Grüße"]
    bad = [r for r in rows if r.error is not None]
    assert [r.row for r in bad] == [2]
    assert "mixing cp1252 and UTF-8" in str(bad[0].error)
    assert "MÃ" not in str(bad[0].values)


def test_encoding_utf8_on_a_file_with_a_bom_drops_the_bom(tmp_path: Path) -> None:
    """v10r24: a BOM file with one stray byte is refused naming ``--encoding utf-8``; with
    it, the first header name kept the BOM ('\\ufeffKey') and the mapping's 'Key' was "no
    such column". The BOM is dropped; the bad row fails alone."""
    from bulk.manifest import header

    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfKey,Title\nB-01,M\xc3\xbcller\nB-02,bad \xff byte\n")
    assert header(path, encoding="utf-8") == ["Key", "Title"]
    rows = list(read_manifest(path, encoding="utf-8"))
    assert [r.ok for r in rows] == [True, False] and rows[0].values["Key"] == "B-01"
