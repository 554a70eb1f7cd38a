"""A resumed upsert whose pending creates are found on deals made meanwhile reads those
deals by a list, 100 a call, right before their batch — not one ``getDeal`` each."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox import deals as sandbox_deals_mod
from jobs.demo_data import write_demo_export
from tests.import_support import sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
KEY_FIELD = "Import source key"


async def test_a_resumed_upsert_reads_the_deals_it_found_by_a_list(tmp_path: Path) -> None:
    """x18r3 (cost): an upsert loaded 80 creates and stopped; deals with 70 of those keys
    were made meanwhile. The resume finds them, updates each (none doubled), and reads
    them with one ``GET /api/v2/deals?ids=`` a batch (10 tokens: batches of 40, 40 and 30
    found) instead of 70 ``getDeal`` (1 token and one request each)."""
    from bulk.engine import EngineConfig
    from bulk.store import JobStore
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping
    from tests.import_support import engine_config, resume_job

    rows = 80
    export = write_demo_export(tmp_path / "in", rows=rows, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        mapping = Mapping.load(export.mapping)
        settings = ImportSettings(manifest=str(export.manifest), mapping=str(export.mapping),
                                  mode="upsert", create_key_field=True)
        config: EngineConfig = engine_config(sb, tmp_path / "jobs")
        b_dir = tmp_path / "jobs" / "B"
        store = JobStore.create(b_dir, job_id="B", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        kind = ImportJob(store, settings, "")
        runners: list[Any] = []
        loaded = kind.attach

        def attach(*args: Any) -> Any:  # loaded: stop before the first send
            out = loaded(*args)
            runners[0].request_stop()
            return out

        kind.attach = attach  # type: ignore[method-assign]
        await import_job(store, kind, mapping, config, sb.token, say=lambda line: None,
                         on_engine=runners.append)
        store.set_status("stopped")
        code = next(f["field_code"] for f in sb.state.fields.values()
                    if f["field_name"] == KEY_FIELD)
        made = [f"HS-{100000 + n}" for n in range(70)]
        for key in made:  # made meanwhile by someone else
            sandbox_deals_mod.create(sb.state, {"title": f"theirs {key}",
                                                "custom_fields": {code: key}})
        store.close()
        before = Counter(sb.stats()["requests_by_operation"])
        store, _ = await resume_job(sb, b_dir, reread=True)
        calls = Counter(sb.stats()["requests_by_operation"]) - before
        keys = Counter(str(d["custom_fields"].get(code)) for d in sandbox_deals(sb)
                       if d["custom_fields"].get(code))
        assert len(keys) == rows and max(keys.values()) == 1, keys.most_common(3)
        actions = Counter(i.result["action"] for i in store.items() if i.result)
        assert actions["created"] == rows - len(made), actions
        assert calls["getDeal"] == 0, calls
        assert calls["getDeals"] == 1 + 2, calls  # the resume's scan, one list a batch
        store.close()
