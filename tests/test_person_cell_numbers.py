"""x49r7's leftovers of round 11 in person name cells: a date is no phone, however it is
led; a phone's extension is the phone's; a joiner alone is no name; a cell holding only a
phone is no person named 'None'; a capitalised end word that is a joiner elsewhere stays
in the name."""

from __future__ import annotations

import pytest

from tests.test_person_identity import decide_all, planner, rows_of


def _one(cell: str) -> object:
    return decide_all(planner(), rows_of([{"contact": cell}]))["K2"]


@pytest.mark.parametrize("cell", ["Paul Jost 06.12.2026 14:30", "Jane Roe 06.12.1980",
                                  "Jane Roe 06/12/1980", "Jane Roe 2024-01-06"])
def test_a_date_in_a_name_cell_is_never_written_as_a_phone(cell: str) -> None:
    got = _one(cell)  # x49r7 F2: '06.12.2026 14' was the person's phone
    assert isinstance(got, str) and "holds a date" in got, got  # (x50r1: said a date)


@pytest.mark.parametrize(("cell", "phone"), [
    ("Jean Roe 01.23.45.67.89", "01.23.45.67.89"),  # a French number is no date
    ("Nils Graf +1 212 555 0252 ext. 12", "+1 212 555 0252 ext. 12"),
    ("Jane Roe +49 30 1234567 x 12", "+49 30 1234567 x 12"),
])
def test_a_phone_in_a_name_cell_is_whole_with_its_extension(cell: str, phone: str) -> None:
    got = _one(cell)  # x49r7 F6: 'ext. 12' was left in the name
    assert isinstance(got, dict), got
    assert got["body"]["phones"][0]["value"] == phone and "ext" not in got["body"]["name"]


@pytest.mark.parametrize(("cell", "name"), [("& anna@only.com", "anna@only.com"),
                                             ("and bert@only.com", "bert@only.com"),
                                             ("Anna Und", "Anna Und"),
                                             ("Omar Roe AND", "Omar Roe")])
def test_a_joiner_alone_is_no_name_a_capitalised_word_stays(cell: str, name: str) -> None:
    got = _one(cell)  # x49r7 F5: persons named '&', 'and', '+'; F8: 'Anna Und' was 'Anna'
    assert isinstance(got, dict) and got["body"]["name"] == name, got


@pytest.mark.parametrize("cell", ["+ +49 30 2345603", "+49 30 2345603", "- +49 30 2345603"])
def test_a_cell_of_a_phone_alone_is_no_person_named_none(cell: str) -> None:
    got = _one(cell)  # before: a person named 'None' with that phone
    assert isinstance(got, str) and "no name or e-mail" in got, got
