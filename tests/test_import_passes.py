"""How many times an import's load reads its manifest (issue 8): a first import that creates
its key field learns the decimal marks once, before the field is created, and the load
takes them from there: two reads of the file in all (learn, decide), not three (and its
first row, read before the account is indexed: ``jobs.import_load.sendable``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import import_once, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
value = { column = "amount", decimal = "auto" }
currency = { default = "EUR" }
"""
# "1.500" alone is ambiguous; "2,5" shows the column's decimal mark ",": 1500
ROWS = "id,title,amount\nk1,Deal 1,\"2,5\"\nk2,Deal 2,1.500\nk3,Deal 3,7\n"


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows each read of the manifest by the load yielded, one entry per read."""
    import jobs.import_load as import_load

    reads: list[int] = []
    real = import_load.read_manifest

    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        reads.append(0)
        at = len(reads) - 1
        for row in real(*args, **kwargs):
            reads[at] += 1
            yield row
    monkeypatch.setattr(import_load, "read_manifest", counted)
    return reads


@pytest.mark.parametrize("key_field_exists", [False, True])
async def test_the_load_reads_the_file_twice_and_the_marks_are_the_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key_field_exists: bool) -> None:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(ROWS)
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(**FAST)) as sb:
        if key_field_exists:  # an earlier import created it: no preview before the load
            first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id="first")
            first.close()
        reads = _reads(monkeypatch)
        store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        try:
            assert not result.stopped, result.error
            # whole passes: learn, then decide; before the indexes, the first row alone (a row
            # that maps: the account's persons and deals are worth indexing, f36a 3)
            assert sorted(reads) == [1, 3, 3], reads
            marks = store.meta_get("import.decimal_marks")
            assert marks == {"value": {",": "2,5"}}, marks
            done = [i for i in store.items() if i.state is not ItemState.FAILED]
            assert len(done) == 3, [(i.row, i.error) for i in store.items()]
        finally:
            store.close()
        values = {d["title"]: d["value"] for d in sandbox_deals(sb)}
        assert values == {"Deal 1": 2.5, "Deal 2": 1500, "Deal 3": 7}, orjson.dumps(values)
