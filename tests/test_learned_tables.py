"""The person pass's learned tables (``RowPlanner.learn_persons``) leave the Python heap once
large (``jobs.learned.SpilledTable``: issue 8, a 1,000,000-row plan's peak RSS), and every
row is decided exactly as with the tables in memory."""

from __future__ import annotations

import csv
import gc
import hashlib
import tracemalloc
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import jobs.learned
from benchmarks.bench_mapping import offline_planner
from jobs.demo_data import COLUMNS, MAPPING, iter_demo_rows
from jobs.import_load import _first_rows, _items, learn_contacts, learn_marks
from jobs.learned import SpilledTable

ROWS = 4000


def _manifest(tmp_path: Path) -> tuple[Path, Path]:
    """The demo's dirty rows, a third of them without an e-mail and some without a phone:
    rows the person pass's tables decide (a name and phone takes the file's e-mail)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    manifest = tmp_path / "export.csv"
    with open(manifest, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for n, row in enumerate(iter_demo_rows(ROWS, seed=3)):
            if n % 3 == 1:
                row["Email"] = ""
            if n % 11 == 5:
                row["Phone"] = ""
            writer.writerow(row)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return manifest, mapping


def _default(value: object) -> Any:
    return repr(value)


def _decided(tmp_path: Path) -> tuple[str, Any]:
    """sha256 of every item of the manifest's load (learning passes first, as the load
    runs them), and the planner."""
    planner, settings = offline_planner(*_manifest(tmp_path))()
    learn_marks(planner, settings)
    learn_contacts(planner, settings)
    digest = hashlib.sha256()
    for item in _items(planner, settings):
        digest.update(orjson.dumps([item.row, item.key, item.op, item.state.value, item.error,
                                    item.payload], default=_default,
                                   option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS))
    digest.update(orjson.dumps(planner.counts.to_json()))
    return digest.hexdigest(), planner


def test_spilled_tables_decide_every_row_as_in_memory(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """With every learned table on disk, each row's item and the counts are those of the
    tables held as dicts."""
    in_memory, planner = _decided(tmp_path / "a")
    assert not planner._file_persons.spilled and not planner._persons._d.spilled
    monkeypatch.setattr(jobs.learned, "SPILL_AT", 1)
    spilled, planner = _decided(tmp_path / "b")
    assert planner._file_persons.spilled
    assert planner._file_at.spilled and planner._persons._d.spilled
    assert spilled == in_memory


def test_learned_tables_leave_the_heap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the person pass keeps of a 4,000-row file (~570 persons, ~3,000 names at an
    organization) holds under 100 KB of the Python heap once its tables are spilled (as
    dicts of tuples: ~700 KB, growing with the persons; the rest is the reader's). Measured
    on a second pass: the first fills the mapper's caches."""
    monkeypatch.setattr(jobs.learned, "SPILL_AT", 100)
    planner, settings = offline_planner(*_manifest(tmp_path))()
    learn_marks(planner, settings)
    learn_contacts(planner, settings)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        planner.learn_persons(_first_rows(planner, settings))
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(planner._file_persons) > 100
    assert kept < 100_000, kept


values = st.one_of(st.text(max_size=8), st.tuples(st.text(max_size=5), st.text(max_size=5)),
                   st.tuples(st.tuples(st.text(max_size=5), st.text(max_size=5))))


@given(st.dictionaries(st.integers(-(2**63), 2**63 - 1), values, max_size=30),
       st.lists(st.integers(-(2**63), 2**63 - 1), max_size=10), st.integers(0, 40))
def test_a_table_reads_as_its_dict(entries: dict[int, Any], probes: list[int],
                                   spill_at: int) -> None:
    """``get``, ``in``, ``len`` and truth of a table, on disk or not, are its dict's."""
    expected = dict(entries)
    table = SpilledTable.of(dict(entries), spill_at=spill_at)
    try:
        assert table.spilled == (len(expected) >= spill_at)
        assert len(table) == len(expected) and bool(table) == bool(expected)
        for key in [*expected, *probes]:
            assert table.get(key) == expected.get(key)
            assert table.get(key, ((),)) == expected.get(key, ((),))
            assert (key in table) == (key in expected)
    finally:
        table.close()


def test_new_persons_leave_the_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    """5,000 new persons of a file (as the row planner keeps them: ``_NewPersons``) hold
    under 50 KB of the Python heap once spilled (in a dict, packed: ~1 MB); each reads back
    as it was set, in the order set."""
    from jobs.import_rows import _NewPersons

    monkeypatch.setattr(jobs.learned, "SPILL_AT", 100)
    org = {"kind": "org", "key": "acme inc", "body": {"name": "Acme Inc"}}
    people = [(f"e:person{n}@example.org",
               (f"Person {n}", f"+49 30 {n:07d}" if n % 3 else None, org if n % 2 else None,
                (f"other{n}@example.org",) if n % 5 == 0 else (), (),
                (("+49 30 0000000", "work"),) if n % 7 == 0 else ()))
              for n in range(5000)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        persons = _NewPersons()
        for key, person in people:
            persons[key] = person
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 50_000, kept
    assert len(persons) == 5000 and list(persons) == [k for k, _ in people]
    assert all(persons[k] == p and persons.get(k) == p and k in persons for k, p in people)
    assert "e:nobody@example.org" not in persons and persons.get("e:nobody@example.org") is None
