"""The job store: legal transitions only, durable across kills, resumable, never a token."""

from __future__ import annotations

import contextlib
import itertools
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bulk.errors import StoreError
from bulk.store import (
    FILENAME,
    LEGAL,
    SCHEMA_VERSION,
    AsyncJobStore,
    BeforeImage,
    ItemState,
    JobStore,
    NewItem,
    Outcome,
    list_jobs,
)

S = ItemState
TOKEN = "0f3c9a1b2d4e5f60718293a4b5c6d7e8f9a0b1c2"  # looks like a Pipedrive api token


def new(n: int, start: int = 1) -> Iterator[NewItem]:
    for i in range(start, start + n):
        yield NewItem(row=i, key=f"k{i}", op="create", payload={"title": f"Deal {i}", "v": i})


def make(path: Path, n: int = 0, **config: Any) -> JobStore:
    store = JobStore.create(path, job_id=path.name, kind="import", config=config)
    store.add_items(new(n))
    return store


def move(store: JobStore, item_id: int, target: ItemState) -> None:
    """Drive one item to ``target`` through the public API."""
    if target is S.SENDING:
        store.mark_sending([item_id], now=1.0)
    else:
        store.record([Outcome(item_id, target)])


PATH_TO = {  # a legal path from pending to each state
    S.PENDING: [], S.SENDING: [S.SENDING], S.DONE: [S.SENDING, S.DONE],
    S.FAILED: [S.FAILED], S.SKIPPED: [S.SKIPPED],
}


@pytest.mark.parametrize("src", list(S))
@pytest.mark.parametrize("dst", list(S))
def test_every_transition_is_allowed_exactly_when_legal(tmp_path: Path, src: S, dst: S) -> None:
    """All 25 (from, to) pairs: legal ones apply, the rest raise ValueError and change nothing."""
    with make(tmp_path / "j", 1) as store:
        for step in PATH_TO[src]:
            move(store, 1, step)
        if dst in LEGAL[src]:
            move(store, 1, dst)
            assert next(store.items()).state is dst
        else:
            with pytest.raises(ValueError, match=r"illegal transition|cannot mark"):
                move(store, 1, dst)
            assert next(store.items()).state is src


class Transitions(RuleBasedStateMachine):
    """Random batches of moves against a model of the LEGAL table; batches are all-or-nothing."""

    N = 6

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.store = make(Path(self.tmp.name) / "j", self.N)
        self.model = {i: S.PENDING for i in range(1, self.N + 1)}
        self.attempts = dict.fromkeys(self.model, 0)

    def teardown(self) -> None:
        self.store.close()
        self.tmp.cleanup()

    ids = st.lists(st.integers(1, N), min_size=1, max_size=4)

    @rule(ids=ids)
    def mark_sending(self, ids: list[int]) -> None:
        legal = len(set(ids)) == len(ids) and all(self.model[i] is S.PENDING for i in ids)
        if legal:
            self.store.mark_sending(ids, now=5.0)
            for i in ids:
                self.model[i] = S.SENDING
                self.attempts[i] += 1
        else:
            with pytest.raises(ValueError):
                self.store.mark_sending(ids, now=5.0)

    @rule(moves=st.lists(st.tuples(st.integers(1, N), st.sampled_from(
        [S.DONE, S.FAILED, S.PENDING, S.SKIPPED])), min_size=1, max_size=4))
    def record(self, moves: list[tuple[int, ItemState]]) -> None:
        ids = [i for i, _ in moves]
        legal = len(set(ids)) == len(ids) and all(t in LEGAL[self.model[i]] for i, t in moves)
        outcomes = [Outcome(i, t, result={"deal_id": i} if t is S.DONE else None,
                            error="boom" if t is S.FAILED else None) for i, t in moves]
        if legal:
            self.store.record(outcomes)
            self.model.update(moves)
        else:
            with pytest.raises(ValueError):
                self.store.record(outcomes)

    @rule(ids=st.none() | ids)
    def retry(self, ids: list[int] | None) -> None:
        if ids is None:
            expected = [i for i, s in self.model.items() if s is S.FAILED]
            assert self.store.failed_to_pending() == len(expected)
        elif len(set(ids)) == len(ids) and all(self.model[i] is S.FAILED for i in ids):
            expected = ids
            assert self.store.failed_to_pending(ids) == len(ids)
        else:
            with pytest.raises(ValueError):
                self.store.failed_to_pending(ids)
            return
        self.model.update(dict.fromkeys(expected, S.PENDING))

    @rule()
    def reopen(self) -> None:
        directory = self.store.directory
        self.store.close()
        self.store = JobStore.open(directory)

    @invariant()
    def store_matches_model(self) -> None:
        items = list(self.store.items())
        assert {it.id: it.state for it in items} == self.model
        assert {it.id: it.attempts for it in items} == self.attempts
        assert sum(self.store.counts().values()) == self.N


