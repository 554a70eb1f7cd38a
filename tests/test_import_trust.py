"""Trust of an import's record of itself: what a retry created is counted (summary, undo's
contacts); claims stay held while a create waits; undo's plan counts what it deletes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import import_once, resume_job, sandbox_deals

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
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""
ROWS = ("id,title,stage,person,email,org\n"
        "k1,Deal 1,Qualified,Ann One,ann@x.example,Org One\n"
        "k2,Deal 2,Nope Stage,Bob Two,bob@x.example,Org Two\n"
        "k3,Deal 3,Qualified,Cy Three,cy@x.example,Org One\n")


def _files(tmp: Path) -> tuple[Path, Path]:
    manifest, mapping = tmp / "in.csv", tmp / "m.toml"
    manifest.write_text(ROWS)
    mapping.write_text(MAPPING)
    return manifest, mapping


async def test_retry_counts_the_persons_and_orgs_it_created(tmp_path: Path) -> None:
    """A row that failed at load (unknown stage) is mapped again by retry and creates a new
    person and organization: the summary counts them (3 persons, 2 organizations in all)."""
    manifest, mapping = _files(tmp_path)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        summary = orjson.loads((store.directory / "summary.json").read_bytes())
        assert (summary["persons_created"], summary["organizations_created"]) == (2, 1)
        directory = store.directory
        store.failed_to_pending()
        store.close()
        mapping.write_text(MAPPING + '[deal.stage.map]\n"Nope Stage" = "Qualified"\n')
        store, result = await resume_job(sb, directory)
        assert result.counts[ItemState.DONE] == 3
        orgs = {o["name"] for o in sb.state.orgs.rows.values() if not o["is_deleted"]}
        assert "Org Two" in orgs
        assert len(sandbox_deals(sb)) == 3
        summary = orjson.loads((store.directory / "summary.json").read_bytes())
        assert (summary["persons_created"], summary["organizations_created"]) == (3, 2)
        store.close()


def test_undo_contacts_are_counted_and_confirmed_like_deals(tmp_path: Path) -> None:
    """`undo IMPORT --contacts` when the import's deals are already gone: the persons and
    organizations it would delete are work to confirm (declining deletes nothing; they
    used to be deleted without a prompt, counted nowhere); with --yes they are deleted and
    the summary and the printed lines count them."""
    import os

    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.update_support import cli_args, threaded_sandbox

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner, jobs = CliRunner(), tmp_path / "jobs"
        manifest, mapping = _files(tmp_path)
        out = runner.invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                  "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 3, out.output  # k2: unknown stage
        (imported,) = jobs.iterdir()
        for d in sandbox_deals(sb):  # someone deleted the imported deals already
            d["is_deleted"], d["status"] = True, "deleted"
        live = lambda rows: sum(1 for r in rows.values() if not r["is_deleted"])  # noqa: E731
        persons, orgs = live(sb.state.persons.rows), live(sb.state.orgs.rows)
        assert (persons, orgs) == (2, 1)
        declined = runner.invoke(app, ["undo", imported.name, "--contacts",
                                       *cli_args(sb, jobs)], env=env, input="n\n")
        assert declined.exit_code == 1, declined.output  # cancelled: not done
        assert "3 to send" in declined.output and "cancelled" in declined.output
        assert (live(sb.state.persons.rows), live(sb.state.orgs.rows)) == (2, 1)
        done = runner.invoke(app, ["undo", imported.name, "--contacts", "--yes",
                                   *cli_args(sb, jobs)], env=env)
        assert done.exit_code == 0, done.output
        assert (live(sb.state.persons.rows), live(sb.state.orgs.rows)) == (0, 0)
        assert "persons: 2 deleted" in done.output
        assert "organizations: 1 deleted" in done.output
        undo_dir = max((d for d in jobs.iterdir() if "undo" in d.name),
                       key=lambda d: d.stat().st_mtime)
        summary = orjson.loads((undo_dir / "summary.json").read_bytes())
        assert summary["contacts"]["persons"]["deleted"] == 2
        assert summary["contacts"]["organizations"]["deleted"] == 1


class _GatedDeals:
    """A transport that holds the first addDeal back until ``gate`` is set: a create that,
    once claimed, waits (a 429 pause, the daily budget) before it is sent."""

    def __init__(self) -> None:
        from bulk.transport import AiohttpTransport

        self.inner = AiohttpTransport()
        self.waiting, self.gate = anyio.Event(), anyio.Event()

    async def send(self, request: Any) -> Any:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v2/deals") \
                and not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()
        return await self.inner.send(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_create_waiting_longer_than_its_lease_keeps_its_claim(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run A claims key k1, then its create waits (held back) for twice the claims' lease;
    run B (upsert, another live holder) reaches k1 meanwhile. A's lease is renewed while it
    waits, so B waits for A instead of taking the claim over, finding nothing and creating
    k1 too: one deal for k1, which B then updates."""
    import jobs.importing.base as importing  # where ImportJob.claims looks up open_claims
    from bulk.claims import holder_id
    from bulk.claims_open import LocalClaims
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping as ImportMapping
    from tests.import_support import engine_config

    lease = 0.3
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title\nk1,Deal 1\n")
    mapping.write_text('[import]\nkey_column = "id"\nmode = "upsert"\n[deal]\ntitle = "title"\n')
    theirs = LocalClaims(holder=holder_id() + "-run-b")  # B: another holder, same file
    monkeypatch.setattr(importing, "open_claims", lambda **_: theirs)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert",
                                  create_key_field=True)
        from bulk.store import JobStore

        store_a = JobStore.create(tmp_path / "jobs" / "a", job_id="a", kind="import",
                                  config={"engine": cfg.to_json(), "import": settings.to_json()})
        kind_a = ImportJob(store_a, settings, "", claims=LocalClaims(holder=holder_id()),
                           lease=lease)
        transport = _GatedDeals()
        b_done = anyio.Event()

        async def run_b() -> None:
            await transport.waiting.wait()
            await anyio.sleep(2 * lease)  # A's create waits past its lease
            try:
                store_b, _, _ = await import_once(
                    sb, tmp_path / "jobs", manifest, mapping, mode="upsert",
                    create_key_field=False, job_id="b")
                store_b.close()
            finally:
                b_done.set()

        async def open_gate() -> None:  # when B waits for A, or B is through
            for _ in range(1500):  # at most 30 s
                if b_done.is_set() or theirs.statistics_["held"]:
                    break
                await anyio.sleep(0.02)
            transport.gate.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(run_b)
            tg.start_soon(open_gate)
            await import_job(store_a, kind_a, ImportMapping.load(mapping), cfg, sb.token,
                                 say=lambda line: None, transport=transport)
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "Import source key")
        deals = [d for d in sandbox_deals(sb) if d["custom_fields"].get(code) == "k1"]
        assert len(deals) == 1, [d["id"] for d in deals]
        assert theirs.statistics_["held"] >= 1  # B waited for A's create
        store_a.close()


