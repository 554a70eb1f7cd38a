"""What a plan leaves and shows: a plan that stops leaves no earlier plan-failed.csv; the
count by reason elides the row's cells but keeps the fix hint's own words."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bulk.errors import InputError
from jobs.planning import reason_class
from pdbulk.cli import app


def test_reason_class_elides_the_rows_own_key() -> None:
    """v9r11 cosmetic: the archived-key reason names its key unquoted, so every row was a
    reason of its own in `plan import --json`; the rows' key is elided, one group."""
    reasons = {reason_class(f"key K{n} belongs to archived deal {40 + n}; archived deals "
                            "cannot be edited (pass --unarchive to unarchive and update it)",
                            None, f"K{n}") for n in range(5000, 5005)}
    assert reasons == {"key … belongs to archived deal …; archived deals cannot be edited "
                       "(pass --unarchive to unarchive and update it)"}
    assert reason_class("key K5 is missing", None, "K5000") == "key K5 is missing"


def test_a_key_equal_to_a_word_of_the_reason_elides_no_word() -> None:
    """f26j: the row's key was elided as any bare word equal to it, so keys ``a`` and
    ``date`` made ``not a date: …`` two reasons (``not … date``, ``not a …``). Only the
    key where the message names it (``key K``, quoted) is elided: one reason per
    message, whatever the rows' keys, and the wording's "the key field" stays."""
    from jobs.account import key_problem
    from jobs.repeats import named_twice as _named_twice
    from jobs.transforms import parse_date

    keys = ["a", "not", "date", "1", "row", "tried", "k1", "field"]

    def reason_of(value: str) -> str:
        try:
            parse_date(value, ["%d/%m/%Y"])
        except InputError as exc:
            return exc.reason
        raise AssertionError(value)

    dates = {reason_class(reason_of(f"day {n}"), "Close", k) for n, k in enumerate(keys)}
    assert dates == {"Close: not a date: … (tried %d/%m/%Y, ISO (YYYY-MM-DD))"}, dates
    # the first row's line, where it differs, is no other class (f28f)
    twice = {reason_class(_named_twice("key", k, (3, line)), "Deal", k)
             for k in keys for line in (3, 5)}
    assert len(twice) == 1 and "also named by row … (each deal" in next(iter(twice)), twice

    class Index(dict[str, object]):
        archived: dict[str, dict[str, int]]

    index = Index()
    index.archived = {k: {"id": 40 + n} for n, k in enumerate(keys)}
    archived = {reason_class(key_problem(index, k, hint="pass --unarchive") or "", None, k)
                for k in keys}
    assert archived == {"key … belongs to archived deal …; archived deals cannot be "
                        "edited (pass --unarchive)"}, archived
    carries = {reason_class(f"deal 7 no longer carries key {k} (its key field holds 'x' now)",
                            None, k) for k in keys}
    assert carries == {"deal … no longer carries key … (its key field holds … now)"}, carries


def test_reason_class_keeps_the_hint_and_elides_the_cells() -> None:
    """``add "unix", "unix_ms" or "excel" to date_formats`` stays whole; cells go."""
    reason = ('not a date: the number 1766538000000 (add "unix", "unix_ms" or "excel" to '
              "date_formats to read numbers as dates)")
    assert reason_class(reason, "Close") == (
        'Close: not a date: the number … (add "unix", "unix_ms" or "excel" to date_formats '
        "to read numbers as dates)")
    assert reason_class(f"{'Brien'!r} and {chr(39).join('ab')!r} are not allowed",
                        None) == "… and … are not allowed"  # "a'b" is a cell (repr)


def test_a_plan_that_stops_removes_the_previous_plan_failed_csv(tmp_path: Path) -> None:
    """Exit 1 (a broken mapping) removes plan-failed.csv that an earlier plan wrote; a
    file of that name pdbulk did not write is kept."""
    manifest = tmp_path / "m.csv"
    manifest.write_text("key,title\nk1,A\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text("version = 1\n[import]\n")  # no key_column: a mapping error
    ours = tmp_path / "plan-failed.csv"
    ours.write_text("row,key,reason,status,column,hold,key,title\n2,k1,old reason,,,,k1,A\n")
    args = ["plan", "import", str(manifest), "--mapping", str(mapping), "--failed-csv",
            str(ours), "--url", "http://127.0.0.1:9"]
    res = CliRunner().invoke(app, args, env={"PIPEDRIVE_API_TOKEN": "t" * 20})
    assert res.exit_code == 1, res.output
    assert not ours.exists()
    ours.write_text("my own notes\n")
    res = CliRunner().invoke(app, args, env={"PIPEDRIVE_API_TOKEN": "t" * 20})
    assert res.exit_code == 1 and ours.read_text() == "my own notes\n"


def test_the_plan_prints_square_brackets_as_written(tmp_path: Path) -> None:
    """v10r19 cosmetic: rich read ``[defaults]`` in a reason and ``Amount [eur]`` in a
    column name as markup and dropped them from the printed plan (``--json`` had them)."""
    import os

    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    manifest = tmp_path / "m.csv"
    manifest.write_text("key,title,Amount [eur]\nk1,A,1.500\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "key"\n[defaults]\n'
                       'currency = "EUR"\n[deal]\ntitle = "title"\nvalue = "Amount [eur]"\n'
                       'pipeline = { default = "Sales" }\nstage = { default = "Qualified" }\n')
    with ThreadedSandbox(SandboxConfig(deals=0, seed=3)) as sb:
        res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping",
                                       str(mapping), "--url", sb.url, "--failed-csv",
                                       str(tmp_path / "pf.csv"), "--create-key-field"],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert res.exit_code == 3, res.output
    assert "Amount [eur]: " in res.output, res.output  # before: "Amount : "
    assert "[defaults] decimal" in res.output, res.output  # before: "};  decimal"


