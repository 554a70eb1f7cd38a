"""Trust of an import's record of itself: what a retry created is counted (summary, undo's
contacts); claims stay held while a create waits; undo's plan counts what it deletes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import import_once, resume_job, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
pipeline = { default = "Sales" }
[deal.stage]
column = "stage"
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""
ROWS = ("id,title,stage,person,email,org\n"
        "k1,Deal 1,Qualified,Ann One,ann@x.example,Org One\n"
        "k2,Deal 2,Nope Stage,Bob Two,bob@x.example,Org Two\n"
        "k3,Deal 3,Qualified,Cy Three,cy@x.example,Org One\n")


def _files(tmp: Path) -> tuple[Path, Path]:
    manifest, mapping = tmp / "in.csv", tmp / "m.toml"
    manifest.write_text(ROWS)
    mapping.write_text(MAPPING)
    return manifest, mapping


async def test_retry_counts_the_persons_and_orgs_it_created(tmp_path: Path) -> None:
    """A row that failed at load (unknown stage) is mapped again by retry and creates a new
    person and organization: the summary counts them (3 persons, 2 organizations in all)."""
    manifest, mapping = _files(tmp_path)
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        summary = orjson.loads((store.directory / "summary.json").read_bytes())
        assert (summary["persons_created"], summary["organizations_created"]) == (2, 1)
        directory = store.directory
        store.failed_to_pending()
        store.close()
        mapping.write_text(MAPPING + '[deal.stage.map]\n"Nope Stage" = "Qualified"\n')
        store, result = await resume_job(sb, directory)
        assert result.counts[ItemState.DONE] == 3
        orgs = {o["name"] for o in sb.state.orgs.rows.values() if not o["is_deleted"]}
        assert "Org Two" in orgs
        assert len(sandbox_deals(sb)) == 3
        summary = orjson.loads((store.directory / "summary.json").read_bytes())
        assert (summary["persons_created"], summary["organizations_created"]) == (3, 2)
        store.close()


def test_undo_contacts_are_counted_and_confirmed_like_deals(tmp_path: Path) -> None:
    """`undo IMPORT --contacts` when the import's deals are already gone: the persons and
    organizations it would delete are work to confirm (declining deletes nothing; they
    used to be deleted without a prompt, counted nowhere); with --yes they are deleted and
    the summary and the printed lines count them."""
    import os

    from typer.testing import CliRunner

    from bulk.cli import app
    from tests.test_update_support import cli_args, threaded_sandbox

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=0, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner, jobs = CliRunner(), tmp_path / "jobs"
        manifest, mapping = _files(tmp_path)
        out = runner.invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                  "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 3, out.output  # k2: unknown stage
        (imported,) = jobs.iterdir()
        for d in sandbox_deals(sb):  # someone deleted the imported deals already
            d["is_deleted"], d["status"] = True, "deleted"
        live = lambda rows: sum(1 for r in rows.values() if not r["is_deleted"])  # noqa: E731
        persons, orgs = live(sb.state.persons.rows), live(sb.state.orgs.rows)
        assert (persons, orgs) == (2, 1)
        declined = runner.invoke(app, ["undo", imported.name, "--contacts",
                                       *cli_args(sb, jobs)], env=env, input="n\n")
        assert declined.exit_code == 0, declined.output
        assert "3 to send" in declined.output and "cancelled" in declined.output
        assert (live(sb.state.persons.rows), live(sb.state.orgs.rows)) == (2, 1)
        done = runner.invoke(app, ["undo", imported.name, "--contacts", "--yes",
                                   *cli_args(sb, jobs)], env=env)
        assert done.exit_code == 0, done.output
        assert (live(sb.state.persons.rows), live(sb.state.orgs.rows)) == (0, 0)
        assert "persons: 2 deleted" in done.output
        assert "organizations: 1 deleted" in done.output
        undo_dir = max((d for d in jobs.iterdir() if "undo" in d.name),
                       key=lambda d: d.stat().st_mtime)
        summary = orjson.loads((undo_dir / "summary.json").read_bytes())
        assert summary["contacts"]["persons"]["deleted"] == 2
        assert summary["contacts"]["organizations"]["deleted"] == 1