TestTransitions = Transitions.TestCase
TestTransitions.settings = settings(max_examples=30, stateful_step_count=20, deadline=None)


def test_resume_finds_pending_and_in_doubt_items(tmp_path: Path) -> None:
    """After reopening, pending items continue by id and SENDING ones come back as in doubt."""
    with make(tmp_path / "j", 10) as store:
        store.mark_sending([1, 2, 3], now=1234.5)
        store.record([Outcome(1, S.DONE, result={"deal_id": 99, "action": "created"})])
    with JobStore.open(tmp_path / "j") as store:
        doubt = store.in_doubt()
        assert [(it.id, it.attempts, it.sent_at) for it in doubt] == [(2, 1, 1234.5),
                                                                     (3, 1, 1234.5)]
        assert [it.id for it in store.pending(4)] == [4, 5, 6, 7]
        assert [it.id for it in store.pending(4, after_id=7)] == [8, 9, 10]
        done = next(store.items(S.DONE))
        assert (done.row, done.key, done.result) == (1, "k1", {"deal_id": 99, "action": "created"})
        assert done.payload == {"title": "Deal 1", "v": 1}
        # reconciled: 2 was applied, 3 was not
        store.record([Outcome(2, S.DONE, result={"deal_id": 7}), Outcome(3, S.PENDING)])
        assert store.in_doubt() == []
        assert store.counts() == {S.PENDING: 8, S.SENDING: 0, S.DONE: 2, S.FAILED: 0,
                                  S.SKIPPED: 0}


CRASH = textwrap.dedent("""
    import os, signal, sys, threading, time
    from pathlib import Path
    from bulk.store import JobStore, NewItem, Outcome, ItemState
    store = JobStore.create(Path(sys.argv[1]), job_id="crash", kind="import", config={})
    if sys.argv[2] == "timer":  # die at an arbitrary instant, maybe inside a transaction
        threading.Timer(float(sys.argv[3]), os.kill, (os.getpid(), signal.SIGKILL)).start()
    store.add_items(NewItem(i, f"k{i}", "create", {"title": str(i)}) for i in range(1, 5001))
    batch = 0
    while items := store.pending(100):
        ids = [it.id for it in items]
        store.mark_sending(ids, now=float(batch))
        if sys.argv[2] == "batches" and batch == 3:  # half a batch answered, then death
            store.record([Outcome(i, ItemState.DONE, result={"deal_id": i}) for i in ids[:50]])
            print("recorded", *ids[:50], flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        store.record([Outcome(i, ItemState.DONE, result={"deal_id": i}) for i in ids])
        print("recorded", *ids, flush=True)
        batch += 1
    time.sleep(60)  # a timer kill comes even on a machine that finished first
""")


def run_crash(tmp_path: Path, *args: str) -> set[int]:
    proc = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path / "j"), *args],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent.parent)
    assert proc.returncode == -9, proc.stderr
    return {int(x) for line in proc.stdout.splitlines() if line.startswith("recorded")
            for x in line.split()[1:]}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_between_batches_loses_nothing_recorded(tmp_path: Path) -> None:
    """SIGKILL after a half-recorded batch: every recorded outcome is there, the rest resume."""
    recorded = run_crash(tmp_path, "batches")
    assert len(recorded) == 350
    with JobStore.open(tmp_path / "j") as store:
        items = list(store.items())
        assert len(items) == 5000
        done = {it.id for it in items if it.state is S.DONE}
        assert done == recorded
        assert all(it.result == {"deal_id": it.id} for it in items if it.id in done)
        assert [it.id for it in store.in_doubt()] == list(range(351, 401))
        assert {it.state for it in items if it.id > 400} == {S.PENDING}


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("delay", [0.02, 0.1, 0.3])
def test_killed_at_any_instant_batches_are_all_or_nothing(tmp_path: Path, delay: float) -> None:
    """SIGKILL from a timer, mid-transaction or not: each batch is wholly recorded or not at all."""
    recorded = run_crash(tmp_path, "timer", str(delay))
    with JobStore.open(tmp_path / "j") as store:
        items = list(store.items())
    assert len(items) in range(0, 5001, 1000)  # loading is chunked: whole chunks only
    assert recorded <= {it.id for it in items if it.state is S.DONE}
    for start in range(0, len(items), 100):
        assert len({it.state for it in items[start:start + 100]}) == 1


