"""init-mapping folds a stage column's won / lost values alike but for case into one
status-map entry, as its stage map does (x47r3 F8: Zoho's "Closed Won" and "closed won"
were two entries); and a mapping that leaves close_time out on purpose, as init-mapping's
future-close TODO says to, gets a plan note that no longer asks for close_time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from jobs.catalog import Catalog
from jobs.mapping import Mapping, init_mapping
from tests.test_starter_crm_exports import catalog  # noqa: F401  (fixture)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC).timestamp()
HEADER = ["Record ID", "Deal Name", "Deal Stage", "Close Date"]
ROWS = [["1", "D1", "Closed Won", "2026-05-03"], ["2", "D2", "closed won", "2027-01-10"],
        ["3", "D3", "Closed Lost", "2026-01-10"], ["4", "D4", "CLOSED  LOST", "2026-02-10"],
        ["5", "D5", "Qualified", "2027-02-01"]]


def test_case_variants_of_a_won_value_are_one_status_entry(
        catalog: Catalog) -> None:  # noqa: F811
    samples = {c: list(dict.fromkeys(r[i] for r in ROWS)) for i, c in enumerate(HEADER)}
    text = init_mapping(HEADER, catalog, samples=samples, now=NOW,
                        rows=[dict(zip(HEADER, r, strict=True)) for r in ROWS])
    status = next(line for line in text.splitlines() if line.startswith("status = "))
    assert status == ('status = { column = "Deal Stage", map = { "Closed Won" = "won", '
                      '"Closed Lost" = "lost", "*" = "open" } }'), status
    todo = next(line for line in text.splitlines() if "sampled won / lost rows" in line)
    assert "`# close_time left out on purpose`" in todo, todo
    # the folded map still reads every spelling: the mapping loads, and closes each
    mapping = Mapping.loads(re.sub(r"(?m)^# TODO.*\n", "", text))
    assert mapping.close_left_out is False


def test_close_time_left_out_on_purpose_is_not_asked_for_again() -> None:
    base = ('version = 1\n[import]\nkey_column = "Key"\n[deal]\ntitle = "T"\n'
            'expected_close_date = "Close Date"\nstatus = "S"\n')
    asked = Mapping.loads(base).undated_note(3)
    assert "add close_time" in asked, asked
    left = Mapping.loads(base + "# close_time left out on purpose\n")
    assert left.close_left_out
    note = left.undated_note(3)
    assert note == ("3 won / lost deals will be dated today (the mapping leaves close_time "
                    "out on purpose; Pipedrive dates a deal won or lost when it is sent)")
