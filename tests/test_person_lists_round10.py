"""Person cells, round 10 (x48r11's re-test of round 9): an address or phone written in
a name cell after a comma, slash, dash or bar is the person's own (as ``Name
<address>`` is), never a "job title" cut into the note; a contact beside a given name is
a second person; a weak "and" (any case) before a given name is two persons; a dash
before a lone given name, a full name in brackets, are a second person; a title after a
dash is cut as after a comma. Each cell is labelled with the one person it names (its
name once the title is cut) or REFUSED (the row fails, naming the persons).
"""

from __future__ import annotations

from typing import Any

import pytest

from jobs import transforms as tf
from jobs.account import OrgIndex, PersonIndex
from jobs.catalog import Catalog
from jobs.import_rows import Indexes, RowPlanner
from jobs.mapping import Mapping, compile_mapping
from tests.test_mapping import RAW_FIELDS
from tests.test_person_identity import decide_all, planner, rows_of
from tests.test_row_planner import KEY_CODE

REFUSED = "REFUSED"

LABELLED: list[tuple[str, str]] = [
    # F2: a contact beside a given name after the comma is a second person (each was ONE
    # person named with the whole cell)
    ("Jane Roe, bob@roe.com Bob", REFUSED), ("Jane Roe, +49 30 1234567 Bob", REFUSED),
    ("Jane Roe, Bob bob@roe.com", REFUSED),
    # F3: a weak "and" before a given name (any case) is two persons (each was ONE)
    ("Marco Rossi e Giacomo", REFUSED), ("Juan Pérez y Camila", REFUSED),
    ("Jan Nowak i Kasia", REFUSED), ("João Silva e Leonor", REFUSED),
    ("Juan y Paz", REFUSED), ("Ana Gómez y Luz", REFUSED),
    ("Marco Rossi e Valeria", REFUSED), ("Juan Pérez y Gabriela", REFUSED),
    ("Pedro Costa e Hugo", REFUSED), ("Ana López y Mateo", REFUSED),
    ("Marco Rossi e Pietro", REFUSED), ("Luca Bianchi e Alessia", REFUSED),
    ("Petr Novák a Klára", REFUSED), ("Jan Nowak i Maja", REFUSED),
    ("Marco Rossi e Elisabetta", REFUSED),
    ("Marco Rossi E Anna", REFUSED), ("JUAN Y MARÍA PÉREZ", REFUSED),
    ("MARCO ROSSI E ANNA", REFUSED), ("Juan Pérez Y María", REFUSED),
    # a second surname stays one person
    ("José Ortega y Gasset", "José Ortega y Gasset"),
    ("Josep Puig i Cadafalch", "Josep Puig i Cadafalch"),
    ("JOSÉ ORTEGA Y GASSET", "JOSÉ ORTEGA Y GASSET"), ("John A Smith", "John A Smith"),
    ("Maria da Silva e Souza", "Maria da Silva e Souza"),
    # F4: a dash before a lone given name, a full name in brackets are a second person
    ("Jane Roe - Bob", REFUSED), ("Jane Roe \u2013 Bob", REFUSED),
    ("Anna Berg (Bob Roe)", REFUSED), ("Anna Berg (assistant: Bob Roe)", REFUSED),
    ("Jane Roe (Bob Roe) - Acme GmbH", REFUSED),
    # a nickname, a title, a hyphenated surname stay one (``Mary Roe - Smith``: refused,
    # the safe side: round 12, x49r10 F1)
    ("Anna (Annie) Berg", "Anna (Annie) Berg"), ("Mary Roe - Smith", REFUSED),
    ("Jane Roe (CEO)", "Jane Roe (CEO)"), ("Mary Roe-Smith", "Mary Roe-Smith"),
    # F7: a title after a dash is cut as after a comma (each was the person's name)
    ("Jane Roe - CEO", "Jane Roe"), ("Jane Roe \u2013 Head of Sales DACH", "Jane Roe"),
    ("Jane Roe - Sales Director", "Jane Roe"), ("Jane Roe, CEO", "Jane Roe"),
]


