"""A job planned with person key version 1 (before 49ebf64a: ``Mueller`` keyed
``mueller``, now ``muller``) and retried or resumed by this code has its stored person
keys recomputed first, in one transaction (``jobs.person_key_version``): its own person
is found under its key, never created a second time, and one whose create was in doubt
is proved its own by the claim version 1 named (counted created). A job of a newer
version is refused in one line, nothing changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.claims import state_dir
from bulk.claims_local import LocalClaims
from bulk.errors import NotResumable
from bulk.sandbox import SandboxConfig
from bulk.sandbox.config import Faults
from bulk.store import ItemState, JobStore
from jobs.contact_keys import person_key_v2
from jobs.import_resolve import contact_claim_name
from jobs.person_key_version import META_PERSON_KEYS, PERSON_KEY_VERSION, keys_up_to_date
from jobs.resuming import refuse
from tests.mappings import deal_mapping
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

CONTACTS = '[person]\nname = "person"\nphone = "phone"\n'
# name -> its key as version 1 wrote it (``name_match_key`` at 49ebf64a~1)
OLD = {"Hans Mueller": "hans mueller", "Kaatrine Aaberg": "kaatrine aaberg"}


def _as_version_1(job: Path) -> int:
    """Make ``job``'s store what version 1 left: its person keys' names as version 1 wrote
    them (``OLD``), no version row; and this state folder's person claims named by them, as
    version 1 took them. Returns how many keys of the store it changed."""
    new = {person_key_v2("person", f"n:{old}")[2:]: old for old in OLD.values()}
    with JobStore.open(job, lock=False) as store:
        scope = str(store.meta_get("import.key_code"))  # (the claims' scope: the key field)
        keys = {str(i.payload["person"]["key"]) for i in store.items()
                if isinstance(i.payload.get("person"), dict) and "key" in i.payload["person"]}
    claims = LocalClaims(state_dir() / "claims.sqlite3")
    try:
        with sqlite3.connect(claims.path) as db:
            for key in keys:
                name, cut, rest = key[2:].partition("|")
                if key.startswith("n:") and name in new:
                    db.execute("UPDATE claims SET name = ? WHERE name = ?", (
                        claims.digest(contact_claim_name("person", scope,
                                                         f"n:{new[name]}{cut}{rest}")),
                        claims.digest(contact_claim_name("person", scope, key))))
    finally:
        claims.close()

    def old_key(key: str) -> str | None:
        name, cut, rest = key[2:].partition("|")
        return f"n:{new[name]}{cut}{rest}" if key.startswith("n:") and name in new else None

    conn = sqlite3.connect(job / "job.sqlite")
    changed = 0
    with conn:
        for i, text in conn.execute("SELECT id, payload FROM items").fetchall():
            payload = orjson.loads(text)
            ref = payload.get("person")
            if isinstance(ref, dict) and (old := old_key(str(ref.get("key", "")))):
                ref["key"] = old
                conn.execute("UPDATE items SET payload = ? WHERE id = ?",
                             (orjson.dumps(payload).decode(), i))
                changed += 1
        for kind, key in conn.execute(
                "SELECT kind, key FROM lookups WHERE kind IN ('person', 'made-person')"
        ).fetchall():
            if old := old_key(key):
                conn.execute("UPDATE lookups SET key = ? WHERE kind = ? AND key = ?",
                             (old, kind, key))
                changed += 1
        conn.execute("DELETE FROM kv WHERE key = ?", (META_PERSON_KEYS,))
    conn.close()
    return changed


def _persons(box: Any, name: str) -> list[int]:
    return sorted(int(p["id"]) for p in box.state.persons.rows.values() if p.get("name") == name)


def test_a_version_1_job_resumed_with_person_creates_in_doubt(tmp_path: Path) -> None:
    """Version 1's import loses every person create's answer and stops at its --max-tokens,
    rows in doubt; its store as version 1 left it, the resume's reconcile lists the persons
    added since and finds each by its key recomputed: 8 persons for 8 (before: the old key
    ``n:hans mueller|p:…`` never answered ``n:hans muller|p:…``; each was taken for never
    made and created again)."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        mapping.write_text(deal_mapping(stage_map={"a": "Qualified"}, more=CONTACTS))
        manifest.write_text("key,title,stage,person,phone\n" + "".join(
            f"k{i},Deal {i},a,Hans Mueller,+49 30 555010{i}\n" for i in range(8)))
        box.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset({"addPerson"})))
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", "--max-tokens", "100", *engine(box, jobs))
        box.set_faults(Faults())
        (job,) = jobs.iterdir()
        with JobStore.open(job, lock=False) as store:
            assert store.counts()[ItemState.SENDING], (store.counts(), first.output)
        assert _as_version_1(job) == 8  # (the rows' keys: no lookup yet, all in doubt)
        resumed = cli(box, jobs, "resume", job.name, "--job-dir", str(jobs),
                      "--max-tokens", "5000")
        assert resumed.exit_code == 0, resumed.output
        made = _persons(box, "Hans Mueller")
        assert len(made) == 8, (len(made), resumed.output)  # (before: 15)
        # each the job's own create, counted and offered to undo --contacts, as a resume of
        # a job of this version counts them (its claims, version 1's, name them: before, 7)
        assert "persons created: 8;" in resumed.output, resumed.output


