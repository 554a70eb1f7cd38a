"""x44r1: a retry (rows mapped again) stopped mid-run and resumed counts every person and
organization the job made as its create — summary.json, succeeded.csv (`created`) and
`plan undo --contacts` — including one whose create's answer was lost (in doubt) when the
retry stopped. Before, the resume mapped the rows again against the account as it is now,
found the job's own creates there by e-mail / name, linked them as someone's (`email`,
`name`), and a create in doubt was never reconciled: not counted, left by the undo."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from tests.mappings import deal_mapping
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

ROWS = 24
CONTACTS = '[person]\nname = "person"\nemail = "email"\n[organization]\nname = "org"\n'


def _failed_import(box: Any, tmp_path: Path) -> tuple[Path, Path]:
    """An import whose every row fails on the unmapped stage ``zz`` (nothing sent), its
    rows naming 12 new organizations and 24 new persons; the mapping then fixed."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(deal_mapping(stage_map={"a": "Qualified"}, more=CONTACTS))
    manifest.write_text("key,title,stage,person,email,org\n" + "".join(
        f"k{i},Deal {i},zz,Rita Row{i},rita{i}@retry.example,Retrywerk {i % 12} GmbH\n"
        for i in range(ROWS)))
    first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(box, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(deal_mapping(stage_map={"a": "Qualified", "zz": "Contact Made"}, more=CONTACTS))
    return jobs, job


def _ours(box: Any) -> tuple[set[int], set[int]]:
    """The ids of the persons / organizations of the file in the sandbox (all the job's:
    the account had none of them)."""
    persons = {int(p["id"]) for p in box.state.persons.rows.values()
               if str(p.get("name", "")).startswith("Rita Row")}
    orgs = {int(o["id"]) for o in box.state.orgs.rows.values()
            if str(o.get("name", "")).startswith("Retrywerk")}
    return persons, orgs


def _check_all_counted(box: Any, jobs: Path, job: Path) -> None:
    persons, orgs = _ours(box)
    assert len(orgs) == 12 and len(persons) == ROWS, (len(orgs), len(persons))
    summary = json.loads((job / "summary.json").read_text())
    with (job / "succeeded.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == ROWS, summary
    labels = {(r["org_matched_by"], r["person_matched_by"]) for r in rows}
    assert labels == {("created", "created")}, [
        (r["row"], r["org_id"], r["org_matched_by"], r["person_id"], r["person_matched_by"])
        for r in rows if (r["org_matched_by"], r["person_matched_by"]) != ("created", "created")]
    assert (summary["organizations_created"], summary["persons_created"]) == (12, ROWS)
    plan = cli(box, jobs, "plan", "undo", job.name, "--contacts", "--job-dir", str(jobs),
               "--plan", "ultimate", "--oauth")
    assert f"{ROWS} person(s) and 12 organization(s) the import created" in plan.output, \
        plan.output
    assert "changed or holding others" not in plan.output, plan.output


def test_a_retry_stopped_then_resumed_counts_the_contacts_it_made(tmp_path: Path) -> None:
    """The retry stops at its --max-tokens after some rows (their persons and
    organizations made); the resume maps the rest again: every row's person and
    organization is `created`, 24 + 12 counted, all offered to undo --contacts (before:
    the rows sharing an organization made before the stop read `name`)."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, job = _failed_import(box, tmp_path)
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs),
                      "--max-tokens", "300")
        assert retried.exit_code == 4, retried.output
        with JobStore.open(job, lock=False) as store:
            assert store.counts()[ItemState.DONE], retried.output
            assert store.counts()[ItemState.PENDING], retried.output
        resumed = cli(box, jobs, "resume", job.name, "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        _check_all_counted(box, jobs, job)


def test_a_retry_stopped_with_an_organization_in_doubt(tmp_path: Path) -> None:
    """Every organization create's answer is lost while the retry runs, which stops at its
    --max-tokens with rows left in doubt; resumed (faults off), the organizations those
    creates made are found as the job's own: counted, `created`, offered to undo
    --contacts (before: linked `name`, not counted, left behind by the undo)."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, job = _failed_import(box, tmp_path)
        box.set_faults(Faults(lost_response_rate=1.0,
                              only_operations=frozenset({"addOrganization"})))
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs),
                      "--max-tokens", "160")
        assert retried.exit_code == 4, retried.output
        box.set_faults(Faults())
        with JobStore.open(job, lock=False) as store:
            assert store.counts()[ItemState.SENDING], (store.counts(), retried.output)
        resumed = cli(box, jobs, "resume", job.name, "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        _check_all_counted(box, jobs, job)
