"""x19r4 F1: every case spelling of an e-mail address is one match key (``email_key``):
the Greek sigmas (U+03A3, U+03C3, U+03C2) at a word's end and inside it, and the other
letters Unicode folds one to one; never ``ß`` and ``ss``. The address a person is
given stays as pdbulk writes it. Account spelling x file spelling, on import (insert and
upsert, twice in a row), on a resume of a job stored with the old keys, for the
account's users, and in dedupe."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bulk.claims_open import LocalClaims
from bulk.clock import FakeClock
from bulk.errors import InputError
from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import AsyncJobStore, JobStore
from jobs import transforms as tf
from jobs.account import PersonIndex
from jobs.catalog import Catalog, User
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.matching import find_duplicates
from jobs.import_resolve import Resolver, person_email_key, person_keys
from tests.import_support import api_context, import_once, read_csv, sandbox_deals
from tests.test_dedupe_matching import deal

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7, "deals": 0}
MAPPING = """\
[import]
key_column = "id"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
"""
GR = "@example.gr"
# the spellings of one address someone may type: the word's last sigma final or middle,
# the whole in capitals (written as typed: f32e), and a sigma inside a word
SOFIAS_MIDDLE, SOFIAS_FINAL = "σοφιασ.b" + GR, "σοφιας.b" + GR
SOFIAS_UPPER, SOFIAS_TITLE = "ΣΟΦΙΑΣ.B" + GR, "Σοφιασ.B" + GR
KOSTAS_ODD, KOSTAS_UPPER = "κωνςταντινοσ" + GR, "ΚΩΝΣΤΑΝΤΙΝΟΣ" + GR


@pytest.mark.parametrize(("one", "other"), [
    (SOFIAS_MIDDLE, SOFIAS_FINAL), (SOFIAS_MIDDLE, SOFIAS_UPPER),
    (SOFIAS_FINAL, SOFIAS_TITLE), (KOSTAS_ODD, KOSTAS_UPPER),
    ("\u017ftefan@example.de", "STEFAN@example.de"),  # the long s is an s in capitals
    ("\u00b5ller@example.de", "\u039cLLER@example.de"),  # the micro sign: Greek mu
    ("STRA\u1e9eE@example.de", "stra\u00dfe@example.de"),  # capital sharp s: ß
    ("σοφιας@ΣΟΦΙΑΣ.gr", "σοφιασ@σοφιας.gr"),  # the domain too
])
def test_every_case_spelling_of_an_address_is_one_key(one: str, other: str) -> None:
    """Two case spellings of one address have one ``email_key``."""
    written = [tf.normalize_email(one), tf.normalize_email(other)]
    assert written[0] and written[1]
    assert tf.email_key(written[0]) == tf.email_key(written[1]) == tf.email_key(one)


@pytest.mark.parametrize(("one", "other"), [
    ("stra\u00dfe@example.de", "strasse@example.de"),  # ß is a letter of its own, not ss
    ("\ufb01ona@example.ie", "fiona@example.ie"),  # a ligature is not its two letters
    ("\u0130lker@example.com.tr", "i\u0307lker@example.com.tr"),  # İ: one letter, not two
    ("σοφια@example.gr", "σοφιαι@example.gr"),
])
def test_a_fold_that_writes_one_letter_as_two_joins_nothing(one: str, other: str) -> None:
    """``str.casefold`` writes ``ß`` as ``ss`` (two mailboxes to a mail system, as
    ``straße.de`` and ``strasse.de`` are two domains under IDNA2008): never one key."""
    assert tf.email_key(one) != tf.email_key(other)


def test_the_written_address_stays_as_the_file_writes_it() -> None:
    """The key is for matching: the address kept is ``normalize_email``'s (the file's
    spelling, f32e: before, ``σοφιας.b@``, lower-cased), never the key."""
    assert tf.normalize_email(SOFIAS_UPPER) == SOFIAS_UPPER
    assert tf.email_key(SOFIAS_UPPER) == tf.email_key(SOFIAS_FINAL) == SOFIAS_MIDDLE
    assert tf.email_addresses(f"{SOFIAS_UPPER}; {SOFIAS_MIDDLE}") == (SOFIAS_UPPER,)


@pytest.mark.parametrize(("account", "row"), [
    (SOFIAS_MIDDLE, SOFIAS_UPPER), (SOFIAS_FINAL, SOFIAS_MIDDLE),
    (SOFIAS_UPPER, SOFIAS_MIDDLE), (KOSTAS_ODD, KOSTAS_UPPER)])
def test_the_persons_index_finds_a_person_in_every_spelling(account: str, row: str) -> None:
    """``PersonIndex`` holds an account's address by its key: a row's other spelling
    finds the person, for its match and for its organization hint."""
    index = PersonIndex()
    index.add({"id": 5, "name": "Σοφια Βλαχου", "org_id": 9, "emails": [{"value": account}]})
    index.add({"id": 6, "name": "Other", "emails": [{"value": "other" + GR}]})
    written = tf.normalize_email(row)
    assert index.match(written, "Σοφια Βλαχου") == (5, "email")
    assert index.owner_of(row) == 5 and index.orgs_of(written, None) == {9}


def test_a_shared_address_in_two_spellings_is_one_shared_address() -> None:
    """Two persons holding one address in two spellings share it (info@): the row's name
    tells which."""
    index = PersonIndex()
    index.add({"id": 5, "name": "Σοφια Βλαχου", "emails": [{"value": SOFIAS_MIDDLE}]})
    index.add({"id": 6, "name": "Νικος Γ", "emails": [{"value": SOFIAS_FINAL}]})
    assert index.match(tf.normalize_email(SOFIAS_UPPER), "Νικος Γ") == (6, "email")
    with pytest.raises(InputError, match="belongs to 2 persons"):
        index.match(SOFIAS_FINAL, "Someone Else")


def test_a_user_is_found_by_every_case_spelling_of_the_address_and_not_by_ss() -> None:
    """An owner given by e-mail finds the user in any case spelling; ``strasse@`` is not
    ``straße@`` (``norm_key``'s full fold read it so)."""
    catalog = Catalog(users=(User(1, "Σοφια", SOFIAS_MIDDLE), User(2, "Tom", "tom.straße@x.de")))
    assert catalog.user(SOFIAS_UPPER).id == catalog.user(f"Σ <{SOFIAS_FINAL}>").id == 1
    assert catalog.user("TOM.STRAẞE@x.de").id == 2
    with pytest.raises(InputError, match="no user with e-mail"):
        catalog.user("tom.strasse@x.de")


async def _run(sb: Sandbox, tmp_path: Path, rows: list[tuple[str, str]], job_id: str,
               mode: str) -> dict[str, dict[str, str]]:
    """Import rows (key, e-mail) of one person "Σοφια Βλαχου" as job ``job_id``: succeeded.csv
    by key."""
    manifest, mapping = tmp_path / f"{job_id}.csv", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    manifest.write_text("id,title,person,email\n"
                        + "".join(f"{k},Deal {k},Σοφια Βλαχου,{e}\n" for k, e in rows),
                        encoding="utf-8")
    store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping, job_id=job_id,
                                    mode=mode)
    try:
        return {r["key"]: r for r in read_csv(store.directory / "succeeded.csv")}
    finally:
        store.close()


