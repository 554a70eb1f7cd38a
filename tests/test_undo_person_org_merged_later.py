"""An organization merged away after `undo --contacts` was planned — at its prompt, or
before a resume — moves the import's persons in it to the survivor (x40r1 F2): the
person's only change is that link, as when the same merge comes before the plan, where
the person is deleted. The run's read right before each delete, and the re-check of a
resume, compared ``update_time`` only, so such persons were conflicts, "changed since this
undo was planned", and left behind (2 of 2). Now a person whose organization the plan saw
was merged into the one it is in, nothing else changed, is deleted, the row saying why; an
edit besides is still a conflict."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest

from bulk.engine import Engine, EngineConfig
from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.contacts import create_org
from bulk.sandbox.merge import merge
from jobs.api import kind_for
from jobs.undo.moved import MERGE_READS
from tests.import_support import read_csv
from tests.test_undo import undoer
from tests.test_undo_merged_org import _later
from tests.test_undo_merges_one_second import _import, _one_second
from tests.update_support import load_job, run_job


@pytest.mark.anyio
@pytest.mark.parametrize("resumed", [False, True])
async def test_persons_of_an_org_merged_after_the_plan_are_deleted_not_conflicts(
        tmp_path: Path, resumed: bool) -> None:
    """Org One (the import's: Person 1, Person 2) merged into Acme after the plan; Person 2
    also renamed. The run (or a resume's re-check first) deletes Person 1 — its row says the
    merge moved it — and leaves Person 2, a conflict (before: both conflicts); the merge's
    reads are named under MERGE_READS."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=61)) as sb:
        source, rows = await _import(sb, tmp_path)
        acme = create_org(sb.state, {"name": "Acme"})["id"]
        one = int(rows["A-1"]["org_id"])
        p1, p2 = int(rows["A-1"]["person_id"]), int(rows["A-2"]["person_id"])
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert not [i.error for i in plan.items if i.error]
        with _later(sb, 2.0):
            merge(sb.state, "organization", one, {"merge_with_id": acme})
        with _later(sb, 3.0):
            persons = sb.state.persons.rows
            persons[p2] = {**persons[p2], "name": "Person 2 (renamed)",
                           "update_time": sb.state.now_iso()}
        assert persons[p1]["org_id"] == acme
        kind = kind_for(undo)
        if resumed:
            config = EngineConfig.from_json(undo.config["engine"])
            async with Engine.open(config, sb.token, store=undo) as eng:
                lines = await kind.before_resume(eng.ctx, undo)  # type: ignore[attr-defined]
            assert any("1 changed since the undo was planned" in line for line in lines), lines
        with _later(sb, 4.0):
            await run_job(sb, undo, kind=kind)
        assert sb.state.persons.rows[p1]["is_deleted"]  # before: left, a conflict
        assert not sb.state.persons.rows[p2]["is_deleted"]  # a colleague's edit: kept
        for key in ("A-3", "A-4"):
            assert sb.state.persons.rows[int(rows[key]["person_id"])]["is_deleted"], key
        done = {i.key: i for i in undo.items()}
        assert f"its organization {one} was merged into organization {acme} after this " \
            "undo was planned" in done[f"person {p1}"].result["note"], done[f"person {p1}"]
        assert "changed since this undo was planned" in (done[f"person {p2}"].error or "")
        failed = {r["key"]: r for r in read_csv(undo.directory / "failed.csv")}
        assert list(failed) == [f"person {p2}"], failed
        assert undo.meta_get(MERGE_READS), undo.meta_get(MERGE_READS)
        summary = orjson.loads((undo.directory / "summary.json").read_bytes())
        assert summary["contacts"]["persons"]["deleted"] == 5, summary["contacts"]
        assert summary["merged_after_plan"]["persons"] == 1, summary["merged_after_plan"]
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_two_orgs_merged_in_one_second_after_the_plan_free_their_persons(
        tmp_path: Path) -> None:
    """Org One into Acme and Org Two into Globex in one second, at the prompt: each
    person is traced by the import's persons on its organization (F1 and F2 at once)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=62)) as sb:
        source, rows = await _import(sb, tmp_path)
        acme = create_org(sb.state, {"name": "Acme"})["id"]
        globex = create_org(sb.state, {"name": "Globex"})["id"]
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert not [i.error for i in plan.items if i.error]
        with _one_second(sb):
            merge(sb.state, "organization", int(rows["A-1"]["org_id"]), {"merge_with_id": acme})
            merge(sb.state, "organization", int(rows["A-3"]["org_id"]),
                  {"merge_with_id": globex})
        await run_job(sb, undo)
        for key, row in rows.items():
            assert sb.state.persons.rows[int(row["person_id"])]["is_deleted"], key
            assert sb.state.deals.rows[int(row["deal_id"])]["is_deleted"], key
        assert not read_csv(undo.directory / "failed.csv")
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_an_undo_planned_before_the_org_was_kept_judges_by_the_jobs_orgs(
        tmp_path: Path) -> None:
    """A delete planned before ``seen_org_id`` was kept (an undo planned by an older
    pdbulk, resumed now): the person's organization then is one of the job's
    organizations, tried each; Person 1 is deleted all the same."""
    from jobs.deals import contact_digest

    def older(record: Mapping[str, Any]) -> dict[str, Any]:
        return {"expected_update_time": record.get("update_time"),
                "digest": contact_digest(record)}
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=63)) as sb:
        source, rows = await _import(sb, tmp_path)
        acme = create_org(sb.state, {"name": "Acme"})["id"]
        with mock.patch("jobs.undo.plan.contact_seen", older):
            undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        assert not [i for i in plan.items if "seen_org_id" in i.payload]
        with _later(sb, 2.0):
            merge(sb.state, "organization", int(rows["A-1"]["org_id"]), {"merge_with_id": acme})
        with _later(sb, 4.0):
            await run_job(sb, undo)
        for key, row in rows.items():
            assert sb.state.persons.rows[int(row["person_id"])]["is_deleted"], key
        assert not read_csv(undo.directory / "failed.csv")
        undo.close()
        source.close()


@pytest.mark.anyio
async def test_persons_in_a_colleagues_org_merged_before_the_plan_are_deleted(
        tmp_path: Path) -> None:
    """Org One is a colleague's, found by name by the import, which made Person 1 and 2 in
    it; Org One is merged into Globex before the plan. Their only change is that link:
    the plan deletes them (before: "changed (edited, or another merged into it)", left)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=64)) as sb:
        theirs = create_org(sb.state, {"name": "Org One"})["id"]
        source, rows = await _import(sb, tmp_path)
        assert int(rows["A-1"]["org_id"]) == theirs
        globex = create_org(sb.state, {"name": "Globex"})["id"]
        with _later(sb, 2.0):
            merge(sb.state, "organization", theirs, {"merge_with_id": globex})
        with _later(sb, 3.0):
            undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
            assert not [i.error for i in plan.items if i.error]
            await run_job(sb, undo)
        for key, row in rows.items():
            assert sb.state.persons.rows[int(row["person_id"])]["is_deleted"], key
        assert not sb.state.orgs.rows[globex]["is_deleted"]
        undo.close()
        source.close()
