"""Which person a row gets within one file: the rows that share an identity (an e-mail, a
name with a phone, a name alone at the organization of one such person) are one person,
created once with the e-mail and phone the rows give, in any row order (x27r1 1, 3)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from jobs.account import OrgIndex, PersonIndex
from jobs.catalog import Catalog
from jobs.import_rows import Indexes, RowPlanner
from jobs.mapping import Mapping, compile_mapping
from tests.import_support import import_once, read_csv, sandbox_deals
from tests.test_mapping import RAW_FIELDS
from tests.test_row_planner import KEY_CODE, MAPPING

HEADER = ["id", "title", "contact", "email", "phone", "company"]


def planner(persons: PersonIndex | None = None, orgs: OrgIndex | None = None) -> RowPlanner:
    mapper = compile_mapping(Mapping.loads(MAPPING), Catalog.from_api(deal_fields=RAW_FIELDS),
                             header=HEADER)
    return RowPlanner(mapper, KEY_CODE, "insert",
                      Indexes(persons=persons or PersonIndex(), orgs=orgs or OrgIndex()),
                      key_column="id")


def rows_of(cells: list[dict[str, str]]) -> list[SourceRow]:
    return [SourceRow(n, n, {"id": f"K{n}", "title": f"D{n}", "contact": "", "email": "",
                             "phone": "", "company": "", **c})
            for n, c in enumerate(cells, start=2)]


def decide_all(p: RowPlanner, rows: list[SourceRow]) -> dict[str, Any]:
    """Row id -> its person reference (or the failed row's reason), as the load decides
    them: every row learned first (``learn_persons``), then each decided."""
    p.learn_persons(rows)
    out: dict[str, Any] = {}
    for row in rows:
        item = p.decide(row)
        out[row.values["id"]] = item.error if item.state is ItemState.FAILED \
            else item.payload["person"]
    return out


def _body(ref: dict[str, Any]) -> tuple[str | None, str | None]:
    body = ref["body"]
    return ((body.get("emails") or [{}])[0].get("value"),
            (body.get("phones") or [{}])[0].get("value"))


def test_the_rows_of_one_contact_are_one_person_with_its_e_mail_and_phone() -> None:
    """x27r1 1: K1 (phone), K2 (e-mail and phone), K3 (e-mail) were two "Kenji Nowak"s at
    Pied Piper, the e-mail kept by K3's alone; now one person with both, in every order."""
    cells = [{"contact": "Kenji Nowak", "phone": "+1 378 759 3681", "company": "Pied Piper"},
             {"contact": "Kenji Nowak", "email": "kenji@x.com", "phone": "+1 378 759 3681",
              "company": "Pied Piper"},
             {"contact": "Kenji Nowak", "email": "kenji@x.com", "company": "Pied Piper"}]
    for order in ([0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1], [2, 0, 1], [1, 2, 0]):
        got = decide_all(planner(), rows_of([cells[i] for i in order]))
        keys = {ref["key"] for ref in got.values()}
        assert keys == {"e:kenji@x.com"}, (order, got)
        first = next(iter(got.values()))
        assert _body(first) == ("kenji@x.com", "+1 378 759 3681"), order


def test_a_seeded_namesake_does_not_split_or_fail_the_files_person() -> None:
    """x27r1 3: the account's "Chloé Young" (another e-mail, the same phone); the file's C1
    (e-mail, phone, Oscorp) and C2 (the phone, Oscorp). C2 failed "several persons ...
    add an e-mail or phone" (it had the phone), and a re-import linked it to C1's person:
    now C2 is C1's person at once, as the rows imported one by one give."""
    persons = PersonIndex()
    persons.add({"id": 7, "name": "Chloé Young", "emails": [{"value": "other@elsewhere.org"}],
                 "phones": [{"value": "+1 519 279 4332"}]})
    cells = [{"contact": "Chloé Young", "email": "chloe@y.com", "phone": "+1 519 279 4332",
              "company": "Oscorp"},
             {"contact": "Chloé Young", "phone": "+1 519 279 4332", "company": "Oscorp"}]
    for order in ([0, 1], [1, 0]):
        got = decide_all(planner(persons), rows_of([cells[i] for i in order]))
        assert all(isinstance(ref, dict) for ref in got.values()), got
        assert {ref["key"] for ref in got.values()} == {"e:chloe@y.com"}, got


class _Oracle:
    """The persons a file's rows are, by union of the identities they share: an e-mail, a
    name with a phone; a row of a name alone at an organization is the one person of its
    name there (none: its own; several: it fails)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def persons(self, cells: list[dict[str, str]]) -> dict[str, str | None]:
        """Row id -> its person's class (None: the row fails)."""
        nodes: dict[str, list[str]] = {}
        for n, c in enumerate(cells, start=2):
            ids = []
            if c.get("email"):
                ids.append("e:" + c["email"])
            if c.get("phone"):
                ids.append(f"p:{c['contact']}|{c['phone']}")
            for x in ids:
                self.find(x)
            for x in ids[1:]:
                self.union(ids[0], x)
            nodes[f"K{n}"] = ids
        at: dict[tuple[str, str], set[str]] = {}
        for n, c in enumerate(cells, start=2):
            if nodes[f"K{n}"]:
                at.setdefault((c["contact"], c["company"]), set()).add(
                    self.find(nodes[f"K{n}"][0]))
        # one class of the name there with an e-mail and no phone, the other with a phone
        # and no e-mail: one person (the account's name+org takes a person with no phone)
        for there in at.values():
            if len(there) == 2:
                kinds = [{x[0] for x in self.parent if self.find(x) == root} for root in there]
                if sorted(map(sorted, kinds)) == [["e"], ["p"]]:
                    self.union(*there)
        at = {k: {self.find(r) for r in v} for k, v in at.items()}
        out: dict[str, str | None] = {}
        for n, c in enumerate(cells, start=2):
            ids = nodes[f"K{n}"]
            if ids:
                out[f"K{n}"] = self.find(ids[0])
                continue
            there = at.get((c["contact"], c["company"]), set())
            alone = f"alone:{c['contact']}@{c['company']}"
            out[f"K{n}"] = None if len(there) > 1 else next(iter(there), alone)
        return out


def _contacts_file(seed: int) -> list[dict[str, str]]:
    """Shared contacts, each row giving its e-mail, its phone, both or neither (its name and
    organization), in random order; some contacts share a name."""
    rnd = random.Random(seed)
    names = ["Kenji Nowak", "Chloé Young", "Ann Lee", "Bob Roe", "Cy Ode"]
    contacts = []
    for i in range(rnd.randint(3, 7)):
        contacts.append({"contact": rnd.choice(names), "email": f"c{i}@x{seed}.com",
                         "phone": f"+1 555 {seed % 900 + 100:03d} {i:04d}",
                         "company": rnd.choice(["Pied Piper", "Oscorp"])})
    cells = []
    for _ in range(rnd.randint(4, 14)):
        c = rnd.choice(contacts)
        give = rnd.choice(["email", "phone", "both", "both", "neither"])
        cells.append({"contact": c["contact"], "company": c["company"],
                      "email": c["email"] if give in ("email", "both") else "",
                      "phone": c["phone"] if give in ("phone", "both") else ""})
    # a name the file never gives an e-mail at an organization keeps the rules of a name
    # alone there (tests/test_name_only_persons.py: a file and its parts agree)
    mailed = {(c["contact"], c["company"]) for c in cells if c["email"]}
    return [c for c in cells if c["email"] or c["phone"]
            or (c["contact"], c["company"]) in mailed]


@pytest.mark.parametrize("seed", range(60))
def test_a_files_persons_are_the_union_of_their_rows_identities(seed: int) -> None:
    """Generated files: the rows of one identity class share one new person (created with
    every e-mail and phone the class gives), two classes are two persons, a name alone
    several classes of its name at its organization could be fails — in every row order."""
    cells = _contacts_file(seed)
    expected = _Oracle().persons(cells)
    rnd = random.Random(1000 + seed)
    for _ in range(4):
        order = list(range(len(cells)))
        rnd.shuffle(order)
        shuffled = [cells[i] for i in order]
        rows = rows_of(shuffled)
        got = decide_all(planner(), rows)
        # back to the generated rows' ids
        by_row = {f"K{order[n] + 2}": got[f"K{n + 2}"] for n in range(len(cells))}
        failed = {k for k, v in by_row.items() if not isinstance(v, dict)}
        assert failed == {k for k, v in expected.items() if v is None}, (seed, by_row)
        classes: dict[str, set[str]] = {}
        for k, v in by_row.items():
            if isinstance(v, dict):
                classes.setdefault(v["key"], set()).add(k)
        want: dict[str | None, set[str]] = {}
        for k, cls in expected.items():
            if cls is not None:
                want.setdefault(cls, set()).add(k)
        assert sorted(map(sorted, classes.values())) == sorted(map(sorted, want.values())), \
            (seed, shuffled, by_row)
        for k, v in by_row.items():
            if not isinstance(v, dict):
                continue
            members = [cells[int(m[1:]) - 2] for m in want[expected[k]]]
            emails = {c["email"] for c in members if c["email"]}
            phones = {c["phone"] for c in members if c["phone"]}
            email, phone = _body(v)
            assert email == (next(iter(emails)) if emails else None), (seed, k, v)
            assert (phone is not None) == bool(phones), (seed, k, v)


KENJI = ("Key,Title,Name,Email,Phone,Org\n"
         "K1,D1,Kenji Nowak,,+1 378 759 3681,Pied Piper\n"
         "K2,D2,Kenji Nowak,kenji@x.com,+1 378 759 3681,Pied Piper\n"
         "K3,D3,Kenji Nowak,kenji@x.com,,Pied Piper\n")
KENJI_MAPPING = """\
[import]
key_column = "Key"
[deal]
title = "Title"
pipeline = { default = "Sales" }
stage = { default = "Qualified" }
[person]
name = "Name"
email = "Email"
phone = "Phone"
[organization]
name = "Org"
"""


@pytest.mark.anyio
async def test_an_import_makes_one_person_of_rows_sharing_a_phone_or_an_e_mail(
        tmp_path: Path) -> None:
    """x27r1 1, end to end: the tester's file made "Kenji Nowak" twice at Pied Piper (K1, K2
    on one with no e-mail, K3 on one with it); now one person, with the e-mail and phone,
    holds the three deals."""
    manifest, mapping = tmp_path / "a.csv", tmp_path / "a.toml"
    manifest.write_text(KENJI)
    mapping.write_text(KENJI_MAPPING)
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        store.close()
        persons = list(sb.state.persons.rows.values())
        deals = sandbox_deals(sb)
    assert [(p["name"], [e["value"] for e in p["emails"]], [x["value"] for x in p["phones"]])
            for p in persons] == [("Kenji Nowak", ["kenji@x.com"], ["+1 378 759 3681"])]
    assert {d["person_id"] for d in deals} == {persons[0]["id"]} and len(deals) == 3


CHLOE_MAPPING = KENJI_MAPPING.replace('key_column = "Key"', 'key_column = "Key"\nmode = "upsert"')


@pytest.mark.anyio
async def test_a_file_and_its_rows_one_by_one_give_chloe_one_person(tmp_path: Path) -> None:
    """x27r1 3: the account's Chloé Young (another e-mail, the same phone); C1 (e-mail,
    phone, Oscorp) and C2 (the phone, Oscorp). The file failed C2 ("add an e-mail or
    phone": it had the phone) and a re-import linked it to C1's person; one import per row
    linked it at once. Now the file, and its rows one by one, give C1's person to both."""
    from tests.test_person_addresses import _file_and_one_by_one

    outcomes = await _file_and_one_by_one(
        tmp_path, CHLOE_MAPPING, "Key,Title,Name,Email,Phone,Org\n",
        ["C1,D1,Chloé Young,chloe@y.com,+1 519 279 4332,Oscorp",
         "C2,D2,Chloé Young,,+1 519 279 4332,Oscorp"],
        seed=("S0,D0,Chloé Young,other@elsewhere.org,+1 519 279 4332,",))
    assert outcomes[0] == outcomes[1], outcomes
    chloe = ("Chloé Young", "+1 519 279 4332", "chloe@y.com")
    assert outcomes[0][1] == {"D0": ("Chloé Young", "+1 519 279 4332", "other@elsewhere.org"),
                              "D1": chloe, "D2": chloe}, outcomes


@pytest.mark.anyio
async def test_an_upsert_keeps_the_deals_person_while_it_fits_the_row(tmp_path: Path) -> None:
    """x27r1 2: after K1, K2 were linked to a Kenji Nowak with the phone (no e-mail) and K3
    to one with kenji@x.com, an upsert of the unchanged file moved K2's deal (and, with its
    e-mail learned from K2, K1's) to the e-mail's person: updateDeal calls changing only
    person_id. The deal's person fits each row (by its name and phone, or by its e-mail):
    every row is unchanged, nothing is written."""
    mapping = tmp_path / "a.toml"
    mapping.write_text(CHLOE_MAPPING)
    head, k1, k2, k3 = KENJI.splitlines()
    # the two persons the tester's first run made: K1, K2 on one without the e-mail
    parts = [f"{head}\n{k1}\n{k2.replace('kenji@x.com', '')}\n", f"{head}\n{k3}\n", KENJI]
    async with serve(SandboxConfig(time_scale=0.02, seed=7, deals=0)) as sb:
        results = []
        for n, text in enumerate(parts):
            manifest = tmp_path / f"a{n}.csv"
            manifest.write_text(text)
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"j{n}")
            try:
                results.append({r["key"]: r for r in read_csv(store.directory /
                                                              "succeeded.csv")})
            finally:
                store.close()
            if n == 1:
                before = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
        after = {d["title"]: d["person_id"] for d in sandbox_deals(sb)}
    assert len(set(before.values())) == 2, before  # the two persons of the old runs
    assert after == before
    assert {k: r["action"] for k, r in results[2].items()} == {
        "K1": "unchanged", "K2": "unchanged", "K3": "unchanged"}, results[2]
    assert {k: r["person_matched_by"] for k, r in results[2].items()} == {
        "K1": "name+phone", "K2": "name+phone", "K3": "email"}, results[2]


