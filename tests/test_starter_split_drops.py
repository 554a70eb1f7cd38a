"""init-mapping's "split the file by pipeline" TODO names the proposed stage map entries
each pipeline's mapping must drop (x50r9 F5): following it, the other pipeline's entries
stayed in each mapping and its rows were refused."""

from __future__ import annotations

from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import init_mapping

CATALOG = Catalog(
    pipelines=(Pipeline(1, "EU"), Pipeline(2, "US"), Pipeline(3, "Sales")),
    stages=(Stage(1, "Discovery", 1, 1), Stage(4, "Won", 1, 3),
            Stage(5, "Discovery", 2, 1), Stage(7, "Proposal", 2, 3),
            Stage(11, "Contact Made", 3, 3)),
    deal_fields=(DealField("key1", "Import source key", "varchar", is_custom=True),))
HEADER = ["Deal ID", "Title", "Pipeline", "Stage"]


def test_the_split_todo_names_the_entries_each_pipeline_lacks() -> None:
    rows = [{"Deal ID": f"K-{n}", "Title": f"d{n}", "Pipeline": p, "Stage": c}
            for n, (p, c) in enumerate([("EU", "Won"), ("US", "Won"), ("Sales", "Won"),
                                        ("US", "Proposal"), ("Sales", "Contact Made")], 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in HEADER}
    text = init_mapping(HEADER, CATALOG, samples=samples, rows=rows)
    todo = next(line for line in text.splitlines() if "Split the file by pipeline" in line)
    assert ('delete the stage map entries naming a stage its pipeline lacks, which its '
            'rows\' plan refuses (US: "Contact Made"; Sales: "Proposal")') in todo, todo
