"""``init-mapping`` guesses the person from the cells, not only the header (x35r1 4).

- A "Primary Contact" column of ``Ann Lee <ann@x>`` cells was left out, and "Contact
  Phone" (an e-mail in one cell) proposed as the only person field: the starter failed 3
  of 3 rows. Such a column, no other name or e-mail column there, is now proposed as both
  the person's name and e-mail; a phone column holding an e-mail address is left out.
- HubSpot's "Associated Contact" (every cell ``Name <addr>``) was proposed as nothing.
- ``init-mapping -o -`` dropped the "then `pdbulk plan import ...`" hint: on stderr now."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from jobs.catalog import Catalog
from jobs.mapping.starter import init_mapping
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_mapping import catalog  # noqa: F401  (fixture)

TOKEN = "contact-cells-token"
E5I_HEADER = ["Opportunity ID", "Opportunity Name", "Amount", "Primary Contact",
              "Contact Phone", "Account Name"]
E5I_SAMPLES = {"Opportunity ID": ["0065g00000AbCdE", "0065g00000XyZwQ", "0065g00000QqRrS"],
               "Opportunity Name": ["Big deal", "Small deal", "Mid deal"],
               "Amount": ["1000", "200", "500"],
               "Primary Contact": ["Ann Lee <ann@acme.com>", "bob@globex.com", "Carl Poe"],
               "Contact Phone": ["ann@acme.com", "+1 555 0100", "555-0199"],
               "Account Name": ["Acme Inc", "Globex", "Initech"]}


def _person(text: str) -> list[str]:
    lines = text.split("[person]\n", 1)[1].split("\n\n", 1)[0].splitlines()
    return [line for line in lines if not line.startswith("#")]


def test_a_name_and_address_column_is_the_persons_name_and_email(
        catalog: Catalog) -> None:  # noqa: F811
    text = init_mapping(E5I_HEADER, catalog, samples=E5I_SAMPLES)
    # before: ['phone = "Contact Phone"'], Primary Contact left out
    assert _person(text) == ['name = "Primary Contact"', 'email = "Primary Contact"'], text
    assert "no phone numbers (or hold an e-mail address): Contact Phone" in text


def test_an_associated_contact_column_alone_is_proposed(catalog: Catalog) -> None:  # noqa: F811
    header = ["Deal ID Source", "Deal", "Associated Contact", "Company"]
    samples = {"Deal ID Source": ["h-1", "h-2"], "Deal": ["Deal one", "Deal two"],
               "Associated Contact": ["Ann Lee <ann@acme.com>", "Bob Roe <bob@globex.com>"],
               "Company": ["Acme", "Globex"]}
    text = init_mapping(header, catalog, samples=samples)
    # before: [] (nothing proposed for the person)
    assert _person(text) == ['name = "Associated Contact"', 'email = "Associated Contact"'], text


def test_bare_addresses_or_an_email_column_of_its_own_are_not_shared(
        catalog: Catalog) -> None:  # noqa: F811
    """Addresses with no name beside them are no name; a file with an e-mail column of its
    own keeps it, the contact column left out as before."""
    header = ["Key", "Title", "Contact"]
    text = init_mapping(header, catalog, samples={"Key": ["1"], "Title": ["t"],
                                                  "Contact": ["ann@acme.com", "bob@x.com"]})
    assert 'name = "Contact"' not in text, text
    header = ["Key", "Title", "Contact Name", "Email"]
    text = init_mapping(header, catalog, samples={
        "Key": ["1"], "Title": ["t"], "Contact Name": ["Ann Lee <ann@acme.com>"],
        "Email": ["ann@acme.com"]})
    assert 'email = "Email"' in text and 'email = "Contact Name"' not in text, text


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(token=TOKEN, deals=0, seed=7)) as sb:
        yield sb


def test_init_mapping_to_stdout_gives_its_hint_on_stderr(sandbox: Sandbox, tmp_path: Path) -> None:
    manifest = tmp_path / "e5j.csv"
    manifest.write_text("Deal ID Source,Deal,Associated Contact,Company\n"
                        "h-1,Deal one,Ann Lee <ann@acme.com>,Acme\n")
    res = CliRunner().invoke(app, ["init-mapping", str(manifest), "-o", "-",
                                   "--url", sandbox.url],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("# pdbulk import mapping") and "plan import" not in res.stdout
    assert f"`pdbulk plan import {manifest} --mapping mapping.toml" in res.stderr, res.stderr
