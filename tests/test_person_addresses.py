"""A person's e-mail cell that lists several addresses (a JSON array, Pipedrive's v1
``person_id.email``; a ``;`` list in a CSV): the person takes the first, and the others
find it again when a later export lists them in another order (fresh tester x9r3: a
second "Dana Fox" was created and one deal linked to it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs import transforms as tf
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from tests.import_support import api_engine, engine_config, import_once, read_csv, sandbox_deals
from tests.test_import import charged

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person_id.name"
email = "person_id.email.value"
"""


async def _run(sb: Sandbox, tmp_path: Path, manifest: Path, mapping: Path, job_id: str, *,
               mode: str | None = None) -> dict[str, dict[str, str]]:
    """Import ``manifest`` as job ``job_id`` (in ``tmp_path``/jobs): succeeded.csv's rows,
    by key."""
    store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id=job_id,
                                    mode=mode)
    try:
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


def test_email_addresses_of_a_list_and_an_array() -> None:
    assert tf.email_addresses("Dana@Fox.example; dana.private@fox.example") == (
        "Dana@fox.example", "dana.private@fox.example")
    assert tf.email_addresses(["dana.private@fox.example", "", "not an address",
                               "DANA@fox.example"]) == ("dana.private@fox.example",
                                                        "DANA@fox.example")
    # one address in two spellings: once, as the cell first writes it
    assert tf.email_addresses("Dana@Fox.example; dana@fox.example") == ("Dana@fox.example",)
    assert tf.email_addresses("Dana <dana@fox.example>") == ("dana@fox.example",)
    # two named contacts (HubSpot, x10r4): Bob's address is Bob's, not a second of Ann's
    assert tf.email_addresses("Ann Lee (ann@i.example);Bob Stone (bob@i.example)") == (
        "ann@i.example",)
    assert tf.email_addresses([]) is None and tf.email_addresses("  ") is None
    with pytest.raises(Exception, match="not an e-mail address"):
        tf.email_addresses(["nope", "dana@fox.example"])  # the first is the person's


def _dump(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_bytes(orjson.dumps(records))
    return path


def _person(name: str, *emails: str) -> dict[str, object]:
    return {"name": name, "email": [{"value": e, "primary": n == 0}
                                    for n, e in enumerate(emails)]}


async def test_an_export_listing_a_persons_addresses_in_another_order_finds_the_person(
        tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    dana = ("dana@fox.example", "dana.private@fox.example")
    first = _dump(tmp_path / "v1.json", [
        {"id": "101", "title": "Deal 101", "person_id": _person("Dana Fox", *dana)},
        {"id": "104", "title": "Deal 104", "person_id": _person("Dana Fox", *dana)}])
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, first, mapping, "v1")
        assert len(sb.state.persons.rows) == 1
        swapped = _dump(tmp_path / "v2.json", [
            {"id": "101", "title": "Deal 101", "person_id": _person("Dana Fox", *dana[::-1])},
            {"id": "104", "title": "Deal 104", "person_id": _person("Dana Fox", *dana)},
            # a new deal whose rows list the addresses both ways: one new person
            {"id": "105", "title": "Deal 105", "person_id": _person("Eve Ray", "e@x.example",
                                                                    "eve@x.example")},
            {"id": "106", "title": "Deal 106", "person_id": _person("Eve Ray", "eve@x.example",
                                                                    "e@x.example")},
            # a shared address of a person of another name links nothing
            {"id": "107", "title": "Deal 107", "person_id": _person(
                "Info Desk", "desk@fox.example", "dana@fox.example")}])
        rows = await _run(sb, tmp_path, swapped, mapping, "v2")
        persons = {p["name"]: p["id"] for p in sb.state.persons.rows.values()}
        linked = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
    assert sorted(persons) == ["Dana Fox", "Eve Ray", "Info Desk"], persons
    assert linked["Deal 101"] == linked["Deal 104"] == persons["Dana Fox"]
    assert linked["Deal 105"] == linked["Deal 106"] == persons["Eve Ray"]
    assert linked["Deal 107"] == persons["Info Desk"]
    assert rows["101"]["action"] == "unchanged" and rows["101"]["person_matched_by"] == "email"


CSV_MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
"""


async def test_one_person_for_every_spelling_of_its_address_list_and_the_file_again(
        tmp_path: Path) -> None:
    """x9r4 F3: rows "new1; new2", "new2; new1" and "new2" of one person made two persons
    (the third row's address alone was nobody's), and importing the same file again re-linked
    a deal. The person is created with every address of its cell."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CSV_MAPPING)
    manifest.write_text("id,title,person,email\n"
                        "n1,One,Neo Vu,new1@q.example; new2@q.example\n"
                        "n2,Two,Neo Vu,new2@q.example; new1@q.example\n"
                        "n3,Three,Neo Vu,new2@q.example\n")
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, manifest, mapping, "v1")
        persons = list(sb.state.persons.rows.values())
        assert len(persons) == 1, persons
        assert sorted(e["value"] for e in persons[0]["emails"]) == ["new1@q.example",
                                                                    "new2@q.example"]
        assert {d["person_id"] for d in sandbox_deals(sb)} == {persons[0]["id"]}
        actions = {k: r["action"] for k, r in (await _run(sb, tmp_path, manifest, mapping,
                                                           "v2")).items()}
        assert actions == {"n1": "unchanged", "n2": "unchanged", "n3": "unchanged"}, actions
        assert len(sb.state.persons.rows) == 1


