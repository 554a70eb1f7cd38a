"""init-mapping's TODO for a won / lost word held in rows of several pipelines can be
followed (x49r11 F1): a map entry (or ``"*"``) names one stage, looked up in each row's
pipeline, so where those pipelines share no stage no one entry places them all. The TODO
says so and names the way out (one mapping per pipeline); where they share stages it lists
those. Before: "map each source stage below to a stage of its row's pipeline" with
``# "Closed Won" = ""`` for rows of Sales, Retail, Wholesale and EU > North, which share
no stage: any one stage failed the rows of the other pipelines."""

from __future__ import annotations

import tomllib

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping, init_mapping

NORTH = "EU \u203a North"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Retail"), Pipeline(3, "Wholesale"),
               Pipeline(4, NORTH), Pipeline(5, "Partnerships")),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Contact Made", 1, 2),
            Stage(13, "Negotiations Started", 1, 4),
            Stage(20, "New", 2, 1), Stage(21, "Shipped", 2, 2), Stage(22, "Delivered", 2, 3),
            Stage(30, "Inquiry", 3, 1), Stage(31, "Quote", 3, 2), Stage(32, "Order", 3, 3),
            Stage(40, "Lead", 4, 1), Stage(41, "Won", 4, 2), Stage(42, "Lost", 4, 3),
            Stage(50, "Lead In", 5, 1), Stage(51, "Contact Made", 5, 2),
            Stage(52, "Negotiations Started", 5, 3), Stage(53, "Agreement Signed", 5, 4)),
    deal_fields=(DealField("key1", "Import source key", "varchar", is_custom=True),))
HEADER = ["Deal ID", "Deal Title", "Pipeline", "Deal Stage"]


def _rows(*placed: tuple[str, str]) -> list[dict[str, object]]:
    return [{"Deal ID": f"K-{n}", "Deal Title": f"d{n}", "Pipeline": pipe, "Deal Stage": cell}
            for n, (pipe, cell) in enumerate(placed, 1)]


def _proposal(rows: list[dict[str, object]]) -> str:
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in HEADER}
    text = init_mapping(HEADER, CATALOG, samples=samples, rows=rows)
    tomllib.loads(text)
    return text


def _todo(text: str, word: str) -> str:
    found = [line for line in text.splitlines() if line.startswith("# TODO") and word in line]
    assert len(found) == 1, text
    return found[0]


def test_a_closed_word_in_pipelines_sharing_no_stage_says_one_entry_cannot_place_them() -> None:
    rows = _rows(("Sales", "Closed Won"), ("Retail", "Closed Won"),
                 ("Wholesale", "Closed Won"), (NORTH, "Closed Won"), ("Sales", "Qualified"),
                 ("Retail", "New"), ("Wholesale", "Quote"), (NORTH, "Lead"))
    text = _proposal(rows)
    todo = _todo(text, "'Closed Won'")
    assert f"Sales, Retail, Wholesale, {NORTH}" in todo and "share no stage" in todo, todo
    assert "one mapping per pipeline" in todo and "pipeline = { default = " in todo, todo
    # each pipeline's own stage for it, to write in that pipeline's mapping
    assert '"Sales": "Negotiations Started"' not in todo
    assert "Sales: \"Negotiations Started\"" in todo and "Retail: \"Delivered\"" in todo, todo
    # no entry line to fill that no stage could fill
    assert '# "Closed Won" = ""' not in text, text
    # as proposed, those rows fail in the plan; none lands in another stage
    kept = "\n".join(line for line in text.splitlines() if "# TODO" not in line)
    mapper = compile_mapping(Mapping.loads(kept), CATALOG)
    for n, row in enumerate(rows[:4], 2):
        with pytest.raises(InputError, match="no stage named 'Closed Won'"):
            mapper.map(SourceRow(n, n, dict(row)))


def test_a_closed_word_in_pipelines_sharing_stages_lists_the_shared_ones() -> None:
    rows = _rows(("Sales", "Closed Won"), ("Partnerships", "Closed Won"),
                 ("Sales", "Qualified"), ("Partnerships", "Lead In"))
    text = _proposal(rows)
    todo = _todo(text, "'Closed Won'")
    assert "Sales, Partnerships" in todo, todo
    assert '"Contact Made", "Negotiations Started"' in todo, todo
    assert '# "Closed Won" = ""' in text, text
    fixed = text.replace('# "Closed Won" = ""', '"Closed Won" = "Negotiations Started"')
    kept = "\n".join(line for line in fixed.splitlines() if "# TODO" not in line)
    mapper = compile_mapping(Mapping.loads(kept), CATALOG)
    placed = [mapper.map(SourceRow(n, n, dict(r))).deal for n, r in enumerate(rows, 2)]
    assert [(d.get("status"), d["stage_id"]) for d in placed] == [
        ("won", 13), ("won", 52), ("open", 10), ("open", 50)]


def test_a_won_word_that_is_a_stage_elsewhere_says_when_no_fallback_fits() -> None:
    """``Won`` is EU > North's stage; its Sales and Retail rows are closed and need a
    ``"*"``, but Sales and Retail share no stage: the TODO says no ``"*"`` fits them."""
    rows = _rows(("Sales", "Won"), ("Retail", "Won"), (NORTH, "Won"), ("Sales", "Qualified"),
                 ("Retail", "New"))
    text = _proposal(rows)
    todo = _todo(text, "'Won'")
    assert "share no stage" in todo and "one mapping per pipeline" in todo, todo
    assert '(add one: "*" = "<a stage>")' not in todo, todo
