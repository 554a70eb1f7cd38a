"""A resume that finds an in-doubt merge made cannot tell this job's lost answer from
another client's merge of the same pair (Pipedrive records no merger): it says so, and
names another client when the merge shows long after this job's send (x38r2 F5: a
colleague merged 171 into 170 by hand after the kill; the resume wrote a bare `merged`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.sandbox.merge import merge
from bulk.store import ItemState
from jobs.merging import LATE_APPLY, prepare_merge, read_pairs
from tests.update_support import delta, load_job, requests, run_job


def merger(path: Path) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_merge(s.ctx, read_pairs(path))
    return build


@pytest.mark.anyio
async def test_a_merge_found_made_on_resume_says_whose_it_may_be(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        first, second = (i.id for i in store.pending(10))
        store.mark_sending([first], time.time())  # killed right after the send
        store.mark_sending([second], time.time() - 10 * LATE_APPLY)  # long ago
        merge(sb.state, "deal", 2, {"merge_with_id": 1})  # the colleague, by hand
        merge(sb.state, "deal", 4, {"merge_with_id": 3})
        before = requests(sb)
        await run_job(sb, store)
        assert delta(before, requests(sb)).get("mergeDeals", 0) == 0
        done = {i.id: i for i in store.items(ItemState.DONE)}
        assert set(done) == {first, second}
        notes = {i: str((done[i].result or {}).get("note")) for i in done}
        assert notes[first].startswith("merged (by this job or another client"), notes
        assert "answer was lost" in notes[first]
        assert (done[first].result or {}).get("reason") == notes[first]  # dedupe's column
        assert notes[second].startswith("merged, most likely by another client"), notes
        store.close()
