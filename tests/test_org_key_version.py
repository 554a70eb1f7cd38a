"""A job planned before x52r9 stored its organization keys the old way (``Hansen og Søn
AS`` keyed ``hansen og son as``, ``Øster Ås`` ``oster as`` as ``Øster AS`` is): before
its resume or retry writes anything, they are keyed as now (person key version 4:
``jobs.person_key_version``), rows, lookups and the organization part of its person keys
alike, and an organization create in doubt keeps the name its process gave its claim
(``claimed_as``, which the resolver now reads for organizations too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bulk.store import ItemState, JobStore, NewItem
from jobs.contact_keys import contact_key_v4
from jobs.person_key_version import META_PERSON_KEYS, claimed_as, keys_up_to_date
from jobs.transforms import org_match_key


def _row(org: str, key: str, person: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"org": {"kind": "org", "key": key, "body": {"name": org}}}
    if person is not None:
        out["person"] = {"kind": "person", "key": person, "body": {"name": "Jens Berg"}}
    return out


def test_a_job_of_version_3_has_its_org_keys_read_as_now(tmp_path: Path) -> None:
    hansen, oster = org_match_key("Hansen og Søn AS"), org_match_key("Øster Ås")
    assert (hansen, oster) == ("hansen and son as", "oster ås")
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        store.meta_put(META_PERSON_KEYS, 3)
        store.add_items([
            NewItem(1, "k1", "addDeal", _row("Hansen og Søn AS", "hansen og son as",
                                             "n:jens berg|o:key:hansen og son as")),
            NewItem(2, "k2", "addDeal", _row("Øster Ås", "oster as")),
            NewItem(3, "k3", "addDeal", _row("Hansen og Søn AS", "hansen og son as @ 1 main st"))])
        store.lookup_put_many("org", [("hansen og son as", 11), ("oster as", 12)],
                              also=("made-org",))
        store.lookup_put_many("person", [("n:jens berg|o:key:hansen og son as", 5)])
        assert keys_up_to_date(store) == (4, 5)  # (refs: 3 org, 1 person)
        assert store.lookups("org") == {hansen: 11, oster: 12}
        assert store.lookups("made-org") == {hansen: 11, oster: 12}
        assert store.lookups("person") == {f"n:jens berg|o:key:{hansen}": 5}
        keys = sorted((str(i.payload["org"]["key"]), str(i.payload.get("person", {}).get("key")))
                      for i in store.items())
        assert keys == [(hansen, f"n:jens berg|o:key:{hansen}"), (f"{hansen} @ 1 main st", "None"),
                        (oster, "None")]
        assert keys_up_to_date(store) == (0, 0)  # once
    finally:
        store.close()


def test_an_org_create_in_doubt_keeps_its_claim_name(tmp_path: Path) -> None:
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        store.meta_put(META_PERSON_KEYS, 3)
        store.add_items([NewItem(1, "k1", "addDeal", _row("Hansen og Søn AS", "hansen og son as"))])
        store.mark_sending([1], 0.0)  # sent, its answer lost
        assert [i.id for i in store.items(ItemState.SENDING)] == [1]
        keys_up_to_date(store)
        assert claimed_as(store) == {"hansen and son as": "hansen og son as"}
    finally:
        store.close()


def test_old_org_keys_read_the_new_way_exactly() -> None:
    for name in ("Hansen og Søn AS", "Berg och Söner AB", "Acme GmbH", "Øster AS", "Müller & Söhne AG",
                 "Jansen en Zonen BV", "The Acme Company", "Kovács és Társa Kft"):
        now = org_match_key(name)
        assert now is not None
        assert contact_key_v4("org", now) == now  # idempotent
    assert contact_key_v4("org", "oster as", {"oster as": "oster ås"}) == "oster ås"
    assert contact_key_v4("made-org", "hansen og son as#own:9") == "hansen and son as#own:9"
