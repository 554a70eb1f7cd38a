"""The library's results carry the tokens figure the CLI prints and the account was
charged: ``Finished.tokens`` (run_job, resume_job: load, re-read, re-checks and writes)
and ``RunStats.tokens`` (import_job's result: its load's calls too) — x25r3 F5: Finished
had none, RunStats had none, and the sum of ``tokens_by_operation`` missed the load and
re-read calls (update 320 of 370, resume 1,435 of 1,495)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.scheduler import BudgetPolicy
from tests.import_support import engine_config

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def _summary_tokens(directory: Path) -> int:
    data = json.loads((directory / "summary.json").read_text())
    return int(data.get("tokens_this_run", data["tokens"]))


@pytest.mark.anyio
async def test_run_and_resume_report_the_tokens_the_account_was_charged(
        tmp_path: Path) -> None:
    """An update run (stopped by its token cap) and its resume: each Finished.tokens is
    the sandbox's charge for that call and the summary's (the CLI's) figure; more than
    the run's own tokens_by_operation, which leaves the load's reads out."""
    from jobs import resume_job, run_job, update_deals

    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n" + "".join(f"{i},Renamed {i}\n" for i in range(1, 41)))
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(time_scale=0.05, deals=40, seed=7)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs", max_workers=4)
        capped = dataclasses.replace(cfg, budget=BudgetPolicy(max_tokens=200))
        before = sb.stats()["tokens_spent"]
        # every deal renamed to an unrelated title: foreign ids? (x48r7 F1), run as --yes
        first = await run_job(capped, sb.token, update_deals(manifest, mapping,
                                                             foreign_ids=True))
        charged = sb.stats()["tokens_spent"] - before
        assert first.status == "stopped", first
        assert first.tokens == charged == _summary_tokens(first.directory)
        assert first.result is not None
        assert first.result.stats.tokens < first.tokens  # the run's own: no load reads
        before = sb.stats()["tokens_spent"]
        again = await resume_job(first.directory, sb.token)
        charged = sb.stats()["tokens_spent"] - before
        assert again.status == "finished", again
        assert again.tokens == charged == _summary_tokens(again.directory) > 0


@pytest.mark.anyio
async def test_import_job_result_stats_count_the_load(tmp_path: Path) -> None:
    """import_job's RunResult.stats.tokens is what the sandbox charged, load included."""
    from bulk.store import JobStore
    from jobs import ImportJob, ImportSettings, import_job

    manifest, mapping = tmp_path / "d.csv", tmp_path / "m.toml"
    manifest.write_text("Key,Name\nk1,First\nk2,Second\n")
    mapping.write_text('version = 1\n[import]\nkey_column = "Key"\nmode = "insert"\n'
                       '[deal]\ntitle = "Name"\n')
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)
    async with serve(SandboxConfig(time_scale=0.05, deals=0, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        with JobStore.create(cfg.job_root / "i", job_id="i", kind="import",
                             config={"engine": cfg.to_json(),
                                     "import": settings.to_json()}) as store:
            before = sb.stats()["tokens_spent"]
            result = await import_job(store, ImportJob(store, settings), str(mapping), cfg,
                                      sb.token)
            assert result.stats.tokens == sb.stats()["tokens_spent"] - before > 0
