"""f25a: an import killed mid-run whose job.sqlite-wal is then removed loses the store's
last writes (the rows sent since the last checkpoint are back in flight or pending, their
"sent-deal" marks gone). Resumed, the deals those rows created, found again by key, were
recorded "exists … created meanwhile by another run" and the job's undo left them alive
(14-39 of 200 in a kill -9 + ``rm job.sqlite-wal`` script). The job folder's sent journal
(``job.sent``, outside job.sqlite) keeps the proof of the sends: they are this job's
creates again, and its undo deletes them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from jobs.undo.targets import targets
from tests.import_support import import_once, resume_job, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
ROWS = 30


def lose_the_tail(directory: Path) -> None:
    """The store as the last checkpoint left it: rows 11-20 in flight, rows 21-30 pending
    (never marked sending), no result and no sent-deal mark for any of them."""
    conn = sqlite3.connect(directory / "job.sqlite")
    try:
        keys = [f"k{i}" for i in range(11, ROWS + 1)]
        conn.execute("UPDATE items SET state = 'sending', result = NULL WHERE source_key IN "
                     f"({','.join('?' * 10)})", keys[:10])
        conn.execute("UPDATE items SET state = 'pending', result = NULL, sent_at = NULL, "
                     f"attempts = 0 WHERE source_key IN ({','.join('?' * 10)})", keys[10:])
        conn.execute(f"DELETE FROM lookups WHERE kind = 'sent-deal' AND key IN "
                     f"({','.join('?' * 20)})", keys)
        conn.execute("UPDATE job SET status = 'stopped'")
        conn.commit()
    finally:
        conn.close()


async def test_creates_whose_store_lost_them_are_this_jobs_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the run here ends and ``lose_the_tail`` forges the kill after it: a killed run never
    # compacts its journal as it ends, and a compaction keeps the lines of rows whose
    # outcome job.sqlite itself does not hold (test_sent_journal_compaction.py)
    monkeypatch.setattr("jobs.importing.creates.compact_sent", lambda *_a: (0, 0))
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("key,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(1, ROWS + 1)))
    mapping.write_text('[import]\nkey_column = "key"\nmode = "insert"\n[deal]\ntitle = "title"\n')
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        directory = store.directory
        store.close()
        lose_the_tail(directory)
        store, _ = await resume_job(sb, directory, reread=True)
        try:
            actions = {i.key: (i.result or {}).get("action") for i in store.items()}
            assert actions == {f"k{i}": "created" for i in range(1, ROWS + 1)}, actions
            deletes = {t.deal_id for t in targets(store) if t.op == "delete"}
        finally:
            store.close()
        made = {int(d["id"]) for d in sandbox_deals(sb)}
        assert len(made) == ROWS  # nothing doubled
        assert deletes == made  # and the undo deletes every one of them
