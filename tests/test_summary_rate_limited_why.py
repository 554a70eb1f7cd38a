"""summary.json says what a run's 429 note was told (x51r9 F5): ``others_seen`` (answers
whose rate headers counted another client's calls on the token), ``refused_with_room`` and
``refused_for_budget`` — for a job kind's run and, per run and in all, for an import's."""

from __future__ import annotations

from pathlib import Path

import orjson

from bulk.runner import RunResult, RunStats
from bulk.store import ItemState, JobStore
from jobs.import_load import META_RUNS, end_run, write_import_results
from jobs.prepared import write_job_results


def _result() -> RunResult:
    stats = RunStats(rate_limited=3, others_seen=9, refused_with_room=2, refused_for_budget=1)
    return RunResult(stopped=False, error=None, stats=stats, counts={ItemState.DONE: 0})


def test_a_jobs_summary_names_why_its_429s_came(tmp_path: Path) -> None:
    store = JobStore.create(tmp_path / "job", job_id="j1", kind="update", config={})
    try:
        write_job_results(store, _result(), ["row", "key"])
        data = orjson.loads((store.directory / "summary.json").read_bytes())
    finally:
        store.close()
    assert data["rate_limited"] == 3
    assert (data["others_seen"], data["refused_with_room"], data["refused_for_budget"]) \
        == (9, 2, 1), data


def test_an_imports_summary_names_them_per_run_and_in_all(tmp_path: Path) -> None:
    store = JobStore.create(tmp_path / "job", job_id="j2", kind="import",
                            config={"import": {"mode": "insert", "manifest": "m.csv",
                                                       "mapping": "m.toml"}})
    try:
        for index in range(2):
            store.meta_put(META_RUNS, [*(store.meta_get(META_RUNS) or []),
                                       {"started": "x", "tokens_before": 0}])
            result = _result()
            end_run(store, index, result, result.stats, 1.0)
        write_import_results(store, _result())
        data = orjson.loads((store.directory / "summary.json").read_bytes())
    finally:
        store.close()
    assert [r["others_seen"] for r in data["runs"]] == [9, 9], data["runs"]
    assert (data["others_seen"], data["refused_with_room"], data["refused_for_budget"]) \
        == (18, 4, 2), data