async def test_a_new_person_is_not_given_an_address_another_person_has(
        tmp_path: Path) -> None:
    """x10r1 M3: "ravi@...; priya@..." created Ravi Kumar with priya@ too, although an
    earlier import had made Priya Shah with it: two persons then held one address. A new
    person takes the addresses of its cell no person of the account or file has."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CSV_MAPPING)
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest.write_text("id,title,person,email\np1,One,Priya Shah,priya@q.example\n")
        await _run(sb, tmp_path, manifest, mapping, "v1")
        manifest.write_text("id,title,person,email\n"
                            "r1,Two,Ravi Kumar,ravi@q.example; priya@q.example\n"
                            "m1,Three,Mia Lee,mia@q.example; ravi@q.example; mia2@q.example\n")
        await _run(sb, tmp_path, manifest, mapping, "v2")
        emails = {p["name"]: sorted(e["value"] for e in p["emails"])
                  for p in sb.state.persons.rows.values()}
    assert emails == {"Priya Shah": ["priya@q.example"], "Ravi Kumar": ["ravi@q.example"],
                      "Mia Lee": ["mia2@q.example", "mia@q.example"]}, emails


NAME_ONLY_MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
[organization]
name = "company"
"""


@pytest.mark.parametrize("mode", ["upsert", "insert"])
async def test_a_name_alone_never_links_to_a_person_an_earlier_import_made(
        tmp_path: Path, mode: str) -> None:
    """x10r1 S3: a contact with no e-mail or phone ("John Smith" at Alpha GmbH) was created by
    a first import; a later import's "John Smith" at Gamma Ltd was linked to him through the
    claim the first import left (a person made by hand was not). A name alone links to no
    person made before this job; at his own company he is found (name + org), as before."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(NAME_ONLY_MAPPING)
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest.write_text("id,title,person,company\nA1,Alpha deal,John Smith,Alpha GmbH\n")
        await _run(sb, tmp_path, manifest, mapping, "a")
        manifest.write_text("id,title,person,company\nB1,Gamma deal,John Smith,Gamma Ltd\n"
                            "B2,Alpha again,John Smith,Alpha GmbH\n")
        settings = ImportSettings(str(manifest), str(mapping), mode)
        async with api_engine(sb, tmp_path) as engine:  # the plan: what the run then does
            plan, _ = await plan_import(engine.ctx, settings, Mapping.load(mapping),
                                        engine_config(sb, tmp_path).limits(),
                                        stats=engine.stats,
                                        scheduler=engine.scheduler.statistics)
        before = charged(sb)
        rows = await _run(sb, tmp_path, manifest, mapping, "b", mode=mode)
        assert dict(charged(sb) - before) == plan.calls, plan.calls
        assert plan.calls.get("addPerson") == 1 and "getPerson" not in plan.calls
        smiths = {p["id"]: p.get("org_id") for p in sb.state.persons.rows.values()
                  if p["name"] == "John Smith"}
        orgs = {o["name"]: o["id"] for o in sb.state.orgs.rows.values()}
        linked = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
    assert len(smiths) == 2, smiths
    assert smiths[linked["Gamma deal"]] == orgs["Gamma Ltd"]
    assert linked["Alpha deal"] == linked["Alpha again"] != linked["Gamma deal"]
    assert rows["B1"]["person_matched_by"] == "created"
    assert rows["B2"]["person_matched_by"] == "name+org"


async def test_the_same_file_again_keeps_a_name_only_person_its_deal_has(
        tmp_path: Path) -> None:
    """x10r3 F1: once a name alone no longer linked to persons another job made, every
    upsert of the same file made a new "John Smith" for each row without an organization
    and re-linked its deal (3 -> 4 -> 6 persons). In an upsert, the person the deal is
    linked to, of the row's name, is that row's person (``name+deal``)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(NAME_ONLY_MAPPING)
    manifest.write_text("id,title,person,company\nQ1,E1,John Smith,Gamma Ltd\n"
                        "Q2,E2,John Smith,\nQ4,E4,Mary Major,\n")
    async with serve(SandboxConfig(**FAST)) as sb:
        for n in range(3):
            rows = await _run(sb, tmp_path, manifest, mapping, f"run{n}")
            if not n:
                # John Smith at Gamma Ltd, John Smith of no organization (a name alone
                # links to neither: x17r1 S2, as one row at a time makes them), Mary
                made = sorted(sb.state.persons.rows)
                assert len(made) == 3, made
                continue
            assert {k: r["action"] for k, r in rows.items()} == {
                "Q1": "unchanged", "Q2": "unchanged", "Q4": "unchanged"}, rows
            assert rows["Q2"]["person_matched_by"] == "name+deal"
            assert sorted(sb.state.persons.rows) == made


