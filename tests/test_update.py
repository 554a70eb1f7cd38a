"""Bulk update: current values read in bulk, a PATCH only for what differs, before-images kept."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState, JobStore
from jobs.account import load_catalog
from jobs.mapping import MappingError
from jobs.updating import UpdateMapping, prepare_update
from pdbulk.cli import app
from tests.import_support import api_context, read_csv
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.update_support import (
    cli_args,
    deal,
    delta,
    load_job,
    requests,
    run_job,
    threaded_sandbox,
)

MAPPING = """
version = 1
[update]
id_column = "Deal"
[defaults]
currency = "USD"
[deal]
value = "Amount"
title = "Title"
[custom_fields]
"Lead source" = "Source"
"""


def code(sb: Sandbox, label: str) -> str:
    return str(next(f["field_code"] for f in sb.state.custom_fields() if f["field_name"] == label))


def option(sb: Sandbox, label: str, name: str) -> int:
    field = next(f for f in sb.state.custom_fields() if f["field_name"] == label)
    return int(next(o["id"] for o in field["options"] if o["label"] == name))


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def label_of(sb: Sandbox, deal_id: int) -> str:
    field = next(f for f in sb.state.custom_fields() if f["field_name"] == "Lead source")
    value = deal(sb, deal_id)["custom_fields"].get(field["field_code"])
    return next((o["label"] for o in field["options"] if o["id"] == value), "")


def rows_for(sb: Sandbox) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """10 rows: deals 1-4 as they are, 5-9 changed in one or two fields, 999 missing."""
    rows = []
    for deal_id in range(1, 5):
        d = deal(sb, deal_id)
        rows.append({"Deal": deal_id, "Amount": d["value"], "Title": d["title"],
                     "Source": label_of(sb, deal_id)})
    changed: dict[int, dict[str, Any]] = {5: {"value": 123456}, 6: {"title": "Renamed deal"},
               7: {"lead": "Partner"}, 8: {"value": 777, "title": "Both"}, 9: {"lead": "Event"}}
    for deal_id, change in changed.items():
        d = deal(sb, deal_id)
        if change.get("lead") == label_of(sb, deal_id):
            change["lead"] = "Referral" if change["lead"] != "Referral" else "Website"
        rows.append({"Deal": deal_id, "Amount": change.get("value", d["value"]),
                     "Title": change.get("title", d["title"]),
                     "Source": change.get("lead", label_of(sb, deal_id))})
    rows.append({"Deal": 999, "Amount": 1, "Title": "ghost", "Source": ""})
    return rows, changed


@pytest.mark.anyio
async def test_only_changed_deals_get_a_patch_with_only_changed_fields(tmp_path: Path) -> None:
    """Unchanged rows cost no call; each PATCH carries only its differing fields; the
    current values are read with one ids= call; before-images hold the old values."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        rows, changed = rows_for(sb)
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        old = {i: deal(sb, i) for i in range(1, 10)}
        before = requests(sb)
        store, prep = await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        loaded = delta(before, requests(sb))
        assert loaded.get("getDeals") == 1 and "updateDeal" not in loaded
        assert prep.actions == {"update": 5, "unchanged": 4, "failed": 1}
        result = await run_job(sb, store)
        assert delta(before, requests(sb))["updateDeal"] == 5
        assert result.counts[ItemState.DONE] == 5 and result.counts[ItemState.SKIPPED] == 4

        lead = code(sb, "Lead source")
        sent = {i.payload["deal_id"]: i.payload["changes"] for i in store.items(ItemState.DONE)}
        assert sent[5] == {"value": 123456}
        assert sent[6] == {"title": "Renamed deal"}
        assert sent[7] == {"custom_fields": {lead: option(sb, "Lead source",
                                                          str(changed[7]["lead"]))}}
        assert sent[8] == {"value": 777, "title": "Both"}
        for deal_id in range(1, 5):  # untouched: not even update_time moved
            assert deal(sb, deal_id)["update_time"] == old[deal_id]["update_time"]
        assert deal(sb, 8)["value"] == 777 and deal(sb, 8)["title"] == "Both"

        images = {b.entity_id: b.before for b in store.before_images("deal")}
        assert set(images) == {5, 6, 7, 8, 9}
        # an amount with its currency: undo judges them together (jobs.deals.FIELD_GROUPS)
        assert images[5]["fields"] == {"value": old[5]["value"], "currency": old[5]["currency"]}
        assert images[7]["custom_fields"] == {lead: old[7]["custom_fields"].get(lead)}
        assert images[8]["update_time"] == old[8]["update_time"]
        failed = list(store.items(ItemState.FAILED))
        assert [f.key for f in failed] == ["999"] and "no deal with id" in (failed[0].error or "")
        ok = read_csv(store.directory / "succeeded.csv")
        assert sorted(r["action"] for r in ok) == ["unchanged"] * 4 + ["updated"] * 5

        store.failed_to_pending()  # `pdbulk retry`: a row refused at load stays refused
        again = await run_job(sb, store)
        assert again.counts[ItemState.FAILED] == 1
        assert delta(before, requests(sb))["updateDeal"] == 5
        assert "refused when the job was loaded" in (next(store.items(ItemState.FAILED)).error
                                                     or "")
        store.close()


