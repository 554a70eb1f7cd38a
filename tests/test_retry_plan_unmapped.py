"""A retry's plan maps the failed rows with the mapping as it is now before it prices them:
a row the mapping still refuses sends nothing and is not priced, and ``--max-tokens`` is
judged on that figure, the plan after the re-read included (x40r2 F3: every failed row was
priced as a create — 4,039 tokens planned, 325 spent; with ``--max-tokens 400`` 3,892
planned, 120 spent, and no budget line after the re-read)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture
from tests.test_retry_plan_tokens import MAPPING, failed_on_a_stage_then_mapped


def _planned(output: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"^plan.*tokens: ([\d,]+)$",
                                                        output, re.M)]


def test_a_retry_prices_only_the_rows_the_mapping_now_takes(sb: Sandbox,  # noqa: F811
                                                             tmp_path: Path) -> None:
    """30 of 40 rows fail on two unknown stages; the mapping learns one (10 rows): the
    retry's plans price 10 creates and are what it spends; a second retry, nothing left
    to map, plans its reads alone (no create) and its cap is judged on that."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra=""))
    manifest.write_text("key,title,stage\n" + "".join(
        f"k{i},Deal {i},{'zz' if i < 10 else 'nowhere' if i < 30 else 'a'}\n"
        for i in range(40)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(MAPPING.format(extra='"zz" = "Contact Made"\n'))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "500")
    assert retried.exit_code == 3, retried.output
    said = _planned(retried.output)
    assert len(said) == 2 and set(said) == {spent(sb) - before}, (said, retried.output)
    assert "addDeal 10," in retried.output, retried.output  # (was addDeal 30)
    assert "30 row(s) are mapped again first, with the mapping as it is now: 10 map" \
        in retried.output, retried.output
    assert "20 still fail" in retried.output
    # nothing left that maps: the plan is the reads, and the cap judged on it
    before = spent(sb)
    again = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "200")
    assert again.exit_code == 3, again.output
    said = _planned(again.output)
    assert said and set(said) == {spent(sb) - before}, (said, again.output)
    assert "addDeal" not in again.output.split("rows:")[0], again.output
    assert "none maps; 20 still fail" in again.output, again.output


def test_the_cap_is_judged_on_the_plan_after_the_re_read(sb: Sandbox,  # noqa: F811
                                                          tmp_path: Path) -> None:
    """The plan after the re-read repeats the ``--max-tokens`` line when its figure is over
    the cap (before: said of the first plan only), and the note of the rows mapped again."""
    jobs, job = failed_on_a_stage_then_mapped(sb, tmp_path, rows=30, failing=10,
                                               other="nowhere")
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs), "--max-tokens", "100")
    assert retried.exit_code == 4, retried.output
    after = retried.output.split("plan after the re-read", 1)
    assert len(after) == 2, retried.output
    assert "but --max-tokens is 100" in after[1], retried.output
    assert "10 map, their deal writes counted above; 20 still fail" in after[1]


PERSONS = MAPPING + '[person]\nname = "contact"\nemail = "email"\n'


def test_the_plan_after_the_re_read_prices_the_persons_the_rows_create(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Rows mapped again that name new persons: the plan after the re-read counts their
    creates (addPerson, once per person) and is what the retry spends; before, the note
    said they were not counted."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(PERSONS.format(extra=""))
    manifest.write_text("key,title,stage,contact,email\n" + "".join(
        f"k{i},Deal {i},{'zz' if i < 6 else 'nowhere' if i < 9 else 'a'},"
        f"P{i % 4},p{i % 4}@x.example\n" for i in range(12)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(PERSONS.format(extra='"zz" = "Contact Made"\n'))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 3, retried.output
    after = retried.output.split("plan after the re-read", 1)[1]
    said = _planned("plan after the re-read" + after)
    # k9..k11 made P1..P3; k0..k5 name P0..P3: P0 is made by the retry (addPerson 1)
    assert said == [spent(sb) - before], (said, retried.output)
    assert "the persons / organizations they create are counted above" in after
