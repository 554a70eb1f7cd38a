"""Writes left in flight by a dead run (state SENDING: applied or not, nobody knows) are
decided on resume against the deal as it is now, like pending ones (issue 9, F2): a
colleague's value is never overwritten, a write that applied is DONE (undo owns it), one
that did not is sent, a gone deal fails. The items are put in flight deterministically
(``mark_sending``, as a kill -9 after the hand-out leaves them); ``test_inflight_kill``
does it with a real SIGKILL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import cli_args, deal, load_job

UPDATE_MAPPING = """[update]
id_column = "deal_id"
[defaults]
currency = "USD"
[deal]
value = "amount"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=30, seed=41)) as box:
        yield box


def cli(sb: Sandbox, *args: str) -> Any:
    res = CliRunner().invoke(app, [*args], env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert "Traceback" not in res.output, res.output
    return res


def edit(sb: Sandbox, deal_id: int, when: str = "2031-01-01T00:00:00Z", **fields: Any) -> None:
    """A write straight into the sandbox: a colleague's (or, with the wanted values, this
    job's own PATCH that applied before the kill)."""
    sb.state.save("deal", {**deal(sb, deal_id), **fields, "update_time": when})


def live(sb: Sandbox) -> list[int]:
    return sorted(d["id"] for d in sb.state.deals.rows.values()
                  if not d["is_deleted"] and not d["is_archived"])


def in_flight(jobs: Path, job_id: str) -> None:
    """Hand every pending item out, as a run does right before a kill -9."""
    with JobStore.open(jobs / job_id) as store:
        store.mark_sending([i.id for i in store.items(ItemState.PENDING)], 1.0)
        store.set_status("running")


def by_key(jobs: Path, job_id: str) -> dict[str, tuple[ItemState, str, dict[str, Any]]]:
    with JobStore.open(jobs / job_id, lock=False) as store:
        return {str(i.key): (i.state, i.error or "", i.result or {}) for i in store.items()}


def load_update(sb: Sandbox, tmp_path: Path, jobs: Path, rows: dict[int, int],
                probability: int | None = None) -> None:
    """Load job "upd": each deal of ``rows`` to its amount (and, given, ``probability``)."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING + ('probability = "p"\n' if probability is not None
                                         else ""))
    manifest = tmp_path / "u.csv"
    more = "" if probability is None else f",{probability}"
    manifest.write_text(("deal_id,amount,p\n" if more else "deal_id,amount\n")
                        + "".join(f"{d},{v}{more}\n" for d, v in rows.items()))

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, prep = await load_job(sb, jobs, "update", build, job_id="upd")
        assert prep.actions["update"] == len(rows), prep.actions
        store.close()
    anyio.run(load)


def load_undo(sb: Any, root: Path, source: str, *, restores: int, force: bool = False) -> None:
    """The undo of job ``source`` loaded as job ``und`` (as `pdbulk undo` plans it), with
    ``restores`` deals to restore."""
    from jobs.undo import prepare_undo

    async def load() -> None:
        async def build(s: Any) -> Any:
            with JobStore.open(root / source, lock=False) as job:
                return await prepare_undo(s.ctx, job, force=force)
        store, prep = await load_job(sb, root, "undo", build, job_id="und")
        assert prep.actions.get("restore") == restores, prep.actions
        store.close()
    anyio.run(load)

def test_update_in_flight_is_decided_against_the_deal_as_it_is_now(
        sb: Sandbox, tmp_path: Path) -> None:
    """Four PATCHes in flight when the run died: A changed by a colleague (7777), B not
    applied, C applied before the kill, D deleted. Resume: A conflict (7777 kept), B sent,
    C DONE "updated" (not re-sent), D failed 404. Undo restores B and C only (it used to
    overwrite A with 5199, then restore 100 over 7777)."""
    jobs = tmp_path / "jobs"
    a, b, c, d = live(sb)[:4]
    for deal_id in (a, b, c, d):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299, c: 5399, d: 5499})
    in_flight(jobs, "upd")
    edit(sb, a, value=7777)  # the colleague
    edit(sb, c, when="2030-06-01T00:00:00Z", value=5399)  # our write, applied before the kill
    sb.state.save("deal", {**deal(sb, d), "is_deleted": True, "status": "deleted"})
    before = sb.stats()["writes_applied"].get("updateDeal", 0)
    spent = sb.stats()["tokens_spent"]

    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    # the plan prices the reconcile's read of the deals in flight (10, and 20 for the
    # archived list: v9r15 S1), the re-check of what it sends again (10) and at most 4
    # PATCHes
    assert "calls at most: getArchivedDeals 1, getDeals 2, updateDeal 4; tokens: 60" \
        in resumed.output, resumed.output
    assert sb.stats()["tokens_spent"] - spent == 45  # the reads, the re-check, B's PATCH
    assert deal(sb, a)["value"] == 7777
    assert deal(sb, b)["value"] == 5299 and deal(sb, c)["value"] == 5399
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # B only
    items = by_key(jobs, "upd")
    assert items[str(a)][0] is ItemState.FAILED and "conflict" in items[str(a)][1]
    assert "7777" in items[str(a)][1]
    assert items[str(b)][0] is ItemState.DONE and items[str(b)][2]["action"] == "updated"
    assert items[str(c)][0] is ItemState.DONE and items[str(c)][2]["action"] == "updated"
    assert items[str(d)][0] is ItemState.FAILED and "no longer exists" in items[str(d)][1]

    undone = cli(sb, "undo", "upd", "--yes", *cli_args(sb, jobs))
    # A's write may have applied: named, left alone (7777 holds nothing it wrote), exit 3
    # (x44r3 F1: it was named nowhere)
    assert undone.exit_code == 3, undone.output
    assert f"conflict: deal {a}: the job's write to it was in flight" in undone.output
    assert deal(sb, a)["value"] == 7777
    assert deal(sb, b)["value"] == 100 and deal(sb, c)["value"] == 100


def test_update_in_flight_already_as_wanted_before_is_unchanged(
        sb: Sandbox, tmp_path: Path) -> None:
    """A PATCH in flight whose before-image already held the wanted value (a companion
    field made the item): the deal as wanted is `unchanged`, not counted as the job's."""
    from jobs.deals import in_flight as verdict

    image = {"update_time": "t", "fields": {"value": 5}, "custom_fields": {}}
    assert verdict({"id": 1, "value": 5}, image, {"value": 5}) == ("unchanged", "")
    assert verdict({"id": 1, "value": 5}, image, {"value": 6})[0] == "unsent"
    assert verdict({"id": 1, "value": 6}, image, {"value": 6}) == ("applied", "")
    assert verdict({"id": 1, "value": 7}, image, {"value": 6})[0] == "conflict"
    assert verdict(None, image, {"value": 6})[0] == "gone"
    assert verdict({"id": 1, "value": 6}, image, {"value": 6}, reached=False)[0] == "unsent"


def test_undo_restores_in_flight_are_decided_against_the_deal_as_it_is_now(
        sb: Sandbox, tmp_path: Path) -> None:
    """An update set A, B, C from 100 to 5xxx; its undo died with the three restores in
    flight: a colleague set A to 7777, B's restore never applied, C's applied. Resume of
    the undo: A conflict (7777 kept), B restored, C DONE ``restored`` without a second
    PATCH (resume used to put every in-flight restore back to pending and send it: A's
    7777 was overwritten with 100)."""

    jobs = tmp_path / "jobs"
    a, b, c = live(sb)[:3]
    for deal_id in (a, b, c):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299, c: 5399})
    assert cli(sb, "resume", "upd", "--job-dir", str(jobs)).exit_code == 0

    load_undo(sb, jobs, "upd", restores=3)
    in_flight(jobs, "und")
    edit(sb, a, when="2031-01-01T00:00:00Z", value=7777)  # the colleague
    edit(sb, c, when="2030-09-01T00:00:00Z", value=100)  # our restore, applied before the kill
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert deal(sb, a)["value"] == 7777
    assert deal(sb, b)["value"] == 100 and deal(sb, c)["value"] == 100
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # B only
    items = by_key(jobs, "und")
    assert items[str(a)][0] is ItemState.FAILED and "conflict" in items[str(a)][1]
    assert items[str(b)][2].get("action") == "restored"
    assert items[str(c)][0] is ItemState.DONE and items[str(c)][2]["action"] == "restored"


