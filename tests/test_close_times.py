"""A won / lost deal's own dates: won_time, lost_time and close_time are mapped, read as
strict date-times, allowed only on a row of a status that has them, sent, stored; the
plan says when won / lost rows will be dated the import day (x24r1 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping
from tests.import_support import import_once, read_csv, sandbox_deals

FAST = {"time_scale": 0.02, "seed": 7}

MAPPING = """
version = 1
[import]
key_column = "Key"
key_field = "Import source key"
[defaults]
date_formats = ["%d.%m.%Y %H:%M", "%d.%m.%Y"]
[deal]
title = "Title"
status = "Status"
won_time = "Won time"
lost_time = "Lost time"
close_time = "Closed on"
"""
HEADER = ["Key", "Title", "Status", "Won time", "Lost time", "Closed on"]


def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[{"id": 100, "name": "Ann Lee", "email": "ann@acme.test", "active_flag": True}],
        deal_fields=[{"field_code": "k" * 40, "field_name": "Import source key",
                      "field_type": "varchar", "is_custom_field": True}])


def mapped(**cells: str) -> dict[str, object]:
    values = dict.fromkeys(HEADER, "") | {"Key": "K1", "Title": "T"} | cells
    mapper = Mapping.loads(MAPPING).compile(catalog(), header=HEADER)
    return dict(mapper.map(SourceRow(2, 2, values)).deal)


def test_date_times_keep_the_time_of_day() -> None:
    """A date-time is read by the mapping's formats or ISO 8601, with its time, in UTC."""
    formats = ["%d.%m.%Y %H:%M"]
    assert tf.parse_datetime("01.03.2025 14:22", formats) == "2025-03-01T14:22:00Z"
    assert tf.parse_datetime("2025-03-01 10:00:00", formats) == "2025-03-01T10:00:00Z"
    assert tf.parse_datetime("2025-03-01T10:00:00+02:00") == "2025-03-01T08:00:00Z"
    assert tf.parse_datetime("2025-03-01") == "2025-03-01T00:00:00Z"
    assert tf.parse_datetime(45292.5, ["excel"]) == "2024-01-01T12:00:00Z"
    with pytest.raises(InputError, match="not a date"):
        tf.parse_datetime("yesterday", formats)


def test_won_and_lost_rows_take_their_times() -> None:
    """A won row takes its won time, and as its close time when none is given; a lost row
    its close time as its lost time too."""
    won = mapped(Status="won", **{"Won time": "01.03.2025 10:00"})
    assert won["won_time"] == won["close_time"] == "2025-03-01T10:00:00Z"
    lost = mapped(Status="lost", **{"Closed on": "02.03.2025"})
    assert lost["lost_time"] == lost["close_time"] == "2025-03-02T00:00:00Z"
    assert "won_time" not in lost


@pytest.mark.parametrize(("status", "cells", "column"), [
    ("open", {"Won time": "01.03.2025"}, "Won time"),
    ("lost", {"Won time": "01.03.2025"}, "Won time"),
    ("won", {"Lost time": "01.03.2025"}, "Lost time"),
    ("open", {"Closed on": "01.03.2025"}, "Closed on"),
])
def test_a_time_of_another_status_fails_the_row(status: str, cells: dict[str, str],
                                                column: str) -> None:
    """A won time on a row not won (a lost time on a row not lost, a close time on an open
    row) fails the row, naming the column."""
    with pytest.raises(InputError, match=f"but the status is '{status}'") as info:
        mapped(Status=status, **cells)
    assert info.value.column == column


def test_a_bad_date_time_fails_the_row() -> None:
    with pytest.raises(InputError, match="not a date") as info:
        mapped(Status="won", **{"Won time": "March 1st"})
    assert info.value.column == "Won time"


