"""A row whose new person was refused (``addPerson`` 400, its organization merged away)
while another row was following that same organization to its survivor is sent once more
to the survivor, its person made there (x37r3 F1); before, the resolver kept the person's
refusal and the row failed for good (``attempts=1``) while its neighbours followed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import JobStore
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    UPSERT_FAST,
    deal_links,
    engine_config,
    read_csv,
    upsert_contacts_mapping,
    upsert_files,
)

pytestmark = pytest.mark.anyio
# R1 makes "Org Zero", R2 "Org Nine"; R3 and R4 each make a person at Org Zero
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org Zero"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Nine"),
        ("R3", "Deal 3", "300", "Cy 3", "cy3@ex3.com", "Org Zero"),
        ("R4", "Deal 4", "300", "Cy 4", "cy4@ex3.com", "Org Zero")]
WAIT = 20.0  # seconds at most any gate waits (a failure, never a hang)


def _orgs(sb: Sandbox, name: str) -> list[int]:
    return [o["id"] for o in sb.state.table("organization").rows.values()
            if o["name"] == name and not o["is_deleted"]]


class _Ordered:
    """A transport over the sandbox ordering the race: Cy 3's and Cy 4's first addPerson
    wait for each other and leave after Org Zero is merged into Org Nine, or deleted (both
    refused);
    Cy 4's refusal is handed back only once Cy 3 has followed Org Zero and sent its
    person again (its second addPerson)."""

    def __init__(self, sb: Sandbox, deleted: bool) -> None:
        from bulk.transport import AiohttpTransport

        self.inner, self.sb, self.deleted = AiohttpTransport(), sb, deleted
        self.sent: dict[str, int] = {}
        self.both, self.followed, self.nine = anyio.Event(), anyio.Event(), anyio.Event()
        self.merged: list[tuple[int, int]] = []

    async def send(self, request: Any) -> Any:
        name = None
        if request.operation in ("addPerson", "addOrganization") and request.body:
            name = json.loads(request.body).get("name")
        if name not in ("Cy 3", "Cy 4"):
            answer = await self.inner.send(request)
            if name == "Org Nine":  # R2's org made
                self.nine.set()
            return answer
        n = self.sent[name] = self.sent.get(name, 0) + 1
        if n == 1:
            if len(self.sent) == 2:
                self.both.set()
            with anyio.move_on_after(WAIT):
                await self.both.wait()
                await self.nine.wait()
            if not self.merged and (zero := _orgs(self.sb, "Org Zero")) \
                    and (nine := _orgs(self.sb, "Org Nine")):
                if self.deleted:
                    row = self.sb.state.table("organization").rows[zero[0]]
                    self.sb.state.save("organization", {**row, "is_deleted": True})
                else:
                    merge(self.sb.state, "organization", zero[0], {"merge_with_id": nine[0]})
                self.merged.append((zero[0], nine[0]))
        elif name == "Cy 3":
            self.followed.set()
        answer = await self.inner.send(request)
        if name == "Cy 4" and n == 1:
            with anyio.move_on_after(WAIT):
                await self.followed.wait()
        return answer

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize("deleted", [False, True], ids=["merged", "deleted"])
async def test_a_person_refused_while_another_row_follows_its_org_is_made_where_it_went(
        tmp_path: Path, deleted: bool) -> None:
    """Org Zero merged into Org Nine (or deleted) while R3's and R4's new persons are sent
    with it: R3 follows it, R4's refusal is handed back after that follow. Both rows are
    done, linked to Org Nine (or to the one Org Zero made again), their persons made there
    (before: R4 failed ``person 'Cy 4' could not be created: 400 org_id: organization N not
    found``)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, ROWS,
                                         upsert_contacts_mapping(), "f.csv")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="upsert", create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs", max_workers=2)
        store = JobStore.create(tmp_path / "jobs" / "job", job_id="job", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        transport = _Ordered(sb, deleted)
        try:
            result = await import_job(store, ImportJob(store, settings, ""),
                                      Mapping.load(mapping), config, sb.token,
                                      say=lambda line: None, transport=transport)
            store.set_status("stopped" if result.stopped else "finished")
            ImportJob(store, settings, "").after_run(store, result)
            assert transport.merged and transport.followed.is_set(), transport.sent
            failed = read_csv(store.directory / "failed.csv")
            assert not failed, failed
            assert transport.sent == {"Cy 3": 2, "Cy 4": 2}, transport.sent
            rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
            again = _orgs(sb, "Org Zero")
            assert len(again) == int(deleted), again  # merged: none; deleted: made once
            nine = again[0] if deleted else transport.merged[0][1]
            assert [deal_links(sb, int(rows[k]["deal_id"]))[1] for k in ("R3", "R4")] \
                == [nine, nine], rows
            people = {p["name"]: p for p in sb.state.table("person").rows.values()
                      if not p["is_deleted"]}
            assert {people["Cy 3"]["org_id"], people["Cy 4"]["org_id"]} == {nine}
        finally:
            store.close()