IMPORT_MAPPING = """[import]
key_column = "key"
mode = "upsert"
[defaults]
currency = "USD"
[deal]
title = "title"
value = "amount"
"""


def test_upsert_updates_in_flight_are_decided_against_the_deal_as_it_is_now(
        sb: Sandbox, tmp_path: Path) -> None:
    """An upsert (k1..k3 from 100 to 5xxx) died with its three PATCHes in flight: a
    colleague set k1 to 7777, k2's PATCH never applied, k3's applied. Resume: k1 conflict
    (7777 kept), k2 updated, k3 DONE ``updated`` without a second PATCH (every in-flight
    update used to be sent again)."""
    from tests.import_support import loaded_import, read_csv

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    first = tmp_path / "a.csv"
    first.write_text("key,title,amount\nk1,One,100\nk2,Two,100\nk3,Three,100\n")
    ran = cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
              *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    ids = {r["key"]: int(r["deal_id"]) for r in read_csv(made / "succeeded.csv")}
    second = tmp_path / "b.csv"
    second.write_text("key,title,amount\nk1,One,5100\nk2,Two,5200\nk3,Three,5300\n")
    job = loaded_import(sb, jobs, second, mapping)
    in_flight(jobs, job)
    edit(sb, ids["k1"], value=7777)  # the colleague
    edit(sb, ids["k3"], when="2030-09-01T00:00:00Z", value=5300)  # ours, applied before the kill
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert deal(sb, ids["k1"])["value"] == 7777
    assert deal(sb, ids["k2"])["value"] == 5200 and deal(sb, ids["k3"])["value"] == 5300
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # k2 only
    items = by_key(jobs, job)
    assert items["k1"][0] is ItemState.FAILED and "conflict" in items["k1"][1]
    assert items["k2"][2].get("action") == "updated"
    assert items["k3"][0] is ItemState.DONE and items["k3"][2]["action"] == "updated"


