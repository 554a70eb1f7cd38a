"""The decide pass's per-row work (issue 8), counted in Python calls so that the test is
exact on a loaded machine: a row whose key the file does not repeat asks the file's
repeated keys once (was three times, and ``RepeatedKeys.first`` called for nothing)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

from benchmarks.bench_mapping import offline_planner
from jobs.demo_data import write_demo_export
from jobs.import_load import _items, learn_file
from jobs.repeats import RepeatedKeys

ROWS = 200


def test_a_row_of_a_key_given_once_asks_the_repeated_keys_once(tmp_path: Path) -> None:
    """The demo's rows (no key twice): ``RepeatedKeys.__contains__`` once a row in the decide
    pass (and once more for a row that fails: ``decide``), ``RepeatedKeys.first`` never;
    every row decided (a create or a failed row). Were 406 and 200 for 200 rows."""
    export = write_demo_export(tmp_path, rows=ROWS)
    planner, settings = offline_planner(export.manifest, export.mapping)()
    learn_file(planner, settings)
    assert not len(planner.repeats)
    codes = {RepeatedKeys.__contains__.__code__: "in", RepeatedKeys.first.__code__: "first"}
    calls: Counter[str] = Counter()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and (name := codes.get(frame.f_code)) is not None:
            calls[name] += 1

    sys.setprofile(profile)
    try:
        items = list(_items(planner, settings))
    finally:
        sys.setprofile(None)
    assert len(items) == ROWS
    assert planner.counts.create + planner.counts.bad == ROWS
    assert calls["first"] == 0, calls
    assert calls["in"] <= ROWS + planner.counts.bad, (calls, planner.counts.bad)