def read(cell: str) -> str:
    """The one person a cell names (its title cut), or REFUSED."""
    if tf.listed_persons(cell) is not None:
        return REFUSED
    return tf.name_and_title(cell)[0]


@pytest.mark.parametrize(("cell", "expected"), LABELLED)
def test_round_10_cells(cell: str, expected: str) -> None:
    assert read(cell) == expected


_NO_CONTACT_COLUMNS = """
version = 1
[import]
key_column = "id"
[deal]
title = "title"
[person]
name = "contact"
[organization]
name = "company"
"""


def _bare_planner() -> RowPlanner:
    mapper = compile_mapping(Mapping.loads(_NO_CONTACT_COLUMNS),
                             Catalog.from_api(deal_fields=RAW_FIELDS),
                             header=["id", "title", "contact", "email", "phone", "company"])
    return RowPlanner(mapper, KEY_CODE, "insert",
                      Indexes(persons=PersonIndex(), orgs=OrgIndex()), key_column="id")


def _contact(ref: Any) -> tuple[str, str | None, str | None]:
    assert isinstance(ref, dict), ref
    body = ref.get("body") or {}
    return (body.get("name"), (body.get("emails") or [{}])[0].get("value"),
            (body.get("phones") or [{}])[0].get("value"))


CONTACT_CELLS = [
    ("Jane Roe, jane91@roe.com", ("Jane Roe", "jane91@roe.com", None)),
    ("Jane Roe / jane92@roe.com", ("Jane Roe", "jane92@roe.com", None)),
    ("Jane Roe, CEO, jane93@roe.com", ("Jane Roe", "jane93@roe.com", None)),
    ("Jane Roe - jane94@roe.com", ("Jane Roe", "jane94@roe.com", None)),
    ("Jane Roe | jane96@roe.com", ("Jane Roe", "jane96@roe.com", None)),
    ("Jane Roe <jane90@roe.com>", ("Jane Roe", "jane90@roe.com", None)),
    ("Jane Roe, +49 30 5551234", ("Jane Roe", None, "+49 30 5551234")),
    # F5: the address swallowed the name before an ideographic or full-width comma, a
    # label before it was read as a second person
    ("山田太郎、t06@acme.jp", ("山田太郎", "t06@acme.jp", None)),
    ("李伟\uff0cli.na@acme.cn", ("李伟", "li.na@acme.cn", None)),
    ("Jane Roe, E-Mail: t03@roe.com", ("Jane Roe", "t03@roe.com", None)),
]


@pytest.mark.parametrize(("cell", "expected"), CONTACT_CELLS)
def test_an_address_after_a_comma_is_the_persons_own(
        cell: str, expected: tuple[str, str | None, str | None]) -> None:
    """F1: with no e-mail or phone column, each of these cells was ONE person "Jane Roe"
    without the address (four contacts made one), the address cut into the note as a
    "job title"; now the person's own, as ``Jane Roe <jane90@roe.com>`` is."""
    got = decide_all(_bare_planner(), rows_of([{"contact": cell}]))
    assert _contact(got["K2"]) == expected, got


def test_four_such_contacts_are_four_persons() -> None:
    cells = ["Jane Roe, jane91@roe.com", "Jane Roe / jane92@roe.com",
             "Jane Roe, CEO, jane93@roe.com", "Jane Roe <jane90@roe.com>"]
    got = decide_all(_bare_planner(), rows_of([{"contact": c} for c in cells]))
    assert len({ref["key"] for ref in got.values()}) == 4, got


