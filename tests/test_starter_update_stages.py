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
