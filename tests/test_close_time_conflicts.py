"""A won / lost deal's times that cannot all be true fail the row (x35r1): a won / lost
time and a close time on different days (Pipedrive closes a deal the moment it is won or
lost), or a time after the run's day (a won time in 2030 is no deal's history). Import
and update alike; an update's row that leaves the status is judged by the deal's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.mapping.rowmapper import close_time_conflict, latest_time
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context, import_once, read_csv, sandbox_deals
from tests.test_close_times import HEADER, MAPPING, catalog

FAST = {"time_scale": 0.02, "seed": 7}
NOW = 1_764_000_000.0  # 2025-11-24T16:00:00Z


def mapped(**cells: str) -> dict[str, object]:
    values = dict.fromkeys(HEADER, "") | {"Key": "K1", "Title": "T"} | cells
    mapper = compile_mapping(Mapping.loads(MAPPING), catalog(), header=HEADER)
    import dataclasses

    mapper = dataclasses.replace(mapper, latest=latest_time(NOW))
    return dict(mapper.map(SourceRow(2, 2, values)).deal)


def test_latest_is_the_clock_in_the_farthest_zone_ahead() -> None:
    """UTC+14: a day's margin let a time 9 h ahead of the run pass (x37r1 F5)."""
    assert latest_time(NOW) == "2025-11-25T06:00:00Z"


def test_a_time_later_than_any_zone_today_fails_named_to_the_minute() -> None:
    """15 h past the run's clock is the future in every zone; the reason names the cell's
    time of day and the bound's (x37r1 F5: "2026-12-06 is in the future (after
    2026-12-06)")."""
    with pytest.raises(InputError) as info:
        mapped(Status="lost", **{"Lost time": "25.11.2025 07:00"})
    said = str(info.value)
    assert "the lost time 2025-11-25 07:00 UTC is in the future (after 2025-11-25 06:00 UTC" \
        in said, said
    assert info.value.column == "Lost time"


@pytest.mark.parametrize(("status", "cells", "column", "said"), [
    ("won", {"Won time": "01.03.2025", "Closed on": "05.03.2025"}, "Closed on",
     "the won time 2025-03-01 and the close time 2025-03-05 differ"),
    ("lost", {"Lost time": "01.03.2025", "Closed on": "28.02.2025"}, "Closed on",
     "the lost time 2025-03-01 and the close time 2025-02-28 differ"),
    ("won", {"Won time": "01.03.2030 10:00"}, "Won time", "the won time 2030-03-01 10:00 UTC is in the future"),
    ("lost", {"Closed on": "01.03.2030"}, "Closed on", "the close time 2030-03-01 is in the future"),
])
def test_times_that_cannot_all_be_true_fail_the_row(status: str, cells: dict[str, str],
                                                    column: str, said: str) -> None:
    with pytest.raises(InputError, match=said) as info:
        mapped(Status=status, **cells)
    assert info.value.row == 2 and info.value.column == column


def test_times_that_agree_pass() -> None:
    """One day with two times of day; today (a zone ahead of UTC); a won deal with no time."""
    won = mapped(Status="won", **{"Won time": "01.03.2025 10:00", "Closed on": "01.03.2025"})
    assert won["won_time"] == "2025-03-01T10:00:00Z"
    assert mapped(Status="lost", **{"Lost time": "25.11.2025 05:00"})["close_time"] \
        == "2025-11-25T05:00:00Z"
    assert "won_time" not in mapped(Status="won")
    assert close_time_conflict("open", {"close_time": "2099-01-01T00:00:00Z"}, "2025") is None


