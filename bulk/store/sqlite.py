"""``JobStore``: a job's SQLite file (schema, transactions, the item state machine,
lookups, before-images, the spend ledger, key/values). Durability: see the package
docstring.

Why one module of ~1330 lines (issue 8's "~500 lines"): every table lives behind one
connection, one lock and one transaction helper (``_tx``: the only way in, with its
error translation and durability), and each section below is a few small methods on
them. Split into mixins, the transaction discipline would be spread over files that
each look free to open their own."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import (
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar

import orjson

from ..errors import ConfigError, DiskFull, JobBusy, StoreError, StoreLost, StoreUnfinished, disk_full
from .advice import again_advice
from .files import (
    CREATING,
    FILENAME,
    LOCKNAME,
    _remove,
    _take_lock,
    busy_message,
    held_by_live_process,
    make_private,
)
from .model import (
    _INITIAL,
    _LEGACY_LOADED,
    _S,
    ACTIVE_STATUSES,
    JOB_LEGAL,
    JOB_STATUSES,
    LEGAL,
    LOADED_KEY,
    RESET_WAIT_META,
    BeforeImage,
    Item,
    ItemState,
    NewItem,
    Outcome,
)

T = TypeVar("T")
P = ParamSpec("P")

SCHEMA_VERSION = 1
_CHUNK = 1000  # rows per transaction when loading
_PAGE = 1000  # rows per read when streaming
_VARS = 500  # ids per `IN (...)`


_DDL = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE job (one INTEGER PRIMARY KEY CHECK (one = 1), job_id TEXT NOT NULL,
        kind TEXT NOT NULL, config TEXT NOT NULL, created_at REAL NOT NULL,
        status TEXT NOT NULL, message TEXT, updated_at REAL NOT NULL)""",
    f"""CREATE TABLE items (id INTEGER PRIMARY KEY, source_row INTEGER, source_key TEXT,
        op TEXT NOT NULL, payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({", ".join(f"'{s}'" for s in ItemState)})),
        attempts INTEGER NOT NULL DEFAULT 0, result TEXT, error TEXT, status INTEGER,
        sent_at REAL)""",
    "CREATE INDEX items_state_id ON items (state, id)",
    """CREATE TABLE lookups (kind TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL,
        PRIMARY KEY (kind, key)) WITHOUT ROWID""",
    """CREATE TABLE before_images (seq INTEGER PRIMARY KEY, entity TEXT NOT NULL,
        entity_id INTEGER NOT NULL, item_id INTEGER, before TEXT NOT NULL,
        taken_at REAL NOT NULL, UNIQUE (entity, entity_id))""",
    """CREATE TABLE spend (day TEXT NOT NULL, operation TEXT NOT NULL,
        tokens INTEGER NOT NULL, calls INTEGER NOT NULL,
        PRIMARY KEY (day, operation)) WITHOUT ROWID""",
    "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
)
_COLS = "id, source_row, source_key, op, payload, state, attempts, result, error, status, sent_at"
# ``JobStore.item_facts``: what each fact reads of an item's payload, in SQL (each ``?`` is
# the fact's JSON path); a path is ``$`` and dotted names only, never a quoted one
_FACT_SQL = {
    "value": "json_extract(payload, ?)",
    "type": "json_type(payload, ?)",
    "truthy": "CASE json_type(payload, ?) WHEN 'true' THEN 1 WHEN 'integer' THEN "
              "json_extract(payload, ?) != 0 WHEN 'real' THEN json_extract(payload, ?) != 0 "
              "WHEN 'text' THEN json_extract(payload, ?) != '' WHEN 'object' THEN "
              "json_extract(payload, ?) != '{}' WHEN 'array' THEN json_extract(payload, ?) "
              "!= '[]' ELSE 0 END",
}
_JSON_PATH = re.compile(r"\$(\.[A-Za-z_][A-Za-z_0-9]*)+")


