"""Source keys the account cannot resolve to one editable deal: a key two deals carry is never
resolved by picking one (import upsert, update by key, move-stage by key, plan import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import load_catalog
from jobs.stages import DealSource, MoveTarget, move_catalog, prepare_move
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import read_csv
from tests.update_support import deal, load_job, run_job

pytestmark = pytest.mark.anyio
SB = {"time_scale": 0.02, "deals": 12, "seed": 6}


def code(sb: Sandbox, label: str = "External ID") -> str:
    return str(next(f["field_code"] for f in sb.state.custom_fields() if f["field_name"] == label))


def give_key(sb: Sandbox, deal_id: int, key: str) -> None:
    d = deal(sb, deal_id)
    sb.state.save("deal", {**d, "custom_fields": {**d["custom_fields"], code(sb): key}})


def failed(store: Any) -> dict[str, str]:
    return {str(i.key): str(i.error) for i in store.items(ItemState.FAILED)}


async def test_update_by_key_refuses_a_key_two_deals_carry(tmp_path: Path) -> None:
    """Deals 3 and 5 both carry SEED-000003: the row fails `key … matches deals 3, 5` and
    neither deal is touched; the other row is updated."""
    async with serve(SandboxConfig(**SB)) as sb:
        give_key(sb, 5, "SEED-000003")
        manifest = tmp_path / "keys.csv"
        manifest.write_text("Key,Amount\nSEED-000003,4242\nSEED-000004,777\n")
        (tmp_path / "map.toml").write_text(
            'version = 1\n[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
            '[defaults]\ncurrency = "USD"\n[deal]\nvalue = "Amount"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")
        before = (deal(sb, 3)["value"], deal(sb, 5)["value"])

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))
        store, _ = await load_job(sb, tmp_path, "update", build)
        await run_job(sb, store)
        assert failed(store) == {"SEED-000003": "key SEED-000003 matches deals 3, 5"}
        assert (deal(sb, 3)["value"], deal(sb, 5)["value"]) == before
        assert deal(sb, 4)["value"] == 777
        store.close()


async def test_move_stage_by_key_refuses_a_key_two_deals_carry(tmp_path: Path) -> None:
    """move-stage by source key: the ambiguous key's row fails; its deals stay where they are."""
    async with serve(SandboxConfig(**SB)) as sb:
        give_key(sb, 7, "SEED-000002")
        manifest = tmp_path / "keys.csv"
        manifest.write_text("Key\nSEED-000002\nSEED-000006\n")
        source = DealSource(manifest=manifest, key_column="Key", key_field="External ID")
        target = MoveTarget("Proposal Made", pipeline="Partnerships")
        stages = (deal(sb, 2)["stage_id"], deal(sb, 7)["stage_id"])

        async def build(s: Any) -> Any:
            return await prepare_move(s.ctx, source, target, await move_catalog(s.ctx, source))
        store, _ = await load_job(sb, tmp_path, "move-stage", build)
        await run_job(sb, store)
        assert failed(store) == {"SEED-000002": "key SEED-000002 matches deals 2, 7"}
        assert (deal(sb, 2)["stage_id"], deal(sb, 7)["stage_id"]) == stages
        assert deal(sb, 6)["stage_id"] == 9
        store.close()


async def test_import_upsert_and_its_plan_refuse_a_key_two_deals_carry(tmp_path: Path) -> None:
    """After an import, a second deal gets key HS-100002: `plan import` lists the key up front,
    and the upsert fails that row (no PATCH to either deal, no new deal)."""
    from jobs.demo_data import write_demo_export
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine, import_once

    export = write_demo_export(tmp_path / "in", rows=20, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(time_scale=0.02, deals=3, seed=6)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                        mode="insert", job_id="first")
        first.close()
        key_code = code(sb, "Import source key")
        d1 = deal(sb, 1)
        sb.state.save("deal", {**d1, "custom_fields": {**d1["custom_fields"],
                                                       key_code: "HS-100002"}})
        other = next(d for d in sb.state.deals.rows.values()
                     if d["custom_fields"].get(key_code) == "HS-100002" and d["id"] != 1)
        reason = f"key HS-100002 matches deals 1, {other['id']}"
        settings = ImportSettings(str(export.manifest), str(export.mapping), "upsert")
        async with api_engine(sb, tmp_path) as runner:
            plan, _ = await plan_import(runner.ctx, settings, Mapping.load(export.mapping),
                                        runner.scheduler.limits, stats=runner.stats,
                                        scheduler=runner.scheduler.statistics)
        assert plan.notes[0] == f"key problem (row fails): row 4: {reason}"  # line 4
        before = {i: dict(d) for i, d in sb.state.deals.rows.items()}
        store, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                        mode="upsert", create_key_field=False, job_id="second")
        assert failed(store) == {"HS-100002": reason}
        assert set(sb.state.deals.rows) == set(before)
        assert deal(sb, 1) == before[1] and deal(sb, other["id"]) == before[other["id"]]
        store.close()