def test_merge_leaves_pairs_changed_since_the_plan(sb: Sandbox, tmp_path: Path) -> None:
    """A merge job (pairs a→b, c→d, e→f) is loaded; the run dies with e→f in flight (not
    applied). Meanwhile a colleague edits survivor d and merged-away e. Resume: a→b is
    merged; c→d and e→f are left alone with "changed since the plan" (both used to be
    merged: merges are final, the colleague's work went into a merge nobody re-checked)."""
    from jobs.merging import prepare_merge, read_pairs

    jobs = tmp_path / "jobs"
    a, b, c, d, e, f = live(sb)[:6]
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(f"merge_id,survivor_id\n{a},{b}\n{c},{d}\n{e},{f}\n")

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_merge(s.ctx, read_pairs(pairs))
        store, prep = await load_job(sb, jobs, "merge", build, job_id="mrg")
        assert prep.actions["merge"] == 3, prep.actions
        store.mark_sending([i.id for i in store.items(ItemState.PENDING) if i.key == f"{e}->{f}"],
                           1.0)
        store.set_status("running")
        store.close()
    anyio.run(load)
    edit(sb, d, title="Renamed by a colleague")
    edit(sb, e, title="Renamed by a colleague")

    resumed = cli(sb, "resume", "mrg", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert deal(sb, a)["is_deleted"]
    assert not deal(sb, c)["is_deleted"] and not deal(sb, e)["is_deleted"]
    items = by_key(jobs, "mrg")
    assert items[f"{a}->{b}"][0] is ItemState.DONE
    for key in (f"{c}->{d}", f"{e}->{f}"):
        assert items[key][0] is ItemState.FAILED and "changed since the plan" in items[key][1]
    assert "1 changed since the plan" in resumed.output, resumed.output


def test_a_merge_job_expects_its_own_merges_into_a_survivor(tmp_path: Path) -> None:
    """A chain b→a then c→a: after b→a (done, its update_time recorded) the survivor is
    newer than the plan's snapshot, but that is this job's own merge: c→a is not a
    conflict. A later change by someone else is."""
    from bulk.store import BeforeImage, NewItem, Outcome
    from jobs.merging import MergeJob, _changed

    store = JobStore.create(tmp_path / "m", job_id="m", kind="merge", config={})
    store.add_items([NewItem(row=1, key="2->1", op="merge",
                             payload={"merge_id": 2, "survivor_id": 1}),
                     NewItem(row=2, key="3->1", op="merge",
                             payload={"merge_id": 3, "survivor_id": 1})])
    store.put_before_images([BeforeImage("deal", n, None, {"id": n, "update_time":
                                                           "2030-01-01T00:00:00Z"}, 0.0)
                             for n in (1, 2, 3)])
    first, second = list(store.items())
    store.mark_sending([first.id], 0.0)
    store.record([Outcome(first.id, ItemState.DONE, result={
        "deal_id": 1, "merged_id": 2, "action": "merged",
        "update_time": "2030-01-02 00:00:00"})])
    expected = MergeJob(store)._expected()
    ours = {1: {"id": 1, "update_time": "2030-01-02T00:00:00Z"},
            3: {"id": 3, "update_time": "2030-01-01T00:00:00Z"}}
    assert _changed(second, ours, expected) is None
    theirs = {**ours, 1: {"id": 1, "update_time": "2030-01-03T00:00:00Z"}}
    assert "survivor deal 1 changed since the plan" in (_changed(second, theirs, expected) or "")
    store.close()


def test_upsert_update_of_a_deal_another_run_created_is_decided_against_its_first_image(
        sb: Sandbox, tmp_path: Path) -> None:
    """Job A (upsert) loaded k1..k4 as creates; job B created the four deals first, so A's
    rows turned into updates of B's deals (value 100 → 5xxx), and A died with them in
    flight (its before-images stored, as the update path does before the PATCH). Then a
    colleague set k1's value to 7777 and renamed k4 (a field A's update did not write: it
    was as wanted then); k3's PATCH had applied. Resume: k1 and k4 conflicts, kept; k2
    sent; k3 DONE with no second PATCH. Before, the resume re-read the deal and PATCHed
    over both edits (fresh tester, round 3, F3)."""
    from bulk.store import BeforeImage
    from jobs.deals import before_image
    from tests.import_support import loaded_import

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING)
    seed = tmp_path / "seed.csv"
    seed.write_text("key,title,amount\nk0,Zero,1\n")
    assert cli(sb, "import", str(seed), "-m", str(mapping), "--create-key-field",
               *cli_args(sb, jobs)).exit_code == 0
    ours = tmp_path / "a.csv"
    ours.write_text("key,title,amount\nk1,One,5100\nk2,Two,5200\nk3,Three,5300\nk4,Four,5400\n")
    job = loaded_import(sb, jobs, ours, mapping, job_id="job-a")
    theirs = tmp_path / "b.csv"
    theirs.write_text("key,title,amount\nk1,One,100\nk2,Two,100\nk3,Three,100\nk4,Four,100\n")
    other = tmp_path / "other"
    assert cli(sb, "import", str(theirs), "-m", str(mapping), "--mode", "insert",
               *cli_args(sb, other)).exit_code == 0
    (made,) = [p for p in other.iterdir() if p.is_dir()]
    from tests.import_support import read_csv
    ids = {r["key"]: int(r["deal_id"]) for r in read_csv(made / "succeeded.csv")}
    with JobStore.open(jobs / job) as store:
        items = {str(i.key): i for i in store.items()}
        assert {i.op for i in items.values()} == {"create"}
        store.put_before_images([
            BeforeImage("deal", ids[k], items[k].id,
                        before_image(deal(sb, ids[k]), {"value": 5100 + 100 * n}), 1.0)
            for n, k in enumerate(("k1", "k2", "k3", "k4"))])
    in_flight(jobs, job)
    edit(sb, ids["k1"], value=7777)  # the colleague
    edit(sb, ids["k3"], when="2030-09-01T00:00:00Z", value=5300)  # A's PATCH, applied
    edit(sb, ids["k4"], title="Four (renamed)")  # the colleague, on a field A did not write
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert deal(sb, ids["k1"])["value"] == 7777
    assert deal(sb, ids["k4"])["title"] == "Four (renamed)" and deal(sb, ids["k4"])["value"] == 100
    assert deal(sb, ids["k2"])["value"] == 5200 and deal(sb, ids["k3"])["value"] == 5300
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # k2 only
    got = by_key(jobs, job)
    assert got["k1"][0] is ItemState.FAILED and "conflict" in got["k1"][1] and "7777" in got["k1"][1]
    assert got["k4"][0] is ItemState.FAILED and "title" in got["k4"][1]
    assert got["k2"][0] is ItemState.DONE and got["k2"][2]["action"] == "updated"
    assert got["k3"][0] is ItemState.DONE and got["k3"][2]["action"] == "updated"
    assert len([d for d in live(sb) if deal(sb, d).get("title") in ("One", "Two", "Three")]) == 3