def test_resumed_upsert_re_reads_its_deals_before_patching(tmp_path: Path) -> None:
    """An upsert job loaded (3 updates) and stopped before sending; meanwhile deal k1 is
    deleted and k2 already got the new title. `pdbulk resume` re-reads the deals: k1 fails
    (gone; not re-created), k2 is `unchanged` (no PATCH), only k3 is PATCHed."""
    import os

    from typer.testing import CliRunner

    from bulk.engine import Engine
    from bulk.store import JobStore
    from jobs.import_load import load
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping as ImportMapping
    from pdbulk.cli import app
    from tests.import_support import engine_config, read_csv
    from tests.update_support import cli_args, delta, requests, threaded_sandbox

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
        mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
        first = tmp_path / "v1.csv"
        first.write_text("id,title\nk1,Deal 1\nk2,Deal 2\nk3,Deal 3\n")
        out = CliRunner().invoke(app, ["import", str(first), "--mapping", str(mapping),
                                       "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(next(jobs.iterdir()) /
                                                             "succeeded.csv")}
        second = tmp_path / "v2.csv"
        second.write_text("id,title\nk1,Deal 1 v2\nk2,Deal 2 v2\nk3,Deal 3 v2\n")
        settings = ImportSettings(str(second), str(mapping), "upsert")
        cfg = engine_config(sb, jobs)
        store = JobStore.create(jobs / "later", job_id="later", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})

        async def load_only() -> None:  # loaded, then stopped before anything was sent
            kind = ImportJob(store, settings, "")
            async with Engine.open(cfg, sb.token, store=store) as engine:
                kind.attach(await load(engine.ctx, store, settings,
                                       ImportMapping.load(mapping), say=lambda line: None))

        anyio.run(load_only)
        store.set_status("running")
        store.set_status("stopped", "interrupted")
        store.close()
        gone = sb.state.deals.rows[ids["k1"]]
        gone["is_deleted"], gone["status"] = True, "deleted"
        sb.state.deals.rows[ids["k2"]]["title"] = "Deal 2 v2"
        before = requests(sb)
        res = CliRunner().invoke(app, ["resume", "later", "--job-dir", str(jobs)], env=env)
        assert res.exit_code == 3, res.output
        assert "1 already as wanted (unchanged), 1 gone, 1 to send" in res.output
        assert delta(before, requests(sb)).get("updateDeal") == 1
        assert sb.state.deals.rows[ids["k3"]]["title"] == "Deal 3 v2"
        assert sb.state.deals.rows[ids["k1"]]["is_deleted"]
        assert len([d for d in sandbox_deals(sb)]) == 2  # k1 not re-created
        done = {r["key"]: r["action"] for r in read_csv(jobs / "later" / "succeeded.csv")}
        assert done == {"k2": "unchanged", "k3": "updated"}
        failed = read_csv(jobs / "later" / "failed.csv")
        assert [r["key"] for r in failed] == ["k1"] and "no longer takes writes" in \
            failed[0]["reason"]


