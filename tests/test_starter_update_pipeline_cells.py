"""The update starter proposes only what reads right in every deal's own pipeline (x51r10
F3, F5): with a Pipeline column of blank and filled cells it wrote ``status = { column =
"Deal - Stage", map = { "Closed Won" = "won", "Closed Lost" = "lost" } }`` (30 of 30 open
Enterprise deals whose blank-Pipeline cell named their own stage ``Closed Won`` were
closed won) and ``"Closed Lost" = "Closing"`` (SMB deals moved from Intake to Closing);
its TODOs told an update's user to map a stage "only one pipeline has", that rows of a
blank Pipeline cell "cannot tell", that ``Won`` rows "are closed (see status)", and its
status comment called ``Won Back`` (a Renewals stage) and ``Sales > Won`` (a move) won
values that close the deal where it is."""

from __future__ import annotations

import re
from typing import Any

from bulk.manifest import SourceRow
from jobs.catalog import Catalog, Pipeline, Stage
from jobs.mapping import init_mapping
from jobs.prepared import Prepared
from jobs.update_mapping import UpdateMapping, wanted_values
from jobs.updating import _in_deal_pipeline

_LAYOUT = {1: ("Sales", ("Lead", "Demo", "Proposal", "Won")),
           2: ("Enterprise", ("Lead", "Qualified", "Negotiation", "Closed Won")),
           3: ("SMB", ("Intake", "Demo", "Lost", "Closing")),
           4: ("Renewals \u203a EMEA", ("Intake", "Negotiation", "Won Back", "lost")),
           5: ("Partners", ("Onboarding", "Active"))}
CATALOG = Catalog(
    pipelines=tuple(Pipeline(pid, name) for pid, (name, _) in _LAYOUT.items()),
    stages=tuple(Stage(4 * (pid - 1) + order, called, pid, order)
                 for pid, (_, names) in _LAYOUT.items()
                 for order, called in enumerate(names, 1)))


def _starter(header: list[str], rows: list[dict[str, str]]) -> str:
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in header}
    return init_mapping(header, CATALOG, samples=samples, rows=rows)


def _placed(text: str, cells: dict[str, str], pipeline: int, status: str = "open"
            ) -> dict[str, Any] | str:
    mapper = UpdateMapping.loads(text).compile(CATALOG)
    row = SourceRow(2, 2, {"Deal - ID": "7", **cells})
    prep = Prepared("update")
    deal = {"id": 7, "pipeline_id": pipeline, "stage_id": 0, "status": status}
    got = _in_deal_pipeline(prep, row, "7", deal, wanted_values(mapper, row)[1])
    if got is None:
        return str(prep.items[0].error)
    return {k: got[k] for k in ("stage_id", "status") if k in got}


U2 = [("1", "A", "Sales", "Won"), ("2", "B", "", "Closed Won"),
      ("3", "C", "Enterprise", "Negotiation"), ("4", "D", "", "Negotiation"),
      ("5", "E", "", "Lost"), ("6", "F", "SMB", "Closed Lost"),
      ("7", "G", "", "Renewals \u203a EMEA \u203a Won Back"), ("8", "H", "", "Proposal")]


def test_a_pipeline_column_of_blank_cells_gets_an_update_reading() -> None:
    header = ["Deal - ID", "Deal - Title", "Deal - Pipeline", "Deal - Stage"]
    rows = [dict(zip(header, r, strict=True)) for r in U2]
    text = _starter(header, rows)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("# TODO")
                     and not line.startswith("#   "))  # as x51r10 ran it: TODOs deleted
    assert "[update]" in text, text
    assert re.search(r'(?m)^status = \{ column = "Deal - Stage" \}$', text), text
    assert not re.search(r'(?m)^"Closed (Lost|Won)" = ', text), text
    assert "left in the last stage" not in text and "(see status)" not in text, text
    assert "cannot tell" not in text and "only one pipeline has" not in text, text
    # B: an open Enterprise deal, blank Pipeline cell, its own stage: left open there
    assert _placed(body, {"Deal - Pipeline": "", "Deal - Stage": "Closed Won"}, 2) == {
        "stage_id": 8}
    # F: an SMB deal in Intake, 'SMB' + 'Closed Lost': lost where it is
    assert _placed(body, {"Deal - Pipeline": "SMB", "Deal - Stage": "Closed Lost"}, 3) == {
        "status": "lost"}


def test_a_stage_only_update_starter_says_what_an_update_does() -> None:
    header = ["Deal - ID", "Deal - Title", "Deal - Stage"]
    cells = ["Won Back", "Won Back", "Sales > Won", "Won Back", "Open", "Open", "Won"]
    rows = [{"Deal - ID": str(n), "Deal - Title": f"D{n}", "Deal - Stage": c}
            for n, c in enumerate(cells, 1)]
    text = _starter(header, rows)
    assert "only one pipeline has" not in text, text
    comment = next(line for line in text.splitlines() if line.startswith("# the status"))
    assert "Won Back" not in comment and "Sales > Won" not in comment, comment
    assert "'Won' won" in comment, comment


def test_a_status_comment_of_no_closing_value_reads_whole() -> None:
    """x51r10's repro_starter_text: 'Won Back' and 'Sales > Won' listed nothing, and the
    comment began "any other cell"."""
    header = ["Deal - ID", "Deal - Title", "Deal - Stage"]
    rows = [{"Deal - ID": str(n), "Deal - Title": f"D{n}", "Deal - Stage": c}
            for n, c in enumerate(["Won Back", "Sales > Won", "Open"], 1)]
    comment = next(line for line in _starter(header, rows).splitlines()
                   if line.startswith("# the status"))
    assert "any other" not in comment and "a won / lost word closes" in comment, comment