def test_a_person_fits_a_row_by_an_e_mail_or_its_name_and_phone() -> None:
    """PersonIndex.fits: by any address of the row (a shared one too), or by the name and a
    phone that agrees (tf.phones_agree); never by the name alone or another phone."""
    index = PersonIndex()
    index.add({"id": 1, "name": "Kenji Nowak", "phones": [{"value": "+1 378 759 3681"}]})
    index.add({"id": 2, "name": "Kenji Nowak", "emails": [{"value": "kenji@x.com"}]})
    index.add({"id": 3, "name": "Box", "emails": [{"value": "KENJI@x.com"}]})
    assert index.fits(1, ("kenji@x.com",), "Kenji Nowak", "378 759 3681") == "name+phone"
    assert index.fits(2, (None, "Kenji@X.com"), "Kenji Nowak", None) == "email"
    assert index.fits(3, ("kenji@x.com",), "Kenji Nowak", None) == "email"
    assert index.fits(1, (None,), "Kenji Nowak", None) is None
    assert index.fits(1, (None,), "Kenji Nowak", "+44 378 759 3681") is None
    assert index.fits(1, (None,), "Ken Nowak", "+1 378 759 3681") is None


def test_an_ambiguity_asks_for_what_the_row_lacks() -> None:
    """x27r1 3: a row that has the phone was told to "add an e-mail or phone"; a row with a
    phone that fits several persons is now asked for their e-mail alone, one without a
    phone for either."""
    persons = PersonIndex()
    persons.add({"id": 4, "name": "Jim Beam", "phones": [{"value": "+44 555 777 8888"}]})
    p = planner(persons)
    rows = rows_of([{"contact": "Jim Beam", "phone": "+1 555 777 8888"},
                    {"contact": "Jim Beam", "phone": "555 777 8888"}])
    got = decide_all(p, rows)
    assert isinstance(got["K2"], dict)
    assert "add an e-mail of the person to the row" in got["K3"], got
    at = PersonIndex()
    at.add({"id": 5, "name": "Kay Dee", "org_id": 9})
    at.add({"id": 6, "name": "Kay Dee", "org_id": 9})
    with pytest.raises(InputError, match="add an e-mail of the person to the row"):
        at.match(None, "Kay Dee", "+1 415 555 0001", 9)
    with pytest.raises(InputError, match="add an e-mail or phone of the person"):
        at.match(None, "Kay Dee", None, 9)