def test_an_update_in_flight_found_unchanged_is_skipped_and_the_run_finishes(
        sb: Sandbox, tmp_path: Path) -> None:
    """A PATCH in flight whose before-image already held the wanted value, with the deal
    as wanted: `unchanged`, SKIPPED (nothing this job owns). A sending item could not move
    to skipped, so the resume died on the store's transition check (exit 4) instead."""
    import sqlite3

    import orjson

    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {a: 5199, b: 5299})
    in_flight(jobs, "upd")
    with sqlite3.connect(jobs / "upd" / "job.sqlite") as db:  # as if made already 5199
        (before,) = db.execute("SELECT before FROM before_images WHERE entity_id = ?",
                               (a,)).fetchone()
        image = orjson.loads(before)
        image["fields"]["value"] = 5199
        db.execute("UPDATE before_images SET before = ? WHERE entity_id = ?",
                   (orjson.dumps(image).decode(), a))
    edit(sb, a, value=5199)

    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    items = by_key(jobs, "upd")
    assert items[str(a)][0] is ItemState.SKIPPED and items[str(a)][2]["action"] == "unchanged"
    assert items[str(b)][0] is ItemState.DONE and deal(sb, b)["value"] == 5299


def test_an_applied_in_flight_write_on_a_deal_archived_since_is_ours(
        sb: Sandbox, tmp_path: Path) -> None:
    """v9r15 S1: PATCHes in flight at a kill; before the resume a colleague archived the
    deals. C's write had applied: it was reported "no longer exists; nothing sent", so the
    update's undo never put C back. Now the reconcile reads the archived list too: C is
    DONE ``updated`` (the undo owns it), B (not applied) fails as archived, nothing sent;
    undo of the update, after the colleague unarchived C, restores C."""

    jobs = tmp_path / "jobs"
    b, c = live(sb)[:2]
    for deal_id in (b, c):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100)
    load_update(sb, tmp_path, jobs, {b: 5299, c: 5399})
    in_flight(jobs, "upd")
    edit(sb, c, when="2030-06-01T00:00:00Z", value=5399)  # our write, applied before the kill
    edit(sb, b, when="2030-07-01T00:00:00Z", is_archived=True)  # the colleague archives
    edit(sb, c, when="2030-07-01T00:00:00Z", is_archived=True)
    before = sb.stats()["writes_applied"].get("updateDeal", 0)

    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) == before  # nothing sent
    items = by_key(jobs, "upd")
    assert items[str(c)][0] is ItemState.DONE and items[str(c)][2]["action"] == "updated", \
        items[str(c)]  # before: FAILED "no longer exists"
    assert items[str(b)][0] is ItemState.FAILED and "archived" in items[str(b)][1]
    assert deal(sb, b)["value"] == 100

    edit(sb, c, when="2030-08-01T00:00:00Z", is_archived=False)  # the colleague unarchives

    load_undo(sb, jobs, "upd", restores=1, force=True)
    assert cli(sb, "resume", "und", "--job-dir", str(jobs)).exit_code == 0
    assert deal(sb, c)["value"] == 100  # before: left at 5399


