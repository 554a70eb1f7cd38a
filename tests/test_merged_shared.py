"""The merge record (``jobs.merged_deals``) is shared through the Redis coordinator: an import
on another machine (another state folder, the same Redis) knows the merges made here and
never creates a merged-away deal again (f29e left). A real redis-server, the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.journal import DualJournal, LocalJournal, RedisJournal, journal_key
from bulk.sandbox import SandboxConfig, serve
from jobs.api import merge_deals, run_job
from jobs.merged_deals import FILE, JOURNAL, survivors
from tests.import_support import engine_config, import_once, read_csv, sandbox_deals
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]

MAPPING = """
version = 1
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
value = "value"
"""


@pytest.mark.anyio
async def test_a_merge_on_one_machine_is_known_to_an_import_on_another(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machine A (state folder A) imports D1, D2 and merges D2's deal into D1's, both under
    the shared coordinator; machine B (state folder B, same Redis) imports the same file:
    D2 is reported merged into D1's deal, nothing is created (before: B read only its own
    empty record, and D2 was created again). Redis holds no token, nor does the state
    folder's record or its memo of the shared one."""
    import redis

    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    machine_a, machine_b = tmp_path / "state-a", tmp_path / "state-b"
    manifest = tmp_path / "deals.csv"
    manifest.write_text("id,title,value\nD1,Acme renewal,100\nD2,Acme renewal,100\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=3)) as sb:
        ids = await _imported_and_merged_on_a(sb, tmp_path, manifest, mapping, [("D2", "D1")],
                                              monkeypatch)
        assert (machine_a / FILE).exists()

        monkeypatch.setenv("PDBULK_STATE_DIR", str(machine_b))
        store, _, _ = await import_once(sb, tmp_path / "jobs-b", manifest, mapping,
                                        job_id="i2", create_key_field=False)
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert rows["D2"]["action"] == "merged", rows
        assert int(rows["D2"]["deal_id"]) == ids["D1"]
        assert [d["id"] for d in sandbox_deals(sb) if d["title"] == "Acme renewal"] == [ids["D1"]]
        assert not (machine_b / FILE).exists()  # B learned it from Redis alone
        for path in (machine_a / FILE, machine_a / f"{FILE}.shared", machine_b / f"{FILE}.shared"):
            if path.exists():  # the local record and what the folder remembers of Redis
                assert sb.token not in path.read_text(), path
        assert (machine_a / f"{FILE}.shared").exists()

        client = redis.Redis.from_url(redis_server.url)
        try:
            keys = list(client.scan_iter(count=1000))
            assert any(k.decode().endswith(f":journal:{JOURNAL}") for k in keys), keys
            for key in keys:
                kind = client.type(key).decode()
                held = (client.lrange(key, 0, -1) if kind == "list" else
                        list(client.hgetall(key).items()) if kind == "hash" else
                        client.zrange(key, 0, -1) if kind == "zset" else
                        [client.get(key)] if kind == "string" else [])
                text = repr((key, held))
                assert sb.token not in text, key
        finally:
            client.close()


def test_the_dual_journal_appends_to_both_and_reads_both(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """What one machine appends, another machine's journal (its own folder, the same Redis)
    reads; a machine without the coordinator reads its own folder only."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "a"))
    a = DualJournal(LocalJournal(JOURNAL), RedisJournal(redis_server.url, "7", JOURNAL))
    a.append([{"account": "http://x", "merged": 2, "into": 1, "job": "m", "applied": True}])
    a.close()
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "b"))
    assert LocalJournal(JOURNAL).entries() == []
    b = RedisJournal(redis_server.url, "7", JOURNAL)
    assert [e["merged"] for e in b.entries()] == [2]
    assert RedisJournal(redis_server.url, "8", JOURNAL).entries() == []  # another company
    b.close()
    assert journal_key("7", JOURNAL) == f"pdbulk:c:7:journal:{JOURNAL}"
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    from bulk.coordinator import bind_company

    bind_company("7")
    try:
        assert survivors("http://x")[2].survivor == 1
    finally:
        bind_company(None)


def _flushdb(server: RedisServer) -> None:
    """Redis restarted empty: this test's own server's db emptied (never the shared one)."""
    import redis

    client = redis.Redis.from_url(server.url)
    try:
        client.flushdb()
    finally:
        client.close()


async def _imported_and_merged_on_a(
        sb: Any, tmp_path: Path, manifest: Path, mapping: Path, merges: list[tuple[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Machine A (state folder ``state-a``) imports ``manifest`` and merges each
    (merged-away key, survivor key) of ``merges``; asserts every merge done. Returns the
    deal id of each key."""
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-a"))
    store, _, _ = await import_once(sb, tmp_path / "jobs-a", manifest, mapping, job_id="i1")
    ids = {r["key"]: int(r["deal_id"]) for r in read_csv(store.directory / "succeeded.csv")}
    store.close()
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n" + "".join(
        f"{ids[away]},{ids[survivor]}\n" for away, survivor in merges))
    finished = await run_job(engine_config(sb, tmp_path / "jobs-a"), sb.token,
                             merge_deals(pairs))
    assert finished.status == "finished" and finished.counts == {"done": len(merges)}
    return ids



