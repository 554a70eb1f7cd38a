"""A deal merged away keeps its person's name and keys in merges.json, so the next night reads
the survivor's absorbed copy as the person it was tied to (x44r5 F4: night 1 merged a no-org
copy under ``Moreau Omar`` into the deal of ``Omar Moreau`` at one phone; night 2 held a
third copy under another ``Omar Moreau`` record "review at most: two persons with deal 2,
merged into one of them": the merge's record had no person keys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.apply import record_intended
from tests.dedupe_job_support import deal, load_apply, org, plan
from tests.update_support import run_job

PHONE = [{"value": "+43 1 4440100", "primary": True}]


def _person(sb: object, name: str, org_id: int | None) -> int:
    (pid,) = sb.state.load("person", [{"name": name, "org_id": org_id,  # type: ignore[attr-defined]
                                       "phones": PHONE, "emails": []}])
    return int(pid)


@pytest.mark.anyio
async def test_the_absorbed_copys_person_ties_the_next_nights_copy(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=44)) as sb:
        garrow = org(sb, "Garrow Marine GmbH")
        first = deal(sb, "Garrow Marine - Office move", garrow, value=2000,
                     add="2026-11-11T09:01:00Z", person_id=_person(sb, "Omar Moreau", garrow))
        copy = deal(sb, "Office move (Garrow Marine)", None, value=2000,
                    add="2026-11-11T09:03:00Z", person_id=_person(sb, "Moreau Omar", None))
        sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
        night1 = await plan(sb, tmp_path, tmp_path / "p1", since_last=True)
        assert [(g.band, g.member_ids) for g in night1.result.groups] \
            == [("duplicate", (first, copy))]
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        record_intended(store)
        assert (await run_job(sb, store)).counts[ItemState.DONE] == 1
        store.close()
        third = deal(sb, "Office move (Garrow Marine)", None, value=2000,
                     add="2026-11-11T10:00:00Z", update="2026-11-12T10:00:00Z",
                     person_id=_person(sb, "Omar Moreau", None))
        night2 = await plan(sb, tmp_path, tmp_path / "p2", since_last=True)
        groups = [(g.band, g.member_ids, g.reasons) for g in night2.result.groups]
        assert [(b, m) for b, m, _ in groups] == [("duplicate", (first, third))], groups
