"""The three-way record (``jobs.last_written``) is written incrementally: a run's end
records the items settled since the last run's end only, each once, in bounded batches
(a resume of a 1M-row job wrote its ~10M fields again: f32c 1)."""

from __future__ import annotations

import sqlite3
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs import last_written

URL = "https://acme.pipedrive.com"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    s = JobStore.create(tmp_path / "job", job_id="night-1", kind="import",
                        config={"engine": {"base_url": URL}})
    yield s
    s.close()


def _created(store: JobStore, n: int) -> None:
    store.add_items(NewItem(row=i + 2, key=f"K{i}", op="create", payload={
        "deal": {"title": f"Deal {i}", "value": i, "custom_fields": {"abc": f"K{i}"}}})
        for i in range(n))


def _settle(store: JobStore, ids: list[int]) -> None:
    store.mark_sending(ids, time.time())
    store.record([Outcome(i, ItemState.DONE, result={"deal_id": 100 + i, "action": "created"})
                  for i in ids])


def _rows(tmp: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(tmp / "state" / last_written.FILE)
    try:
        return sorted((deal, field, job) for _, deal, field, _, _, job in last_written._dump(conn))
    finally:
        conn.close()


def test_a_runs_end_records_only_what_settled_since_the_last(store: JobStore,
                                                             tmp_path: Path) -> None:
    """Run 1 settles 2 of 3 creates: 6 fields recorded; the resume settles the third: 3
    fields written, not 9; a third end with nothing new writes nothing."""
    _created(store, 3)
    _settle(store, [1, 2])
    assert last_written.record_job(store, URL) == 6
    _settle(store, [3])
    assert last_written.record_job(store, URL) == 3
    assert last_written.record_job(store, URL) == 0
    assert [(d, f) for d, f, _ in _rows(tmp_path)] == [
        (d, f) for d in (101, 102, 103) for f in ("custom_fields.abc", "title", "value")]


def test_a_batch_at_a_time_and_a_kill_between_record_and_marks(
        store: JobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More items than a batch are all recorded; items recorded but not yet marked (a kill
    between the two) are recorded again at the next end, never lost."""
    monkeypatch.setattr(last_written, "_BATCH", 2)
    _created(store, 5)
    _settle(store, [1, 2, 3, 4, 5])
    calls: list[int] = []
    real = JobStore.lookup_put_many

    def killed_after_first(self: JobStore, kind: str, pairs: Any, **kw: Any) -> int:
        calls.append(1)
        if len(calls) > 1:
            raise sqlite3.OperationalError("killed")
        return real(self, kind, pairs, **kw)

    monkeypatch.setattr(JobStore, "lookup_put_many", killed_after_first)
    with pytest.raises(sqlite3.OperationalError):
        last_written.record_job(store, URL)
    monkeypatch.setattr(JobStore, "lookup_put_many", real)
    assert last_written.record_job(store, URL) == 9  # items 3..5 (3 was recorded, unmarked)
    assert len(_rows(tmp_path)) == 15
    assert last_written.record_job(store, URL) == 0


def test_two_tokens_on_one_url_keep_two_records(store: JobStore, tmp_path: Path) -> None:
    """Every company's URL is ``api.pipedrive.com`` and deal ids are per company: a base
    recorded under one token is not read, nor forgotten, under another (the URL alone let
    company A's base hide company B's change of its own deal 101)."""
    from bulk.token_key import bind_token

    _created(store, 1)
    _settle(store, [1])
    try:
        bind_token("company-a-token-0123456789")
        assert last_written.record_job(store, URL) == 3
        record = last_written.LastWritten.open(URL)
        assert record is not None and set(record.of(101)) == {
            "custom_fields.abc", "title", "value"}
        record.close()
        bind_token("company-b-token-0123456789")
        record = last_written.LastWritten.open(URL)
        assert record is not None and record.of(101) == {}
        record.close()
        assert last_written.forget(URL, [101]) == 0
        bind_token("company-a-token-0123456789")
        assert last_written.forget(URL, [101]) == 3
    finally:
        bind_token(None)
    stored = (tmp_path / "state" / last_written.FILE).read_bytes()
    assert b"company-a-token" not in stored and b"company-b-token" not in stored


# the first layout (before f33g): one row per field, account and job as text on every one
_FIRST_LAYOUT = """CREATE TABLE written (
    account TEXT NOT NULL, deal INTEGER NOT NULL, field TEXT NOT NULL,
    digest TEXT NOT NULL, at REAL NOT NULL, job TEXT NOT NULL,
    PRIMARY KEY (account, deal, field)) WITHOUT ROWID"""


def _first_layout(path: Path, rows: list[tuple[Any, ...]]) -> None:
    """A record as the first layout's code wrote it (its schema, its statement)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_FIRST_LAYOUT)
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO written VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account, deal, "
                "field) DO UPDATE SET digest = excluded.digest, at = excluded.at, "
                "job = excluded.job WHERE excluded.at >= written.at", rows)
    finally:
        conn.close()


def test_a_record_of_the_first_layout_keeps_working(store: JobStore, tmp_path: Path) -> None:
    """A state folder's record written by the first layout (a row per field) is moved on
    its first open: every base reads as before, per account; forgetting one undone job's
    fields leaves the other job's; a new run's writes land on top."""
    path = tmp_path / "state" / last_written.FILE
    account = last_written.account_of(URL)
    old = [(account, 101, "title", last_written.digest("Deal 0"), 10.0, "night-0"),
           (account, 101, "value", last_written.digest(0), 10.0, "night-0"),
           (account, 101, "stage_id", last_written.digest(3), 20.0, "night-x"),
           (account, 102, "custom_fields.abc", last_written.digest("K1"), 10.0, "night-0"),
           ("https://other.pipedrive.com", 101, "title", last_written.digest("B"), 10.0, "b")]
    _first_layout(path, old)
    record = last_written.LastWritten.open(URL)
    assert record is not None
    try:
        assert record.of(101) == {"title": last_written.digest("Deal 0"),
                                  "value": last_written.digest(0),
                                  "stage_id": last_written.digest(3)}
        assert record.of(102) == {"custom_fields.abc": last_written.digest("K1")}
        assert record.of(103) == {}
    finally:
        record.close()
    conn = sqlite3.connect(path)
    try:
        assert sorted(last_written._dump(conn)) == sorted(old)  # nothing lost, nothing added
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'written'"
                            ).fetchone() == (0,)
    finally:
        conn.close()
    assert last_written.forget(URL, [101], job="night-x") == 1  # the undone job's only
    assert last_written.forget(URL, [101, 102], job="nobody") == 0
    _created(store, 1)
    _settle(store, [1])  # deal 101 again, by this job
    assert last_written.record_job(store, URL) == 3
    assert [(d, f, j) for d, f, j in _rows(tmp_path) if d == 101] == [
        (101, "custom_fields.abc", "night-1"), (101, "title", "b"),
        (101, "title", "night-1"), (101, "value", "night-1")]
    assert last_written.forget(URL, [101, 102]) == 4


