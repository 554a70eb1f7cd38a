"""x44r9: a retry after a mapping fix maps only the failed rows again; a row whose person
an earlier row of the job made (matched by name + organization, or by the file's "this
name has an e-mail at this company" rule) links that person, `created`, and makes no
second one. Before, the rows mapped again never matched the job's own persons: 7 persons
where a fresh import of the file makes 5 (`Juergen Moeller` beside `Jürgen Möller`,
`Ann Lee` beside `Lee, Ann <ann@lee.com>`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from bulk.sandbox import SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

MAPPING = """version = 1
[import]
key_column = "Record ID"
mode = "insert"
[deal]
title = "Deal Name"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "Deal Stage"
map = {{ "qualifiedtobuy" = "Contact Made"{extra} }}
[person]
name = "Associated Contact"
email = "Associated Contact"
[organization]
name = "Associated Company"
"""
SENT = ["Åsa Lindqvist (asa@l.se)", "Jürgen Möller", "Johann Strauß", "Øyvind Berg (n/a)",
        "Lee, Ann <ann@lee.com>"]
FAILED = ["Asa Lindqvist (ASA@l.se)", "Juergen Moeller", "Johann Strauss", "Oyvind Berg ()",
          "Ann Lee"]


def _manifest(path: Path) -> None:
    """40 rows at one company: rows 2-21 (the first 20) send, rows 22-41 fail on the
    unmapped stage ``weirdstage`` and name the same five persons spelled otherwise."""
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["Record ID", "Deal Name", "Deal Stage", "Associated Company",
                      "Associated Contact"])
        for i in range(40):
            sent = i < 20
            out.writerow([f"T{i}", f"D{i}", "qualifiedtobuy" if sent else "weirdstage",
                          "Retry GmbH", (SENT if sent else FAILED)[i % 5]])


def test_a_retry_links_the_persons_earlier_rows_of_the_job_made(tmp_path: Path) -> None:
    """Import (20 rows fail), fix the stage map, retry: 5 persons as a fresh import of
    the file makes, every row's person and organization `created`, 5 + 1 counted."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        _manifest(manifest)
        mapping.write_text(MAPPING.format(extra=""))
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", *engine(box, jobs))
        assert first.exit_code == 3, first.output
        (job,) = jobs.iterdir()
        assert len(box.state.persons.rows) == 5, first.output
        mapping.write_text(MAPPING.format(extra=', "weirdstage" = "Qualified"'))
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs))
        assert retried.exit_code == 0, retried.output
        names = sorted(str(p.get("name")) for p in box.state.persons.rows.values())
        assert len(names) == 5, names
        with (job / "succeeded.csv").open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        assert len(rows) == 40
        labels = {(r["org_matched_by"], r["person_matched_by"]) for r in rows}
        assert labels == {("created", "created")}, [
            (r["row"], r["person_id"], r["person_matched_by"]) for r in rows
            if r["person_matched_by"] != "created"]
        assert len({r["person_id"] for r in rows}) == 5
        summary = json.loads((job / "summary.json").read_text())
        assert (summary["organizations_created"], summary["persons_created"]) == (1, 5)