async def _prepare(s: Any, manifest: Path, umap: UpdateMapping) -> Any:
    return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))


async def _by_key(sb: Any, tmp_path: Path, rows: list[dict[str, Any]]) -> tuple[JobStore, Any]:
    """An update by source key (``Key`` → the account's "External ID"), value = Amount,
    loaded: its store and what the load prepared."""
    manifest = write_csv(tmp_path / "keys.csv", rows)
    (tmp_path / "map.toml").write_text(
        'version = 1\n[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
        '[defaults]\ncurrency = "USD"\n[deal]\nvalue = "Amount"\n')
    umap = UpdateMapping.load(tmp_path / "map.toml")
    return await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))


async def _colleague_adds(sb: Any, tmp_path: Path, key: str, *, archived: bool = False) -> int:
    """A colleague adds a deal carrying ``key`` in "External ID" (and archives it): its id."""
    code = next(f["field_code"] for f in sb.state.fields.values()
                if f["field_name"] == "External ID")
    async with api_context(sb, tmp_path / "ctx") as ctx:
        res = await ctx.call("addDeal", json={"title": "colleague's",
                                              "custom_fields": {code: key}})
        if archived:
            await ctx.call("updateDeal", path={"id": int(res.data["id"])},
                           json={"is_archived": True})
    return int(res.data["id"])


@pytest.mark.anyio
async def test_update_by_source_key_uses_the_list_pull(tmp_path: Path) -> None:
    """Rows naming deals by source key are matched through one key index (list pages), and a
    key nobody has fails its row."""
    async with serve(SandboxConfig(time_scale=0.02, deals=30, seed=6)) as sb:
        manifest = write_csv(tmp_path / "keys.csv", [
            {"Key": "SEED-000003", "Amount": 4242}, {"Key": "SEED-000004", "Amount": ""},
            {"Key": "NOPE-1", "Amount": 5}])
        (tmp_path / "map.toml").write_text(
            'version = 1\n[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
            '[defaults]\ncurrency = "USD"\n[deal]\nvalue = "Amount"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")
        before = requests(sb)
        store, prep = await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        assert delta(before, requests(sb)).get("getDeals") == 1  # 30 deals: one page
        assert prep.actions == {"update": 1, "unchanged": 1, "failed": 1}
        await run_job(sb, store)
        assert deal(sb, 3)["value"] == 4242
        store.close()


@pytest.mark.anyio
async def test_a_resumed_update_by_key_fails_a_key_now_on_a_second_deal(tmp_path: Path) -> None:
    """v9r5 finding 3: after the load of an update by source key, a colleague adds a second
    deal (archived) with a pending row's key. The resume's re-read lists the deals added
    since the load with the key field: the row fails naming both deals, nothing is
    written (the deal the load found was updated); the plan prices the two list reads."""
    from jobs import kind_for

    async with serve(SandboxConfig(time_scale=0.02, deals=30, seed=6)) as sb:
        store, prep = await _by_key(sb, tmp_path, [
            {"Key": "SEED-000003", "Amount": 4242}, {"Key": "SEED-000005", "Amount": 77}])
        assert prep.actions == {"update": 2}
        second = await _colleague_adds(sb, tmp_path, "SEED-000003", archived=True)
        kind = kind_for(store)
        assert kind.reread_calls(store).get("getArchivedDeals") == 1  # type: ignore[attr-defined]
        async with api_context(sb, tmp_path / "ctx2") as ctx:
            lines = await kind.before_resume(ctx, store)  # type: ignore[attr-defined]
        assert "1 on two deals" in lines[0]
        await run_job(sb, store)
        twice = next(i for i in store.items() if i.key == "SEED-000003")
        assert twice.state is ItemState.FAILED
        assert f"matches deals 3, {second}" in (twice.error or "")
        assert deal(sb, 3)["value"] != 4242 and deal(sb, 5)["value"] == 77
        store.close()


@pytest.mark.anyio
async def test_an_in_flight_update_by_key_whose_key_gained_a_second_deal_is_not_sent(
        tmp_path: Path) -> None:
    """v9r9 severe: killed with its PATCHes in flight (not applied); a colleague adds a
    second deal with one row's key; the resume reconciled the row as not applied and sent
    it — the key's deal picked. Now that row fails naming both deals, nothing sent; the
    other row is written."""
    import time

    from jobs import kind_for

    async with serve(SandboxConfig(time_scale=0.02, deals=30, seed=6)) as sb:
        store, _ = await _by_key(sb, tmp_path, [
            {"Key": "SEED-000003", "Amount": 4242}, {"Key": "SEED-000005", "Amount": 77}])
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], time.time())
        second = await _colleague_adds(sb, tmp_path, "SEED-000003")
        kind = kind_for(store)
        assert kind.reread_calls(store).get("getDeals") == 1  # type: ignore[attr-defined]
        async with api_context(sb, tmp_path / "ctx2") as ctx:
            await kind.before_resume(ctx, store)  # type: ignore[attr-defined]
        await run_job(sb, store, kind=kind)
        twice = next(i for i in store.items() if i.key == "SEED-000003")
        assert twice.state is ItemState.FAILED, twice  # before: DONE, deal 3 written
        assert f"matches deals 3, {second}" in (twice.error or "")
        assert deal(sb, 3)["value"] != 4242 and deal(sb, 5)["value"] == 77
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("when", ["resume", "batch"])
async def test_an_update_by_key_leaves_a_deal_whose_key_changed_since_the_load(
        tmp_path: Path, when: str) -> None:
    """v9r6 medium: after the load of an update by source key, a colleague changes one
    deal's key (SEED-000003 → OTHER-1) and clears another's (SEED-000004). The deals no
    longer are the rows' records: the resume's re-read (or the re-check right before the
    batch is sent) fails both rows naming what the key field holds now; nothing is
    written to them, and the third row is updated. Before: both were written."""
    from jobs import kind_for

    async with serve(SandboxConfig(time_scale=0.02, deals=30, seed=6)) as sb:
        store, prep = await _by_key(sb, tmp_path, [
            {"Key": "SEED-000003", "Amount": 4242}, {"Key": "SEED-000004", "Amount": 4343},
            {"Key": "SEED-000005", "Amount": 77}])
        assert prep.actions == {"update": 3}
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == "External ID")
        async with api_context(sb, tmp_path / "ctx") as ctx:
            for deal_id, key in ((3, "OTHER-1"), (4, None)):
                await ctx.call("updateDeal", path={"id": deal_id},
                               json={"custom_fields": {code: key}})
        if when == "resume":
            kind = kind_for(store)
            async with api_context(sb, tmp_path / "ctx2") as ctx:
                lines = await kind.before_resume(ctx, store)  # type: ignore[attr-defined]
            assert "2 no longer carry their key" in lines[0], lines
        await run_job(sb, store)
        failed = {i.key: i.error or "" for i in store.items(ItemState.FAILED)}
        assert set(failed) == {"SEED-000003", "SEED-000004"}, failed
        assert "no longer carries key SEED-000003 (its key field holds 'OTHER-1'" \
            in failed["SEED-000003"]
        assert "holds nothing" in failed["SEED-000004"]
        assert deal(sb, 3)["value"] != 4242 and deal(sb, 4)["value"] != 4343
        assert deal(sb, 5)["value"] == 77
        store.close()