def test_a_phone_cell_listing_several_numbers_gives_them_all() -> None:
    """x10r1: Pipedrive's own export writes a person's phones in one cell, comma-separated;
    every such row failed as "not a phone number". Each part must read as a phone."""
    assert tf.phone_numbers("+49 30 1234567, +49 171 5555555") == (
        "+49 30 1234567", "+49 171 5555555")  # each as written (x31r1 5)
    assert tf.phone_numbers("030 / 1234 567") == ("030 / 1234 567",)  # one number, spaced
    # one number twice, spelled two ways: the first spelling
    assert tf.phone_numbers("+49 30 1234567, +49301234567") == ("+49 30 1234567",)
    assert tf.phone_numbers(["+1 555 0100", "", "+1 555 0101"]) == ("+1 555 0100", "+1 555 0101")
    with pytest.raises(Exception, match="nor a list of them"):
        tf.phone_numbers("abc, +49 30 1234567")


PHONE_MAPPING = """\
[import]
key_column = "id"
[deal]
title = "title"
[person]
name = "person"
phone = "phone"
"""


async def test_a_new_person_takes_every_phone_of_its_cell(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(PHONE_MAPPING)
    manifest.write_text('id,title,person,phone\np1,One,Lea Voss,"+49 30 1234567, '
                        '+49 171 5555555"\np2,Two,Lea Voss,+49 30 1234567\n')
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, manifest, mapping, "import-1")
        persons = list(sb.state.persons.rows.values())
        linked = {d["person_id"] for d in sandbox_deals(sb)}
    assert len(persons) == 1 and linked == {persons[0]["id"]}, persons
    assert [(p["value"], p["primary"]) for p in persons[0]["phones"]] == [
        ("+49 30 1234567", True), ("+49 171 5555555", False)]


def test_the_rows_phone_or_organization_outranks_the_deals_person_of_that_name() -> None:
    """x10r4 F3: the deal's John Smith (no phone) won over the row's phone, which is
    another John Smith's, and Lena Berg at Acme over the row's organization Initech,
    where another Lena Berg is. The row's own evidence links first; the deal's person
    is taken when it is among those found, or when nothing else is."""
    from jobs.account import PersonIndex

    index = PersonIndex()
    for person in ({"id": 1, "name": "John Smith", "phones": [], "org_id": None},
                   {"id": 2, "name": "John Smith", "phones": [{"value": "+1 415 555 0199"}],
                    "org_id": None},
                   {"id": 3, "name": "Lena Berg", "phones": [], "org_id": 10},
                   {"id": 4, "name": "Lena Berg", "phones": [], "org_id": 20},
                   {"id": 5, "name": "Kay Dee", "phones": [], "org_id": 30},
                   {"id": 6, "name": "Kay Dee", "phones": [], "org_id": 30}):
        index.add(person)
    assert index.match(None, "John Smith", "+1 415 555 0199", prefer=1) == (2, "name+phone")
    assert index.match(None, "John Smith", None, prefer=1) == (1, "name+deal")
    assert index.match(None, "Lena Berg", None, 20, prefer=3) == (4, "name+org")
    assert index.match(None, "Kay Dee", None, 30, prefer=6) == (6, "name+org")
    assert index.match(None, "John Smith", None) is None


