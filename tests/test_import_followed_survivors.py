"""A person / organization the run itself made, then merged away (into a record of another
name) or deleted by a colleague — mid-run, or between a stop and the resume — is followed
to where it went by a deal the job linked to it (x37r1 F1, F2): its later rows go to the
merge survivor (never the dead id again, never a copy by name), or, deleted, to one record
made again; before, every later row failed ``400 org_id: organization N not found`` and a
resume made a copy of the merged-away organization."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import ItemState, JobStore
from jobs.import_resolve import contact_ids, made_contacts
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
# R1 makes "Org Zero", R2 "Org Nine"; the colleague acts once R2 is done; R3-R6 name Org Zero
ROWS = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org Zero"),
        ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Nine"),
        *((f"R{n}", f"Deal {n}", "300", f"Cy {n}", f"cy{n}@ex3.com", "Org Zero")
          for n in range(3, 7))]


async def _run(sb: Sandbox, tmp: Path, rows: list[tuple[str, ...]], colleague: Callable[[], None],
               *, email: bool = True, stop: bool = False) -> tuple[JobStore, dict[str, Any]]:
    """An upsert of ``rows`` at one worker, ``colleague()`` done once R2 is done (and the
    run stopped there, ``stop``): the open store and succeeded.csv by key."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    manifest, mapping = upsert_files(tmp, UPSERT_CONTACTS_HEADER, rows,
                                     upsert_contacts_mapping(email), "f.csv")
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                              create_key_field=True)
    config = engine_config(sb, tmp / "jobs", max_workers=1)
    store = JobStore.create(tmp / "jobs" / "job", job_id="job", kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings, "")
    runners: list[Any] = []
    execute = kind.execute

    async def once_r2_done(ctx: Any, item: Any) -> Any:
        out = await execute(ctx, item)
        if item.key == "R2":
            colleague()
            if stop:
                runners[0].request_stop()
        return out

    kind.execute = once_r2_done  # type: ignore[method-assign]
    result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                              say=lambda line: None, on_engine=runners.append)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)
    return store, {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}


