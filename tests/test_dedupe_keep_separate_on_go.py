"""A keep-separate decision is remembered only when its apply goes ahead (confirmed, or the
job run), never by an apply loaded and declined; the note says where it is kept and how to
forget it (x33r1 L5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.dedupe.apply import record_intended
from jobs.dedupe.index import load_keep_separate
from tests.dedupe_job_support import keep_separate, load_apply, plan, seed_account


@pytest.mark.anyio
async def test_keep_separate_waits_for_the_go_ahead(tmp_path: Path) -> None:
    """Loaded (not yet confirmed): nothing remembered, the note names the file and how to
    forget; confirmed (``record_intended``): the pair is remembered."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=34)) as sb:
        ids = seed_account(sb)["ids"]
        out = await plan(sb, tmp_path, tmp_path / "p1")
        ren = next(g for g in out.result.groups if ids["ren"] in g.member_ids)
        keep_separate(tmp_path / "p1", ren.id)
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        try:
            assert load_keep_separate(tmp_path / "state") == set()
            note = next(n for n in prep.notes if "to keep separate" in n)
            assert "keep-separate.json" in note and "to forget" in note, note
            record_intended(store)
            assert load_keep_separate(tmp_path / "state") == {frozenset(ren.member_ids)}
        finally:
            store.close()
