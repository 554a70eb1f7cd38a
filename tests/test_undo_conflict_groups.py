"""``plan undo``'s bad rows by reason: conflicts of one kind are one line (x49r5 F4: the
plan of an import's undo split 8 conflicts into 5 "deal N changed since the job wrote it"
lines, one per list of fields "left alone: ... too, still as the job wrote them" and per
field a colleague changed). The fields are each row's, in failed.csv's reason."""

from __future__ import annotations

from jobs.plan_reasons import ReasonTally, reason_line

_KEPT = ("status, probability, expected_close_date, owner_id, value, currency, stage_id, "
         "person_id, org_id, Import source key")
REASONS = [
    (17, "conflict: deal 112 changed since the job wrote it (title: job's 'Wayne - Expansion "
         "13', now 'Wayne - Expansion 13 (checked by Tom)'); left alone: " + _KEPT + " too, "
         "still as the job wrote them (a deal is deleted whole or not at all; --force "
         "deletes it)"),
    (27, "conflict: deal 122 changed since the job wrote it (value: job's 189108.98, now "
         "777); left alone: title, status, probability, expected_close_date, owner_id, "
         "currency, stage_id, person_id, org_id, Lead source, Import source key too, still "
         "as the job wrote them (a deal is deleted whole or not at all; --force deletes it)"),
    (25, "conflict: deal 121 changed since the job wrote it (value: job's 178667.75, now "
         "777); left alone: title too, still as the job wrote it (a deal is deleted whole or "
         "not at all; --force deletes it)"),
]
OTHER = "conflict: person 'Ines López' (208) changed (edited, or another merged into it) " \
        "since the import created it; left alone (--force deletes it)"


def test_conflicts_of_one_kind_are_one_line() -> None:
    tally = ReasonTally()
    for row, reason in REASONS:
        tally.add(reason, None, f"K{row}", row)
    tally.add(OTHER, None, "K9", 9)
    assert sorted(tally.counts.values()) == [1, 3], tally.counts
    cls = next(c for c, n in tally.counts.items() if n == 3)
    line = reason_line(cls, 3, tally.examples)
    assert line.startswith(REASONS[0][1]), line  # the first row's reason in full
    assert "rows 27" in line and "25" in line, line
