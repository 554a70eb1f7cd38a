"""RowPlanner.decide without an account: new persons are created once, as the first row
that named them gave them."""

from __future__ import annotations

from typing import Any

from bulk.manifest import HeaderLine, SourceRow
from bulk.manifest_row import MisalignedRow
from bulk.store import ItemState
from jobs.account import OrgIndex, PersonIndex
from jobs.catalog import Catalog
from jobs.import_rows import Indexes, RowPlanner
from jobs.mapping import Mapping, compile_mapping
from tests.test_mapping import RAW_FIELDS

MAPPING = """
version = 1
[import]
key_column = "id"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
phone = "phone"
[organization]
name = "company"
"""
KEY_CODE = "k" * 40  # RAW_FIELDS' "Import source key"


def planner() -> RowPlanner:
    mapping = Mapping.loads(MAPPING)
    catalog = Catalog.from_api(deal_fields=RAW_FIELDS)
    mapper = compile_mapping(mapping, catalog, header=["id", "title", "contact", "email",
                                                       "phone", "company"])
    return RowPlanner(mapper, KEY_CODE, "insert",
                      Indexes(persons=PersonIndex(), orgs=OrgIndex()), key_column="id")


def decide(p: RowPlanner, n: int, **cells: str) -> dict[str, Any]:
    values = {"id": f"K-{n}", "title": "Deal", "contact": "", "email": "", "phone": "",
              "company": "Acme Ltd", **cells}
    item = p.decide(SourceRow(n, n, values))
    assert item.state is ItemState.PENDING, item.error
    person: dict[str, Any] = item.payload["person"]
    return person


def test_a_new_person_is_the_first_row_that_named_them() -> None:
    """Rows naming one e-mail share one person to create, with the first row's name,
    e-mail (as it writes it: f32e) and phone; a person without an e-mail is keyed by name
    and phone."""
    p = planner()
    first = decide(p, 2, contact="Jo Doe", email="JO@acme.test", phone="030 1234567")
    again = decide(p, 3, contact="Joanna Doe", email="Jo Doe <jo@acme.test>")
    other = decide(p, 4, contact="Sam  Lee", phone="+49 30 7654321")
    body = {"name": "Jo Doe", "emails": [{"value": "JO@acme.test", "primary": True,
                                          "label": "work"}],
            "phones": [{"value": "030 1234567", "primary": True, "label": "work"}]}
    assert first["key"] == again["key"] == "e:jo@acme.test"
    assert first["body"] == again["body"] == body
    assert first["org"] is again["org"]  # the first row's organization reference
    # a number with its country code keys its person by it (x14r2 F6); one without it by
    # its last 9 digits
    assert other["key"] == "n:sam lee|p:+49307654321"
    assert other["body"] == {"name": "Sam Lee", "phones": [
        {"value": "+49 30 7654321", "primary": True, "label": "work"}]}
    assert p.counts.persons_new == 2 and p.counts.orgs_new == 1
    national = decide(p, 5, contact="Kim Roe", phone="030 7654321")
    assert national["key"] == "n:kim roe|p:307654321"


def test_header_lines_are_no_duplicate_keys_and_a_section_title_says_what_it_may_be() -> None:
    """x13r5 F3: a monday.com export repeats its header above each group: the second repeat
    failed as "duplicate source key 'id'" (and made the column's name a contested key).
    Now each says it repeats the header, and no key is held for it. A group's title row
    (one cell: "Won") fails as an empty key that says it may be a section title."""
    p = planner()
    header = {"id": "id", "title": "title", "contact": "contact", "email": "email",
              "phone": "phone", "company": "company"}
    for n in (3, 6):
        item = p.decide(SourceRow(n, n, header, HeaderLine(f"line {n} repeats the header",
                                                          row=n)))
        assert item.state is ItemState.FAILED and item.error is not None
        assert item.error.startswith(f"line {n} repeats the header"), item.error
    assert p.newly_contested == set()
    section = p.decide(SourceRow(4, 4, {"id": "", "title": "Won", "contact": "", "email": "",
                                        "phone": "", "company": ""}))
    assert section.state is ItemState.FAILED and section.error is not None
    assert "its one cell, 'Won', may be a group or section title line" in section.error
    lone = p.decide(SourceRow(5, 5, {"id": "", "title": "Deal", "contact": "Jo",
                                     "email": "", "phone": "", "company": ""}))
    assert lone.error is not None and "section title" not in lone.error  # two cells