@pytest.mark.anyio
async def test_won_and_lost_deals_keep_their_dates_in_pipedrive(tmp_path: Path) -> None:
    """Imported won / lost deals carry the file's won / lost / close times, not the
    import moment; a won time on an open row fails that row."""
    manifest = tmp_path / "deals.csv"
    manifest.write_text(
        "Key,Title,Status,Won time,Lost time,Closed on\n"
        "K1,Won one,won,01.03.2025 10:00,,01.03.2025 10:00\n"
        "K2,Lost one,lost,,05.02.2024,\n"
        "K3,Open one,open,,,\n"
        "K4,Bad one,open,01.03.2025,,\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    async with serve(SandboxConfig(**FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        by_title = {d["title"]: d for d in sandbox_deals(sb)}
        failed = read_csv(store.directory / "failed.csv")
        store.close()
    won, lost = by_title["Won one"], by_title["Lost one"]
    assert (won["won_time"], won["close_time"]) == ("2025-03-01T10:00:00Z",) * 2
    assert (lost["lost_time"], lost["close_time"]) == ("2024-02-05T00:00:00Z",) * 2
    assert by_title["Open one"]["close_time"] is None
    assert [(r["row"], r["column"]) for r in failed] == [("5", "Won time")]


def test_init_mapping_proposes_the_close_times() -> None:
    """A Pipedrive export's won time, lost time and "Deal closed on" columns are proposed
    (they were listed as not mapped), with the date format their samples show."""
    from jobs.mapping import init_mapping

    head = ["Deal - ID", "Deal - Title", "Deal - Status", "Deal - Won time",
            "Deal - Lost time", "Deal - Deal closed on", "Deal - Expected close date"]
    sample = ["5", "X", "won", "2025-03-01 10:00:00", "", "2025-03-01 10:00:00", "2025-02-28"]
    text = init_mapping(head, catalog(), samples={c: [v] for c, v in zip(head, sample,
                                                                          strict=True)})
    for line in ('won_time = "Deal - Won time"', 'lost_time = "Deal - Lost time"',
                 'close_time = "Deal - Deal closed on"'):
        assert line in text, text
    unmapped = text.partition("Columns not mapped")[2]
    assert "Won time" not in unmapped and "closed on" not in unmapped


def test_the_plan_says_when_won_and_lost_deals_will_be_dated_today(tmp_path: Path) -> None:
    """A file of won / lost rows and no close-time mapping: the plan says how many deals
    will be dated the import day and what to map; with the times mapped it says nothing."""
    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.sandbox_helpers import ThreadedSandbox

    token = "close-times-token"
    manifest, mapping = tmp_path / "deals.csv", tmp_path / "map.toml"
    manifest.write_text("Key,Title,Status,Won time,Lost time,Closed on\n"
                        "K1,A,won,01.03.2025 10:00,,\nK2,B,lost,,02.03.2025,\nK3,C,open,,,\n"
                        "K4,D,won,,,\n", encoding="utf-8")
    plain = "\n".join(line for line in MAPPING.splitlines() if "_time" not in line)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=token, deals=0,
                                       seed=7)) as sb:
        said = []
        for text in (plain, MAPPING):
            mapping.write_text(text, encoding="utf-8")
            res = CliRunner().invoke(app, [
                "plan", "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", "--url", sb.url, "--plan", "ultimate", "--oauth"],
                env={"PIPEDRIVE_API_TOKEN": token})
            assert res.exit_code == 0, res.output
            said.append(" ".join(res.output.split()))
    assert ("3 won / lost deals will be dated today; map won_time, lost_time or close_time"
            in said[0]), said[0]
    assert "1 won / lost deal will be dated today: their won_time / lost_time / close_time " \
        "cells are empty" in said[1], said[1]


@pytest.mark.anyio
async def test_the_import_says_when_won_and_lost_deals_will_be_dated_today(
        tmp_path: Path) -> None:
    """The import run says it too, as it loads (no plan needs to have been read)."""
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from tests.import_support import engine_config

    manifest, mapping = tmp_path / "deals.csv", tmp_path / "map.toml"
    manifest.write_text("Key,Title,Status\nK1,A,won\nK2,B,lost\n", encoding="utf-8")
    mapping.write_text("\n".join(line for line in MAPPING.splitlines() if "_time" not in line),
                       encoding="utf-8")
    said: list[str] = []
    async with serve(SandboxConfig(**FAST)) as sb:
        settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                                  create_key_field=True)
        config = engine_config(sb, tmp_path / "jobs")
        from bulk.store import JobStore
        store = JobStore.create(tmp_path / "jobs" / "j", job_id="j", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        await import_job(store, ImportJob(store, settings, ""), Mapping.load(mapping), config,
                         sb.token, say=said.append)
        store.close()
    assert any("2 won / lost deals will be dated today" in line for line in said), said
