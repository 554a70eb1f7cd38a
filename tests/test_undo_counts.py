"""x18r2 5: undo's summary counted deals, persons and organizations in one "N done";
each kind is counted on its own, in the lines, in --json and in summary.json."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.test_undo import CONTACTS_MAPPING, CONTACTS_ROWS
from tests.update_support import cli_args, threaded_sandbox


def test_undo_counts_deals_persons_and_organizations_apart(tmp_path: Path) -> None:
    """2 imported deals with a new person and organization each: undo --contacts says
    "undone: 2 deals, 2 persons, 2 organizations", and --json / summary.json carry each."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=44)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        jobs = tmp_path / "jobs"
        manifest = tmp_path / "in.csv"
        manifest.write_text(CONTACTS_ROWS)
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        out = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                       "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (imported,) = jobs.iterdir()
        undone = CliRunner().invoke(app, ["undo", imported.name, "--contacts", "--yes",
                                          "--json", *cli_args(sb, jobs)], env=env)
        assert undone.exit_code == 0, undone.output
        data = orjson.loads(undone.stdout)
        assert "undone: 2 deals, 2 persons, 2 organizations" in undone.stderr, undone.stderr
        assert data["undone"] == {"deals": 2, "persons": 2, "organizations": 2}, data
        (job,) = (p for p in jobs.iterdir() if p != imported)
        summary = orjson.loads((job / "summary.json").read_bytes())
        assert summary["undone"] == {"deals": 2, "persons": 2, "organizations": 2}, summary