def test_a_person_with_no_name_cell_takes_the_name_beside_the_address() -> None:
    """x13r5 F1: monday.com's Contact cell `Yusuf Nowak <m16@board1.io>`, no name column:
    every new person was named by the address. The name the cell writes beside it is
    taken; a bare address stays the name, as before."""
    p = planner()
    named = decide(p, 2, email="Yusuf Nowak <m16@board1.io>")
    bracketed = decide(p, 3, email="kim@board1.io (Kim Roe)")
    bare = decide(p, 4, email="lee@board1.io")
    assert named["body"]["name"] == "Yusuf Nowak"
    assert bracketed["body"]["name"] == "Kim Roe"
    assert bare["body"]["name"] == "lee@board1.io"
    given = decide(p, 5, contact="Y. Nowak", email="Yusuf Nowak <y2@board1.io>")
    assert given["body"]["name"] == "Y. Nowak"  # a name cell wins


def test_a_header_repeated_with_a_cell_more_is_no_duplicate_key() -> None:
    """x13r6 F6: a header repeated with a trailing separator (`Item ID,...,Contact,`) is a
    misaligned row, not a header for the reader: the second such line failed "duplicate
    source key 'Item ID'" and was held as one. Its key cell is the key column's name: a
    header line, no key tracked. A lone "Lost" line (misaligned) says it may be a title."""
    p = planner()
    header = {"id": "id", "title": "title", "contact": "contact", "email": "email",
              "phone": "phone", "company": "company", "(extra 1)": ""}
    for n in (3, 5):
        item = p.decide(SourceRow(n, n, header, MisalignedRow("7 cells but the header has 6",
                                                              row=n)))
        assert item.error is not None and "the key column's name: a header line" in item.error
        assert "duplicate" not in item.error
    assert p.newly_contested == set()
    lone = p.decide(SourceRow(6, 6, {"id": "Lost"}, MisalignedRow("1 cells", row=6)))
    assert lone.error is not None and "its one cell, 'Lost', may be a group" in lone.error


def _many_alike(p: RowPlanner, seed: int) -> list[tuple[str, object]]:
    """400 rows of a few names, phones (with and without a country code), e-mails and
    organizations, so that rows meet earlier rows' new persons by name+phone and
    name+org; each row's outcome: its person's key, or the error that failed it."""
    import random

    rnd = random.Random(seed)
    names = ["Jo Doe", "Sam Lee", "Kim Roe", "Ana Ruiz"]
    phones = ["", "030 1234567", "+49 30 1234567", "+44 30 1234567", "0301234568",
              "+1 555 123 4567", "555 123 4567"]
    emails = ["", "", "", "jo@acme.test", "sam@beta.test", "info@acme.test"]
    companies = ["Acme Ltd", "Beta GmbH", "Gamma", ""]
    out: list[tuple[str, object]] = []
    for n in range(2, 402):
        item = p.decide(SourceRow(n, n, {
            "id": f"K-{n}", "title": "Deal", "contact": rnd.choice(names),
            "email": rnd.choice(emails), "phone": rnd.choice(phones),
            "company": rnd.choice(companies)}))
        person = (item.payload or {}).get("person") if item.state is ItemState.PENDING \
            else None
        out.append((item.state.value, person["key"] if person else str(item.error)))
    return out