@contextlib.contextmanager
def _translated(what: str, path: Path | None = None, job: str | None = None, *,
                folder: Path | None = None) -> Iterator[None]:
    """The one place where sqlite3 (and file-system) errors become StoreError: a write
    that found no space (SQLITE_FULL, "disk I/O error", ENOSPC, EFBIG: ``disk_full``) is
    ``DiskFull`` naming ``path`` and the ``job`` to resume (x19r1 F3). ``folder``: the
    folder a read-only error names when there is no ``path`` (else ``what``: x31r3 3 said
    "job folder create /tmp/… cannot be written")."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        if disk_full(exc):
            raise DiskFull(path or what, job, job_dir=path and path.parent.parent) from exc
        if path is not None and _locked(exc):  # a lock held past the busy timeout: as the
            raise JobBusy(busy_message(path.parent)) from exc  # job lock's (x19r1 F5)
        if _read_only(exc):  # x24r3 5: was "job store: open …: [Errno 30] Read-only …"
            raise StoreError(read_only_advice(path.parent if path is not None
                                              else folder if folder is not None else what)
                             ) from None
        raise StoreError(f"job store: {what}: {exc}") from exc


def read_only_advice(folder: Path | str) -> str:
    """The line for a job folder that cannot be written (a read-only mount, chattr +i,
    another user's): at creation, at the lock, and where SQLite cannot even read it."""
    return (f"job folder {folder} cannot be written (read-only or not yours): pdbulk locks "
            "and writes a job's folder to run or look at it; make it writable and run the "
            "command again")


def _unwritable(directory: Path) -> bool:
    """The job folder, or its job.sqlite, cannot be opened for writing (access(2) sees a
    read-only mount, an immutable folder or another user's files)."""
    try:
        return not os.access(directory, os.W_OK) or (
            (directory / FILENAME).exists() and not os.access(directory / FILENAME, os.W_OK))
    except OSError:
        return False


def _read_only(exc: BaseException) -> bool:
    """EROFS / EACCES / EPERM, or SQLITE_READONLY (8): the folder cannot be written."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == 8


def _locked(exc: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection (another process's ``BEGIN
    EXCLUSIVE``) holds the file."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (isinstance(code, int) and code & 0xFF in (5, 6)) or "database is locked" in str(exc)


_SECRET_WORDS = ("password", "passwd", "secret", "authorization", "credential", "bearer",
                 "cookie")
_SECRET_ENDS = ("token", "apikey", "api_key")


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.lru_cache(maxsize=4096)
def _is_secret_name(name: str) -> bool:
    """Whether a key's name says it holds a credential (cached: the same few keys, the
    ledger's figure and its operation ids, come with every write; issue 8)."""
    k = _CAMEL.sub("_", name).lower().replace("-", "_").strip("_ ")
    return k.endswith(_SECRET_ENDS) or any(w in k for w in _SECRET_WORDS)


_SCALARS = (str, int, float, type(None))  # hold no key: no call, no ABC check for them


def _refuse_secrets(value: Any, where: str) -> None:
    """Defence in depth: credentials have no business in a job file (the caller strips them).
    Raises ValueError naming the key (never its value)."""
    if isinstance(value, dict) or isinstance(value, Mapping):
        for k, v in value.items():
            if isinstance(k, str) and _is_secret_name(k):
                # the key's name only: the value must not reach a message either
                raise ValueError(f"{where}: refusing to store {k!r}: no credentials in a job store")
            if not isinstance(v, _SCALARS):
                _refuse_secrets(v, where)
    elif isinstance(value, list | tuple):
        for v in value:
            if not isinstance(v, _SCALARS):
                _refuse_secrets(v, where)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# a stored state's member by its string: a dict read, where ``ItemState(s)`` is two Python
# calls (enum's ``__call__`` and ``__new__``) per item read (issue 8)
_STATE_OF: Mapping[str, ItemState] = {s.value: s for s in ItemState}


def _item(r: Sequence[Any]) -> Item:
    return Item(r[0], r[1], r[2], r[3], orjson.loads(r[4]), _STATE_OF.get(r[5]) or ItemState(r[5]),
                r[6], None if r[7] is None else orjson.loads(r[7]), r[8], r[9], r[10])


def _chunks(values: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(values)
    while chunk := list(islice(it, size)):
        yield chunk


def _at(payload: dict[str, Any], path: str) -> dict[str, Any]:
    """The object at JSON ``path`` (``$`` and dotted names) of ``payload``."""
    got: Any = payload
    for name in path.split(".")[1:]:
        got = got[name]
    if not isinstance(got, dict):
        raise TypeError(f"{path} is no object")
    return got


def _marks(n: int) -> str:
    return ",".join("?" * n)


def unfinished_kind(directory: Path) -> str | None:
    """The job kind a job folder's name holds (``bulk.engine.new_job_id``), if it does."""
    named = re.fullmatch(r"\d{8}-\d{6}-([a-z][a-z_-]*)-[0-9a-f]{4}", Path(directory).name)
    return named.group(1) if named else None


def _kind_of(directory: Path) -> str | None:
    """The kind of the job in ``directory``: its folder's name, else its summary.json's
    ``kind`` (a folder named by a library caller)."""
    kind = unfinished_kind(directory)
    if kind is None:
        with contextlib.suppress(OSError, ValueError, AttributeError, orjson.JSONDecodeError):
            found = orjson.loads((Path(directory) / "summary.json").read_bytes()).get("kind")
            kind = found if isinstance(found, str) else None
    return kind


def unfinished_advice(directory: Path) -> str:
    """What a job folder whose creation a kill cut short means and what to do (x17r1 L1:
    "is not a job store (or its creation was interrupted)", exit 1, no advice)."""
    kind = unfinished_kind(directory)
    again = f"the {kind}" if kind else "the command"
    return (f"{not_a_store(directory)}: job folder {directory} was never finished (the "
            "process was killed while it created the job): the job never started and nothing "
            f"was sent by it; delete the folder and start {again} again")


# a job's own files whose presence shows nothing; anything else (result files, summary.json,
# a -wal with frames) shows the job ran
def _unmake(directory: Path) -> None:
    """Undo a create cut short in a folder it made: its files and the folder itself (a
    folder holding only ``job.lock`` is no job: x22r2). Never raises an OSError."""
    with contextlib.suppress(OSError):
        _remove(directory)
        (directory / LOCKNAME).unlink(missing_ok=True)
        directory.rmdir()  # only when empty: nothing else is removed


_STORE_ONLY = (FILENAME, LOCKNAME, FILENAME + "-shm", CREATING)
_SQLITE_OWN = (FILENAME + "-wal", FILENAME + "-journal")  # traces only when they hold data
_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def job_traces(directory: Path) -> list[str]:
    """The files of a job folder that show its job ran (x19r1 F4): every file but an empty
    store, its lock, its -shm and an empty -wal or -journal. None: the folder is as a kill
    during ``JobStore.create`` leaves it, and only then did it send nothing.

    While the folder holds its ``job.creating`` marker, SQLite's own files (a -journal from
    the switch to WAL; a -wal, beside a store that has its header, holding the schema not
    yet checkpointed) are the creation's, never a run's: the marker goes only once the
    schema is in job.sqlite itself, before the first item is added (a kill -9 in an undo's
    create left an empty -journal, and `jobs` said "the job ran": f38k)."""
    directory = Path(directory)
    creation = _creation_files(directory)
    traces: list[str] = []
    with contextlib.suppress(OSError):
        for child in sorted(directory.iterdir()):
            if child.name in _STORE_ONLY or child.name in creation:
                continue
            if child.name in _SQLITE_OWN:
                with contextlib.suppress(OSError):
                    if child.stat().st_size == 0:
                        continue
            traces.append(child.name)
    return traces


def _creation_files(directory: Path) -> tuple[str, ...]:
    """SQLite's files in ``directory`` that only its cut-short ``JobStore.create`` can have
    left: none without the ``job.creating`` marker; a -wal only beside a store that has its
    header (an empty store beside a -wal with frames is no create's)."""
    if not (directory / CREATING).exists():
        return ()
    return _SQLITE_OWN if not _empty(directory / FILENAME) else _SQLITE_OWN[1:]


def _summary_counts(directory: Path) -> str:
    """`` (summary.json: 120 created, 3 failed)``: what a job's summary says it did, or ""."""
    try:
        summary = orjson.loads((Path(directory) / "summary.json").read_bytes())
        counts = {str(k): int(v) for k, v in dict(summary.get("actions") or {}).items() if v}
        failed = int(dict(summary.get("rows") or {}).get("failed") or 0)
    except (OSError, ValueError, TypeError, AttributeError, orjson.JSONDecodeError):
        return ""
    if failed:
        counts["failed"] = failed
    said = ", ".join(f"{n} {what}" for what, n in counts.items())
    return f" (summary.json: {said})" if said else ""


def damaged_advice(directory: Path, traces: Sequence[str]) -> str:
    """A job folder whose store is empty or damaged though its other files show the job
    ran (x19r1 F4: it was told "nothing was sent, start again", which doubles an insert's
    deals): say what the folder holds and what starting again would do. With no
    ``traces``, nothing proves the job never started either (its ``-wal`` may be lost:
    x24r3 1), so it may have sent rows: said as such."""
    doubles = again_advice(_kind_of(directory))
    if not traces:
        return (f"{not_a_store(directory)}: job folder {directory} shows no sign that its "
                "creation was cut short, so the job may have run and sent rows before its "
                f"store was lost or damaged (e.g. its job.sqlite-wal removed); {doubles}")
    return (f"{not_a_store(directory)}, but job folder {directory} holds "
            f"{', '.join(traces)}{_summary_counts(directory)}: the job ran, and those files "
            f"show what it did; {doubles}")


def _header_damaged(directory: Path) -> list[str]:
    """The ``-wal`` / ``-journal`` files (with content) beside a job.sqlite that is no
    SQLite file (empty, cut short, overwritten): SQLite, opening it, would delete a -wal
    that may hold the whole job (x24r3 1B), so such a store is never opened. [] when the
    header is sound or nothing would be lost."""
    path = Path(directory) / FILENAME
    try:
        with path.open("rb") as f:
            if f.read(len(_MAGIC)) == _MAGIC:
                return []
    except OSError:
        return []
    kept: list[str] = []
    creation = _creation_files(Path(directory))  # a create's: rolled back, nothing lost
    for suffix in ("-wal", "-journal"):
        with contextlib.suppress(OSError):
            if (FILENAME + suffix not in creation
                    and (Path(directory) / (FILENAME + suffix)).stat().st_size > 0):
                kept.append(FILENAME + suffix)
    return kept


_JOB_FILES = frozenset({LOCKNAME, FILENAME + "-wal", FILENAME + "-shm", "summary.json"})


def lost_store_advice(directory: Path) -> str | None:
    """What a job folder whose job.sqlite is gone though the job's other files are there
    (its lock, its -wal, result files) means (x24r3 2: deleted during a run, resume and
    status said "no job", `pdbulk jobs` "no jobs"); None: no such folder."""
    directory = Path(directory)
    try:
        if (directory / FILENAME).exists() or not directory.is_dir():
            return None
        names = sorted(c.name for c in directory.iterdir() if c.name != CREATING)
    except OSError:
        return None
    if names in ([], [LOCKNAME]) and (directory / CREATING).exists():
        return unfinished_advice(directory)  # cut short before its store was made
    if not _JOB_FILES.intersection(names) or not _job_evidence(directory, names):
        return None  # no job's folder
    return (f"job {directory.name}'s job store ({directory / FILENAME}) is gone, but job "
            f"folder {directory} holds {', '.join(names)}{_summary_counts(directory)}: the "
            "job ran or began, and without its store it cannot be resumed, retried or "
            f"undone; {again_advice(_kind_of(directory))}")


def _job_evidence(directory: Path, names: Sequence[str]) -> bool:
    """Whether a folder without its job.sqlite was a job's: its name is a job id, it holds
    the store's lock or SQLite's files, or its summary.json names a job (``job``, ``kind``;
    an unreadable one counts, on the safe side). A dedupe plan's folder, or any folder
    holding a summary.json of another's, is none (x42r5 F6)."""
    if unfinished_kind(directory) is not None or set(names) & {LOCKNAME, *_SQLITE_OWN,
                                                                 FILENAME + "-shm"}:
        return True
    try:
        summary = orjson.loads((Path(directory) / "summary.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return True
    return not isinstance(summary, dict) or "job" in summary or "kind" in summary


def not_a_job_advice(directory: Path) -> str | None:
    """What a folder given as a job that is no job's folder is, or None: a dedupe plan's
    folder (its groups.csv, no job's files) is applied with ``pdbulk dedupe apply``, not
    resumed, undone or asked its status (x42r5 F6: it was described as a job whose store
    is gone, "starting the command again may ... double what it already did")."""
    import shlex

    directory = Path(directory)
    try:
        if (directory / FILENAME).exists() or not directory.is_dir():
            return None
        names = sorted(c.name for c in directory.iterdir())
    except OSError:
        return None
    if "groups.csv" not in names or _job_evidence(directory, [n for n in names
                                                              if n != "summary.json"]):
        return None
    return (f"{directory} is a dedupe plan folder (groups.csv), not a job: review it, then "
            f"apply it with `pdbulk dedupe apply {shlex.quote(str(directory))}`; resume, "
            "status, retry and undo take a job (see `pdbulk jobs`)")


def not_a_store(directory: Path) -> str:
    """The line for a job folder whose job.sqlite is empty or another file (x18r4 6)."""
    return f"job {Path(directory).name}'s job store is empty or not a pdbulk job store"


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of ``path``; None when nothing is there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _check_schema(conn: sqlite3.Connection, directory: Path) -> None:
    """Refuse a job.sqlite that is no job store of this version; reads only."""
    path = directory / FILENAME
    # before SQLite's first read: on a 0-byte file it deletes a -wal it finds there
    traces = job_traces(directory) if _empty(path) else []
    try:
        ((version,),) = conn.execute("PRAGMA user_version").fetchall()
        ((tables,),) = conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as exc:  # "file is not a database"
        if _locked(exc) or disk_full(exc):  # held by another process / no space: said as such
            raise
        # SQLite opens a WAL store's -shm beside it even to read it: in a folder it cannot
        # write it says "unable to open database file", which is no damage (x25r3 F3: an
        # intact update store was "empty or not a job store ... may create those rows again")
        if _unwritable(directory):
            raise StoreError(read_only_advice(directory)) from None
        if traces := traces or job_traces(directory):
            raise StoreError(f"{damaged_advice(directory, traces)} ({path}: {exc})") from None
        raise StoreError(f"{not_a_store(directory)} ({path}: {exc})") from None
    if version == 0:
        traces = traces or job_traces(directory)
        if not tables and traces:
            # the job ran: its store was emptied or lost since, not cut short at creation
            raise StoreError(damaged_advice(directory, traces))
        if not tables and unfinished_kind(directory) is not None:
            if (directory / CREATING).exists():  # the schema is one transaction, made and
                # checkpointed before the marker goes: a kill before, and nothing was sent
                raise StoreUnfinished(unfinished_advice(directory))
            # no proof it never started: its -wal (the schema, the items) may be lost
            raise StoreError(damaged_advice(directory, traces))
        raise StoreError(f"{not_a_store(directory)} ({path})")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path} has schema version {version}, newer than this "
                         f"pipedrive-bulk supports ({SCHEMA_VERSION}): upgrade pipedrive-bulk")
    if version < SCHEMA_VERSION:  # migrations, one transaction per step, go here
        raise StoreError(f"{path} has schema version {version}, which needs a migration")
    ((recorded,),) = conn.execute(
        "SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    if int(recorded) != version:
        raise StoreError(f"{path}: schema version {recorded} in meta but {version} in header")


# target -> the stored states (plain strings) LEGAL lets move to it (``_check``)
_SOURCES: Mapping[ItemState, frozenset[str]] = {
    target: frozenset(src.value for src, moves in LEGAL.items() if target in moves)
    for target in ItemState}


class JobStore:
    """A job's SQLite file. Thread-safe (one lock); blocking: use AsyncJobStore on a loop."""

    __slots__ = ("_checkpointed", "_conn", "_file", "_lock", "_lockfd", "_lost", "_message",
                 "_named", "_spent_before", "_status", "_twin", "_writes", "config", "created_at",
                 "directory", "job_id", "kind", "wall")
    # how long a statement waits for another connection's lock before JobBusy (a subclass
    # may wait less)
    busy_timeout: ClassVar[float] = 10.0
    # a run's commits are copied from the -wal into job.sqlite (a PASSIVE checkpoint, in the
    # store's thread) after this many commits or seconds, whichever comes first: SQLite's
    # own (1,000 pages) left a killed run's whole job in a 1-3 MB -wal (x24r3 1)
    checkpoint_commits: ClassVar[int] = 50
    checkpoint_seconds: ClassVar[float] = 5.0

    def __init__(self, directory: Path, conn: sqlite3.Connection, lockfd: int | None) -> None:
        self.directory = directory
        self._conn: sqlite3.Connection | None = conn
        self._lockfd = lockfd
        self._lock = threading.Lock()
        self.job_id = self.kind = self._status = ""
        self._named: tuple[Path, str, tuple[Path, str | None]] | None = None  # _where's
        self.config: dict[str, Any] = {}
        self.created_at = 0.0
        # the job's times (created_at, a status's updated_at): Unix seconds, from the run's
        # clock (``bulk.engine.Engine.open`` hands it its ``Clock.wall``)
        self.wall: Callable[[], float] = time.time
        self._twin: object = None  # its one AsyncJobStore (``AsyncJobStore.of``)
        self._message: str | None = None
        # (st_dev, st_ino) of job.sqlite as opened: a checkpoint that finds the path names
        # no file, or another, says the store was deleted under the run (``lost``)
        self._file = _identity(directory / FILENAME)
        self._lost: StoreLost | None = None
        self._writes = 0  # write transactions this handle committed (``writes``)
        # writes and time at the last checkpoint: the machine's clock, not the run's (what a
        # kill -9 can leave in the -wal alone is bounded in real seconds; the store has no
        # run clock of its own, only the ``wall`` it stamps the job's times with)
        self._checkpointed = (0, time.monotonic())
        # the ledger when this handle opened the job: what earlier runs spent (``spend_now``)
        self._spent_before: dict[str, tuple[int, int]] = {}

    # -- opening and closing ---------------------------------------------------------------

    @classmethod
    def _attach(cls, directory: Path, *, lock: bool, new: bool) -> JobStore:
        """(Create,) check, lock, connect: a refused or failed open leaves nothing behind.

        An existing file is checked to be a job store before anything is written to it or
        next to it (x18r4 6: a 0-byte job.sqlite was given a WAL header by `status`, and
        another SQLite file a job.lock by a refused `resume`); ``lock=False`` (looking
        only) never writes at all."""
        path = directory / FILENAME
        with _translated(f"open {path}", path), contextlib.ExitStack() as undo:
            if new:  # atomic "refuse if it exists"; 0600: the file holds customer data
                try:
                    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                except FileExistsError:
                    raise StoreError(f"a job store already exists at {path}") from None
                undo.callback(_remove, directory)
            if not new and (kept := _header_damaged(directory)):
                raise StoreError(f"{damaged_advice(directory, job_traces(directory))} "
                                 f"({path} is no SQLite file; {', '.join(kept)} kept as is)")
            # Autocommit mode: transactions are explicit. One thread at a time (self._lock).
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=cls.busy_timeout)
            undo.callback(conn.close)
            if not new:
                _check_schema(conn, directory)
            lockfd = _take_lock(directory) if lock else None
            if lockfd is not None:
                undo.callback(os.close, lockfd)
            if lock or new:  # the job's own (looking only: the file as it is, WAL already)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                # the -wal/-shm files SQLite made follow the umask
                for suffix in ("", "-wal", "-shm"):
                    make_private(path.with_name(FILENAME + suffix))
            undo.pop_all()
        return cls(directory, conn, lockfd)

    @classmethod
    def create(cls, directory: Path, *, job_id: str, kind: str, config: dict[str, Any],
               lock: bool = True, wall: Callable[[], float] | None = None) -> JobStore:
        """Make ``directory/job.sqlite``; refuses if it exists, or if config holds a credential.
        ``wall``: the clock of the job's times (Unix seconds; default ``time.time``)."""
        _refuse_secrets(config, "config")
        try:  # a bad config fails before anything touches the disk
            config_json = _dumps(config)
        except TypeError as exc:  # orjson: a lone surrogate, a name that is no UTF-8
            raise ConfigError(f"cannot keep the job's settings ({exc}): a file or folder "
                              "name that is no UTF-8 text? Rename it") from None
        directory = Path(directory)
        made = not directory.exists()
        try:  # a signal in here (KeyboardInterrupt) must not leave a folder of a lone
            # job.lock, which no command lists or opens (x22r2)
            with _translated(f"create {directory}", folder=directory):
                directory.mkdir(parents=True, exist_ok=True)
                make_private(directory)
                if not (directory / FILENAME).exists():  # (else refused by _attach)
                    os.close(os.open(directory / CREATING, os.O_CREAT | os.O_WRONLY, 0o600))
            store = cls._attach(directory, lock=lock, new=True)
        except BaseException:
            if made:
                _unmake(directory)
            raise
        try:
            if wall is not None:
                store.wall = wall
            now = store.wall()
            with store._tx("create schema") as c:
                for stmt in _DDL:
                    c.execute(stmt)
                c.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                c.execute("INSERT INTO job VALUES (1, ?, ?, ?, ?, 'planned', NULL, ?)",
                          (job_id, kind, config_json, now, now))
                c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            store.checkpoint()  # the schema in job.sqlite itself, not only in its -wal
            with _translated(f"create {directory}", folder=directory):
                (directory / CREATING).unlink(missing_ok=True)
            store._load_job()
        except BaseException:
            store.close()
            (_unmake if made else _remove)(directory)
            raise
        return store

    @classmethod
    def open(cls, directory: Path, *, lock: bool = True) -> JobStore:
        """Open an existing job; ``lock=False`` only for looking (``list_jobs``)."""
        directory = Path(directory)
        if not (directory / FILENAME).is_file():
            raise StoreError(f"no job store at {directory / FILENAME}")
        made = lock and not (directory / LOCKNAME).exists()
        try:
            store = cls._attach(directory, lock=lock, new=False)
            try:
                store._load_job()
                store._spent_before = store.spend_by_operation()
            except BaseException:
                store.close()
                raise
        except JobBusy:  # the lock is another process's
            raise
        except BaseException:
            if made:  # a refused open leaves no job.lock behind (x18r4 6b)
                (directory / LOCKNAME).unlink(missing_ok=True)
            raise
        return store

    def _load_job(self) -> None:
        ((job_id, kind, config, created, status, message),) = self._query(
            "read job", "SELECT job_id, kind, config, created_at, status, message FROM job")
        self.job_id, self.kind, self.created_at = job_id, kind, created
        self.config = orjson.loads(config)
        self._status, self._message = status, message

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            lockfd, self._lockfd = self._lockfd, None
            try:
                if conn is not None:
                    with _translated("close"):
                        conn.close()
            finally:
                if lockfd is not None:
                    os.close(lockfd)  # releases the flock

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else self._status
        return f"JobStore({self.job_id!r}, kind={self.kind!r}, {state}, {str(self.directory)!r})"

    # -- the one way in ------------------------------------------------------------------

    def _where(self) -> tuple[Path, str | None]:
        """The file and the job a DiskFull names (no job yet while it is created: the
        folder is removed then, nothing to resume). Kept while the folder and the job are
        the same: every transaction asks (a path joined per commit: issue 8)."""
        named = self._named
        if named is None or named[0] is not self.directory or named[1] != self.job_id:
            named = self._named = (self.directory, self.job_id,
                                   (self.directory / FILENAME, self.job_id or None))
        return named[2]

    @property
    def closed(self) -> bool:
        """Whether ``close`` ran: nothing can be read or written any more."""
        return self._conn is None

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the job store is closed")
        return self._conn

    @contextlib.contextmanager
    def _tx(self, what: str, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One short write transaction; IMMEDIATE so it never fails half-way on a lock upgrade."""
        with self._lock, _translated(what, *self._where()):
            conn = self._live()
            if durable:
                conn.execute("PRAGMA synchronous = FULL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
                self._writes += 1
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise
            finally:
                if durable:
                    conn.execute("PRAGMA synchronous = NORMAL")
            writes, at = self._checkpointed
            if (self._writes - writes >= self.checkpoint_commits
                    or time.monotonic() - at >= self.checkpoint_seconds):
                self._checkpoint(conn)

    def checkpoint(self) -> None:
        """Copy what the -wal holds into job.sqlite now (PASSIVE: never waits for a
        reader; a looking process's snapshot only leaves the rest to the next one)."""
        with self._lock, _translated("checkpoint", *self._where()):
            self._checkpoint(self._live())

    def final_in_file(self, ids: Collection[int]) -> set[int]:
        """The items of ``ids`` in a final state (done, skipped: ``LEGAL`` lets nothing
        out of them) that job.sqlite itself holds so — read, then a checkpoint that copied
        the whole -wal: a -wal lost after a kill cannot take them back. Empty when the
        checkpoint could not finish (a reader's snapshot held part of the -wal back)."""
        wanted = sorted(set(ids))
        final: set[int] = set()
        with self._lock, _translated("read final items", *self._where()):
            conn = self._live()
            for n in range(0, len(wanted), 500):
                chunk = wanted[n:n + 500]
                final.update(i for (i,) in conn.execute(
                    f"SELECT id FROM items WHERE state IN ('done', 'skipped') AND id IN "
                    f"({','.join('?' * len(chunk))})", chunk))
            ((busy, log, copied),) = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self._checkpointed = (self._writes, time.monotonic())
        return final if busy == 0 and log == copied else set()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self._checkpointed = (self._writes, time.monotonic())
        if self._lost is None and self._file is not None \
                and _identity(self.directory / FILENAME) != self._file:
            self._lost = StoreLost(self._lost_message(conn))

    def _lost_message(self, conn: sqlite3.Connection) -> str:
        """What a run whose job.sqlite was deleted under it says (the open file, which no
        path names any more, is still read for the count)."""
        ((sent,),) = conn.execute("SELECT count(*) FROM items WHERE state IN ('done', "
                                  "'sending')").fetchall()
        return (f"the job store {self.directory.name}/{FILENAME} was deleted while the job "
                f"ran; {sent:,} row(s) were sent or in flight (the result files in {self.directory} say "
                f"which) and the job cannot be resumed; {again_advice(self.kind or None)}")

    @property
    def lost(self) -> StoreLost | None:
        """Set (once, by a checkpoint: every ``checkpoint_commits`` commits or
        ``checkpoint_seconds``) when this store's job.sqlite no longer names the file it
        opened — deleted or replaced while the job ran: what it writes goes nowhere a
        resume can find. The runner stops on it; reads still see the open file."""
        return self._lost

    def _query(self, what: str, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock, _translated(what, *self._where()):
            return self._live().execute(sql, params).fetchall()

    @property
    def writes(self) -> int:
        """How many write transactions this handle has committed: what was read from it is
        still current while this is unchanged (the file is locked to this process, except
        for read-only handles). A resume's start-up reads the items once by it (x19r3 F4)."""
        return self._writes

    # -- job ---------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self._status

    @property
    def status_message(self) -> str | None:
        return self._message

    def set_status(self, status: str, message: str | None = None) -> None:
        """Move the job along its lifecycle (``JOB_LEGAL``); staying put is allowed.

        Raises ValueError for an unknown status, StoreError for an illegal transition
        (e.g. running a cancelled job)."""
        if status not in JOB_STATUSES:
            raise ValueError(f"unknown job status {status!r}")
        with self._tx("set status") as c:
            ((current,),) = c.execute("SELECT status FROM job").fetchall()
            if status != current and status not in JOB_LEGAL.get(current, frozenset()):
                raise StoreError(f"job {self.job_id!r} is {current}; it cannot become {status}")
            c.execute("UPDATE job SET status = ?, message = ?, updated_at = ?",
                      (status, message, self.wall()))
        self._status, self._message = status, message
        if status in ("loaded", "running") and status != current:
            # the items and the status a first send follows are in job.sqlite itself before
            # anything is sent: a killed run whose -wal is then lost is still a job that ran
            # (x24r5: 2 of 5 kills before the first periodic checkpoint, -wal removed, said
            # "interrupted while it was being loaded; nothing was sent" with 40-71 deals written)
            self.checkpoint()

    @property
    def loaded(self) -> bool:
        """Whether the load phase finished (items complete): the one "loaded" flag."""
        return any(self.meta_get(k) for k in (LOADED_KEY, *_LEGACY_LOADED))

    def mark_loaded(self) -> None:
        """Record that the load phase finished; the status becomes ``loaded``."""
        self.meta_put(LOADED_KEY, True)
        if self._status in ("planned", "loading"):
            self.set_status("loaded")

    def discard_load(self) -> None:
        """Drop what a load cut short stored (its items and before-images), so that the
        load runs again from the start; its ledger (what it spent) stays. Raises
        StoreError once the job is loaded (its items may have been sent)."""
        if self.loaded:
            raise StoreError(f"job {self.job_id!r} is loaded; its items cannot be dropped")
        with self._tx("drop an unfinished load") as c:
            c.execute("DELETE FROM items")
            c.execute("DELETE FROM before_images")

    def liveness(self) -> str:
        """The status as a reader should see it: an active status (``ACTIVE_STATUSES``:
        "planned" … "running") whose process is gone (no lock held, e.g. after ``kill -9``)
        reads "interrupted (no live process)"."""
        if self._status in ACTIVE_STATUSES and self._lockfd is None \
                and not held_by_live_process(self.directory):
            return f"interrupted (was {self._status}; no live process holds it)"
        if self.reset_wait() is not None and (
                self._status in ACTIVE_STATUSES  # its process lives: x23 3, "running"
                # a resume of a stopped job waits in its re-read, before it runs (x24r5 F3:
                # "stopped", with the error of the run it resumes)
                or (self._status == "stopped" and (self._lockfd is not None
                                                   or held_by_live_process(self.directory)))):
            return "waiting for the daily reset"
        return self._status

    def reset_wait(self) -> dict[str, Any] | None:
        """The wait for the daily reset its run is in (``--wait-for-reset``: since, until,
        probing, reason; written by the engine as it begins and ends), or None."""
        wait = self.meta_get(RESET_WAIT_META)
        return wait if isinstance(wait, dict) else None

    # -- items -------------------------------------------------------------------------

    def add_items(self, items: Iterable[NewItem]) -> int:
        """Stream items in, ``_CHUNK`` per transaction; returns how many were added."""
        total = 0
        dumps = orjson.dumps
        for chunk in _chunks(items, _CHUNK):
            if bad := [n.state for n in chunk if n.state not in _INITIAL]:
                raise ValueError(f"a new item cannot start as {bad[0]}")
            rows = [(n.row, n.key, n.op, dumps(n.payload).decode(), n.state, n.error)
                    for n in chunk]
            with self._tx("add items") as c:
                c.executemany("INSERT INTO items (source_row, source_key, op, payload, state,"
                              " error) VALUES (?, ?, ?, ?, ?, ?)", rows)
            total += len(rows)
        return total

    def pending(self, limit: int, after_id: int = 0) -> list[Item]:
        return [_item(r) for r in self._query(
            "read pending", f"SELECT {_COLS} FROM items WHERE state = 'pending' AND id > ?"
            " ORDER BY id LIMIT ?", (after_id, limit))]

    def in_doubt(self) -> list[Item]:
        """Items left SENDING: call on resume, before the run, and reconcile them first."""
        return [_item(r) for r in self._query(
            "read in-doubt", f"SELECT {_COLS} FROM items WHERE state = 'sending' ORDER BY id")]

    def _check(self, c: sqlite3.Connection, ids: Sequence[int], target: ItemState,
               only_from: frozenset[ItemState] | None = None) -> None:
        """Raise ValueError unless every id may move to ``target`` (inside the transaction)."""
        if len(set(ids)) != len(ids):
            raise ValueError("an item appears twice in one batch")
        current: dict[int, str] = {}
        for part in _chunks(ids, _VARS):
            current.update(c.execute(
                f"SELECT id, state FROM items WHERE id IN ({_marks(len(part))})", part))
        # the states (plain strings, as stored) that may move to ``target``: one set test
        # per item, no enum made or hashed per item (issue 8: ~2 µs an outcome)
        sources = _SOURCES[target] if only_from is None else _SOURCES[target] & frozenset(
            s.value for s in only_from)
        for i in ids:
            src = current.get(i)
            if src is None:
                raise ValueError(f"item {i} does not exist")
            if src not in sources:
                raise ValueError(f"item {i}: illegal transition {src} -> {target}")

    def mark_sending(self, ids: Sequence[int], now: float) -> None:
        """Before a batch is sent: one durable transaction; attempts += 1, sent_at = now."""
        if not ids:
            return
        with self._tx("mark sending", durable=True) as c:
            self._check(c, ids, _S.SENDING)
            c.executemany("UPDATE items SET state = 'sending', attempts = attempts + 1,"
                          " sent_at = ? WHERE id = ?", [(now, i) for i in ids])

    def record(self, outcomes: Sequence[Outcome],
               spend: Sequence[tuple[str, str, int, int]] = (),
               meta: Mapping[str, Any] | None = None) -> None:
        """Record a batch of outcomes in one transaction; every move must be LEGAL.

        ``spend``: ``(day, operation, tokens, calls)`` rows added to the spend ledger in
        the same transaction (the runner's writer checkpoints outcomes and the tokens
        they cost together: one thread hop, one commit); ``meta``: key/values put in it
        too (``meta_put``; the ledger's figure of its tokens in doubt, ``bulk.ledger``).
        Raises ValueError (nothing written) for a meta value that holds a credential."""
        for day, *_ in spend:
            date.fromisoformat(day)  # ValueError unless YYYY-MM-DD
        metas = [] if not meta else [(key, _dumps(value)) for key, value in meta.items()]
        if metas:
            _refuse_secrets(meta, "meta")
        if not outcomes:
            if spend or metas:
                with self._tx("add spend") as c:
                    self._add_spend(c, spend)
                    c.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", metas)
            return
        # keyed by the state's string (``_value_``): an enum member's hash and ``.value``
        # are Python calls, two per outcome (issue 8)
        by_target: dict[str, list[int]] = {}
        rows = []
        dumps = orjson.dumps
        for o in outcomes:
            state: str = o.state._value_
            if state == "sending":
                raise ValueError("record() cannot mark items sending: use mark_sending()")
            if (same := by_target.get(state)) is None:
                by_target[state] = [o.item_id]
            else:
                same.append(o.item_id)
            result = o.result
            rows.append((state, None if result is None else dumps(result).decode(),
                         o.error, o.status, o.item_id))
        if len({o.item_id for o in outcomes}) != len(outcomes):
            raise ValueError("an item appears twice in one batch")
        with self._tx("record outcomes") as c:
            for target, ids in by_target.items():
                self._check(c, ids, ItemState(target))
            c.executemany("UPDATE items SET state = ?, result = ?, error = ?, status = ?"
                          " WHERE id = ?", rows)
            unsent = [(o.item_id,) for o in outcomes if o.unsent and o.state is _S.PENDING]
            if unsent:
                c.executemany("UPDATE items SET attempts = MAX(0, attempts - 1) WHERE id = ?",
                              unsent)
            self._add_spend(c, spend)
            if metas:
                c.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", metas)

    def failed_to_pending(self, ids: Sequence[int] | None = None) -> int:
        """``pdbulk retry``: failed items (all, or these, which must be failed) back to pending."""
        sql = "UPDATE items SET state = 'pending', error = NULL, status = NULL WHERE "
        with self._tx("retry failed items") as c:
            if ids is None:
                return c.execute(sql + "state = 'failed'").rowcount
            self._check(c, ids, _S.PENDING, only_from=frozenset({_S.FAILED}))
            c.executemany(sql + "id = ?", [(i,) for i in ids])
            return len(ids)

    def replace_payloads(self, payloads: Mapping[int, Mapping[str, Any]]) -> int:
        """Rewrite these items' payloads (item id -> its new payload), all in one
        transaction: a job kind narrowing what its items still to send write (an undo's
        restores of a custom field deleted since: ``jobs.undo.gone_now``). Returns how many
        were rewritten; an id that is no item is ignored."""
        if not payloads:
            return 0
        dumps = orjson.dumps
        with self._tx("rewrite payloads") as c:
            c.executemany("UPDATE items SET payload = ? WHERE id = ?",
                          [(dumps(dict(p)).decode(), i) for i, p in payloads.items()])
        return len(payloads)

    def counts(self) -> dict[ItemState, int]:
        out = dict.fromkeys(ItemState, 0)
        for state, n in self._query("count items",
                                    "SELECT state, count(*) FROM items GROUP BY state"):
            out[ItemState(state)] = n
        return out

    def open_ops(self) -> set[str]:
        """The ops of the items still pending or in doubt (sending): one indexed query,
        where a walk of ``items(state)`` reads every open item (f23i: a check made per
        item that way made a pass quadratic in the job's size)."""
        return {str(op) for (op,) in self._query(
            "read open ops", "SELECT DISTINCT op FROM items WHERE state IN ('pending', "
            "'sending')")}

    def actions(self) -> dict[str, dict[str, int]]:
        """The done and skipped items by the ``action`` their result names (``created``,
        ``exists``, ``unchanged``, ...; none where it names none), or its ``tally`` where
        it has one (``jobs.results.TALLY``: "as wanted, not by this job"), most first, by
        state: what a summary calls them, for the lines that count item states (x52r3 F5:
        status said "unchanged 117" where the rows: line and summary.json said "37 as
        wanted, not by this job, 80 unchanged"). An item skipped when the job was loaded
        carries its result in its payload (``jobs.prepared``)."""
        out: dict[str, dict[str, int]] = {}
        for state, action, n in self._query(
                "count items by action",
                "SELECT state, coalesce(json_extract(result, '$.tally'), "
                "json_extract(result, '$.action'), json_extract(payload, '$.result.tally'), "
                "json_extract(payload, '$.result.action')), count(*) FROM items "
                "WHERE state IN ('done', 'skipped') GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"):
            if action is not None:
                out.setdefault(str(state), {})[str(action)] = n
        return out

    def _items_page(self, state: ItemState | None, after_id: int, limit: int) -> list[Item]:
        where = "id > ?" if state is None else "state = ? AND id > ?"
        params = (after_id, limit) if state is None else (state.value, after_id, limit)
        return [_item(r) for r in self._query(
            "read items", f"SELECT {_COLS} FROM items WHERE {where} ORDER BY id LIMIT ?", params)]

    def item(self, item_id: int) -> Item | None:
        """The item with id ``item_id`` (None: no such item)."""
        rows = self._query("read item", f"SELECT {_COLS} FROM items WHERE id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def items_by_id(self, ids: Iterable[int]) -> list[Item]:
        """The items whose id is in ``ids`` (those that exist), by id: one read per
        ``_VARS`` ids (``WHERE id IN (...)``), not one per item. Memory: the items read."""
        out: list[Item] = []
        for part in _chunks(sorted(set(ids)), _VARS):
            out.extend(_item(r) for r in self._query(
                "read items", f"SELECT {_COLS} FROM items WHERE id IN ({_marks(len(part))}) "
                "ORDER BY id", part))
        return out

    def items(self, state: ItemState | None = None) -> Iterator[Item]:
        """All items (or those in ``state``) by id, a page at a time: no cursor held open."""
        after = 0
        while page := self._items_page(state, after, _PAGE):
            yield from page
            after = page[-1].id

    def item_facts(self, states: Collection[ItemState],
                   facts: Sequence[tuple[str, str]] = ()) -> Iterator[tuple[Any, ...]]:
        """A narrow read of the items in ``states``, by id, a page at a time: each as
        ``(id, row, key, op, state, sent_at, *facts)``, where each fact ``(how, path)``
        reads the payload at JSON path ``path`` (``$.a.b``) in SQLite, not decoded here —
        ``"value"``: the value (a number, a string, None; an object or array as its JSON
        text), ``"type"``: its JSON type (``'object'``, ``'false'``, ``'text'``, …; None
        where the path is absent), ``"truthy"``: 1 where Python would find the value true.
        For a pass that needs a few facts of every item, not their payloads (issue 8: a
        plan that held every pending payload decoded, ~8 KB an item). ValueError: an
        unknown ``how`` or a path not of that shape."""
        columns, params = [], []
        for how, path in facts:
            if not _JSON_PATH.fullmatch(path) or how not in _FACT_SQL:
                raise ValueError(f"item_facts: bad fact {(how, path)!r}")
            columns.append(_FACT_SQL[how])
            params += [path] * _FACT_SQL[how].count("?")
        names = sorted(ItemState(s).value for s in states)
        select = ", ".join(["id, source_row, source_key, op, state, sent_at", *columns])
        after = 0
        while page := self._query(
                "read items", f"SELECT {select} FROM items WHERE state IN "
                f"({_marks(len(names))}) AND id > ? ORDER BY id LIMIT ?",
                (*params, *names, after, _PAGE)):
            yield from (tuple(r) for r in page)
            after = int(page[-1][0])

    def count_sent_since(self, state: ItemState, since: float) -> int:
        """How many items in ``state`` were last sent at ``since`` (Unix time) or later."""
        rows = self._query("count items", "SELECT count(*) FROM items WHERE state = ? "
                           "AND sent_at >= ?", (state.value, since))
        return int(rows[0][0])

    def items_by_row(self, state: ItemState) -> Iterator[Item]:
        """The items in ``state`` by manifest row (then id; items without a row last), a
        page at a time: a result file lists its rows in the manifest's order, whatever
        order the job added them in (load-time refusals before account checks: x22r2)."""
        after: tuple[int, int, int] = (0, -(1 << 62), 0)
        while True:
            page = [_item(r) for r in self._query(
                "read items", f"SELECT {_COLS} FROM items WHERE state = ? AND "
                "(source_row IS NULL, COALESCE(source_row, 0), id) > (?, ?, ?) "
                "ORDER BY source_row IS NULL, COALESCE(source_row, 0), id LIMIT ?",
                (state.value, *after, _PAGE))]
            if not page:
                return
            yield from page
            last = page[-1]
            after = (int(last.row is None), last.row or 0, last.id)

    def items_unmarked(self, states: Collection[ItemState], kind: str) -> Iterator[Item]:
        """The items in ``states`` whose id (as text) is no key of lookup ``kind`` yet, by
        id, a page at a time: what a pass that marks the items it has handled (its lookups,
        written after its work) has not handled — only the new ones, however long the job,
        where ``items(state)`` returns every one each time."""
        names = sorted(ItemState(s).value for s in states)
        after = 0
        while page := [_item(r) for r in self._query(
                "read unmarked items", f"SELECT {_COLS} FROM items WHERE state IN "
                f"({_marks(len(names))}) AND id > ? AND NOT EXISTS (SELECT 1 FROM lookups WHERE "
                "lookups.kind = ? AND lookups.key = CAST(items.id AS TEXT)) ORDER BY id LIMIT ?",
                (*names, after, kind, _PAGE))]:
            yield from page
            after = page[-1].id

    def source_keys(self) -> set[str]:
        """The source keys of the job's items (rows), one query: for a check that needs
        to know whether a key is one of this job's rows (memory: one string per keyed row)."""
        return {str(r[0]) for r in self._query(
            "read source keys", "SELECT DISTINCT source_key FROM items "
                                "WHERE source_key IS NOT NULL")}

    # -- lookups cache ---------------------------------------------------------------------

    def lookup_get(self, kind: str, key: str) -> int | None:
        rows = self._query("read lookup", "SELECT id FROM lookups WHERE kind = ? AND key = ?",
                           (kind, key))
        return int(rows[0][0]) if rows else None

    def lookup_get_many(self, kind: str, keys: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for part in _chunks(keys, _VARS):
            out.update(self._query(
                "read lookups", f"SELECT key, id FROM lookups WHERE kind = ? AND key IN"
                f" ({_marks(len(part))})", (kind, *part)))
        return out

    def lookups(self, kind: str) -> dict[str, int]:
        """Every lookup of ``kind``: key → id."""
        return dict(self._query("read lookups", "SELECT key, id FROM lookups WHERE kind = ?",
                                (kind,)))

    def lookup_put_many(self, kind: str, pairs: Iterable[tuple[str, int]], *,
                        also: Sequence[str] = (),
                        extra: Iterable[tuple[str, str, int]] = ()) -> int:
        """Write ``pairs`` (key, id) under ``kind``, and under each kind of ``also`` in the
        same transaction (per chunk of pairs): a kill never leaves one without the other.
        ``extra`` (kind, key, id) rows of other kinds go in the first chunk's transaction
        (a created contact's digest with its lookups: one commit). Returns how many pairs
        were written."""
        total = 0
        rest = [(k_, k, v) for k_, k, v in extra]
        for chunk in _chunks(pairs, _CHUNK):
            with self._tx("write lookups") as c:
                c.executemany("INSERT OR REPLACE INTO lookups VALUES (?, ?, ?)",
                              [(k_, k, v) for k_ in (kind, *also) for k, v in chunk] + rest)
            total, rest = total + len(chunk), []
        if rest:
            with self._tx("write lookups") as c:
                c.executemany("INSERT OR REPLACE INTO lookups VALUES (?, ?, ?)", rest)
        return total

    def lookup_delete_many(self, kind: str, keys: Iterable[str]) -> int:
        """Forget the lookups of ``kind`` with these keys (a person / organization someone
        deleted: found or created again when next needed). Returns how many there were."""
        total = 0
        for part in _chunks(keys, _VARS):
            with self._tx("delete lookups") as c:
                total += c.execute(f"DELETE FROM lookups WHERE kind = ? AND key IN"
                                   f" ({_marks(len(part))})", (kind, *part)).rowcount
        return total

    def rekey(self, new_key: Callable[[str, str], str], *, refs: Sequence[str],
              kinds: Collection[str], spare: Callable[[str, str, int], str | None],
              meta: Mapping[str, Any]) -> tuple[int, int]:
        """Rewrite the keys a job stored, all in one transaction (its job kind keys them
        another way since it was planned): each item payload's reference at a JSON path of
        ``refs`` (``$.person``: an object with a text ``kind`` and ``key``) gets
        ``new_key(kind, key)``; each lookup of a kind of ``kinds`` moves to
        ``new_key(kind, key)`` — when several land on one key, the lowest id keeps it and
        each other moves to ``spare(kind, key, id)`` (None: dropped); ``meta`` is written
        (what the keys are now). All or nothing: a kill leaves the job as it was. Items are
        read a page at a time (memory is one page). Returns (items, lookups) changed.
        Raises StoreError; ValueError for a path that is not ``$`` and dotted names."""
        if bad := [p for p in refs if not _JSON_PATH.fullmatch(p)]:
            raise ValueError(f"not a plain JSON path: {bad[0]!r}")
        _refuse_secrets(dict(meta), "meta")
        dumps = orjson.dumps
        items = moved = 0
        with self._tx("rewrite stored keys") as c:
            for path in refs:
                after = 0
                while page := c.execute(
                        "SELECT id, json_extract(payload, ?), json_extract(payload, ?) FROM items"
                        " WHERE id > ? AND json_type(payload, ?) = 'text' ORDER BY id LIMIT ?",
                        (f"{path}.kind", f"{path}.key", after, f"{path}.key", _PAGE)).fetchall():
                    after = page[-1][0]
                    changed = {i: new for i, kind, key in page
                               if (new := new_key(str(kind), key)) != key}
                    for part in _chunks(changed, _VARS):
                        rows = c.execute(f"SELECT id, payload FROM items WHERE id IN"
                                         f" ({_marks(len(part))})", part).fetchall()
                        updates = []
                        for i, text in rows:
                            payload = orjson.loads(text)
                            _at(payload, path)["key"] = changed[i]
                            updates.append((dumps(payload).decode(), i))
                        c.executemany("UPDATE items SET payload = ? WHERE id = ?", updates)
                        items += len(updates)
            for kind in sorted(kinds):
                held = c.execute("SELECT key, id FROM lookups WHERE kind = ? ORDER BY id, key",
                                 (kind,)).fetchall()
                now: dict[str, int] = {}
                for key, rid in held:
                    new = new_key(kind, key)
                    moved += new != key
                    if new not in now:
                        now[new] = rid
                    elif (other := spare(kind, new, rid)) is not None:
                        now[other] = rid
                if now != dict(held):
                    c.execute("DELETE FROM lookups WHERE kind = ?", (kind,))
                    c.executemany("INSERT OR REPLACE INTO lookups VALUES (?, ?, ?)",
                                  [(kind, key, rid) for key, rid in now.items()])
            c.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)",
                          [(key, _dumps(value)) for key, value in meta.items()])
        return items, moved

    # -- before-images ---------------------------------------------------------------------

    def put_before_images(self, rows: Iterable[BeforeImage]) -> int:
        """The first image of a record wins (it is the state before the job touched it)."""
        added = 0
        for chunk in _chunks(rows, _CHUNK):
            data = [(b.entity, b.entity_id, b.item_id, _dumps(b.before), b.taken_at)
                    for b in chunk]
            with self._tx("write before-images") as c:
                added += c.executemany("INSERT OR IGNORE INTO before_images (entity, entity_id,"
                                       " item_id, before, taken_at) VALUES (?, ?, ?, ?, ?)",
                                       data).rowcount
        return added

    def refresh_before_images(self, rows: Iterable[BeforeImage]) -> int:
        """Replace the stored image of each record (``before``, ``taken_at``) with the one
        given: for a record read again right before the job writes it and found as the
        stored image describes (nothing of it changed since; a changed record is a conflict
        and keeps its image). A record without an image gets none. Returns how many."""
        changed = 0
        for chunk in _chunks(rows, _CHUNK):
            data = [(_dumps(b.before), b.taken_at, b.entity, b.entity_id) for b in chunk]
            with self._tx("refresh before-images") as c:
                changed += c.executemany("UPDATE before_images SET before = ?, taken_at = ?"
                                         " WHERE entity = ? AND entity_id = ?", data).rowcount
        return changed

    def _before_page(self, entity: str | None, after: int) -> list[tuple[int, BeforeImage]]:
        where = "seq > ?" if entity is None else "entity = ? AND seq > ?"
        params = (after,) if entity is None else (entity, after)
        rows = self._query("read before-images", "SELECT seq, entity, entity_id, item_id,"
                           f" before, taken_at FROM before_images WHERE {where} ORDER BY seq"
                           f" LIMIT {_PAGE}", params)
        return [(r[0], BeforeImage(r[1], r[2], r[3], orjson.loads(r[4]), r[5])) for r in rows]

    def before_image(self, entity: str, entity_id: int) -> BeforeImage | None:
        """The image stored for one record (the first one: ``put_before_images``), or None."""
        rows = self._query("read a before-image", "SELECT entity, entity_id, item_id, before,"
                           " taken_at FROM before_images WHERE entity = ? AND entity_id = ?",
                           (entity, entity_id))
        return (BeforeImage(rows[0][0], rows[0][1], rows[0][2], orjson.loads(rows[0][3]),
                            rows[0][4]) if rows else None)

    def before_images_of(self, entity: str, ids: Iterable[int]) -> dict[int, BeforeImage]:
        """The images stored for these records of ``entity`` (id → image; none: absent),
        read in one query per 500 ids."""
        out: dict[int, BeforeImage] = {}
        for part in _chunks(list(dict.fromkeys(ids)), _VARS):
            for r in self._query("read before-images", "SELECT entity, entity_id, item_id,"
                                 " before, taken_at FROM before_images WHERE entity = ? AND"
                                 f" entity_id IN ({_marks(len(part))})", (entity, *part)):
                out[r[1]] = BeforeImage(r[0], r[1], r[2], orjson.loads(r[3]), r[4])
        return out

    def before_images(self, entity: str | None = None) -> Iterator[BeforeImage]:
        after = 0
        while page := self._before_page(entity, after):
            yield from (b for _, b in page)
            after = page[-1][0]

    # -- spend ledger ------------------------------------------------------------------

    def add_spend(self, day: str, operation: str, tokens: int, calls: int) -> None:
        date.fromisoformat(day)  # ValueError unless YYYY-MM-DD
        with self._tx("add spend") as c:
            self._add_spend(c, [(day, operation, tokens, calls)])

    @staticmethod
    def _add_spend(c: sqlite3.Connection, rows: Sequence[tuple[str, str, int, int]]) -> None:
        if rows:
            c.executemany("INSERT INTO spend VALUES (?, ?, ?, ?) ON CONFLICT (day, operation)"
                          " DO UPDATE SET tokens = tokens + excluded.tokens,"
                          " calls = calls + excluded.calls", rows)

    def spend_by_day(self) -> dict[str, int]:
        return dict(self._query("read spend", "SELECT day, sum(tokens) FROM spend"
                                              " GROUP BY day ORDER BY day"))

    def spend_by_operation(self) -> dict[str, tuple[int, int]]:
        rows = self._query("read spend", "SELECT operation, sum(tokens), sum(calls) FROM spend"
                                         " GROUP BY operation ORDER BY operation")
        return {op: (tokens, calls) for op, tokens, calls in rows}

    def spend_now(self) -> dict[str, tuple[int, int]]:
        """``spend_by_operation`` of this run alone: what the ledger gained since this handle
        opened the job (a resume's re-read, its run; x19r2: the run's ``tokens:`` line
        gave the whole job's ledger, all runs, as its spend)."""
        before = self._spent_before
        now = {op: (t - before.get(op, (0, 0))[0], c - before.get(op, (0, 0))[1])
               for op, (t, c) in self.spend_by_operation().items()}
        return {op: tc for op, tc in now.items() if tc != (0, 0)}

    def correct_earlier(self, spend: Sequence[tuple[str, str, int, int]],
                        meta: Mapping[str, Any]) -> None:
        """``record([], spend, meta)`` for a correction of the runs before this handle
        opened the job (``bulk.ledger.take_back_unused``: credit a killed run charged and
        never used): ``spend_now`` leaves it out, as theirs, not this run's."""
        self.record([], spend, meta)
        for _day, op, tokens, calls in spend:
            was = self._spent_before.get(op, (0, 0))
            self._spent_before[op] = (was[0] + tokens, was[1] + calls)

    # -- job-kind key/values ---------------------------------------------------------------

    def meta_get(self, key: str) -> Any | None:
        rows = self._query("read meta", "SELECT value FROM kv WHERE key = ?", (key,))
        return orjson.loads(rows[0][0]) if rows else None

    def meta_prefixed(self, prefix: str) -> dict[str, Any]:
        """Every key/value whose key starts with ``prefix`` (a kind's records of one sort,
        e.g. one per deal), key → value."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._query("read meta", "SELECT key, value FROM kv WHERE key LIKE ? ESCAPE '\\'",
                           (pattern,))
        return {k: orjson.loads(v) for k, v in rows if k.startswith(prefix)}

    def meta_put(self, key: str, value: Any) -> None:
        _refuse_secrets({key: value}, "meta")
        text = _dumps(value)
        with self._tx("write meta") as c:
            c.execute("INSERT OR REPLACE INTO kv VALUES (?, ?)", (key, text))

    def meta_put_many(self, values: Mapping[str, Any]) -> None:
        """``meta_put`` of every key → value of ``values``, in one transaction. Raises
        ValueError (nothing written) for a value that holds a credential."""
        _refuse_secrets(dict(values), "meta")
        rows = [(key, _dumps(value)) for key, value in values.items()]
        with self._tx("write meta") as c:
            c.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", rows)
