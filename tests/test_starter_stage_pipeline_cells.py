"""init-mapping: stage cells that name their own pipeline (``EU > Discovery``,
``Asia U+203A Pacific > Won``) put each row in its stage's pipeline; the starter writes no
default pipeline that contradicts them (x48r14 F3: ``pipeline = { default = "Sales" }``,
the account's first pipeline, was written and every such row was refused "stage ... is in
pipeline 'EU', not in pipeline 'Sales'")."""

from __future__ import annotations

import tomllib
from typing import Any

from bulk.manifest import SourceRow
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping, init_mapping

SEP = "\u203a"
CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "EU"), Pipeline(3, f"Asia {SEP} Pacific")),
    stages=(Stage(1, "Lead In", 1, 1), Stage(2, "Won", 1, 2), Stage(3, "Discovery", 2, 1),
            Stage(4, "Won", 2, 2), Stage(5, "Discovery", 3, 1), Stage(6, "Won", 3, 2),
            Stage(7, "Scoping", 2, 3)),
    deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))
CELLS = ["EU > Discovery", f"Asia {SEP} Pacific > Won", "EU > Won"]


def _proposal(values: list[str]) -> tuple[str, dict[str, Any]]:
    text = init_mapping(["Deal ID", "Deal Name", "Stage"], CATALOG,
                        samples={"Deal ID": ["1"], "Deal Name": ["D1"], "Stage": values})
    return text, tomllib.loads(text)


def _stage_of(text: str, cell: str) -> object:
    decided = text.replace("# TODO:", "# decided:")  # each TODO read and left as it is
    mapper = compile_mapping(Mapping.loads(decided), CATALOG)
    values = {"Deal ID": "1", "Deal Name": "D1", "Stage": cell}
    return mapper.map(SourceRow(2, 2, values)).deal.get("stage_id")


def test_stage_cells_naming_their_pipeline_get_no_default_pipeline() -> None:
    text, got = _proposal(CELLS)
    assert "pipeline" not in got["deal"], text
    assert "name their pipeline" in text
    assert [_stage_of(text, c) for c in CELLS] == [3, 6, 4]


def test_such_cells_are_read_as_they_are_not_a_todo() -> None:
    text, got = _proposal(CELLS)
    assert '# "EU > Discovery" = ""' not in text, text
    assert "map" not in got["deal"]["stage"], text


def test_plain_cells_beside_them_are_looked_up_in_every_pipeline() -> None:
    text, got = _proposal([*CELLS, "Lead In", "Scoping", "Discovery"])
    assert got["deal"]["stage"]["map"] == {"Lead In": "Lead In", "Scoping": "Scoping"}, text
    assert '# "Discovery" = ""' in text  # in EU and Asia > Pacific: no guess
    assert 'as the other cells name theirs ("Discovery" = "EU > Discovery")' in text, text
    assert [_stage_of(text, c) for c in ("Lead In", "Scoping", "EU > Discovery")] == [1, 7, 3]


def test_plain_stage_cells_keep_the_first_pipeline_default() -> None:
    _, got = _proposal(["Lead In", "Won"])
    assert got["deal"]["pipeline"] == {"default": "Sales"}
