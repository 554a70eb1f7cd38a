"""A row ``pdbulk retry`` maps again, on a deal changed after its job was loaded, is
judged per field (``jobs.last_written``): a colleague's edit of a field the row does not
write no longer refuses the row; a field both changed is still a conflict (x32r2 night)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv, resume_job
from tests.test_upsert_three_way import (
    KEPT,
    NIGHT,
    _add_stage,
    _colleague,
    _deal,
    _files,
    _import,
    _other_stage,
)


async def _night2_refused(sb: object, tmp_path: Path) -> tuple[int, Path, Path]:
    """Night 1 imports R1, R2; night 2 moves R1 to "Closing", a stage the account lacks:
    refused at load. Returns (R1's deal id, night 2's job folder, the mapping)."""
    manifest, mapping = _files(tmp_path, NIGHT)
    first = await _import(sb, tmp_path, manifest, mapping, "night-1")  # type: ignore[arg-type]
    night2, _ = _files(tmp_path, [("R1", "Repro deal one", "1000", "Closing"), NIGHT[1]],
                       "night2.csv")
    store, _, _ = await import_once(sb, tmp_path / "jobs", night2, mapping,  # type: ignore[arg-type]
                                    job_id="night-2")
    assert [r["key"] for r in read_csv(store.directory / "failed.csv")] == ["R1"]
    store.failed_to_pending()  # what `pdbulk retry` does
    directory = store.directory
    store.close()
    return int(first["R1"]["deal_id"]), directory, mapping


@pytest.mark.anyio
async def test_a_retry_writes_the_stage_when_a_colleague_changed_the_title(
        tmp_path: Path) -> None:
    """x32r2 night: a colleague renames R1 after night 2's load; the retry (the stage
    mapped now) refused the whole row ("changed after this job was loaded"). The title
    is a field the file did not change since night 1: kept; the stage is written."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        r1, directory, _ = await _night2_refused(sb, tmp_path)
        await _colleague(sb, tmp_path, r1, {"title": "Colleague title"})
        closing = _add_stage(sb, "Closing", _deal(sb, r1)["stage_id"])
        store, _ = await resume_job(sb, directory)
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        failed = read_csv(store.directory / "failed.csv")
        store.close()
        assert failed == [], failed
        assert (_deal(sb, r1)["title"], _deal(sb, r1)["stage_id"]) == ("Colleague title", closing)
        assert rows["R1"]["action"] == "updated" and KEPT in rows["R1"]["note"], rows["R1"]


@pytest.mark.anyio
async def test_a_retry_leaves_a_field_a_colleague_changed_after_the_load(
        tmp_path: Path) -> None:
    """The colleague moves R1's stage after night 2's load, the stage the retry writes:
    a conflict naming the field, nothing sent (the file's value was read before it)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        r1, directory, _ = await _night2_refused(sb, tmp_path)
        other = _other_stage(sb, r1)
        await _colleague(sb, tmp_path, r1, {"stage_id": other, "title": "Colleague title"})
        _add_stage(sb, "Closing", other)
        store, _ = await resume_job(sb, directory)
        (failed,) = read_csv(store.directory / "failed.csv")
        store.close()
        assert (_deal(sb, r1)["title"], _deal(sb, r1)["stage_id"]) == ("Colleague title", other)
        assert "changed after this job was loaded" in failed["reason"], failed
        assert "(stage_id)" in failed["reason"], failed
