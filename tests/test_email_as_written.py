"""f32e: a person's e-mail is written to Pipedrive as the file writes it (trimmed, its
domain lower-cased as email-validator normalizes it), never as its match key: before,
``Ann.Smith@Example.com`` became ``ann.smith@example.com`` in Pipedrive. Pipedrive keeps
an address as it is given and its own importer matches addresses case-insensitively;
the match key stays lower-case (``email_key``), so another spelling of the address is the
same person and an upsert of a file that only spells it otherwise changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from tests.import_support import import_once, read_csv, sandbox_deals

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


async def _run(sb: Sandbox, tmp_path: Path, rows: list[tuple[str, str]], job_id: str,
               mode: str = "upsert") -> dict[str, dict[str, str]]:
    """Import rows (key, e-mail cell) of one person "Ann Smith": succeeded.csv by key."""
    manifest, mapping = tmp_path / f"{job_id}.csv", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    manifest.write_text("id,title,person,email\n"
                        + "".join(f'{k},Deal {k},Ann Smith,"{e}"\n' for k, e in rows),
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
async def test_a_new_persons_address_is_sent_as_written(tmp_path: Path, mode: str) -> None:
    """The person is made with the first row's spelling (its domain lower-cased), its
    other addresses as written too; a later row in another case is the same person, and
    so is every row on a second import."""
    rows = [("a1", " Ann.Smith@Example.COM ; Ann.Private@Home.Example "),
            ("a2", "ann.smith@example.com"), ("a3", "ANN.SMITH@EXAMPLE.COM")]
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, rows, "one", mode)
        await _run(sb, tmp_path, rows, "two", mode)
        (pid, emails), = _persons(sb)
        assert emails == ["Ann.Smith@example.com", "Ann.Private@home.example"]
        assert {d["person_id"] for d in sandbox_deals(sb)} == {pid}


async def test_an_upsert_spelling_the_accounts_address_otherwise_changes_nothing(
        tmp_path: Path) -> None:
    """The account's person has ``ann@x.io``; a file writing ``Ann@X.io`` links its deals
    to her by e-mail (no new person, her address untouched) and an upsert of that file
    over deals linked to her already finds every row ``unchanged``."""
    async with serve(SandboxConfig(**FAST)) as sb:
        await _run(sb, tmp_path, [("k1", "ann@x.io"), ("k2", "ann@x.io")], "seed")
        (pid, emails), = _persons(sb)
        assert emails == ["ann@x.io"]
        again = await _run(sb, tmp_path, [("k1", "Ann@X.io"), ("k2", "ANN@x.io")], "again")
        assert _persons(sb) == [(pid, ["ann@x.io"])]
        assert {d["person_id"] for d in sandbox_deals(sb)} == {pid}
    assert {r["person_matched_by"] for r in again.values()} == {"email"}, again
    assert {r["action"] for r in again.values()} == {"unchanged"}, again
