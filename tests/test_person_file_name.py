"""A person first seen in the file as a bare address (x44r9 F6): ``jane@roe.com`` with no
name, then ``Jane Roe <jane@roe.com>`` (or a name column ``Jane Roe``) in later rows, was
created named ``jane@roe.com`` (93 of a 1,365-row file's persons). The name is now the one
the whole file gives the address (learned before any row is decided): its most frequent,
ties to the fullest spelling, then the least (x46r4 F2); a person of the account that has
the address is linked, never renamed; a resume makes the person the load decided."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import anyio
import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.import_support import (
    import_once,
    import_stopped_before_sending,
    persons_named,
    read_csv,
    resume_job,
    sandbox_deals,
)
from tests.sandbox_helpers import threaded_sandbox

SHARED = """\
[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "contact"
email = "contact"
"""
COLUMNS = """\
[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "name"
email = "mail"
"""
# bare first, then two names, the most frequent second (x44r9 F6); a tie to the least;
# named first, then bare (one person, no second)
SHARED_ROWS = ("key,title,contact\n"
               "K1,one,jane@roe.com\n"
               "K2,two,J. Roe <jane@roe.com>\n"
               "K3,three,Jane Roe <jane@roe.com>\n"
               "K4,four,Jane Roe <jane@roe.com>\n"
               "K5,five,bo@x.com\n"
               "K6,six,Bo One <bo@x.com>\n"
               "K7,seven,Bo Two <bo@x.com>\n"
               "K8,eight,Cy Ode <cy@x.com>\n"
               "K9,nine,cy@x.com\n"
               "K10,ten,solo@x.com\n")
COLUMN_ROWS = ("key,title,name,mail\n"
               "K1,one,,jane@roe.com\n"
               "K2,two,J. Roe,jane@roe.com\n"
               "K3,three,Jane Roe,jane@roe.com\n"
               "K4,four,Jane Roe,jane@roe.com\n"
               "K5,five,,bo@x.com\n"
               "K6,six,Bo One,bo@x.com\n"
               "K7,seven,Bo Two,bo@x.com\n"
               "K8,eight,Cy Ode,cy@x.com\n"
               "K9,nine,,cy@x.com\n"
               "K10,ten,,solo@x.com\n")
EXPECTED = {"jane@roe.com": "Jane Roe", "bo@x.com": "Bo One", "cy@x.com": "Cy Ode",
            "solo@x.com": "solo@x.com"}


def _add_person(sb: Sandbox, name: str, email: str) -> int:
    body = {"name": name, "emails": [{"value": email, "primary": True, "label": "work"}]}
    request = urllib.request.Request(
        f"{sb.url}/api/v2/persons", data=json.dumps(body).encode(),
        headers={"x-api-token": sb.token, "content-type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(json.load(answer)["data"]["id"])


def _by_address(sb: Sandbox) -> dict[str, list[tuple[int, str]]]:
    """Every e-mail address -> the (id, name) of each person holding it."""
    found: dict[str, list[tuple[int, str]]] = {}
    for pid, (name, mails) in persons_named(sb).items():
        for mail in mails:
            found.setdefault(mail, []).append((pid, name))
    return found


@pytest.mark.parametrize(("mapping", "rows"), [(SHARED, SHARED_ROWS), (COLUMNS, COLUMN_ROWS)],
                         ids=["one-cell", "two-columns"])
def test_a_bare_address_takes_the_name_the_file_gives_it(
        tmp_path: Path, mapping: str, rows: str) -> None:
    manifest, path = tmp_path / "rows.csv", tmp_path / "m.toml"
    manifest.write_text(rows, encoding="utf-8")
    path.write_text(mapping, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0)) as sb:
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest, path))
        try:
            succeeded = read_csv(store.directory / "succeeded.csv")
            failed = read_csv(store.directory / "failed.csv")
        finally:
            store.close()
        held = _by_address(sb)
        deals = sandbox_deals(sb)
    assert not failed, failed
    assert len(succeeded) == 10, succeeded
    # one person an address (named first, bare later: linked, no second one)
    assert {mail: [name for _, name in of] for mail, of in held.items()} == \
        {mail: [name] for mail, name in EXPECTED.items()}, held
    persons = {d["title"]: d["person_id"] for d in deals}
    assert len({persons[t] for t in ("one", "two", "three", "four")}) == 1, persons
    assert persons["eight"] == persons["nine"], persons


def test_the_accounts_person_of_the_address_is_linked_not_renamed(tmp_path: Path) -> None:
    manifest, path = tmp_path / "rows.csv", tmp_path / "m.toml"
    manifest.write_text("key,title,contact\nK1,one,jane@roe.com\n"
                        "K2,two,Jane Roe <jane@roe.com>\n", encoding="utf-8")
    path.write_text(SHARED, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0)) as sb:
        jane = _add_person(sb, "J. R. (account)", "jane@roe.com")
        store, _, _ = anyio.run(lambda: import_once(sb, tmp_path / "jobs", manifest, path))
        store.close()
        held = _by_address(sb)
        deals = sandbox_deals(sb)
    assert held["jane@roe.com"] == [(jane, "J. R. (account)")], held
    assert {d["person_id"] for d in deals} == {jane}, deals


def test_a_resume_makes_the_person_the_load_named(tmp_path: Path) -> None:
    """Loaded, stopped before the first send (a kill there), resumed: the file's name."""
    manifest, path = tmp_path / "rows.csv", tmp_path / "m.toml"
    manifest.write_text(SHARED_ROWS, encoding="utf-8")
    path.write_text(SHARED, encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02, deals=0)) as sb:
        async def run() -> None:
            store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", manifest,
                                                           path, mode="insert")
            directory = store.directory
            store.close()
            assert not persons_named(sb)  # (nothing sent yet)
            again, _ = await resume_job(sb, directory)
            again.close()
        anyio.run(run)
        held = _by_address(sb)
    assert {mail: [name for _, name in of] for mail, of in held.items()} == \
        {mail: [name] for mail, name in EXPECTED.items()}, held


