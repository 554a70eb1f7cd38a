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
from jobs.mapping import Mapping, compile_mapping
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
    mapper = compile_mapping(Mapping.loads(MAPPING), catalog(), header=HEADER)
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
    with pytest.raises(InputError, match=f"but the status is {status} ") as info:
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


SALESFORCE = """
version = 1
[import]
key_column = "Opportunity ID"
key_field = "Import source key"
[defaults]
date_formats = ["%m/%d/%Y"]
[deal]
title = "Opportunity Name"
status = { column = "Stage", map = { "Closed Won" = "won", "Closed Lost" = "lost", "*" = "open" } }
expected_close_date = "Close Date"
close_time = { column = "Close Date", when_open = "drop" }
"""
SF_HEADER = ["Opportunity ID", "Opportunity Name", "Stage", "Close Date"]


def sf_mapped(stage: str, close: str, mapping: str = SALESFORCE) -> dict[str, object]:
    values = {"Opportunity ID": "006A", "Opportunity Name": "X", "Stage": stage,
              "Close Date": close}
    mapper = compile_mapping(Mapping.loads(mapping), catalog(), header=SF_HEADER)
    return dict(mapper.map(SourceRow(2, 2, values)).deal)


def test_a_close_time_on_an_open_row_is_left_out_when_asked() -> None:
    """x27r1 9: Salesforce's "Close Date" is filled on open opportunities too (their
    expected close date). ``close_time = { column = ..., when_open = "drop" }`` leaves it out
    of an open row (before: no option; every open row failed "a close time is given but
    the status is open"), a closed row takes it as its close and won / lost time."""
    open_ = sf_mapped("Prospecting", "06/30/2026")
    assert open_["expected_close_date"] == "2026-06-30"
    assert "close_time" not in open_ and "won_time" not in open_
    won = sf_mapped("Closed Won", "03/01/2025")
    assert won["close_time"] == won["won_time"] == "2025-03-01T00:00:00Z"
    lost = sf_mapped("Closed Lost", "02/05/2024")
    assert lost["close_time"] == lost["lost_time"] == "2024-02-05T00:00:00Z"
    strict = SALESFORCE.replace(', when_open = "drop"', "")
    with pytest.raises(InputError, match="a close time is given but the status is open"):
        sf_mapped("Prospecting", "06/30/2026", strict)


def test_when_open_is_a_close_time_option_only() -> None:
    """A won time on an open row is a mistake of the status mapping: ``when_open`` is not
    one of its options (refused at load, as any unused key is)."""
    from jobs.mapping import MappingError

    bad = MAPPING.replace('won_time = "Won time"',
                          'won_time = { column = "Won time", when_open = "drop" }')
    with pytest.raises(MappingError, match="when_open"):
        compile_mapping(Mapping.loads(bad), catalog(), header=HEADER)


def test_the_undated_note_names_the_expected_close_date_column() -> None:
    """The plan's advice for undated closed deals names the option when the expected
    close date's column may hold their close dates (the advice alone could not work for
    Salesforce: close_time = "Close Date" fails every open row)."""
    no_times = SALESFORCE.replace('close_time = { column = "Close Date", when_open = "drop" }\n',
                                  "")
    note = Mapping.loads(no_times).undated_note(3)
    assert 'add close_time = { column = "Close Date", when_open = "drop" }' in note, note
    plain = "\n".join(line for line in MAPPING.splitlines() if "_time" not in line)
    assert "when_open" not in Mapping.loads(plain).undated_note(3)


