"""HubSpot's "Associated Contact" column (``Ann Lee (ann@x.example)``), x34r1's lows.

- A mapping reading that one column as both the person's name and e-mail made a person
  named ``Ann Lee (ann@x.example)``, and refused a cell with a name alone (``Carl Dee``)
  as "not an e-mail address". The name is now the name beside the address, and a cell
  with no address names the person alone.
- ``init-mapping`` took the column as the person's phone by likeness to "associated
  contact phone" when name and e-mail columns of their own were there: 127 of 150 rows
  failed as "not a phone number". A phone column whose samples are no phone numbers is
  left out, and said."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.catalog import Catalog
from jobs.mapping.starter import init_mapping
from tests.import_support import failed_rows, persons_named, sandbox_deals
from tests.test_mapping import catalog  # noqa: F401  (fixture)

SHARED = """\
[import]
key_column = "Record ID"
[deal]
title = "Deal Name"
[person]
name = "Associated Contact"
email = "Associated Contact"
"""


@pytest.mark.anyio
async def test_one_column_read_as_name_and_email(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "hs.csv", tmp_path / "hs.toml"
    mapping.write_text(SHARED)
    manifest.write_text("Record ID,Deal Name,Associated Contact\n"
                        "H1,one,Anna Schmidt (anna@hooli.example)\n"
                        'H2,two,"""Bob Roe"" <bob@hooli.example>"\n'
                        "H3,three,Carl Dee\n"
                        "H4,four,dana@hooli.example\n")
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        failed = await failed_rows(sb, tmp_path / "jobs", manifest, mapping)
        persons = persons_named(sb)
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    assert failed == [], failed  # before: H3 "not an e-mail address: 'Carl Dee'"
    assert linked == {"one": ("Anna Schmidt", ["anna@hooli.example"]),  # before: the cell
                      "two": ("Bob Roe", ["bob@hooli.example"]),
                      "three": ("Carl Dee", []),
                      "four": ("dana@hooli.example", ["dana@hooli.example"])}, linked


def test_init_mapping_takes_no_contact_cell_as_a_phone(catalog: Catalog) -> None:  # noqa: F811
    header = ["Record ID", "Deal Name", "Contact Name", "Contact Email", "Associated Contact"]
    samples = {"Contact Name": ["Anna Schmidt", "Bob Roe"],
               "Contact Email": ["anna@hooli.example", "bob@hooli.example"],
               "Associated Contact": ["Anna Schmidt (anna@hooli.example)",
                                      "Bob Roe (bob@hooli.example)"]}
    text = init_mapping(header, catalog, samples=samples)
    assert 'phone = "Associated Contact"' not in text, text  # before: proposed
    assert ("# Left out, its sampled values are no phone numbers (or hold an e-mail address): "
            "Associated Contact") in text
    phoned = init_mapping([*header, "Phone Number"], catalog,
                          samples={**samples, "Phone Number": ["+49 30 1234567", "030 7654321"]})
    assert 'phone = "Phone Number"' in phoned, phoned
