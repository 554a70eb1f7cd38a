"""A job planned by an older pdbulk (person / organization key version 3, before x52r9 and
x52r11) and resumed or retried by this one: its rows not yet written are decided again
with the keys as they are now before any write — the organization / person each links
(an existing record, or one to create) and the grouping of rows into one new record —
while the rows already written stay as they are; the resume says what it re-decided
(x53r2 F1: 40 of 40 pending look-alike rows were linked to the account's organization of
the other legal form, ``Nordvik Ås`` -> ``Nordvik AS``, no note, exit 0).

The store is made as version 3's load left it: the job is loaded and run by this code
until its cap stops it, then its pending rows' payloads get the decisions version 3's
keys made (``OLD_LINK``: the account organization its key found; ``OLD_GROUP``: one new
organization and one person key for two names its key read as one) and its version row
says 3."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import SandboxConfig
from bulk.store import ItemState, JobStore
from jobs.person_key_version import (
    META_KEYS_REDECIDED,
    META_KEYS_SENT_AS_LOADED,
    META_PERSON_KEYS,
    PERSON_KEY_VERSION,
)
from tests.import_support import add_org
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli

MAPPING = """version = 1
[import]
key_column = "key"
key_field = "Import source key"
mode = "insert"
[deal]
title = "title"
[person]
name = "person"
[organization]
name = "org"
"""
# a row's organization -> the account's organization version 3's key found for it
OLD_LINK = {"Nordvik Ås": "Nordvik AS", "Lehto Øy": "Lehto Oy", "Vitamin Y Oy": "Vitamin E Oy",
            "Vitamin Oy": "Vitamin E Oy", "Generation Y GmbH": "Generation GmbH",
            "Generation Und GmbH": "Generation GmbH", "Øster Ås": "Øster AS",
            "Kärnäs Øy": "Kärnäs Oy"}
# names version 3 keyed as one (one organization made for both, one person key at it)
OLD_GROUP = {"Kaleva Y Oy": "kaleva oy", "Kaleva Oy": "kaleva oy"}
FILLER = 20  # rows of no organization first, some written by the capped first run


def _rows() -> list[tuple[str, str]]:
    """(organization, person) of each row after the fillers, each name twice."""
    return [(org, "Jens Berg" if org in OLD_GROUP else "") for _ in range(2)
            for org in [*OLD_LINK, *OLD_GROUP, "Nordvik AS"]]


def _as_version_3(job: Path, account: dict[str, int]) -> int:
    """Give ``job``'s pending rows the decisions version 3's keys made; its version row
    says 3. Returns the rows changed."""
    conn = sqlite3.connect(job / "job.sqlite")
    changed = 0
    with conn:
        for i, text in conn.execute("SELECT id, payload FROM items WHERE state = 'pending'"
                                    ).fetchall():
            payload = orjson.loads(text)
            org = payload["values"]["org"]
            if org in OLD_LINK:
                payload["org"] = {"id": account[OLD_LINK[org]], "matched_by": "name"}
            elif org in OLD_GROUP:
                payload["org"] = {"kind": "org", "key": OLD_GROUP[org], "body": {"name": org}}
                payload["person"]["key"] = f"n:jens berg|o:key:{OLD_GROUP[org]}"
            else:
                continue
            conn.execute("UPDATE items SET payload = ? WHERE id = ?",
                         (orjson.dumps(payload).decode(), i))
            changed += 1
        conn.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (META_PERSON_KEYS, "3"))
    conn.close()
    return changed


def _in_doubt(job: Path, orgs: set[str]) -> list[int]:
    """The first pending row of each of ``orgs`` sent by the older process, its answer lost
    (no deal made): in doubt."""
    with JobStore.open(job, lock=False) as store:
        first: dict[str, int] = {}
        for item in store.items(ItemState.PENDING):
            first.setdefault(str(item.payload["values"]["org"]), item.id)
        ids = [first[org] for org in sorted(orgs)]
        store.mark_sending(ids, time.time())
    return ids


def _linked(box: Any) -> dict[str, set[str]]:
    """Deal title's row organization -> the names of the organizations its deals link."""
    orgs = {o["id"]: o["name"] for o in box.state.orgs.rows.values()}
    out: dict[str, set[str]] = {}
    for deal in box.state.deals.rows.values():
        if deal.get("is_deleted"):
            continue
        org = deal.get("org_id")
        org = org.get("value") if isinstance(org, dict) else org
        out.setdefault(deal["title"].split("|")[0], set()).add(orgs.get(org, "-"))
    return out


