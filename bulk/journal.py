"""Journals: append-only records of JSON entries that every run on an account shares.

A job kind keeps in a journal what later runs must learn from earlier ones and cannot read
back from the account (``jobs.merged_deals``: which deal a merge took away, and into
which). The engine knows nothing of what the entries mean: each is a JSON object, kept in
the order appended, read whole.

- ``LocalJournal``: one JSON line per entry in ``{name}.jsonl`` in this machine's state
  folder (``bulk.claims.state_dir``, beside the claims), 0600; appended with one
  ``write`` (O_APPEND: whole lines from concurrent processes); a line that does not
  parse is skipped on reading.
- ``RedisJournal``: the same entries in one Redis list, ``pdbulk:c:{company}:journal:{name}``
  (``company``: the Pipedrive company id, as the claims' and the coordinator's keys: two
  companies on one Redis never share a key). Kept as long as Redis keeps it; nothing is
  ever taken out.
- ``DualJournal``: what a run under a shared coordinator uses (``open_journal``): appended
  to both, read from both (the shared entries, then this machine's not among them): the
  runs of other machines on the same coordinator see the entries, and runs of this machine
  without the coordinator see them too. An entry appended through it carries
  ``"company"`` (set here: the company it was shared under), in both copies.

**Redis lost** (restarted empty, flushed, evicted): the shared list is gone, the local
copies stay. Every coordinated run puts back when it starts (``reshare_all``, called by
``bulk.engine``: whether or not it opens a journal), and ``open_journal`` again
(``DualJournal.reshare``), what this machine's record shared under the company and Redis
lacks — compared by the entry itself (its JSON, keys sorted), each put back once even when
two machines do it at once (one Lua script compares and appends) — and logs a warning
(``pdbulk.journal``) naming how many. The work is bounded: a marker beside the list,
``pdbulk:c:{company}:journal:{name}:born`` (a random epoch id and when it was written, no
TTL; gone with the list when Redis is emptied), and beside the local record
``{name}.jsonl.shared`` (0600: per coordinator, its password left out, and company, the
marker's epoch id the record was last compared under and how many of its bytes were; per
company and job root, how far ``DualJournal.adopt`` examined it). One
script call reads the marker: when it is the one remembered, only the lines the record
gained since are compared (none: nothing sent); when it is gone or another, the whole
record (``RESHARE_BATCH`` lines a call). An entry appended without a coordinator names no
company and is never shared (which company's it is is unknown) — unless it names the job
that appended it (``job``) and that job's store, in the run's job root, recorded the
company (an entry an earlier version appended on a shared coordinator without it): a
coordinated run of that company appends a copy stamped with it (``DualJournal.adopt``)
and shares it; the entry itself is then read by its company alone (``of_company``). What
only a machine that is gone had shared is lost with Redis.

Synchronous (a blocking redis-py client, ``bulk.redis_scripts.connect_blocking``): a
journal is read once a job and appended to once an item at most, and a caller on the event
loop opens, reads and appends it in a thread (``bulk.clock.in_thread``): a slow Redis holds
up that caller, never longer than the socket timeout, and never the loop's other tasks. An
append returns once the local line is written and flushed to disk (``fsync``). Nothing
here may hold the API token, nor anything the caller does not put in an entry.

Why ~620 lines: three journals that must agree on what an entry is (its identity, its
company), and the put-back after a loss that stays one script call a run when nothing was
lost: the Lua script, the state folder's memo of the marker, and the adoption of entries
an earlier version left without a company — one module, as each part reads the others'
record formats.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson

from .errors import CoordinatorLost
from .state import write_private

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
# a plan's run (``bulk.engine``: a store whose config says ``reads_only``): its journals are
# read, never put back (f40c: a plan after FLUSHALL wrote the folder's entries back)
_READS_ONLY: ContextVar[bool] = ContextVar("pdbulk_journal_reads_only", default=False)
_log = logging.getLogger("pdbulk.journal")  # the CLI prints its warnings on stderr
COMPANY = "company"  # the field a shared entry carries: the company it was shared under
RESHARE_BATCH = 500  # entries put back per round trip


class Journal(Protocol):
    """An append-only record of JSON objects (see the module docstring)."""

    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Append ``entries`` (JSON-able objects) in their order, all or none; blocking
        (call it off the event loop). Raises OSError (a local file that cannot be written)
        or CoordinatorLost (Redis)."""
        ...

    def entries(self) -> list[dict[str, Any]]:
        """Every entry appended so far, oldest first (none when nothing was). Raises
        OSError (a local file that cannot be read, other than a missing one) or
        CoordinatorLost (Redis)."""
        ...

    def close(self) -> None:
        """Free the connection, if any. Idempotent."""
        ...


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"a journal's name is lower-case letters, digits, _ and -, not {name!r}")
    return name


