"""The rows whose stage the stage map's ``"*"`` placed (their cell is no stage of the row's
pipeline and no entry of the map) are counted and named in the plan, each cell value with
its rows (x49r11 F2): a ``"*"`` added for ``Won`` / ``Lost``, as init-mapping's TODO says,
also caught ``Demo booked``, a stage forgotten in the map: those deals became open deals in
``Negotiations Started`` with no word in the plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.manifest import SourceRow
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.catalog import Catalog, DealField, Pipeline, Stage
from jobs.mapping import Mapping, compile_mapping, init_mapping
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

CATALOG = Catalog(
    pipelines=(Pipeline(1, "Sales"), Pipeline(3, "EU \u203a North")),
    stages=(Stage(10, "Qualified", 1, 1), Stage(11, "Negotiations Started", 1, 2),
            Stage(20, "Lead", 3, 1), Stage(21, "Won", 3, 2)),
    deal_fields=(DealField("key1", "Source key", "varchar", is_custom=True),))
MAPPING = """\
version = 1
[import]
key_column = "Key"
key_field = "Source key"
[deal]
title = "Title"
pipeline = { column = "Pipeline" }
status = { column = "Stage", map = { "Won" = "won", "Lost" = "lost", "*" = "open" } }
stage = { column = "Stage", map = { "Qualified" = "Qualified", "*" = "Negotiations Started" } }
"""


def _row(n: int, pipeline: str, cell: object) -> SourceRow:
    return SourceRow(n, n, {"Key": f"k{n}", "Title": "A", "Pipeline": pipeline, "Stage": cell})


def test_the_rows_placed_by_the_fallback_are_counted_by_cell_value_once_each() -> None:
    mapper = compile_mapping(Mapping.loads(MAPPING.replace('"*" = "Negotiations Started"',
                                                           '"*" = "Lead"').replace(
        '"Qualified" = "Qualified", ', "")), CATALOG)
    assert mapper.star_note() is None
    rows = [_row(2, "EU \u203a North", "Won"), _row(3, "EU \u203a North", "Lost"),
            _row(4, "EU \u203a North", "Demo booked"), _row(5, "EU \u203a North", " demo booked"),
            _row(6, "EU \u203a North", "Lead"), _row(7, "EU \u203a North", "Demo booked")]
    for _ in range(2):  # a plan maps a row in more than one pass: each row counts once
        placed = [(m.deal.get("status"), m.deal["stage_id"]) for m in map(mapper.map, rows)]
    assert placed == [("won", 21), ("lost", 20), ("open", 20), ("open", 20), ("open", 20),
                      ("open", 20)]
    note = mapper.star_note()
    assert note is not None
    assert "4 rows" in note and 'placed by "*"' in note and "'Lead'" in note, note
    assert "'Demo booked' 3 rows" in note and "'Lost' 1 row" in note, note
    assert "'Won'" not in note, note  # a stage of the row's pipeline: placed as itself


TOKEN = "star-caught-token"
FAST = ["--plan", "ultimate", "--oauth"]
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=7)) as sb:
        yield sb


def test_a_plan_names_the_stage_cells_the_fallback_placed(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Key,Title,Pipeline,Stage\nk1,A,Sales,Won\nk2,B,Sales,Lost\n"
                        "k3,C,Sales,Demo booked\nk4,D,Sales,Demo booked\nk5,E,Sales,Qualified\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.replace("Source key", "Import source key"))
    res = CliRunner().invoke(app, ["plan", "import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())  # the note is wrapped to the terminal's width
    assert 'placed by "*"' in said and "'Demo booked' 2 rows" in said, said
    assert "'Won' 1 row" in said and "'Lost' 1 row" in said, said
    assert "'Qualified'" not in said.partition('placed by "*"')[2], said


def test_init_mapping_never_proposes_a_fallback_without_naming_the_cells_it_would_catch() -> None:
    """The ``"*"`` the TODO of a won word (a stage of EU > North only) asks for would also
    place ``Demo booked`` (no stage, no entry): the TODO names it."""
    header = ["Deal ID", "Deal Title", "Pipeline", "Deal Stage"]
    placed = [("Sales", "Won"), ("EU \u203a North", "Won"), ("Sales", "Qualified"),
              ("Sales", "Demo booked"), ("EU \u203a North", "Lead"), ("Sales", "QUALIFIED ")]
    rows: list[dict[str, object]] = [
        {"Deal ID": f"K-{n}", "Deal Title": "d", "Pipeline": p, "Deal Stage": c}
        for n, (p, c) in enumerate(placed, 1)]
    samples = {c: list(dict.fromkeys(str(r[c]) for r in rows)) for c in header}
    text = init_mapping(header, CATALOG, samples=samples, rows=rows)
    todo = [line for line in text.splitlines() if "# TODO: 'Won'" in line]
    assert len(todo) == 1 and '"*"' in todo[0], text
    assert "'Demo booked'" in todo[0], todo[0]
    # a value one entry maps, spelled otherwise, is no cell "*" places
    assert "'Qualified'" not in todo[0] and "'Lead'" not in todo[0], todo[0]
    assert "QUALIFIED" not in todo[0], todo[0]


@pytest.fixture
def sandbox_with_deals() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=3,
                                       seed=7)) as sb:
        yield sb


def test_an_update_plan_names_the_stage_cells_the_fallback_placed(
        sandbox_with_deals: Sandbox, tmp_path: Path) -> None:
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Id,Stage\n1,Demo booked\n2,demo booked\n3,Demo Scheduled\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[update]\nid_column = "Id"\n[deal]\n'
                       'stage = { column = "Stage", map = { "*" = "Demo Scheduled" } }\n')
    res = CliRunner().invoke(app, ["plan", "update", str(manifest), "--mapping", str(mapping),
                                   "--url", sandbox_with_deals.url, *FAST], env=ENV)
    said = " ".join(res.output.split())
    # deal 1 is in Partnerships, which has no 'Demo Scheduled': its row's cell is read in
    # its pipeline, never moved to Sales' by "*" (x51r4 F1)
    assert res.exit_code == 3, said
    assert "'Demo booked' is no stage here, and \"*\" maps it to 'Demo Scheduled': no stage " \
        "named 'Demo Scheduled' in pipeline 'Partnerships'" in said, said
    assert "1 row's stage cell" in said and 'placed by "*"' in said, said
    assert "'demo booked' 1 row" in said, said


def test_the_import_run_names_the_stage_cells_the_fallback_placed(sandbox: Sandbox,
                                                                   tmp_path: Path) -> None:
    """The run says the plan's note too (f50a: `plan import` alone said it)."""
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Key,Title,Pipeline,Stage\nk1,A,Sales,Demo booked\n"
                        "k2,B,Sales,Demo booked\nk3,C,Sales,Qualified\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.replace("Source key", "Import source key"))
    ran = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url,
                                   "--job-dir", str(tmp_path / "jobs"), *FAST], env=ENV)
    said = " ".join(ran.output.split())
    assert ran.exit_code == 0, said
    assert "2 rows' stage cells" in said and 'placed by "*"' in said, said
    assert "'Demo booked' 2 rows" in said, said
    assert said.count('placed by "*"') == 1, said


def test_the_update_run_names_the_stage_cells_the_fallback_placed(
        sandbox_with_deals: Sandbox, tmp_path: Path) -> None:
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Id,Stage\n1,Demo booked\n2,demo booked\n3,Demo Scheduled\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[update]\nid_column = "Id"\n[deal]\n'
                       'stage = { column = "Stage", map = { "*" = "Demo Scheduled" } }\n')
    ran = CliRunner().invoke(app, ["update", str(manifest), "--mapping", str(mapping), "--yes",
                                   "--url", sandbox_with_deals.url,
                                   "--job-dir", str(tmp_path / "jobs"), *FAST], env=ENV)
    said = " ".join(ran.output.split())
    assert ran.exit_code == 3, said  # deal 1, of Partnerships, is not moved (x51r4 F1)
    assert "1 row's stage cell" in said and 'placed by "*"' in said, said
    assert "'demo booked' 1 row" in said, said
    assert said.count('placed by "*"') == 1, said
