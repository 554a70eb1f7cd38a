"""How a person's e-mail cell is read (x20r1): a list is split into its entries first
(quotes, angle and round brackets respected), the first entry listed is the person's;
a bracket comment is no name; empty entries are skipped; a domain's root dot is
dropped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from jobs import transforms as tf
from jobs.import_load import plan_import
from jobs.import_rows import ImportSettings
from jobs.mapping import Mapping
from tests.import_support import (
    api_engine,
    engine_config,
    import_once,
    read_csv,
    sandbox_deals,
)

FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "Key"
mode = "insert"
[deal]
title = { template = "{Title}" }
[person]
name = "Name"
email = "Email"
phone = "Phone"
"""
NO_NAME = MAPPING.replace('name = "Name"\n', "")


async def _import(sb: Sandbox, tmp_path: Path, csv: str, job_id: str, mapping: str = MAPPING,
                  ) -> dict[str, dict[str, str]]:
    """Import ``csv`` (as job ``job_id``): succeeded.csv's rows by key."""
    manifest, mapping_file = tmp_path / f"{job_id}.csv", tmp_path / f"{job_id}.toml"
    manifest.write_text(csv)
    mapping_file.write_text(mapping)
    store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping_file,
                                    job_id=job_id)
    try:
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


def _persons(sb: Sandbox) -> dict[str, tuple[int, list[str]]]:
    return {p["name"]: (p["id"], [e["value"] for e in p["emails"]])
            for p in sb.state.persons.rows.values()}


@pytest.mark.parametrize(("cell", "expected"), [
    ("trail@x.com.", "trail@x.com"),
    ("Maria@M\u00fcnchen.DE.", "Maria@m\u00fcnchen.de"),
    ("Trail Q <trail@x.com.>", "trail@x.com"),
    ("trail@x.com.; other@x.com", "trail@x.com"),
])
def test_a_domain_written_as_an_fqdn_loses_its_root_dot(cell: str, expected: str) -> None:
    """x20r1 L4: ``trail@x.com.`` failed its row; it is the address ``trail@x.com``, the
    account's spelling of it (account e-mails are read by the same function)."""
    assert tf.normalize_email(cell) == expected
    assert tf.normalize_email(cell) == tf.normalize_email(expected)


@pytest.mark.parametrize(("cell", "name"), [
    ("ann.q@x.com (work)", None),
    ("Dana Q <dana.q@x.com> (private)", "Dana Q"),
    ("(private) \"Dana Q\" <dana.q@x.com>", "Dana Q"),
    ("Anna M\u00fcller (anna@firma.example)", "Anna M\u00fcller"),  # HubSpot: the address
    ("ann.q@x.com (work email)", None),  # a label, two words
    ("ann.q@x.com (Ann)", None),  # one word: a label as often as a name
    ("ann.q@x.com (Ann Q)", "Ann Q"),  # RFC 822's old form of the name (x13r5 F1)
])
def test_a_bracket_comment_is_no_display_name(cell: str, name: str | None) -> None:
    """x20r1 L2: ``ann.q@x.com (work)`` made a person named ``work``, ``Dana Q
    <dana.q@x.com> (private)`` one named ``Dana Q (private)``: a comment is not a name —
    but the old form's ``address (First Last)`` still names its person (review: the L2
    fix had dropped it, and test_row_planner's x13r5 F1 case failed)."""
    assert tf.display_name(cell) == name
    assert tf.normalize_email(cell) in {"ann.q@x.com", "dana.q@x.com", "anna@firma.example"}


@pytest.mark.parametrize(("cell", "first", "addresses"), [
    ("; semi@x.com", "semi@x.com", ("semi@x.com",)),
    (",, semi@x.com;;other@x.com", "semi@x.com", ("semi@x.com", "other@x.com")),
    ("; Semi Q <semi@x.com>", "semi@x.com", ("semi@x.com",)),
    (" ; , ", None, None),
])
def test_empty_list_entries_are_skipped(cell: str, first: str | None,
                                        addresses: tuple[str, ...] | None) -> None:
    """x20r1 L3: ``; semi@x.com`` (a leading separator) failed its row as "An email address
    must have an @-sign": an empty entry is no address; a cell of separators is none."""
    assert tf.normalize_email(cell) == first
    assert tf.email_addresses(cell) == addresses
    assert tf.display_name(cell) == ("Semi Q" if "Semi Q" in cell else None)