def test_schema_version_newer_is_refused(tmp_path: Path) -> None:
    """A store written by a newer pipedrive-bulk is refused with a clear StoreError."""
    make(tmp_path / "j").close()
    with sqlite3.connect(tmp_path / "j" / FILENAME) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this pipedrive-bulk supports"):
        JobStore.open(tmp_path / "j")
    with sqlite3.connect(tmp_path / "j" / FILENAME) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)


def test_open_refuses_what_is_not_a_job_store(tmp_path: Path) -> None:
    """Missing, garbage, existing on create, or already open (here too: f24c F3): StoreError each."""
    with pytest.raises(StoreError, match="no job store"):
        JobStore.open(tmp_path / "nothing")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / FILENAME).write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a database"):
        JobStore.open(tmp_path / "junk")
    with make(tmp_path / "j"):
        with pytest.raises(StoreError, match="already exists"):
            make(tmp_path / "j")
        with pytest.raises(StoreError, match=r"already open \(in this process or another\)"):
            JobStore.open(tmp_path / "j")
    JobStore.open(tmp_path / "j").close()  # the lock went with close()


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_refused_create_leaves_nothing_behind(tmp_path: Path) -> None:
    """Create while another process holds the job's lock: StoreError, and no half-made file."""
    import fcntl

    (tmp_path / "j").mkdir()
    with open(tmp_path / "j" / "job.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"already open \(in this process or another\)"):
            make(tmp_path / "j")
    assert not (tmp_path / "j" / FILENAME).exists()
    store = make(tmp_path / "j")
    store.close()
    with pytest.raises(RuntimeError, match="closed"):
        store.counts()


@pytest.mark.parametrize("config", [
    {"api_token": TOKEN}, {"token": TOKEN}, {"apiToken": TOKEN}, {"x-api-token": TOKEN},
    {"auth": {"access_token": TOKEN}}, {"client_secret": TOKEN}, {"steps": [{"password": "x"}]},
])
def test_config_with_a_credential_is_refused(tmp_path: Path, config: dict[str, Any]) -> None:
    """Any key named like a credential, at any depth, is refused; nothing reaches the disk."""
    with pytest.raises(ValueError, match="refusing") as err:
        JobStore.create(tmp_path / "j", job_id="j", kind="import", config=config)
    assert TOKEN not in str(err.value)
    assert not (tmp_path / "j" / FILENAME).exists()


def test_full_lifecycle_never_writes_the_token(tmp_path: Path) -> None:
    """Every table used, refused attempts included: the token is in no file of the job."""
    with make(tmp_path / "j", 50, reserve_tokens=500, token_budget=1000) as store:
        with pytest.raises(ValueError):
            store.meta_put("plan", {"headers": {"x-api-token": TOKEN}})
        with pytest.raises(ValueError):
            store.meta_put("api_token", TOKEN)
        store.meta_put("plan", {"calls": 50, "tokens": 250})
        store.set_status("running")
        store.lookup_put_many("person", [("email:ann@x.com", 42)])
        store.mark_sending([1, 2, 3], now=time.time())
        store.put_before_images([BeforeImage("deal", 7, 1, {"title": "old"}, 1.0)])
        store.record([Outcome(1, S.DONE, result={"deal_id": 7}), Outcome(2, S.FAILED,
                      error="400 Validation failed", status=400), Outcome(3, S.PENDING)])
        store.add_spend("2026-01-02", "addDeal", 5, 1)
        store.set_status("finished", "done")
        files = list((tmp_path / "j").iterdir())
        assert any(f.name.endswith("-wal") for f in files)
        assert all(TOKEN.encode() not in f.read_bytes() for f in files)
    assert all(TOKEN.encode() not in f.read_bytes() for f in (tmp_path / "j").iterdir())


def test_lookups_before_images_spend_and_meta_round_trip(tmp_path: Path) -> None:
    """The side tables keep what they are given; first before-image wins; spend adds up."""
    with make(tmp_path / "j") as store:
        assert store.lookup_put_many("person", ((f"email:{i}@x", i) for i in range(1500))) == 1500
        store.lookup_put_many("person", [("email:1@x", 1001)])
        assert store.lookup_get("person", "email:1@x") == 1001
        assert store.lookup_get("org", "email:1@x") is None
        assert store.lookup_get_many("person", ["email:2@x", "nope"]) == {"email:2@x": 2}
        # a create's lookup and its made- lookup: one transaction, read back by kind
        store.lookup_put_many("org", [("acme", 7), ("globex", 8)], also=("made-org",))
        assert store.lookups("made-org") == store.lookups("org") == {"acme": 7, "globex": 8}
        images = [BeforeImage("deal", i, i, {"title": f"t{i}"}, 1.0) for i in range(1200)]
        assert store.put_before_images(images) == 1200
        assert store.put_before_images([BeforeImage("deal", 0, 9, {"title": "later"}, 2.0)]) == 0
        assert list(store.before_images("deal")) == images
        assert list(store.before_images("person")) == []
        store.add_spend("2026-01-01", "addDeal", 50, 10)
        store.add_spend("2026-01-01", "addDeal", 5, 1)
        store.add_spend("2026-01-02", "getDeals", 10, 1)
        with pytest.raises(ValueError):
            store.add_spend("yesterday", "getDeals", 10, 1)
        assert store.spend_by_day() == {"2026-01-01": 55, "2026-01-02": 10}
        assert store.spend_by_operation() == {"addDeal": (55, 11), "getDeals": (10, 1)}
        store.meta_put("fields", {"external_id": "abc123"})
        assert store.meta_get("fields") == {"external_id": "abc123"}
        assert store.meta_get("missing") is None
        store.meta_put("p_x.1", 1)
        store.meta_put("p_x.2", {"t": "a"})
        store.meta_put("pAx.3", 3)  # LIKE's "_" is escaped: not a match
        store.meta_put("P_X.4", 4)  # nor is another case
        assert store.meta_prefixed("p_x.") == {"p_x.1": 1, "p_x.2": {"t": "a"}}
        with pytest.raises(ValueError, match="unknown job status"):
            store.set_status("exploded")
        store.set_status("running")
        store.set_status("stopped", "daily budget spent; resumes after the reset")
    with JobStore.open(tmp_path / "j") as store:
        assert store.spend_by_day() == {"2026-01-01": 55, "2026-01-02": 10}
        assert (store.status, store.status_message) == (
            "stopped", "daily budget spent; resumes after the reset")
        assert (store.job_id, store.kind, store.config) == ("j", "import", {})


def test_add_items_streams_100k_in_bounded_memory(tmp_path: Path) -> None:
    """100k items go in as they are read, a chunk per transaction, and memory does not grow.

    Two proofs in one pass: the generator checks, every 10k items, that all but the last
    two chunks are already committed (so the iterable is never materialised), and
    tracemalloc, watching the last 20k items, sees a peak of about one chunk. Tracing all
    100k would triple the run time (every allocation, SQLite's binding included, is hooked).
    """
    payload = {"title": "Deal", "value": 1000, "currency": "EUR", "stage": "Qualified"}

    def source(peek: sqlite3.Connection) -> Iterator[NewItem]:
        for i in range(1, 100_001):
            if i % 10_000 == 0:
                ((committed,),) = peek.execute("SELECT count(*) FROM items").fetchall()
                assert committed >= i - 2_000, (i, committed)
            if i == 80_000:
                tracemalloc.start()
            yield NewItem(i, None, "create", payload)

    with make(tmp_path / "j") as store, contextlib.closing(
            sqlite3.connect(tmp_path / "j" / FILENAME)) as peek:
        try:
            assert store.add_items(source(peek)) == 100_000
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 1_000_000, peak  # 20k NewItems alone, held at once, take ~2.4 MB
        assert store.counts()[S.PENDING] == 100_000


def test_new_items_may_start_failed_or_skipped_only(tmp_path: Path) -> None:
    """Bad rows go in FAILED with their reason, known ones SKIPPED; never SENDING or DONE."""
    with make(tmp_path / "j") as store:
        store.add_items([NewItem(2, None, "create", {}, S.FAILED, "row 2: bad date"),
                         NewItem(3, "k3", "create", {}, S.SKIPPED)])
        assert [(i.state, i.error) for i in store.items()] == [
            (S.FAILED, "row 2: bad date"), (S.SKIPPED, None)]
        for state in (S.SENDING, S.DONE):
            with pytest.raises(ValueError):
                store.add_items([NewItem(1, None, "create", {}, state)])


def test_list_jobs(tmp_path: Path) -> None:
    """Every job with its kind, status and counts, oldest first; an unreadable one says why."""
    with make(tmp_path / "b-first", 3) as store:
        store.record([Outcome(1, S.FAILED, error="x")])
    with make(tmp_path / "a-second", 2) as store:
        store.set_status("running")
        assert [j.job_id for j in list_jobs(tmp_path)] == ["b-first", "a-second"]  # while open
    (tmp_path / "not-a-job").mkdir()
    (tmp_path / "z-broken").mkdir()
    (tmp_path / "z-broken" / FILENAME).write_bytes(b"garbage" * 1000)
    jobs = list_jobs(tmp_path)
    assert [(j.job_id, j.kind, j.status, j.total) for j in jobs] == [
        ("b-first", "import", "planned", 3), ("a-second", "import", "running", 2),
        ("z-broken", "", "unreadable", 0)]
    assert jobs[0].counts[S.FAILED] == 1 and jobs[0].counts[S.PENDING] == 2
    assert jobs[2].error is not None and "not a database" in jobs[2].error
    assert list_jobs(tmp_path / "none") == []


@pytest.mark.anyio
@pytest.mark.timing  # a wall-clock gap: a loaded machine stalls the ticker as well
async def test_async_store_does_not_block_the_loop(tmp_path: Path) -> None:
    """A 1 ms ticker keeps ticking while 30k items and a 5k-outcome batch are written."""
    store = await AsyncJobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    beats: list[float] = []
    writing = True

    async def ticker() -> None:
        while writing:
            beats.append(time.perf_counter())
            await anyio.sleep(0.001)
        beats.append(time.perf_counter())

    async with store, anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        await anyio.sleep(0.01)
        started = time.perf_counter()
        assert await store.add_items(new(30_000)) == 30_000
        ids = [it.id for it in await store.pending(5000)]
        await store.mark_sending(ids, now=1.0)
        await store.record([Outcome(i, S.DONE, result={"deal_id": i}) for i in ids])
        elapsed = time.perf_counter() - started
        writing = False
    longest = max(b - a for a, b in itertools.pairwise(beats))
    # Blocking the loop, add_items alone would be one gap of more than half of `elapsed`.
    assert len(beats) >= 20 and longest < elapsed / 2, (len(beats), longest, elapsed)


@pytest.mark.anyio
async def test_async_store_serialises_concurrent_batches(tmp_path: Path) -> None:
    """Fifty concurrent workers marking and recording their own batches: all land, none clash."""
    async with await AsyncJobStore.create(tmp_path / "j", job_id="j", kind="import",
                                          config={}) as store:
        await store.add_items(new(1000))

        async def worker(n: int) -> None:
            ids = list(range(n * 20 + 1, n * 20 + 21))
            await store.mark_sending(ids, now=float(n))
            await store.record([Outcome(i, S.DONE, result={"deal_id": i}) for i in ids])
            await store.add_spend("2026-01-01", "addDeal", 100, 20)

        async with anyio.create_task_group() as tg:
            for n in range(50):
                tg.start_soon(worker, n)
        assert (await store.counts())[S.DONE] == 1000
        assert await store.spend_by_day() == {"2026-01-01": 5000}
        assert [it.id async for it in store.items(S.DONE)] == list(range(1, 1001))
        await store.set_status("running")
        await store.set_status("finished")
        assert store.status == "finished" and store.job_id == "j"
    with JobStore.open(tmp_path / "j") as again:  # the async close released the lock
        assert again.status == "finished"


# -- the job lifecycle (issue 8) ---------------------------------------------------------------
def test_job_lifecycle_is_a_state_machine(tmp_path: Path) -> None:
    """planned → loading → loaded → running → stopped | finished; cancelled and failed
    are final; an illegal move is refused and leaves the status as it was."""
    from bulk.errors import StoreError
    from bulk.store import JOB_LEGAL

    with JobStore.create(tmp_path / "j", job_id="j", kind="update", config={}) as store:
        assert store.status == "planned" and not store.loaded
        with pytest.raises(StoreError, match="planned; it cannot become finished"):
            store.set_status("finished")
        store.set_status("loading")
        store.mark_loaded()
        assert store.status == "loaded" and store.loaded
        store.set_status("running")
        store.set_status("stopped", "budget spent")
        store.set_status("running")
        store.set_status("finished")
        store.set_status("running")  # `pdbulk retry`
        store.set_status("stopped")
        store.set_status("cancelled")
        for status in JOB_LEGAL:
            if status != "cancelled":
                with pytest.raises(StoreError, match="cancelled"):
                    store.set_status(status)
        assert store.status == "cancelled"
    assert JOB_LEGAL["failed"] == frozenset() == JOB_LEGAL["cancelled"]


def test_legacy_loaded_flags_still_read(tmp_path: Path) -> None:
    with JobStore.create(tmp_path / "j", job_id="j", kind="import", config={}) as store:
        store.meta_put("import.loaded", True)
        assert store.loaded


def test_liveness_tells_a_dead_process_from_a_live_one(tmp_path: Path) -> None:
    """"running" with nobody holding the lock (kill -9) reads as interrupted."""
    with JobStore.create(tmp_path / "j", job_id="j", kind="touch", config={}) as store:
        store.set_status("running")
        with JobStore.open(tmp_path / "j", lock=False) as reader:
            assert reader.liveness() == "running"  # the holder is alive
    with JobStore.open(tmp_path / "j", lock=False) as reader:
        assert reader.liveness().startswith("interrupted")


def test_a_second_process_on_a_job_is_busy(tmp_path: Path) -> None:
    from bulk.errors import JobBusy

    with JobStore.create(tmp_path / "j", job_id="j", kind="touch", config={}):
        with pytest.raises(JobBusy, match=r"\(in this process or another\)"):
            JobStore.open(tmp_path / "j")


def test_job_folder_and_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0)
    try:
        with JobStore.create(tmp_path / "jobs" / "j", job_id="j", kind="touch",
                             config={}) as store:
            store.meta_put("x", 1)
            d = tmp_path / "jobs" / "j"
            assert stat.S_IMODE(d.stat().st_mode) == 0o700
            files = [p for p in d.iterdir() if p.is_file()]
            assert files and {p.name for p in files} >= {"job.sqlite", "job.lock"}
            for p in files:
                assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    finally:
        os.umask(old)


