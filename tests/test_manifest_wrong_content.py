"""A file whose content is not the kind its name says (a zip, gzip, workbook, PDF, text or
JSON under another suffix) is one refusal, exit 2, naming what the file is, for every command
that takes a manifest, before the token or the account is read (x44r4 F5: a ZIP named .csv
was exit 1, a gzip named .csv exit 2)."""

from __future__ import annotations

import gzip
import io
import os
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.manifest import detect_format, read_manifest
from bulk.manifest_kind import NotAManifest, wrong_content
from pdbulk.cli import app

CSV = b"id,title\n1,A\n"


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "title"])
    ws.append([1, "A"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _zip(member: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(member, CSV)
    return out.getvalue()


CONTENT: dict[str, bytes] = {
    "xlsx": _xlsx(), "zip": _zip("deals.csv"), "docx": _zip("word/document.xml"),
    "gzip": gzip.compress(CSV), "pdf": b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\x00" + bytes(range(256)),
    "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "csv": CSV,
    "json": b'[{"id": 1, "title": "A"}]\n',
}
# (content, the name's suffix, what the refusal says the file is)
WRONG = [("xlsx", ".csv", "XLSX workbook named .csv"), ("zip", ".csv", "is a zip archive"),
         ("gzip", ".csv", "is a gzip archive"), ("pdf", ".csv", "is a PDF document"),
         ("xls", ".csv", "is an old Excel .xls workbook"), ("json", ".csv", "is JSON"),
         ("xlsx", ".json", "XLSX workbook named .json"),
         ("xlsx", ".jsonl", "XLSX workbook named .jsonl"),
         ("csv", ".json", "is not JSON"), ("csv", ".jsonl", "is not JSON Lines"),
         ("csv", ".xlsx", "is text"), ("json", ".xlsx", "is JSON text"),
         ("zip", ".xlsx", "is a zip archive"), ("docx", ".xlsx", "word-processor document"),
         ("gzip", ".xlsx", "is a gzip archive"), ("xls", ".xlsx", "old Excel .xls workbook")]


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens: a call would be exit 4


def _commands(tmp: Path) -> dict[str, Callable[[Path], list[str]]]:
    (tmp / "m.toml").write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    (tmp / "u.toml").write_text('version = 1\n[update]\nid_column = "id"\n[deal]\ntitle = "title"\n')
    url = ["--url", _closed_url()]

    def apply(p: Path) -> list[str]:
        plan = tmp / f"plan-{p.stem}"
        plan.mkdir()
        (plan / "groups.csv").write_bytes(p.read_bytes())
        return ["dedupe", "apply", str(plan), "--yes", *url]

    return {
        "import": lambda p: ["import", str(p), "-m", str(tmp / "m.toml"), *url],
        "plan import": lambda p: ["plan", "import", str(p), "-m", str(tmp / "m.toml"), *url],
        "update": lambda p: ["update", str(p), "--mapping", str(tmp / "u.toml"), *url],
        "move-stage": lambda p: ["move-stage", "--to-stage", "X", "--manifest", str(p), *url],
        "merge": lambda p: ["merge", str(p), *url],
        "dedupe apply": apply,
    }


@pytest.mark.parametrize("command", ["import", "plan import", "update", "move-stage", "merge",
                                     "dedupe apply"])
def test_wrong_content_is_one_usage_error_naming_the_file(tmp_path: Path,
                                                          command: str) -> None:
    """Every case: exit 2, one line naming what the file really is, nothing sent."""
    run = _commands(tmp_path)[command]
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "wrong-content-token"}
    for kind, suffix, said in WRONG:
        if command == "dedupe apply" and suffix != ".csv":
            continue  # its file is groups.csv, always
        path = tmp_path / f"{kind}{suffix.replace('.', '_')}{suffix}"
        path.write_bytes(CONTENT[kind])
        res = CliRunner().invoke(app, run(path), env=env)
        out = res.output
        assert res.exit_code == 2, (command, kind, suffix, out)
        if command == "dedupe apply":  # its file's name is fixed: saved again, not renamed
            said = said.split(" named")[0].removeprefix("XLSX workbook")
        assert said in out and "Traceback" not in out, (command, kind, suffix, out)
        assert "not answering" not in out and "wrong-content-token" not in out, out


@pytest.mark.parametrize(("kind", "suffix", "said"), WRONG)
def test_the_library_raises_one_class(tmp_path: Path, kind: str, suffix: str,
                                      said: str) -> None:
    path = tmp_path / f"m{suffix}"
    path.write_bytes(CONTENT[kind])
    with pytest.raises(NotAManifest, match=said):
        list(read_manifest(path))


@pytest.mark.parametrize(("data", "suffix"), [
    (CSV, ".csv"), (b"\xef\xbb\xbf" + CSV, ".csv"), ("id,title\n1,Ä\n".encode("utf-16"), ".csv"),
    (b'[{"id": 1}]', ".json"), (b'  {"results": [{"id": 1}]}', ".json"), (b"[]", ".json"),
    (b'{"id": 1}\n{"id": 2}\n', ".jsonl"), (b"\xef\xbb\xbf\n{\"id\": 1}\n", ".jsonl"),
    (b"", ".csv"), (b"", ".xlsx"), (b"", ".json"), (CONTENT["xlsx"], ".xlsx"),
    (_zip("xl/workbook.xml"), ".xlsx"),  # a damaged workbook: the XLSX reader says so
    (b"[Deals]\nid,title\n", ".csv")])
def test_right_content_is_left_to_its_reader(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"m{suffix}"
    path.write_bytes(data)
    assert wrong_content(path, detect_format(path)) is None


@pytest.mark.parametrize(("data", "suffix", "shape"), [
    (b'[["key", "title"], ["K1", "A"]]\n', ".csv", "an array of arrays"),
    (b'[\n  ["key", "title"],\n  ["K1", "A"]\n]\n', ".csv", "an array of arrays"),
    (b'["K1", "K2"]\n', ".csv", "an array of values"),
    (b'[["key", "title"], ["K1", "A"]]\n', ".xlsx", "an array of arrays"),
    (b'[1, 2]\n', ".xlsx", "an array of values")])
def test_json_of_no_records_is_not_told_to_be_renamed_json(tmp_path: Path, data: bytes,
                                                           suffix: str, shape: str) -> None:
    """An array of arrays (or of values) is no .json manifest either: the refusal says what
    shape a .json manifest has and that this file is not it, never "rename it .json"
    (before: 'rename it .json (an array of records) or .jsonl')."""
    path = tmp_path / f"m{suffix}"
    path.write_bytes(data)
    with pytest.raises(NotAManifest) as refused:
        list(read_manifest(path))
    said = str(refused.value)
    assert shape in said and "a .json manifest is an array of records" in said, said
    assert "ename it .json" not in said, said
    # a file of records still is told to rename it
    path.write_bytes(b'[{"key": "K1"}]\n')
    with pytest.raises(NotAManifest, match=r"ename it \.json"):
        list(read_manifest(path))


@pytest.mark.parametrize(("data", "shape"), [
    (b'[["key", "title"], ["K1", "A"]]\n', "an array of arrays"),
    (b'[\n  ["id"],\n  [42]\n]\n', "an array of arrays"),
    (b'[42, 43]\n', "an array of values")])
def test_a_json_file_of_no_records_is_told_as_a_csv_named_one(tmp_path: Path, data: bytes,
                                                              shape: str) -> None:
    """x46r4 F6: a .json array of arrays got the reader's "has no readable record among its
    first 2 (the first: row 1: record 1: expected a JSON object, got list)"; now the same
    explanation as the .csv-named file: what it holds and what a .json manifest is."""
    path = tmp_path / "m.json"
    path.write_bytes(data)
    with pytest.raises(NotAManifest) as refused:
        list(read_manifest(path))
    said = str(refused.value)
    assert shape in said and "a .json manifest is an array of records" in said, said
    assert "expected a JSON object" not in said and "ename it" not in said, said
    path.write_bytes(b'[{"id": 42}]\n')  # records are left to the reader
    assert [r.values for r in read_manifest(path)] == [{"id": 42}]


def test_the_records_example_names_no_one_commands_columns(tmp_path: Path) -> None:
    """x46r4 F6: move-stage and merge were shown an import's example
    ``[{"key": "K1", "title": "..."}]``; the example names no command's columns."""
    path = tmp_path / "m.csv"
    path.write_bytes(b'[["id"], [42]]\n')
    with pytest.raises(NotAManifest) as refused:
        list(read_manifest(path))
    said = str(refused.value)
    assert '"title"' not in said and '"key"' not in said, said
    assert '[{"<column>": <value>, ...}, ...]' in said, said