def test_a_write_only_partly_as_wanted_is_a_conflict() -> None:
    """x10r2 S1: a PATCH {stage, status lost} applied before the kill, then a colleague
    reopened the deal; the resume took it for "not applied" and closed it again. x22r1: the
    same PATCH never applied, and a colleague set only some of its fields (status won, or
    the stage): taken for applied ("changed"), recorded a success with nothing sent. The
    two look alike, so some written fields as wanted beside others at the before-image or
    elsewhere is a conflict either way; only the whole PATCH as wanted is "applied", and all
    of it at the before-image is "unsent"."""
    from jobs.deals import before_image
    from jobs.deals import in_flight as verdict

    was = {"id": 5, "stage_id": 1, "status": "open", "lost_reason": None, "probability": 10,
           "custom_fields": {"c" * 40: "a"}}
    changes = {"stage_id": 5, "status": "lost", "lost_reason": "Q4 cleanup",
               "custom_fields": {"c" * 40: "b"}}
    image = before_image(was, changes)
    written = {**was, **changes, "custom_fields": {"c" * 40: "b"}}
    reopened = {**written, "status": "open", "lost_reason": None}
    state, detail = verdict(reopened, image, changes)
    assert state == "conflict" and "stage_id" in detail, detail
    assert "status, lost_reason at the value before it" in detail, detail
    custom_back = {**written, "custom_fields": {"c" * 40: "a"}}
    assert verdict(custom_back, image, changes)[0] == "conflict"
    other = {**written, "lost_reason": "Budget"}  # a third value beside fields as written
    state, detail = verdict(other, image, changes)
    assert state == "conflict" and "lost_reason: (empty) then, 'Budget' now" in detail, detail
    stage_only = {**was, "stage_id": 5}  # x22r1: a colleague dragged it to the stage
    state, detail = verdict(stage_only, image, changes, labels={"c" * 40: "Tier"})
    assert state == "conflict" and detail.startswith(
        "stage_id as this job's write wants it, status, lost_reason, Tier not"), detail
    nothing_written = {**was, "probability": 55, "status": "won"}
    assert verdict(nothing_written, image, changes)[0] == "conflict"
    assert verdict(was, image, changes) == ("unsent", "")
    assert verdict(written, image, changes) == ("applied", "")