def test_old_keys_read_the_new_way_exactly() -> None:
    """Version 1's key of a name, recomputed, is version 2's key of it (name part only;
    phone, organization and made- suffixes kept)."""
    from jobs import transforms as tf

    for name, old in OLD.items():
        assert person_key_v2("person", f"n:{old}") == f"n:{tf.name_match_key(name)}"
        assert person_key_v2("made-person", f"n:{old}|p:+495550100#own:7") == \
            f"n:{tf.name_match_key(name)}|p:+495550100#own:7"
        assert person_key_v2("person", f"n:{old}|o:key:aaberg gmbh") == \
            f"n:{tf.name_match_key(name)}|o:key:aaberg gmbh"
    assert person_key_v2("person", "e:hans.mueller@example.com") == "e:hans.mueller@example.com"
    assert person_key_v2("org", "n:aaberg") == "n:aaberg"


def test_a_version_1_job_retried_keys_its_persons_anew(tmp_path: Path) -> None:
    """Row 1 of ``Hans Mueller`` made him; row 2 of him failed (an unmapped stage). Its
    store as version 1 left it, the retry maps row 2 again: one person, and the job's
    lookups hold him under the key the retry computes (the account's index found him
    before too; the lookups were left holding the old key)."""
    config = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        mapping.write_text(deal_mapping(stage_map={"a": "Qualified"}, more=CONTACTS))
        manifest.write_text("key,title,stage,person,phone\n"
                            "k1,Deal 1,a,Hans Mueller,\nk2,Deal 2,zz,Hans Mueller,\n"
                            "k3,Deal 3,a,Kaatrine Aaberg,\nk4,Deal 4,zz,Kaatrine Aaberg,\n")
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", *engine(box, jobs))
        assert first.exit_code == 3, first.output
        assert len(_persons(box, "Hans Mueller")) == 1
        (job,) = jobs.iterdir()
        assert _as_version_1(job) >= 4
        mapping.write_text(deal_mapping(stage_map={"a": "Qualified", "zz": "Contact Made"}, more=CONTACTS))
        retried = cli(box, jobs, "retry", job.name, "--job-dir", str(jobs))
        assert retried.exit_code == 0, retried.output
        assert len(_persons(box, "Hans Mueller")) == 1, retried.output
        assert len(_persons(box, "Kaatrine Aaberg")) == 1, retried.output
        with JobStore.open(job, lock=False) as store:
            assert store.meta_get(META_PERSON_KEYS) == PERSON_KEY_VERSION
            assert set(store.lookups("made-person")) == {"n:hans muller", "n:katrine aberg"}


def test_two_old_keys_now_one_keep_both_made(tmp_path: Path) -> None:
    """``Mueller`` and ``Muller`` were two persons under version 1, one key now: a row's key
    resolves to the first made; the second stays made (counted, undone), under ``#own:``;
    a job of a newer version is refused, nothing changed."""
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        store.lookup_put_many("person", [("n:hans mueller", 5), ("n:hans muller", 9)],
                              also=("made-person",))
        assert keys_up_to_date(store) == (0, 2)
        assert store.lookups("person") == {"n:hans muller": 5}
        assert store.lookups("made-person") == {"n:hans muller": 5,
                                                "n:hans muller#own:9": 9}
        assert keys_up_to_date(store) == (0, 0)  # once: version 2 now
        store.meta_put(META_PERSON_KEYS, PERSON_KEY_VERSION + 1)
        with pytest.raises(NotResumable, match="newer pdbulk"):
            refuse(store)
        with pytest.raises(NotResumable, match="newer pdbulk"):
            keys_up_to_date(store)
        assert store.lookups("person") == {"n:hans muller": 5}
    finally:
        store.close()


def test_keys_of_either_earlier_version_come_out_as_now(tmp_path: Path) -> None:
    """A job planned by the release that folded ``ae``/``oe``/``ue``/``aa`` once and kept no
    version row holds ``Jesper Aaen`` as ``jesper aen``, a version-1 job ``hans mueller``:
    each is recomputed to the key its name has now (``jesper an``, ``hans muller``), rows
    and lookups alike; recomputing a key of this version changes nothing (before, one fold
    more was applied to every store without the row: ``raan`` -> ``ran`` was right only by
    luck, and the name's own key was ``jesper aen`` while ``Jesper Åen`` was ``jesper an``:
    x45r5 F1)."""
    from bulk.store import NewItem
    from jobs import transforms as tf

    def ref(name: str, key: str) -> dict[str, Any]:
        return {"person": {"kind": "person", "key": key, "body": {"name": name}}}

    aaen, khan, mueller = (tf.name_match_key(n) for n in ("Jesper Aaen", "Raeaan Khan",
                                                          "Hans Mueller"))
    assert (aaen, khan, mueller) == ("jesper an", "ran khan", "hans muller")
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        store.add_items([NewItem(1, "k1", "addDeal", ref("Jesper Aaen", "n:jesper aen|p:4530")),
                         NewItem(2, "k2", "addDeal", ref("Raeaan Khan", "n:raan khan")),
                         NewItem(3, "k3", "addDeal", ref("Hans Mueller", "n:hans mueller|p:1"))])
        store.lookup_put_many("person", [("n:jesper aen|p:4530", 3), ("n:raan khan", 5),
                                         ("n:hans mueller|p:1", 4)], also=("made-person",))
        assert keys_up_to_date(store) == (3, 6)
        want = {f"n:{aaen}|p:4530": 3, f"n:{khan}": 5, f"n:{mueller}|p:1": 4}
        assert store.lookups("person") == want
        assert store.lookups("made-person") == want
        keys = {str(i.payload["person"]["key"]) for i in store.items()}
        assert keys == set(want)
        for key in want:
            assert person_key_v2("person", key) == key  # this version's keys: kept
    finally:
        store.close()
