"""x50r1 F11: init-mapping of ``Key,Title,Name,Email,Phone`` left ``Name`` unmapped and
wrote ``# name = ""  # no column looks like a name`` beside it. A bare ``Name`` column the
deal title does not take is proposed as the persons' name when its values look like
persons' names, else named in the comment; one that is the title stays the title."""

from __future__ import annotations

import tomllib

from jobs.catalog import Catalog
from tests.test_starter_crm_exports import _text, catalog  # noqa: F401  (fixture)

HEADER = ["Key", "Title", "Name", "Email", "Phone"]


def _rows(*names: str) -> list[list[str]]:
    return [[f"k{i}", f"Deal {i} pilot", name, f"p{i}@x.example", f"+1 555 010{i}"]
            for i, name in enumerate(names)]


def test_a_name_column_of_persons_is_the_persons_name(catalog: Catalog) -> None:  # noqa: F811
    text = _text(catalog, HEADER, *_rows("Ann Lee", "Bob Stone", "Jan van der Berg"))
    person = tomllib.loads(text)["person"]
    assert person.get("name") == "Name" and person.get("email") == "Email", text
    assert tomllib.loads(text)["deal"]["title"] == "Title", text
    assert "no column looks like a name" not in text, text
    assert "Columns not mapped: Name" not in text, text


def test_a_name_column_of_companies_is_named_not_mapped(catalog: Catalog) -> None:  # noqa: F811
    text = _text(catalog, HEADER, *_rows("Acme GmbH", "Globex Ltd", "Initech Inc"))
    assert "name" not in tomllib.loads(text)["person"], text
    (line,) = [x for x in text.splitlines() if x.startswith('# name = ""  # column "Name"')]
    assert "not mapped" in line and "no column looks like a name" not in text, text


def test_a_name_column_that_is_the_title_stays_the_title(catalog: Catalog) -> None:  # noqa: F811
    text = _text(catalog, ["Key", "Name", "Email"], ["k1", "Ann Lee", "ann@x.example"])
    assert tomllib.loads(text)["deal"]["title"] == "Name", text
    assert "name" not in tomllib.loads(text)["person"], text