def _persons(sb: Sandbox) -> list[tuple[int, list[str]]]:
    return [(p["id"], [e["value"] for e in p["emails"]])
            for p in sb.state.persons.rows.values() if not p["is_deleted"]]


@pytest.mark.parametrize("mode", ["insert", "upsert"])
@pytest.mark.parametrize(("account", "rows"), [
    (SOFIAS_MIDDLE, [SOFIAS_UPPER, SOFIAS_TITLE]),  # the fault: a middle sigma typed at the end
    (SOFIAS_FINAL, [SOFIAS_MIDDLE]),  # the other way round
    (KOSTAS_ODD, [KOSTAS_UPPER, "Κωνσταντινοσ" + GR]),  # a sigma inside the word
], ids=["end", "end-reversed", "inside"])
async def test_an_accounts_person_in_another_spelling_is_found_twice_in_a_row(
        tmp_path: Path, mode: str, account: str, rows: list[str]) -> None:
    """x19r4 F1: the account holds ``σοφιασ.b@`` as someone typed it; a row's
    ``ΣΟΦΙΑΣ.B@`` (written ``σοφιας.b@``) made a second person (2 of 2). Now every row is
    linked to the account's person by e-mail, in both modes and on a second import of
    the file; the person keeps its address as it was."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, [("a0", account)], "seed", mode)
        (pid, emails), = _persons(sb)
        assert emails == [tf.normalize_email(account)]
        keyed = [(f"r{n}", e) for n, e in enumerate(rows)]
        first = await _run(sb, tmp_path, keyed, "one", mode)
        await _run(sb, tmp_path, keyed, "two", mode)
        assert _persons(sb) == [(pid, emails)]
        assert {d["person_id"] for d in sandbox_deals(sb)} == {pid}
        assert len(sandbox_deals(sb)) == 1 + len(rows)
    assert {r["person_matched_by"] for r in first.values()} == {"email"}


@pytest.mark.parametrize("mode", ["insert", "upsert"])
async def test_one_new_person_for_two_spellings_in_one_file(tmp_path: Path,
                                                            mode: str) -> None:
    """A file naming a new person as ``ΣΟΦΙΑΣ.B@`` then ``σοφιασ.b@`` makes one person,
    with the first row's address as the file writes it (``ΣΟΦΙΑΣ.B@``, not the key:
    f32e); a second import of the file makes none."""
    rows = [("n1", SOFIAS_UPPER), ("n2", SOFIAS_MIDDLE), ("n3", SOFIAS_FINAL)]
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, rows, "one", mode)
        await _run(sb, tmp_path, rows, "two", mode)
        (pid, emails), = _persons(sb)
        assert emails == [SOFIAS_UPPER]
        assert {d["person_id"] for d in sandbox_deals(sb)} == {pid}


def test_a_listed_person_answers_the_key_of_every_spelling() -> None:
    """``person_keys`` (what a reconcile matches records by) is the e-mail's key."""
    for spelled in (SOFIAS_MIDDLE, SOFIAS_FINAL, SOFIAS_UPPER):
        assert person_keys({"name": "Σοφια Βλαχου", "emails": [{"value": spelled}]}) == [
            person_email_key(SOFIAS_FINAL)]