def test_the_record_takes_a_fifth_of_the_first_layouts_room(store: JobStore,
                                                           tmp_path: Path) -> None:
    """1,000 deals of 10 fields: the first layout's file (account and job as text on every
    field row) is over 5 times the packed one's (one row per deal; the names once each),
    the same record moved from the one to the other."""
    path = tmp_path / "state" / last_written.FILE
    account = f"{last_written.account_of(URL)} {'k' * 16}"  # a token's key, as runs record
    _first_layout(path, [(account, 10_000_000 + d, f"custom_fields.{f:040x}" if f > 6
                          else f"field_{f}", last_written.digest([d, f]), 1.7e9 + d,
                          "20260105-021500-import-3f9a2b")
                         for d in range(1000) for f in range(10)])

    def size() -> int:
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))

    first = size()
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    first = min(first, size())
    last_written.LastWritten.open(URL).close()  # type: ignore[union-attr]
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert size() * 5 < first, (size(), first)
        assert sum(1 for _ in last_written._dump(conn)) == 10_000
    finally:
        conn.close()


def test_a_runs_writes_are_recorded_as_its_items_settle(store: JobStore, tmp_path: Path) -> None:
    """The recorder records every ``every`` settled items in its thread, as the run goes
    (an item noted before its outcome was stored: by the next batch): a kill -9 after 20
    of 25 creates loses only what settled since the last batch; the resume's end records
    the 6 items left (18 fields), none again."""
    _created(store, 25)
    recorder = last_written.Recorder(store, URL, every=10)
    recorder.start()

    def written() -> None:
        assert recorder._running is not None
        recorder.wait(10)

    written()
    for first in (1, 11):
        ids = list(range(first, first + 10))
        _settle(store, ids[:-1])
        store.mark_sending(ids[-1:], time.time())  # its outcome not stored yet
        for i in ids:
            recorder.settled(i)
        written()
        store.record([Outcome(ids[-1], ItemState.DONE, result={
            "deal_id": 100 + ids[-1], "action": "created"})])
    assert sorted({d for d, _, _ in _rows(tmp_path)}) == list(range(101, 120))
    assert recorder.recorded == 19 * 3
    recorder._pool.shutdown(wait=True)  # killed here: never closed
    _settle(store, [21, 22, 23, 24, 25])
    assert last_written.record_job(store, URL) == 6 * 3  # items 20..25, once each
    assert [(d, f) for d, f, _ in _rows(tmp_path)] == [
        (d, f) for d in range(101, 126) for f in ("custom_fields.abc", "title", "value")]
    assert last_written.record_job(store, URL) == 0