@pytest.mark.parametrize("command", ["resume", "retry"])
def test_an_older_jobs_unsent_rows_are_decided_again(tmp_path: Path, command: str) -> None:
    """Every look-alike row not yet written links the organization its name is now (made
    once, none of the account's other form), ``Kaleva Y Oy`` and ``Kaleva Oy`` are two
    organizations and two persons, the account's ``Nordvik AS`` row still links it; the
    rows the capped run wrote keep their links; the run says what it re-decided."""
    config = SandboxConfig(plan="ultimate", token=TOKEN, seed=9)
    with ThreadedSandbox(config) as box:
        account = {name: add_org(box, name) for name in sorted(set(OLD_LINK.values()))}
        jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
        mapping.write_text(MAPPING)
        rows = [("", "")] * FILLER + _rows()
        manifest.write_text("key,title,org,person\n" + "".join(
            f"k{i},{org}|{i},{org},{person}\n" for i, (org, person) in enumerate(rows)))
        first = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                    "--create-key-field", "--max-tokens", "130", "--url", box.url,
                    "--plan", "ultimate", "--job-dir", str(jobs))
        (job,) = jobs.iterdir()
        with JobStore.open(job, lock=False) as store:
            counts = store.counts()
            written = {i.id for i in store.items(ItemState.DONE)}
        assert counts[ItemState.PENDING] >= len(_rows()), (counts, first.output)
        assert written, first.output
        assert not [o for o in box.state.orgs.rows.values()  # (none made by the first run)
                    if o["name"] in OLD_LINK or o["name"] in OLD_GROUP], first.output
        before = _linked(box)
        assert _as_version_3(job, account) == 2 * (len(OLD_LINK) + len(OLD_GROUP))
        # in doubt at the upgrade: settled as sent (not found), then decided again
        doubted = _in_doubt(job, {"Nordvik Ås", "Kaleva Y Oy"})
        if command == "retry":  # a failed row: put back and mapped again by the retry
            conn = sqlite3.connect(job / "job.sqlite")
            with conn:
                conn.execute("UPDATE items SET state = 'failed', error = 'refused' "
                             "WHERE state = 'pending'")
            conn.close()
        again = cli(box, jobs, command, job.name, "--job-dir", str(jobs),
                    "--max-tokens", "5000")
        assert again.exit_code == 0, again.output
        linked = _linked(box)
        for org in OLD_LINK:
            assert linked[org] == {org}, (org, linked[org], again.output)
        for org in OLD_GROUP:
            assert linked[org] == {org}, (org, linked[org], again.output)
        assert linked["Nordvik AS"] == {"Nordvik AS"}
        for title, names in before.items():  # written before: as they were
            assert linked[title] == names
        names = [o["name"] for o in box.state.orgs.rows.values()]
        assert sorted(n for n in names if n in OLD_LINK or n in OLD_GROUP) == \
            sorted([*OLD_LINK, *OLD_GROUP])  # each made once
        jens = [p for p in box.state.persons.rows.values() if p["name"] == "Jens Berg"]
        assert len(jens) == 2, jens
        said = " ".join(again.output.split())
        assert (f"planned by an older pdbulk (key version 3, now {PERSON_KEY_VERSION})"
                in said), said
        # (each look-alike's 2 rows, and Kaleva Y Oy's: its own key now, its person too;
        # but the rows in doubt, decided again when they are sent again)
        assert f"{2 * len(OLD_LINK) + 2 - len(doubted)} now link another organization" \
            in said, said
        assert "1 another person" in said, said
        assert "its 2 rows in doubt from the older run are settled as it sent them" in said
        with JobStore.open(job, lock=False) as store:
            assert store.meta_get(META_PERSON_KEYS) == PERSON_KEY_VERSION
            assert store.meta_get(META_KEYS_REDECIDED) == 3
            assert store.meta_get(META_KEYS_SENT_AS_LOADED) == []  # (both sent again)
            assert {i.id for i in store.items(ItemState.DONE)} >= written
            assert not store.counts()[ItemState.PENDING]
