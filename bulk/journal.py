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
  to both, read from both (the shared entries, then this machine's): the runs of other
  machines on the same coordinator see the entries, and runs of this machine without the
  coordinator see them too.

Synchronous on purpose: a journal is read once a job and appended to once an item at most
(its callers are synchronous: a kind's ``after_run``, a plan's note); a Redis round trip
blocks its caller, never longer than the socket timeout. Nothing here may hold the API
token, nor anything the caller does not put in an entry.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import orjson

from .errors import CoordinatorLost

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")


class Journal(Protocol):
    """An append-only record of JSON objects (see the module docstring)."""

    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Append ``entries`` (JSON-able objects) in their order, all or none. Raises
        OSError (a local file that cannot be written) or CoordinatorLost (Redis)."""
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
    return [orjson.dumps(dict(entry)) for entry in entries]


def _parsed(raw: bytes) -> dict[str, Any] | None:
    try:
        entry = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return entry if isinstance(entry, dict) else None


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

    def close(self) -> None:
        self._redis.close()


class DualJournal:
    """``local`` and ``shared`` as one journal: appended to both (``shared`` first: an
    entry other machines cannot see is not kept here alone either), read from both."""

    __slots__ = ("local", "shared")

    def __init__(self, local: Journal, shared: Journal) -> None:
        self.local, self.shared = local, shared

    def __repr__(self) -> str:
        return f"DualJournal({self.local!r}, {self.shared!r})"

    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        self.shared.append(entries)
        self.local.append(entries)

    def entries(self) -> list[dict[str, Any]]:
        return [*self.shared.entries(), *self.local.entries()]

    def close(self) -> None:
        try:
            self.shared.close()
        finally:
            self.local.close()


def open_journal(name: str, company: str | None = None) -> Journal:
    """Journal ``name`` as a run sees it: this machine's (``LocalJournal``) — and, when a
    shared coordinator is in force (``--coordinator`` / env ``PDBULK_COORDINATOR``), the
    same journal on its Redis too (``DualJournal``), under the company (``company``, else
    the one the running ``bulk.engine.Engine.open`` bound). Raises RuntimeError when a
    coordinator is in force and no company is known (a bug: a journal opened outside a
    run), ValueError for a name that is not lower-case letters, digits, _ and -. The
    caller closes it (``close``)."""
    from .coordinator import bound_company, coordinator_url

    local = LocalJournal(name)
    url = coordinator_url()
    if url is None:
        return local
    company = company or bound_company()
    if company is None:
        raise RuntimeError("a journal on the shared coordinator needs the company: open it "
                           "inside a run (bulk.engine.Engine.open binds it)")
    return DualJournal(local, RedisJournal(url, company, name))


__all__ = ["DualJournal", "Journal", "LocalJournal", "RedisJournal", "journal_key",
           "open_journal"]
