"""`pdbulk merge` says what a merge drops and that merges are final in the dedupe's words
(one way to say it: `planfiles.drops_note` / `final_note`), not in wording of its own
(before: "survivor 1: the merge drops … (Pipedrive keeps the survivor's values; the
snapshots keep these)" and "merges are final: a snapshot of both deals of every merge …")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig
from jobs.dedupe.planfiles import drops_note, final_note
from tests.test_merge import merger
from tests.update_support import deal, load_job, threaded_sandbox


@pytest.mark.anyio
async def test_merge_notes_are_the_dedupes(tmp_path: Path) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=4, seed=24)) as sb:
        sb.state.save("deal", {**deal(sb, 1), "value": 0, "currency": "EUR", "status": "open"})
        sb.state.save("deal", {**deal(sb, 2), "value": 500, "currency": "EUR",
                               "status": "open"})
        path = tmp_path / "pairs.csv"
        path.write_text("merge_id,survivor_id\n2,1\n")
        _, prep = await load_job(sb, tmp_path, "merge", merger(path))
    drops = [n for n in prep.notes if "the merge drops" in n]
    assert len(drops) == 1, prep.notes
    listed = drops[0].split(": the merge drops ", 1)[1].split("; ")
    assert drops[0] == drops_note("survivor 1", listed), drops
    assert "value 500.00 EUR (deal 2)" in listed, listed
    assert all(re.fullmatch(r".+ \(deal \d+\)", item) for item in listed), listed
    finals = [n for n in prep.notes if "merges are final" in n]
    assert finals == [final_note(policy=False)], prep.notes
    assert final_note(policy=True).startswith(final_note(policy=False)[:-len("exports the "
                                                                             "snapshots)")])
