"""A resumed upsert whose pending creates are found on deals made meanwhile reads those
deals by a list, 100 a call, right before their batch — not one ``getDeal`` each."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox import deals as sandbox_deals_mod
from jobs.demo_data import write_demo_export
from tests.import_support import import_stopped_before_sending, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
KEY_FIELD = "Import source key"


async def test_a_resumed_upsert_reads_the_deals_it_found_by_a_list(tmp_path: Path) -> None:
    """x18r3 (cost): an upsert loaded 80 creates and stopped; deals with 70 of those keys
    were made meanwhile. The resume finds them, updates each (none doubled), and reads
    them with one ``GET /api/v2/deals?ids=`` a batch (10 tokens: batches of 40, 40 and 30
    found) instead of 70 ``getDeal`` (1 token and one request each)."""
    from tests.import_support import resume_job

    rows = 80
    export = write_demo_export(tmp_path / "in", rows=rows, broken=0, unknown_stage=0)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        b_dir = tmp_path / "jobs" / "B"
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", export.manifest,
                                                       export.mapping, mode="upsert")
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
        # the resume's scan, one list a batch, the end-of-run check for doubles
        assert calls["getDeals"] == 1 + 2 + 1, calls
        store.close()