@pytest.mark.parametrize(("cell", "first", "name", "addresses"), [
    ("ann@x.com, Bob Roe <bob@x.com>", "ann@x.com", None, ("ann@x.com",)),
    ('cat@x.com; "Dan Moe" <dan@x.com>', "cat@x.com", None, ("cat@x.com",)),
    ("bob.q@x.com, Carl Q <carl.q@x.com>", "bob.q@x.com", None, ("bob.q@x.com",)),
    ("ann@x.com\nBob Roe <bob@x.com>", "ann@x.com", None, ("ann@x.com",)),
    ("ann@x.com Bob Roe <bob@x.com>", "ann@x.com", None, ("ann@x.com",)),
    ('"Roe, Bob" <bob@x.com>, ann@x.com', "bob@x.com", "Roe, Bob", ("bob@x.com",)),
    ("\u201cRoe, Bob\u201d <bob@x.com>; ann@x.com", "bob@x.com", "Roe, Bob", ("bob@x.com",)),
    ("Doe, John <jd@x.org>, Smith, Ann <as@x.org>", "jd@x.org", "Doe, John", ("jd@x.org",)),
    ("Bob Roe (bob@x.com), ann@x.com", "bob@x.com", "Bob Roe", ("bob@x.com",)),
    ("(work) ann.q@x.com", "ann.q@x.com", None, ("ann.q@x.com",)),
    ("a@x.com (work), b@x.com (home)\nc@x.com", "a@x.com", None,
     ("a@x.com", "b@x.com", "c@x.com")),
    ("<a@x.com> <b@x.com>", "a@x.com", None, ("a@x.com", "b@x.com")),
])
def test_the_first_entry_listed_is_the_first_address(
        cell: str, first: str, name: str | None, addresses: tuple[str, ...]) -> None:
    """x20r1 S1: with more than one ``@`` and a ``<`` the first ``<...>`` of the cell was
    taken, so ``ann@x.com, Bob Roe <bob@x.com>`` was Bob's address: the list is split first
    (a display name in quotes, or before a ``<...>``, may hold a comma), then its first
    entry unwrapped; the other addresses keep their order (a named contact's are its own)."""
    assert tf.normalize_email(cell) == first
    assert tf.display_name(cell) == name
    assert tf.email_addresses(cell) == addresses