def _lines(entries: Sequence[Mapping[str, Any]]) -> list[bytes]:
    return [_identity(entry) for entry in entries]


def _identity(entry: Mapping[str, Any]) -> bytes:
    """An entry's identity: its JSON, keys sorted (what is compared, and what is written)."""
    return orjson.dumps(dict(entry), option=orjson.OPT_SORT_KEYS)


def _parsed(raw: bytes) -> dict[str, Any] | None:
    try:
        entry = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return entry if isinstance(entry, dict) else None


JOB = "job"  # the field naming the job that appended an entry (when the caller sets it)
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def job_company(job_root: Path, job_id: object) -> str | None:
    """The company id job ``job_id``'s store (``{job_root}/{job_id}/job.sqlite``) recorded
    (its meta ``company``: every run on a shared coordinator writes it, ``bulk.engine``),
    None when there is no such job or it ran without one. Read-only; never raises."""
    import sqlite3

    from .store.files import FILENAME

    if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        return None
    path = job_root / job_id / FILENAME
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
        try:
            row = conn.execute("SELECT value FROM kv WHERE key = 'company'").fetchone()
        finally:
            conn.close()
        company = orjson.loads(row[0]) if row else None
    except (sqlite3.Error, orjson.JSONDecodeError, OSError):
        return None
    return company if isinstance(company, str) and company else None


def _unstamped(entry: Mapping[str, Any]) -> bytes:
    """An entry's identity less its company: what a stamped copy (``adopt``) shares with
    the entry it was made from."""
    return _identity({k: v for k, v in entry.items() if k != COMPANY})


def of_company(entries: Sequence[Mapping[str, Any]], company: str) -> list[dict[str, Any]]:
    """Of a record's ``entries``, those of ``company``: shared under it (``company``), or
    naming none and with no copy stamped with a company (``DualJournal.adopt``: an entry an
    earlier version appended without one, its job's company learned since) — such an entry
    is read by every company, as its company is unknown."""
    stamped = {_unstamped(e) for e in entries if isinstance(e.get(COMPANY), str)}
    return [dict(e) for e in entries
            if e.get(COMPANY) == company or (COMPANY not in e and _unstamped(e) not in stamped)]


class LocalJournal:
    """A journal in this machine's state folder (``path``: default
    ``state_dir() / f"{name}.jsonl"``)."""

    __slots__ = ("name", "path")

    def __init__(self, name: str, path: Path | None = None) -> None:
        from .claims import state_dir

        self.name = _checked(name)
        self.path = path or state_dir() / f"{name}.jsonl"

    def __repr__(self) -> str:
        return f"LocalJournal({str(self.path)!r})"

    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        data = b"".join(line + b"\n" for line in _lines(entries))
        if not data:
            return
        from .state import private_folder

        private_folder(self.path.parent)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)  # on disk before the caller goes on (a merge sent, a run ended)
        finally:
            os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        try:
            with self.path.open("rb") as f:
                return [e for line in f if (e := _parsed(line)) is not None]
        except FileNotFoundError:
            return []

    def close(self) -> None:
        pass


def journal_key(company: str, name: str) -> str:
    """The Redis key of journal ``name`` of ``company``."""
    return f"pdbulk:c:{company}:journal:{_checked(name)}"


