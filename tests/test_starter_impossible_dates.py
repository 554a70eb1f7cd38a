"""init-mapping takes a sampled date that is no day of the calendar in either order
(``31/02/2026``) as evidence of no day/month order: the valid dates decide it, and the
bad cell is listed (x31r1 3: it asked for the order of a month-first file). Such a sample
is called an impossible date the import fails as "not a date", and is never the example of
an order the samples cannot tell (x46r7 F3: "the sampled dates (like '31/02/2026') cannot
tell day first from month first")."""

from __future__ import annotations

import pytest

from jobs.mapping.starter import _date_format_lines, date_formats_for


def test_an_impossible_date_is_no_evidence_of_the_order() -> None:
    """Month-first dates beside ``31/02/2026``: month first is proposed, and the bad date
    is named as one no pattern reads, never as "day first" evidence."""
    samples = {"Close Date": ["11/02/2026", "04/18/2026", "31/02/2026", "12/25/2026"]}
    text = "\n".join(_date_format_lines(samples, ["Close Date"]))
    assert 'date_formats = ["%m/%d/%Y"]' in text, text
    assert "both orders" not in text and "day first)" not in text, text
    assert ("'31/02/2026' is an impossible date (no such day, read day first or month first)"
            in text), text


def test_a_date_no_order_reads_tells_neither_order() -> None:
    """``13/13/2026`` alone is neither day first nor month first evidence (before: both,
    a "shows both orders" TODO); ``30/02/2026`` of a day-first file is no evidence either."""
    assert date_formats_for(["13/13/2026", "05/03/2026"]) is None
    text = "\n".join(_date_format_lines({"d": ["13/13/2026", "05/03/2026"]}, ["d"]))
    assert "both orders" not in text, text
    assert date_formats_for(["25/12/2026", "30/02/2026"]) is None  # the bad one is unread
    text = "\n".join(_date_format_lines({"d": ["25/12/2026", "30/02/2026"]}, ["d"]))
    assert 'date_formats = ["%d/%m/%Y"]' in text and "'30/02/2026' does not exist" in text, text


def _lines(*dates: str) -> str:
    return "\n".join(_date_format_lines({"Close Date": list(dates)}, ["Close Date"]))


def test_an_impossible_date_beside_iso_dates_is_named_impossible() -> None:
    """ISO dates and '31/02/2026': no "cannot tell", the sample named impossible."""
    text = _lines("2026-01-05", "31/02/2026", "2026-03-07")
    assert "cannot tell" not in text, text
    assert "'31/02/2026' is an impossible date" in text and '"not a date"' in text, text


def test_an_impossible_date_is_no_example_of_an_order_the_samples_cannot_tell() -> None:
    """'01/02/2026' cannot tell: it is the example; '31/02/2026' named apart as impossible."""
    text = _lines("31/02/2026", "01/02/2026")
    assert "(like '01/02/2026') cannot tell" in text, text
    assert "'31/02/2026' are impossible dates" in text, text
    assert "like '31/02/2026'" not in text, text


def test_an_impossible_date_beside_day_first_dates_keeps_the_order() -> None:
    """'25/12/2026' shows day first: proposed; '31/02/2026' does not exist in it."""
    text = _lines("31/02/2026", "25/12/2026")
    assert 'date_formats = ["%d/%m/%Y"]' in text, text
    assert "'31/02/2026' does not exist" in text, text


IMPOSSIBLE = ["2024-13-01", "2024-00-10", "2024-02-30", "2024-13-01 10:00", "2024-13-01T10:00",
              "2026/13/01", "2026/02/30", "2026.02.30", "30-Feb-2026", "Feb 30, 2026",
              "32 Mar 2026", "31/02/2026", "13/13/2026"]


@pytest.mark.parametrize("value", IMPOSSIBLE)
@pytest.mark.parametrize("beside", [(), ("2026-01-05",), ("25/12/2026",), ("Mar 31, 2026",)])
def test_every_impossible_date_form_gets_its_todo(value: str, beside: tuple[str, ...]) -> None:
    """An impossible date in every form init-mapping reads (ISO, year first, month by
    name, day / month first), alone or beside valid dates: a TODO naming it, that says its
    row fails as "not a date" until it is fixed, never "add a pattern" (x46r12 F8:
    '2024-13-01' got no TODO where '31/02/2026' did)."""
    text = _lines(*beside, value)
    assert f"# TODO: the sampled date {value!r}" in text or (
        f"# TODO: the sampled date(s) {value!r}" in text), text
    assert "impossible date" in text or "does not exist" in text, text
    assert '"not a date"' in text and "add a pattern" not in text, text