OLD_KEY = f"e:{SOFIAS_FINAL}"  # what a job stored before x19r4 F1 keyed ΣΟΦΙΑΣ.B@ by


async def test_a_resume_of_a_job_with_old_keys_finds_the_person_it_made(
        tmp_path: Path) -> None:
    """A job stored before the fix keys its person ``e:σοφιας.b@…`` (the address as
    written) and, for a row typing ``σοφιασ.b@``, ``e:σοφιασ.b@…`` (F1 made two); its
    process sent the first create (applied, answer lost) and died. The resume's
    reconcile finds the person among those added since for both keys, and links both
    rows to it: no second person."""
    from bulk.sandbox.contacts import create_person

    store = JobStore.create(tmp_path / "old", job_id="old", kind="import", config={})
    refs: list[Any] = [{"kind": "person", "key": f"e:{spelled}",
                        "body": {"name": "Σοφια Βλαχου", "emails": [{"value": spelled}]}}
                       for spelled in (SOFIAS_FINAL, SOFIAS_MIDDLE)]
    assert refs[0]["key"] == OLD_KEY
    async with serve(SandboxConfig(**FAST)) as sb:
        since = time.time() - 1
        made = create_person(sb.state, {"name": "Σοφια Βλαχου",
                                        "emails": [{"value": SOFIAS_FINAL}]})
        resolver = Resolver(AsyncJobStore(store), job_id="old")
        async with api_context(sb, tmp_path) as ctx:
            await resolver.reconcile(ctx, refs, since - 120.0)
            for ref in refs:
                assert await resolver.resolve(ctx, ref) == made["id"]
        assert [p for p, _ in _persons(sb)] == [made["id"]]
        assert await AsyncJobStore(store).lookup_get("person", OLD_KEY) == made["id"]
    store.close()


async def test_a_resume_with_old_keys_and_a_new_run_make_one_person(tmp_path: Path) -> None:
    """A new run makes the person of ``σοφιασ.b@`` under its claim; a job stored before the
    fix (key ``e:σοφιας.b@…``) resumed meanwhile claims the same create, reads what the
    other made and links it: one person, not one per spelling."""
    clock = FakeClock(epoch=time.time())
    path = tmp_path / "claims.sqlite3"
    claims_new = LocalClaims(path, holder="host-a:1:1", clock=clock)
    claims_old = LocalClaims(path, holder="host-b:2:2", clock=clock)
    new_ref: Any = {"kind": "person", "key": person_email_key(SOFIAS_MIDDLE),
                    "body": {"name": "Σοφια Βλαχου", "emails": [{"value": SOFIAS_MIDDLE}]}}
    old_ref: Any = {"kind": "person", "key": OLD_KEY,
                    "body": {"name": "Σοφια Βλαχου", "emails": [{"value": SOFIAS_FINAL}]}}
    store_new = JobStore.create(tmp_path / "new", job_id="new", kind="import", config={})
    store_old = JobStore.create(tmp_path / "old", job_id="old", kind="import", config={})
    new = Resolver(AsyncJobStore(store_new), claims=lambda: claims_new, scope=lambda: "S",
                   job_id="new")
    old = Resolver(AsyncJobStore(store_old), claims=lambda: claims_old, scope=lambda: "S",
                   job_id="old")
    async with serve(SandboxConfig(**FAST)) as sb:
        async with api_context(sb, tmp_path) as ctx:
            rid = await new.resolve(ctx, new_ref)
            await claims_new.flush()
            assert await old.resolve(ctx, old_ref) == rid
        assert [p for p, _ in _persons(sb)] == [rid]
        assert not old.made(old_ref)
    for c in (claims_new, claims_old):
        c.close()
    for s in (store_new, store_old):
        s.close()


def test_two_deals_of_one_person_in_two_spellings_group_together() -> None:
    """Dedupe: two deals of one person whose titles and organization names spell a Greek
    word's sigma two ways (``Σοφιασ``, ``ΣΟΦΙΑΣ`` in capitals) are one
    duplicate group; a third with other words is not in it."""
    deals = [deal(1, "Ανανεωση Σοφιασ", org_id=1, org_name="Σοφιασ Εμπορικη", person_id=7),
             deal(2, "ΑΝΑΝΕΩΣΗ ΣΟΦΙΑΣ", org_id=2, org_name="ΣΟΦΙΑΣ ΕΜΠΟΡΙΚΗ", person_id=7),
             deal(3, "Εκπαιδευση πωλησεων", org_id=1, org_name="Σοφιασ Εμπορικη",
                  person_id=7)]
    result = find_duplicates(deals, DedupeConfig.default())
    assert [(g.band, set(g.member_ids)) for g in result.groups] == [("duplicate", {1, 2})]
