"""An upsert's ``edited_*`` counts (summary.json's ``load``, the summary's line) say what
the rows that settled did: a field kept by a row found under its key's claim when sent
(``jobs.importing.creates._exists``) is counted (before: 0, the load counted only its own
decisions), and a row counted at the load that fails when sent is not (before: counted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import JobStore
from jobs.import_load import import_job
from jobs.import_rows import ImportSettings
from jobs.importing import ImportJob
from jobs.mapping import Mapping
from tests.import_support import UPSERT_FAST, api_context, engine_config, read_csv, upserted
from tests.test_upsert_found_meanwhile_links import _night_held
from tests.test_upsert_relinked_links import ROWS, _files, _relinked

pytestmark = pytest.mark.anyio
FAST = UPSERT_FAST


def _load_counts(directory: Path) -> dict[str, Any]:
    return dict(orjson.loads((directory / "summary.json").read_bytes())["load"])


async def test_a_field_kept_when_sent_is_counted(tmp_path: Path, sleeper: int) -> None:
    """A colleague relinks R1's deal; night 2 finds it under R1's claim and keeps both
    links: edited_kept 2 of 1 deal (before: not counted)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping, r1, _ = await _relinked(sb, tmp_path)
        second = await _night_held(sb, tmp_path, manifest, mapping, "night-2", r1, "R1",
                                   sleeper)
        assert second["R1"]["action"] == "unchanged", second["R1"]
        counts = _load_counts(tmp_path / "jobs" / "night-2")
        assert (counts.get("edited_kept"), counts.get("edited_rows")) == (2, 1), counts


async def _night_then_delete(sb: Sandbox, tmp: Path, manifest: Path, mapping: Path,
                             job_id: str, deal_id: int) -> tuple[dict[str, Any], Path]:
    """An upsert whose load decides every row, then deal ``deal_id`` is deleted before
    any row is sent (a colleague, between the load and the run)."""
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="upsert")
    config = engine_config(sb, tmp / "jobs")
    store = JobStore.create(tmp / "jobs" / job_id, job_id=job_id, kind="import",
                            config={"engine": config.to_json(), "import": settings.to_json()})
    kind = ImportJob(store, settings, "")

    def say(line: str) -> None:
        if " rows: " in f" {line}":  # the load's last line: every row decided
            sb.state.deals.rows[deal_id]["is_deleted"] = True

    result = await import_job(store, kind, Mapping.load(mapping), config, sb.token, say=say)
    store.set_status("finished")
    kind.after_run(store, result)
    rows = {r["key"]: r for r in read_csv(store.directory / "failed.csv")}
    store.close()
    return rows, tmp / "jobs" / job_id


async def test_a_row_failing_when_sent_is_not_counted(tmp_path: Path) -> None:
    """A colleague retitles R1 and R2; the file changes both amounts. The load keeps both
    titles (2 fields of 2 deals); R1's deal is deleted before it is sent, its row fails:
    the summary counts R2's alone, 1 of 1 (before: 2 of 2)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest, mapping = _files(tmp_path, ROWS)
        first = await upserted(sb, tmp_path, manifest, mapping, "night-1")
        r1, r2 = int(first["R1"]["deal_id"]), int(first["R2"]["deal_id"])
        async with api_context(sb, tmp_path / "colleague") as ctx:
            for deal_id in (r1, r2):
                await ctx.call("updateDeal", path={"id": deal_id},
                               json={"title": "Colleague's"})
        changed, _ = _files(tmp_path, [(k, t, str(int(a) + 1), *rest)
                                       for k, t, a, *rest in ROWS], "night2.csv")
        failed, directory = await _night_then_delete(sb, tmp_path, changed, mapping,
                                                     "night-2", r1)
        assert "R1" in failed, failed
        counts = _load_counts(directory)
        assert (counts.get("edited_kept"), counts.get("edited_rows")) == (1, 1), counts
