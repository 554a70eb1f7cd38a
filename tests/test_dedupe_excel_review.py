"""x21r2 F2: a groups.csv saved by a spreadsheet in a decimal-comma locale (``score`` as
``0,8`` or ``1000`` for 1.000, ids with thousands separators, ``;`` as the delimiter) is
read: the stale ``score`` column is never refused (apply re-scores from pairs.csv), ids
are read through the separators, and only an ambiguous merged_ids cell is refused, with
its row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.dedupe.planfiles import read_groups
from tests.dedupe_job_support import load_apply, plan, seed_account
from tests.update_support import run_job

HEADER = "group_id;decision;band;score;survivor_id;merged_ids\n"


def test_stale_score_and_grouped_ids_are_read(tmp_path: Path) -> None:
    (tmp_path / "groups.csv").write_text(
        HEADER + "g-1;merge;review;0,8;1.234;2.345\n"
        "g-3;;duplicate;1000;3;4\n"
        "g-5;;duplicate;;5;\"6 789;7,890\"\n", encoding="utf-8")
    one, two, three = read_groups(tmp_path)
    assert (one.survivor_id, one.merged_ids, one.score) == (1234, (2345,), 0.8)
    assert two.merged_ids == (4,) and two.score != two.score  # NaN: stale, ignored
    assert three.merged_ids == (6789, 7890)


def test_an_ambiguous_merged_ids_cell_is_refused_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "groups.csv").write_text(HEADER + "g-1;;duplicate;0,9;1;\"5,678\"\n",
                                         encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_groups(tmp_path)
    assert caught.value.row == 2 and "5,678" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_column_alike_one_the_apply_reads_is_refused(tmp_path: Path) -> None:
    """A column added beside one the apply reads, alike but for case and spaces
    (``Survivor_ID`` beside ``survivor_id``, ``Decision `` beside ``decision``), is refused
    before anything is read, as merge refuses it (x45r11 F1: it was ignored and the groups
    merged as the other column said); an added column of another name is left alone."""
    for extra, cell in (("Survivor_ID", "3"), ("Decision ", "keep-separate")):
        (tmp_path / "groups.csv").write_text(
            HEADER.rstrip("\n") + f";{extra}\n" + f"g-1;merge;review;0,8;1;2;{cell}\n",
            encoding="utf-8")
        with pytest.raises(InputError, match="one name but for case") as caught:
            read_groups(tmp_path)
        assert extra.strip() in str(caught.value), caught.value
    (tmp_path / "groups.csv").write_text(HEADER.rstrip("\n") + ";my note\n"
                                         "g-1;merge;review;0,8;1;2;ok\n", encoding="utf-8")
    (group,) = read_groups(tmp_path)
    assert group.survivor_id == 1


def _excel_de(path: Path) -> None:
    """groups.csv as Excel (de-DE) saves it: `;`, a BOM, `1000` for 1.000, `0,85`."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    rows[0]["score"] = "1000"
    rows[1]["score"] = rows[1]["score"].replace(".", ",")
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)


@pytest.mark.anyio
async def test_apply_merges_a_plan_excel_saved_in_a_decimal_comma_locale(tmp_path: Path) -> None:
    """The plan's groups.csv saved again by Excel (de-DE): `;`, `0,85`, `1000`: both
    duplicate groups are merged (before: every row refused, score not in [0, 1])."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=71)) as sb:
        seed_account(sb)
        await plan(sb, tmp_path, tmp_path / "p")
        path = tmp_path / "p" / "groups.csv"
        _excel_de(path)
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p")
        assert prep.actions["merge"] == 2, prep.actions
        assert (await run_job(sb, store)).counts[ItemState.DONE] == 2
        store.close()
