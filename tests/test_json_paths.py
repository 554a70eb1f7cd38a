"""JSON/JSONL mappings: a path is checked for its form, not against a sample of the records;
a path no record has is a mapping error once every record is read; init-mapping never
proposes a path that holds objects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.manifest import PathSample, check_paths, header
from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv, sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "json-paths-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
MAPPING = """\
version = 1
[import]
key_column = "id"
key_field = "Import source key"
[deal]
title = "properties.dealname"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[custom_fields]
"External ID" = "properties.%s"
"""


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=5)) as sb:
        yield sb


def _late(n: int = 1_001) -> list[dict[str, Any]]:
    """``n`` records; only the last has ``properties.rare`` (past the 1,000-record sample)."""
    out: list[dict[str, Any]] = [{"id": f"L{i}", "properties": {"dealname": f"Late {i}"}}
                                 for i in range(1, n + 1)]
    out[-1]["properties"]["rare"] = "only-here"
    return out


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    if path.suffix == ".json":
        path.write_bytes(orjson.dumps(records))
    else:
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def _run(sb: Sandbox, tmp: Path, manifest: Path, mapping: str, *command: str) -> Any:
    m = tmp / "mapping.toml"
    m.write_text(mapping)
    return CliRunner().invoke(app, [*command, str(manifest), "--mapping", str(m),
                                    "--create-key-field", "--url", sb.url, *FAST], env=ENV)


def test_a_json_header_is_a_sample_checked_for_form_only() -> None:
    """Any well-formed path passes against a JSON header; a malformed one is named; a CSV
    header stays a closed list."""
    sample = PathSample(["id", "properties.dealname"])
    assert check_paths(sample, ["properties.rare", 'properties["hs.custom"]', "id"]) == []
    bad = check_paths(sample, ["properties..rare", 'properties["hs.custom"'])
    assert [c for c, _ in bad] == ["properties..rare", 'properties["hs.custom"']
    assert check_paths(["id", "title"], ["title", "rare"]) == [
        ("rare", "no such column in the manifest")]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_path_first_seen_after_record_1000_is_imported(sandbox: Sandbox, tmp_path: Path,
                                                         suffix: str) -> None:
    """plan exits 0 and import fills the field of the one record that has the path."""
    path = _write(tmp_path / f"late{suffix}", _late())
    res = _run(sandbox, tmp_path, path, MAPPING % "rare", "plan", "import",
               "--failed-csv", str(tmp_path / "plan-failed.csv"))
    assert res.exit_code == 0, res.output
    res = _run(sandbox, tmp_path, path, MAPPING % "rare", "import",
               "--job-dir", str(tmp_path / "jobs"))
    assert res.exit_code == 0, res.output
    code = next(f["field_code"] for f in sandbox.state.fields.values()
                if f["field_name"] == "External ID")
    filled = [d["title"] for d in sandbox_deals(sandbox) if d["custom_fields"].get(code)]
    assert filled == ["Late 1001"] and len(sandbox_deals(sandbox)) == 1_001


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_path_no_record_has_is_a_mapping_error(sandbox: Sandbox, tmp_path: Path,
                                                 suffix: str) -> None:
    """plan and import exit 1 naming the key, the path and how many records were read;
    nothing is created."""
    path = _write(tmp_path / f"late{suffix}", _late(30))
    for command in (["plan", "import", "--failed-csv", str(tmp_path / "p.csv")],
                    ["import", "--job-dir", str(tmp_path / "jobs")]):
        res = _run(sandbox, tmp_path, path, MAPPING % "rarre", *command)
        assert res.exit_code == 1, res.output
        assert ("custom_fields.\"External ID\": no record has the path 'properties.rarre' "
                "(of the 30 records read)") in res.output
        assert "Traceback" not in res.output
    assert sandbox_deals(sandbox) == []
    assert not (tmp_path / "jobs").exists() or not any((tmp_path / "jobs").iterdir())
    # v10r30 M2: the import created the key field before its load found the path missing
    assert "Import source key" not in {f["field_name"] for f in sandbox.state.fields.values()}


def test_a_malformed_path_is_refused_before_any_write(sandbox: Sandbox, tmp_path: Path) -> None:
    """``properties..rare`` is not a path: exit 1, nothing written (the account's names
    are read, to be said with it: x22r2)."""
    path = _write(tmp_path / "d.jsonl", _late(3))
    res = _run(sandbox, tmp_path, path, MAPPING % ".rare", "plan", "import")
    assert res.exit_code == 1 and "'properties..rare': not a path" in res.output, res.output
    assert sandbox.stats()["writes_applied"] == {}


def test_header_leaves_out_paths_that_hold_objects(tmp_path: Path) -> None:
    """A path where any sampled record has an object or an array of objects is no column
    (an empty array in record 1 does not make ``associations.contacts`` one)."""
    path = _write(tmp_path / "hs.jsonl", [
        {"id": "1", "associations": {"contacts": [], "companies": ["Initech"]}},
        {"id": "2", "associations": {"contacts": [{"email": "a@x.example"}]}, "meta": {}},
        {"id": "3", "meta": {"k": 1}}])
    names = header(path)
    assert "associations.contacts" not in names and "meta" not in names
    assert {"associations.contacts.email", "associations.companies", "meta.k"} <= set(names)


def test_init_mapping_proposes_the_leaf_not_the_array_of_objects(sandbox: Sandbox,
                                                                 tmp_path: Path) -> None:
    """HubSpot's associations.contacts (objects) is never a person's name; the proposed
    mapping plans with no row failing "expected text, got an object"."""
    path = _write(tmp_path / "hs.jsonl", [
        {"id": "1", "properties": {"dealname": "A"}, "associations": {"contacts": []}},
        {"id": "2", "properties": {"dealname": "B"},
         "associations": {"contacts": [{"email": "ann@initech.example"}]}}])
    drafted = tmp_path / "drafted.toml"
    res = CliRunner().invoke(app, ["init-mapping", str(path), "-o", str(drafted), "--url",
                                   sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    text = drafted.read_text()
    assert '"associations.contacts"' not in text
    assert 'email = "associations.contacts.email"' in text
    res = CliRunner().invoke(app, ["plan", "import", str(path), "--mapping", str(drafted),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--failed-csv", str(tmp_path / "pf.csv")], env=ENV)
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "pf.csv").exists()  # no bad row: no file


T25 = [{"id": "p1", "a.b": "TOP", "a": {"b": "NESTED"},
        "props": {"deal name": "with space", "x[y]": "brk"}},
       {"id": "p2", "a": {"b": "NESTED-ONLY"}, "props": {"deal name": "ws2", "x[y]": "brk2"}},
       {"id": "p3", "a.b": "TOP-ONLY", "props": {"deal name": "ws3", "x[y]": "brk3"}}]


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
@pytest.mark.parametrize(("title", "titles", "failed"), [
    # as written, a.b reads two values in p1: that row fails naming both; the others import
    ("a.b", ["NESTED-ONLY", "TOP-ONLY"], ["p1"]),
    ('a["b"]', ["NESTED", "NESTED-ONLY"], ["p3"]),   # the nested key only
    ('["a.b"]', ["TOP", "TOP-ONLY"], ["p2"]),        # the top-level key only
])
def test_a_path_two_readings_share_fails_its_row_and_each_spelling_reads_one(
        sandbox: Sandbox, tmp_path: Path, suffix: str, title: str, titles: list[str],
        failed: list[str]) -> None:
    """v10r9 M1/M2 end to end: props["deal name"] reads the key with a space; the column
    a.b never takes the nested value in one record and the top-level one in another."""
    mapping = (MAPPING % "x").replace('"properties.dealname"', repr(title)).replace(
        '"properties.x"', "'props[\"deal name\"]'")
    path = _write(tmp_path / f"t25{suffix}", T25)
    res = _run(sandbox, tmp_path, path, mapping, "import", "--job-dir", str(tmp_path / "jobs"))
    assert res.exit_code in (0, 3), res.output
    assert sorted(d["title"] for d in sandbox_deals(sandbox)) == titles
    code = next(f["field_code"] for f in sandbox.state.fields.values()
                if f["field_name"] == "External ID")
    assert all(d["custom_fields"][code] in ("with space", "ws2", "ws3")
               for d in sandbox_deals(sandbox))
    (job,) = (tmp_path / "jobs").iterdir()
    rows = read_csv(job / "failed.csv")
    assert [r["key"] for r in rows] == failed
    if title == "a.b":
        assert rows[0]["column"] == "a.b"
        assert '["a.b"] (\'TOP\')' in rows[0]["reason"]
        assert 'a["b"] (\'NESTED\')' in rows[0]["reason"]

