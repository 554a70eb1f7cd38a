"""A re-run of an update's failed.csv as a new update (x42r4 L3): its held rows are said in
an update's words, and the plan says how many of its rows were conflicts of the earlier job
(a colleague's change) that running it writes over."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio
import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.account import load_catalog
from jobs.updating import UpdateMapping, prepare_update
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.test_update import write_csv
from tests.update_support import cli_args, deal, load_job, run_job, threaded_sandbox

MAPPING = ('version = 1\n[update]\nid_column = "Deal"\n[defaults]\ncurrency = "USD"\n'
           '[deal]\nvalue = "Amount"\ntitle = "Title"\n')


def test_a_failed_csv_rerun_names_its_conflicts_and_holds_in_update_words(
        tmp_path: Path) -> None:
    """Deal 2 changed by a colleague between the plan and the run (a conflict: "start a new
    job to overwrite it"), deal 5 named twice with other amounts (held). The plan of the
    failed.csv as a new update: the held rows say "named the same deal" and "send", never
    "source key" / "import"; a note counts the 1 row that was a conflict and says running
    it writes over that change."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        rows = [{"Deal": 2, "Amount": "2222", "Title": ""},
                {"Deal": 5, "Amount": "10", "Title": ""},
                {"Deal": 5, "Amount": "11", "Title": ""}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")

        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, umap, await load_catalog(s.ctx))

        async def first_job() -> Any:
            source, _ = await load_job(sb, tmp_path / "jobs", "update", build)
            sb.state.save("deal", {**deal(sb, 2), "value": 777,
                                   "update_time": sb.state.now_iso()})  # a colleague's change
            await run_job(sb, source)
            return source
        source = anyio.run(first_job)
        failed = {r["row"]: r for r in read_csv(source.directory / "failed.csv")}
        assert failed["2"]["reason"].startswith("conflict:"), failed["2"]
        source.close()

        res = CliRunner().invoke(app, [
            "plan", "update", str(source.directory / "failed.csv"), "--mapping",
            str(tmp_path / "map.toml"), "--json", *cli_args(sb, tmp_path / "p")],
            env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert "Traceback" not in res.output, res.output
        plan = orjson.loads(res.output.strip().splitlines()[-1]) if res.output.strip().startswith("{") else None
        assert plan is not None, res.output
        held = [r["reason"] for r in plan["failed_rows"] if r.get("hold")]
        assert len(held) == 2, plan["failed_rows"]
        for why in held:
            assert "source key" not in why and "import" not in why, why
            assert "named the same deal '5'" in why and "to send the row as it is" in why, why
        notes = " ".join(plan["notes"])
        assert "1 row(s) of this file were conflicts of an earlier job (rows 2:" in notes, notes
        assert "writes over those changes" in notes, notes
