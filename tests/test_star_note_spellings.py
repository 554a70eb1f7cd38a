"""The plan's note on the rows the stage map's ``"*"`` placed quotes each spelling as
written (x50r9 F7: ``'Won' 28 rows`` held 15 ``won\\u200b`` cells, unsaid) and says
``1 row's stage cell names``, never ``1 row' stage cells``."""

from __future__ import annotations

from jobs.mapping.star_tally import StarTally


def test_each_spelling_of_a_value_is_quoted_as_written() -> None:
    tally = StarTally()
    for row in range(2, 15):
        tally.add("Won", row)
    for row in range(15, 30):
        tally.add("won\u200b", row)
    tally.add("Demo booked", 40)
    note = tally.note("Proposal", "Stage") or ""
    assert "'Won' 28 rows (as written: 'won\\u200b' 15, 'Won' 13)" in note, note
    assert "'Demo booked' 1 row," in note or "'Demo booked' 1 row;" in note, note
    assert note.startswith("column 'Stage': 29 rows' stage cells name no stage"), note


def test_one_row_is_said_in_the_singular() -> None:
    tally = StarTally()
    tally.add("Lost", 2)
    note = tally.note("Proposal", None) or ""
    assert note.startswith("1 row's stage cell names no stage"), note
    assert "'Lost' 1 row;" in note and "as written" not in note, note
