"""init-mapping reads the owner, title and won / lost headers of the major CRMs' exports
(x45r1 F3: Freshsales' `Sales owner`, Copper's `Owned By` and monday.com's `Person` were
only listed as not mapped, so every deal would have gone to the token's user; Copper's
`Opportunity` got "no column looks like a deal title"; monday.com's `Done` was not won),
each guess checked against the column's sampled values."""

from __future__ import annotations

import tomllib

import pytest

from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping, init_mapping
from tests.test_mapping import RAW_FIELDS


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1},
                {"id": 12, "name": "Proposal Made", "pipeline_id": 1, "order_nr": 2}],
        users=[{"id": 7, "name": "Tom Becker", "email": "tom@x.example", "active_flag": True},
               {"id": 8, "name": "Maria Jensen", "email": "maria@x.example",
                "active_flag": True}],
        deal_fields=RAW_FIELDS)


def _text(catalog: Catalog, header: list[str], *rows: list[str]) -> str:
    samples: dict[str, list[str]] = {c: [] for c in header}
    for row in rows:
        for column, cell in zip(header, row, strict=True):
            samples[column].append(cell)
    return init_mapping(header, catalog, samples=samples)


def _target(text: str, target: str) -> str | None:
    section, name = target.split(".")
    got: object = tomllib.loads(text).get(section, {}).get(name)
    if isinstance(got, dict):
        got = got["column"]
    return None if got is None else str(got)


@pytest.mark.parametrize(("header", "row", "expected"), [
    # Freshsales: the owner by e-mail
    (["Id", "Name", "Deal value", "Deal stage", "Sales owner", "Contacts"],
     ["7000000000", "Deal 1", "100.00", "Qualified", "tom@x.example", "Ann Lee"],
     {"deal.owner": "Sales owner", "deal.title": "Name"}),
    # Copper: "Opportunity" is the title, "Owned By" the owner by name
    (["Id", "Opportunity", "Company", "Primary Contact", "Value", "Owned By"],
     ["31000000", "Acme opp 1", "Acme Corp", "Ann Lee", "$1,000.50", "Tom Becker"],
     {"deal.owner": "Owned By", "deal.title": "Opportunity"}),
    # Zoho, HubSpot, Salesforce, Dynamics 365, Insightly
    (["Record Id", "Deal Name", "Deal Owner"], ["z1", "Deal 1", "Tom Becker"],
     {"deal.owner": "Deal Owner", "deal.title": "Deal Name"}),
    (["Opportunity ID", "Opportunity Name", "Opportunity Owner"], ["006A", "D1", "Tom Becker"],
     {"deal.owner": "Opportunity Owner", "deal.title": "Opportunity Name"}),
    (["Key", "Topic", "Owner"], ["K1", "Deal 1", "Tom Becker"],
     {"deal.owner": "Owner", "deal.title": "Topic"}),
    (["Key", "Opportunity Name", "User Responsible"], ["K1", "Deal 1", "Tom Becker"],
     {"deal.owner": "User Responsible"}),
    (["Key", "Title", "Record Owner"], ["K1", "Deal 1", "tom@x.example"],
     {"deal.owner": "Record Owner"}),
    # monday.com: a board's person column names the account's users
    (["Name", "Item ID", "Person", "Status", "Contact", "Email"],
     ["Acme board 1", "1234500000", "Maria Jensen", "Qualified", "Ann Lee",
      "ann@acme.example"],
     {"deal.owner": "Person", "deal.title": "Name", "person.name": "Contact"}),
    (["Item", "Item ID", "Person", "Contact"],
     ["Acme board 1", "1234500000", "Tom Becker", "Ann Lee"],
     {"deal.owner": "Person", "deal.title": "Item"}),
])
def test_crm_owner_and_title_headers_are_proposed(
        catalog: Catalog, header: list[str], row: list[str],
        expected: dict[str, str]) -> None:
    """Each column is proposed for its target, not left unmapped, and it compiles."""
    text = _text(catalog, header, row)
    for target, column in expected.items():
        assert _target(text, target) == column, (target, text)
    assert "no column looks like a deal title" not in text, text
    unmapped = next((line for line in text.splitlines()
                     if line.startswith("# Columns not mapped")), "")
    assert expected["deal.owner"] not in unmapped, text
    compile_mapping(Mapping.loads(text), catalog)


def test_an_owner_column_of_numbers_is_never_the_owner(catalog: Catalog) -> None:
    """`Owned By` of bare numbers (user ids of the CRM) is left out, never the owner."""
    text = _text(catalog, ["Id", "Opportunity", "Owned By"], ["1", "Deal 1", "4711"],
                 ["2", "Deal 2", "4712"])
    assert _target(text, "deal.owner") is None, text
    assert "# owner = \"\"" in text, text


def test_an_owner_column_of_no_person_is_a_todo(catalog: Catalog) -> None:
    """`Sales owner` whose samples are neither names nor e-mail addresses ("Team A-1",
    "n/a 7"): a commented proposal under a TODO, not the owner."""
    text = _text(catalog, ["Id", "Name", "Sales owner"], ["1", "Deal 1", "Team A-1"],
                 ["2", "Deal 2", "n/a 7"])
    assert _target(text, "deal.owner") is None, text
    assert "# TODO: column \"Sales owner\"" in text, text
    assert "# owner = \"Sales owner\"" in text, text


def test_a_person_column_of_no_user_is_a_commented_guess(catalog: Catalog) -> None:
    """monday.com's `Person` whose sampled names are no user of the account: a commented
    owner line under a TODO (it may be a contact), not the owner."""
    text = _text(catalog, ["Name", "Item ID", "Person", "Contact"],
                 ["Board 1", "1", "Klaus Weber", "Ann Lee"])
    assert _target(text, "deal.owner") is None, text
    assert "# owner = \"Person\"" in text, text
    assert "# TODO: column \"Person\"" in text, text


def test_a_plain_person_column_stays_the_contact(catalog: Catalog) -> None:
    """A short export's `Person` (the only name column) is still the person's name."""
    text = _text(catalog, ["Key", "Title", "Person", "Email"],
                 ["K1", "Deal 1", "Ann Lee", "ann@x.example"])
    assert _target(text, "person.name") == "Person", text
    assert _target(text, "deal.owner") is None, text


def test_monday_done_is_won_beside_its_default_labels(catalog: Catalog) -> None:
    """monday.com's default status labels (`Working on it`, `Stuck`, `Done`): `Done` is won,
    as `Lost` is lost; the others stay open."""
    header = ["Name", "Item ID", "Status"]
    text = _text(catalog, header, ["B1", "1", "Working on it"], ["B2", "2", "Stuck"],
                 ["B3", "3", "Done"], ["B4", "4", "Lost"])
    status = tomllib.loads(text)["deal"]["status"]
    assert status["map"] == {"Done": "won", "Lost": "lost", "*": "open"}, text


def test_done_alone_is_no_status(catalog: Catalog) -> None:
    """A stage `Done` without monday.com's other labels is not taken as won."""
    text = _text(catalog, ["Key", "Title", "Stage"], ["1", "D1", "Qualified"],
                 ["2", "D2", "Done"])
    assert "won" not in str(tomllib.loads(text)["deal"].get("status", "")), text
