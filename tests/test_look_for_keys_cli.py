"""``pdbulk import --look-for-keys`` from the command line (f27f left it tested through the
library only): an insert from another state folder into an account whose keyed deals
cost more to list than half the rows' creates does not list them (the plan says so and
names the flag); with the flag it lists them and creates nothing again. An upsert
refuses the flag (it lists every keyed deal anyway)."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from jobs.demo_data import write_demo_export
from pdbulk.cli import app
from tests.update_support import cli_args, requests, threaded_sandbox


def test_look_for_keys_lists_a_large_account_from_the_command_line(tmp_path: Path) -> None:
    export = write_demo_export(tmp_path / "in", rows=4, broken=0, unknown_stage=0)
    runner = CliRunner()

    def pdbulk(*args: str, state: str) -> tuple[int, str]:
        res = runner.invoke(app, [*args, *cli_args(sb, tmp_path / "jobs")], env={
            **os.environ, "PIPEDRIVE_API_TOKEN": sb.token,
            "PDBULK_STATE_DIR": str(tmp_path / state)})
        assert "Traceback" not in res.output, res.output
        return res.exit_code, " ".join(res.output.split())

    files = (str(export.manifest), "--mapping", str(export.mapping))
    with threaded_sandbox(SandboxConfig(deals=1200, time_scale=0.02, seed=7)) as sb:
        code, out = pdbulk("import", *files, "--mode", "insert", "--create-key-field",
                           state="one")
        assert code == 0, out
        key = next(f["field_code"] for f in sb.state.custom_fields()
                   if f["field_name"] == "Import source key")
        for deal in list(sb.state.deals.rows.values()):  # other files' deals, keyed too
            if not (deal.get("custom_fields") or {}).get(key):
                sb.state.save("deal", {**deal, "custom_fields": {
                    **(deal.get("custom_fields") or {}), key: f"crm-{deal['id']}"}})
        code, out = pdbulk("import", *files, "--mode", "upsert", "--look-for-keys",
                           state="two")
        assert code == 2 and "--look-for-keys is for an insert" in out, out
        code, out = pdbulk("plan", "import", *files, "--mode", "insert", state="two")
        assert code == 0 and "not looked for" in out and "--look-for-keys" in out, out
        before = requests(sb)
        code, out = pdbulk("import", *files, "--mode", "insert", "--look-for-keys",
                           state="two")
        after = requests(sb)
        assert code == 0, out
        assert "skipped 4 (exists 4)" in out, out
        assert after.get("addDeal", 0) == before.get("addDeal", 0), (before, after)
        assert after["getDeals"] - before.get("getDeals", 0) == 3  # 1,204 keyed deals