@pytest.mark.anyio
async def test_a_salesforce_file_imports_open_and_closed_deals_with_their_dates(
        tmp_path: Path) -> None:
    """End to end: open opportunities keep "Close Date" as their expected close date and
    no close time; closed ones are closed on it (not on the import day)."""
    manifest = tmp_path / "opportunities.csv"
    manifest.write_text(
        "Opportunity ID,Opportunity Name,Stage,Close Date\n"
        "006A,Open one,Prospecting,06/30/2026\n"
        "006B,Won one,Closed Won,03/01/2025\n"
        "006C,Lost one,Closed Lost,02/05/2024\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(SALESFORCE, encoding="utf-8")
    async with serve(SandboxConfig(**FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        by_title = {d["title"]: d for d in sandbox_deals(sb)}
        failed = read_csv(store.directory / "failed.csv")
        store.close()
    assert failed == []
    opened, won, lost = by_title["Open one"], by_title["Won one"], by_title["Lost one"]
    assert (opened["status"], opened["expected_close_date"], opened["close_time"]) == (
        "open", "2026-06-30", None)
    assert (won["status"], won["won_time"], won["close_time"]) == (
        "won", "2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z")
    assert (lost["status"], lost["lost_time"]) == ("lost", "2024-02-05T00:00:00Z")


def test_an_update_of_an_open_deal_leaves_a_dropped_close_time_out(tmp_path: Path) -> None:
    """An update row that leaves the status: the deal's own decides, and an open deal drops
    a ``when_open = "drop"`` close time (the row updates its expected close date alone;
    without the option the row fails)."""
    import os

    from typer.testing import CliRunner

    from pdbulk.cli import app
    from tests.update_support import cli_args, deal, threaded_sandbox

    text = ('version = 1\n[update]\nid_column = "Deal"\n[defaults]\n'
            'date_formats = ["%m/%d/%Y"]\n[deal]\nexpected_close_date = "Close Date"\n'
            'close_time = { column = "Close Date", when_open = "drop" }\n')
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=6, seed=7)) as sb:
        opened = [i for i in range(1, 7) if deal(sb, i)["status"] == "open"][:2]
        assert len(opened) == 2
        for n, (deal_id, mapping) in enumerate(zip(
                opened, (text, text.replace(', when_open = "drop"', "")), strict=True)):
            rows, path = tmp_path / f"rows{n}.csv", tmp_path / f"map{n}.toml"
            rows.write_text(f"Deal,Close Date\n{deal_id},06/30/2026\n", encoding="utf-8")
            path.write_text(mapping, encoding="utf-8")
            res = CliRunner().invoke(app, ["update", str(rows), "--mapping", str(path),
                                           *cli_args(sb, tmp_path / f"jobs{n}")],
                                     env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
            assert "Traceback" not in res.output, res.output
            if n == 0:
                assert res.exit_code == 0, res.output
                after = deal(sb, deal_id)
                assert (after["status"], after["expected_close_date"], after["close_time"]) \
                    == ("open", "2026-06-30", None)
            else:
                assert res.exit_code == 3, res.output
                assert "a close time is given but the status is open" in res.output


@pytest.mark.parametrize(("head", "sample", "proposed"), [
    # Salesforce: Stage holds "Closed Won" / "Closed Lost"
    (["Opportunity ID", "Opportunity Name", "Stage", "Close Date"],
     ["006A", "X", "Closed Won", "2025-03-01"], True),
    # HubSpot: a "Deal Stage" of closedwon / closedlost
    (["Record ID", "Deal Name", "Deal Stage", "Close Date"],
     ["1", "X", "closedwon", "2025-03-01"], True),
    # an explicit expected close date is never a close date
    (["Key", "Title", "Status", "Expected close date"], ["1", "X", "won", "2025-03-01"], False),
    # a close time of the file's own
    (["Key", "Title", "Status", "Close Date", "Closed on"],
     ["1", "X", "won", "2025-03-01", "2025-03-01"], False),
    # no status in the file: every deal is open
    (["Key", "Title", "Close Date"], ["1", "X", "2025-03-01"], False),
])
def test_init_mapping_closes_closed_deals_on_a_crms_close_date(
        head: list[str], sample: list[str], proposed: bool) -> None:
    """x27r1 9: init-mapping mapped Salesforce's "Close Date" as the expected close date
    alone, so every won / lost opportunity would be closed on the import day; and the
    plan's advice (close_time = "Close Date") failed every open row. It now proposes the
    close time that open rows leave out, where the column is a CRM's "Close Date"."""
    from jobs.mapping import init_mapping

    text = init_mapping(head, catalog(), samples={c: [v] for c, v in zip(head, sample,
                                                                          strict=True)})
    line = 'close_time = { column = "Close Date", when_open = "drop" }'
    assert (line in text) is proposed, text
    if proposed:
        assert 'expected_close_date = "Close Date"' in text, text


def test_init_mapping_takes_a_bare_close_column_as_the_expected_close_date() -> None:
    """``Key, Deal, Company, Value, Currency, Close``: docs/mapping.md's own XLSX example
    maps ``Close`` to expected_close_date; init-mapping listed it as not mapped (x29r1 F6)."""
    from jobs.mapping import init_mapping

    head = ["Key", "Deal", "Company", "Value", "Currency", "Close"]
    sample = ["X-0", "Excel deal 0", "Wayne Enterprises Inc.", "4,314.03", "USD", "26.10.2026"]
    text = init_mapping(head, catalog(), samples={c: [v] for c, v in zip(head, sample,
                                                                          strict=True)})
    assert 'expected_close_date = "Close"' in text, text
    assert "Close" not in text.partition("Columns not mapped")[2]


@pytest.mark.parametrize("column", ["Close", "Close Date"])
def test_init_mapping_leaves_out_a_close_column_of_yes_and_no(column: str) -> None:
    """A ``Close`` / ``Close Date`` column sampled ``yes`` / ``no`` was proposed as the
    expected close date and every row failed ``not a date: 'yes'`` (x29r3 F6, 2 of 2)."""
    from jobs.mapping import init_mapping

    head = ["Key", "Deal", column]
    text = init_mapping(head, catalog(), samples={"Key": ["1", "2"], "Deal": ["A", "B"],
                                                  column: ["yes", "no"]})
    assert f'expected_close_date = "{column}"' not in text, text
    assert f"hold no date (yes / no?): {column}" in text


def test_a_plan_counts_a_won_time_on_open_and_on_lost_rows_apart() -> None:
    """x42r1 F4: won times on open and lost rows were one reason line headed by the first
    row's status ("the status is 'lost'", listing open rows): each status is its own
    class now, its headline saying the status of its rows."""
    from jobs.plan_reasons import ReasonTally, reason_line

    tally = ReasonTally()
    for row, status in ((2, "lost"), (3, "open"), (4, "open"), (5, "lost")):
        with pytest.raises(InputError) as info:
            mapped(Status=status, **{"Won time": "01.03.2025 10:00"})
        tally.add(info.value.reason, info.value.column, "K1", row)
    lines = sorted(reason_line(cls, n, tally.examples) for cls, n in tally.reasons().items())
    assert len(lines) == 2, lines
    assert lines[0].startswith("Won time: a won time is given but the status is lost "), lines
    assert "(row 2; and 1 more row like it: row 5)" in lines[0], lines
    assert lines[1].startswith("Won time: a won time is given but the status is open "), lines
    assert "(row 3; and 1 more row like it: row 4)" in lines[1], lines