def test_undo_of_an_upsert_puts_back_the_deals_it_updated(tmp_path: Path) -> None:
    """An upsert updates k1 (title), k2 (title, and unarchives it with --unarchive) and k3;
    someone then edits k3. `undo` of the upsert restores k1's title, k2's title and its
    archived state, and leaves k3 alone as a conflict (it used to fail every updated deal
    with "the job stored no before-image")."""
    import os

    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.import_support import read_csv
    from tests.update_support import cli_args, threaded_sandbox

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner, jobs, mapping = CliRunner(), tmp_path / "jobs", tmp_path / "m.toml"
        mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
        first = tmp_path / "v1.csv"
        first.write_text("id,title\nk1,Deal 1\nk2,Deal 2\nk3,Deal 3\n")
        out = runner.invoke(app, ["import", str(first), "--mapping", str(mapping),
                                  "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(next(jobs.iterdir()) /
                                                             "succeeded.csv")}
        deals = sb.state.deals.rows
        deals[ids["k2"]]["is_archived"] = True
        second = tmp_path / "v2.csv"
        second.write_text("id,title\nk1,Deal 1 v2\nk2,Deal 2 v2\nk3,Deal 3 v2\n")
        before = set(jobs.iterdir())
        out = runner.invoke(app, ["import", str(second), "--mapping", str(mapping),
                                  "--mode", "upsert", "--unarchive", *cli_args(sb, jobs)],
                            env=env)
        assert out.exit_code == 0, out.output
        (upsert,) = set(jobs.iterdir()) - before
        assert deals[ids["k2"]]["title"] == "Deal 2 v2" and not deals[ids["k2"]]["is_archived"]
        deals[ids["k3"]]["title"] = "Renamed by a colleague"
        deals[ids["k3"]]["update_time"] = "2099-01-01T00:00:00Z"
        undone = runner.invoke(app, ["undo", upsert.name, "--yes", *cli_args(sb, jobs)],
                               env=env)
        assert undone.exit_code == 3, undone.output  # k3: a conflict
        assert deals[ids["k1"]]["title"] == "Deal 1"
        assert deals[ids["k2"]]["title"] == "Deal 2" and deals[ids["k2"]]["is_archived"]
        assert deals[ids["k3"]]["title"] == "Renamed by a colleague"
        undo_dir = next(d for d in jobs.iterdir() if "undo" in d.name)
        failed = read_csv(undo_dir / "failed.csv")
        assert [r["key"] for r in failed] == ["k3"] and "conflict" in failed[0]["reason"]
        assert len(sandbox_deals(sb)) == 3  # an upsert's updates are restored, never deleted