def test_a_recorders_batches_name_the_runs_account(store: JobStore, tmp_path: Path) -> None:
    """The recorder's thread records under the token the run bound (its context): the
    account is the URL and that token's key, as ``record_job`` on the loop's side names it
    (a thread without the context recorded the URL alone, and the next run's base was
    missing: a colleague's reopening of a won deal was put back)."""
    from bulk.token_key import bind_token, token_key

    _created(store, 3)
    bind_token("company-a-token-0123456789")
    try:
        key = token_key()
        recorder = last_written.Recorder(store, URL, every=2)
        recorder.start()
        _settle(store, [1, 2])
        recorder.settled(1)
        recorder.settled(2)
        _settle(store, [3])
        assert recorder.close() == 9
    finally:
        bind_token(None)
    conn = sqlite3.connect(tmp_path / "state" / last_written.FILE)
    try:
        assert {a for a, *_ in last_written._dump(conn)} == {f"{last_written.account_of(URL)} {key}"}
    finally:
        conn.close()


@pytest.mark.anyio
async def test_an_imports_first_run_ends_with_little_left_to_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An import of 40 rows, recorded 5 items at a time as they settle: the run's end
    records what the last batches left (at most a quarter), not the whole job (it recorded every deal there:
    ~12 s per 200,000 rows); every deal is in the record once the run ended."""
    from bulk.sandbox import SandboxConfig, serve
    from bulk.sandbox.config import Faults
    from tests.import_support import import_once
    from tests.test_upsert_three_way import _files

    monkeypatch.setattr(last_written, "_BATCH", 5)
    ended: list[last_written.Recorder] = []
    real = last_written.Recorder.close

    def close(self: last_written.Recorder) -> int:
        ended.append(self)
        return real(self)

    monkeypatch.setattr(last_written.Recorder, "close", close)
    rows = [(f"K{i}", f"Deal {i}", str(100 + i), "Qualified") for i in range(40)]
    # one row at a time, 20 ms each: the runner stores outcomes as the run goes
    config = SandboxConfig(time_scale=0.02, deals=0, seed=5, faults=Faults(latency_ms=20))
    async with serve(config) as sb:
        manifest, mapping = _files(tmp_path, rows)
        store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                             max_workers=1)
        try:
            assert result.counts[ItemState.DONE] == 40, result
            made = {int(i.result["deal_id"]) for i in store.items() if i.result}
        finally:
            store.close()
    record = last_written.LastWritten.open(sb.url)
    assert record is not None
    try:
        fields = {deal: record.of(deal) for deal in made}
    finally:
        record.close()
    assert len(made) == 40 and all("title" in f and "value" in f for f in fields.values())
    total = sum(len(f) for f in fields.values())
    (recorder,) = ended
    assert recorder.recorded == total and recorder.at_end <= total // 4, (recorder, total)


def test_an_undo_put_back_in_part_forgets_only_the_fields_it_put_back(
        store: JobStore, tmp_path: Path) -> None:
    """An undo that restored a deal's title but left its amount (a colleague changed it)
    forgets the title's base only: the amount's base stays, so the next upsert reads the
    colleague's amount as Pipedrive's newer value (forgetting it made the file's old amount
    a first import's write over it)."""
    _created(store, 2)
    _settle(store, [1, 2])
    assert last_written.record_job(store, URL) == 6
    assert last_written.forget(URL, [101, 102], job="night-1",
                               only={101: {"title"}}) == 4  # 101's title, 102's three
    record = last_written.LastWritten.open(URL)
    assert record is not None
    try:
        assert set(record.of(101)) == {"custom_fields.abc", "value"}
        assert record.of(102) == {}
    finally:
        record.close()


def test_a_damaged_record_row_reads_as_no_base() -> None:
    """A packed row cut short (a damaged file) reads as a deal never written, never as an
    exception out of the upsert's planning."""
    none = last_written.NO_PRIOR
    entries = {1: (b"\x01" * 8, 1.0, 1, (b"\x03" * 8, 2, none)),
               2: (b"\x02" * 8, 1.0, 1, None), 3: (b"\x04" * 8, 1.0, 1, none),
               4: (b"\x05" * 8, 1.0, 1, (b"\x06" * 8, 3, (b"\x07" * 8, 2, None)))}
    packed = last_written._pack(entries)
    assert last_written._unpack(packed) == entries
    for cut in range(1, len(packed)):
        assert last_written._unpack(packed[:cut]) == {}


def test_a_record_of_the_format_before_priors_reads_with_priors_not_known() -> None:
    """A deal packed before priors were kept (format 1: no prior section) reads with every
    prior not known (None: ``rebase`` falls back), and is packed again in this format; a
    first write's priors (none) cost 4 bytes a deal, one replacing another job's 16 a field
    (200,000 deals x 10 fields: +0.8 MB for a first import, +32 MB at most after)."""
    old = b"\x01" + struct.pack("<IdI", 7, 5.0, 2) + struct.pack("<2I", 1, 2) + b"\x01" * 16
    assert last_written._unpack(old) == {1: (b"\x01" * 8, 5.0, 7, None),
                                         2: (b"\x01" * 8, 5.0, 7, None)}
    first = last_written._pack({f: (b"\x01" * 8, 5.0, 7, last_written.NO_PRIOR)
                                for f in range(10)})
    old10 = 1 + 16 + 10 * 12
    assert len(first) == old10 + 4
    later = last_written._pack({f: (b"\x01" * 8, 5.0, 7, (b"\x02" * 8, 3, last_written.NO_PRIOR))
                                for f in range(10)})
    assert len(later) == old10 + 4 + 10 * 16
    # format 2 (one prior a field): each prior's own prior not known
    two = b"\x02" + later[1:]
    assert last_written._unpack(two)[0] == (b"\x01" * 8, 5.0, 7, (b"\x02" * 8, 3, None))
    # three bases kept behind a write (``DEPTH``): 16 bytes each, the fourth not known
    deep: last_written._Prior = last_written.NO_PRIOR
    for job in range(2, 7):
        deep = (bytes([job]) * 8, job, deep)
    kept = last_written._chained(deep)
    assert kept == (b"\x06" * 8, 6, (b"\x05" * 8, 5, (b"\x04" * 8, 4, None)))
    packed = last_written._pack({f: (b"\x01" * 8, 5.0, 7, kept) for f in range(10)})
    assert len(packed) == old10 + 4 + 10 * 4 * 16
    assert last_written._unpack(packed)[9][3] == kept


def test_a_recorders_batch_reads_its_items_together(store: JobStore, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of 1,200 settled items is read back by id in 3 reads (500 ids a read), not
    one read an item (1,200 before: the record's CPU at 200k rows was 1.16x the first
    layout's end); every item is recorded, the one still sending is noted again."""
    _created(store, 1201)
    _settle(store, list(range(1, 1201)))
    store.mark_sending([1201], time.time())
    reads: list[str] = []
    real = JobStore._query

    def counted(self: JobStore, what: str, sql: str, params: Any = ()) -> Any:
        reads.append(what)
        return real(self, what, sql, params)
    monkeypatch.setattr(JobStore, "_query", counted)
    recorder = last_written.Recorder(store, URL, every=2000)
    later = recorder._record(set(range(1, 1202)), False)
    assert later == {1201}
    assert sum(1 for what in reads if what.startswith("read item")) == 3, reads[:5]
    assert len({d for d, _, _ in _rows(tmp_path)}) == 1200
    recorder.close()