def journal_born_key(company: str, name: str) -> str:
    """The Redis key of journal ``name``'s birth marker (module docstring, "Redis lost")."""
    return f"{journal_key(company, name)}:born"


# KEYS: the list, its birth marker; ARGV: the epoch id the caller compared under ('':
# none), a new epoch id, now, then the lines to put back. Writes the marker when there is
# none. When the caller knew an epoch and the marker is another (or was gone: Redis lost
# since), appends nothing and answers -1: the caller compares its whole record. Else
# appends each line the list lacks (compared whole, once: two machines putting back at
# once append it once). Answers {epoch, lines appended or -1}.
RESHARE = """
local b = redis.call('HGET', KEYS[2], 'epoch')
if not b then
  b = ARGV[2]
  redis.call('HSET', KEYS[2], 'epoch', ARGV[2], 'at', ARGV[3])
end
if ARGV[1] ~= '' and ARGV[1] ~= b then return {b, -1} end
local n = 0
if #ARGV > 3 then
  local have = {}
  for _, line in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do have[line] = true end
  for i = 4, #ARGV do
    if not have[ARGV[i]] then
      redis.call('RPUSH', KEYS[1], ARGV[i])
      have[ARGV[i]] = true
      n = n + 1
    end
  end
end
return {b, n}
"""


class RedisJournal:
    """A journal on the shared coordinator's Redis (``url``: redis://host:6379/0) for the
    Pipedrive company ``company`` (its id). Connects on first use; Redis errors are raised
    as CoordinatorLost (its message names the host, never a password)."""

    __slots__ = ("_redis", "company", "name", "url")

    def __init__(self, url: str, company: str, name: str) -> None:
        if not company or ":" in company:
            raise ValueError(f"RedisJournal needs a company id, not {company!r}")
        import redis

        from .coordinator import check_url
        from .redis_scripts import connect_blocking

        self.url, self.company, self.name = url, company, _checked(name)
        # a blip is retried as the coordinator's connections retry it (about 2 s)
        self._redis: redis.Redis = connect_blocking(check_url(url), socket_connect_timeout=3.0,
                                                    socket_timeout=5.0)

    def __repr__(self) -> str:
        from .coordinator_urls import redacted

        return f"RedisJournal({redacted(self.url)!r}, {self.company!r}, {self.name!r})"

    def _lost(self, exc: BaseException) -> CoordinatorLost:
        from .redis_scripts import failure

        cause = f"{failure(self.url, exc)} (journal {self.name})"
        return CoordinatorLost(f"{cause}; the job stops checkpointed: resume it once Redis is "
                               "back", cause=cause)

    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        from redis.exceptions import RedisError

        lines = _lines(entries)
        if not lines:
            return
        try:
            self._redis.rpush(journal_key(self.company, self.name), *lines)
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None

    def entries(self) -> list[dict[str, Any]]:
        from redis.exceptions import RedisError

        try:
            raw: list[bytes] = self._redis.lrange(  # type: ignore[assignment]
                journal_key(self.company, self.name), 0, -1)
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None
        return [e for line in raw if (e := _parsed(line)) is not None]

    def epoch(self) -> str | None:
        """The epoch id of this journal's birth marker (None: none, Redis emptied or the
        journal never put back). Raises CoordinatorLost."""
        from redis.exceptions import RedisError

        try:
            raw = self._redis.hget(journal_born_key(self.company, self.name), "epoch")
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None
        return raw.decode() if isinstance(raw, bytes) else None

    def put_back(self, lines: Sequence[bytes], known: str | None = None
                 ) -> tuple[str, int | None]:
        """Append the ``lines`` (entries as ``_identity`` writes them) the list lacks (each
        compared whole; none twice, whoever puts it back at the same time),
        ``RESHARE_BATCH`` a round trip (one when there is none), writing the birth marker
        when there is none: (the marker's epoch id, how many were appended). ``known``:
        the epoch id the caller last compared under: when the marker is another (Redis
        lost since), nothing is appended and the count is None (compare the whole record
        then). Raises CoordinatorLost."""
        from redis.exceptions import RedisError

        epoch, added = "", 0
        keys = [journal_key(self.company, self.name), journal_born_key(self.company, self.name)]
        try:
            script = self._redis.register_script(RESHARE)
            for start in range(0, max(1, len(lines)), RESHARE_BATCH):
                raw = script(keys=keys, args=[known or "", secrets.token_hex(8),
                                              repr(round(time.time(), 3)),
                                              *lines[start:start + RESHARE_BATCH]])
                epoch = raw[0].decode()
                if int(raw[1]) < 0:
                    return epoch, None
                added, known = added + int(raw[1]), epoch
        except (RedisError, OSError) as exc:
            raise self._lost(exc) from None
        return epoch, added

    def close(self) -> None:
        self._redis.close()


