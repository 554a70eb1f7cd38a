"""The update starter (init-mapping of Pipedrive's own export, no Pipeline column) pins no
pipeline's stage and reopens no deal (x51r4 F1: ``"Closed Won" = "Closed Won"`` and a TODO
whose example was ``"Won" = "EU > North > won"`` moved deals to other pipelines; F2: the
status map's ``"*" = "open"`` reopened won / lost deals whose cell named an open stage)."""

from __future__ import annotations

import re

from bulk.manifest import SourceRow
from jobs.mapping import init_mapping
from jobs.prepared import Prepared
from jobs.update_mapping import UpdateMapping, wanted_values
from jobs.updating import _in_deal_pipeline
from tests.test_update_stage_own_pipeline import CATALOG, SALES

HEADER = ["Deal - ID", "Deal - Title", "Deal - Stage"]


def _starter(cells: list[str]) -> str:
    rows = [{"Deal - ID": str(n), "Deal - Title": f"D{n}", "Deal - Stage": c}
            for n, c in enumerate(cells, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in HEADER}
    return init_mapping(HEADER, CATALOG, samples=samples, rows=rows)


def test_the_update_starter_pins_no_pipelines_stage_and_reopens_nothing() -> None:
    """x51r4's files: F1 ``Won``, ``Closed Won``, ``Lost``, ``EU > Negotiation`` (the
    starter wrote ``"Closed Won" = "Closed Won"`` and a TODO whose example was ``"Won" =
    "EU > North > won"``); F2 ``Negotiation``, ``Proposal``, ``Closed Lost`` (it wrote
    ``"*" = "open"`` in the status map)."""
    for cells in (["Won", "Closed Won", "Lost", "EU \u203a Negotiation"],
                  ["Negotiation", "Proposal", "Closed Lost", "Discovery"]):
        text = _starter(cells)
        assert "[update]" in text, text
        assert '"*" = "open"' not in text, text
        stage_map = text.split("[deal.stage]")[1].split("[custom_fields]")[0]
        assert not re.search(r'(?m)^#? ?"[^"]+" = ', stage_map), stage_map
        assert "TODO" not in stage_map and "EU > North" not in stage_map, stage_map
        assert re.search(r'(?m)^status = \{ column = "Deal - Stage" \}$', text), text
        mapper = UpdateMapping.loads(text).compile(CATALOG)
        for cell in cells:  # a won deal of Sales, each cell: never reopened, never moved
            row = SourceRow(2, 2, {"Deal - ID": "7", "Deal - Stage": cell})
            prep = Prepared("update")
            deal = {"id": 7, "pipeline_id": SALES, "stage_id": 4, "status": "won"}
            got = _in_deal_pipeline(prep, row, "7", deal, wanted_values(mapper, row)[1])
            if got is None:  # a stage Sales has not, by its name alone: refused, unmoved
                assert cell in ("Discovery",), prep.items[0].error
                continue
            assert got.get("status") in (None, "won", "lost"), (cell, got)
            stage = got.get("stage_id")
            assert stage is None or stage in (1, 3, 4) or cell.startswith("EU"), (cell, got)


def test_an_import_of_no_pipeline_and_no_default_proposes_no_ambiguous_last_stage() -> None:
    """x51r4 F5 (imp2): no Pipeline column, no default pipeline written (cells name their
    pipelines), and ``"Won" / "Lost" / "Closed Won" / "Closed Lost" = "Negotiation"`` was
    proposed, the picked Sales' last stage, which EU has too: the plan refused 80 of 80
    rows as ambiguous. Judged in no pipeline, they get no such entry."""
    header = ["Ref", "Deal Name", "Deal Stage"]
    cells = ["Proposal", "Won", "Lost", "Closed Won", "Closed Lost", "EU > Lost", "Qualified"]
    rows = [{"Ref": f"B{n}", "Deal Name": f"D{n}", "Deal Stage": c}
            for n, c in enumerate(cells)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in header}
    text = init_mapping(header, CATALOG, samples=samples, rows=rows)
    assert "[import]" in text and not re.search(r"(?m)^pipeline = ", text), text
    assert not re.search(r'(?m)^"[^"]+" = "Negotiation"', text), text


def test_the_update_starter_proposes_no_mapped_column_as_the_title() -> None:
    """x51r4 F6 (upd2): ``title = "Deal - Pipeline"``, the column mapped as the pipeline,
    was proposed as "the first column left"; an update with none left keeps each title."""
    header = ["Deal - ID", "Deal - Pipeline", "Deal - Stage"]
    rows = [{"Deal - ID": "1", "Deal - Pipeline": "EU", "Deal - Stage": "Won"}]
    samples = {c: [rows[0][c]] for c in header}
    text = init_mapping(header, CATALOG, samples=samples, rows=rows)
    assert re.search(r'(?m)^pipeline = "Deal - Pipeline"$', text), text
    assert not re.search(r"(?m)^title = ", text), text
    assert "the plan refuses" not in text, text