def test_the_new_persons_indexes_check_every_candidate_a_hash_gives(monkeypatch: Any) -> None:
    """issue 8: the name+phone and name+org indexes of this file's new persons hold only a
    hash of their parts; with every hash made equal, each row still finds exactly the
    persons it found before (a collision is checked, never taken for a match)."""
    from jobs import import_rows

    for seed in range(5):
        plain = _many_alike(planner(), seed)
        monkeypatch.setattr(import_rows._HashedIndex, "slot", staticmethod(lambda parts: 0))
        colliding = _many_alike(planner(), seed)
        monkeypatch.undo()
        assert colliding == plain
        assert len({key for state, key in plain if state == "pending"}) > 6
        assert any("several persons named" in key for _, key in plain)


def test_a_name_at_two_organizations_is_two_new_persons() -> None:
    """x17r1 S2: "Lee Kim" at Acme (UK) and "Lee Kim" at Acme, neither with an e-mail or
    phone, were made one person in one file (two when imported one file each). Keyed by
    name and organization, they are two, as row by row; the same name at the same
    organization, or with no organization both times, stays one."""
    p = planner()
    uk = decide(p, 2, contact="Lee Kim", company="Acme (UK)")
    acme = decide(p, 3, contact="Lee  KIM", company="Acme")
    again = decide(p, 4, contact="Lee Kim", company="ACME")
    alone = decide(p, 5, contact="Lee Kim", company="")
    alone_again = decide(p, 6, contact="lee kim", company="")
    assert len({uk["key"], acme["key"], alone["key"]}) == 3
    assert again["key"] == acme["key"] and alone_again["key"] == alone["key"]
    assert p.counts.persons_new == 3
    # a phone at the organization finds the person made there without one (name+org)
    phoned = decide(p, 7, contact="Lee Kim", company="Acme", phone="+44 20 7946 0000")
    assert phoned["key"] == acme["key"]


def test_a_name_with_or_without_its_accents_is_one_new_person() -> None:
    """x20r1 M3: rows of one person, one writing the name with accents and one in capitals
    without them, and the same phone, make one person; its key is the one a person of the
    account so named answers on a resume (``person_keys``)."""
    from jobs.import_resolve import person_keys

    p = planner()
    first = decide(p, 2, contact="José Núñez", phone="+34 600 123 456")
    again = decide(p, 3, contact="JOSE NUNEZ", phone="600 123 456")
    assert again["key"] == first["key"] and p.counts.persons_new == 1
    made = {"id": 5, "name": "José Núñez", "phones": [{"value": "+34 600 123 456"}]}
    assert first["key"] in person_keys(made)
    at = decide(p, 4, contact="Zoë Faure", company="Café Noir S.A.")
    assert decide(p, 5, contact="ZOE FAURE", company="Cafe Noir S. A.")["key"] == at["key"]


def test_new_persons_read_back_as_they_were_kept() -> None:
    """issue 8: this file's new persons are kept packed into one string; each reads back
    exactly as stored — no phone, other addresses and phones, an organization ref or
    none, and texts holding the packing's own separators (kept unpacked)."""
    import random

    from jobs.import_rows import _NewPersons

    rnd = random.Random(3)
    org = {"kind": "org", "key": "acme"}
    texts = ["Ann", "", "Zoë Ä", "a\x1fb", "c\x1ed", "+4930123", "x@y.z"]
    kept = _NewPersons()
    wanted = {}
    for n in range(500):
        person = (rnd.choice(texts), rnd.choice([None, *texts[1:]]), rnd.choice([None, org]),
                  tuple(rnd.sample(texts, rnd.randint(0, 2))),
                  tuple(rnd.sample(texts, rnd.randint(0, 2))),
                  tuple((rnd.choice(texts), rnd.choice(["work", "mobile", "a\x1db", "c\x1ed"]))
                        for _ in range(rnd.randint(0, 2))))
        kept[f"k{n}"] = person
        wanted[f"k{n}"] = person
    for key, person in wanted.items():
        assert kept[key] == person and kept.get(key) == person, person
        assert kept[key][2] is person[2]
    assert kept.get("nope") is None and len(kept) == 500 and "k3" in kept
