"""The three durations a run prints say which is which (x32r2 3): the summary's time is
the sending of every run of the job, the progress line's last ``sending took=``, the
command's ``done in … in all``; the plan's time says it covers the calls alone. And the
three-way line says "wrote it" for one field."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest

from bulk.progress import ProgressView
from bulk.runner import RunStats
from bulk.sandbox import SandboxConfig, serve
from jobs import import_load
from tests.import_support import import_once
from tests.test_upsert_three_way import NIGHT, _files


def test_the_progress_line_says_the_run_s_time_is_sending() -> None:
    out = io.StringIO()
    stats = RunStats()
    stats.done = 2
    with ProgressView(2, label="import", stream=out, interval=0.0) as view:
        view.update(stats, final=True)
    assert "sending took=" in out.getvalue().splitlines()[-1], out.getvalue()


def test_one_field_kept_is_it_not_them() -> None:
    one = import_load.edited_note({"edited_kept": 1, "edited_rows": 1}) or ""
    two = import_load.edited_note({"edited_kept": 2, "edited_rows": 1}) or ""
    assert "1 field of 1 deal changed in Pipedrive since this state folder's last import or update " \
        "wrote it, not in the file" in one, one
    assert "wrote them, not in the file" in two, two


@pytest.mark.anyio
async def test_the_summary_says_its_time_is_sending(tmp_path: Path) -> None:
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=5)) as sb:
        manifest, mapping = _files(tmp_path, NIGHT)
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        try:
            lines = import_load.summary_lines(store, import_load.write_import_results(store, None))
        finally:
            store.close()
    (line,) = [x for x in lines if "429s" in x]
    assert line.startswith("sending took: ") and "(the calls of every run of the job" in line, \
        line


def test_the_plan_s_time_says_it_covers_the_calls() -> None:
    from jobs.planning import estimate
    from tests.test_planning import GROWTH, _rendered

    plan = estimate("import", {"addDeal": 100}, GROWTH, rows=100, bad_rows=0,
                    tokens_left_today=None, latency=0.2)
    (line,) = [x for x in _rendered(plan).splitlines() if x.startswith("time: ")]
    assert "(sending the calls above; reading the file and writing the reports come on " \
        "top)" in line, line


def test_the_plan_s_time_names_its_sending_apart_from_its_load() -> None:
    """w57r1 F1: an update / move-stage plan's time holds its own measured load and
    deciding; the run's ``sending took`` is the sending alone. The line names the sending
    part (the span the run measures), and the parts add up to the total, for a grid of
    loads, latencies, sizes and end-of-run parts."""
    from jobs.planning import _duration, estimate
    from tests.test_planning import GROWTH, _rendered

    for load, latency, n, end in itertools.product((0.0, 3.0, 40.0), (0.02, 0.08, 0.3),
                                                   (41, 400), (0.0, 2.0)):
        plan = estimate("update", {"updateDeal": n}, GROWTH, rows=n, bad_rows=0,
                        tokens_left_today=None, latency=latency, load_seconds=load,
                        decide_seconds=1.0, end_seconds=end)
        case = (load, latency, n, end)
        assert abs(plan.seconds - (load + 1.0 + plan.send_seconds + end)) < 1e-6, case
        text = " ".join(_rendered(plan).split())  # (the console wraps the line)
        line = text[text.index("time: "):]
        sending = _duration(plan.send_seconds)
        assert f"sending the calls above about {sending} (what the run's `sending took` " \
            "measures)" in line or sending.startswith("under"), (case, line)
        assert "writing the reports come on top" not in line, (case, line)  # load in it
        assert f"deciding each row about {_duration(load + 1.0)}" in line, (case, line)
        assert ("end-of-run check" in line) is (end > 0), (case, line)