def test_an_update_in_flight_partly_reverted_by_a_colleague_is_left_alone(
        sb: Sandbox, tmp_path: Path) -> None:
    """x10r2 S1 end to end: value and probability written before the kill; a colleague put
    the probability back. The resume sends nothing to that deal and reports a conflict
    (x12r4 F1 recorded it done: the same state arises when the write never applied and a
    colleague set the value, x22r1)."""
    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 500, b: 600}, probability=77)
    in_flight(jobs, "upd")
    edit(sb, a, when="2030-06-01T00:00:00Z", value=500, probability=77)  # ours, applied
    edit(sb, a, value=500, probability=10)  # the colleague puts the probability back
    before = sb.stats()["writes_applied"].get("updateDeal", 0)
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert (deal(sb, a)["value"], deal(sb, a)["probability"]) == (500, 10)
    assert (deal(sb, b)["value"], deal(sb, b)["probability"]) == (600, 77)
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # b only
    state, error, _ = by_key(jobs, "upd")[str(a)]
    assert state is ItemState.FAILED and "probability at the value before it" in error, error


def patch(sb: Sandbox, deal_id: int, body: dict[str, Any]) -> None:
    """A colleague's PATCH through the API (Pipedrive's side effects: won_time, ...)."""
    import aiohttp

    from tests.sandbox_helpers import Api

    async def send() -> None:
        async with aiohttp.ClientSession() as session:
            reply = await Api(sb, session).patch(f"/api/v2/deals/{deal_id}", body)
            assert reply.status == 200, reply.body
    anyio.run(send)


def load_move(sb: Sandbox, tmp_path: Path, jobs: Path, ids: list[int], stage: str,
              status: str) -> None:
    """Load job "mv": deals ``ids`` to ``stage`` of Sales with ``status``."""
    from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move

    manifest = tmp_path / "m.csv"
    manifest.write_text("deal_id\n" + "".join(f"{i}\n" for i in ids))
    source = DealSource(manifest=manifest)

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_move(s.ctx, source, MoveTarget(stage, "Sales", status),
                                      await move_catalog(s.ctx, source))
        store, prep = await load_job(sb, jobs, "move-stage", build, job_id="mv")
        assert store.counts()[ItemState.PENDING] == len(ids), prep.actions
        store.close()
    anyio.run(load)


