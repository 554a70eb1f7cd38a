"""A new user's first day at the terminal (x39r3): a cron script passing ``--yes`` to every
command is not refused by the commands that ask nothing (L6: `import --yes` ended in
"No such option" while `update --yes` was taken), and an import cut short before its
first row (a refused token) says the job it named at the start was removed (L5:
`pdbulk status <job>` then said "no job" with nothing to tell why)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="growth", deals=5, seed=3)) as sb:
        yield sb


@pytest.mark.parametrize("command", ["import", "resume", "retry", "update"])
def test_commands_that_ask_nothing_take_yes(command: str) -> None:
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    yes = next((line for line in res.output.splitlines() if "--yes" in line), "")
    assert "asks nothing" in yes, res.output


def test_an_import_refused_its_token_says_its_job_was_removed(sandbox: Sandbox,
                                                              tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "d.csv", tmp_path / "d.toml"
    manifest.write_text("id,Title\n1,A\n2,B\n", encoding="utf-8")
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\nkey_field = "Source id"\n'
                       'mode = "insert"\n[deal]\ntitle = "Title"\n', encoding="utf-8")
    jobs = tmp_path / "jobs"
    res = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping), "--yes",
                                   "--url", sandbox.url, "--job-dir", str(jobs),
                                   "--create-key-field"],
                             env={"PIPEDRIVE_API_TOKEN": "not-the-right-one"})
    assert res.exit_code == 5, res.output  # the token's exit, --yes taken
    named = next(line for line in res.output.splitlines() if line.startswith("job "))
    job_id = named.split()[1]
    # (its reads went out, answered 401: no write; f49a F2, it said "nothing was sent")
    removed = next(line for line in res.output.splitlines()
                   if line.startswith(f"job {job_id} was removed ("))
    assert removed.endswith("): no job was left to resume"), removed
    # (a 401 is answered before any charge: x49r9 F2, "getPipelines 1 (5 tokens)" said)
    assert "(reads only: " in removed, removed
    assert "getPipelines 1 answered 401 (not charged)" in removed, removed
    assert "nothing was sent" not in removed
    assert not (jobs / job_id).exists()
    assert "not-the-right-one" not in res.output
    assert sandbox.stats()["requests_by_operation"].get("addDeal", 0) == 0