def test_a_machine_puts_back_what_redis_lost_once_and_its_own_company_only(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """Redis emptied under a shared merge record: the next open through the coordinator on
    the machine that shared it puts its entries back, each once however often it is opened,
    and says so; entries shared under another company, or made without a coordinator,
    stay local (before: the list stayed empty, and another machine's import created the
    merged-away deals again)."""
    from bulk.coordinator import bind_company
    from bulk.journal import open_journal

    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "a"))
    a = DualJournal(LocalJournal(JOURNAL), RedisJournal(redis_server.url, "7", JOURNAL))
    a.append([{"account": "http://x", "merged": m, "into": m + 10, "job": "m",
               "applied": True} for m in range(1, 11)])
    a.close()
    LocalJournal(JOURNAL).append([{"account": "http://x", "merged": 99, "into": 98, "job": "u"},
                                  {"account": "http://x", "merged": 97, "into": 96, "job": "o",
                                   "company": "8"}])
    _flushdb(redis_server)
    shared = RedisJournal(redis_server.url, "7", JOURNAL)
    assert shared.entries() == []
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    bind_company("7")
    try:
        with caplog.at_level("WARNING", logger="pdbulk.journal"):
            for _ in range(3):  # a merge run opens it once an item
                open_journal(JOURNAL).close()
        assert sorted(e["merged"] for e in shared.entries()) == list(range(1, 11))
        assert [r.getMessage() for r in caplog.records if "put back" in r.getMessage()] == [
            f"the shared coordinator (redis://127.0.0.1:{redis_server.port}/0) lacked 10 of "
            f"the 10 entries this state folder had shared in its journal {JOURNAL} (Redis "
            "restarted empty, flushed or evicted, or another Redis): put back"]
        again = DualJournal(LocalJournal(JOURNAL), RedisJournal(redis_server.url, "7", JOURNAL))
        assert not again.reshare().checked  # the marker unchanged: nothing compared
        assert sorted(e["merged"] for e in again.entries()) == [*range(1, 11), 99]
        again.close()
        _flushdb(redis_server)  # lost again mid-process: the marker is gone with it
        with caplog.at_level("WARNING", logger="pdbulk.journal"):
            open_journal(JOURNAL).close()
        assert sorted(e["merged"] for e in shared.entries()) == list(range(1, 11))
        # a machine with nothing of its own puts nothing back, and the record is not doubled
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "b"))
        open_journal(JOURNAL).close()
        assert len(shared.entries()) == 10
        assert survivors("http://x")[1].survivor == 11
    finally:
        bind_company(None)
        shared.close()


