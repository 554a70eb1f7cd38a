"""An undo of a restore judges the fields the job wrote, not the deal's ``update_time``: a
colleague's change of a field the job never wrote refuses nothing (x32r2 night: the whole
deal was a conflict, the job's title left on it); a change of a field it wrote is still a
conflict, the deal left whole (DESIGN: undo never destroys what someone else changed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.api import run_job, undo_job
from tests.import_support import engine_config, read_csv
from tests.test_upsert_three_way import NIGHT, _colleague, _deal, _files, _import


async def _undo(sb: object, tmp_path: Path, job: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    jobs = tmp_path / "jobs"
    before = set(jobs.iterdir())
    undone = await run_job(engine_config(sb, jobs), sb.token,  # type: ignore[arg-type,attr-defined]
                           undo_job(jobs / job))
    (folder,) = set(jobs.iterdir()) - before
    (row,) = read_csv(folder / "succeeded.csv") or [{}]
    return row, [undone.counts]  # type: ignore[list-item]


def _later(sb: Any, deal_id: int) -> None:
    """The colleague's edit dated after the job's write (not in its second)."""
    sb.state.save("deal", {**_deal(sb, deal_id), "update_time": "2031-01-01T00:00:00Z"})


@pytest.mark.anyio
async def test_an_undo_restores_the_title_when_a_colleague_changed_the_amount(
        tmp_path: Path) -> None:
    """Night 2 renames R1; a colleague then changes its amount (a field night 2 did not
    write): the undo of night 2 puts the title back and keeps the amount (before: a
    conflict by update_time, the title left as night 2 wrote it)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        night2, _ = _files(tmp_path, [("R1", "File new title", "1000", "Qualified"), NIGHT[1]],
                           "night2.csv")
        await _import(sb, tmp_path, night2, mapping, "night-2")
        await _colleague(sb, tmp_path, r1, {"value": 444})
        _later(sb, r1)
        row, _ = await _undo(sb, tmp_path, "night-2")
        assert (_deal(sb, r1)["title"], _deal(sb, r1)["value"]) == ("Repro deal one", 444), row
        assert row["action"] == "restored", row


@pytest.mark.anyio
async def test_an_undo_leaves_the_amount_a_colleague_changed_and_restores_the_title(
        tmp_path: Path) -> None:
    """Night 2 renames R1 and changes its amount; a colleague changes the amount again:
    the amount with its currency is a conflict, left as the colleague made it (an amount,
    a status, a stage are put back with what goes with them, or not at all), the fields
    named; the title, a group of its own still as night 2 wrote it, is put back (f33d:
    the whole deal was left, night 2's title on it)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        first = await _import(sb, tmp_path, manifest, mapping, "night-1")
        r1 = int(first["R1"]["deal_id"])
        night2, _ = _files(tmp_path, [("R1", "File new title", "1500", "Qualified"), NIGHT[1]],
                           "night2.csv")
        await _import(sb, tmp_path, night2, mapping, "night-2")
        await _colleague(sb, tmp_path, r1, {"value": 444})
        _later(sb, r1)
        jobs = tmp_path / "jobs"
        before = set(jobs.iterdir())
        await run_job(engine_config(sb, jobs), sb.token, undo_job(jobs / "night-2"))
        (folder,) = set(jobs.iterdir()) - before
        assert read_csv(folder / "failed.csv") == []  # one row (x39r5)
        (done,) = read_csv(folder / "succeeded.csv")
        assert (_deal(sb, r1)["title"], _deal(sb, r1)["value"]) == ("Repro deal one", 444), done
        assert done["action"] == "restored in part" and done["fields"] == "title", done
        assert ("kept as changed since the job: the amount with its currency (value: job's "
                "1500, now 444)") in done["note"], done
