"""Undo judges a row a resume (or retry) mapped again by what that run sent, not by the
load's payload (x44r4 F1: a mapped field deleted, commented out of the mapping, the job
resumed: `plan undo --contacts` called all 60 deals conflicts "Discount: job's 8, now
None", exit 3; a stage map changed before the resume: 31 of 90 "stage_id: job's Demo
Scheduled, now Proposal Made" although the job wrote Proposal Made)."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb  # noqa: F401
from tests.test_resume_account_changed import BIG, MAPPING, _field, _stopped


def _undo_plan(sb: Sandbox, jobs: Path, job: Path) -> str:  # noqa: F811
    planned = cli(sb, jobs, "plan", "undo", job.name, "--contacts", *engine(sb, jobs))
    assert planned.exit_code == 0, planned.output
    assert "conflict" not in planned.output.lower().replace("0 conflicts", ""), \
        planned.output
    assert "rows by action: delete 60," in planned.output, planned.output
    return str(planned.output)


def test_undo_of_rows_resumed_without_a_deleted_field(sb: Sandbox,  # noqa: F811
                                                      tmp_path: Path) -> None:
    """The Discount field deleted after a stop and taken out of the mapping: the rows the
    resume sent never carried it; undo deletes every deal, no conflict."""
    jobs, job, mapping = _stopped(sb, tmp_path, rows=60)
    del sb.state.fields[_field(sb, "Discount")["field_code"]]
    mapping.write_text(MAPPING.replace('"Discount" = "disc"\n', ""))
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 0, resumed.output
    _undo_plan(sb, jobs, job)


def test_undo_of_rows_resumed_with_another_stage(sb: Sandbox,  # noqa: F811
                                                  tmp_path: Path) -> None:
    """The mapping's stage changed before the resume: the resumed rows are judged by the
    stage they were sent with; the rows sent before keep theirs. No conflict."""
    jobs, job, mapping = _stopped(sb, tmp_path, rows=60, cap="700")
    names = [s["name"] for s in sb.state.stages.values()]
    other = next(s["name"] for s in sb.state.stages.values()
                 if s["name"] != "Qualified" and s["pipeline_id"] == _qualified(sb)
                 and names.count(s["name"]) == 1)
    mapping.write_text(MAPPING.replace('stage = "stage"\n', "").replace(
        "[person]", f'[deal.stage]\ncolumn = "stage"\n[deal.stage.map]\n'
                    f'"Qualified" = "{other}"\n[person]'))
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 0, resumed.output
    _undo_plan(sb, jobs, job)


def _qualified(box: Sandbox) -> int:
    """The pipeline of the stage the rows name."""
    return int(next(s["pipeline_id"] for s in box.state.stages.values()
                    if s["name"] == "Qualified"))
