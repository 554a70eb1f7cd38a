"""Identity matching at least as strict as Pipedrive's importer (issue 9 section 7):
a labelled set of person and organization pairs (same / different)."""

from __future__ import annotations

from typing import Any

import pytest

from bulk.errors import InputError
from jobs import transforms as tf
from jobs.account import OrgIndex, PersonIndex

# (existing organization, row's name, row's address, same?)
ORG_PAIRS: list[tuple[dict[str, Any], str, str | None, str | None]] = [
    ({"name": "Northwind Traders Inc.", "address": {"value": "1 Pike St, Seattle"}},
     "Northwind Traders Incorporated", "1 Pike St., Seattle", "name+address"),
    ({"name": "Northwind Traders Inc.", "address": {"value": "1 Pike St, Seattle"}},
     "Northwind Traders GmbH", "Hauptstr. 5, Berlin", None),
    ({"name": "Northwind Traders GmbH", "address": None}, "Northwind Traders Inc.", None, None),
    ({"name": "Northwind Traders Inc.", "address": {"value": "1 Pike St, Seattle"}},
     "Northwind Traders Inc", "Hauptstr. 5, Berlin", None),  # same name, other address
    ({"name": "Acme LLC", "address": None}, "ACME L.L.C.", "9 Elm St", "name"),
    ({"name": "Acme Ltd", "address": None}, "Acme Limited", None, "name"),
    ({"name": "Acme Ltd", "address": None}, "Acme LLC", None, None),
    ({"name": "Acme Corp", "address": None}, "Acme", None, None),
    ({"name": "Müller GmbH", "address": None}, "Mueller AG", None, None),
    ({"name": "Müller GmbH", "address": None}, "MÜLLER GMBH", None, "name"),
    ({"name": "Oy Example", "address": None}, "Example Oy", None, None),
    ({"name": "Volvo AB", "address": None}, "Volvo Group", None, None),
    # x9r1: "und" / "et" between two words are the German / French "&"
    ({"name": "Müller & Söhne GmbH", "address": None}, "MÜLLER UND SÖHNE GMBH", None, "name"),
    ({"name": "Dupont & Fils S.A.", "address": None}, "Dupont et Fils SA", None, "name"),
    ({"name": "Et Cetera Ltd", "address": None}, "And Cetera Ltd", None, None),
    ({"name": "Müller & Söhne GmbH", "address": None}, "Müller oder Söhne GmbH", None, None),
]


@pytest.mark.parametrize(("existing", "name", "address", "expected"), ORG_PAIRS)
def test_org_pairs(existing: dict[str, Any], name: str, address: str | None,
                   expected: str | None) -> None:
    index = OrgIndex()
    index.add({"id": 7, **existing})
    key = tf.org_match_key(name)
    assert key is not None
    found = index.match(key, address)
    assert (found[1] if found else None) == expected
    if found:
        assert found[0] == 7


def test_hubspot_legal_forms_stay_apart() -> None:
    """1,357 distinct names must not collapse: each legal form is its own organization."""
    forms = ["LLC", "AG", "GmbH", "Oy", "Inc.", "Ltd", "S.A.", "B.V.", "AB", "PLC", "KG", ""]
    keys = {tf.org_match_key(f"Northwind {form}".strip()) for form in forms}
    assert len(keys) == len(forms)


# one company, its legal form spelled two ways (x20r1 M2: each pair made a second organization)
ONE_FORM_TWO_SPELLINGS = [
    ("Ostrava s.r.o.", "Ostrava, s. r. o."), ("Café Noir S.A.", "Café Noir S. A."),
    ("Delta B.V.", "Delta B. V."), ("Sportverein e.V.", "Sportverein e. V."),
    ("Łódź Meble Sp. z o.o.", "Lodz Meble sp. z o. o."), ("Vin S.à r.l.", "Vin SARL"),
    ("Yota AG", "Yota Aktiengesellschaft"), ("Nordic Oy", "Nordic Osakeyhtiö"),
    ("Lindqvist AB", "Lindqvist Aktiebolag"), ("Hansen ApS", "Hansen Anpartsselskab"),
    ("Omega GmbH", "Omega Gesellschaft mit beschränkter Haftung"),
    ("Tesco PLC", "Tesco Public Limited Company"), ("Brno spol. s r.o.", "Brno s.r.o."),
]


