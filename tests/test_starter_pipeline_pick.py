"""init-mapping, for a file with no pipeline column, picks the pipeline whose stages the
file's stage cells name, not the account's first (x49r11 F3): a file whose stages were
exactly Retail's got ``pipeline = { default = "Sales" }``, its Won / Lost (Retail's
stages) read as statuses and a TODO listing Sales' stages for New / Shipped. Where several
pipelines have them all, the TODO says so."""

from __future__ import annotations

import tomllib

from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping, init_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "Retail"), Pipeline(3, "Outlet")),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Contact Made", 1, 2),
            Stage(12, "Negotiations Started", 1, 3),
            Stage(20, "New", 2, 1), Stage(21, "Shipped", 2, 2), Stage(22, "Won", 2, 3),
            Stage(23, "Lost", 2, 4),
            Stage(30, "New", 3, 1), Stage(31, "Shipped", 3, 2), Stage(32, "Returned", 3, 3)),
    deal_fields=(DealField("key1", "Import source key", "varchar", is_custom=True),))
HEADER = ["Deal ID", "Deal Title", "Deal Stage"]


def _proposal(*cells: str) -> tuple[str, dict[str, object], list[dict[str, object]]]:
    rows: list[dict[str, object]] = [{"Deal ID": f"K-{n}", "Deal Title": f"d{n}",
                                      "Deal Stage": c} for n, c in enumerate(cells, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in HEADER}
    text = init_mapping(HEADER, CATALOG, samples=samples, rows=rows)
    return text, tomllib.loads(text), rows


def test_the_pipeline_whose_stages_the_cells_name_is_the_default() -> None:
    text, got, rows = _proposal("New", "Shipped", "Won", "Lost", "Won")
    deal = got["deal"]
    assert isinstance(deal, dict)
    assert deal["pipeline"] == {"default": "Retail"}, text
    assert "status" not in deal, text
    assert "Negotiations Started" not in text and "# TODO: map each" not in text, text
    kept = "\n".join(line for line in text.splitlines() if "# TODO" not in line)
    mapper = compile_mapping(Mapping.loads(kept), CATALOG)
    placed = [mapper.map(SourceRow(n, n, dict(r))).deal for n, r in enumerate(rows, 2)]
    assert [(d.get("status"), d["stage_id"]) for d in placed] == [
        (None, 20), (None, 21), (None, 22), (None, 23), (None, 22)]
    assert "Retail" in next(line for line in text.splitlines()
                            if line.startswith("# ") and "pipeline" in line
                            and "default" not in line), text


def test_several_pipelines_that_have_every_stage_are_named() -> None:
    text, got, _ = _proposal("New", "Shipped")
    deal = got["deal"]
    assert isinstance(deal, dict)
    assert deal["pipeline"] == {"default": "Retail"}, text
    todo = [line for line in text.splitlines() if line.startswith("# TODO") and "Outlet" in line]
    assert len(todo) == 1 and "'Retail'" in todo[0], text


def test_stages_of_the_first_pipeline_keep_it() -> None:
    text, got, _ = _proposal("Qualified", "Contact Made")
    deal = got["deal"]
    assert isinstance(deal, dict)
    assert deal["pipeline"] == {"default": "Sales"}, text
    assert "Retail" not in text.partition("[deal]")[2].partition("[deal.stage]")[0], text


def test_a_won_or_lost_word_of_another_pipeline_is_no_evidence_against_one() -> None:
    """x50r9 F2: Qualified, Negotiations Started and Won (a stage of Retail only): Sales
    has every other name, so it is the pick (before: none fitted, the account's first
    was taken by default, with no word of the pick); Won is then a status there."""
    catalog = Catalog(pipelines=(Pipeline(2, "Retail"), Pipeline(1, "Sales")),
                      stages=tuple(s for s in CATALOG.stages if s.pipeline_id in (1, 2)),
                      deal_fields=CATALOG.deal_fields)
    rows: list[dict[str, object]] = [{"Deal ID": f"K-{n}", "Deal Title": f"d{n}",
                                      "Deal Stage": c} for n, c in enumerate(
        ["Qualified", "Negotiations Started", "Won", "Contact Made"], 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in HEADER}
    text = init_mapping(HEADER, catalog, samples=samples, rows=rows)
    deal = tomllib.loads(text)["deal"]
    assert isinstance(deal, dict)
    assert deal["pipeline"] == {"default": "Sales"}, text
    assert deal["status"]["map"]["Won"] == "won", text
