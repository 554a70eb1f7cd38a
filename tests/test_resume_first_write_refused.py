"""A resume whose known budget cannot reach its first write is refused before it reads
anything (x38r2 F6: 26 tokens of the share left, 42 of reads before the first write, and
the resume spent 22 on reads anyway): here the run's --max-tokens, known without a call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.errors import BudgetExhausted
from bulk.sandbox import SandboxConfig, serve
from jobs.merging import prepare_merge, read_pairs
from jobs.resuming import resume_job
from tests.update_support import load_job, requests


def merger(path: Path) -> Any:
    async def build(s: Any) -> Any:
        return await prepare_merge(s.ctx, read_pairs(path))
    return build


@pytest.mark.anyio
async def test_a_resume_that_cannot_reach_its_first_write_reads_nothing(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=20, seed=23)) as sb:
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n4,3\n")
        store, _ = await load_job(sb, tmp_path, "merge", merger(path))
        store.set_status("stopped")
        before = requests(sb)
        with pytest.raises(BudgetExhausted) as caught:
            await resume_job(store, sb.token, max_tokens=11)  # the re-check (10) fits, not its first merge
        assert "before its first write" in str(caught.value), caught.value
        assert "nothing was read or sent" in str(caught.value)
        assert requests(sb) == before  # no read at all
        assert store.status == "stopped"
        done = await resume_job(store, sb.token)  # a cap that reaches it: merged
        assert done.status == "finished"
        store.close()
