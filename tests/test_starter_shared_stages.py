"""init-mapping never proposes a stage entry that cannot resolve: a stage name several
pipelines have is proposed with the row's pipeline (a pipeline column) or as a TODO naming
the pipelines (x22r2: Pipedrive's export proposed "Contact Made" = "Contact Made", and
`plan update` failed every row of it as ambiguous)."""

from __future__ import annotations

import re

import pytest

from jobs.catalog import Catalog
from jobs.mapping import init_mapping
from jobs.update_mapping import UpdateMapping
from tests.test_mapping import RAW_FIELDS

EXPORT = ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Stage",
          "Person - Name", "Organization - Name", "Deal - Label"]
ROW = ["1", "Globex Ltd - Migration", "35300", "USD", "Contact Made", "Ann", "Globex Ltd",
       "Hot, Warm"]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}, {"id": 2, "name": "Partnerships"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1},
                {"id": 12, "name": "Contact Made", "pipeline_id": 1, "order_nr": 2},
                {"id": 21, "name": "Lead In", "pipeline_id": 2, "order_nr": 1},
                {"id": 22, "name": "Contact Made", "pipeline_id": 2, "order_nr": 2}],
        users=[], deal_fields=RAW_FIELDS)


def _samples(header: list[str], row: list[str]) -> dict[str, list[str]]:
    return {column: [cell] for column, cell in zip(header, row, strict=True)}


def test_an_update_of_no_pipeline_column_reads_each_stage_in_its_deals_pipeline(
        catalog: Catalog) -> None:
    """No pipeline column, an update by id: every stage cell is read in its deal's own
    pipeline (x51r4 F1: an entry, or a TODO's example, pinning one pipeline's stage moved
    the deals of the others), so "Contact Made" (Sales, Partnerships) and "Lead In" (one
    pipeline) need no entry and no TODO; the mapping compiles as written."""
    header, row = [*EXPORT, "Deal - Extra"], [*ROW, "x"]
    samples = _samples(header, row)
    samples["Deal - Stage"] = ["Contact Made", "Lead In"]
    text = init_mapping(header, catalog, samples=samples)
    assert not re.search(r'(?m)^"(Contact Made|Lead In)" = ', text), text
    assert not re.search(r'(?m)^# TODO: .*"Contact Made"', text), text
    assert "[update]" in text and "TODO" not in text.split("[deal.stage]")[1].split(
        "[custom_fields]")[0], text
    UpdateMapping.loads(text).compile(catalog)


def test_a_pipeline_column_decides_a_shared_stage(catalog: Catalog) -> None:
    """With `Deal - Pipeline`, the row's pipeline decides: an update reads the cell by its
    own name there (a blank cell: in the deal's own pipeline), so no entry is proposed
    (x51r10 F3: an update's entries are read in each deal's pipeline; "Won" = "Won" kept
    an Enterprise deal's won word from closing it where it is), no TODO, and it resolves."""
    header = [*EXPORT, "Deal - Pipeline"]
    text = init_mapping(header, catalog, samples=_samples(header, [*ROW, "Partnerships"]))
    assert re.search(r'(?m)^pipeline = "Deal - Pipeline"$', text), text
    assert not re.search(r'(?m)^"Contact Made" = ', text), text
    assert "TODO" not in text.split("[deal.stage]")[1].split("[custom_fields]")[0]
    update = UpdateMapping.loads(text)
    mapper = update.compile(catalog, header=header)
    assert mapper is not None
