"""`plan undo` of an import whose deals a later merge job merged away (x46r7 F6: a dedupe
merged 6 of them, and the plan said "rows by action: already deleted 6"): the tally says
"merged away", each row's note "merged into deal N (job …)", as an update's undo says of
its rows (``targets.Later.merges``); a deal deleted with no merge on record stays
"already deleted"."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.update_support import cli_args, deal, threaded_sandbox


def test_plan_undo_of_an_import_names_the_deals_merged_away(tmp_path: Path) -> None:
    """Import A-1..A-4; merge A-2 into A-1 and A-4 into A-3; delete nothing else: the undo
    plan tallies "merged away 2", no "already deleted"; the rows' notes name the merges."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=3, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner, jobs = CliRunner(), tmp_path / "jobs"
        keys = [f"A-{n}" for n in range(1, 5)]
        manifest, mapping = tmp_path / "in.csv", tmp_path / "map.toml"
        manifest.write_text("id,title\n" + "".join(f"{k},Deal {k}\n" for k in keys))
        mapping.write_text('version = 1\n[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
        out = runner.invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                  "--create-key-field", *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        (imported,) = jobs.iterdir()
        ids = {r["key"]: int(r["deal_id"]) for r in read_csv(imported / "succeeded.csv")}
        (tmp_path / "pairs.csv").write_text(
            f"merge_id,survivor_id\n{ids['A-2']},{ids['A-1']}\n{ids['A-4']},{ids['A-3']}\n")
        out = runner.invoke(app, ["merge", str(tmp_path / "pairs.csv"), "--yes",
                                  *cli_args(sb, jobs)], env=env)
        assert out.exit_code == 0, out.output
        assert deal(sb, ids["A-2"])["is_deleted"] and deal(sb, ids["A-4"])["is_deleted"]
        merge_job = next(d.name for d in jobs.iterdir() if "merge" in d.name)
        planned = runner.invoke(app, ["plan", "undo", imported.name, *cli_args(sb, jobs)],
                                env=env)
        assert planned.exit_code == 3, planned.output  # the survivors: conflicts
        (tally,) = [line for line in planned.output.splitlines()
                    if line.startswith("rows by action:")]
        assert "merged away 2" in tally and "already deleted" not in tally, tally
        undone = runner.invoke(app, ["undo", imported.name, "--yes", *cli_args(sb, jobs)],
                               env=env)
        undo_dir = next(d for d in jobs.iterdir() if "undo" in d.name)
        rows = {r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")}
        for away, into in (("A-2", "A-1"), ("A-4", "A-3")):
            said = " ".join(rows[away].values())
            assert f"merged into deal {ids[into]} (job {merge_job})" in said, (said,
                                                                              undone.output)
        # the run tallies them as its plan did (x46r12 F7: the plan said "merged away 2",
        # the run "2 already deleted" of the same deals); the action column stays
        # "already deleted" (what a later undo reads), the note names the merge
        assert "already deleted" not in undone.output, undone.output
        assert "2 merged away" in undone.output and "(merged away 2)" in undone.output, \
            undone.output
        summary = orjson.loads((undo_dir / "summary.json").read_bytes())
        assert summary["actions"].get("merged away") == 2, summary["actions"]
        assert {rows[k]["action"] for k in ("A-2", "A-4")} == {"already deleted"}