async def test_a_row_listing_another_persons_address_first_stays_with_its_own_name(
        tmp_path: Path) -> None:
    """x10r4 F4: Bob Stone has bob@; row e1 (Carl Diaz, "carl@; bob@") creates Carl; row
    e6 of the same file (Carl Diaz, "bob@; carl@") went to Bob by its first address. A
    later row of the name whose cell lists one of Carl's addresses is Carl, first or not."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CSV_MAPPING)
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest.write_text("id,title,person,email\nb1,Bob's,Bob Stone,bob@x.example\n")
        await _run(sb, tmp_path, manifest, mapping, "v1")
        manifest.write_text("id,title,person,email\n"
                            "e1,One,Carl Diaz,carl@x.example; bob@x.example\n"
                            "e6,Six,Carl Diaz,bob@x.example; carl@x.example\n"
                            "e7,Seven,Bo Stone,bob@x.example; bo@x.example\n")
        await _run(sb, tmp_path, manifest, mapping, "v2")
        persons = {p["id"]: p["name"] for p in sb.state.persons.rows.values()}
        linked = {d["title"]: persons[d["person_id"]] for d in sandbox_deals(sb)}
    assert linked == {"Bob's": "Bob Stone", "One": "Carl Diaz", "Six": "Carl Diaz",
                      "Seven": "Bob Stone"}, linked  # no one of Bo's name: the first's


def test_an_address_no_one_has_finds_only_a_person_without_one() -> None:
    """x10r4 F5: a person first imported with a phone and no e-mail, given her e-mail by a
    newer export, was created again and the deal moved to the copy. An address no person
    has finds a person with none by name and phone, or the deal's own of the name; a
    person with another address never, and name + organization is no evidence for it.
    x10r4 F9: two persons of the name at the row's organization, neither the deal's, fail
    the row (the lowest id was taken with no note)."""
    from bulk.errors import InputError
    from jobs.account import PersonIndex

    index = PersonIndex()
    for person in ({"id": 7, "name": "Ada Ng", "phones": [{"value": "+1 415 555 0100"}],
                    "org_id": 40},
                   {"id": 8, "name": "Ada Ng", "emails": [{"value": "ada@old.example"}],
                    "phones": [{"value": "+1 415 555 0101"}], "org_id": 40},
                   {"id": 5, "name": "Kay Dee", "phones": [], "org_id": 30},
                   {"id": 6, "name": "Kay Dee", "phones": [], "org_id": 30}):
        index.add(person)
    assert index.match("ada@new.example", "Ada Ng", "+1 415 555 0100") == (7, "name+phone")
    assert index.match("ada@new.example", "Ada Ng", "+1 415 555 0101") is None  # 8 has one
    assert index.match("ada@new.example", "Ada Ng", None, prefer=7) == (7, "name+deal")
    assert index.match("ada@new.example", "Ada Ng", None, prefer=8) is None
    assert index.match("ada@new.example", "Ada Ng", None, 40) is None
    assert index.match("ada@old.example", "Ada Ng", "+1 415 555 0100") == (8, "email")
    with pytest.raises(InputError, match=r"2 persons named 'Kay Dee' .*ids 5, 6"):
        index.match(None, "Kay Dee", None, 30)
    assert index.match(None, "Kay Dee", None, 30, prefer=5) == (5, "name+org")


CONTACT_MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
phone = "phone"
[organization]
name = "company"
"""