def test_a_job_cut_short_while_loading_never_runs(tmp_path: Path) -> None:
    """Items without the "loaded" mark (a crash mid-load) are refused by resume."""
    from bulk.store import JobStore, NewItem
    from jobs import kind_for

    store = JobStore.create(tmp_path / "half", job_id="half", kind="update", config={})
    store.add_items([NewItem(row=1, key="1", op="update", payload={"deal_id": 1})])
    with pytest.raises(InputError, match="interrupted while it was being loaded"):
        kind_for(store)
    store.close()


def test_update_mapping_problems_are_named_after_the_update_section() -> None:
    """Without a way to name the deal, or with a person section, the mapping is refused."""
    with pytest.raises(MappingError, match="update"):
        UpdateMapping.loads("version = 1\n[deal]\nvalue = 'A'\n")
    with pytest.raises(MappingError, match="id_column or key_column"):
        UpdateMapping.loads("version = 1\n[update]\n[deal]\nvalue = 'A'\n")
    with pytest.raises(MappingError, match="person"):
        UpdateMapping.loads("version = 1\n[update]\nid_column = 'Id'\n[person]\nname = 'N'\n")
    m = UpdateMapping.loads("version = 1\n[import]\nkey_column = 'K'\n[deal]\ntitle = 'T'\n")
    assert (m.by, m.column, m.key_field) == ("key", "K", "Import source key")


def test_a_required_title_is_kept_required_in_an_update(catalog: Any) -> None:  # noqa: F811
    """v10r30 M1: ``title = { column = "title", required = true }`` (an import mapping used
    as is) was refused, "required = true and a default exclude each other", for the
    stand-in default that makes a title optional in updates. Kept: a blank title fails
    its row, a filled one is sent; without ``required`` a blank title changes nothing."""
    from bulk.manifest import SourceRow
    from jobs.update_mapping import wanted_values

    head = "version = 1\n[update]\nkey_column = 'K'\n[deal]\n"
    required = UpdateMapping.loads(head + "title = { column = 'T', required = true }\n")
    mapper = required.compile(catalog)
    assert wanted_values(mapper, SourceRow(2, 2, {"K": "a1", "T": "New"})) == (
        "a1", {"title": "New"}, None)
    with pytest.raises(InputError, match="required"):
        wanted_values(mapper, SourceRow(3, 3, {"K": "a1", "T": ""}))
    optional = UpdateMapping.loads(head + "title = { column = 'T' }\n").compile(
        catalog)
    assert wanted_values(optional, SourceRow(3, 3, {"K": "a1", "T": ""})) == ("a1", {}, None)


