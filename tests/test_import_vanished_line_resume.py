"""The run's line on rows resolved again after a person / organization vanished
(``jobs.import_load._vanished_line``): after a resume, the change may have been made before
it began (x47r6 F3: deleted ~30 s before the resume of a killed import, its last line blamed
"a change made in Pipedrive during the run"); a single run still says "during the run".
Rows a resume's re-read found naming one gone are in its plan: said so (x48r3 F1)."""

from __future__ import annotations

from jobs.import_load import _vanished_line

RUN = {"claims": {"vanished_rows": 12, "vanished_refused": 12, "vanished_tokens": 24}}


def test_a_resume_says_the_change_may_be_older_than_the_run() -> None:
    line = _vanished_line([{"claims": {}}, RUN]) or ""
    assert "since the job was planned (during a run, after its plan)" in line, line
    assert "a change made in Pipedrive during the run" not in line, line


def test_a_single_run_says_during_the_run() -> None:
    line = _vanished_line([RUN]) or ""
    assert "a change made in Pipedrive during the run;" in line, line


def test_rows_the_resume_reread_found_are_said_priced() -> None:
    """Every row resolved again named a record the resume's re-read found gone, none
    refused: the line says they were in its plan, not that no plan can price them."""
    ahead = {"claims": {"vanished_rows": 5, "vanished_refused": 0, "vanished_tokens": 3,
                        "vanished_rows_priced": 5}}
    line = _vanished_line([{"claims": {}}, ahead]) or ""
    assert "in its plan after the re-read" in line and "no plan can price" not in line, line
    mixed = {"claims": {**RUN["claims"], "vanished_rows_priced": 4}}
    line = _vanished_line([{"claims": {}}, mixed]) or ""
    assert "no plan can price" in line and "4 rows of them" in line, line