@pytest.mark.anyio
async def test_after_redis_restarted_empty_the_merging_machine_shares_its_record_again(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tester's run: machine A imports and merges M1, M2 into M3, M4 under the
    coordinator; Redis is emptied; A imports the file again; then machine B (a fresh state
    folder) imports it: nothing is created again, the two rows are `merged` (before: A's
    import left the shared record empty, and B created 2 of 2 merged-away deals again)."""
    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    manifest = tmp_path / "deals.csv"
    manifest.write_text("id,title,value\nM1,One,1\nM2,Two,2\nM3,Three,3\nM4,Four,4\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=3)) as sb:
        ids = await _imported_and_merged_on_a(sb, tmp_path, manifest, mapping,
                                              [("M1", "M3"), ("M2", "M4")], monkeypatch)
        _flushdb(redis_server)
        store, _, _ = await import_once(sb, tmp_path / "jobs-a2", manifest, mapping,
                                        job_id="i2", create_key_field=False)
        store.close()
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        store, _, _ = await import_once(sb, tmp_path / "jobs-b", manifest, mapping,
                                        job_id="i3", create_key_field=False)
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert [rows[k]["action"] for k in ("M1", "M2")] == ["merged", "merged"], rows
        assert sorted(d["id"] for d in sandbox_deals(sb)) == sorted([ids["M3"], ids["M4"]])


@pytest.mark.anyio
async def test_a_plan_says_where_the_merges_it_knows_came_from(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the coordinator, machine B (a state folder that merged nothing) plans an import
    that creates rows: its note counts the merge machine A made as read from the shared
    coordinator, not as known to its state folder (before: "this state folder knows 1
    merge ... (merged-deals.jsonl)" on a folder with no such file); A's plan says its own."""
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine

    async def plan(tmp: Path) -> list[str]:
        settings = ImportSettings(str(again), str(mapping), "upsert")
        async with api_engine(sb, tmp) as runner:
            made, _ = await plan_import(runner.ctx, settings, Mapping.load(mapping),
                                        engine_config(sb, tmp).limits(), stats=runner.stats,
                                        scheduler=runner.scheduler.statistics,
                                        base_url=sb.url)
        return [n for n in made.notes if "merge / dedupe" in n]

    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    manifest, again = tmp_path / "deals.csv", tmp_path / "again.csv"
    manifest.write_text("id,title,value\nD1,One,1\nD2,Two,2\n")
    again.write_text("id,title,value\nD1,One,1\nD2,Two,2\nD3,Three,3\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=3)) as sb:
        await _imported_and_merged_on_a(sb, tmp_path, manifest, mapping, [("D2", "D1")],
                                        monkeypatch)
        here = await plan(tmp_path / "p-a")
        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        there = await plan(tmp_path / "p-b")
    assert len(here) == 1 and here[0].startswith(
        "this state folder knows 1 merge on this account"), here
    assert len(there) == 1 and there[0].startswith(
        "1 merge on this account is known (pdbulk merge / dedupe): 0 recorded in this state "
        "folder (merged-deals.jsonl), 1 read from the shared coordinator's Redis (made "
        "through another state folder or machine)"), there


@pytest.mark.anyio
async def test_a_run_that_never_opens_the_record_puts_it_back_with_one_script_call(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Machine A merges M1, M2 into M3, M4 under the coordinator; Redis is emptied; A's next
    run is an insert of new keys (no claim names a deal: it never opens the record); then
    machine B imports the first file: both rows `merged`, nothing created again (before: the
    insert put nothing back, and B created 2 of 2 merged-away deals again). A run start
    where nothing was lost costs the record one script call."""
    import redis

    monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
    manifest, fresh = tmp_path / "deals.csv", tmp_path / "fresh.csv"
    manifest.write_text("id,title,value\nM1,One,1\nM2,Two,2\nM3,Three,3\nM4,Four,4\n")
    fresh.write_text("id,title,value\nN1,New,1\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=3)) as sb:
        ids = await _imported_and_merged_on_a(sb, tmp_path, manifest, mapping,
                                              [("M1", "M3"), ("M2", "M4")], monkeypatch)
        _flushdb(redis_server)
        store, _, _ = await import_once(sb, tmp_path / "jobs-a2", fresh, mapping, job_id="i2",
                                        mode="insert", create_key_field=False)
        company = store.meta_get("company")
        store.close()
        assert isinstance(company, str)
        shared = RedisJournal(redis_server.url, company, JOURNAL)
        try:
            assert sorted(e["merged"] for e in shared.entries()
                          if e.get("applied")) == sorted([ids["M1"], ids["M2"]])
        finally:
            shared.close()

        calls: list[tuple[Any, ...]] = []
        real = redis.Redis.execute_command

        def counted(client: redis.Redis, *args: Any, **options: Any) -> Any:
            calls.append(args)
            return real(client, *args, **options)

        monkeypatch.setattr(redis.Redis, "execute_command", counted)
        fresh.write_text("id,title,value\nN2,New,2\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs-a3", fresh, mapping, job_id="i3",
                                        mode="insert", create_key_field=False)
        store.close()
        assert [c[0] for c in calls] == ["EVALSHA"], calls
        monkeypatch.undo()
        monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)

        monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state-b"))
        store, _, _ = await import_once(sb, tmp_path / "jobs-b", manifest, mapping,
                                        job_id="i4", create_key_field=False)
        rows = {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
        assert [rows[k]["action"] for k in ("M1", "M2")] == ["merged", "merged"], rows
        assert sorted(d["id"] for d in sandbox_deals(sb) if d["title"] != "New") == sorted(
            [ids["M3"], ids["M4"]])


def test_entries_an_older_version_recorded_without_a_company_are_shared_by_their_job(
        tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record written before entries carried the company (f30f's first sharing commit):
    after Redis is emptied, a coordinated run of company 7 stamps and puts back the entries
    whose job's store recorded company 7, once; an entry whose job ran for company 8 is
    not shared under 7 nor read by 7 once stamped for 8; one whose job is unknown stays
    local and read by all, as before (before: none was ever put back, 0 of 2)."""
    from bulk.journal import of_company, reshare_all
    from bulk.store import JobStore

    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "a"))
    jobs = tmp_path / "jobs"
    for job, company in (("m7a", "7"), ("m7b", "7"), ("m8", "8"), ("m-none", None)):
        store = JobStore.create(jobs / job, job_id=job, kind="merge", config={})
        if company is not None:
            store.meta_put("company", company)
        store.close()
    old = [{"account": "http://x", "merged": 1, "into": 11, "job": "m7a", "at": 1.0},
           {"account": "http://x", "merged": 1, "into": 11, "job": "m7a", "at": 1.0,
            "applied": True},
           {"account": "http://x", "merged": 2, "into": 12, "job": "m7b", "at": 2.0,
            "applied": True},
           {"account": "http://x", "merged": 3, "into": 13, "job": "m8", "at": 3.0,
            "applied": True},
           {"account": "http://x", "merged": 4, "into": 14, "job": "m-none", "at": 4.0},
           {"account": "http://x", "merged": 5, "into": 15, "job": "gone", "at": 5.0}]
    LocalJournal(JOURNAL).append(old)
    import bulk.journal

    read: list[object] = []
    real = bulk.journal.job_company
    monkeypatch.setattr(bulk.journal, "job_company",
                        lambda root, job: read.append(job) or real(root, job))
    for _ in range(2):  # a second run start adds nothing, and reads no job store again
        reshare_all(redis_server.url, "7", jobs)
    assert sorted(map(str, read)) == ["gone", "m-none", "m7a", "m7b", "m8"]
    shared = RedisJournal(redis_server.url, "7", JOURNAL)
    try:
        assert sorted((e["merged"], e.get("applied", False)) for e in shared.entries()) == [
            (1, False), (1, True), (2, True)]
        assert {e["company"] for e in shared.entries()} == {"7"}
        reshare_all(redis_server.url, "8", jobs)
        assert [e["merged"] for e in RedisJournal(redis_server.url, "8", JOURNAL).entries()
                ] == [3]
        local = LocalJournal(JOURNAL).entries()
        assert len(local) == 6 + 4  # three of 7's, one of 8's stamped copies, once each
        assert sorted({e["merged"] for e in of_company(local, "7")}) == [1, 2, 4, 5]
        assert sorted({e["merged"] for e in of_company(local, "8")}) == [3, 4, 5]
        monkeypatch.setenv(ENV_COORDINATOR, redis_server.url)
        from bulk.coordinator import bind_company

        bind_company("7")
        try:
            assert sorted(survivors("http://x")) == [1, 2, 4, 5]
        finally:
            bind_company(None)
    finally:
        shared.close()
