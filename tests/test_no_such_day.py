"""A date that reads by its pattern but names a day its month does not have says so
(x27r3 6: ``29/02/2025`` said only "not a date ... (tried %d/%m/%Y)"), in a manifest's
date cell, an ISO date and `--updated-before`; a date that is no date at all is said as
before."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from jobs.transforms.dates import parse_date
from pdbulk.cli import app


@pytest.mark.parametrize(("cell", "formats", "said"), [
    ("29/02/2025", ["%d/%m/%Y"], "2025 is not a leap year, February has 28 days then"),
    ("02/29/2029", ["%m/%d/%Y"], "2029 is not a leap year"),
    ("29/02/25", ["%d/%m/%y"], "2025 is not a leap year"),
    ("31/04/2025", ["%d/%m/%Y"], "April has 30 days, not 31"),
    ("30 February 2024", ["%d %B %Y"], "February has 29 days, not 30"),
    ("2025-02-29", [], "2025 is not a leap year"),
])
def test_a_day_its_month_does_not_have_is_said(cell: str, formats: list[str],
                                                said: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_date(cell, formats)
    assert said in caught.value.reason, caught.value.reason


def test_a_leap_day_and_a_non_date_read_as_before() -> None:
    assert parse_date("29/02/2024", ["%d/%m/%Y"]) == "2024-02-29"
    with pytest.raises(InputError, match=r"\(tried %d/%m/%Y"):
        parse_date("45/45/2025", ["%d/%m/%Y"])


def test_updated_before_names_the_missing_day() -> None:
    res = CliRunner().invoke(app, ["plan", "move-stage", "--to-stage", "B",
                                   "--updated-before", "2025-02-29"],
                             env={"PIPEDRIVE_API_TOKEN": "t0ken", "COLUMNS": "300"})
    assert res.exit_code == 2, res.output
    assert "2025 is not a leap year" in res.output, res.output