def test_cli_update_plan_then_run(tmp_path: Path) -> None:
    """`pdbulk plan update` writes nothing; `pdbulk update` sends the PATCHes and writes the
    result files (unchanged rows in succeeded.csv)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=20, seed=7)) as sb:
        rows, _ = rows_for(sb)
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        before = requests(sb)
        planned = runner.invoke(app, ["plan", "update", str(manifest), "--mapping",
                                      str(tmp_path / "map.toml"), "--json",
                                      *cli_args(sb, tmp_path / "jobs")], env=env)
        # exits like the update: 3, its missing deal's row fails (v9r10: the plan said 0)
        assert planned.exit_code == 3, planned.output
        shown = orjson.loads(planned.output)  # one line (x23r4)
        assert shown["calls"]["updateDeal"] == 5 and shown["actions"]["unchanged"] == 4
        assert "updateDeal" not in delta(before, requests(sb))
        done = runner.invoke(app, ["update", str(manifest), "--mapping",
                                   str(tmp_path / "map.toml"),
                                   *cli_args(sb, tmp_path / "jobs")], env=env)
        assert done.exit_code == 3, done.output  # the missing deal's row failed
        assert delta(before, requests(sb))["updateDeal"] == 5
        (job,) = (tmp_path / "jobs").iterdir()
        assert len(read_csv(job / "succeeded.csv")) == 9
        assert [r["key"] for r in read_csv(job / "failed.csv")] == ["999"]


@pytest.mark.anyio
async def test_update_reads_the_mappings_encoding(tmp_path: Path) -> None:
    """A cp1252 update manifest is refused naming cp1252; with [defaults] encoding it is read."""
    async with serve(SandboxConfig(time_scale=0.02, deals=5, seed=5)) as sb:
        manifest = tmp_path / "rows.csv"
        manifest.write_bytes("Deal;Title\r\n1;Müller Grüße\r\n".encode("cp1252"))
        plain = MAPPING.replace('value = "Amount"\n', "").split("[custom_fields]")[0]
        (tmp_path / "map.toml").write_text(plain)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        with pytest.raises(InputError, match="it looks like cp1252"):
            await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        (tmp_path / "enc.toml").write_text(plain.replace('currency = "USD"',
                                                         'currency = "USD"\nencoding = "cp1252"'))
        umap = UpdateMapping.load(tmp_path / "enc.toml")
        store, prep = await load_job(sb, tmp_path / "2", "update",
                                     lambda s: _prepare(s, manifest, umap))
        assert prep.actions == {"update": 1}
        await run_job(sb, store)
        assert deal(sb, 1)["title"] == "Müller Grüße"
        store.close()


@pytest.mark.anyio
async def test_kills_do_not_use_up_the_attempts_of_an_update(tmp_path: Path) -> None:
    """Six runs of an update job die (kill -9) with its rows handed out: each resume puts them
    back without using up an attempt, so the next resume sends them (it used to stop with
    "5 sends in doubt and not applied; the account keeps losing answers")."""
    from jobs.updating import UpdateJob

    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        rows, _ = rows_for(sb)
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        store, _ = await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        async with api_context(sb, tmp_path) as ctx:
            for _ in range(6):  # handed out, then the process died; the next run reconciles
                store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 0.0)
                store.record(await UpdateJob.from_store(store).reconcile(
                    ctx, list(store.in_doubt())))
        assert max(i.attempts for i in store.items()) <= 1
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 0.0)
        result = await run_job(sb, store)
        assert not result.stopped, result.error
        assert result.counts[ItemState.DONE] == 5
        store.close()


def test_a_deal_named_twice_stays_held_when_the_failed_rows_are_run_again(
        tmp_path: Path) -> None:
    """Deal 4 twice (2000.5, then 9): the second row was refused without a hold, and
    running update on that failed.csv set the deal to 9, silently overwriting the first
    row's update. The refused row carries hold = duplicate-key and stays refused until
    the hold cell is emptied. Both rows are held (f30k: the first was written), and once
    only the row of 9 is left unheld, it is written."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        d = deal(sb, 4)
        before = d["value"]
        rows = [{"Deal": 4, "Amount": "2000.5", "Title": d["title"], "Source": label_of(sb, 4)},
                {"Deal": 4, "Amount": "9", "Title": d["title"], "Source": label_of(sb, 4)}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()

        def update(path: Path, jobs: str) -> tuple[int, Path]:
            res = runner.invoke(app, ["update", str(path), "--mapping", str(tmp_path / "map.toml"),
                                      *cli_args(sb, tmp_path / jobs)], env=env)
            assert "Traceback" not in res.output
            (job,) = (tmp_path / jobs).iterdir()
            return res.exit_code, job

        code, job = update(manifest, "jobs1")
        assert code == 3 and deal(sb, 4)["value"] == before
        first, failed = read_csv(job / "failed.csv")
        assert failed["hold"] == first["hold"] == "duplicate-key"
        assert "also named by row 2" in failed["reason"]
        code, job = update(job / "failed.csv", "jobs2")
        assert code == 3 and deal(sb, 4)["value"] == before
        with open(job / "failed.csv", newline="", encoding="utf-8") as f:
            head, _, again = list(csv.reader(f))  # its own columns first, then the source's
        assert again[5] == "duplicate-key" and again[2].startswith("held (hold = duplicate-key)")
        released = job / "released.csv"
        with open(released, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([head, [*again[:5], "", *again[6:]]])
        code, _ = update(released, "jobs3")
        assert code == 0 and deal(sb, 4)["value"] == 9


@pytest.mark.parametrize("second", ["abc", "9"])
@pytest.mark.parametrize("first", ["abc", "2000.5"])
def test_a_deal_named_twice_is_held_whichever_of_its_rows_is_bad(
        tmp_path: Path, first: str, second: str) -> None:
    """Deal 4 on two rows, either of them bad for another reason (an amount 'abc'): the
    later row is held as a duplicate all the same, so fixing it and running it alone
    cannot overwrite what the other row stands for (fresh tester v10r4 F1, the import's
    twin: a bad second row was failed without a hold); the first row is held too, good or
    bad, the deal left (f30k: a good one was written; x30r3 M1: a bad one not held)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        d = deal(sb, 4)
        before = d["value"]
        rows = [{"Deal": 4, "Amount": first, "Title": d["title"], "Source": label_of(sb, 4)},
                {"Deal": "4.0", "Amount": second, "Title": d["title"], "Source": label_of(sb, 4)}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 3 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert failed["3"]["hold"] == "duplicate-key", failed
        assert "also named by row 2" in failed["3"]["reason"]
        # a bad first row is held too, its reason naming both (x30r3 M1: its hold was
        # empty, and the advice to empty the right row's hold looped)
        assert failed["2"]["hold"] == "duplicate-key", failed
        assert deal(sb, 4)["value"] == before


def test_update_never_mentions_a_prompt_it_does_not_show(tmp_path: Path) -> None:
    """update runs without a confirmation prompt: its plan must not price or promise a
    re-read 'after the answer' (fresh tester v9r4 finding 8)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        d = deal(sb, 3)
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": 3, "Amount": "1234", "Title": d["title"], "Source": label_of(sb, 3)}])
        (tmp_path / "map.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        for argv in (["update"], ["plan", "update"]):
            res = CliRunner().invoke(app, [*argv, str(manifest), "--mapping",
                                           str(tmp_path / "map.toml"),
                                           *cli_args(sb, tmp_path / argv[0])], env=env)
            assert res.exit_code == 0, res.output
            assert "prompt" not in res.output, res.output


def test_an_update_from_xlsx_keeps_its_failed_rows_typed(tmp_path: Path) -> None:
    """v10r12 severe: an update of an XLSX row (Discount an Excel number 2.375, a bad date)
    wrote failed.csv only, the number as the text ``2.375`` and no hold; fixed and run
    again with the same mapping (``decimal = ","``), the deal's Discount became 2375, exit
    0 — and the failed row's key column was empty. Now failed.csv names the key and holds
    the row ``typed-cells``, and failed.xlsx (the exact cells) is written: fixed there, the
    row updates the deal with 2.375."""
    import openpyxl

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        book = openpyxl.Workbook()
        book.active.append(["Deal", "Close", "Disc"])
        book.active.append([4, "2026-13-01", 2.375])
        manifest = tmp_path / "rows.xlsx"
        book.save(manifest)
        (tmp_path / "map.toml").write_text(
            'version = 1\n[update]\nid_column = "Deal"\n[defaults]\ndecimal = ","\n'
            'date_formats = ["%d.%m.%Y"]\n[deal]\nexpected_close_date = "Close"\n'
            '[custom_fields]\n"Discount" = "Disc"\n')
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()

        def update(path: Path, jobs: str) -> tuple[int, Path]:
            res = runner.invoke(app, ["update", str(path), "--mapping", str(tmp_path / "map.toml"),
                                      *cli_args(sb, tmp_path / jobs)], env=env)
            assert "Traceback" not in res.output, res.output
            (job,) = (tmp_path / jobs).iterdir()
            return res.exit_code, job

        discount = code(sb, "Discount")
        code_, job = update(manifest, "jobs1")
        assert code_ == 3
        (failed,) = read_csv(job / "failed.csv")
        assert failed["key"] == "4" and failed["hold"] == "typed-cells", failed  # before: "", ""
        fixed = tmp_path / "fixed.csv"
        fixed.write_text((job / "failed.csv").read_text().replace("2026-13-01", "01.06.2026"))
        code_, job2 = update(fixed, "jobs2")
        assert code_ == 3
        (held_again,) = read_csv(job2 / "failed.csv")
        assert held_again["key"] == "4", held_again  # before: "" (v10r14 cosmetic)
        assert (deal(sb, 4).get("custom_fields") or {}).get(discount) != 2375  # before: 2375
        typed = openpyxl.load_workbook(job / "failed.xlsx")
        sheet = typed.active
        names = [c.value for c in sheet[1]]
        sheet.cell(row=2, column=names.index("Close") + 1, value="01.06.2026")
        typed.save(tmp_path / "fixed.xlsx")
        code_, _ = update(tmp_path / "fixed.xlsx", "jobs3")
        assert code_ == 0
        after = deal(sb, 4)
        assert after["custom_fields"][discount] == 2.375
        assert after["expected_close_date"] == "2026-06-01"


def _update_cli(sb: Sandbox, tmp_path: Path, rows: list[dict[str, Any]], mapping: str) -> Any:
    """``pdbulk update rows.csv --mapping map.toml`` (the ``rows`` and mapping text given)
    against ``sb``, jobs under ``tmp_path / "jobs"``: the CliRunner result."""
    manifest = write_csv(tmp_path / "rows.csv", rows)
    (tmp_path / "map.toml").write_text(mapping)
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
    return CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                    str(tmp_path / "map.toml"),
                                    *cli_args(sb, tmp_path / "jobs")], env=env)


AUTO_MAPPING = ('version = 1\n[update]\nid_column = "Deal"\n[defaults]\ncurrency = "USD"\n'
                'decimal = "auto"\n[deal]\nvalue = "Amount"\n')


def test_update_decides_a_columns_decimal_mark_from_the_whole_file(tmp_path: Path) -> None:
    """v10r13 M1: under ``decimal = "auto"`` an update failed 2.375 as ambiguous although
    12.5 and 0.5 in the same column show the point; an import of the same cells read it.
    The update decides each column's mark from the whole file first, as the import does."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        res = _update_cli(sb, tmp_path, [
            {"Deal": 1, "Amount": "2.375 BHD"}, {"Deal": 2, "Amount": "12.5 BHD"},
            {"Deal": 3, "Amount": "0.5 BHD"}], AUTO_MAPPING)
        # BHD has 3 decimals: 2.375 dollars would be 2.375 or 2375 (x21r3 F1)
        assert res.exit_code == 0, res.output  # before: 3, "ambiguous"
        assert deal(sb, 1)["value"] == 2.375 and deal(sb, 3)["value"] == 0.5


def test_a_row_naming_a_deal_again_is_no_evidence_of_a_columns_decimal_mark(
        tmp_path: Path) -> None:
    """v10r16 S1: the second row naming deal 2 is held (duplicate-key) and sends nothing,
    but its ``1,5`` made the column show ``,``: deal 1's ``2.500`` was set to 2500. It is
    ambiguous again (the row fails), never 2500. Deal 2's rows differ: neither is written
    (f30k)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        before = deal(sb, 2)["value"]
        res = _update_cli(sb, tmp_path, [
            {"Deal": 1, "Amount": "2.500"}, {"Deal": 2, "Amount": "7"},
            {"Deal": 2, "Amount": "1,5"}], AUTO_MAPPING)
        assert res.exit_code == 3, res.output
        assert deal(sb, 1)["value"] != 2500  # before: 2500
        assert deal(sb, 2)["value"] == before != 7


def test_a_blank_stage_cell_changes_nothing_in_an_update(tmp_path: Path) -> None:
    """v10r16 M3: every row with a blank Stage failed "the stage is empty (set
    deal.stage.default…)", and following that advice would have moved those deals. A blank
    stage changes nothing, as any blank cell of an update; a row naming a pipeline but no
    stage fails (a PATCH of pipeline_id alone moves the deal to its first stage)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        before = {i: deal(sb, i)["stage_id"] for i in (1, 2, 3)}
        res = _update_cli(sb, tmp_path, [
            {"Deal": 1, "Title": "renamed", "Pipeline": "", "Stage": ""},
            {"Deal": 2, "Title": "", "Pipeline": "Sales", "Stage": "Qualified"},
            {"Deal": 3, "Title": "", "Pipeline": "Sales", "Stage": ""}],
            'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
            'pipeline = "Pipeline"\nstage = "Stage"\n')
        assert res.exit_code == 3, res.output
        assert deal(sb, 1)["title"] == "renamed"  # before: row 2 failed, "the stage is empty"
        assert deal(sb, 1)["stage_id"] == before[1]
        assert deal(sb, 3)["stage_id"] == before[3]
        assert "names a pipeline" in res.output


def test_an_update_reads_the_empty_tables_init_mapping_writes() -> None:
    """v10r17 C: init-mapping writes ``[person]`` and ``[organization]`` with every line
    commented out; update refused the mapping ("updates do not link persons or
    organizations"). An empty table maps nothing; a filled one is still refused."""
    text = ('version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
            '[person]\n# name = "Contact"\n[organization]\n# name = "Company"\n')
    assert UpdateMapping.loads(text).by == "id"
    with pytest.raises(MappingError, match="updates do not link"):
        UpdateMapping.loads(text.replace('# name = "Contact"', 'name = "Contact"'))


def test_plan_update_json_lists_a_bad_rows_column_and_cells(tmp_path: Path) -> None:
    """v10r19 M4: ``plan update --json`` listed bad rows with row, key, action and reason
    only, and the count by reason had no column; plan import gives the column, the hold
    and the row's cells."""
    import json

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        manifest = write_csv(tmp_path / "rows.csv", [{"Deal": 1, "Amount": "n/a"},
                                                    {"Deal": 2, "Amount": "5"}])
        (tmp_path / "map.toml").write_text(AUTO_MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = CliRunner().invoke(app, ["plan", "update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), "--json",
                                       *cli_args(sb, tmp_path / "jobs")], env=env)
    data = json.loads(res.output)
    (bad,) = data["failed_rows"]
    assert bad["column"] == "Amount" and bad["values"]["Amount"] == "n/a", bad
    assert any(reason.startswith("Amount: ") for reason in data["reasons"]), data["reasons"]


def test_an_update_by_id_calls_its_key_the_deal_id(tmp_path: Path) -> None:
    """x10r2: a blank id cell of an update by deal id said "the source key is empty"."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        manifest = write_csv(tmp_path / "rows.csv", [{"Deal": "", "Title": "x"},
                                                    {"Deal": 2, "Title": "y"}])
        (tmp_path / "map.toml").write_text(
            'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n')
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = CliRunner().invoke(app, ["plan", "update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), "--json",
                                       *cli_args(sb, tmp_path / "jobs")], env=env)
    (bad,) = json.loads(res.output)["failed_rows"]
    assert bad["reason"].startswith("the deal id is empty"), bad


@pytest.mark.anyio
@pytest.mark.parametrize("rule", ["error", "drop"])
async def test_a_lost_reason_with_the_status_left_goes_by_the_deals_status(
        tmp_path: Path, rule: str) -> None:
    """x14r1 F3: a new lost reason for a deal that is lost, the row's status cell blank,
    failed as "a lost reason is given but the status is open" (the row's, not the
    deal's). The deal's own status decides: lost, the reason is updated alone; open, the
    row fails naming the deal's status (or the reason is dropped: when_not_lost)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        lost, open_ = (next(i for i, d in sb.state.deals.rows.items() if d["status"] == s)
                       for s in ("lost", "open"))
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": lost, "Status": "", "Reason": "Changed reason"},
            {"Deal": open_, "Status": "", "Reason": "Changed reason"}])
        (tmp_path / "map.toml").write_text(
            '[update]\nid_column = "Deal"\n[deal]\nstatus = "Status"\n'
            f'lost_reason = {{ column = "Reason", when_not_lost = "{rule}" }}\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")
        store, prep = await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        await run_job(sb, store)
        sent = {i.payload["deal_id"]: i.payload["changes"] for i in store.items(ItemState.DONE)}
        failed = {i.key: i.error for i in store.items(ItemState.FAILED)}
        store.close()
        assert sent[lost] == {"lost_reason": "Changed reason"}, sent
        assert deal(sb, lost)["status"] == "lost"
        assert deal(sb, lost)["lost_reason"] == "Changed reason"
        assert deal(sb, open_)["status"] == "open" and not deal(sb, open_).get("lost_reason")
        if rule == "error":
            assert "deal" in failed[str(open_)] and "'open'" in failed[str(open_)], failed
        else:
            assert not failed and prep.actions["unchanged"] == 1, (failed, prep.actions)


@pytest.mark.anyio
async def test_an_update_reads_the_header_row_its_mapping_names(tmp_path: Path) -> None:
    """x14r4 F3: `[defaults] header_row = 3` was ignored by update (the import honours it):
    the report's first line was taken for the header, and the error told the user to pass
    --header-row, which update does not have."""
    async with serve(SandboxConfig(time_scale=0.02, deals=10, seed=5)) as sb:
        manifest = tmp_path / "report.csv"
        manifest.write_text("Deals report,2026\nOwner,Region\nDeal,Amount\n3,4242\n4,4343\n")
        (tmp_path / "map.toml").write_text(
            '[update]\nid_column = "Deal"\n[defaults]\nheader_row = 3\n[deal]\n'
            'value = "Amount"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")
        store, prep = await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        await run_job(sb, store)
        store.close()
        assert prep.actions.get("update") == 2, prep.actions
        assert (deal(sb, 3)["value"], deal(sb, 4)["value"]) == (4242, 4343)


@pytest.mark.anyio
async def test_a_lost_answer_is_never_followed_by_a_resend_over_a_colleagues_edit(
        tmp_path: Path) -> None:
    """x17r2 1: a PATCH whose answer was lost was sent again, unread, up to 4 times over
    ~7 s; a colleague's title set in between was overwritten and the row said `updated`.
    Now the write is in doubt at once; the in-run reconcile reads the deal, finds a value
    that is neither the job's nor the one it replaced, and fails the row as a conflict
    with nothing sent again."""
    from bulk.sandbox import Faults
    from jobs.updating import UpdateJob

    async with serve(SandboxConfig(time_scale=0.02, deals=40, seed=5)) as sb:
        rows, _ = rows_for(sb)
        manifest = write_csv(tmp_path / "rows.csv", [r for r in rows if r["Deal"] == 6])
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        store, _ = await load_job(sb, tmp_path, "update", lambda s: _prepare(s, manifest, umap))
        sb.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset({"updateDeal"})))
        kind = UpdateJob.from_store(store)
        reconcile = kind.reconcile

        async def colleague_then_reconcile(ctx: Any, items: Any) -> Any:
            assert deal(sb, 6)["title"] == "Renamed deal"  # the job's write landed
            sb.state.deals.rows[6]["title"] = "COLLEAGUE FIX"  # a colleague, seconds later
            return await reconcile(ctx, items)

        kind.reconcile = colleague_then_reconcile  # type: ignore[method-assign]
        result = await run_job(sb, store, kind=kind)
        assert deal(sb, 6)["title"] == "COLLEAGUE FIX"
        assert sb.stats()["writes_applied"] == {"updateDeal": 1}
        (item,) = store.items()
        assert item.state is ItemState.FAILED and "conflict" in (item.error or ""), item
        assert result.stats.in_doubt == 1 and result.stats.retries == 0
        store.close()


def test_failed_rows_files_list_rows_in_the_manifests_order(tmp_path: Path) -> None:
    """plan-failed.csv, the plan's failed_rows and the job's failed.csv list the bad rows
    by row, whether refused at load time (a bad amount) or by the account check (no such
    deal) (x22r2: rows 4, 6, 7, 2, 5, 8 — load-time refusals first)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Deal": 9991, "Amount": "5"}, {"Deal": 1, "Amount": "n/a"},
            {"Deal": 2, "Amount": "7"}, {"Deal": 9992, "Amount": "5"},
            {"Deal": 3, "Amount": "x"}, {"Deal": 9993, "Amount": "5"}])
        (tmp_path / "map.toml").write_text(AUTO_MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        plan_failed = tmp_path / "plan-failed.csv"
        planned = runner.invoke(app, ["plan", "update", str(manifest), "--mapping",
                                      str(tmp_path / "map.toml"), "--json", "--failed-csv",
                                      str(plan_failed), *cli_args(sb, tmp_path / "jobs")],
                                env=env)
        assert planned.exit_code == 3, planned.output
        bad_rows = [2, 3, 5, 6, 7]
        assert [r["row"] for r in json.loads(planned.output)["failed_rows"]] == bad_rows
        assert [int(r["row"]) for r in read_csv(plan_failed)] == bad_rows
        done = runner.invoke(app, ["update", str(manifest), "--mapping",
                                   str(tmp_path / "map.toml"), "--yes",
                                   *cli_args(sb, tmp_path / "jobs")], env=env)
        assert done.exit_code == 3, done.output
        (job,) = (tmp_path / "jobs").iterdir()
        assert [int(r["row"]) for r in read_csv(job / "failed.csv")] == bad_rows


CLEAR_MAPPING = """
version = 1
[update]
id_column = "Deal"
clear_values = ["#CLEAR"]
[deal]
title = "Title"
probability = "Close"
[custom_fields]
"Lead source" = "Source"
"""


def _over_http(sb: Sandbox, deal_id: int) -> dict[str, Any]:
    """Deal ``deal_id`` as GET /api/v2/deals/{id} shows it."""
    import urllib.request

    ask = urllib.request.Request(f"{sb.url}/api/v2/deals/{deal_id}",
                                 headers={"x-api-token": sb.token})
    with urllib.request.urlopen(ask, timeout=10) as answer:
        return dict(orjson.loads(answer.read())["data"])


def test_a_clear_cell_empties_its_field_and_undo_puts_it_back(tmp_path: Path) -> None:
    """x26r2 F5: an update could not empty a field (a blank cell leaves it). A cell equal
    to ``[update] clear_values`` sends null: the plan counts the field as cleared, the
    deal's field is empty over HTTP, undo puts the value back; a title's clear cell fails
    its row, and a field already empty is unchanged."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        source = code(sb, "Lead source")
        for deal_id in (1, 2):
            sb.state.deals.rows[deal_id].update(probability=40)
            sb.state.deals.rows[deal_id]["custom_fields"][source] = option(
                sb, "Lead source", "Partner")
        sb.state.deals.rows[3].update(probability=None)
        rows = [{"Deal": 1, "Title": "", "Close": "#clear", "Source": " #CLEAR "},
                {"Deal": 2, "Title": "#CLEAR", "Close": "", "Source": ""},
                {"Deal": 3, "Title": "", "Close": "#CLEAR", "Source": ""}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(CLEAR_MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = ["--mapping", str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "jobs")]
        planned = CliRunner().invoke(app, ["plan", "update", str(manifest), "--json", *args],
                                     env=env)
        assert planned.exit_code == 3, planned.output
        shown = orjson.loads(planned.output)
        assert shown["changed_fields"] == {"probability (cleared)": 1,
                                           "Lead source (cleared)": 1}, shown
        assert shown["actions"]["unchanged"] == 1, shown
        (reason,) = shown["reasons"]
        assert "the deal title cannot be cleared" in reason, reason
        done = CliRunner().invoke(app, ["update", str(manifest), *args], env=env)
        assert done.exit_code == 3, done.output  # row 2: a title is never cleared
        now = _over_http(sb, 1)
        assert now["probability"] is None and now["custom_fields"][source] is None
        kept = _over_http(sb, 2)
        assert kept["probability"] == 40 and kept["custom_fields"][source]
        (job,) = (tmp_path / "jobs").iterdir()
        undone = CliRunner().invoke(app, ["undo", job.name, "--yes", *cli_args(
            sb, tmp_path / "jobs")], env=env)
        assert undone.exit_code == 0, undone.output
        back = _over_http(sb, 1)
        assert back["probability"] == 40
        assert back["custom_fields"][source] == option(sb, "Lead source", "Partner")


def test_a_cleared_field_is_a_change_only_where_the_deal_holds_a_value() -> None:
    """A wanted None (a ``clear_values`` cell) changes a field that holds a value, and
    leaves one already empty (null, "" or an empty set) as it is."""
    from jobs.deals import changed_fields, deal_changes

    wanted = {"expected_close_date": None, "custom_fields": {"c1": None, "c2": None}}
    held = {"expected_close_date": "2026-03-01", "custom_fields": {"c1": 4, "c2": [1, 2]}}
    assert deal_changes(held, wanted) == wanted
    assert changed_fields(wanted, {"c1": "Lead source"}) == [
        "expected_close_date (cleared)", "Lead source (cleared)", "c2 (cleared)"]
    empty = {"expected_close_date": "", "custom_fields": {"c1": None, "c2": []}}
    assert deal_changes(empty, wanted) == {}