def test_file_names_most_frequent_then_first_seen() -> None:
    """The most frequent name the named rows give a bare cell's addresses, a tie to the
    fullest spelling, then the least, in any row order; a bare cell no named row gives is not named, unless it
    shares an address with another bare cell (then its group's least address); a bare cell
    whose addresses no one name is given is split."""
    from jobs import transforms as tf
    from jobs.file_names import FileNames
    names = FileNames()
    rows = [(0, "a@x.com", "Al Bo"), (0, "a@x.com", "Ali Ray"), (0, "a@x.com", "ALI RAY"),
            (1, "b@x.com", "Bo One"), (3, "d@x.com", "Di Two"), (3, "d@x.com", "Di One"),
            (4, "e@x.com", "Ed Po"), (5, "f@x.com", "Fa Lu"), (5, "f@x.com", "Fa Lu")]
    for number, _, name in rows:
        names.see(number, name, tf.name_match_key(name))
    numbers = {address: number for number, address, _ in rows}
    bare = [("A@X.com",), ("b@x.com",), ("c@x.com",), ("d@x.com",), ("e@x.com", "f@x.com"),
            ("h@x.com", "g@x.com"), ("g@x.com",), ("e@x.com",)]
    names.name_cells(lambda: iter(bare), lambda address: numbers.get(address.lower()))
    names.done()
    assert names.name_for(["a@x.com"]) == "Ali Ray"
    assert names.name_for(["b@x.com"]) == "Bo One"
    assert names.name_for(["c@x.com"]) is None  # (only bare rows give it)
    assert names.name_for(["d@x.com"]) == "Di One"  # (a tie: the least, x46r4 F2)
    # a bare cell of two persons' addresses (no name given both: x45r10 F1) is split, its
    # row to fail, and groups no other cell: the bare e@x.com alone is Ed Po's
    assert names.name_for(["e@x.com", "f@x.com"]) is None
    assert names.split_for(["e@x.com", "f@x.com"]) == (
        "the row gives no name, and other rows of this file give its addresses to persons "
        "of different names (e@x.com is 'Ed Po'; f@x.com is 'Fa Lu'): which person is it? "
        "Give the row its person's name and that person's addresses alone")
    assert names.name_for(["e@x.com"]) == "Ed Po"
    assert names.name_for(["h@x.com", "g@x.com"]) == names.name_for(["g@x.com"]) == "g@x.com"
