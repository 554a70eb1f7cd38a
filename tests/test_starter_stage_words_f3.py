"""init-mapping's stage TODOs say what is so for each value's own rows (x50r9 F3): (i) a
plain ``Qualified`` whose rows are all in US (one stage of that name) got the case-twin
TODO meant for Sales' ``Qualified`` / ``qualified``; (ii) the Won TODO offered ``"*" = one
of "Qualified"``, a case twin in Sales; (iii) ``won\\u200b``, all in US, was said to be
held by Sales rows too, as ``Won``; (iv) the ``"*"`` warning listed ``Qualified``, which it
would not catch (a stage of its rows' pipeline)."""

from __future__ import annotations

from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import init_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "EU"), Pipeline(2, "US"), Pipeline(3, "Sales")),
    stages=(Stage(1, "Discovery", 1, 1), Stage(3, "Proposal", 1, 2), Stage(4, "Won", 1, 3),
            Stage(5, "Discovery", 2, 1), Stage(6, "Qualified", 2, 2), Stage(7, "Proposal", 2, 3),
            Stage(9, "Qualified", 3, 1), Stage(10, "qualified", 3, 2),
            Stage(12, "Proposal", 3, 3)),
    deal_fields=(DealField("key1", "Import source key", "varchar", is_custom=True),))
HEADER = ["Deal ID", "Title", "Pipeline", "Stage"]


def _proposal(placed: list[tuple[str, str]]) -> str:
    rows = [{"Deal ID": f"K-{n}", "Title": f"d{n}", "Pipeline": p, "Stage": c}
            for n, (p, c) in enumerate(placed, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in HEADER}
    return init_mapping(HEADER, CATALOG, samples=samples, rows=rows)


TEXT_ROWS = [("EU", "Won"), ("US", "Won"), ("Sales", "Won"), ("US", "won\u200b"),
             ("US", "Qualified"), ("US", "Proposal"), ("EU", "Discovery")]


def test_a_value_unique_in_its_rows_pipelines_gets_its_entry_not_the_twin_todo() -> None:
    text = _proposal(TEXT_ROWS)
    assert "differ only in case" not in text, text
    assert '"Qualified" = "Qualified"' in text, text


def test_a_twin_is_never_offered_as_the_star_target() -> None:
    todo = next(line for line in _proposal(TEXT_ROWS).splitlines()
                if line.startswith("# TODO: 'Won'"))
    assert '"*" = one of "Proposal"' in todo and '"Qualified"' not in todo, todo


def test_each_spelling_names_its_own_rows_pipelines() -> None:
    todo = next(line for line in _proposal(TEXT_ROWS).splitlines()
                if line.startswith("# TODO: 'won\\u200b'"))
    assert "but not of US, where rows hold it too" in todo, todo


def test_the_star_warning_lists_only_cells_it_would_catch() -> None:
    text = _proposal([*TEXT_ROWS, ("US", "Demo booked")])
    todo = next(line for line in text.splitlines() if line.startswith("# TODO: 'Won'"))
    assert "'Demo booked'" in todo and "'Qualified'" not in todo, todo
