"""A job whose undo left rows as conflicts is "undone in part" in ``status`` and in the
refusal of its ``resume`` (x45r8 F4: "was undone by job U (221 deal(s) deleted): nothing of
it is left to resume, and what it did was undone" while 74 of its deals remained)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config
from tests.update_support import deal

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


@pytest.mark.anyio
async def test_an_undo_with_conflicts_is_said_undone_in_part(tmp_path: Path) -> None:
    """An update of 3 deals, 1 edited by a colleague since: its undo puts 2 back, leaves 1
    as a conflict; ``undone_words`` and ``refuse_after_undo`` say so, with ``--force``;
    once a forced undo put it back too, the job is undone, no "in part"."""
    from jobs import run_job, undo_job, update_deals
    from jobs.undo import refuse_after_undo, undone_words

    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n1,One\n2,Two\n3,Three\n", encoding="utf-8")
    mapping.write_text(MAPPING, encoding="utf-8")
    async with serve(SandboxConfig(time_scale=0.05, deals=3, seed=7)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        source = await run_job(cfg, sb.token, update_deals(manifest, mapping))
        sb.state.save("deal", {**deal(sb, 1), "title": "Theirs",
                               "update_time": "2031-01-01T00:00:00Z"})
        undone = await run_job(cfg, sb.token, undo_job(source.directory))
        assert undone.counts == {"done": 2, "failed": 1}, undone.counts
        job = source.job_id
        with JobStore.open(source.directory, lock=False) as store:
            words, refused = undone_words(store), refuse_after_undo(store, "resume")
        force = f"`pdbulk undo {job} --force` puts back over them"
        assert words == (f"undone in part by job {undone.job_id} (2 deal(s) put back, "
                         f"1 left as conflicts: {force})"), words
        assert refused is not None and refused.startswith(
            f"job {job} was undone in part by job {undone.job_id} (2 deal(s) put back, 1 "
            f"left as conflicts: {force}): nothing of it is left to resume, and what it "
            "did was undone in part; refused"), refused
        forced = await run_job(cfg, sb.token, undo_job(source.directory, force=True))
        assert forced.counts.get("done", 0) == 1, forced.counts
        with JobStore.open(source.directory, lock=False) as store:
            words = undone_words(store)
        assert words is not None and words.startswith("undone by job ") \
            and "in part" not in words and "conflicts" not in words, words
