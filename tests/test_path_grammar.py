"""The JSON path grammar (bulk.manifest_json.parse_path): one grammar for every reader of a
JSON record — dotted names, bracketed keys holding any character in double or single
quotes — and a path that reads two different values in one record is a row error
(v10r9 M1, M2)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.manifest import SourceRow, read_manifest
from bulk.manifest_json import (
    AmbiguousPath,
    PathRow,
    flatten,
    parse_path,
    path_problem,
    render_path,
)
from jobs.import_rows import source_row, stored_row

RECORD = {"id": "p1", "props": {"deal name": "with space", "x[y]": "brk", 'q"k': "quote",
                                "it's": "apos", "a.b": "dotted", "": "empty key"},
          "c": [{"e": "first"}, {"e": "second"}], "Amount [EUR]": 5, "t.k": "top-only"}


@pytest.mark.parametrize(("path", "value"), [
    ('props["deal name"]', "with space"),
    ("props['deal name']", "with space"),
    ("props.deal name", "with space"),
    ('props["x[y]"]', "brk"),
    ("props['x[y]']", "brk"),
    ('props["q\\"k"]', "quote"),
    ("props['q\"k']", "quote"),
    (r"props['q\"k']", "quote"),
    ("props['it\\'s']", "apos"),
    ("props.it's", "apos"),
    ('props["a.b"]', "dotted"),
    ('props[""]', "empty key"),
    ("c.e", "first"),
    ('c["e"]', "first"),
    ('["id"]', "p1"),
    ("Amount [EUR]", 5),
    ('["Amount [EUR]"]', 5),
    ("t.k", "top-only"),       # a top-level key with a dot, as written
    ('["t.k"]', "top-only"),   # ... and in brackets
    ('t["k"]', None),          # a nested key k of t: the record has none
    ('props["nope"]', None),
])
def test_every_spelling_of_a_path_reads_its_value(path: str, value: object) -> None:
    """Each spelling of the grammar reads the value at its keys, and nothing else."""
    row = flatten(RECORD)
    assert row.get(path) == value
    assert (path in row) is (value is not None)
    assert path_problem(path) is None


@pytest.mark.parametrize("path", ["props..x", "props.", 'props["x"', "props['x", "props.x[y]",
                                  'props["\\q"]', "", "  "])
def test_a_malformed_path_is_refused(path: str) -> None:
    assert path_problem(path) is not None


KEYS = st.lists(st.text(min_size=0, max_size=8), min_size=1, max_size=4).filter(
    lambda keys: keys[0] != "")


@given(KEYS)
def test_render_then_parse_gives_the_keys_back(keys: list[str]) -> None:
    parsed = parse_path(render_path(keys))
    assert parsed is not None and list(parsed[0]) == keys


@given(KEYS, st.text(max_size=5))
def test_a_rendered_path_reads_the_nested_value(keys: list[str], value: str) -> None:
    record: dict[str, object] = {"_": value}
    for key in reversed(keys):
        record = {key: record}
    assert flatten(record).get(render_path([*keys, "_"])) == value


def test_a_path_two_readings_share_is_a_row_error_naming_both() -> None:
    """``a.b`` where a record has both "a.b" and {"a": {"b"}}: neither is taken silently;
    each explicit spelling reads its own value."""
    row = flatten({"a.b": "TOP", "a": {"b": "NESTED"}})
    with pytest.raises(AmbiguousPath) as caught:
        row.get("a.b")
    assert '["a.b"]' in str(caught.value) and 'a["b"]' in str(caught.value)
    assert "'TOP'" in str(caught.value) and "'NESTED'" in str(caught.value)
    assert row.get('["a.b"]') == "TOP"
    assert row.get('a["b"]') == "NESTED"
    assert row.get("a['b']") == "NESTED"
    # where only one reading exists, each spelling finds that one or nothing
    nested = flatten({"a": {"b": "N"}})
    assert nested.get("a.b") == "N" and nested.get('["a.b"]') is None
    top = flatten({"a.b": "T"})
    assert top.get("a.b") == "T" and top.get('a["b"]') is None
    same = flatten({"a.b": "X", "a": {"b": "X"}})  # one value: nothing to choose
    assert same.get("a.b") == "X"


def test_a_stored_row_reads_its_paths_as_the_reader_gave_them() -> None:
    """A retry or a resume maps the row from the job store: the same readings."""
    row = flatten({"a.b": "TOP", "a": {"b": "NESTED"}, "props": {"deal name": "s"}})

    back = source_row(1, orjson.loads(orjson.dumps(stored_row(SourceRow(1, 1, row)))))
    assert isinstance(back.values, PathRow)
    assert back.values.get('props["deal name"]') == "s"
    assert back.values.get('["a.b"]') == "TOP"
    with pytest.raises(AmbiguousPath):
        back.values.get("a.b")


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_both_readers_give_rows_read_by_the_grammar(tmp_path: Path, suffix: str) -> None:
    records = [{"id": "p1", "props": {"deal name": "ws"}}]
    path = tmp_path / f"p{suffix}"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) if suffix == ".jsonl"
                     else orjson.dumps(records))
    (row,) = list(read_manifest(path))
    assert row.values.get("props['deal name']") == "ws"