@pytest.mark.anyio
async def test_a_mixed_address_list_links_the_first_listed(tmp_path: Path) -> None:
    """x20r1 S1 over HTTP: Ann's deal was linked to Bob, Cat created with only dan@x.com
    and Dan linked to Cat; without a Name column a person named ``carl.q@x.com`` was
    created with Carl's address."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _import(sb, tmp_path, "Key,Title,Name,Email,Phone\nB0,Seed,Bob Roe,bob@x.com,\n",
                      "seed")
        bob = _persons(sb)["Bob Roe"][0]
        rows = await _import(sb, tmp_path, (
            "Key,Title,Name,Email,Phone\n"
            'C1,One,Ann Lee,"ann@x.com, Bob Roe <bob@x.com>",\n'
            'C2,Two,Cat Poe,"cat@x.com; ""Dan Moe"" <dan@x.com>",\n'
            "C3,Three,Dan Moe,dan@x.com,\n"
            'C4,Four,Eve Fox,"eve@x.com\nBob Roe <bob@x.com>",\n'), "mixed")
        persons = _persons(sb)
        linked = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
        assert persons["Ann Lee"][1] == ["ann@x.com"] and persons["Bob Roe"] == (
            bob, ["bob@x.com"])
        assert persons["Cat Poe"][1] == ["cat@x.com"] and persons["Dan Moe"][1] == [
            "dan@x.com"]
        assert persons["Eve Fox"][1] == ["eve@x.com"]
        for title, name in (("One", "Ann Lee"), ("Two", "Cat Poe"), ("Three", "Dan Moe"),
                            ("Four", "Eve Fox")):
            assert linked[title] == persons[name][0], (title, linked, persons)
        assert {r["person_matched_by"] for r in rows.values()} == {"created"}
        await _import(sb, tmp_path, "Key,Title,Email,Phone\n"
                      'N1,Five,"bob.q@x.com, Carl Q <carl.q@x.com>",\n', "noname", NO_NAME)
        persons = _persons(sb)
        assert persons["bob.q@x.com"][1] == ["bob.q@x.com"] and "Carl Q" not in persons
        assert "carl.q@x.com" not in persons


@given(st.lists(st.from_regex(r"[a-z]{1,6}(\.[a-z]{1,4})?@[a-z]{1,6}\.(com|de|io)",
                              fullmatch=True), min_size=1, max_size=5),
       st.lists(st.sampled_from([", ", ";", "; ", "\n", " ", " ,; "]), min_size=5,
                max_size=5))
def test_a_list_of_plain_addresses_keeps_its_order(addresses: list[str],
                                                   separators: list[str]) -> None:
    """Plain addresses joined by any separators: every one, in the order listed."""
    cell = addresses[0] + "".join(s + a for s, a in zip(separators, addresses[1:],
                                                         strict=False))
    assert tf.email_addresses(cell) == tuple(dict.fromkeys(addresses))


@pytest.mark.anyio
async def test_a_row_linked_by_email_to_a_person_of_another_name_says_so(
        tmp_path: Path) -> None:
    """x20r1 S4: ``Bob Roe`` with ``bob.r@x.com`` is linked, by the documented rule, to the
    new ``Ann Lee`` whose cell listed that address second, and succeeded.csv said
    ``created``: the row's note names the person linked, and the plan counts such rows
    (a person of the account of another name, found by e-mail, too)."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _import(sb, tmp_path, "Key,Title,Name,Email,Phone\nS0,Seed,Cy Ode,cy@x.com,\n",
                      "seed")
        cy = _persons(sb)["Cy Ode"][0]
        csv = ("Key,Title,Name,Email,Phone\n"
               "A1,One,Ann Lee,ann.l@x.com;bob.r@x.com,\n"
               "B1,Two,Bob Roe,bob.r@x.com,\n"
               "A2,Three,ANN  LEE,bob.r@x.com,\n"   # her own name, another spelling
               "C1,Four,Cyril Ray,cy@x.com,\n"     # the account's Cy Ode by e-mail
               "C2,Five,,cy@x.com,\n"              # no name: nothing to differ
               "C3,Six,Cyril Ode,cy@x.com,\n")     # a word of the name shared: no note
        manifest, mapping = tmp_path / "s4.csv", tmp_path / "s4.toml"
        manifest.write_text(csv)
        mapping.write_text(MAPPING)
        async with api_engine(sb, tmp_path) as engine:
            plan, counts = await plan_import(
                engine.ctx, ImportSettings(str(manifest), str(mapping), "insert"),
                Mapping.load(mapping), engine_config(sb, tmp_path).limits(),
                stats=engine.stats, scheduler=engine.scheduler.statistics)
        assert counts.persons_other_name == 2
        assert any("2 rows linked by e-mail to a person of another name" in n
                   for n in plan.notes), plan.notes
        rows = await _import(sb, tmp_path, csv, "s4")
        ann = _persons(sb)["Ann Lee"][0]
    assert rows["B1"]["person_id"] == str(ann)
    assert rows["B1"]["person_matched_by"] == "created"
    # (and, one person with ANN  LEE's row of bob.r@x.com alone: x46r4 F2, it takes her
    # first address, which the note says too)
    assert rows["B1"]["note"].startswith(f"linked by e-mail to person 'Ann Lee' (id {ann})")
    # as Pipedrive holds the name (x35r1 5: before, 'cy ode')
    assert rows["C1"]["note"] == f"linked by e-mail to person 'Cy Ode' (id {cy})"
    assert rows["A1"]["note"] == rows["C2"]["note"] == ""
    # her own row without her first address takes it from A1 (f29h 5: said, not silent)
    assert rows["A2"]["note"].startswith("the person takes ann.l@x.com from other rows")
    assert rows["C3"]["note"] == ""