def test_items_by_row_pages_through_rows_in_manifest_order(tmp_path: Path) -> None:
    """``items_by_row``: the items of a state by row then id, rowless ones last, across
    pages (2,500 items added in reverse row order, some twice a row, some rowless)."""
    store = JobStore.create(tmp_path / "j", job_id="j", kind="t", config={})
    try:
        rows: list[int | None] = [*range(2000, 0, -1), 7, 7, None, None, *range(2001, 2497)]
        store.add_items(NewItem(row=r, key=None, op="x", payload={},
                                state=ItemState.FAILED, error="bad") for r in rows)
        got = [(i.row, i.id) for i in store.items_by_row(ItemState.FAILED)]
        assert len(got) == len(rows)
        assert got == sorted(got, key=lambda ri: (ri[0] is None, ri[0] or 0, ri[1]))
        assert [r for r, _ in got[-2:]] == [None, None]
        assert list(store.items_by_row(ItemState.DONE)) == []
    finally:
        store.close()


def test_items_by_id_reads_the_ones_that_exist_by_id(tmp_path: Path) -> None:
    """``items_by_id``: the items of the ids given (repeats once, missing ones left out),
    by id, across more ids than one ``IN (...)`` takes."""
    from bulk.store import JobStore, NewItem

    store = JobStore.create(tmp_path / "j", job_id="j", kind="import", config={})
    try:
        store.add_items(NewItem(row=i + 2, key=f"K{i}", op="create", payload={"n": i})
                        for i in range(1200))
        got = store.items_by_id([1199, 3, 3, 5000, *range(600, 1101)])
        assert [i.id for i in got] == [3, *range(600, 1101), 1199]
        assert got[0].payload == {"n": 2} and store.items_by_id([]) == []
    finally:
        store.close()
