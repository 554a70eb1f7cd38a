"""Files that are not what their suffix says (x19r1 F8): each refusal says what the file
is and what to do, not "File is not a zip file" or "name the format"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest


def _first(path: Path) -> object:
    return next(iter(read_manifest(path)))


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_an_old_or_open_document_sheet_is_told_to_save_as_xlsx(tmp_path: Path,
                                                               suffix: str) -> None:
    path = tmp_path / f"deals{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(InputError) as info:
        _first(path)
    said = str(info.value)
    assert "save it as .xlsx or .csv" in said and "name the format" not in said


def test_an_ole_container_named_xlsx_is_said_to_be_old_or_password_protected(
        tmp_path: Path) -> None:
    path = tmp_path / "deals.xlsx"  # what Excel writes for a workbook with a password
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(InputError) as info:
        _first(path)
    said = str(info.value)
    assert "password-protected" in said and "zip file" not in said


def test_a_csv_renamed_xlsx_is_said_to_be_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "deals.xlsx"
    path.write_text("Title,Value\nA,1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        _first(path)
    said = str(info.value)
    assert "not a zip archive" in said and "CSV renamed" in said


@pytest.mark.parametrize("command", [["plan", "import", "{fifo}", "-m", "{mapping}"],
                                     ["plan", "import", "{manifest}", "-m", "{fifo}"],
                                     ["plan", "update", "{fifo}", "-m", "{mapping}"]])
def test_a_named_pipe_as_a_file_argument_is_a_usage_error(tmp_path: Path,
                                                          command: list[str]) -> None:
    """x19r1 F8: a FIFO as the manifest or the mapping blocked the command forever."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Title\nA\n", encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[deal]\ntitle = "Title"\n', encoding="utf-8")
    argv = [a.format(fifo=fifo, mapping=mapping, manifest=manifest) for a in command]
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "t", "PIPEDRIVE_URL": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-m", "pdbulk", *argv], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, env=env,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