async def test_rows_left_in_flight_by_kills_do_not_use_up_their_attempts(
        tmp_path: Path) -> None:
    """Six runs in a row die (kill -9) while the same rows are handed out, before any is
    sent: each resume reconciles them (not applied) and gives the attempt back, so the next
    resume imports every row once instead of stopping with "5 sends in doubt and not
    applied; the account keeps losing answers"."""
    from bulk.engine import Engine
    from bulk.store import JobStore
    from jobs.import_load import load
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping as ImportMapping
    from tests.import_support import engine_config

    manifest, mapping = _files(tmp_path)
    manifest.write_text(ROWS.replace("Nope Stage", "Qualified"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        settings = ImportSettings(str(manifest), str(mapping), "upsert", create_key_field=True)
        cfg = engine_config(sb, tmp_path / "jobs")
        store = JobStore.create(tmp_path / "jobs" / "killed", job_id="killed", kind="import",
                                config={"engine": cfg.to_json(), "import": settings.to_json()})
        async with Engine.open(cfg, sb.token, store=store) as engine:
            kind = ImportJob(store, settings, "")
            kind.attach(await load(engine.ctx, store, settings, ImportMapping.load(mapping),
                                   say=lambda line: None))
            for _ in range(6):  # handed out, then the process died; the next run reconciles
                store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 0.0)
                dead = ImportJob.from_store(store)  # a new process
                store.record(await dead.reconcile(engine.ctx, list(store.in_doubt())))
            assert max(i.attempts for i in store.items()) <= 1
            store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 0.0)
        store.set_status("running")
        store.set_status("stopped", "killed")
        directory = store.directory
        store.close()
        store, result = await resume_job(sb, directory)
        assert not result.stopped, result.error
        assert result.counts[ItemState.DONE] == 3 and len(sandbox_deals(sb)) == 3
        store.close()


async def test_a_run_counts_only_the_persons_and_orgs_it_created_itself(tmp_path: Path) -> None:
    """Runs A and B load the same rows at once (both see no person or organization); A runs
    first and creates them; B finds them through A's claims. B's summary says it created
    none (it used to count A's 2 persons and 1 organization as its own), and undo --contacts
    of B would not offer A's contacts."""
    from bulk.engine import Engine
    from bulk.store import JobStore
    from jobs.import_load import load
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping as ImportMapping
    from jobs.undo import created_contacts
    from tests.import_support import engine_config

    manifest, mapping = _files(tmp_path)
    manifest.write_text(ROWS.replace("Nope Stage", "Qualified"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        seed = tmp_path / "seed.csv"  # the key field exists before either run loads
        seed.write_text("id,title,stage,person,email,org\nk0,Deal 0,Qualified,,,\n")
        first, _, _ = await import_once(sb, tmp_path / "jobs", seed, mapping, job_id="seed")
        first.close()
        settings = ImportSettings(str(manifest), str(mapping), "upsert")
        cfg = engine_config(sb, tmp_path / "jobs")
        store_b = JobStore.create(tmp_path / "jobs" / "b", job_id="b", kind="import",
                                  config={"engine": cfg.to_json(), "import": settings.to_json()})
        async with Engine.open(cfg, sb.token, store=store_b) as engine:
            kind = ImportJob(store_b, settings, "")
            kind.attach(await load(engine.ctx, store_b, settings, ImportMapping.load(mapping),
                                   say=lambda line: None))
        store_b.set_status("running")
        store_b.set_status("stopped", "waiting")
        store_b.close()
        store_a, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="a")
        summary_a = orjson.loads((store_a.directory / "summary.json").read_bytes())
        assert (summary_a["persons_created"], summary_a["organizations_created"]) == (3, 2)
        store_a.close()
        store_b, _ = await resume_job(sb, tmp_path / "jobs" / "b")
        summary_b = orjson.loads((store_b.directory / "summary.json").read_bytes())
        assert (summary_b["persons_created"], summary_b["organizations_created"]) == (0, 0)
        assert created_contacts(store_b) == {"person": set(), "org": set()}
        persons = [p for p in sb.state.persons.rows.values() if not p["is_deleted"]]
        assert len(persons) == 3  # and nothing doubled
        store_b.close()


async def test_a_retried_rows_lost_person_create_is_reconciled_not_doubled(
        tmp_path: Path) -> None:
    """Retry maps a failed row again; its new person's create is answered by a lost response
    (applied, answer lost). Reconcile settles that person from the payload the row was sent
    with (not the load's, which had none): one person, the row done."""
    from bulk.sandbox import Faults

    manifest, mapping = _files(tmp_path)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        directory = store.directory
        store.failed_to_pending()
        store.close()
        mapping.write_text(MAPPING + '[deal.stage.map]\n"Nope Stage" = "Qualified"\n')
        sb.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset({"addPerson"})))
        store, result = await resume_job(sb, directory)
        assert not result.stopped, result.error
        assert result.counts[ItemState.DONE] == 3
        bobs = [p for p in sb.state.persons.rows.values()
                if not p["is_deleted"] and p["name"] == "Bob Two"]
        assert len(bobs) == 1
        row = next(i for i in store.items() if i.key == "k2")
        assert row.result is not None and row.result["person_id"] == bobs[0]["id"]
        store.close()
