"""An amount with more decimals than its currency has: docs/mapping.md ("More decimals
than the currency has: ambiguous") refuses it only when its mark may as well group
thousands (``$1.234``: 1.234 or 1234); one that reads one way only (``$1,234,567.891``)
is written as given. x49r5 F3: the second went unsaid while the first was refused "3
decimals, more than USD has: 2", as if the rules differed; the plan now says it (Pipedrive
documents no precision of a deal's value: a number, openapi-v2 ``Deal``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from tests.import_support import api_engine, engine_config

pytestmark = pytest.mark.anyio
MAPPING = """\
[import]
key_column = "Id"
[defaults]
decimal = "."
[deal]
title = "Name"
value = "Amount"
currency = "Currency"
pipeline = { default = "Sales" }
[deal.stage]
column = "Stage"
"""
SOURCE = ("Id,Name,Stage,Currency,Amount\n"
          'a1,One,Qualified,USD,"$1,234,567.891"\n'
          "a2,Two,Qualified,USD,$1.234\n"
          "a3,Three,Qualified,USD,$12.50\n"
          "a4,Four,Qualified,BHD,1.125\n")


async def test_more_decimals_read_one_way_are_said(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE)
    mapping.write_text(MAPPING)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        async with api_engine(sb, tmp_path / "plan") as runner:
            plan, counts = await plan_import(
                runner.ctx, ImportSettings(str(manifest), str(mapping), "insert",
                                           create_key_field=True),
                Mapping.load(mapping), engine_config(sb, tmp_path / "plan").limits(),
                stats=runner.stats, scheduler=runner.scheduler.statistics, base_url=sb.url)
    assert counts.bad == 1, counts  # $1.234: two readings
    assert any("more than USD has" in r for r in plan.reasons), plan.reasons
    said = [n for n in plan.notes if "more decimals than" in n]
    assert len(said) == 1, plan.notes
    assert "1 amount has more decimals than its currency has" in said[0], said
    assert "row 2: 1234567.891 USD, 3 decimals, USD has 2" in said[0], said
    assert "refused as ambiguous" in said[0], said


def test_the_import_run_says_the_note_as_its_plan_does(tmp_path: Path) -> None:
    """x50r4: the note was in `plan import` only, and said "1 decimals" (JPY 1.5): the
    import run says it too, each count in its grammar ("1 decimal")."""
    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.update_support import cli_args, threaded_sandbox

    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("Id,Name,Stage,Currency,Amount\na1,One,Qualified,JPY,1.5\n"
                        "a2,Two,Qualified,USD,12.50\n")
    mapping.write_text(MAPPING)
    with threaded_sandbox(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        env = {"PIPEDRIVE_API_TOKEN": sb.token}
        args = [str(manifest), "--mapping", str(mapping), "--create-key-field",
                *cli_args(sb, tmp_path / "jobs")]
        plan = CliRunner().invoke(app, ["plan", "import", *args], env=env)
        run = CliRunner().invoke(app, ["import", *args], env=env)
    assert run.exit_code == 0, run.output
    for out in (plan.output, run.output):
        said = " ".join(out.split())
        assert "1 amount has more decimals than its currency has" in said, said
        assert "row 2: 1.5 JPY, 1 decimal, JPY has 0" in said, said
