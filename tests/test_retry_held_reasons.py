"""A retry judges its held rows again: a row held beside another row of its key carries the
reason of its latest judgement in failed.csv and ``pdbulk status`` — never a failure the
mapping fix cured (x41r4 F5: "this row also fails: no stage named 'zz'" stayed after the
retry mapped 'zz')."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.import_support import read_csv
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import MAPPING


def test_a_retry_rewrites_the_reasons_of_the_rows_it_keeps_held(sb: Sandbox,  # noqa: F811
                                                                tmp_path: Path) -> None:
    """Rows 3 / 4 of 'k5' give other titles, both on the unknown stage 'zz' (each fails on
    its own cell: a failed row lends nothing, no row of k5 writes, x45r10 F2); rows 5 / 6
    of 'k7': the first on 'zz', the later on a known stage, which writes k7's deal; the
    mapping learns 'zz'; `retry`: row 4 is held beside row 3, row 5 beside row 6, naming
    the stages that differ now, in failed.csv and status alike, never the cured failure;
    the retry's plan still prices what it spends."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra=""))
    manifest.write_text("key,title,stage\nk1,Deal 1,a\nk5,Deal 5,zz\nk5,Deal 5x,zz\n"
                        "k7,Deal 7,zz\nk7,Deal 7b,a\n")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    held = {r["row"]: r for r in read_csv(job / "failed.csv")}
    assert set(held) == {"3", "4", "5"}, held
    assert all(r["reason"].startswith("no stage named 'zz'") and not r["hold"]
               for r in held.values()), held
    mapping.write_text(MAPPING.format(extra='"zz" = "Contact Made"\n'))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 3, retried.output
    assert "created 3" in retried.output, retried.output
    failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
    assert set(failed) == {"4", "5"}, failed
    assert all(r["hold"] == "duplicate-key" for r in failed.values()), failed
    assert failed["4"]["reason"] == ("duplicate source key 'k5': row 3 has it too, writing "
                                     "other values (title: 'Deal 5' there, 'Deal 5x' here) "
                                     "(each key is imported once; check which row is right)")
    assert failed["5"]["reason"].startswith("duplicate source key 'k7': row 6 has it too")
    assert "stage_id (column 'stage': 'a' there, 'zz' here)" in failed["5"]["reason"]
    status = cli(sb, jobs, "status", job.name, "--job-dir", str(jobs))
    assert "also fails" not in status.output, status.output
    assert f"failed: row 4 (k5): {failed['4']['reason']}" in status.output, status.output
    # nothing of the held rows is sent, so the plan's bound holds
    assert spent(sb) - before <= max(int(t.replace(",", "")) for t in re.findall(
        r"^plan.*tokens: ([\d,]+)$", retried.output, re.M)), retried.output


def test_a_retry_reports_a_held_row_its_fix_made_a_duplicate_and_drops_it(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Rows 2 / 3 of 'k5' differ in their amount alone, both on the unknown stage 'zz' (each
    fails on its own cell, row 3 no repeat of the failed row 2: x45r10 F2); the mapping
    learns 'zz' and no longer maps the amount: `retry` makes row 2's deal and reports row
    3 its duplicate — out of failed.csv, nothing sent for it."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra="").replace('title = "title"\n',
                                                        'title = "title"\nvalue = "amount"\n'))
    manifest.write_text("key,title,stage,amount\nk5,Deal 5,zz,100\nk5,Deal 5,zz,200\n")
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    assert [r["hold"] for r in read_csv(job / "failed.csv")] == ["", ""]
    mapping.write_text(MAPPING.format(extra='"zz" = "Contact Made"\n'))
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    assert read_csv(job / "failed.csv") == [], retried.output
    done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
    assert done["2"]["action"] == "created" and done["3"]["action"] == "duplicate", done
    assert sum(1 for d in sb.state.deals.rows.values() if d["title"] == "Deal 5") == 1
