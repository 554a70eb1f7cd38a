"""The failed-rows files and retry give back exactly what the source meant: reasons survive
a retry, a refused duplicate key stays refused on re-import, cells round-trip with their
types, plan-failed.csv and failed.csv have one shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv, resume_job, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
pipeline = { default = "Sales" }
[deal.stage]
column = "stage"
[organization]
name = "org"
"""


async def test_retry_keeps_each_rows_own_failure_reason(tmp_path: Path) -> None:
    """A record the reader refused (a cell past the header; a JSONL line that is not JSON)
    keeps its reason through `pdbulk retry` instead of becoming "the source key is empty"."""
    csv_file, jsonl_file, mapping = tmp_path / "in.csv", tmp_path / "in.jsonl", tmp_path / "m.toml"
    csv_file.write_text("id,title,stage,org\n"
                        "k1,Deal 1,Qualified,Org One\n"
                        "k2,Deal 2,Qualified,Org One,EXTRA\n"
                        "k3,Deal 3,Nope,Org One\n")
    jsonl_file.write_text('{"id": "j1", "title": "J 1", "stage": "Qualified", "org": "O"}\n'
                          '{"id": "j2", "title": \n')
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        for n, manifest in enumerate((csv_file, jsonl_file)):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"import-{n}")
            before = {r["row"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
            assert before and all("source key" not in r for r in before.values()), before
            directory = store.directory
            store.failed_to_pending()
            store.close()
            store, _ = await resume_job(sb, directory)
            after = {r["row"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
            store.close()
            assert after == before
        assert len(sandbox_deals(sb)) == 2


def test_a_stored_row_reads_back_with_its_cells_types() -> None:
    """What an item stores of its row (through the store's JSON) gives back the row the
    reader gave: dates, JSON numbers kept as text, NaN and the reader's own error."""
    import datetime as dt

    import orjson

    from bulk.errors import InputError
    from bulk.manifest import SourceRow
    from bulk.manifest_json import JsonNumber
    from jobs.import_rows import source_row, stored_row

    values = {"d": dt.date(2026, 1, 5), "t": dt.datetime(2026, 1, 5, 10, 30),
              "n": JsonNumber("0.1234567890123456789"), "f": 0.125, "s": "12.500",
              "a": ["Umbrella"], "x": float("nan")}
    row = SourceRow(4, 5, values, InputError("line 5: bad", row=4, column="s"))
    back = source_row(4, orjson.loads(orjson.dumps(stored_row(row))))
    assert back.values["d"] == values["d"] and back.values["t"] == values["t"]
    assert type(back.values["n"]) is JsonNumber and back.values["n"] == values["n"]
    assert back.values["f"] == 0.125 and back.values["s"] == "12.500"
    assert back.values["a"] == ["Umbrella"] and str(back.values["x"]) == "nan"
    assert back.error is not None and (back.error.reason, back.error.column) == (
        "line 5: bad", "s")
