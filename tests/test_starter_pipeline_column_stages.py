"""init-mapping with a Pipeline column (x49r6 F4): stage cells that name their pipeline
(``EU > Proposal``) are read as written, no entry and no TODO (as without a Pipeline
column); a plain name several pipelines have, on rows whose Pipeline cell is blank,
cannot resolve there, so it is a TODO, never an identity line (``"Discovery" =
"Discovery"`` failed those rows as ambiguous)."""

from __future__ import annotations

import tomllib
from typing import Any

from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import init_mapping

SEP = "\u203a"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "EU"), Pipeline(3, f"Asia {SEP} Pacific")),
    stages=(Stage(1, "Lead In", 1, 1), Stage(2, "Proposal", 1, 2), Stage(3, "Discovery", 2, 1),
            Stage(4, "Proposal", 2, 2), Stage(5, "Discovery", 3, 1), Stage(6, "Review", 3, 2)),
    deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))
HEADER = ["Deal ID", "Deal Name", "Pipeline", "Stage"]


def _proposal(cells: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    rows = [{"Deal ID": str(n), "Deal Name": f"D{n}", "Pipeline": p, "Stage": s}
            for n, (p, s) in enumerate(cells, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows if r[c])) for c in HEADER}
    text = init_mapping(HEADER, CATALOG, samples=samples, rows=rows)
    return text, tomllib.loads(text)


def test_cells_naming_their_pipeline_need_no_entry_beside_a_pipeline_column() -> None:
    text, got = _proposal([("EU", "Discovery"), ("", "EU > Proposal"),
                           ("", f"Asia {SEP} Pacific > Discovery"), ("Sales", "Lead In")])
    assert got["deal"]["pipeline"] == "Pipeline", text
    assert "EU > Proposal" not in text.split("[deal.stage.map]")[-1].split("[custom")[0], text
    assert f"Asia {SEP} Pacific > Discovery" not in text.split("[custom")[0].split(
        "[deal.stage.map]")[-1], text


def test_a_shared_name_on_blank_pipeline_rows_is_a_todo_not_an_identity() -> None:
    text, got = _proposal([("EU", "Discovery"), ("", "Discovery"), ("Sales", "Lead In"),
                           ("", "Review")])
    entries = got["deal"]["stage"].get("map", {})
    assert "Discovery" not in entries, text
    assert '# "Discovery" = ""' in text, text
    assert "Pipeline cell is blank" in text, text
    assert entries.get("Review") == "Review" and entries.get("Lead In") == "Lead In", text


def test_a_shared_name_on_rows_naming_their_pipeline_keeps_its_entry() -> None:
    text, got = _proposal([("EU", "Discovery"), (f"Asia {SEP} Pacific", "Discovery")])
    assert got["deal"]["stage"]["map"].get("Discovery") == "Discovery", text


TWINS = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "EU")),
    stages=(Stage(1, "Lead In", 1, 1), Stage(2, "Qualified", 2, 1), Stage(3, "qualified", 2, 2)),
    deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))


def test_a_case_twin_target_is_a_todo_naming_both_never_a_pick() -> None:
    """x49r6 F5: ``"Qualified" = "qualified"`` was proposed where EU has both spellings."""
    for values in (["Qualified", "Lead In"], ["QUALIFIED", "Lead In"]):
        rows = [{"Deal ID": "1", "Deal Name": "D1", "Pipeline": "EU", "Stage": values[0]},
                {"Deal ID": "2", "Deal Name": "D2", "Pipeline": "Sales", "Stage": values[1]}]
        samples = {c: [str(r[c]) for r in rows] for c in HEADER}
        text = init_mapping(HEADER, TWINS, samples=samples, rows=rows)
        entries = tomllib.loads(text)["deal"]["stage"].get("map", {})
        assert entries == {"Lead In": "Lead In"}, text
        assert f'# "{values[0]}" = ""' in text, text
        assert "'Qualified' and 'qualified'" in text, text


def _example(text: str) -> str:
    """The spelling a TODO's example proposes (``"Demo" = "US > Demo"``)."""
    import re

    found = re.search(r'\("Demo" = "([^"]+)"\)', text)
    assert found is not None, text
    return found.group(1)


def test_a_todo_example_resolves_to_its_stage() -> None:
    """x49r6 F3: ``"Demo" = "US > East > Demo"`` was proposed where pipeline US has a stage
    'East > Demo': that spelling is ambiguous. The example is one that resolves."""
    catalog = Catalog(
        pipelines=(Pipeline(1, "US > East"), Pipeline(2, "US")),
        stages=(Stage(1, "Demo", 1, 1), Stage(2, "East > Demo", 2, 1), Stage(3, "Demo", 2, 2),
                Stage(4, "Intake", 2, 3)),
        deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))
    text = init_mapping(["Deal ID", "Deal Name", "Stage"], catalog,
                        samples={"Deal ID": ["1"], "Deal Name": ["D1"],
                                 "Stage": ["Demo", "US > Intake"]})
    spelled = _example(text)
    assert catalog.stage(spelled).name == "Demo", text


def test_no_spelling_resolves_the_todo_says_so() -> None:
    catalog = Catalog(
        pipelines=(Pipeline(1, "US > East"), Pipeline(2, "US"), Pipeline(3, "EU > West"),
                   Pipeline(4, "EU"), Pipeline(5, "Sales")),
        stages=(Stage(1, "Demo", 1, 1), Stage(2, "East > Demo", 2, 1), Stage(3, "Demo", 3, 1),
                Stage(4, "West > Demo", 4, 1), Stage(5, "Lead", 5, 1)),
        deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))
    text = init_mapping(["Deal ID", "Deal Name", "Stage"], catalog,
                        samples={"Deal ID": ["1"], "Deal Name": ["D1"],
                                 "Stage": ["Demo", "Sales > Lead"]})
    assert '"Demo" = "US > East > Demo"' not in text, text
    assert "no spelling" in text and "Pipeline column" in text, text
