"""A manifest's kind is told by its first significant text, however much whitespace comes
before it and in whatever Unicode encoding its BOM names (x45r5 F2/F3/F4): a valid JSON
array behind 5,000 blanks is read; a CSV, a UTF-16 CSV named .json, a UTF-16 JSON or a JSON
array of arrays named .csv is one refusal naming the real kind (exit 2); a title line above
a CSV header that looks like JSON does not make the CSV "JSON"."""

from __future__ import annotations

import io
import json
import os
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.manifest import detect_format, read_manifest
from bulk.manifest_kind import NotAManifest
from bulk.manifest_peek import first_significant
from pdbulk.cli import app

RECORDS = [{"Key": f"W{i}", "Title": f"T{i}", "Value": "1"} for i in range(3)]
TABLE = "Key,Title,Value\nM1,A,10\nM2,B,20\n"


@pytest.mark.parametrize("blank", [" " * 5000, "\n" * 5000, "\r\n" * 40000, " \t" * 70000])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_json_array_behind_any_whitespace_is_read(tmp_path: Path, blank: str,
                                                    bom: bytes) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(bom + (blank + json.dumps(RECORDS)).encode())
    rows = list(read_manifest(path))
    assert [r.values["Key"] for r in rows] == ["W0", "W1", "W2"]
    assert all(r.error is None for r in rows)


def test_a_wrapped_array_behind_whitespace_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("\n" * 9000 + json.dumps({"results": RECORDS}))
    assert [r.values["Key"] for r in read_manifest(path)] == ["W0", "W1", "W2"]


def test_only_whitespace_is_still_empty(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(" " * 200_000)
    with pytest.raises(Exception, match="no records"):
        list(read_manifest(path))


def test_first_significant_streams_past_blanks() -> None:
    assert first_significant(io.BytesIO(b"\xef\xbb\xbf" + b" " * 300_000 + b"[1]"), 2) == b"[1"
    assert first_significant(io.BytesIO(b" \n" * 10)) == b""


# (content, suffix, what the refusal says)
WRONG = [
    (b"[Key],Title,Value\nM1,A,10\n", ".json", "looks like CSV text"),
    (b"{Key},Title,Value\nM1,A,10\n", ".json", "looks like CSV text"),
    (b"[Key],Title,Value\nM1,A,10\n", ".jsonl", "looks like CSV text"),
    (TABLE.encode("utf-16"), ".json", "is not JSON"),
    (TABLE.encode("utf-32"), ".jsonl", "is not JSON Lines"),
    (json.dumps(RECORDS, indent=2).encode("utf-16"), ".csv", "is JSON"),
    (json.dumps(RECORDS).encode("utf-16-le").join([b"\xff\xfe", b""]), ".csv", "is JSON"),
    (json.dumps([list(RECORDS[0]), list(RECORDS[0].values())]).encode(), ".csv", "is JSON"),
    (json.dumps([list(RECORDS[0])], indent=1).encode(), ".csv", "is JSON"),
    (b"\n" * 6000 + json.dumps(RECORDS).encode(), ".csv", "is JSON"),
    (b'{"Key": "M1"}\n{"Key": "M2"}\n', ".csv", "is JSON"),
]


@pytest.mark.parametrize(("data", "suffix", "said"), WRONG,
                         ids=[f"{n}{w[1]}" for n, w in enumerate(WRONG)])
def test_wrong_content_names_the_real_kind(tmp_path: Path, data: bytes, suffix: str,
                                           said: str) -> None:
    path = tmp_path / f"m{suffix}"
    path.write_bytes(data)
    with pytest.raises(NotAManifest, match=said):
        detect_format(path)


@pytest.mark.parametrize("title", ['{"report": "deals"}', "[] deals export",
                                   '["deals", 2026]'])
def test_a_title_line_like_json_above_a_csv_header_is_csv(tmp_path: Path, title: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f"{title}\n{TABLE}")
    assert detect_format(path) == "csv"
    rows = list(read_manifest(path, header_row=2))
    assert [r.values["Key"] for r in rows] == ["M1", "M2"]


@pytest.mark.parametrize("first", ["[Key],Title,Value", "{Key},Title,Value", "[Deals]"])
def test_a_csv_whose_first_cell_begins_like_json_is_csv(tmp_path: Path, first: str) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f"{first}\nM1,A,10\n")
    assert detect_format(path) == "csv"


def _closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_the_cli_refuses_a_csv_named_json_as_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('[import]\nkey_column = "Key"\n[deal]\ntitle = "Title"\n')
    path = tmp_path / "deals.json"
    path.write_bytes(b"[Key],Title,Value\nM1,A,10\n")
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "peek-token"}
    res = CliRunner().invoke(app, ["plan", "import", str(path), "-m", str(tmp_path / "m.toml"),
                                   "--url", _closed_url()], env=env)
    assert res.exit_code == 2, res.output
    assert "looks like CSV text" in res.output and "rename it .csv" in res.output
    assert "Traceback" not in res.output and "peek-token" not in res.output


@pytest.mark.parametrize("ends", ["\n", "\r\n", "\r"])
def test_a_csv_delimiter_is_sniffed_past_any_blank_lines(tmp_path: Path, ends: str) -> None:
    """70,000 blank lines (more than the 64 Ki characters sampled) above a ``;`` table:
    two columns, not one named 'Key;Title'; a header row counts the blank lines."""
    path = tmp_path / "m.csv"
    path.write_bytes((ends * 70000 + "Title line\nKey;Title\nA;B\n").encode())
    rows = list(read_manifest(path, header_row=70002))
    assert [r.values for r in rows] == [{"Key": "A", "Title": "B"}]
    path.write_bytes((ends * 70000 + "Key;Title\nA;B\n").encode())
    assert [r.values for r in read_manifest(path)] == [{"Key": "A", "Title": "B"}]
