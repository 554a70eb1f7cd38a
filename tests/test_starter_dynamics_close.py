"""init-mapping on real CRM export layouts (x45r6 F6; header rows and values as the
exports write them, in ``tests/data``): Microsoft Dynamics 365's opportunity sheet, whose
hidden ``(Do Not Modify) Opportunity`` GUID is the source key and whose ``(Do Not Modify)
Row Checksum`` / ``Modified On`` are left out, and a Close opportunity export whose
``status_label`` (``Active``, ``Won``, ``Lost``) is the deal's status."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

from bulk.manifest import SourceRow
from jobs.catalog import Catalog
from jobs.mapping import Mapping, RowMapper, compile_mapping, init_mapping
from tests.test_mapping import catalog  # noqa: F401  (the fixture)

DATA = Path(__file__).parent / "data"


def _export(name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a fixture export."""
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return list(rows[0]), rows


def _samples(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    return {c: [r[c] for r in rows] for c in rows[0]}


def _compiled(text: str, header: list[str], catalog: Catalog) -> RowMapper:  # noqa: F811
    """The proposal with its TODOs taken as they are (``decimal``'s left commented out)."""
    decided = re.sub(r"(?m)^# TODO.*$", "", re.sub(r"  # TODO.*", "", text))
    return compile_mapping(Mapping.loads(decided), catalog, header=header)


def test_dynamics_opportunity_guid_is_the_key_and_its_bookkeeping_is_left_out(
        catalog: Catalog) -> None:  # noqa: F811
    """The GUID column is proposed as ``key_column`` with no TODO (before: taken as the
    first column, "no id-like column found"); the checksum and modified-on columns map to
    nothing and are named as Dynamics' bookkeeping; the mapping compiles and reads each
    row's GUID as its key."""
    header, rows = _export("dynamics365_opportunities.csv")
    text = init_mapping(header, catalog, samples=_samples(rows))
    assert 'key_column = "(Do Not Modify) Opportunity"\n' in text, text
    mapped = tomllib.loads(re.sub(r"  # TODO.*", "", text))
    assert "Row Checksum" not in str(mapped) and "Modified On" not in str(mapped), mapped
    left = next(line for line in text.splitlines() if "Dynamics 365's bookkeeping" in line)
    assert left.endswith("(Do Not Modify) Row Checksum, (Do Not Modify) Modified On"), left
    assert "Row Checksum" not in text.split("# Columns not mapped:")[1].splitlines()[0]
    assert 'title = "Topic"' in text, text
    rm = _compiled(text, header, catalog)
    for n, row in enumerate(rows):
        assert rm.map(SourceRow(n + 1, n + 2, row)).key == row["(Do Not Modify) Opportunity"]


def test_close_status_label_of_active_won_lost_is_the_status(catalog: Catalog) -> None:  # noqa: F811
    """Close's ``status_label`` of Active / Won / Lost (no ``status_type`` in the file) is
    proposed as the status, ``Active`` mapped to open; each row reads as its status (before:
    the column was listed as not mapped and every deal imported open)."""
    header, rows = _export("close_opportunities.csv")
    text = init_mapping(header, catalog, samples=_samples(rows))
    assert 'status = { column = "status_label", map = { "Active" = "open" } }' in text, text
    rm = _compiled(text, header, catalog)
    for n, row in enumerate(rows):
        deal = rm.map(SourceRow(n + 1, n + 2, row)).deal
        assert deal.get("status", "open") == {"Active": "open", "Won": "won",
                                              "Lost": "lost"}[row["status_label"]], deal


def test_close_status_label_of_the_accounts_own_names_is_no_status(
        catalog: Catalog) -> None:  # noqa: F811
    """A label of the account's own (``Demo Scheduled``) is no deal status: not proposed."""
    header, rows = _export("close_opportunities.csv")
    rows[0]["status_label"] = "Demo Scheduled"
    text = init_mapping(header, catalog, samples=_samples(rows))
    assert "\nstatus =" not in text, text
    assert "status_label" in text.split("# Columns not mapped:")[1], text


def test_dynamics_potential_customer_is_the_organization(catalog: Catalog) -> None:  # noqa: F811
    """x46r4 F5: Dynamics' "Potential Customer" (the account or contact the opportunity is
    for) was listed under "Columns not mapped"; it is proposed as the organization, its
    TODO saying a contact's name there would make an organization of it."""
    header, rows = _export("dynamics365_opportunities.csv")
    text = init_mapping(header, catalog, samples=_samples(rows))
    line = next(line for line in text.splitlines() if line.startswith('name = "Potential'))
    assert "# TODO: Dynamics 365's Potential Customer is the account or the contact" in line
    assert text.index("[organization]") < text.index(line), text
    assert "Potential Customer" not in text.split("# Columns not mapped:")[1].splitlines()[0]
    rm = _compiled(text, header, catalog)
    mapped = rm.map(SourceRow(1, 2, rows[0]))
    assert mapped.org is not None and mapped.org.match_key, mapped


def test_close_opportunities_take_the_lead_name_as_title(catalog: Catalog) -> None:  # noqa: F811
    """x46r4 F5: Close's opportunity export has no title; ``lead_id`` (an id) was proposed
    as the first column left. ``lead_name`` is proposed, its TODO saying why."""
    header, rows = _export("close_opportunities.csv")
    text = init_mapping(header, catalog, samples=_samples(rows))
    title = next(line for line in text.splitlines() if line.startswith("title = "))
    assert title.startswith('title = "lead_name"  # TODO: a Close opportunity has no title'), title
    rm = _compiled(text, header, catalog)
    assert rm.map(SourceRow(1, 2, rows[0])).deal["title"] == rows[0]["lead_name"]
