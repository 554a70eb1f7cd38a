"""The import's sent journal (``job.sent``) is compacted (f26f 2: it kept one line per
create forever, 50,000 lines for a 50,000-row import, all read on each resume): a line
goes once its item is done or skipped in job.sqlite itself, so a -wal lost after a kill
never takes back a send the journal no longer names; in doubt, pending and failed items
keep theirs."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import jobs.importing.sent as sent_module
from bulk.runner import BATCH
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs.importing.sent import SENT_FILE, append_sent, sent_keys
from tests.import_support import import_once, sandbox_deals

FAST = {"time_scale": 0.02, "seed": 7}


def _lines(directory: Path) -> int:
    path = directory / SENT_FILE
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def _store(tmp_path: Path, n: int) -> JobStore:
    store = JobStore.create(tmp_path / "job", job_id="j", kind="import", config={})
    store.add_items([NewItem(op="create", key=f"k{i}", payload={}, row=i + 1)
                     for i in range(1, n + 1)])
    return store


def _final_without_wal(directory: Path, into: Path) -> set[int]:
    """The items done or skipped in job.sqlite alone: what a kill, then the -wal
    removed, would leave."""
    into.mkdir()
    shutil.copyfile(directory / "job.sqlite", into / "job.sqlite")
    conn = sqlite3.connect(into / "job.sqlite")
    try:
        return {i for (i,) in conn.execute(
            "SELECT id FROM items WHERE state IN ('done', 'skipped')")}
    finally:
        conn.close()


def test_compaction_keeps_every_line_a_lost_wal_would_need(tmp_path: Path) -> None:
    """Four rounds of sends and outcomes, one of them while a reader's snapshot holds the
    -wal back: after each compaction, every item the journal named whose final state
    job.sqlite alone does not hold is still named; done / skipped items the file holds
    are gone from it; failed, in-doubt and pending ones stay."""
    store = _store(tmp_path, 40)
    directory = store.directory
    ids = [i.id for i in store.items()]
    journaled: set[int] = set()
    try:
        for round_, chunk in enumerate([ids[0:10], ids[10:20], ids[20:30], ids[30:40]]):
            store.mark_sending(chunk, 1.0)
            for item_id in chunk:
                append_sent(directory, f"k{item_id}", item_id)
            journaled.update(chunk)
            reader = None
            if round_ == 2:  # a `pdbulk status` reading meanwhile: the -wal is held back
                reader = sqlite3.connect(directory / "job.sqlite")
                reader.execute("BEGIN")
                reader.execute("SELECT count(*) FROM items").fetchall()
            store.record([Outcome(chunk[0], ItemState.FAILED, error="400"),
                          Outcome(chunk[1], ItemState.SKIPPED),
                          Outcome(chunk[2], ItemState.PENDING)]
                         + [Outcome(i, ItemState.DONE, result={"deal_id": i})
                            for i in chunk[3:8]])  # chunk[8:] stay in doubt
            before, kept = sent_module.compact_sent(directory, store.final_in_file)
            if reader is not None:
                assert kept == before, (before, kept)  # nothing provable: all kept
                reader.close()
            named = {int(k[1:]) for k in sent_keys(directory)}
            final = _final_without_wal(directory, tmp_path / f"copy{round_}")
            assert journaled - final <= named, sorted(journaled - final - named)
            if reader is None:
                assert not named & final, sorted(named & final)
        # round 2's done / skipped went with round 3's compaction: 4 a round are left
        # (failed, pending, 2 in doubt)
        assert _lines(directory) == len(named) == 4 * 4, sorted(named)
    finally:
        store.close()


def test_a_cut_line_and_a_missing_journal(tmp_path: Path) -> None:
    """A line cut short by a kill is kept (its send may be in doubt); no journal: nothing
    to do; a journal of settled creates only is removed."""
    store = _store(tmp_path, 3)
    directory = store.directory
    try:
        assert sent_module.compact_sent(directory, store.final_in_file) == (0, 0)
        ids = [i.id for i in store.items()]
        store.mark_sending(ids, 1.0)
        for item_id in ids:
            append_sent(directory, f"k{item_id}", item_id)
        store.record([Outcome(i, ItemState.DONE, result={"deal_id": i}) for i in ids])
        with (directory / SENT_FILE).open("ab") as f:
            f.write(b'{"key":"k9","it')
        assert sent_module.compact_sent(directory, store.final_in_file) == (4, 1)
        assert (directory / SENT_FILE).read_bytes() == b'{"key":"k9","it'
        (directory / SENT_FILE).write_bytes(b"")
        append_sent(directory, "k1", ids[0])
        assert sent_module.compact_sent(directory, store.final_in_file) == (1, 0)
        assert not (directory / SENT_FILE).exists()
    finally:
        store.close()


@pytest.mark.anyio
async def test_an_import_run_keeps_its_journal_bounded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """600 creates by 4 workers, compacted every 20 sends: the journal never holds more
    than two compactions' sends, the creates in flight and the outcomes not yet written
    (the writer's batch and the two its stream holds, ``bulk.runner.BATCH``): at most
    20 + 20 + 4 + 3 x 64 = 236 (82 seen; it was 600 at the end), and is gone once the
    run ends."""
    monkeypatch.setattr("jobs.importing.creates.COMPACT_EVERY", 20, raising=False)
    most = [0]
    real = sent_module.append_sent

    def watched(directory: Path, key: str, item_id: int, at: float | None = None) -> None:
        real(directory, key, item_id, at)
        most[0] = max(most[0], _lines(directory))

    monkeypatch.setattr("jobs.importing.creates.append_sent", watched)
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("key,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(1, 601)))
    mapping.write_text('[import]\nkey_column = "key"\nmode = "insert"\n[deal]\ntitle = "title"\n')
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                         max_workers=4)
        try:
            assert store.counts()[ItemState.DONE] == 600
            assert len(sandbox_deals(sb)) == 600
            assert 0 < most[0] <= 20 + 20 + 4 + 3 * BATCH, most[0]
            assert _lines(store.directory) == 0
        finally:
            store.close()
