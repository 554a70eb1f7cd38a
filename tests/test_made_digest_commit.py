"""An import's created person / organization writes its lookups, its made- lookup and its
contact digest (``jobs.import_resolve.MADE_DIGEST``) in one store transaction: a kill can
never leave a made contact without the digest undo --contacts compares it against."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from jobs.import_resolve import MADE_DIGEST, made_digests
from tests.test_undo import _imported_with_contacts


class _Spy:
    """A connection whose lookup writes are recorded (kind, key, id) per transaction."""

    def __init__(self, conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        self._conn, self._rows = conn, rows

    def executemany(self, sql: str, params: Any) -> Any:
        params = list(params)
        if "INTO lookups" in sql:
            self._rows.extend(params)
        return self._conn.executemany(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@pytest.mark.anyio
async def test_a_created_contact_and_its_digest_are_one_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every made-digest row is committed with its contact's made- lookup (f35f 3; before:
    a second transaction after it, 6 of 6 digests apart)."""
    commits: list[list[tuple[Any, ...]]] = []
    real = JobStore._tx

    @contextlib.contextmanager
    def spied(self: JobStore, what: str, *, durable: bool = False
              ) -> Iterator[Any]:
        rows: list[tuple[Any, ...]] = []
        with real(self, what, durable=durable) as conn:
            yield _Spy(conn, rows)
        if rows:
            commits.append(rows)

    monkeypatch.setattr(JobStore, "_tx", spied)
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=45)) as sb:
        source, _ids = await _imported_with_contacts(sb, tmp_path, 3)
        digests = made_digests(source)
        source.close()
    assert len(digests) == 6, digests  # 3 persons, 3 organizations
    apart = 0
    for (name, rid) in digests:
        with_digest = [rows for rows in commits
                       if (MADE_DIGEST + name, str(rid)) in {(r[0], r[1]) for r in rows}]
        assert with_digest, (name, rid)
        made = {(r[0], r[2]) for rows in with_digest for r in rows}
        apart += ("made-" + name, rid) not in made
    assert apart == 0, f"{apart} of {len(digests)} digests committed apart from their contact"


def test_extra_rows_go_with_the_first_chunk_or_alone(tmp_path: Path) -> None:
    """``lookup_put_many(extra=...)`` writes its (kind, key, id) rows too, with pairs or
    without."""
    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        assert store.lookup_put_many("person", [("e:a", 7)], also=("made-person",),
                                     extra=[(MADE_DIGEST + "person", "7", 99)]) == 1
        assert store.lookup_put_many("org", [], extra=[(MADE_DIGEST + "org", "8", 5)]) == 0
        assert made_digests(store) == {("person", 7): 99, ("org", 8): 5}
        assert store.lookups("made-person") == {"e:a": 7}
    finally:
        store.close()
