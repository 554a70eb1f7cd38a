"""The advice for a CSV that is not UTF-8, on a labelled set: short files (2-4 rows) of
real words of each code page's languages (wordfreq's own lists), written in that code
page. Before the word check (bulk.encoding_advice._by_words) the advice was right for
2/40 Central European, 0/40 Baltic, 3/40 Turkish, 0/40 Hebrew, 33/40 Greek files."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest_encoding import detect_encoding

LANGUAGES = {"cp1252": ["de", "fr", "es", "pt", "sv", "da", "nb", "fi", "it", "nl", "ca", "is"],
             "cp1250": ["pl", "cs", "sk", "hu", "sl", "ro"], "cp1257": ["lt", "lv"],
             "cp1254": ["tr"], "cp1251": ["ru", "uk", "bg"], "cp1253": ["el"],
             "cp1255": ["he"]}
RIGHT = {"cp1252": {"cp1252", "iso-8859-15", "latin-1"}}


def _words(codec: str, language: str) -> list[str]:
    # imported here, not at the top: wordfreq (+ ftfy, langcodes, regex) is ~0.3 CPU s
    # that every xdist worker paid collecting this file (issue 8); the product imports it
    # lazily too (bulk.encoding_advice)
    from wordfreq import top_n_list

    out = []
    for word in top_n_list(language, 3000):
        if len(word) >= 3 and word.isalpha() and not word.isascii():
            try:
                word.encode(codec)
            except UnicodeEncodeError:
                continue
            out.append(word)
    return out


@pytest.mark.parametrize("codec", sorted(LANGUAGES))
def test_short_files_of_real_words_are_advised_their_code_page(tmp_path: Path,
                                                                codec: str) -> None:
    pick = random.Random(codec)
    pools = {lang: _words(codec, lang) for lang in LANGUAGES[codec]}
    wrong = []
    for n in range(12):
        language = pick.choice(LANGUAGES[codec])
        rows = [f"k{i},{pick.choice(pools[language]).capitalize()} "
                f"{pick.choice(['Deal', 'Projekt', 'GmbH', 'SA', '2025'])}"
                for i in range(pick.randint(2, 4))]
        path = tmp_path / f"f{n}.csv"
        path.write_bytes(("id,title\n" + "\n".join(rows) + "\n").encode(codec))
        try:
            advised = detect_encoding(path)
        except InputError as exc:
            found = re.search(r"--encoding (\S+)", exc.reason)
            advised = found.group(1) if found else "?"
        if advised not in RIGHT.get(codec, {codec}):
            wrong.append((language, rows, advised))
    assert not wrong, wrong


@pytest.mark.parametrize("cells", [
    ["Bob\u2019s deal", "Smith\u2019s renewal"],
    ["O\u2019Brien \u2013 renewal", "\u201cQuoted\u201d deal", "Smith\u2019s deal"],
    ["Wait\u2026 renewal", "More\u2026 deals"], ["Brand\u2122 licence", "Acme\u00ae support"]])
def test_typographic_punctuation_is_cp1252(tmp_path: Path, cells: list[str]) -> None:
    """v10r13 S4: Word's punctuation glued to words (curly quotes, ellipsis, trade marks) read
    as a garbled letter,
    so files of it were advised as mac-roman / cp850 / mac-latin2, and following the
    advice imported "Bobís deal", exit 0."""
    path = tmp_path / "p.csv"
    path.write_bytes(("id,title\n" + "".join(f"k{i},{c}\n" for i, c in enumerate(cells)))
                     .encode("cp1252"))
    with pytest.raises(InputError) as info:
        detect_encoding(path)
    assert "--encoding cp1252" in info.value.reason, info.value.reason


def test_a_workbook_named_csv_says_what_it_is(tmp_path: Path) -> None:
    """x21r3 F5: an XLSX (zip) or an old .xls (OLE) saved as .csv got "has a NUL byte …
    --encoding utf-16-le" advice; it says what the file is."""
    from bulk.manifest import read_manifest

    for head, said in ((b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "zip archive, not text: an "
                        "XLSX workbook named .csv"),
                       (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel .xls")):
        path = tmp_path / "export.csv"
        path.write_bytes(head + b"\x00" * 64 + b"rest")
        with pytest.raises(InputError, match=said) as info:
            list(read_manifest(path))
        assert "utf-16" not in str(info.value)