async def test_a_newer_export_giving_a_person_her_email_keeps_her(tmp_path: Path) -> None:
    """x10r4 F5 end to end: v1 has Ada with a phone only (and Bo with neither); v2 gives
    both an e-mail, on two rows each. No person is made again, every deal keeps its
    person, and a third run of v2 changes nothing; the plan's calls are the run's."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CONTACT_MAPPING)
    head = "id,title,person,email,phone,company\n"
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest.write_text(head + "a1,One,Ada Ng,,+1 415 555 0100,\n"
                            "b1,Three,Bo Li,,,\n")
        await _run(sb, tmp_path, manifest, mapping, "v1")
        made = sorted(sb.state.persons.rows)
        manifest.write_text(head + "a1,One,Ada Ng,ada@x.example,+1 415 555 0100,\n"
                            "a2,Two,Ada Ng,ada@x.example,,\n"
                            "b1,Three,Bo Li,bo@x.example,,\n")
        settings = ImportSettings(str(manifest), str(mapping), "upsert")
        async with api_engine(sb, tmp_path) as engine:
            plan, _ = await plan_import(engine.ctx, settings, Mapping.load(mapping),
                                        engine_config(sb, tmp_path).limits(),
                                        stats=engine.stats,
                                        scheduler=engine.scheduler.statistics)
        before = charged(sb)
        rows = await _run(sb, tmp_path, manifest, mapping, "v2")
        assert dict(charged(sb) - before) == plan.calls, plan.calls
        assert sorted(sb.state.persons.rows) == made
        linked = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
        again = await _run(sb, tmp_path, manifest, mapping, "v3")
    assert linked["One"] == linked["Two"] != linked["Three"]
    assert {k: r["person_matched_by"] for k, r in rows.items()} == {
        "a1": "name+phone", "a2": "name+phone", "b1": "name+deal"}, rows
    assert {k: r["action"] for k, r in again.items()} == {
        "a1": "unchanged", "a2": "unchanged", "b1": "unchanged"}, again


async def test_two_persons_of_the_name_at_the_organization_fail_the_row(
        tmp_path: Path) -> None:
    """x10r4 F9: two "Kay Dee" at Acme (each with her own phone), a row naming Kay Dee at
    Acme with neither e-mail nor phone: the row fails naming both ids; nothing is made
    for it, and the other rows import."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CONTACT_MAPPING)
    async with serve(SandboxConfig(**FAST)) as sb:
        manifest.write_text("id,title,person,email,phone,company\n"
                            "k0,Zero,Kay Dee,,+1 415 555 0001,Acme\n"
                            "k00,Zero too,Kay Dee,,+1 415 555 0002,Acme\n")
        await _run(sb, tmp_path, manifest, mapping, "v1")
        kays = sorted(p["id"] for p in sb.state.persons.rows.values()
                      if p["name"] == "Kay Dee")
        assert len(kays) == 2, kays
        manifest.write_text("id,title,person,email,phone,company\n"
                            "k1,One,Kay Dee,,,Acme\nk2,Two,Zed,,,Acme\n")
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                        job_id="v2")
        try:
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
        titles = {d["title"] for d in sandbox_deals(sb)}
        names = sorted(p["name"] for p in sb.state.persons.rows.values())
    assert names == ["Kay Dee", "Kay Dee", "Zed"], names  # Zed is k2's, new
    assert [r["key"] if "key" in r else r["id"] for r in failed] == ["k1"], failed
    reason = failed[0].get("reason") or failed[0].get("error") or ""
    assert f"ids {kays[0]}, {kays[1]}" in reason, failed
    assert titles == {"Zero", "Zero too", "Two"}


MAIL_PHONE_MAPPING = CSV_MAPPING + 'phone = "phone"\n'
HEADER = "id,title,person,email,phone\n"


@pytest.mark.parametrize(("rows", "persons"), [
    # another address of an earlier new person, under another spelling of the name
    (["k1,One,Ann Lee,ann@work.example; ann@home.example,",
      "k2,Two,Ann L.,ann@home.example,"], 1),
    # name + phone, with and without an e-mail, in both orders
    (["x1,One,Lu Ma,lu@ma.example,+1 555 444 3333", "x2,Two,Lu Ma,,+1 555 444 3333"], 1),
    # (a phone, then the phone with an e-mail: one person in both, but the file's has the
    # e-mail, one import per row's not: tests/test_person_identity.py, x27r1 1)
    # not one person: another name at the phone, another phone at the name
    (["d1,One,Di Ho,,+1 555 111 2222", "d2,Two,Bo Ho,,+1 555 111 2222",
      "d3,Three,Di Ho,,+1 555 999 0000"], 3),
    # x14r2 F6: the same last 9 digits in two countries are two phones; a number without
    # its country code matches either (the first)
    (["j1,One,John Smith,,+1 555 123 4567", "j2,Two,John Smith,,+44 555 123 4567",
      "j3,Three,John Smith,,555 123 4567", "j4,Four,John Smith,,0044 555 123 4567"], 2),
], ids=["other-address", "phone-after-email", "different", "countries"])
async def test_rows_of_one_file_find_each_others_persons_as_two_imports_would(
        tmp_path: Path, rows: list[str], persons: int) -> None:
    """x14r2 F1: rows of one file that needed a new person were matched to each other
    less strictly than to the persons of the account — "Ann Lee" with two addresses then
    "Ann L." with the second, or "Lu Ma" with e-mail and phone then "Lu Ma" with the phone,
    made two persons in one file and one person as two imports. One file and the same rows
    as one import each now give the same persons and links."""
    outcomes = await _file_and_one_by_one(tmp_path, MAIL_PHONE_MAPPING, HEADER, rows)
    assert outcomes[0] == outcomes[1], outcomes
    assert len(outcomes[0][0]) == persons, outcomes


