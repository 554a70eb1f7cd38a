"""Two rows of an update naming one deal with the same changes are one row written twice:
the later is skipped as ``duplicate`` naming the first (nothing sent twice, no hold); rows
setting other values stay held, naming both rows and the fields that differ with their
cells (f29e: identical rows were held like a contest)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.test_update import write_csv
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = """
version = 1
[update]
id_column = "Deal"
[defaults]
currency = "USD"
[deal]
value = "Amount"
title = "Title"
"""


def test_rows_of_one_deal_with_the_same_changes_are_one(tmp_path: Path) -> None:
    """Deal 4 on rows 2 and 3 (``4`` / ``4.0``, ``2000.5`` / ``2000.50``, a trailing space
    in the title): row 3 is a duplicate of row 2, exit 0, one PATCH. Deal 5 at 10 and 11:
    rows 4 and 5 held, each naming the other and the value's cells, deal 5 left (f30k:
    row 4 was written). Deal 999 (none) twice: both fail the
    same way, neither held."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        title, value = deal(sb, 4)["title"], deal(sb, 5)["value"]
        rows = [{"Deal": 4, "Amount": "2000.5", "Title": title},
                {"Deal": "4.0", "Amount": "2000.50", "Title": title + " "},
                {"Deal": 5, "Amount": "10", "Title": ""},
                {"Deal": 5, "Amount": "11", "Title": ""},
                {"Deal": 999, "Amount": "7", "Title": ""},
                {"Deal": 999, "Amount": "7", "Title": ""}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 3 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert done["3"]["action"] == "duplicate", (done, failed)
        assert "as row 2" in done["3"]["note"] and done["3"]["deal_id"] == "4"
        assert done["2"]["action"] == "updated" and deal(sb, 4)["value"] == 2000.5
        assert sorted(failed) == ["4", "5", "6", "7"], failed
        assert failed["4"]["hold"] == failed["5"]["hold"] == "duplicate-key"
        assert "also named by row 4, with other changes (value (column 'Amount': '10' there, " \
            "'11' here))" in failed["5"]["reason"], failed["5"]
        assert deal(sb, 5)["value"] == value != 10
        assert failed["6"]["hold"] == failed["7"]["hold"] == "", failed
        assert "no deal with id '999'" in failed["7"]["reason"], failed["7"]


def test_a_move_stage_row_naming_a_deal_again_is_a_duplicate(tmp_path: Path) -> None:
    """A move-stage row names its deal only, so two rows of one deal ask the same move:
    the later is skipped as ``duplicate`` naming the first row and its line (it was held,
    duplicate-key, exit 3); the deal is moved once."""
    manifest = tmp_path / "ids.csv"
    manifest.write_text('deal_id,Notes\n3,"one\ntwo"\n1,\n1.0,\n')
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        res = CliRunner().invoke(app, [
            "move-stage", "--manifest", str(manifest), "--to-stage", "Contact Made",
            "--to-pipeline", "Sales", "--yes", *cli_args(sb, tmp_path / "j")],
            env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 0 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        assert read_csv(job / "failed.csv") == []
        assert done["4"]["action"] == "duplicate" and done["4"]["deal_id"] == "1", done
        assert "already named by row 3 (line 4 of the file)" in done["4"]["note"], done
        assert done["3"]["action"] in ("updated", "unchanged", "moved"), done


def test_a_merge_pair_given_again_is_a_duplicate(tmp_path: Path) -> None:
    """Pair 2 → 1 on rows 2 and 3: row 3 was refused "duplicate of row 2" (exit 3 on
    every nightly run); it is skipped as ``duplicate`` naming row 2, the deals merged
    once. Pair 4 → 99999 (no such deal) twice: both fail alike."""
    pairs_file = tmp_path / "pairs.csv"
    pairs_file.write_text("merge_id,survivor_id\n2,1\n2,1\n4,99999\n4,99999\n")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        res = CliRunner().invoke(app, ["merge", str(pairs_file), "--yes",
                                       *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 3 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert done["2"]["action"] == "merged", done
        assert done["3"]["action"] == "duplicate" and done["3"]["merged_id"] == "2", done
        assert "the same pair as row 2" in done["3"]["note"]
        assert sorted(failed) == ["4", "5"], failed
        assert failed["4"]["reason"] == failed["5"]["reason"], failed  # alike, not held
        assert failed["5"]["hold"] == ""
        assert deal(sb, 2)["is_deleted"] and not deal(sb, 1)["is_deleted"]


def test_a_merge_pair_given_again_fails_as_its_first_row_does() -> None:
    """A pair given again whose first row is refused as a whole (a cycle) fails with that
    reason, naming the row; neither is merged."""
    from jobs.merging import PairRow, plan_merges

    plan = plan_merges([PairRow(2, 5, 6), PairRow(3, 6, 5), PairRow(4, 5, 6)],
                       {i: {"id": i} for i in range(1, 9)})
    reasons = {r.row: r.reason for r in plan.rejected}
    assert plan.merges == [] and plan.duplicates == []
    assert reasons[4].startswith("the same pair as row 2, which fails: cycle: 5 → 6 → 5"), reasons


KEY_MAPPING = """
version = 1
[update]
key_column = "Key"
key_field = "External ID"
[defaults]
currency = "USD"
[deal]
title = "Title"
"""


def test_two_rows_of_one_deal_giving_other_values_write_neither(tmp_path: Path) -> None:
    """f30k (x30r2 M4): ``K3,Upd A`` / ``K4,Fine`` / ``K3,Upd B`` by key: rows 2 and 4 are
    both held (duplicate-key), each naming the other and the title's cells, nothing sent for
    deal 3 (it was "Upd A"), the plan saying so too; in failed.csv, both hold cells emptied:
    still neither; one emptied: that one is written."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        (tmp_path / "map.toml").write_text(KEY_MAPPING)
        title = deal(sb, 3)["title"]
        manifest = write_csv(tmp_path / "rows.csv", [
            {"Key": "SEED-000003", "Title": "Upd A"}, {"Key": "SEED-000004", "Title": "Fine"},
            {"Key": "SEED-000003", "Title": "Upd B"}])

        def update(path: Path, jobs: str, *plan: str) -> tuple[int, str]:
            res = CliRunner().invoke(app, [*plan, "update", str(path), "--mapping",
                                           str(tmp_path / "map.toml"), *(
                                               ("--json",) if plan else ()),
                                           *cli_args(sb, tmp_path / jobs)], env=env)
            assert "Traceback" not in res.output, res.output
            return res.exit_code, res.output

        code, shown = update(manifest, "p", "plan")
        assert code == 3 and '"updateDeal":1' in shown.replace(" ", ""), shown
        assert update(manifest, "j")[0] == 3
        (job,) = (tmp_path / "j").iterdir()
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert sorted(failed) == ["2", "4"], failed
        assert {r["hold"] for r in failed.values()} == {"duplicate-key"}
        assert "also named by row 4, with other changes (title (column 'Title': " \
            "'Upd B' there, 'Upd A' here))" in failed["2"]["reason"], failed["2"]
        assert "also named by row 2, with other changes (title (column 'Title': " \
            "'Upd A' there, 'Upd B' here))" in failed["4"]["reason"], failed["4"]
        assert "neither is sent" in failed["2"]["reason"]
        assert deal(sb, 3)["title"] == title and deal(sb, 4)["title"] == "Fine"

        held_rows = read_csv(job / "failed.csv")

        def emptied(name: str, titles: set[str]) -> Path:
            rows = [{**r, "hold": "" if r["Title"] in titles else r["hold"]}
                    for r in held_rows]
            return write_csv(tmp_path / name, rows)
        # both hold cells emptied: still neither
        assert update(emptied("both.csv", {"Upd A", "Upd B"}), "b")[0] == 3
        assert deal(sb, 3)["title"] == title
        # only row 4's (Upd B) emptied: it is written
        assert update(emptied("one.csv", {"Upd B"}), "o")[0] == 3
        assert deal(sb, 3)["title"] == "Upd B"


@pytest.mark.parametrize("marks", ["auto", "."])
def test_only_the_rows_of_a_deal_named_again_are_mapped_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marks: str) -> None:
    """The pass that finds the deals two rows give other changes maps only those deals'
    rows (the file's repeated deals are learned on the marks' pass, or on a pass of the
    deal column alone): 8 rows, deal 5 twice → 8 + 2 mappings, not 8 + 8 (f30k mapped
    every row twice)."""
    import jobs.updating as updating

    calls: list[object] = []
    real = updating.wanted_values

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(args[1])
        return real(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(updating, "wanted_values", counted)
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        rows = [{"Deal": n, "Amount": str(100 + n), "Title": f"T{n}"} for n in range(1, 8)]
        rows.append({"Deal": 5, "Amount": "999", "Title": "T5"})
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING if marks == "auto" else MAPPING.replace(
            'currency = "USD"', 'currency = "USD"\ndecimal = "."'))
        res = CliRunner().invoke(app, ["plan", "update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code in (0, 3) and "Traceback" not in res.output, res.output
        assert "failed 2" in res.output, res.output  # deal 5's two rows, held
    assert len(calls) == 8 + 2, len(calls)


def test_a_failing_first_row_of_a_deal_given_other_changes_is_held_too(
        tmp_path: Path) -> None:
    """x30r3 M1: deal 4 at 'abc' (not an amount) then at 59: the first row said only
    "not an amount", its hold empty, while the second, held, advised emptying the right
    row's hold: done, it was refused again, for ever. The first row is now held too, its
    reason naming both; the second row's hold emptied, it is sent."""
    import csv

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        rows = [{"Deal": 4, "Amount": "abc", "Title": ""},
                {"Deal": 4, "Amount": "59", "Title": ""}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), "--yes",
                                       *cli_args(sb, tmp_path / "j")], env=env)
        assert res.exit_code == 3 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert failed["2"]["hold"] == failed["3"]["hold"] == "duplicate-key", failed
        assert "also named by row 3" in failed["2"]["reason"], failed["2"]
        assert "this row also fails: not an amount: 'abc'" in failed["2"]["reason"]
        table = list(csv.reader((job / "failed.csv").read_text().splitlines()))
        row3 = next(line for line in table[1:] if line[table[0].index("row")] == "3")
        row3[table[0].index("hold")] = ""
        chosen = tmp_path / "chosen.csv"
        with chosen.open("w", newline="") as f:
            csv.writer(f).writerows(table)
        res = CliRunner().invoke(app, ["update", str(chosen), "--mapping",
                                       str(tmp_path / "map.toml"), "--yes",
                                       *cli_args(sb, tmp_path / "k")], env=env)
        assert "Traceback" not in res.output, res.output
        assert deal(sb, 4)["value"] == 59, res.output


def test_an_empty_cell_of_a_deal_named_again_is_no_other_change(tmp_path: Path) -> None:
    """f31a: deal 4 at 58, then the amount empty: both rows were held ("either row would
    overwrite the other's update"), though an empty cell changes nothing. Row 3 is a
    duplicate of row 2 (deal 4 at 58, one PATCH); deal 5's rows set other fields (a title;
    an amount): both held, saying neither is the whole update, never "overwrite"."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        title = deal(sb, 5)["title"]
        rows = [{"Deal": 4, "Amount": "58", "Title": ""},
                {"Deal": 4, "Amount": "", "Title": ""},
                {"Deal": 5, "Amount": "", "Title": "X5"},
                {"Deal": 5, "Amount": "55", "Title": ""}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), "--yes",
                                       *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 3 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert done["3"]["action"] == "duplicate" and "as row 2" in done["3"]["note"], done
        assert deal(sb, 4)["value"] == 58
        assert sorted(failed) == ["4", "5"], failed
        for row in failed.values():
            assert row["hold"] == "duplicate-key" and "overwrite" not in row["reason"], row
            assert "setting other fields, none with other values" in row["reason"], row
            assert "neither of the rows is the whole update" in row["reason"], row
        assert deal(sb, 5)["title"] == title


def test_every_row_of_a_deal_given_other_changes_is_held_naming_the_others(
        tmp_path: Path) -> None:
    """f31a 2: deal 3 on four rows (1, 2, 3, then 1 again): the reasons named one other row
    each, and row 5 (row 2's twin) failed unheld as "the same changes as row 2, which
    fails"; deal 7 at 'abc', 'abc', 71: row 7 (row 6's twin) lost its hold and "this row
    also fails". Every row of such a deal is held, naming all the others; a failing one
    says so too. Neither deal is written."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        values = {n: deal(sb, n)["value"] for n in (3, 7)}
        rows = [{"Deal": 3, "Amount": str(a), "Title": ""} for a in (1, 2, 3, 1)]
        rows += [{"Deal": 7, "Amount": a, "Title": ""} for a in ("abc", "abc", "71")]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), "--yes",
                                       *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert res.exit_code == 3 and "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        assert sorted(failed, key=int) == [str(n) for n in range(2, 9)], failed
        assert {r["hold"] for r in failed.values()} == {"duplicate-key"}, failed
        for row, others in (("2", "rows 3, 4 and 5"), ("3", "rows 2, 4 and 5"),
                            ("5", "rows 2, 3 and 4"), ("6", "rows 7 and 8"),
                            ("7", "rows 6 and 8"), ("8", "rows 6 and 7")):
            assert f"is also named by {others}" in failed[row]["reason"], failed[row]
        assert "row 3 gives other changes than row 2 (value (column 'Amount': '2' in row " \
            "3, '1' in row 2))" in failed["5"]["reason"], failed["5"]
        for row in ("6", "7"):
            assert "this row also fails: not an amount: 'abc'" in failed[row]["reason"]
        assert {n: deal(sb, n)["value"] for n in (3, 7)} == values


def test_an_update_keeps_no_contest_a_later_file_naming_the_deal_once_is_written(
        tmp_path: Path) -> None:
    """f31a 3 (README: update remembers nothing, has no --release-held): deal 5 given two
    amounts is held on both rows; the next run, the file naming deal 5 once, writes it
    with no release (an import would refuse the key as contested); ``--release-held`` is
    a usage error, exit 2, no traceback."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        (tmp_path / "map.toml").write_text(MAPPING)

        def run(rows: list[dict[str, object]], jobs: str, *extra: str) -> int:
            manifest = write_csv(tmp_path / f"{jobs}.csv", rows)
            res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                           str(tmp_path / "map.toml"), "--yes", *extra,
                                           *cli_args(sb, tmp_path / jobs)], env=env)
            assert "Traceback" not in res.output, res.output
            return res.exit_code
        assert run([{"Deal": 5, "Amount": "10", "Title": ""},
                    {"Deal": 5, "Amount": "11", "Title": ""}], "both") == 3
        assert deal(sb, 5)["value"] not in (10, 11)
        assert run([{"Deal": 5, "Amount": "11", "Title": ""}], "one") == 0
        assert deal(sb, 5)["value"] == 11
        assert run([{"Deal": 5, "Amount": "12", "Title": ""}], "flag", "--release-held") == 2
