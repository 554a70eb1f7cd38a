"""What `plan undo` says --force does to the deals it leaves alone, per group: an upsert's
undo holds restores (--force overwrites them) and deletes of its creates (--force deletes
them) at once (x31r1: "3 deal(s) left alone (49, 48, 183) … (--force deletes them)", though
49 and 48 were restores)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from tests.import_support import import_once, read_csv
from tests.test_undo import someone_edits, undoer
from tests.update_support import load_job

MAPPING = 'version = 1\n[import]\nkey_column = "id"\nmode = "{}"\n[deal]\ntitle = "title"\n'


@pytest.mark.anyio
async def test_plan_undo_of_an_upsert_says_what_force_does_per_group(tmp_path: Path) -> None:
    """Two restores and one create, all edited since: the note says --force overwrites the
    two (named) and deletes the one (named), never "deletes them" of all three."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=31)) as sb:
        manifest, mapping = tmp_path / "in.csv", tmp_path / "map.toml"
        manifest.write_text("id,title\nA-1,First\nA-2,Second\n")
        mapping.write_text(MAPPING.format("insert"))
        first, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        first.close()
        manifest.write_text("id,title\nA-1,First again\nA-2,Second again\nA-3,Third\n")
        mapping.write_text(MAPPING.format("upsert"))
        source, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                         job_id="import-2")
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(source.directory / "succeeded.csv")}
        for deal_id in ids.values():
            someone_edits(sb, deal_id, title="Theirs")
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source))
        notes = " ".join(" ".join(plan.notes).split())
        restored = sorted((ids["A-1"], ids["A-2"]))
        assert "3 deal(s) left alone" in notes, notes
        assert "(--force deletes them)" not in notes, notes
        assert (f"--force overwrites 2 of them ({restored[0]}, {restored[1]}) with their "
                f"values from before the job and deletes 1 ({ids['A-3']}), "
                "the job's create") in notes, notes
        undo.close()
        source.close()