SALES_OPEN = [8, 15, 16]  # open deals in Sales' "Proposal Made" (stage 4), seed 41


def test_a_move_in_flight_a_colleague_did_part_of_is_a_conflict(
        sb: Sandbox, tmp_path: Path) -> None:
    """x22r1: a move to "Negotiations Started" + won died in flight, not applied; a
    colleague marked one deal won, dragged another to the stage. The resume recorded both
    "moved" (the note "this job's write applied, then someone changed the deal"), sent
    nothing, exit 0, the deals out of the target. Now: conflicts, nothing sent, exit 3."""
    jobs = tmp_path / "jobs"
    a, b, c = SALES_OPEN
    assert all((deal(sb, i)["stage_id"], deal(sb, i)["status"]) == (4, "open")
               for i in SALES_OPEN)
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "won")
    in_flight(jobs, "mv")
    patch(sb, a, {"status": "won"})
    patch(sb, b, {"stage_id": 5})
    before = sb.stats()["writes_applied"].get("updateDeal", 0)
    resumed = cli(sb, "resume", "mv", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # c only
    assert (deal(sb, a)["stage_id"], deal(sb, a)["status"]) == (4, "won")
    assert (deal(sb, b)["stage_id"], deal(sb, b)["status"]) == (5, "open")
    assert (deal(sb, c)["stage_id"], deal(sb, c)["status"]) == (5, "won")
    items = by_key(jobs, "mv")
    for deal_id, wants, other in ((a, "status", "stage_id"), (b, "stage_id", "status")):
        state, error, _ = items[str(deal_id)]
        assert state is ItemState.FAILED and "conflict" in error and (
            f"{wants} as this job's write wants it, {other} not") in error, error
    failed = (jobs / "mv" / "failed.csv").read_text()
    assert f"\n{a}," in failed or f",{a}," in failed, failed
    assert f",{b}," in failed or f"\n{b}," in failed, failed


def test_an_undo_of_a_move_in_flight_a_colleague_did_part_of_is_a_conflict(
        sb: Sandbox, tmp_path: Path) -> None:
    """x22r1 undo variant: deals moved to "Negotiations Started" + lost; the undo died with
    its restores in flight, not applied; a colleague reopened one deal and dragged another
    back to its stage. The resume said "3 restored", exit 0, though two were not. Now:
    conflicts, nothing sent to them, the third restored, exit 3."""

    jobs = tmp_path / "jobs"
    a, b, c = SALES_OPEN
    load_move(sb, tmp_path, jobs, SALES_OPEN, "Negotiations Started", "lost")
    assert cli(sb, "resume", "mv", "--job-dir", str(jobs)).exit_code == 0
    assert all((deal(sb, i)["stage_id"], deal(sb, i)["status"]) == (5, "lost")
               for i in SALES_OPEN)

    load_undo(sb, jobs, "mv", restores=3)
    in_flight(jobs, "und")
    patch(sb, a, {"status": "open"})
    patch(sb, b, {"stage_id": 4})
    before = sb.stats()["writes_applied"].get("updateDeal", 0)
    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert "undone: 1 deals" in resumed.output, resumed.output
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # c only
    assert (deal(sb, a)["stage_id"], deal(sb, a)["status"]) == (5, "open")
    assert (deal(sb, b)["stage_id"], deal(sb, b)["status"]) == (4, "lost")
    assert (deal(sb, c)["stage_id"], deal(sb, c)["status"]) == (4, "open")
    items = by_key(jobs, "und")
    for deal_id in (a, b):
        state, error, _ = items[str(deal_id)]
        assert state is ItemState.FAILED and "only partly as the write wants it" in error, error


def test_an_update_in_flight_a_colleague_did_part_of_is_a_conflict(
        sb: Sandbox, tmp_path: Path) -> None:
    """x22r1 for update: value and probability in flight, not applied; a colleague set the
    probability to the very value the update sets. It was recorded "updated" with the value
    never written; now a conflict, nothing sent to it."""
    jobs = tmp_path / "jobs"
    a, b = live(sb)[:2]
    for deal_id in (a, b):
        edit(sb, deal_id, when="2030-01-01T00:00:00Z", value=100, probability=10)
    load_update(sb, tmp_path, jobs, {a: 500, b: 600}, probability=77)
    in_flight(jobs, "upd")
    edit(sb, a, probability=77)  # the colleague; the update never applied
    before = sb.stats()["writes_applied"].get("updateDeal", 0)
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert (deal(sb, a)["value"], deal(sb, a)["probability"]) == (100, 77)
    assert (deal(sb, b)["value"], deal(sb, b)["probability"]) == (600, 77)
    assert sb.stats()["writes_applied"].get("updateDeal", 0) - before == 1  # b only
    state, error, _ = by_key(jobs, "upd")[str(a)]
    assert state is ItemState.FAILED and (
        "probability as this job's write wants it, value not") in error, error


@pytest.mark.anyio
async def test_a_patch_answered_404_says_the_deal_went_after_it_was_read() -> None:
    """x12r5 F5: a deal merged away between the re-check and the PATCH failed with a bare
    "404 Deal not found (updateDeal)", where the re-check gives the same case its reason."""
    from bulk.errors import NotFound
    from bulk.store import Item
    from jobs.update_job import UpdateJob

    class Ctx:
        async def call(self, op: str, **kw: Any) -> Any:
            assert op == "updateDeal"
            raise NotFound(404, "Deal not found", operation=op)

    item = Item(id=1, row=2, key="7", op="update",
                payload={"deal_id": 7, "changes": {"value": 5}, "values": {}},
                state=ItemState.PENDING, attempts=0, result=None, error=None, status=None,
                sent_at=None)
    out = await UpdateJob().execute(Ctx(), item)  # type: ignore[arg-type]
    assert out.state is ItemState.FAILED and out.status == 404
    assert "deal 7 no longer takes writes: deleted or merged away after it was read" \
        in (out.error or "")


def test_an_import_s_conflicts_on_resume_name_custom_fields_by_label(
        sb: Sandbox, tmp_path: Path) -> None:
    """An upsert writing the custom field "Discount": k1's PATCH left in flight, k2's
    pending; a colleague sets both deals' Discount. Resume: both are conflicts whose
    reason says "Discount", never the field's 40-character key (f19f), as update and undo
    name it."""
    from tests.import_support import loaded_import, read_csv

    code = next(str(f["field_code"]) for f in sb.state.fields.values()
                if f["field_name"] == "Discount")
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(IMPORT_MAPPING + '[custom_fields]\n"Discount" = "disc"\n')
    first = tmp_path / "a.csv"
    first.write_text("key,title,amount,disc\nk1,One,100,1.5\nk2,Two,100,2.5\n")
    ran = cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
              *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    ids = {r["key"]: int(r["deal_id"]) for r in read_csv(made / "succeeded.csv")}
    second = tmp_path / "b.csv"
    second.write_text("key,title,amount,disc\nk1,One,100,3.5\nk2,Two,100,4.5\n")
    job = loaded_import(sb, jobs, second, mapping)
    with JobStore.open(jobs / job) as store:  # k1 in flight, k2 pending
        store.mark_sending([i.id for i in store.items(ItemState.PENDING) if i.key == "k1"], 1.0)
        store.set_status("running")
    for key in ("k1", "k2"):  # the colleague
        edit(sb, ids[key], custom_fields={**(deal(sb, ids[key])["custom_fields"] or {}),
                                          code: 99.25})

    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert code not in resumed.output, resumed.output
    items = by_key(jobs, job)
    for key in ("k1", "k2"):
        state, error, _ = items[key]
        assert state is ItemState.FAILED and "conflict" in error, items[key]
        assert "Discount: 2.5 then" in error or "Discount: 1.5 then" in error, error
        assert code not in error, error
    assert all(deal(sb, ids[k])["custom_fields"][code] == 99.25 for k in ("k1", "k2"))
