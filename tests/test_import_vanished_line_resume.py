"""The run's line on rows resolved again after a person / organization vanished
(``jobs.import_load._vanished_line``): after a resume, the change may have been made before
it began (x47r6 F3: deleted ~30 s before the resume of a killed import, its last line blamed
"a change made in Pipedrive during the run"); a single run still says "during the run"."""

from __future__ import annotations

from jobs.import_load import _vanished_line

RUN = {"claims": {"vanished_rows": 12, "vanished_refused": 12, "vanished_tokens": 24}}


def test_a_resume_says_the_change_may_be_older_than_the_run() -> None:
    line = _vanished_line([{"claims": {}}, RUN]) or ""
    assert "since the job was planned (before a resume or during a run)" in line, line
    assert "a change made in Pipedrive during the run" not in line, line


def test_a_single_run_says_during_the_run() -> None:
    line = _vanished_line([RUN]) or ""
    assert "a change made in Pipedrive during the run;" in line, line
