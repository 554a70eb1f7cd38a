"""A row resolved again after its organization vanished, whose cells now make a new
organization under a key this run already followed to a merge survivor, says what the
deal holds: that survivor, matched ``kept`` — not "a new organization made", matched
``created`` (x38r1, night 1 row 1305: the deal sat on old organization 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import JobStore
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    UPSERT_FAST,
    api_context,
    deal_links,
    engine_config,
    read_csv,
    upsert_contacts_mapping,
    upsert_files,
)

pytestmark = pytest.mark.anyio
ROWS = [(f"R{n}", f"Deal {n}", "100", f"Pat {n}", f"pat{n}@ex.com", "Hooli") for n in (1, 2, 3)]


def _live(sb: Sandbox, name: str) -> list[int]:
    return [o["id"] for o in sb.state.table("organization").rows.values()
            if o["name"] == name and not o["is_deleted"]]


async def test_a_key_followed_to_a_survivor_is_named_as_kept(tmp_path: Path) -> None:
    """Hooli (the account's, linked at the load) deleted before R1's send: R1 makes Hooli
    again; once R1 is done that one is merged into Old Six; R2 follows it there; R3,
    resolved again before its send, links Old Six, its note and org_matched_by saying so;
    R1's row names Old Six, which its deal holds now (no read: a merge moves every deal)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping

    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx") as ctx:
            for name in ("Hooli", "Old Six"):
                await ctx.call("addOrganization", json={"name": name})
        (hooli,), (six,) = _live(sb, "Hooli"), _live(sb, "Old Six")
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, ROWS,
                                         upsert_contacts_mapping(), "f.csv")
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping),
                                  mode="upsert", create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs", max_workers=1)
        store = JobStore.create(tmp_path / "jobs" / "job", job_id="job", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        execute = kind.execute

        async def wrapped(ctx: Any, item: Any) -> Any:
            if item.key == "R1":
                row = sb.state.table("organization").rows[hooli]
                sb.state.save("organization", {**row, "is_deleted": True})
            out = await execute(ctx, item)
            if item.key == "R1":
                (again,) = _live(sb, "Hooli")
                merge(sb.state, "organization", again, {"merge_with_id": six})
            return out

        kind.execute = wrapped  # type: ignore[method-assign]
        result = await import_job(store, kind, Mapping.load(mapping), config, sb.token,
                                  say=lambda line: None)
        store.set_status("finished")
        kind.after_run(store, result)
        directory = store.directory
        store.close()
        assert not read_csv(directory / "failed.csv")
        rows = {r["key"]: r for r in read_csv(directory / "succeeded.csv")}
        assert deal_links(sb, int(rows["R3"]["deal_id"]))[1] == six, rows
    # R1, sent before the merge, names the organization its deal holds now too
    # (f50j, x50r6 L2: the deal moved off a record gone is said "merged into N")
    assert rows["R1"]["org_id"] == str(six) \
        and f"merged into organization {six}" in rows["R1"]["note"], rows["R1"]
    r3 = rows["R3"]
    assert r3["org_id"] == str(six) and r3["org_matched_by"] == "kept", r3
    assert "a new organization made" not in r3["note"], r3
    assert f"organization {six}" in r3["note"], r3


async def test_a_row_not_resolved_again_says_why_and_that_retry_fixes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A create whose organization vanished once the run's fresh reads are spent
    (``FRESH_READS`` 0 stands for a run that read twice already, under a colleague's
    churn) fails saying what happened and that a retry fixes it (x38r1 F8: "this run
    resolved rows again 2 times already" told neither)."""
    from jobs.importing import vanished
    from tests.import_support import upserted

    monkeypatch.setattr(vanished, "FRESH_READS", 0)
    async with serve(SandboxConfig(**UPSERT_FAST)) as sb:
        async with api_context(sb, tmp_path / "ctx") as ctx:
            await ctx.call("addOrganization", json={"name": "Hooli"})
        (hooli,) = _live(sb, "Hooli")
        manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, ROWS[:1],
                                         upsert_contacts_mapping(), "f.csv")
        import jobs.importing.job as job_module

        send = job_module.ImportJob._send_row

        async def deleted_first(self: Any, ctx: Any, item: Any, op: str, payload: Any) -> Any:
            row = sb.state.table("organization").rows[hooli]
            sb.state.save("organization", {**row, "is_deleted": True})
            return await send(self, ctx, item, op, payload)

        monkeypatch.setattr(job_module.ImportJob, "_send_row", deleted_first)
        rows = await upserted(sb, tmp_path, manifest, mapping, "job")
    assert not rows
    failed = read_csv(tmp_path / "jobs" / "job" / "failed.csv")
    reason = failed[0]["reason"]
    assert f"organization {hooli} merged away or deleted after the load" in reason, reason
    assert "someone merges or deletes them" in reason and "pdbulk retry" in reason, reason