@pytest.mark.anyio
async def test_a_shared_first_name_is_no_excuse_in_the_file_or_the_account(
        tmp_path: Path) -> None:
    """x23r1 F2: ``Kim Two`` linked by ``kim1@one.com`` to the file's earlier ``Kim One``
    had an empty note and was not counted (a shared word, "kim", was taken for one name).
    One rule for a person of the account and an earlier row's: another name is noted;
    ``Ra, Lou`` for ``Dr. Lou Ra`` is one name written two ways, not noted."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _import(sb, tmp_path, "Key,Title,Name,Email,Phone\n"
                      "S1,Seed1,Kim One,kim1@one.com,\nS2,Seed2,Dr. Lou Ra,lou@ra.com,\n",
                      "seed")
        csv = ("Key,Title,Name,Email,Phone\n"
               "R2,r2,Kim Uno,kim9@one.com,\n"
               "R3,r3,Kim Dos,kim9@one.com,\n"     # an earlier row's, another name
               "R4,r4,Dr. Lu Ro,lu@ro.com,\n"
               'R5,r5,"Ro, Lu",lu@ro.com,\n'        # an earlier row's, one name
               "A2,a2,Kim Two,kim1@one.com,\n"     # the account's, another name
               'A3,a3,"Ra, Lou",lou@ra.com,\n')    # the account's, one name
        manifest, mapping = tmp_path / "f2.csv", tmp_path / "f2.toml"
        manifest.write_text(csv)
        mapping.write_text(MAPPING)
        async with api_engine(sb, tmp_path) as engine:
            _, counts = await plan_import(
                engine.ctx, ImportSettings(str(manifest), str(mapping), "insert"),
                Mapping.load(mapping), engine_config(sb, tmp_path).limits(),
                stats=engine.stats, scheduler=engine.scheduler.statistics)
        rows = await _import(sb, tmp_path, csv, "f2")
        persons = _persons(sb)
    assert counts.persons_other_name == 2
    # (kim9@one.com's rows are one person named by the file, a tie to the least: x46r4 F2;
    # the row of the other name says so, whichever comes first)
    assert rows["R2"]["note"] == \
        f"linked by e-mail to person 'Kim Dos' (id {persons['Kim Dos'][0]})"
    assert rows["A2"]["note"] == \
        f"linked by e-mail to person 'Kim One' (id {persons['Kim One'][0]})"  # before: 'kim one'
    assert rows["R5"]["note"] == rows["A3"]["note"] == rows["R3"]["note"] == ""
    assert rows["R5"]["person_id"] == rows["R4"]["person_id"]


@pytest.mark.parametrize(("cell", "splits"), [
    ("ann@x.com", 0), ("  ANN@X.COM ", 0), ("not-an-address", 0), ("ann@x.com; bob@x.com", 1),
    ('"Roe, Ann" <ann@x.com>, bob@x.com', 1), ("not an address", 1), ("  ann@x.com\t", 1),
    ("gr\u00e4ce@x.com", 1)])
def test_a_cell_is_cleaned_and_split_once(cell: str, splits: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """email_addresses cleans and splits a text cell once for its first address and its
    others (issue 8: twice was a quarter of the e-mail step's time), and a cell of one
    bare printable-ASCII address not at all; with the same answer."""
    from jobs.transforms import contacts

    expected: object
    try:
        expected = tf.email_addresses(cell)
    except InputError as exc:
        expected = exc.reason
    calls = {"entries": 0, "clean_text": 0}

    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            calls[name] += 1
            return real(*args)
        return wrapper

    monkeypatch.setattr(contacts, "entries", counted("entries", contacts.entries))
    monkeypatch.setattr(contacts, "clean_text", counted("clean_text", contacts.clean_text))
    try:
        got: object = tf.email_addresses(cell)
    except InputError as exc:
        got = exc.reason
    assert got == expected
    assert calls == {"entries": splits, "clean_text": splits}


_ADDRESS_CHARS = st.sampled_from("aAzZ09.@_-+'%!#$&*/=?^`{|}~[]:\\")


@given(st.text(_ADDRESS_CHARS, min_size=1, max_size=30), st.sampled_from(["", " ", "  "]))
def test_a_bare_address_reads_as_the_list_path_reads_it(address: str, pad: str) -> None:
    """A cell of one bare address (its fast path) gives what the same cell as a JSON
    array's one item gives, read by the general path: the same addresses or the same
    refusal."""
    def read(value: object) -> object:
        try:
            return tf.email_addresses(value)
        except InputError as exc:
            return exc.reason

    cell = pad + address + pad
    assert read(cell) == read([cell])