@dataclass(frozen=True, slots=True)
class Reshared:
    """What ``DualJournal.reshare`` did: ``put_back`` entries of this machine's record that
    the shared one lacked were appended to it (``lost``: True, since entries shared before
    were missing — Redis restarted empty, was flushed, or is another one)."""

    put_back: int = 0
    local: int = 0  # the entries of this machine's record compared (shared under the company)
    checked: bool = False  # False: the marker was as this state folder left it, nothing new

    @property
    def lost(self) -> bool:
        return self.put_back > 0


def _memo_path(local: LocalJournal) -> Path:
    """Where a state folder keeps, per coordinator and company, the birth marker's epoch id
    its record was last compared under and how many bytes of it were compared then."""
    return local.path.with_name(f"{local.path.name}.shared")


def _read_memo(path: Path) -> dict[str, Any]:
    try:
        memo = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return memo if isinstance(memo, dict) else {}


def _write_memo(path: Path, where: str, value: Any) -> None:
    """Best effort (a memo not written only makes the next open compare again)."""
    memo = _read_memo(path)
    memo[where] = value
    with contextlib.suppress(OSError):
        write_private(path, orjson.dumps(memo))


class DualJournal:
    """``local`` and ``shared`` as one journal: appended to both (``shared`` first: an
    entry other machines cannot see is not kept here alone either), read from both."""

    __slots__ = ("local", "shared")

    def __init__(self, local: LocalJournal, shared: RedisJournal) -> None:
        self.local, self.shared = local, shared

    def __repr__(self) -> str:
        return f"DualJournal({self.local!r}, {self.shared!r})"

    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        stamped = [{**entry, COMPANY: self.shared.company} for entry in entries]
        self.shared.append(stamped)
        self.local.append(stamped)

    def entries(self) -> list[dict[str, Any]]:
        """The shared entries, then this machine's that they lack (each once), but those
        shared under another company."""
        shared = self.shared.entries()
        seen = {_identity(e) for e in shared}
        return [*shared, *(e for e in of_company(self.local.entries(), self.shared.company)
                           if _identity(e) not in seen)]

    def adopt(self, job_root: Path) -> int:
        """Stamp with the company the entries of this machine's record that name none but
        whose job (``job``: its id) is in ``job_root`` and recorded this company
        (``job_company``): entries an earlier version appended on a shared coordinator
        without the company. Each gets a copy with it, appended here only (``reshare`` then
        shares it; the entry itself stays, read by its company alone: ``of_company``): how
        many. Bounded: each job's store read once a call, and the entries examined once per
        company and job root (how far, in ``{name}.jsonl.shared``). Raises OSError (the
        record cannot be read or written)."""
        company = self.shared.company
        memo_path, where = _memo_path(self.local), f"adopted {company} {job_root.resolve()}"
        try:
            data = self.local.path.read_bytes()
        except FileNotFoundError:
            return 0
        size = data.rfind(b"\n") + 1
        was = _read_memo(memo_path).get(where)
        since = was if isinstance(was, int) and 0 <= was <= size else 0
        if since == size:
            return 0
        stamped = {_unstamped(e) for raw in data[:size].splitlines()
                   if (e := _parsed(raw)) is not None and isinstance(e.get(COMPANY), str)}
        companies: dict[str, str | None] = {}
        adopted: dict[bytes, dict[str, Any]] = {}
        for raw in data[since:size].splitlines():
            entry = _parsed(raw)
            if entry is None or COMPANY in entry or (bare := _unstamped(entry)) in stamped \
                    or bare in adopted:
                continue
            job = entry.get(JOB)
            if not isinstance(job, str):
                continue
            if job not in companies:
                companies[job] = job_company(job_root, job)
            if companies[job] == company:
                adopted[bare] = {**entry, COMPANY: company}
        self.local.append(list(adopted.values()))
        _write_memo(memo_path, where, size)
        return len(adopted)

    def reshare(self) -> Reshared:
        """Put back into the shared journal what this machine's record shared under the
        company and the shared one lacks (module docstring, "Redis lost"); a warning says
        how many. One script call when the shared journal's birth marker is the one this
        state folder last compared under (``{name}.jsonl.shared``): only the lines the
        record gained since are sent, none when it gained none; the whole record when the
        marker is another or gone (Redis lost), or never compared. Raises CoordinatorLost
        (OSError: the local record cannot be read)."""
        from .coordinator_urls import redacted

        shared, company = self.shared, self.shared.company
        memo_path, where = _memo_path(self.local), f"{redacted(shared.url)} {company}"
        try:
            data = self.local.path.read_bytes()
        except FileNotFoundError:
            data = b""
        size = data.rfind(b"\n") + 1  # whole lines only (another process may be appending)
        was = _read_memo(memo_path).get(where)
        known, since = (str(was[0]), int(was[1])) if (
            isinstance(was, list) and len(was) == 2 and isinstance(was[0], str)
            and isinstance(was[1], int) and 0 <= was[1] <= size) else (None, 0)
        mine = self._mine(data[since:size])
        epoch, added = shared.put_back(mine, known)
        compared = len(mine)
        if added is None:  # the marker is another: Redis lost since, the whole record
            mine = self._mine(data[:size])
            epoch, added = shared.put_back(mine, epoch)
            compared = len(mine)
            if added is None:  # lost again meanwhile: the next open compares again
                return Reshared(0, compared, True)
        _write_memo(memo_path, where, [epoch, size])
        if added:
            _log.warning("the shared coordinator (%s) lacked %d of the %d entries this state "
                         "folder had shared in its journal %s (Redis restarted empty, flushed "
                         "or evicted, or another Redis): put back", redacted(shared.url),
                         added, compared, shared.name)
        return Reshared(added, compared, known is None or since < size)

    def _mine(self, data: bytes) -> list[bytes]:
        """The lines of ``data`` (the local record's) shared under the company, each once,
        as ``_identity`` writes them."""
        company, out = self.shared.company, {}
        for raw in data.splitlines():
            entry = _parsed(raw)
            if entry is not None and entry.get(COMPANY) == company:
                line = _identity(entry)
                out[line] = line
        return list(out)

    def close(self) -> None:
        try:
            self.shared.close()
        finally:
            self.local.close()