def test_a_clean_plan_leaves_no_plan_failed_csv(tmp_path: Path) -> None:
    """x9r6: the plan after the bad rows were fixed left a plan-failed.csv (its header
    only) beside the input, as if rows had failed again. A plan with bad rows writes it;
    the clean plan after it leaves none."""
    import os

    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    manifest = tmp_path / "m.csv"
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "key"\n[defaults]\n'
                       'currency = "EUR"\n[deal]\ntitle = "title"\nvalue = "amount"\n'
                       'pipeline = { default = "Sales" }\nstage = { default = "Qualified" }\n')
    failed = tmp_path / "plan-failed.csv"
    with ThreadedSandbox(SandboxConfig(deals=0, seed=3)) as sb:
        def plan(text: str) -> int:
            manifest.write_text(text)
            res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping",
                                           str(mapping), "--url", sb.url, "--failed-csv",
                                           str(failed), "--create-key-field"],
                                     env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
            return res.exit_code
        assert plan("key,title,amount\nk1,A,10\nk2,B,abc\n") == 3
        assert "abc" in failed.read_text()
        assert plan("key,title,amount\nk1,A,10\nk2,B,20\n") == 0
        assert not failed.exists()


def test_a_reason_with_apostrophes_in_its_words_is_not_elided() -> None:
    """x12r4 F3: the plan's class of the duplicate-row reason read "that row…s hold cell":
    the apostrophes of "row's ... row's" were taken for a quoted cell. Words keep theirs;
    cells quoted by repr are still elided."""
    from jobs.planning import reason_class
    from jobs.repeats import named_twice as _named_twice

    text = reason_class(_named_twice("id", "12", (3, 3)), "Deal")
    # x26r2 4b: the hold cell is failed.csv's (the input file has none), said so
    assert "overwrite that row's update; check which row is right and keep only it in " \
           "your file — in failed.csv this row is held: empty its hold cell there" in text \
           and "'12'" not in text, text
    assert reason_class("not an amount: '12abc' (unknown currency 'abc')", "Amount") == \
        "Amount: not an amount: … (unknown currency …)"


def test_undo_conflicts_are_counted_under_one_reason_whatever_their_times() -> None:
    """x22r3: plan undo's conflicts, each with its deal's update_time then and now, were
    each a reason of their own ("…-…-03T19:…:14Z"): the times are elided whole, so the
    deals changed since are counted together."""
    reasons = [f"conflict: deal {d} changed since the job wrote it (update_time "
               f"2026-12-0{m % 9 + 1}T1{m % 10}:{m:02}:{m % 60:02}Z then, "
               f"2026-12-0{d % 9 + 1} 0{d % 10}:00:0{d % 7} now); "
               "left alone" for d, m in ((101, 5), (2113, 44), (57, 59))]
    classes = {reason_class(r, None) for r in reasons}
    assert len(classes) == 1, classes
    assert classes == {"conflict: deal … changed since the job wrote it (update_time … "
                       "then, … now); left alone"}, classes
    assert reason_class("Close Date: not a date: '2026-13-45'", None) == \
        "Close Date: not a date: …"


def test_a_reason_naming_its_column_is_classed_by_that_column() -> None:
    """x42r5 F10: a merge plan's bad merge_id was counted under "column 'survivor_id'"
    (both names elided as cell values) and its name listed as one of its values."""
    from jobs.plan_reasons import cell_values, reason_class

    survivor = "column 'survivor_id': not a deal id: 'abc'"
    merged = "column 'merge_id': not a deal id: '-1'"
    assert reason_class(survivor, None) != reason_class(merged, None)
    assert reason_class(merged, None) == "column 'merge_id': not a deal id: …"
    assert reason_class(merged, None) == reason_class("column 'merge_id': not a deal id: 'x'",
                                                      None)
    assert cell_values(merged) == ["'-1'"]
