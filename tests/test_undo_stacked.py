"""Undoing stacked jobs newest first (x26r2 2): job A sets a value, job B (later, same job
directory) sets another on some of A's deals; `undo B`, then `undo A` puts A's deals back,
B's write being undone; and a deal already at its before-image is "already as before the
job", never a conflict."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\nvalue = "Amount"\n'


def _update(runner: CliRunner, env: dict[str, str], args: list[str], tmp: Path, name: str,
            rows: dict[int, int]) -> str:
    """An update job setting each deal of ``rows`` to its value, run: its job id."""
    (tmp / f"{name}.csv").write_text("Deal,Amount\n" + "".join(
        f"{d},{v}\n" for d, v in rows.items()))
    jobs = tmp / "jobs"
    had = set(jobs.iterdir()) if jobs.is_dir() else set()
    out = runner.invoke(app, ["update", str(tmp / f"{name}.csv"), "-m", str(tmp / "map.toml"),
                              "--yes", *args], env=env)
    assert out.exit_code == 0, out.output
    (job,) = set(jobs.iterdir()) - had
    return job.name


def test_undo_of_stacked_updates_newest_first_puts_every_deal_back(tmp_path: Path) -> None:
    """A on three deals, B on two of them; undo B, then undo A: all three back at their
    values from before A (x26r2 2: A's undo failed both of B's deals "conflict: changed by
    job B since", and a second plan of it called A's third deal, already back, a
    conflict)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=20, seed=35)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "jobs")
        (tmp_path / "map.toml").write_text(MAPPING)
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_archived"])[:3]
        original = {i: deal(sb, i)["value"] for i in ids}
        a = _update(runner, env, args, tmp_path, "a", {i: 1001 for i in ids})
        b = _update(runner, env, args, tmp_path, "b", {i: 2002 for i in ids[:2]})

        def undo(job: str) -> Path:
            had = set((tmp_path / "jobs").iterdir())
            out = runner.invoke(app, ["undo", job, "--yes", *args], env=env)
            assert out.exit_code == 0, out.output
            (folder,) = set((tmp_path / "jobs").iterdir()) - had
            return folder

        undo(b)
        assert [deal(sb, i)["value"] for i in ids] == [1001] * 3
        folder = undo(a)
        assert [deal(sb, i)["value"] for i in ids] == [original[i] for i in ids]
        again = runner.invoke(app, ["plan", "undo", a, "--json", *args], env=env)
        assert again.exit_code == 0, again.output
        plan: dict[str, Any] = orjson.loads(again.output)
        assert not plan.get("failed_rows"), plan["failed_rows"]
        assert "conflict" not in again.output, again.output
        assert {r["action"] for r in read_csv(folder / "succeeded.csv")} == {"restored"}