def reads_only() -> bool:
    """Whether the current run is a plan's (``reading_only``): its journals put nothing back."""
    return _READS_ONLY.get()


@contextlib.contextmanager
def reading_only(flag: bool = True) -> Iterator[None]:
    """Within it (the current context and the threads its ``in_thread`` calls start),
    ``reshare_all`` and ``open_journal`` put nothing back when ``flag``: a plan writes
    nothing anywhere but its output, neither to Redis (entries, birth markers) nor beside
    this machine's records (``.shared`` memos, adopted entries). Its reads lose nothing:
    ``DualJournal.entries`` reads this machine's shared entries with Redis's."""
    token = _READS_ONLY.set(flag)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # left in another context: nothing to undo
            _READS_ONLY.reset(token)


def reshare_all(url: str, company: str, job_root: Path | None = None) -> list[Reshared]:
    """``DualJournal.reshare`` of every journal this machine's state folder keeps (a
    ``{name}.jsonl`` there) on the shared coordinator at ``url`` for ``company``: what a
    coordinated run does when it starts (``bulk.engine``), whether or not it opens a
    journal, so a loss of Redis is made good by the next run of any kind. One script call a
    journal when nothing was lost; none when the folder keeps no journal. ``job_root``:
    the run's job folder's parent; the entries naming no company whose job there recorded
    ``company`` are stamped first (``DualJournal.adopt``), and shared. Raises
    CoordinatorLost when that Redis does not answer (a record that cannot be read is
    logged, ``pdbulk.journal``, and left). A plan's run (``reads_only``): nothing, [] (f40c)."""
    from .claims import state_dir

    out: list[Reshared] = []
    if reads_only():
        return out
    try:
        names = sorted(p.name[:-len(".jsonl")] for p in state_dir().glob("*.jsonl"))
    except OSError:
        return out
    for name in names:
        if not _NAME.fullmatch(name):
            continue
        journal = DualJournal(LocalJournal(name), RedisJournal(url, company, name))
        try:
            if job_root is not None:
                journal.adopt(job_root)
            out.append(journal.reshare())
        except OSError as exc:  # a run that never opens it goes on; one that does says it
            _log.warning("cannot read this state folder's journal %s (%s): not compared with "
                         "the shared coordinator's", name, exc.strerror or exc)
        finally:
            journal.close()
    return out