async def _run_before(sb: Sandbox, tmp: Path, rows: list[tuple[str, ...]], key: str,
                      before: Callable[[Any, Any], Awaitable[None]]
                      ) -> tuple[JobStore, dict[str, Any]]:
    """An upsert of ``rows`` at one worker, ``before(kind, item)`` awaited once, before the
    row of ``key`` is first executed: the open store and succeeded.csv by key."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    manifest, mapping = upsert_files(tmp, UPSERT_CONTACTS_HEADER, rows,
                                     upsert_contacts_mapping(), "f.csv")
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                              create_key_field=True)
    config = engine_config(sb, tmp / "jobs", max_workers=1)
    store = JobStore.create(tmp / "jobs" / "job", job_id="job", kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings, "")
    execute, done = kind.execute, []

    async def hooked(ctx: Any, item: Any) -> Any:
        if item.key == key and not done:
            done.append(item.key)
            await before(kind, item)
        return await execute(ctx, item)

    kind.execute = hooked  # type: ignore[method-assign]
    result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                              say=lambda line: None)
    store.set_status("stopped" if result.stopped else "finished")
    kind.after_run(store, result)
    return store, {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}


def _orgs(sb: Sandbox, name: str) -> list[int]:
    return [o["id"] for o in sb.state.table("organization").rows.values()
            if o["name"] == name and not o["is_deleted"]]


def _calls(sb: Sandbox) -> dict[str, int]:
    seen = sb.stats()["requests_by_operation"]
    return {op: int(seen.get(op, 0)) for op in ("addDeal", "addPerson", "addOrganization",
                                                "getDeal", "getOrganization", "getPerson")}


async def test_an_org_the_run_made_merged_mid_run_is_followed(tmp_path: Path) -> None:
    """Org Zero (made by R1) merged into Org Nine (R2's) mid-run: R3-R6 are linked to Org
    Nine, no Org Zero made again, nothing failed, for 1 refused addPerson, 1 getOrganization,
    1 getDeal and 1 getPerson (R1's Ann, made at Org Zero, moved to Org Nine too: the merge's
    witness) (before: R3-R6 failed, each refused twice and read back); the rows after the
    first say so (matched_by ``kept``) and do not count Org Nine as their create."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        def colleague() -> None:
            zero, nine = _orgs(sb, "Org Zero")[0], _orgs(sb, "Org Nine")[0]
            merge(sb.state, "organization", zero, {"merge_with_id": nine})

        store, rows = await _run(sb, tmp_path, ROWS, colleague)
        try:
            assert not read_csv(store.directory / "failed.csv")
            nine = _orgs(sb, "Org Nine")[0]
            assert [deal_links(sb, int(rows[f"R{n}"]["deal_id"]))[1]
                    for n in range(3, 7)] == [nine] * 4, rows
            assert _orgs(sb, "Org Zero") == [], rows
            # R3's person, made at Org Zero, refused once
            assert _calls(sb) == {"addDeal": 6, "addPerson": 7, "addOrganization": 2,
                                  "getDeal": 1, "getOrganization": 1, "getPerson": 1}
            assert "merged away since: linked to its survivor organization " \
                f"{nine}" in rows["R3"]["note"] and "1 getDeal" in rows["R3"]["note"], rows
            assert all(rows[f"R{n}"]["org_matched_by"] == "kept" for n in range(4, 7)), rows
            # x38r3 F7: the run's last lines count the 4 rows followed (before: 0, only
            # rows resolved from their cells were counted)
            from jobs.import_load import META_RUNS, _vanished_line
            runs = store.meta_get(META_RUNS)
            assert [r["claims"].get("vanished_rows") for r in runs] == [4], runs
            assert (_vanished_line(runs) or "").startswith("4 rows resolved again"), runs
            later = [i for i in store.items(ItemState.DONE) if i.key in ("R4", "R5", "R6")]
            assert nine not in contact_ids(later)["org"]  # undo --contacts: not theirs
            assert len(made_contacts(store)["org"]) == 2  # Org Zero and Org Nine
        finally:
            store.close()


async def test_an_org_the_run_made_deleted_mid_run_is_made_again_once(tmp_path: Path) -> None:
    """Org Zero (made by R1) deleted mid-run: R3-R6 are linked to one Org Zero made again
    (before: they failed); both Org Zeros count as the job's creates."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        first: list[int] = []

        def colleague() -> None:
            zero = _orgs(sb, "Org Zero")[0]
            first.append(zero)
            row = sb.state.table("organization").rows[zero]
            sb.state.save("organization", {**row, "is_deleted": True})

        store, rows = await _run(sb, tmp_path, ROWS, colleague)
        try:
            assert not read_csv(store.directory / "failed.csv")
            again = _orgs(sb, "Org Zero")
            assert len(again) == 1 and again != first, again
            assert {deal_links(sb, int(rows[f"R{n}"]["deal_id"]))[1]
                    for n in range(3, 7)} == set(again), rows
            assert _calls(sb)["addOrganization"] == 3
            assert "deleted since" in rows["R3"]["note"], rows["R3"]
            assert {first[0], again[0]} <= made_contacts(store)["org"]
        finally:
            store.close()


def _persons(sb: Sandbox, name: str) -> list[int]:
    return [p["id"] for p in sb.state.table("person").rows.values()
            if p["name"] == name and not p["is_deleted"]]


async def test_a_person_named_by_name_alone_merged_mid_run_is_made_again(
        tmp_path: Path) -> None:
    """Persons by name alone (no e-mail column): Cy (made by R1) merged into Bob (R2's)
    mid-run. R1's deal, the one deal of the job linked to Cy, now names Bob, and nothing
    else ties Bob to Cy (no e-mail or phone to find in him, no second deal): a hand relink
    cannot be told from it, so Cy is made again once, not followed to Bob, and the note
    says so (f38a; before: followed on the one deal's word)."""
    rows = [("R1", "Deal one", "100", "Cy Doe", "", "Org Zero"),
            ("R2", "Deal two", "200", "Bob Roe", "", "Org Zero"),
            *((f"R{n}", f"Deal {n}", "300", "Cy Doe", "", "Org Zero") for n in range(3, 6))]
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        def colleague() -> None:
            merge(sb.state, "person", _persons(sb, "Cy Doe")[0],
                  {"merge_with_id": _persons(sb, "Bob Roe")[0]})

        store, done = await _run(sb, tmp_path, rows, colleague, email=False)
        try:
            assert not read_csv(store.directory / "failed.csv")
            again = _persons(sb, "Cy Doe")
            assert len(again) == 1, done
            assert [deal_links(sb, int(done[f"R{n}"]["deal_id"]))[0]
                    for n in range(3, 6)] == again * 3, done
            assert "merged away or deleted since" in done["R3"]["note"] \
                and "not followed" in done["R3"]["note"], done["R3"]
            # x38r3 F3: R1's deal, settled before, shows the person it holds at the end
            # (Bob, the merge moved it), not the Cy gone (read at the end: its note says so)
            bob = _persons(sb, "Bob Roe")[0]
            assert done["R1"]["person_id"] == str(bob), done["R1"]
            assert f"merged into person {bob} during the run: the deal followed it " \
                "there" in done["R1"]["note"], done["R1"]
            # x50r6 L3: Cy (this job's create) merged away: not "created" beside Bob
            assert done["R1"]["person_matched_by"] == "merged", done["R1"]
        finally:
            store.close()


async def test_a_person_merged_mid_run_is_followed_on_its_e_mail(tmp_path: Path) -> None:
    """Cy (made by R1 with cy@ex3.com) merged into Bob mid-run: Bob holds Cy's e-mail now
    (a merge unites them), the witness beside R1's deal: R3-R5 follow Bob, no Cy made
    again, for 1 getDeal and 1 getPerson."""
    rows = [("R1", "Deal one", "100", "Cy Doe", "cy@ex3.com", "Org Zero"),
            ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Zero"),
            *((f"R{n}", f"Deal {n}", "300", "Cy Doe", "cy@ex3.com", "Org Zero")
              for n in range(3, 6))]
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        def colleague() -> None:
            merge(sb.state, "person", _persons(sb, "Cy Doe")[0],
                  {"merge_with_id": _persons(sb, "Bob Roe")[0]})

        store, done = await _run(sb, tmp_path, rows, colleague)
        try:
            assert not read_csv(store.directory / "failed.csv")
            bob = _persons(sb, "Bob Roe")[0]
            assert [deal_links(sb, int(done[f"R{n}"]["deal_id"]))[0]
                    for n in range(3, 6)] == [bob] * 3, done
            assert _persons(sb, "Cy Doe") == [], done
            assert "1 getDeal, 1 getPerson" in done["R3"]["note"], done["R3"]
        finally:
            store.close()


async def test_a_deal_relinked_by_hand_is_not_followed(tmp_path: Path) -> None:
    """f38a: a colleague relinks R1's deal by hand to Org Nine (no merge) and deletes Org
    Zero, which R1 made: R3-R6 are linked to one Org Zero made again, not to Org Nine (R1's
    Ann, made at Org Zero, did not move: no merge); before, every later row followed Org
    Nine on that one deal's word."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        first: list[int] = []

        def colleague() -> None:
            zero, nine = _orgs(sb, "Org Zero")[0], _orgs(sb, "Org Nine")[0]
            first.append(zero)
            deals = sb.state.table("deal").rows
            r1 = next(d for d in deals.values() if d["title"] == "Deal one")
            sb.state.save("deal", {**r1, "org_id": nine})
            org = sb.state.table("organization").rows[zero]
            sb.state.save("organization", {**org, "is_deleted": True})

        store, rows = await _run(sb, tmp_path, ROWS, colleague)
        try:
            assert not read_csv(store.directory / "failed.csv")
            nine, again = _orgs(sb, "Org Nine")[0], _orgs(sb, "Org Zero")
            assert len(again) == 1 and again != first, again
            assert {deal_links(sb, int(rows[f"R{n}"]["deal_id"]))[1]
                    for n in range(3, 7)} == set(again) != {nine}, rows
            assert "not followed" in rows["R3"]["note"], rows["R3"]
            assert {first[0], again[0]} <= made_contacts(store)["org"]
        finally:
            store.close()


async def test_two_deals_moved_to_one_record_tell_a_merge(tmp_path: Path) -> None:
    """Org Zero holds R1's and R2's deals, then is merged into Org Nine (made by R0): both
    deals moved there tell the merge, no witness read (1 refused addPerson, 2 getDeal, no
    getPerson): R3-R6 follow Org Nine."""
    rows = [("R0", "Deal zero", "50", "Dee Nine", "dee@ex9.com", "Org Nine"),
            ("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org Zero"),
            ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Zero"),
            *((f"R{n}", f"Deal {n}", "300", f"Cy {n}", f"cy{n}@ex3.com", "Org Zero")
              for n in range(3, 7))]
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        def colleague() -> None:
            merge(sb.state, "organization", _orgs(sb, "Org Zero")[0],
                  {"merge_with_id": _orgs(sb, "Org Nine")[0]})

        store, done = await _run(sb, tmp_path, rows, colleague)
        try:
            assert not read_csv(store.directory / "failed.csv")
            nine = _orgs(sb, "Org Nine")[0]
            assert [deal_links(sb, int(done[f"R{n}"]["deal_id"]))[1]
                    for n in range(3, 7)] == [nine] * 4, done
            assert _orgs(sb, "Org Zero") == [], done
            assert (_calls(sb)["getDeal"], _calls(sb)["getPerson"]) == (2, 0)
            assert "both moved there" in done["R3"]["note"], done["R3"]
        finally:
            store.close()


async def test_a_resume_follows_an_org_merged_while_the_job_was_stopped(
        tmp_path: Path) -> None:
    """x37r1 F2: the run stopped after R2, Org Zero (R1's) merged into Org Nine, then the
    resume: R3-R6 go to Org Nine, no Org Zero made again (before: a new Org Zero, the later
    deals on it, the earlier on the survivor)."""
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        def colleague() -> None:
            zero, nine = _orgs(sb, "Org Zero")[0], _orgs(sb, "Org Nine")[0]
            merge(sb.state, "organization", zero, {"merge_with_id": nine})

        store, _ = await _run(sb, tmp_path, ROWS, colleague, stop=True)
        directory = store.directory
        assert store.counts()[ItemState.PENDING] > 0
        store.close()
        store, _ = await resume_job(sb, directory, reread=True)
        try:
            assert not read_csv(directory / "failed.csv")
            rows = {r["key"]: r for r in read_csv(directory / "succeeded.csv")}
            nine = _orgs(sb, "Org Nine")[0]
            assert [deal_links(sb, int(rows[f"R{n}"]["deal_id"]))[1]
                    for n in range(3, 7)] == [nine] * 4, rows
            assert _orgs(sb, "Org Zero") == [], rows
            assert _calls(sb)["addOrganization"] == 2
            assert "merged away since: linked to its survivor" in rows["R3"]["note"], rows
            # x39r2 F5: the reads that told it (before the resume) are in the run's line on
            # the rows resolved again (before: "0 tokens of reads" beside "read: getDeal 1")
            from jobs.import_load import META_RUNS
            runs = store.meta_get(META_RUNS)
            assert runs[-1]["claims"].get("vanished_rows"), runs
            assert runs[-1]["claims"].get("vanished_tokens", 0) >= 1, runs
        finally:
            store.close()


async def test_many_vanished_records_are_told_by_one_list_read() -> None:
    """A resume that finds more than ``LIST_PAYS`` deals to read reads them 100 a call
    (one getDeals, 10 tokens, not a getDeal each): two deals linked to one record now
    tell a merge, one still naming the record a delete, two on two records a relink by
    hand (not followed), deals gone tell nothing."""
    from jobs.importing.survivors import LIST_PAYS, Seen, went_many

    deals = {rid: [Seen(100 + rid), Seen(200 + rid)] for rid in range(1, LIST_PAYS + 3)}
    sent: list[str] = []
    lost = 1 + LIST_PAYS

    class Ctx:
        async def call(self, op: str, **kw: Any) -> Any:
            sent.append(op)

            def org(d: int) -> int:
                rid = d % 100
                return 99 if rid % 3 == 0 else rid if rid % 3 == 1 else 90 + d // 100
            data = [{"id": d, "org_id": org(d)} for d in kw["params"]["ids"] if d % 100 != lost]
            return type("Res", (), {"data": data})()

    where = await went_many(Ctx(), "org", deals)  # type: ignore[arg-type]
    assert sent == ["getDeals"]
    assert [where[r].survivor for r in (2, 3, 4)] == [None, 99, None]
    assert where[2].untold and "relinked by hand" in where[2].why, where[2]
    assert "still names it" in where[4].why and not where[4].untold
    assert "no deal" in where[lost].why


async def test_another_job_making_the_key_links_the_survivor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """f38a 2: job A follows Org Zero, which it made, merged mid-run into Org Nine; job B
    (another import of the account, from another state folder, the claims shared on
    Redis) then makes Org Zero for its row: the key's claim names the survivor now (A
    passed it on), so B links Org Nine — no Org Zero made again, not counted as B's create
    (before: the claim named the dead Org Zero, B read it, found it deleted and made a
    copy)."""
    import jobs.importing.base as importing  # where ImportJob.claims looks up open_claims
    from bulk.claims_redis import RedisClaims
    from tests.import_support import upserted
    from tests.redis_helpers import running_redis

    with running_redis() as server:
        monkeypatch.setattr(importing, "open_claims",
                            lambda *a, **_: RedisClaims(server.url, "co"))
        async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
            def colleague() -> None:
                zero, nine = _orgs(sb, "Org Zero")[0], _orgs(sb, "Org Nine")[0]
                merge(sb.state, "organization", zero, {"merge_with_id": nine})

            store, _ = await _run(sb, tmp_path, ROWS, colleague)
            store.close()
            other = tmp_path / "b"
            other.mkdir()
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "other-state"))
            manifest, mapping = upsert_files(other, UPSERT_CONTACTS_HEADER,
                                             [("R7", "Deal 7", "700", "Eve Fox",
                                               "eve@ex7.com", "Org Zero")],
                                             upsert_contacts_mapping(), "b.csv")
            rows = await upserted(sb, other, manifest, mapping, "job-b")
            nine = _orgs(sb, "Org Nine")[0]
            assert deal_links(sb, int(rows["R7"]["deal_id"]))[1] == nine, rows
            # x38r3 F4: said so, not "created" (before: the colleague's survivor shown as
            # this job's create)
            assert rows["R7"]["org_matched_by"] == "kept", rows
            assert f"linked to its survivor organization {nine} (another run followed " \
                "it there)" in rows["R7"]["note"], rows
            assert _orgs(sb, "Org Zero") == [], rows
            b = JobStore.open(other / "jobs" / "job-b")
            try:
                assert nine not in made_contacts(b)["org"]
            finally:
                b.close()


async def test_a_person_another_run_made_merged_before_this_run_links_it_takes_the_survivor(
        tmp_path: Path) -> None:
    """x38r3 F1: another run (another state folder on one coordinator) made Cy, whose
    claim names it, and a colleague merged Cy into Ned (of another name; he holds Cy's
    e-mail now) before this run, waiting on that claim, linked it: R3-R4 link Ned, no
    second Cy made with the same e-mail (before: a silent copy, ``person_matched_by``
    ``created``, no note); the rows say so, matched_by ``kept``, Ned not this job's
    create (undo --contacts leaves him), and the claim names Ned now."""
    from bulk.claims import acquire

    rows = [("R1", "Deal one", "100", "Ann Lee", "ann@ex1.com", "Org Zero"),
            ("R2", "Deal two", "200", "Bob Roe", "bob@ex2.com", "Org Zero"),
            *((f"R{n}", f"Deal {n}", "300", "Cy Doe", "cy@ex3.com", "Org Zero")
              for n in (3, 4))]
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        made: list[int] = []

        async def other_run(kind: Any, item: Any) -> None:
            ref = item.payload["person"]
            bob = sb.state.table("person").rows[_persons(sb, "Bob Roe")[0]]
            cy = sb.state.load("person", [{
                **{k: v for k, v in bob.items() if k != "id"}, "name": "Cy Doe",
                "emails": [{"value": "cy@ex3.com", "primary": True, "label": "work"}],
                "phones": [], "add_time": sb.state.now_iso(),
                "update_time": sb.state.now_iso()}])[0]
            made.append(cy)
            ned = sb.state.load("person", [{
                **{k: v for k, v in bob.items() if k != "id"}, "name": "Ned Old",
                "emails": [{"value": "ned@old.com", "primary": True, "label": "work"}],
                "phones": [], "org_id": None, "add_time": sb.state.now_iso(),
                "update_time": sb.state.now_iso()}])[0]
            made.append(ned)
            got = await acquire(kind.claims, kind.resolver._name(("person", ref["key"])),
                                60.0, tag="job-a")
            await kind.claims.release(got, {"id": cy, "job": "job-a"})
            merge(sb.state, "person", cy, {"merge_with_id": ned})

        store, done = await _run_before(sb, tmp_path, rows, "R3", other_run)
        ned = made[1]
        try:
            assert not read_csv(store.directory / "failed.csv")
            assert [deal_links(sb, int(done[f"R{n}"]["deal_id"]))[0]
                    for n in (3, 4)] == [ned, ned], done
            assert _persons(sb, "Cy Doe") == [], done
            assert [done[f"R{n}"]["person_matched_by"] for n in (3, 4)] == ["kept"] * 2, done
            assert f"person {made[0]} merged away since: linked to its survivor person " \
                f"{ned} (made by another run" in done["R3"]["note"], done["R3"]
            assert "1 getPersons" in done["R3"]["note"], done["R3"]
            assert done["R4"]["note"].endswith(f"linked to its survivor person {ned}"), done
            assert ned not in made_contacts(store)["person"]
        finally:
            store.close()


async def test_a_resume_s_plan_after_the_re_read_prices_the_end_of_run_links_read(
        tmp_path: Path) -> None:
    """The run stopped after R2, Org Zero (R1's) deleted, then the resume: its re-read
    finds Org Zero gone (made again for R3-R6) and the run's end reads R1's deal by id
    (``vanished.links_now``: succeeded.csv's link). The plan after the re-read counts that
    getDeal, so it says what the run spends (before: 1 token under, the read named only
    in the run's last lines)."""
    import re

    from jobs.resuming import kind_of, resumed

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        def colleague() -> None:
            zero = _orgs(sb, "Org Zero")[0]
            row = sb.state.table("organization").rows[zero]
            sb.state.save("organization", {**row, "is_deleted": True})

        store, _ = await _run(sb, tmp_path, ROWS, colleague, stop=True)
        try:
            assert store.counts()[ItemState.PENDING] > 0
            shown: list[str] = []
            before = int(sb.stats()["tokens_spent"])
            calls = dict(sb.stats()["requests_by_operation"])
            await resumed(store, sb.token, kind_of(store), show_plan=shown.append)
            spent = int(sb.stats()["tokens_spent"]) - before
            made = {op: n - calls.get(op, 0)
                    for op, n in sb.stats()["requests_by_operation"].items()
                    if n != calls.get(op, 0)}
            (line,) = [s for s in shown if s.startswith("plan after the re-read:")]
            planned = re.search(r"tokens: ([\d,]+)$", line)
            assert planned is not None, shown
            assert int(planned.group(1).replace(",", "")) == spent, f"{line} {made}"
        finally:
            store.close()
