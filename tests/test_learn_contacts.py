"""The load and the plan learn a file's organization addresses and persons' e-mails and
phones in one pass over it (issue 8: a pass each read and mapped the whole file again),
and what that pass learns, and so every row's outcome, is what the two passes learned."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import bulk.manifest
import jobs.import_load as import_load
from benchmarks.bench_mapping import offline_planner
from bulk.sandbox import SandboxConfig
from jobs.demo_data import MAPPING, write_demo_export
from jobs.import_load import _first_rows, _items, learn_marks
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_mapping_golden import NULLS, write_dirty

TOKEN = "learn-contacts-token"
LEARNED = ("_places", "_file_persons", "_file_at")  # what learn_contacts leaves


def _decided(planner: Any, settings: Any) -> list[bytes]:
    return [orjson.dumps([i.row, i.key, i.op, i.state.value, i.error, i.payload],
                         default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
            for i in _items(planner, settings)]


def test_one_pass_learns_what_the_two_passes_learned(tmp_path: Path) -> None:
    """On a dirty demo file (the golden test's), ``learn_contacts`` leaves the planner
    learned as ``learn_places`` then ``learn_persons`` did, and every row decides alike."""
    manifest = write_dirty(tmp_path / "dirty.csv", 1500, 5)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    make = offline_planner(manifest, mapping)
    two, settings = make()
    assert two.mapper.reads_org_address and two.mapper.reads_person_email_or_phone
    learn_marks(two, settings)
    two.learn_places(_first_rows(two, settings))
    two.learn_persons(_first_rows(two, settings))
    import_load.learn_repeats(two, settings)  # (learn_contacts learns them on its way)
    one, settings = make()
    learn_marks(one, settings)
    import_load.learn_contacts(one, settings)
    for name in LEARNED:  # (a learned table may be a SpilledTable: compared as its dict)
        assert _as_dict(getattr(one, name)) == _as_dict(getattr(two, name)), name
    assert one._places and one._file_persons  # the file gives both: something was learned
    assert _decided(one, settings) == _decided(two, settings)


def _as_dict(table: Any) -> Any:
    """A learned table as a dict (a ``SpilledTable`` this small is one, in memory)."""
    from jobs.learned import SpilledTable

    if isinstance(table, SpilledTable):
        assert table._dict is not None  # not spilled at this size
        return table._dict
    return table


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every pass ``jobs.import_load`` makes over a manifest's rows (``read_manifest``)."""
    seen: list[str] = []
    real = bulk.manifest.read_manifest

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(path))
        return real(path, *args, **kwargs)
    monkeypatch.setattr(import_load, "read_manifest", counted)
    yield seen


