"""An insert of a file imported before says that its rows' deals exist and also what it
does not do: an insert never updates a deal, `--mode upsert` writes the rows that differ
(x31r1 5: "140 rows' deals exist … (nothing sent)", no hint that rows differ or that
upsert applies them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.demo_data import write_demo_export
from tests.import_support import api_engine, engine_config, import_once


@pytest.mark.anyio
async def test_an_insert_of_existing_rows_names_upsert(tmp_path: Path) -> None:
    """The plan's note on rows whose deals exist says insert never updates and upsert does."""
    from jobs.import_load import plan_import
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping

    export = write_demo_export(tmp_path / "in", rows=20)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        first, _, _ = await import_once(sb, tmp_path / "jobs", export.manifest, export.mapping,
                                        mode="insert", job_id="first")
        first.close()
        settings = ImportSettings(str(export.manifest), str(export.mapping), "insert")
        async with api_engine(sb, tmp_path) as runner:
            plan, _ = await plan_import(
                runner.ctx, settings, Mapping.load(export.mapping),
                engine_config(sb, tmp_path).limits(), stats=runner.stats,
                scheduler=runner.scheduler.statistics)
    (note,) = [n for n in plan.notes if "the deals that carry a key were listed" in n]
    assert "(nothing sent)" in note, note
    assert "an insert never updates a deal" in note, note
    assert "--mode upsert" in note, note