async def _file_and_one_by_one(tmp_path: Path, mapping_text: str, header: str,
                               rows: list[str], seed: tuple[str, ...] = ()) -> list[Any]:
    """The persons made and the deals' links when ``rows`` are imported as one file, then
    (on a fresh account) one row per import: [(persons, {title: person}), (...)]; ``seed``
    rows are imported first, one per import, both times (the account's persons)."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(mapping_text)
    outcomes = []
    for split in (False, True):
        async with serve(SandboxConfig(**FAST)) as sb:
            parts = [[r] for r in seed] + ([[r] for r in rows] if split else [rows])
            for n, part in enumerate(parts):
                manifest = tmp_path / f"in-{split}-{n}.csv"
                manifest.write_text(header + "\n".join(part) + "\n")
                await _run(sb, tmp_path, manifest, mapping, f"j-{split}-{n}")
            made = {p["id"]: (p["name"], *sorted(x["value"] for x in p.get("phones") or ()),
                              *sorted(x["value"] for x in p.get("emails") or ()))
                    for p in sb.state.persons.rows.values()}
            outcomes.append((sorted(made.values()),
                             {d["title"]: made[d["person_id"]] for d in sandbox_deals(sb)}))
    return outcomes


@pytest.mark.parametrize(("rows", "persons"), [
    # name+org: a row without e-mail or phone finds the person an earlier row made there
    (["m4,M4,Uma Kay,,+33 1 99 45 67 89,Sigma", "m5,M5,Uma Kay,,,Sigma"], 1),
    # but not one whose phone differs (two persons of one name at one company), and
    # then a row naming neither fails (which one?), in a file as one by one
    (["k0,K0,Kay Dee,,+1 415 555 0001,Acme", "k00,K00,Kay Dee,,+1 415 555 0002,Acme",
      "k1,K1,Kay Dee,,,Acme"], 2),
    # a cell whose first address is another name's and whose second is this name's
    (["m1,M1,Zed Roe,zed.roe@y2.example,,Omega", "m2,M2,Zedd Roe,zed@x2.example,,Omega",
      'm3,M3,Zed Roe,"zed@x2.example; zed.roe@y2.example",,Omega'], 2),
    # x14r5: a national number two persons' (+1, +44) numbers end in: which one? The row
    # fails, made in the file or in the account
    (["t1,T1,Ted Vo,,+1 207 946 0958,", "t2,T2,Ted Vo,,+44 207 946 0958,",
      "t3,T3,Ted Vo,,207 946 0958,"], 2),
], ids=["name+org", "name+org-other-phone", "first-address-another-name", "two-countries"])
async def test_a_files_rows_match_by_org_and_other_addresses_as_imports_one_by_one(
        tmp_path: Path, rows: list[str], persons: int) -> None:
    """x14r4 F1: as one file, "Uma Kay" with a phone then "Uma Kay" with nothing at the same
    new organization made two persons (one by one: name+org, one); "Zed Roe" listing Zedd
    Roe's address first and his own second went to Zedd Roe (one by one: to Zed Roe)."""
    outcomes = await _file_and_one_by_one(
        tmp_path, MAIL_PHONE_MAPPING + '[organization]\nname = "org"\n',
        "id,title,person,email,phone,org\n", rows)
    assert outcomes[0] == outcomes[1], outcomes
    assert len(outcomes[0][0]) == persons, outcomes