@pytest.mark.parametrize(("existing", "row"), ONE_FORM_TWO_SPELLINGS)
def test_a_legal_form_spelled_another_way_is_the_same_organization(existing: str,
                                                                      row: str) -> None:
    """x20r1 M2: spaced abbreviations (``s. r. o.``) and written-out forms
    (``Aktiengesellschaft``) are the form the import's key reads, as dedupe's does."""
    from jobs.dedupe.normalize import org_key, other_legal_entity, same_company

    for one, other in ((existing, row), (row, existing)):
        index = OrgIndex()
        index.add({"id": 7, "name": one})
        assert index.match(tf.org_match_key(other) or "") == (7, "name"), (one, other)
    assert same_company(org_key(existing), org_key(row))  # dedupe: one company too
    assert not other_legal_entity(existing, row)


@pytest.mark.parametrize(("x", "y"), [("Acme GmbH", "Acme Inc."), ("Acme s.r.o.", "Acme a.s."),
                                      ("Acme Sp. z o.o.", "Acme S.A."), ("Acme AG", "Acme GmbH")])
def test_two_legal_forms_stay_two_organizations(x: str, y: str) -> None:
    """Two different forms are two legal entities, to the import and to dedupe alike."""
    from jobs.dedupe.normalize import other_legal_entity

    assert tf.org_match_key(x) != tf.org_match_key(y)
    assert other_legal_entity(x, y)


# x20r1 M3: persons seeded with a phone only, and the row's spelling of their names
SPELLED_OTHERWISE = [("Işık Kaya", "IŞIK KAYA"), ("Σοφία Αλεξίου", "ΣΟΦΙΑ ΑΛΕΞΙΟΥ"),  # noqa: RUF001
                     ("José Núñez", "Jose Nunez"), ("Zoë Faure", "Zoe Faure"),
                     ("Королёв Иван", "КОРОЛЕВ ИВАН")]


@pytest.mark.parametrize(("seeded", "row"), SPELLED_OTHERWISE)
def test_a_name_with_or_without_its_accents_is_one_person(seeded: str, row: str) -> None:
    """x20r1 M3: person names were compared by case only, so a row writing the name in
    capitals or without its accents made a second person (and an upsert moved the deal to
    it). Folded as organization names are, the phone, the organization or the deal finds
    the person; a name alone still finds no one."""
    index = PersonIndex()
    index.add({"id": 4, "name": seeded, "phones": [{"value": "+33 6 12 34 56 78"}],
               "org_id": 9})
    assert index.match(None, row, "06 12 34 56 78") == (4, "name+phone")
    assert index.match(None, row, None, 9) == (4, "name+org")
    assert index.match(None, row, None, None, prefer=4) == (4, "name+deal")
    assert index.match(None, row, None, None) is None  # a name alone links no one
    assert index.match(None, row, "+44 20 7946 0000", None) is None  # another phone