async def test_two_key_fields_of_one_label_are_named_never_taken_for_missing(
        tmp_path: Path) -> None:
    """x12r1 F3: a colleague added a text field "import source key": plan import said "the
    account has no deal field ... pass --create-key-field", and with it "3 deal fields" and
    a placeholder code. Both now name the two fields' codes and send nothing."""
    from jobs.demo_data import write_demo_export
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping
    from tests.import_support import api_engine, import_once

    export = write_demo_export(tmp_path / "in", rows=5, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=6)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                        mode="insert", job_id="first")
        first.close()
        key_code = code(sb, "Import source key")
        twin = {**sb.state.fields[key_code], "field_code": "e" * 40,
                "field_name": "import source key"}
        sb.state.fields[twin["field_code"]] = twin
        before = dict(sb.stats()["writes_applied"])
        for create in (False, True):
            settings = ImportSettings(str(export.manifest), str(export.mapping), "upsert",
                                      create_key_field=create)
            async with api_engine(sb, tmp_path / str(create)) as runner:
                with pytest.raises(InputError) as caught:
                    await plan_import(runner.ctx, settings, Mapping.load(export.mapping),
                                      runner.scheduler.limits, stats=runner.stats,
                                      scheduler=runner.scheduler.statistics)
            reason = caught.value.reason
            assert "2 deal fields are labelled 'Import source key'" in reason, reason
            assert key_code in reason and "e" * 40 in reason and "0" * 40 not in reason
            assert "--create-key-field" not in reason and "create it" not in reason
        assert sb.stats()["writes_applied"] == before

# -- archived deals ---------------------------------------------------------------------------
def archive(sb: Sandbox, deal_id: int) -> None:
    sb.state.save("deal", {**deal(sb, deal_id), "is_archived": True,
                           "archive_time": "2026-01-01T00:00:00Z"})


async def test_import_upsert_sees_archived_deals(tmp_path: Path) -> None:
    """A key whose deal is archived: the upsert fails the row with the reason (no second deal);
    with --unarchive the same deal is unarchived and updated."""
    from jobs.demo_data import write_demo_export
    from tests.import_support import import_once

    export = write_demo_export(tmp_path / "in", rows=10, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=6)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                        mode="insert", job_id="first")
        first.close()
        key_code = code(sb, "Import source key")
        target = next(d["id"] for d in sb.state.deals.rows.values()
                      if d["custom_fields"].get(key_code) == "HS-100004")
        sb.state.save("deal", {**deal(sb, target), "title": "renamed in Pipedrive"})
        archive(sb, target)
        ids = set(sb.state.deals.rows)
        second, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest,
                                         export.mapping, mode="upsert",
                                         create_key_field=False, job_id="second")
        assert failed(second) == {"HS-100004": f"key HS-100004 belongs to archived deal "
                                  f"{target}; archived deals cannot be edited (pass "
                                  "--unarchive to unarchive and update it) (line 8 of "
                                  "the file)"}  # after the export's multi-line cells (x26r3 1)
        assert set(sb.state.deals.rows) == ids and deal(sb, target)["is_archived"]
        second.close()
        third, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                        mode="upsert", create_key_field=False, job_id="third",
                                        unarchive=True)
        assert failed(third) == {}
        now = deal(sb, target)
        assert set(sb.state.deals.rows) == ids
        # unarchived; the title renamed in Pipedrive since the first import wrote it (the
        # file unchanged) is kept (jobs.last_written, x31r1 F1), the row's note says so
        assert not now["is_archived"] and now["title"] == "renamed in Pipedrive"
        assert "changed in Pipedrive since" in next(
            r["note"] for r in read_csv(third.directory / "succeeded.csv")
            if r["key"] == "HS-100004")
        third.close()