def test_a_plan_reads_the_file_once_to_learn_and_once_to_decide(
        tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`plan import` of the demo export (decimal marks to learn, persons with e-mails and
    phones, organizations with addresses) reads it three times: the marks (and the keys
    given twice), the organizations and persons (``learn_file``: on the marks' read they
    were learned from rows not yet judged, a failed row's phone lent to another's person,
    x45r1 F1), the rows (it read it four times, then three, then two) — and, as it
    creates the key field, its first keys once more before (``jobs.key_field_holders``:
    are they in another text field of the account's deals?), and up to its first row that
    maps before the account is indexed (``jobs.import_load.sendable``: a file no row of
    which maps indexes nothing)."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    export = write_demo_export(tmp_path / "demo", rows=60)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN,
                                       deals=200, seed=7)) as sb:
        res = CliRunner().invoke(app, [
            "plan", "import", str(export.manifest), "--mapping", str(export.mapping),
            "--create-key-field", "--url", sb.url, "--plan", "ultimate", "--oauth", "--json",
            "--failed-csv", str(tmp_path / "plan-failed.csv")],
            env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code in (0, 3), res.output  # 3: the demo's broken rows fail, on purpose
    assert orjson.loads(res.stdout)["rows"] == 60
    assert reads.count(str(export.manifest)) == 5, reads


def test_the_contacts_pass_maps_each_rows_organization_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``learn_contacts`` maps a row's organization once, for its address and for its
    person's name at it (issue 8: it mapped it twice; the row is mapped whole, to take
    nothing from a row that fails: x45r1 F1), and learns what it learned."""
    from jobs.mapping.rowmapper import RowMapper

    manifest = write_dirty(tmp_path / "dirty.csv", 300, 6)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    make = offline_planner(manifest, mapping)
    two, settings = make()
    two.learn_places(_first_rows(two, settings))
    two.learn_persons(_first_rows(two, settings))
    calls: list[int] = []
    org_of = RowMapper._org

    def counted(self: RowMapper, values: Any, n: int) -> Any:
        calls.append(n)
        return org_of(self, values, n)
    monkeypatch.setattr(RowMapper, "_org", counted)
    one, settings = make()
    import_load.learn_contacts(one, settings)
    assert len(calls) == len(set(calls)) > 250
    for name in LEARNED:
        assert _as_dict(getattr(one, name)) == _as_dict(getattr(two, name)), name


@pytest.mark.parametrize("mapping_text", [MAPPING, NULLS], ids=["demo", "nulls"])
@pytest.mark.parametrize("seed", [5, 8])
def test_the_marks_and_contacts_pass_learns_what_each_pass_learned(
        tmp_path: Path, seed: int, mapping_text: str) -> None:
    """``learn_file`` (the marks and the contacts on one read) leaves the planner learned as
    ``learn_marks`` then ``learn_contacts`` did — the marks returned, the organizations'
    addresses, the persons, the keys the file repeats — and every row decides alike."""
    manifest = write_dirty(tmp_path / "dirty.csv", 1500, seed)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(mapping_text, encoding="utf-8")
    make = offline_planner(manifest, mapping)
    two, settings = make()
    assert two.mapper.learns_marks and two.mapper.reads_person_email_or_phone
    marks = learn_marks(two, settings)
    import_load.learn_contacts(two, settings)
    import_load.learn_repeats(two, settings)
    one, settings = make()
    assert import_load.learn_file(one, settings) == marks
    assert one.repeats.learned  # (its pass read every key)
    import_load.learn_repeats(one, settings)
    for name in LEARNED:
        assert _as_dict(getattr(one, name)) == _as_dict(getattr(two, name)), name
    assert one.mapper.decimal_marks() == two.mapper.decimal_marks()
    assert _decided(one, settings) == _decided(two, settings)


def test_the_marks_and_contacts_pass_says_a_contested_mark(tmp_path: Path) -> None:
    """A decimal mark the file contests is refused by ``learn_file`` as by ``learn_marks``
    (DecimalContested, the same columns), the contacts learned on the same read."""
    import csv
    import io

    from jobs.mapping.rowmapper import DecimalContested

    export = write_demo_export(tmp_path / "demo", rows=40)
    table = list(csv.DictReader(io.StringIO(export.manifest.read_text(encoding="utf-8-sig"))))
    for row in table:  # (v10r9 S4: one "0,5" beside "1,000", "2,000", ...: contested)
        row["Discount"] = ""
    table[3]["Discount"] = "0,5"
    for n, row in enumerate(table[10:14], start=1):
        row["Discount"] = f"{n},000"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    export.manifest.write_text(out.getvalue(), encoding="utf-8")
    make = offline_planner(export.manifest, export.mapping)
    two, settings = make()
    with pytest.raises(DecimalContested) as alone:
        learn_marks(two, settings)
    one, settings = make()
    with pytest.raises(DecimalContested) as together:
        import_load.learn_file(one, settings)
    assert together.value.columns == alone.value.columns
    assert one._file_persons is not None


_KEYS = st.one_of(st.none(), st.just(""), st.sampled_from(["a", "b", "c", "d"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_KEYS, _KEYS), max_size=30),
       st.lists(st.sampled_from(["a", "b", "c"]), max_size=8))
def test_learning_firsts_is_learning_then_first_of_each(pairs: list[tuple[Any, Any]],
                                                        same: list[str]) -> None:
    """``RepeatedKeys.learning_firsts`` yields the rows ``first_of_each`` yields after
    ``learning`` and learns the same repeated keys, whether each row's two keys are one (a
    run of equal keys first, then any) or differ (None, empty text, another key)."""
    from types import SimpleNamespace

    from jobs.repeats import RepeatedKeys
    from jobs.results import first_of_each

    rows = [SimpleNamespace(raw=k, values={"key": k}) for k in same] + [
        SimpleNamespace(raw=k, values={"key": n}) for k, n in pairs]
    alone, fused = RepeatedKeys(), RepeatedKeys()
    want = list(first_of_each(alone.learning(rows, lambda r: r.raw), lambda n: n, "key"))
    got = list(fused.learning_firsts(rows, lambda r: r.raw, lambda r: r.values["key"]))
    assert [id(r) for r in got] == [id(r) for r in want]
    for key in ("a", "b", "c", "d"):
        assert (key in fused) == (key in alone), key
    assert len(fused) == len(alone)


def test_the_marks_and_contacts_pass_holds_one_set_of_the_files_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``learn_file`` on a CSV whose key column is read as it is tells the first row of each
    key and the keys the file repeats by one set of the file's keys (~12 bytes a key: a
    second set was ~12 MB of a 1,000,000-row plan's peak), not two."""
    from jobs import keyset

    export = write_demo_export(tmp_path / "demo", rows=300)
    make = offline_planner(export.manifest, export.mapping)
    planner, settings = make()
    sizes: list[Any] = []
    init = keyset.KeySet.__init__

    def made(self: Any, capacity: int = 1 << 12) -> None:
        init(self, capacity)
        sizes.append(self)
    monkeypatch.setattr(keyset.KeySet, "__init__", made)
    import_load.learn_file(planner, settings)
    assert planner.repeats.learned
    holding = [s for s in sizes if len(s) > 100]  # the sets of the file's keys
    assert len(holding) == 1, [len(s) for s in sizes]


def test_a_key_set_copy_holds_the_same_keys() -> None:
    """``KeySet.copy`` holds every key of the original and none other; each grows alone."""
    from jobs.keyset import KeySet

    one = KeySet(capacity=64)
    keys = [f"k{n}" for n in range(500)]
    for k in keys:
        one.add(k)
    two = one.copy()
    assert len(two) == 500 and all(k in two for k in keys) and "other" not in two
    assert two.add("new") and "new" not in one and not two.add("k7")