# (existing person, row: (email, name, phone, org id), expected matched_by)
PERSON_PAIRS: list[tuple[dict[str, Any], tuple[str | None, str, str | None, int | None],
                         str | None]] = [
    # Sam Rivera of Globex vs a row with a UK phone and company Initech (org 3)
    ({"name": "Sam Rivera", "emails": [], "phones": [{"value": "+1 555 0100"}], "org_id": 2},
     (None, "Sam Rivera", "+44 20 7946 0958", 3), None),
    ({"name": "Sam Rivera", "emails": [], "phones": [{"value": "+1 555 0100"}], "org_id": 2},
     (None, "Sam Rivera", None, None), None),  # name alone never links
    ({"name": "Sam Rivera", "emails": [], "phones": [{"value": "+44 20 7946 0958"}]},
     (None, "sam  rivera", "020 7946 0958", None), "name+phone"),
    ({"name": "Sam Rivera", "emails": [], "phones": [], "org_id": 3},
     (None, "Sam Rivera", None, 3), "name+org"),
    ({"name": "Sam Rivera", "emails": [{"value": "sam@globex.example"}]},
     ("sam@globex.example", "Samuel Rivera", None, None), "email"),
    ({"name": "Sam Rivera", "emails": [{"value": "sam@globex.example"}], "org_id": 3},
     ("sam@initech.example", "Sam Rivera", None, 3), None),  # another e-mail: another person
    ({"name": "Grace Müller", "emails": [{"value": "Grace.Müller@Example.com"}]},
     ("grace.müller@example.com", "G. Müller", None, None), "email"),
    ({"name": "Ann Lee", "emails": [], "phones": [], "org_id": {"value": 3}},
     (None, "Ann Lee", None, 3), "name+org"),
]


@pytest.mark.parametrize(("existing", "row", "expected"), PERSON_PAIRS)
def test_person_pairs(existing: dict[str, Any],
                      row: tuple[str | None, str, str | None, int | None],
                      expected: str | None) -> None:
    index = PersonIndex()
    index.add({"id": 9, **existing})
    email, name, phone, org_id = row
    email = tf.normalize_email(email) if email else None
    found = index.match(email, name, tf.clean_phone(phone) if phone else None, org_id)
    assert (found[1] if found else None) == expected
    if found:
        assert found[0] == 9


def test_an_address_two_persons_share_links_the_one_of_the_rows_name() -> None:
    """x9r6: "Ann Lee" (id 4) and "Ann Leigh" (id 7) both have ann@a.example; a row of
    "Ann Leigh" with that address was linked to Ann Lee, the lower id."""
    index = PersonIndex()
    index.add({"id": 4, "name": "Ann Lee", "emails": [{"value": "ann@a.example"}]})
    index.add({"id": 7, "name": "Ann Leigh", "emails": [{"value": "ann@a.example"},
                                                         {"value": "leigh@a.example"}]})
    assert index.match("ann@a.example", "Ann Leigh") == (7, "email")
    assert index.match("ann@a.example", "Ann Lee") == (4, "email")
    # x13r2 F2: a name neither has, or no name, tells no one of them: the row fails with
    # both ids named (before: the lower id, "Chris Doe" linked to "Shared Box One")
    for name in ("Someone Else", None, "ann@a.example"):  # the last: a row named by it
        with pytest.raises(InputError, match=r"belongs to 2 persons and (none of them is "
                                             r"named 'Someone Else'|the row gives no name) "
                                             r"\(ids 4, 7\)"):
            index.match("ann@a.example", name)
    # x13r6 F1: two persons of the row's name on it tell no one either (the lowest id was
    # taken); the deal's own person (an upsert) among them stays
    index.add({"id": 8, "name": "ann  LEIGH", "emails": [{"value": "ann@a.example"}]})
    with pytest.raises(InputError, match=r"2 of them are named 'Ann Leigh' \(ids 7, 8\)"):
        index.match("ann@a.example", "Ann Leigh")
    assert index.match("ann@a.example", "Ann Leigh", prefer=8) == (8, "email")
    assert index.match("ann@a.example", "Ann Lee") == (4, "email")
    assert index.match("leigh@a.example", "Someone Else") == (7, "email")  # its own address