def test_an_address_the_e_mail_cell_contradicts_fails_the_row() -> None:
    """F1: ``Jane Roe, bob@roe.com`` beside ``jane77@roe.com`` was person jane77, bob
    only in the note: now the bracket form's refusal."""
    for cell in ("Jane Roe, bob@roe.com", "Jane Roe <bob@roe.com>", "Jane Roe / bob@roe.com"):
        got = decide_all(planner(), rows_of([{"contact": cell, "email": "jane77@roe.com"}]))
        assert isinstance(got["K2"], str) and "bob@roe.com" in got["K2"], (cell, got)
    ok = decide_all(planner(), rows_of([{"contact": "Jane Roe, jane77@roe.com",
                                         "email": "jane77@roe.com"}]))
    assert _contact(ok["K2"]) == ("Jane Roe", "jane77@roe.com", None), ok


def test_an_address_in_the_name_cell_is_kept_when_the_e_mail_cell_is_empty() -> None:
    """F1: with the e-mail column mapped but empty, even ``Jane Roe <jane90@roe.com>``
    lost its address silently."""
    for cell in ("Jane Roe <jane90@roe.com>", "Jane Roe, jane90@roe.com"):
        got = decide_all(planner(), rows_of([{"contact": cell}]))
        assert _contact(got["K2"]) == ("Jane Roe", "jane90@roe.com", None), (cell, got)


def test_a_phone_the_phone_cell_contradicts_fails_the_row() -> None:
    got = decide_all(planner(), rows_of([{"contact": "Jane Roe, +49 30 5551234",
                                          "phone": "+49 30 9999999"}]))
    assert isinstance(got["K2"], str) and "+49 30 5551234" in got["K2"], got
    same = decide_all(planner(), rows_of([{"contact": "Jane Roe, +49 30 5551234",
                                           "phone": "+49 30 5551234"}]))
    assert _contact(same["K2"])[0] == "Jane Roe", same


def test_a_web_address_or_n_a_still_goes_to_the_note_not_as_a_job_title() -> None:
    from jobs.import_items import linked_note, matched_by
    got = decide_all(_bare_planner(), rows_of([{"contact": "Jane Roe, www.acme.com"}]))
    ref = got["K2"]
    assert _contact(ref)[0] == "Jane Roe", got
    note = linked_note(matched_by({"person": ref}))
    assert note is not None and "not sent" in note and "job title" not in note, note


@pytest.mark.parametrize("cell", [
    "Nils Pqh, a@pqh.com, b@pqh.org", "Nils Pqj / a@pqj.com / b@pqj.org",
    "Nils Pqk, +44 20 7946 1111, +44 20 7946 2222"])
def test_two_addresses_or_phones_in_the_name_cell_fail_the_row(cell: str) -> None:
    """x48r15 F1: the first was the person's, the second dropped unsaid (not on the
    person, not in the note)."""
    got = decide_all(_bare_planner(), rows_of([{"contact": cell}]))
    assert isinstance(got["K2"], str) and "keep the person's one" in got["K2"], got


@pytest.mark.parametrize("cell", [
    "Nils Pqa | https://pqa.de/team", "Nils Pqe | www.pqe.com", "Nils Pqf | http://pqf.com"])
def test_a_web_address_is_never_in_a_persons_name(cell: str) -> None:
    """x48r15 F2: after ``|`` the person was named with the whole cell, no note; x49r4
    F10: now as after a comma, the person named without it, the note saying it."""
    from jobs.import_items import linked_note, matched_by
    got = decide_all(_bare_planner(), rows_of([{"contact": cell}]))
    ref = got["K2"]
    assert _contact(ref)[0] == cell.split(" |")[0], got
    note = linked_note(matched_by({"person": ref}))
    assert note is not None and cell.split("| ")[1] in note and "not sent" in note, note


@pytest.mark.parametrize("cell", ["Nils Pqo -", "Nils Pqo - ", "Nils Pqp /", "Nils Pqq |",
                                  "Nils Pqr,"])
def test_a_joiner_left_at_the_end_is_no_part_of_the_name(cell: str) -> None:
    """x48r15 F5: persons named "Nils Pqo -", "Nils Pqp /"."""
    got = decide_all(_bare_planner(), rows_of([{"contact": cell}]))
    assert _contact(got["K2"])[0] == cell.split()[0] + " " + cell.split()[1].rstrip(",")
