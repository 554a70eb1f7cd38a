"""A retry's plan counts what the retry reads: rows mapped again pull the catalog and the
indexes before the plan is printed, and its "calls at most … tokens" line names them (x31r1
7: "tokens: 70", then 90 spent; a note said those pulls were not counted)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture

MAPPING = """version = 1
[import]
key_column = "key"
mode = "insert"
[deal]
title = "title"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
[deal.stage.map]
"a" = "Qualified"
{extra}"""


def test_a_retry_of_rows_mapped_again_plans_what_it_spends(sb: Sandbox,  # noqa: F811
                                                           tmp_path: Path) -> None:
    """3 rows fail on an unknown stage; the mapping learns it; `retry`: each plan line's
    tokens are what the retry spends (the catalog and index pulls included)."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.format(extra=""))
    manifest.write_text("key,title,stage\n" + "".join(
        f"k{i},Deal {i},{'zz' if i < 3 else 'a'}\n" for i in range(10)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(MAPPING.format(extra='"zz" = "Contact Made"\n'))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    said = [int(n.replace(",", "")) for n in re.findall(r"^plan.*tokens: ([\d,]+)$",
                                                         retried.output, re.M)]
    assert said and set(said) == {spent(sb) - before}, retried.output
    assert "the catalog and the indexes are pulled again" not in retried.output
    assert "the catalog and the indexes of the rows mapped again" in retried.output