def test_a_row_with_no_address_of_a_name_two_branches_have_takes_its_persons() -> None:
    """x13r2 F3: "Twin Co" in Leeds (id 3) and in York (id 5); a row naming it with no
    address took the lowest id, Leeds, though the row's person is at York (and a second
    "Pat Lee" was then made at Leeds). Now: the branch the row's person is at; none or
    several, the row fails naming both. One name entered twice with one address (or
    none) is one organization as before: the lowest id."""
    orgs, persons = OrgIndex(), PersonIndex()
    orgs.add({"id": 3, "name": "Twin Co", "address": {"value": "1 Main St, Leeds"}})
    orgs.add({"id": 5, "name": "Twin Co", "address": {"value": "9 High St, York"}})
    persons.add({"id": 40, "name": "Pat Lee", "org_id": 5,
                 "phones": [{"value": "+44 1904 555 123"}]})
    persons.add({"id": 41, "name": "Kim Roe", "emails": [{"value": "kim@twin.example"}],
                 "org_id": {"value": 3, "name": "Twin Co"}})
    key = tf.org_match_key("Twin Co")
    assert key is not None

    def match(email: str | None, name: str, phone: str | None = None
              ) -> tuple[int, str] | None:
        return orgs.match(key, None, name="Twin Co",
                          people=lambda: persons.orgs_of(email, name, phone),
                          named=lambda: persons.named_orgs(name))
    # the person's name and phone prove it is the row's (x24r5 F10: her name alone did)
    assert match(None, "Pat Lee", "01904 555123") == (5, "name+person")
    with pytest.raises(InputError, match=r"\(ids 3, 5\), and the row gives no address \(a "
                                         r"person of that name is at id 5, but a name alone"):
        match(None, "Pat Lee")
    with pytest.raises(InputError, match="and the row gives no address"):
        match(None, "Pat Lee", "+44 20 7946 0000")  # another phone: another person
    # x13r6 F2: an address two persons share, the row naming one of them: that one's org
    persons.add({"id": 42, "name": "Anna Berg", "emails": [{"value": "info@twin.example"}],
                 "org_id": 3})
    persons.add({"id": 43, "name": "Jonas Kraft", "emails": [{"value": "info@twin.example"}],
                 "org_id": 5})
    assert match("info@twin.example", "Anna Berg") == (3, "name+person")
    assert match("info@twin.example", "jonas  kraft") == (5, "name+person")
    assert match("kim@twin.example", "Kim Roe") == (3, "name+person")
    with pytest.raises(InputError, match=r"2 organizations are named 'Twin Co', at different "
                                         r"addresses \(ids 3, 5\)"):
        match(None, "Someone New")
    assert orgs.match(key, "9 High St, York") == (5, "name+address")  # an address: as before
    assert orgs.match(key, None, prefer=3) == (3, "name")  # the deal's own branch: kept
    twice = OrgIndex()
    twice.add({"id": 8, "name": "Solo GmbH"})
    twice.add({"id": 6, "name": "Solo GmbH", "address": {"value": "Ring 1, Wien"}})
    solo = tf.org_match_key("Solo GmbH")
    assert solo is not None and twice.match(solo, None) == (6, "name")


def test_one_organization_entered_twice_is_the_one_the_rows_person_is_at() -> None:
    """x17r1 M1: "Globex Corporation" twice (ids 1 and 2, no address); Zed Alpha, found by
    e-mail, is at 2, but the deal went to 1, and a later row of Zed without an e-mail made
    a second Zed at 1. Now the copy the row's person is at (``name+person``); with none
    or both, the lowest id, as before."""
    orgs, persons = OrgIndex(), PersonIndex()
    orgs.add({"id": 1, "name": "Globex Corporation"})
    orgs.add({"id": 2, "name": "Globex Corporation"})
    persons.add({"id": 9, "name": "Zed Alpha", "emails": [{"value": "zed@globex.com"}],
                 "org_id": 2})
    key = tf.org_match_key("Globex Corp")
    assert key is not None

    def match(email: str | None, name: str) -> tuple[int, str] | None:
        return orgs.match(key, None, name="Globex Corp",
                          people=lambda: persons.orgs_of(email, name),
                          named=lambda: persons.named_orgs(name))
    assert match("zed@globex.com", "Zed Alpha") == (2, "name+person")
    assert match(None, "Zed Alpha") == (2, "name+person")
    assert persons.match(None, "Zed Alpha", None, 2) == (9, "name+org")
    assert match(None, "Someone New") == (1, "name")
    persons.add({"id": 10, "name": "Amy Bo", "emails": [{"value": "amy@globex.com"}],
                 "org_id": 1})
    persons.add({"id": 11, "name": "Amy Bo", "emails": [{"value": "amy2@globex.com"}],
                 "org_id": 2})
    assert match(None, "Amy Bo") == (1, "name")  # at both: the lowest id


