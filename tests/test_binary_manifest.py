"""A binary file given as a manifest is said to be no text (x34r5 F5): not advised a code
page, and refused alike under a declared one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest


def _random_bytes(path: Path, seed: int) -> Path:
    data = bytes(b for b in random.Random(seed).randbytes(6000) if b)  # no NUL
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding", [None, "cp1257", "cp1252", "shift_jis"])
def test_random_bytes_are_not_a_text_file(tmp_path: Path, encoding: str | None) -> None:
    for seed in range(20):
        path = _random_bytes(tmp_path / f"r{seed}.csv", seed)
        with pytest.raises(InputError) as caught:
            list(read_manifest(path, encoding=encoding))
        said = str(caught.value)
        assert "not a text file" in said, said
        assert "--encoding cp" not in said and "UTF-8" not in said, said


def test_code_page_text_with_a_stray_control_byte_is_still_advised(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes("Title,Org\nŁódź,Žalgiris\n".encode("cp1257") * 40 + b"\x1a")
    with pytest.raises(InputError, match="looks like"):
        list(read_manifest(path))
    rows = list(read_manifest(path, encoding="cp1257"))
    assert rows and "not a text file" not in repr(rows[0])


@pytest.mark.parametrize(("head", "kind"), [
    (b"\x1f\x8b\x08\x00", "a gzip archive"), (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\x00", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database")])
def test_a_known_binary_format_is_named(tmp_path: Path, head: bytes, kind: str) -> None:
    """A gzip, PNG, PDF or SQLite file named .csv (holding NUL bytes) is said to be one,
    not advised --encoding NAME (x35r1 F9)."""
    path = tmp_path / "export.csv"
    path.write_bytes(head + random.Random(1).randbytes(3000))
    with pytest.raises(InputError) as caught:
        list(read_manifest(path))
    said = str(caught.value)
    assert f"is {kind}, not text" in said and "--encoding NAME" not in said, said


@pytest.mark.parametrize("seed", range(10))
def test_random_bytes_with_nul_bytes_are_not_a_text_file(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"a,b\n" + random.Random(seed).randbytes(3000))
    with pytest.raises(InputError) as caught:
        list(read_manifest(path))
    said = str(caught.value)
    assert "not a text file" in said and "--encoding NAME" not in said, said


def test_utf16_without_a_bom_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes("Title,Org\nÅsa,Øresund\n".encode("utf-16-le") * 30)
    rows = list(read_manifest(path))
    assert rows and rows[0].values["Title"] == "Åsa", rows[:1]


@pytest.mark.parametrize("data", [b"\x00" * 4096, b"\x00" * 100 + b"\n" + b"\x00" * 50,
                                  b"\x00"])
def test_a_file_of_nul_bytes_is_not_a_text_file(tmp_path: Path, data: bytes) -> None:
    """x36r1 L2: a file of nothing but NUL bytes was called "text that is otherwise UTF-8"
    and advised --encoding utf-8."""
    path = tmp_path / "nuls.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        list(read_manifest(path))
    said = str(caught.value)
    assert "not a text file" in said and "all NUL bytes" in said, said
    assert "UTF-8" not in said and "--encoding utf-8" not in said, said


@pytest.mark.parametrize("command", [["init-mapping"], ["plan", "import", "-m", "m.toml"]])
def test_a_gzip_is_refused_alike_whatever_its_name(tmp_path: Path,
                                                   command: list[str]) -> None:
    """x43r4 F5: the same gzip named ``.csv.gz`` (refused for its suffix, exit 2) and
    ``.csv`` (refused at the first read, exit 1) now meet one rule, by its bytes: exit 2,
    the same line (the file's name aside), before the token or the account is read."""
    import gzip
    import os

    from typer.testing import CliRunner

    from pdbulk.cli import app

    data = gzip.compress(b"id,title\n1,A\n2,B\n")
    (tmp_path / "m.toml").write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    said = {}
    for name in ("export.csv.gz", "export.csv", "export.xlsx"):
        (tmp_path / name).write_bytes(data)
        argv = [*command, str(tmp_path / name)]
        argv = [str(tmp_path / a) if a == "m.toml" else a for a in argv]
        res = CliRunner().invoke(app, argv, env={**os.environ, "PIPEDRIVE_API_TOKEN": "x"})
        assert res.exit_code == 2, (name, res.output)
        said[name] = res.output.replace(name, "NAME")
        assert "is a gzip archive, not text" in res.output and "unpack it" in res.output, \
            res.output
    assert len(set(said.values())) == 1, said