async def test_update_and_move_by_key_see_archived_deals(tmp_path: Path) -> None:
    """update by key: an archived deal's row fails, or with unarchive is unarchived and updated;
    move-stage by key: the row fails with the reason; nothing else is touched."""
    async with serve(SandboxConfig(**SB)) as sb:
        archive(sb, 3)
        manifest = tmp_path / "keys.csv"
        manifest.write_text("Key,Amount\nSEED-000003,4242\n")
        (tmp_path / "map.toml").write_text(
            'version = 1\n[update]\nkey_column = "Key"\nkey_field = "External ID"\n'
            '[defaults]\ncurrency = "USD"\n[deal]\nvalue = "Amount"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")

        def build(unarchive: bool) -> Any:
            async def run(s: Any) -> Any:
                return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx),
                                            unarchive=unarchive)
            return run
        store, _ = await load_job(sb, tmp_path, "update", build(False), job_id="u1")
        await run_job(sb, store)
        assert "belongs to archived deal 3" in failed(store)["SEED-000003"]
        assert deal(sb, 3)["is_archived"] and deal(sb, 3)["value"] != 4242
        store.close()

        moves = tmp_path / "move.csv"
        moves.write_text("Key\nSEED-000003\n")
        source = DealSource(manifest=moves, key_column="Key", key_field="External ID")

        async def mover(s: Any) -> Any:
            return await prepare_move(s.ctx, source, MoveTarget("Proposal Made",
                                                                pipeline="Partnerships"),
                                      await move_catalog(s.ctx, source))
        stage = deal(sb, 3)["stage_id"]
        moved, _ = await load_job(sb, tmp_path, "move-stage", mover, job_id="m1")
        await run_job(sb, moved)
        assert "belongs to archived deal 3" in failed(moved)["SEED-000003"]
        assert deal(sb, 3)["stage_id"] == stage
        moved.close()

        store, _ = await load_job(sb, tmp_path, "update", build(True), job_id="u2")
        await run_job(sb, store)
        assert failed(store) == {}
        assert not deal(sb, 3)["is_archived"] and deal(sb, 3)["value"] == 4242
        store.close()


@given(st.lists(st.text(max_size=6), max_size=400), st.sampled_from([1, 2, 8, 4096]))
def test_the_key_set_answers_as_a_set_does(keys: list[str], capacity: int) -> None:
    """KeySet (the planner's compact set of a file's source keys) says "new" exactly when a
    set would, through every growth of its table."""
    from jobs.import_rows import KeySet

    compact, plain = KeySet(capacity), set()
    for key in keys:
        assert compact.add(key) is (key not in plain)
        plain.add(key)
    assert len(compact) == len(plain)


def test_the_key_set_takes_at_most_13_bytes_a_key_once_grown() -> None:
    """Issue 8: a 1,000,000-row plan's peak RSS held the key table; a power-of-two table at
    most half full took 16-32 bytes a key (16.8 MB at 1,000,000 keys)."""
    from jobs.import_rows import KeySet

    keys = KeySet()
    for n in range(1, 300_001):
        keys.add(f"K-{n}")
        if n in (20_000, 77_777, 150_000, 300_000):
            assert keys.slots() * 8 / n <= 13.1, n
    assert len(keys) == 300_000 and "K-1" in keys and "K-300001" not in keys


def test_a_key_set_grows_in_small_steps() -> None:
    """Issue 8: a grow holds the old and the new table at once; one table of 1,000,000 keys
    held ~18 MB beside its 10.5 at its last grow, the plan's peak RSS. The set grows a
    shard at a time: no grow allocates more than a 16th of what the set holds."""
    from jobs.import_rows import KeySet

    keys = KeySet()
    for n in range(1, 200_001):
        keys.add(f"K-{n}")
    largest = max(len(table) for table in keys._tables)  # the most one grow allocates
    assert 16 * largest <= keys.slots() and len(keys) == 200_000


def test_a_key_written_as_a_float_is_one_key_in_every_export_and_on_the_deal() -> None:
    """pandas writes an id column with a blank as floats (``1001.0``); another tool writes
    ``1001``: both are the key ``1001`` (as an XLSX number cell 1001.0 reads), and a deal
    whose key field holds ``1001.0`` is found by it."""
    from jobs.account import deal_key
    from jobs.transforms import source_key

    assert source_key("1001.0") == source_key("1001") == source_key(1001.0) == "1001"
    assert deal_key({"custom_fields": {"k": " 1001.00 "}}, "k") == "1001"
    assert deal_key({"custom_fields": {"k": "A-1.0"}}, "k") == "A-1.0"


def test_a_key_typed_in_full_width_characters_is_one_key_with_its_ascii_form() -> None:
    """A Japanese or Chinese export may type ids in full-width digits and letters; another
    export of the same records writes ``4010``: one key (NFKC, as Unicode compares
    identifiers), in rows and on deals (v10r31: a second deal). The spreadsheet checks see
    the ASCII form: a full-width ``1,001`` fails as ``1,001`` does."""
    from jobs.account import deal_key
    from jobs.transforms import source_key

    def wide(text: str) -> str:  # the full-width form of printable ASCII (U+FF01..U+FF5E)
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)

    assert wide("4010") != "4010"
    assert source_key(wide("4010")) == source_key("4010") == source_key(4010) == "4010"
    assert source_key(wide("HS-12")) == "HS-12"
    assert source_key(wide("4010.0")) == "4010"
    assert deal_key({"custom_fields": {"k": wide("4010")}}, "k") == "4010"
    assert source_key("M\u00fcller-7") == "M\u00fcller-7"  # composed letters stay as they are
    with pytest.raises(InputError):
        source_key(wide("1,001"))