async def test_an_organization_cell_naming_several_fails_its_row(tmp_path: Path) -> None:
    """x14r2 F5: HubSpot's "Associated Company" cell "Acme Corp;Globex Corp" became one
    organization of that name, linked to the deal, with no word. A deal has one
    organization: the row fails naming them; nothing is sent for it."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CSV_MAPPING.replace('[person]\nname = "person"\nemail = "email"\n',
                                           '[organization]\nname = "company"\n'))
    manifest.write_text("id,title,company\nm1,Multi,Acme Corp;Globex Corp\n"
                        "m2,One,Acme Corp\nm3,Trailing,Initech;\n")
    async with serve(SandboxConfig(**FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["key"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
        store.close()
        orgs = sorted(o["name"] for o in sb.state.orgs.rows.values())
    assert set(failed) == {"m1"}, failed
    assert "names 2 organizations ('Acme Corp', 'Globex Corp')" in failed["m1"]
    assert "Acme Corp;Globex Corp" not in orgs and "Acme Corp" in orgs


def test_two_phones_that_share_their_last_9_digits_in_two_countries_are_two() -> None:
    """x14r2 F6: "John Smith" at +1 555 123 4567 in the account, a row "John Smith" at
    +44 555 123 4567 linked to him by name+phone (the last 9 digits agree). Two numbers
    written with their country codes that differ are two phones; a number written without
    one still matches by its last 9 digits."""
    from jobs.account import PersonIndex

    index = PersonIndex()
    index.add({"id": 1, "name": "John Smith", "phones": [{"value": "+1 555 123 4567"}]})
    assert index.match(None, "John Smith", "+44 555 123 4567") is None
    assert index.match(None, "John Smith", "0044 555 123 4567") is None
    assert index.match(None, "John Smith", "+1 (555) 123-4567") == (1, "name+phone")
    assert index.match(None, "John Smith", "555 123 4567") == (1, "name+phone")
    national = PersonIndex()
    national.add({"id": 2, "name": "Jo Lin", "phones": [{"value": "555 123 4567"}]})
    assert national.match(None, "Jo Lin", "+44 555 123 4567") == (2, "name+phone")
    # name+org never takes a person whose phones all differ from the row's (x14r4 F1)
    at = PersonIndex()
    at.add({"id": 3, "name": "Kay Dee", "phones": [{"value": "+1 415 555 0001"}],
            "org_id": 9})
    at.add({"id": 4, "name": "Uma Kay", "phones": [], "org_id": 9})
    assert at.match(None, "Kay Dee", "+1 415 555 0002", 9) is None
    assert at.match(None, "Kay Dee", None, 9) == (3, "name+org")
    assert at.match(None, "Uma Kay", "+1 415 555 0003", 9) == (4, "name+org")
    # a national number both a +1 and a +44 person of the name have: which? (x14r5)
    two = PersonIndex()
    two.add({"id": 5, "name": "Lia Wu", "phones": [{"value": "+1 207 946 0958"}]})
    two.add({"id": 6, "name": "Lia Wu", "phones": [{"value": "+44 20 7946 0958"}],
             "org_id": 7})
    with pytest.raises(InputError, match=r"2 persons named 'Lia Wu' have the row's phone"):
        two.match(None, "Lia Wu", "020 7946 0958")
    assert two.match(None, "Lia Wu", "020 7946 0958", 7) == (6, "name+phone")
    assert two.match(None, "Lia Wu", "+44 20 7946 0958") == (6, "name+phone")


@pytest.mark.parametrize("rows", [
    # the account's Jim Beam at Acme, then a file making a second one there (another
    # phone), then a row naming neither: one import per row fails it; so must the file
    ["m1,D1,Jim Beam,,+1 555 999 0000,Acme Corp", "m2,D2,Jim Beam,,,Acme Corp"],
    # the account's Lia Wu at +1, a file making Lia Wu at +44, then the national number
    ["l1,L1,Lia Wu,,+44 555 777 8888,", "l2,L2,Lia Wu,,555 777 8888,"],
], ids=["name+org", "name+phone"])
async def test_a_row_fitting_an_account_person_and_one_the_file_makes_fails(
        tmp_path: Path, rows: list[str]) -> None:
    """x14r5: a row that fits, by name and organization (or phone), both a person of the
    account and one an earlier row of the file makes was linked to the account's, with no
    note, where one import per row (both then in the account) failed it, asking which."""
    seed = ("s0,S0,Jim Beam,,+1 555 777 8888,Acme Corp", "s1,S1,Lia Wu,,+1 555 777 8888,")
    outcomes = await _file_and_one_by_one(
        tmp_path, MAIL_PHONE_MAPPING + '[organization]\nname = "org"\n',
        "id,title,person,email,phone,org\n", rows, seed)
    assert outcomes[0] == outcomes[1], outcomes
    linked = outcomes[0][1]
    assert rows[1].split(",")[1] not in linked, linked  # the second row failed


async def test_an_upper_case_address_with_accented_letters_finds_the_accounts_person(
        tmp_path: Path) -> None:
    """x19r3 F1: the account's Olga García has ``olga.garcía.10@example.com``; a row with
    ``OLGA.GARCÍA.10@EXAMPLE.COM`` made a second person with ``olga.garcÍa.10@…`` (ASCII
    letters lowered only). Now it is linked by e-mail, and no person is created; so is
    a row of the same file that writes it in upper case."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    mapping.write_text(CSV_MAPPING)
    manifest.write_text("id,title,person,email\n"
                        "g1,One,Olga García,olga.garcía.10@example.com\n"
                        "g2,Two,Жанна Ωmega,жанна.ωmega@example.com\n")
    upper = tmp_path / "upper.csv"
    upper.write_text("id,title,person,email\n"
                     "g1,One,Olga García,OLGA.GARCÍA.10@EXAMPLE.COM\n"
                     "g3,Three,Olga García,Olga.García.10@Example.com\n"
                     "g4,Four,Жанна Ωmega,ЖАННА.ΩMEGA@EXAMPLE.COM\n"
                     "g5,Five,Søren Ærø,SØREN@EXAMPLE.COM\n"
                     "g6,Six,Søren Ærø,søren@example.com\n")
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, manifest, mapping, "v1")
        assert len(sb.state.persons.rows) == 2
        rows = await _run(sb, tmp_path, upper, mapping, "v2")
        persons = {p["name"]: (p["id"], [e["value"] for e in p["emails"]])
                   for p in sb.state.persons.rows.values()}
        linked = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
    assert persons == {"Olga García": (persons["Olga García"][0],
                                       ["olga.garcía.10@example.com"]),
                       "Жанна Ωmega": (persons["Жанна Ωmega"][0],
                                       ["жанна.ωmega@example.com"]),
                       # made by its first row, with the address that row writes (f32e)
                       "Søren Ærø": (persons["Søren Ærø"][0], ["SØREN@example.com"])}
    assert linked["One"] == linked["Three"] == persons["Olga García"][0]
    assert linked["Four"] == persons["Жанна Ωmega"][0]
    assert linked["Five"] == linked["Six"] == persons["Søren Ærø"][0]
    assert rows["g1"]["person_matched_by"] == rows["g4"]["person_matched_by"] == "email"


