"""Persons a mapping reads an e-mail but no name for: the plan says they will be named by
their e-mail address and which column would name them, and init-mapping says so on the
[person] name line (x25r2 F9: the plan said only "5,000 new persons to create" while a
`Kontakt` column held their names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.catalog import Catalog
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping, init_mapping
from tests.import_support import api_engine, engine_config
from tests.test_mapping import RAW_FIELDS

FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "Key"
[deal]
title = "Title"
[person]
email = "Mail"
"""


async def _notes(tmp_path: Path, csv: str, mapping: str = MAPPING) -> list[str]:
    manifest, path = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(csv, encoding="utf-8")
    path.write_text(mapping, encoding="utf-8")
    async with serve(SandboxConfig(**FAST)) as sb, api_engine(sb, tmp_path) as engine:
        plan, _ = await plan_import(
            engine.ctx, ImportSettings(str(manifest), str(path), "insert",
                                       create_key_field=True),
            Mapping.load(path), engine_config(sb, tmp_path).limits(),
            stats=engine.stats, scheduler=engine.scheduler.statistics)
    return plan.notes


@pytest.mark.anyio
@pytest.mark.parametrize(("csv", "named_by"), [
    ("Key,Title,Mail,Kontakt\nK1,One,a@x.de,Ann Alt\nK2,Two,b@x.de,Bo Berg\n", '"Kontakt"'),
    ("Key,Title,Mail,First Name,Last Name\nK1,One,a@x.de,Ann,Alt\n",
     '"{First Name} {Last Name}"'),
    ("Key,Title,Mail\nK1,One,a@x.de\n", None),
])
async def test_the_plan_says_new_persons_are_named_by_their_email(
        tmp_path: Path, csv: str, named_by: str | None) -> None:
    """The note names the e-mail as their name and the column that looks like names."""
    notes = await _notes(tmp_path, csv)
    said = [n for n in notes if "named by their e-mail address" in n]
    assert len(said) == 1, notes
    if named_by is None:
        assert "no column of the file looks like a name" in said[0], said
    else:
        assert f"add name = {named_by} to [person]" in said[0], said


@pytest.mark.anyio
async def test_no_note_when_the_mapping_reads_a_name(tmp_path: Path) -> None:
    """A mapping that reads the name gets no such note."""
    notes = await _notes(tmp_path, "Key,Title,Mail,Kontakt\nK1,One,a@x.de,Ann Alt\n",
                         MAPPING + 'name = "Kontakt"\n')
    assert not [n for n in notes if "named by their e-mail" in n], notes


def test_init_mapping_says_so_on_the_name_line() -> None:
    """An e-mail column and no name column: the commented name line says what happens."""
    catalog = Catalog.from_api(pipelines=[{"id": 1, "name": "Sales"}], stages=[], users=[],
                               deal_fields=RAW_FIELDS)
    header = ["Record ID", "Deal Name", "E-Mail"]
    text = init_mapping(header, catalog, samples={"Record ID": ["1"], "Deal Name": ["A"],
                                                  "E-Mail": ["a@x.de"]})
    assert "new persons are named by their e-mail address" in text, text