def open_journal(name: str, company: str | None = None) -> Journal:
    """Journal ``name`` as a run sees it: this machine's (``LocalJournal``) — and, when a
    shared coordinator is in force (``--coordinator`` / env ``PDBULK_COORDINATOR``), the
    same journal on its Redis too (``DualJournal``), under the company (``company``, else
    the one the running ``bulk.engine.Engine.open`` bound), after putting back what this
    machine's record shared there and Redis lacks (``DualJournal.reshare``; not in a plan's
    run, ``reads_only``: f40c). Raises
    RuntimeError when a coordinator is in force and no company is known (a bug: a journal
    opened outside a run), ValueError for a name that is not lower-case letters, digits, _
    and -, CoordinatorLost when that Redis does not answer, OSError when the local record
    cannot be read. The caller closes it (``close``)."""
    from .coordinator import bound_company, coordinator_url

    local = LocalJournal(name)
    url = coordinator_url()
    if url is None:
        return local
    company = company or bound_company()
    if company is None:
        raise RuntimeError("a journal on the shared coordinator needs the company: open it "
                           "inside a run (bulk.engine.Engine.open binds it)")
    journal = DualJournal(local, RedisJournal(url, company, name))
    if reads_only():
        return journal  # a plan: read, never put back
    try:
        journal.reshare()
    except BaseException:
        journal.close()
        raise
    return journal


def read_journal(name: str) -> list[dict[str, Any]]:
    """Every entry of journal ``name`` as a run sees it (``open_journal``), oldest first:
    opened, read whole and closed. Raises as ``open_journal`` and ``Journal.entries`` do
    (RuntimeError, ValueError, CoordinatorLost, OSError)."""
    journal = open_journal(name)
    try:
        return journal.entries()
    finally:
        journal.close()


def append_journal(name: str, entries: Sequence[Mapping[str, Any]],
                   company: str | None = None) -> None:
    """Append ``entries`` to journal ``name`` as a run sees it (``open_journal``, under
    ``company`` when given), then close it. Raises as ``open_journal`` and
    ``Journal.append`` do."""
    journal = open_journal(name, company)
    try:
        journal.append(entries)
    finally:
        journal.close()


__all__ = ["COMPANY", "JOB", "DualJournal", "Journal", "LocalJournal", "RedisJournal", "Reshared",
           "append_journal", "job_company", "journal_born_key", "journal_key", "of_company",
           "open_journal", "read_journal", "reads_only", "reading_only", "reshare_all"]
