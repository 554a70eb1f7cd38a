"""A negative deal value is written as it is (openapi-v2's deal ``value`` is a number, no
minimum; ``min = 0`` fails such rows when asked), and said in succeeded.csv, by an import
and by an update alike (x45r1 F4: `€ -50,00` was imported as a deal of -50 with no word)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig, serve
from jobs.results import negative_value_note
from pdbulk.cli import app
from tests.import_support import import_once, read_csv
from tests.test_update import write_csv
from tests.update_support import cli_args, deal, threaded_sandbox

IMPORT_MAPPING = """\
[import]
key_column = "id"
mode = "insert"
[defaults]
decimal = ","
[deal]
title = "title"
value = "amount"
pipeline = { default = "Sales" }
"""
UPDATE_MAPPING = """
version = 1
[update]
id_column = "Deal"
[defaults]
currency = "USD"
[deal]
value = "Amount"
"""


def test_the_note_names_the_value_and_only_a_negative_one() -> None:
    """-50 EUR is said with its currency; 0, 50 and no value give no note."""
    said = negative_value_note({"value": -50.0, "currency": "EUR"})
    assert said is not None and "negative (-50 EUR)" in said and "min = 0" in said, said
    assert [negative_value_note(b) for b in ({"value": 0}, {"value": 50}, {"title": "x"},
                                             {"value": None})] == [None] * 4


@pytest.mark.anyio
async def test_an_import_says_a_negative_value(tmp_path: Path) -> None:
    """Row 2 (`€ -50,00`) is created at -50 with the note; row 3 (`€ 50,00`) has none."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text('id,title,amount\nn1,Minus,"€ -50,00"\nn2,Plus,"€ 50,00"\n',
                        encoding="utf-8")
    mapping.write_text(IMPORT_MAPPING)
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="run", mode="insert")
        done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
        store.close()
    assert done["2"]["action"] == "created", done
    assert "the deal's value is negative (-50 EUR)" in done["2"]["note"], done
    assert "negative" not in done["3"]["note"], done


def test_an_update_says_a_negative_value(tmp_path: Path) -> None:
    """Deal 4 set to -75 is updated with the note; deal 5 set to 75 has none."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        manifest = write_csv(tmp_path / "rows.csv", [{"Deal": 4, "Amount": "-75"},
                                                     {"Deal": 5, "Amount": "75"}])
        (tmp_path / "map.toml").write_text(UPDATE_MAPPING)
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 0 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        assert deal(sb, 4)["value"] == -75, deal(sb, 4)
    assert done["2"]["action"] == "updated", done
    assert "the deal's value is negative (-75)" in done["2"]["note"], done
    assert "negative" not in done["3"]["note"], done