@pytest.mark.parametrize("mark", ["\u2019", "\u02bc", "\u2018", "\u02bb", "\u00b4", "`",
                                  "\u2032", "\uff07"])
def test_every_apostrophe_matches_the_ascii_one(mark: str) -> None:
    """x21r3 F8d: O'Brien with U+02BC (as a phone keyboard or a Ukrainian layout types it),
    U+2019 or an ASCII apostrophe is one person, one organization and one address."""
    from jobs.transforms.contacts import address_match_key, name_match_key, org_match_key

    assert name_match_key(f"Seán O{mark}Brien") == name_match_key("Sean O'Brien")
    assert org_match_key(f"O{mark}Reilly{mark}s Pub Ltd") == org_match_key("O'Reilly's Pub Ltd")
    assert address_match_key(f"1 O{mark}Connell St") == address_match_key("1 O'Connell St")


def test_a_name_no_person_has_reads_no_phone_and_no_other_address(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A row whose name no person of the account has (most rows: new persons) is matched
    without parsing its phone, and one with no other address without a name key for
    them (issue 8: both were computed for every row, for look-ups that could not hit);
    the answers are those of the full reading."""
    import jobs.account as account
    import jobs.import_rows as import_rows
    from jobs.mapping.spec import PersonRef

    index = PersonIndex()
    index.add({"id": 9, "name": "Sam Rivera", "emails": [],
               "phones": [{"value": "+44 20 7946 0958"}]})
    index.add({"id": 10, "name": "Kim Ode", "emails": [{"value": "kim@x.example"}],
               "phones": [{"value": "+44 20 7946 0958"}]})
    assert index.match(None, "Sam Rivera", "020 7946 0958") == (9, "name+phone")
    calls = {"phone_key": 0, "name_match_key": 0}

    def counted(name: str, real: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            calls[name] += 1
            return real(*args)
        return wrapper

    monkeypatch.setattr(account, "phone_key", counted("phone_key", account.phone_key))
    assert index.match(None, "Ann Lee", "020 7946 0958") is None
    # Kim has an address: a row of her name with another address is not hers (x10r4 F5)
    assert index.match("kim@y.example", "Kim Ode", "020 7946 0958") is None
    assert calls["phone_key"] == 0
    monkeypatch.setattr(import_rows.tf, "name_match_key",
                        counted("name_match_key", tf.name_match_key))
    assert import_rows._by_other_address(index, PersonRef("Sam Rivera", "s@x.example")) is None
    assert calls["name_match_key"] == 0


# x24r1 F2: (the account's name, the row's) one person written two ways
WRITTEN_OTHERWISE = [("John Smith", "Smith, John"), ("Lee Kim", "Dr. Lee Kim"),
                     ("Lou Ra", "Ra, Dr. Lou"), ("Jürgen Müller", "MÜLLER, Jurgen"),
                     ("Dr Ann Lee", "Mrs. Ann Lee")]


@pytest.mark.parametrize(("seeded", "row"), WRITTEN_OTHERWISE)
def test_a_name_written_last_first_or_with_a_title_is_one_person(seeded: str,
                                                                 row: str) -> None:
    """x24r1 F2: ``Smith, John`` with the phone of the account's ``John Smith`` (and ``Dr.
    Lee Kim`` with ``Lee Kim``'s) made a second person: names were compared as written.
    Read first-last with their titles aside, the phone or the organization finds the
    person; a name alone still finds no one."""
    index = PersonIndex()
    index.add({"id": 4, "name": seeded, "phones": [{"value": "+1 555 010 0001"}],
               "org_id": 9})
    assert index.match(None, row, "+1 555 010 0001") == (4, "name+phone")
    assert index.match(None, row, None, 9) == (4, "name+org")
    assert index.match(None, row, None, None) is None
    assert index.match(None, row, "+1 555 010 0002", None) is None


@pytest.mark.parametrize(("x", "y"), [("John Smith", "John Smith, Jr."),
                                      ("John Smith", "John Smith Jr."),
                                      ("Smith John", "John Smith"),
                                      ("Dr. Lee Kim", "Lee"), ("Dr.", "Mr.")])
def test_suffixes_and_word_order_without_a_comma_stay_other_names(x: str, y: str) -> None:
    """Only a comma says last-first, and only courtesy titles are set aside: a suffix
    (``Jr.``) tells a son from his father, and a title alone is not dropped."""
    from jobs.transforms.contacts import name_match_key

    assert name_match_key(x) != name_match_key(y)


# x24r1 F3: (the account's address, the row's, the same address?)
ADDRESS_SPELLINGS = [
    ("1 Main St, Springfield", "1 Main Street, Springfield", True),
    ("1 Main St, Springfield", "1 Main St., Springfield", True),
    ("1 Main St, Springfield", "11 Main Street, Springfield", False),
    ("1 Main St, Springfield", "1 Main Ave, Springfield", False),
    ("20 Fifth Ave, Suite 4", "20 Fifth Avenue, Ste 4", True),
    ("9 N Elm Rd", "9 North Elm Road", True),
    ("Hauptstraße 5, 10115 Berlin", "Hauptstr. 5, 10115 Berlin", True),
    ("Hauptstraße 5, 10115 Berlin", "Hauptstrasse 5, 10115 Berlin", True),
    ("Hauptstraße 5, 10115 Berlin", "Hauptstraße 15, 10115 Berlin", False),
    ("Marktplatz 1", "Marktpl. 1", False),  # a word's end is only ever Straße
]


@pytest.mark.parametrize(("theirs", "mine", "same"), ADDRESS_SPELLINGS)
def test_a_street_word_written_out_or_abbreviated_is_one_address(theirs: str, mine: str,
                                                                 same: bool) -> None:
    """x24r1 F3: ``Acme Corp.`` at "1 Main Street, Springfield" made a new organization
    beside ``Acme Corp`` at "1 Main St, Springfield" (the dotted "St." matched): the street
    words are one spelling now, and a number or another street type still parts them."""
    index = OrgIndex()
    index.add({"id": 7, "name": "Acme Corp", "address": {"value": theirs}})
    index.add({"id": 8, "name": "Acme Corp", "address": {"value": "2 Other Way"}})
    key = tf.org_match_key("Acme Corp.")
    assert key is not None
    assert index.match(key, mine) == ((7, "name+address") if same else None)


@pytest.mark.parametrize(("existing", "row", "expected"), [
    ("Müller & Söhne AG", "Mueller & Soehne Aktiengesellschaft", "name"),
    ("Müller & Söhne AG", "MUELLER UND SOEHNE AG", "name"),
    ("Müller & Söhne AG", "Muller & Sohne AG", "name"),  # the dots dropped, as before
    ("Björk Design AB", "Bjoerk Design Aktiebolag", "name"),
    ("Müller & Söhne AG", "Mueller & Soehne GmbH", None),  # another legal entity
    ("Müller AG", "Mahler AG", None),
    ("Blue Sky Ltd", "Blü Sky Ltd", None),  # a written "ue" is never read as an umlaut
])
def test_an_umlaut_written_as_e_finds_the_organization(existing: str, row: str,
                                                       expected: str | None) -> None:
    """x24r1 F3: ``Mueller & Soehne Aktiengesellschaft`` made a new organization beside
    the account's ``Müller & Söhne AG``: the key dropped the umlauts' dots (``muller``),
    and German writes them ``ue`` (``mueller``). The account's name is found both ways."""
    index = OrgIndex()
    index.add({"id": 7, "name": existing, "address": None})
    key = tf.org_match_key(row)
    assert key is not None
    found = index.match(key, "1 Main St")
    assert (found[1] if found else None) == expected
