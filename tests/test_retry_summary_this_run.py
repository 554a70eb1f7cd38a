"""A resume's or retry's summary says which figures are this run's and which the job's
(x46r4 F7: a retry that created nothing said "persons created: 2" beside "tokens: this
run 85; job total ..."): the persons line names this run's creates apart, from the count
the run's entry keeps of what the job had made when it started (``start_run``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from bulk.store import JobStore
from jobs.import_load import start_run, summary_lines
from jobs.import_store import META_RUNS


def _lines(tmp_path: Path, runs: list[dict[str, Any]]) -> list[str]:
    data = {"rows": {"total": 3, "succeeded": 2, "failed": 1, "unprocessed": 0},
            "actions": {"created": 2}, "persons_created": 2, "organizations_created": 1,
            "reconciled_rows": 0, "runs": runs, "tokens": 120,
            "tokens_by_operation": {"addDeal": 10}, "tokens_this_run": 85,
            "tokens_by_operation_this_run": {"getDeals": 85}, "wall_seconds": 1.0,
            "rate_limited": 0}
    path = tmp_path / "summary.json"
    path.write_bytes(orjson.dumps(data))
    return summary_lines(None, {"summary": path})  # type: ignore[arg-type]


def test_a_retry_that_created_nothing_says_so_beside_the_jobs_totals(tmp_path: Path) -> None:
    lines = _lines(tmp_path, [{"tokens": 35}, {"tokens": 85,
                                               "made_before": {"person": 2, "org": 1}}])
    persons = next(line for line in lines if line.startswith("persons created"))
    assert persons.startswith("persons created: 2; organizations created: 1;"), persons
    assert persons.endswith(" — the job's, every run (this run: 0 persons, "
                            "0 organizations created)"), persons
    assert lines[0].endswith(" — the job's rows, every run"), lines[0]
    assert any(line.startswith("tokens: this run 85") for line in lines), lines


def test_a_jobs_only_run_says_its_figures_alone(tmp_path: Path) -> None:
    lines = _lines(tmp_path, [{"tokens": 120}])
    assert "every run" not in lines[0] and "this run" not in lines[1], lines


def test_a_later_run_keeps_what_the_job_had_made(tmp_path: Path) -> None:
    store = JobStore.create(tmp_path / "job", job_id="job", kind="import", config={})
    try:
        assert start_run(store) == 0
        assert start_run(store) == 1
        runs = store.meta_get(META_RUNS)
    finally:
        store.close()
    assert "made_before" not in runs[0], runs
    assert runs[1]["made_before"] == {"person": 0, "org": 0}, runs