async def test_a_row_fitting_one_account_person_and_one_of_a_later_row_says_so(
        tmp_path: Path) -> None:
    """x28r2 F8: the account's Mart Tamm (with a phone) at Talvik Marine, then a file whose
    row names him alone there and whose later row gives an e-mail: the reason said
    "several persons ... (ids 23), some made by earlier rows of this file" of one person
    of the account and a later row's."""
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAIL_PHONE_MAPPING + '[organization]\nname = "org"\n')
    seed, manifest = tmp_path / "seed.csv", tmp_path / "in.csv"
    seed.write_text("id,title,person,email,phone,org\n"
                    "s0,S0,Mart Tamm,,+372 555 1234,Talvik Marine OÜ\n")
    manifest.write_text("id,title,person,email,phone,org\n"
                        "t1,T1,Mart Tamm,,,Talvik Marine OÜ\n"
                        "t2,T2,Mart Tamm,mart@talvik.example,,Talvik Marine OÜ\n")
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, seed, mapping, "seed")
        (mart,) = [p["id"] for p in sb.state.persons.rows.values() if p["name"] == "Mart Tamm"]
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id="f")
        failed = {r["key"]: r["reason"] for r in read_csv(store.directory / "failed.csv")}
        store.close()
    assert set(failed) == {"t1"}, failed
    assert failed["t1"].startswith(
        f"1 person of the account named 'Mart Tamm' is at the organization of the row (id "
        f"{mart}), beside the one other rows of this file give an e-mail or phone there"), failed
