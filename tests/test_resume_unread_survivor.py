"""f40a: a resume through the engine alone (a library user's ``Engine.run`` of a stopped
import, no ``before_resume`` re-read) made a copy of a person another run made for a key
and a colleague merged into one of another name while the job was stopped: the claim,
settled before the resume began, was not looked for a survivor (a fresh job's plan reads
such a record gone and prices it made again; a resume without the re-read priced
nothing and knew nothing newer than its load). It links the survivor, as the CLI's
re-read makes it, and its last lines name the read."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import JobStore
from jobs.import_resolve import made_contacts
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    UPSERT_FAST,
    deal_links,
    engine_config,
    read_csv,
    resume_job,
    upsert_contacts_mapping,
    upsert_files,
)

pytestmark = pytest.mark.anyio
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org Zero"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Zero"),
        *((f"R{n}", f"Deal {n}", "300", "Cy Doe", "cy@ex3.com", "Org Zero") for n in (3, 4))]


def _persons(sb: Any, name: str) -> list[int]:
    return [p["id"] for p in sb.state.table("person").rows.values()
            if p["name"] == name and not p["is_deleted"]]


@pytest.mark.parametrize("reread", [False, True])
async def test_a_resume_without_the_re_read_links_the_survivor_of_another_runs_person(
        tmp_path: Path, reread: bool) -> None:
    """The run stops after R2; meanwhile another run (its claim) made Cy and a colleague
    merged Cy into Ned (who holds Cy's e-mail now); the resume, with or without the
    re-read, links R3-R4 to Ned: no second Cy with the same e-mail."""
    from bulk.claims import acquire
    from jobs.import_load import import_job, summary_lines
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, ROWS,
                                         upsert_contacts_mapping(), "f.csv")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="upsert", create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs", max_workers=1)
        store = JobStore.create(tmp_path / "jobs" / "job", job_id="job", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        runners: list[Any] = []
        execute, made = kind.execute, []

        async def other_run_after_r2(ctx: Any, item: Any) -> Any:
            out = await execute(ctx, item)
            if item.key == "R2":
                bob = sb.state.table("person").rows[_persons(sb, "Bob Roe")[0]]
                base = {k: v for k, v in bob.items() if k != "id"}
                now = sb.state.now_iso()
                cy, ned = sb.state.load("person", [
                    {**base, "name": "Cy Doe", "phones": [], "add_time": now,
                     "update_time": now,
                     "emails": [{"value": "cy@ex3.com", "primary": True, "label": "work"}]},
                    {**base, "name": "Ned Old", "phones": [], "org_id": None,
                     "add_time": now, "update_time": now,
                     "emails": [{"value": "ned@old.com", "primary": True, "label": "work"}]}])
                made.extend((cy, ned))
                ref = next(i for i in store.items() if i.key == "R3").payload["person"]
                got = await acquire(kind.claims, kind.resolver._name(("person", ref["key"])),
                                    60.0, tag="job-a")
                await kind.claims.release(got, {"id": cy, "job": "job-a", "at": time.time()})
                merge(sb.state, "person", cy, {"merge_with_id": ned})
                runners[0].request_stop()
            return out

        kind.execute = other_run_after_r2  # type: ignore[method-assign]
        result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                                  say=lambda line: None, on_engine=runners.append)
        assert result.stopped
        store.set_status("stopped")
        kind.after_run(store, result)
        store.close()
        store, _ = await resume_job(sb, tmp_path / "jobs" / "job", reread=reread)
        try:
            cy, ned = made
            done = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
            assert not read_csv(store.directory / "failed.csv")
            assert _persons(sb, "Cy Doe") == [], done  # no copy of the merged-away Cy
            assert [deal_links(sb, int(done[f"R{n}"]["deal_id"]))[0]
                    for n in (3, 4)] == [ned, ned], done
            assert ned not in made_contacts(store)["person"]
            if not reread:  # the survivor's read, no plan's, is named where spend is read
                assert f"person {cy} merged away since: linked to its survivor person " \
                    f"{ned}" in done["R3"]["note"], done["R3"]
                lines = summary_lines(store, {"summary": store.directory / "summary.json"})
                assert any("getPersons" in line or "tokens of reads" in line
                           for line in lines), lines
        finally:
            store.close()
