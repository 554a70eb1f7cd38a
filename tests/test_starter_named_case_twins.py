"""init-mapping: stage cells that name their pipeline and a stage it holds in two cases
(``Sales > Qualified`` where Sales has ``Qualified`` and ``qualified``) get the case-twin
TODO naming both stages, as a plain ``Qualified`` cell does (x50r4 F3: they got "map each
source stage below to a stage only one pipeline has (the file names no pipeline)" — false,
the cells name it — and following it refused both rows)."""

from __future__ import annotations

import tomllib

import pytest

from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import init_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(2, "EU"), Pipeline(3, "US")),
    stages=(Stage(1, "Qualified", 1, 1), Stage(2, "qualified", 1, 2), Stage(3, "Lead In", 1, 3),
            Stage(20, "Discovery", 2, 1), Stage(23, "Discovery", 3, 1)),
    deal_fields=(DealField("k" * 40, "Import source key", "varchar", (), True),))


def _proposal(header: list[str], cells: list[tuple[str, str]]) -> str:
    rows = [{"Deal ID": str(n), "Deal Name": f"D{n}", "Pipeline": p, "Stage": s}
            for n, (p, s) in enumerate(cells, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows if r[c])) for c in header}
    return init_mapping(header, CATALOG, samples=samples,
                        rows=[{c: r[c] for c in header} for r in rows])


@pytest.mark.parametrize("header", [["Deal ID", "Deal Name", "Stage"],
                                    ["Deal ID", "Deal Name", "Pipeline", "Stage"]])
@pytest.mark.parametrize("beside", [[("", "EU > Discovery")], []])
def test_named_case_twins_get_the_twin_todo(header: list[str],
                                            beside: list[tuple[str, str]]) -> None:
    text = _proposal(header, [("", "Sales > Qualified"), ("", "Sales > qualified"), *beside])
    stage_map = text.split("[deal.stage.map]")[-1].split("[custom_fields]")[0]
    assert "'Qualified' and 'qualified'" in stage_map, text
    assert "map each source stage" not in stage_map, text
    assert "the file names no pipeline" not in stage_map, text
    assert '# "Sales > Qualified" = ""' in stage_map, text
    assert "Sales > Qualified" not in tomllib.loads(text)["deal"]["stage"].get("map", {}), text


def test_a_named_stage_of_one_spelling_is_no_twin() -> None:
    text = _proposal(["Deal ID", "Deal Name", "Stage"], [("", "Sales > Lead In"),
                                                         ("", "EU > Discovery")])
    assert "differ only in case" not in text, text
