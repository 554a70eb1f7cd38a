"""Bad rows by reason: a row of the class whose values differ from the first row's is
listed with its own values, not "like" the first (x41r1 L1: ids -5, 0 and 1.5 were listed
under "not a deal id: 'abc'", a row of 4 cells under "10 cells but the header has 8
columns"); rows with the first's values stay "like it"."""

from __future__ import annotations

from jobs.plan_reasons import ReasonTally, cell_values, reason_line


def _lines(rows: list[tuple[str, str | None, int]]) -> list[str]:
    tally = ReasonTally()
    for reason, column, row in rows:
        tally.add(reason, column, None, row)
    return [reason_line(c, n, tally.examples) for c, n in tally.reasons().items()]


def test_rows_with_other_values_are_listed_with_them() -> None:
    (ids,) = _lines([("not a deal id: 'abc'", "id", 2), ("not a deal id: '-5'", "id", 3),
                     ("not a deal id: 'abc'", "id", 4), ("not a deal id: '1.5'", "id", 5)])
    assert ids == ("id: not a deal id: 'abc' (row 2; and 3 more rows of the same kind, with "
                   "their own values: rows 3 ('-5'), 4, 5 ('1.5'))"), ids
    (cells,) = _lines([("10 cells but the header has 8 columns", None, 2),
                       ("4 cells but the header has 8 columns", None, 3)])
    assert cells.endswith("(row 2; and 1 more row of the same kind, with their own values: "
                          "row 3 (4))"), cells


def test_rows_with_the_same_values_stay_like_it() -> None:
    (same,) = _lines([("not an amount: '7x00'", "Amount", 4),
                      ("not an amount: '7x00'", "Amount", 6)])
    assert same.endswith("(row 4; and 1 more row like it: row 6)"), same


def test_cell_values_are_what_the_class_elides() -> None:
    assert cell_values("ambiguous '03/04/2026' at 2026-04-03, \"unix_ms\" kept") == [
        "'03/04/2026'", "2026-04-03"]


def test_a_rows_own_values_are_each_said_once() -> None:
    """x42r4 L2: "row 14 (212, 214, 214, 214, 212, 212)", "rows 3 ('Contact Made',
    'Contact Made', 'Contact Made')": a value the row's reason repeats is said once."""
    (deals,) = _lines([("deal 210 merged into 211: 210, 211, 211", None, 13),
                       ("deal 212 merged into 214: 212, 214, 214", None, 14)])
    assert deals.endswith("with their own values: row 14 (212, 214))"), deals
    (stages,) = _lines([("stage 'A' not in 'B'", "Stage", 2),
                        ("stage 'Contact Made' not in 'Contact Made'", "Stage", 3)])
    assert stages.endswith("with their own values: row 3 ('Contact Made'))"), stages