@pytest.mark.anyio
async def test_an_import_sends_none_of_them(tmp_path: Path) -> None:
    """Of four rows, the two whose times disagree fail, named by row and column; nothing
    of theirs reaches the sandbox; the two others are imported as given."""
    manifest = tmp_path / "deals.csv"
    manifest.write_text(
        "Key,Title,Status,Won time,Lost time,Closed on\n"
        "K1,Good won,won,01.03.2025 10:00,,01.03.2025 18:00\n"
        "K2,Split won,won,01.03.2025,,05.03.2025\n"
        "K3,Future lost,lost,,01.03.2030,\n"
        "K4,Good lost,lost,,05.02.2024,\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    async with serve(SandboxConfig(**FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        titles = {d["title"] for d in sandbox_deals(sb)}
        failed = read_csv(store.directory / "failed.csv")
        store.close()
    assert {"Good won", "Good lost"} <= titles and not {"Split won", "Future lost"} & titles
    assert [(r["row"], r["column"]) for r in failed] == [("3", "Closed on"), ("4", "Lost time")]
    said = [" ".join(map(str, r.values())) for r in failed]
    assert "differ" in said[0] and "in the future" in said[1], failed


UPDATE_MAPPING = """version = 1
[update]
id_column = "Id"
[deal]
status = "Status"
won_time = "Won"
close_time = "Closed"
"""


@pytest.mark.anyio
async def test_an_update_that_leaves_the_status_is_judged_by_the_deal(tmp_path: Path) -> None:
    """Deal 1 is won: a row giving a won time and a close time on other days, and one a
    close time in 2030, fail though their status cells are empty; deal 2's row (one day)
    is an update."""
    async with serve(SandboxConfig(deals=3, time_scale=0.02, seed=5)) as sb:
        for deal_id in (1, 2, 3):
            row: dict[str, Any] = sb.state.deals.rows[deal_id]
            row.update(status="won", lost_reason=None, won_time="2025-01-01T00:00:00Z",
                       lost_time=None, close_time="2025-01-01T00:00:00Z")
        manifest = tmp_path / "rows.csv"
        manifest.write_text("Id,Status,Won,Closed\n1,,2025-02-01,2025-02-03\n"
                            "2,,2025-02-01 09:00,2025-02-01 10:00\n3,,,2030-01-01\n")
        (tmp_path / "map.toml").write_text(UPDATE_MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        async with api_context(sb, tmp_path / "ctx") as ctx:
            prep = await prepare_update(ctx, manifest, umap, await load_catalog(ctx))
    failed = {i.row: i for i in prep.items if i.state.name == "FAILED"}
    assert sorted(failed) == [2, 4], prep.items
    assert "differ" in str(failed[2].error) and "in the future" in str(failed[4].error), failed
    assert prep.actions.get("update") == 1, prep.actions


ONLY_CLOSE = """
version = 1
[import]
key_column = "Key"
key_field = "Import source key"
[defaults]
date_formats = ["%d.%m.%Y"]
[deal]
title = "Title"
status = "Status"
close_time = "Closed on"
"""


@pytest.mark.parametrize("status", ["won", "lost"])
def test_a_future_close_time_alone_names_its_column(status: str) -> None:
    """Only close_time is mapped: the won / lost time is taken from it, and a future one
    fails the row naming "Closed on" (x36r1 F1: a StopIteration stopped the whole plan)."""
    import dataclasses

    header = ["Key", "Title", "Status", "Closed on"]
    mapper = compile_mapping(Mapping.loads(ONLY_CLOSE), catalog(), header=header)
    mapper = dataclasses.replace(mapper, latest=latest_time(NOW))
    row = {"Key": "K1", "Title": "T", "Status": status, "Closed on": "17.12.2026"}
    with pytest.raises(InputError, match="in the future") as info:
        mapper.map(SourceRow(2, 2, row))
    assert info.value.column == "Closed on"


@pytest.mark.anyio
async def test_an_update_with_a_future_close_time_alone_names_its_column(tmp_path: Path) -> None:
    """A won deal, a row with only a close time in 2030 (the status left): failed, its
    column named (x36r1 L3: none was)."""
    async with serve(SandboxConfig(deals=1, time_scale=0.02, seed=5)) as sb:
        sb.state.deals.rows[1].update(status="won", won_time="2025-01-01T00:00:00Z",
                                      close_time="2025-01-01T00:00:00Z")
        manifest = tmp_path / "rows.csv"
        manifest.write_text("Id,Closed\n1,2030-01-01\n")
        (tmp_path / "map.toml").write_text('version = 1\n[update]\nid_column = "Id"\n'
                                           '[deal]\nclose_time = "Closed"\n')
        umap = UpdateMapping.load(tmp_path / "map.toml")
        async with api_context(sb, tmp_path / "ctx") as ctx:
            prep = await prepare_update(ctx, manifest, umap, await load_catalog(ctx))
    failed = [i for i in prep.items if i.state.name == "FAILED"]
    assert len(failed) == 1 and "in the future" in str(failed[0].error), prep.items
    assert failed[0].payload.get("column") == "Closed", failed[0].payload


def test_a_future_time_is_named_by_the_cell_it_came_from() -> None:
    """x36r3 F4: a lost row with its lost time cell blank and a close time in 2028 was
    refused as "Lost time: the lost time ... is in the future", naming the blank column."""
    with pytest.raises(InputError, match="the close time 2028-01-01 is in the future") as info:
        mapped(Status="lost", **{"Closed on": "01.01.2028"})
    assert info.value.column == "Closed on"
    with pytest.raises(InputError, match="the won time 2028-01-01 is in the future") as info:
        mapped(Status="won", **{"Won time": "01.01.2028"})
    assert info.value.column == "Won time"


@pytest.mark.anyio
async def test_an_update_names_the_cell_the_future_time_came_from(tmp_path: Path) -> None:
    """The same in an update whose row leaves the status: Won mapped but blank, Closed in
    2027 on a won deal: "Closed" named (x36r3 F4: "WonT")."""
    async with serve(SandboxConfig(deals=1, time_scale=0.02, seed=5)) as sb:
        sb.state.deals.rows[1].update(status="won", won_time="2025-01-01T00:00:00Z",
                                      close_time="2025-01-01T00:00:00Z")
        manifest = tmp_path / "rows.csv"
        manifest.write_text("Id,Status,Won,Closed\n1,,,2030-02-01\n")
        (tmp_path / "map.toml").write_text(UPDATE_MAPPING)
        umap = UpdateMapping.load(tmp_path / "map.toml")
        async with api_context(sb, tmp_path / "ctx") as ctx:
            prep = await prepare_update(ctx, manifest, umap, await load_catalog(ctx))
    failed = [i for i in prep.items if i.state.name == "FAILED"]
    assert len(failed) == 1 and "the close time 2030-02-01 is in the future" in str(
        failed[0].error), prep.items
    assert failed[0].payload.get("column") == "Closed", failed[0].payload


def test_a_time_in_the_bounds_own_minute_is_named_to_the_second() -> None:
    """x37r3 F7: 50 s past the bound read "05:39 UTC is in the future (after 05:39 UTC"."""
    with pytest.raises(InputError) as info:
        mapped(Status="lost", **{"Lost time": "2025-11-25T06:00:50Z"})
    assert "the lost time 2025-11-25 06:00:50 UTC is in the future (after 2025-11-25 " \
           "06:00:00 UTC" in str(info.value), str(info.value)
