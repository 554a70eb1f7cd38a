"""A report's title lines above a CSV's header, with a data row's quoted cell spanning
lines (CRLF or LF, in a CRLF or LF file) anywhere: the header is found and every row is
read whole, as without the title lines (x18r2 2)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bulk.manifest import header, header_note, read_manifest

NAMES = ["Opportunity ID", "Opportunity Name", "Notes"]
TITLES = {
    "none": [],
    "one": ['"Opportunity Report"'],
    "report": ['"Opportunity Report"', '"Filtered By:"', '"  Stage equals Won"', ""],
}


def _cell(text: str, sep: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in f'"{sep}\r\n') \
        else text


def _file(path: Path, titles: list[str], sep: str, eol: str, inner: str,
          spans: tuple[int, ...], rows: int) -> list[tuple[int, dict[str, str]]]:
    """Write the file; return the (line, values) each data row must read as."""
    lines = [*titles, sep.join(NAMES)]
    expected: list[tuple[int, dict[str, str]]] = []
    number = len(lines) + 1
    body: list[str] = []
    for i in range(1, rows + 1):
        notes = f"line a{inner}  line b, {i}" if i in spans else f"x{i}"
        values = {"Opportunity ID": f"SF-{i}", "Opportunity Name": f"Deal {i}",
                  "Notes": notes}
        body.append(sep.join(_cell(values[n], sep) for n in NAMES))
        expected.append((number, values))
        number += 1 + notes.count("\n")
    path.write_bytes(eol.join([*lines, *body, ""]).encode())
    return expected


@pytest.mark.parametrize(("title", "sep", "eol", "inner"), [
    (t, s, e, i) for t, s, (e, i) in itertools.product(
        TITLES, [",", ";", "\t"], [("\r\n", "\r\n"), ("\r\n", "\n"), ("\n", "\n")])])
def test_a_multi_line_cell_near_the_top_leaves_the_header_and_rows_whole(
        tmp_path: Path, title: str, sep: str, eol: str, inner: str) -> None:
    """x18r2 2: with a title line above the header, a multi-line cell in the first data
    rows made the file one column named after the title ("no such column"), or failed its
    row and the line after it ("each of those lines alone is a whole row")."""
    # (a ";" or tab file needs as many rows as title lines above it: sniff_delimiter)
    for spans, rows in [((1,), 2 if title != "report" else 4), ((1,), 30), ((2,), 4),
                        ((20,), 30), ((1, 2, 3), 4), ((1, 19, 20, 21), 40), ((100,), 120)]:
        path = tmp_path / "r.csv"
        expected = _file(path, TITLES[title], sep, eol, inner, spans, rows)
        assert header(path) == NAMES, (spans, rows)
        read = list(read_manifest(path))
        assert [(r.line, r.error) for r in read if r.error] == [], (spans, rows)
        assert [(r.line, r.values) for r in read] == expected, (spans, rows)
        note = header_note(path) or ""
        assert (f"the header is row {len(TITLES[title]) + 1}" in note) is bool(title != "none")


def test_the_testers_files_read_whole(tmp_path: Path) -> None:
    """x18r2 2's two files: a CRLF title line and a CRLF (tiny2) or LF (ml_1) line break
    inside a quoted cell of the first data row."""
    tiny2 = tmp_path / "tiny2.csv"
    tiny2.write_bytes(b'"Opportunity Report"\r\nOpportunity ID,Opportunity Name,Notes\r\n'
                      b'SF-1,Deal one,"line a\r\nline b"\r\nSF-2,Deal two,x\r\n')
    ml_1 = tmp_path / "ml_1.csv"
    ml_1.write_bytes(b'"Opportunity Report"\r\nOpportunity ID,Opportunity Name,Notes\r\n'
                     b'ML1-1,Deal 1,"line a\nline b"\r\n'
                     + b"".join(b"ML1-%d,Deal %d,x\r\n" % (i, i) for i in range(2, 30)))
    for path, first in [(tiny2, "line a\r\nline b"), (ml_1, "line a\nline b")]:
        assert header(path) == NAMES
        read = list(read_manifest(path))
        assert [r.error for r in read if r.error] == []
        assert (read[0].line, read[0].values["Notes"]) == (3, first)
        assert len(read) == (2 if path is tiny2 else 29)


def test_header_row_counts_lines_as_the_reader_does(tmp_path: Path) -> None:
    """The delimiter under ``header_row`` is sniffed from that physical line on, lines
    counted at CR / LF as the reader counts them (a U+2028 in a title line above it is
    text, not a line end: it shifted the sample by a line, and "," was sniffed)."""
    path = tmp_path / "r.csv"
    path.write_text("Title\u2028a,b,c\nid;title\nk1;A, Inc\nk2;B\n", encoding="utf-8")
    assert header(path, header_row=2) == ["id", "title"]
    assert [r.values for r in read_manifest(path, header_row=2)] == [
        {"id": "k1", "title": "A, Inc"}, {"id": "k2", "title": "B"}]
