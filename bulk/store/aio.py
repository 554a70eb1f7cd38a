"""``AsyncJobStore``: the job store for the event loop (every call in its one writer
thread, one at a time, in the order they came)."""

from __future__ import annotations

import functools
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
)
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import anyio

from bulk.clock import Lane, in_thread
from bulk.errors import StoreLost

from .model import BeforeImage, Item, ItemState
from .sqlite import _PAGE, JobStore

T = TypeVar("T")
P = ParamSpec("P")
def _in_thread(method: Callable[Concatenate[JobStore, P], T],
               ) -> Callable[Concatenate[AsyncJobStore, P], Coroutine[Any, Any, T]]:
    """The coroutine twin of a JobStore method, with the same (type-checked) signature."""
    async def call(self: AsyncJobStore, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._run(functools.partial(method, self._store, *args, **kwargs))
    return functools.update_wrapper(call, method)


class AsyncJobStore:
    """JobStore for the event loop: every call runs in its writer thread, one at a time.

    Serialised by that one thread (a ``bulk.clock.Lane``: in the order the calls came) and
    JobStore's lock, so the connection is never used by two threads at once. A call
    cancelled (an anyio cancel) still finishes its transaction and its caller waits for
    it, as anyio's worker threads did: a batch is all or nothing, and known.
    """

    __slots__ = ("_lane", "_store")

    def __init__(self, store: JobStore) -> None:
        self._store = store
        self._lane = Lane()

    @classmethod
    def of(cls, store: JobStore) -> AsyncJobStore:
        """The job's one async store: every caller of one ``JobStore`` (the engine, its runs,
        a job kind) gets the same ``AsyncJobStore``, so one worker thread at a time works
        on it, behind one limiter (a second twin would run a second thread against the
        store's lock)."""
        twin = store._twin
        if not isinstance(twin, cls):
            twin = cls(store)
            store._twin = twin
        return twin

    @classmethod
    async def create(cls, directory: Path, *, job_id: str, kind: str,
                     config: dict[str, Any]) -> AsyncJobStore:
        return cls(await in_thread(functools.partial(
            JobStore.create, directory, job_id=job_id, kind=kind, config=config)))

    @classmethod
    async def open(cls, directory: Path) -> AsyncJobStore:
        return cls(await in_thread(functools.partial(JobStore.open, directory)))

    async def _run(self, fn: Callable[[], T]) -> T:
        return await in_thread(fn, lane=self._lane)

    async def in_lane(self, fn: Callable[[], T]) -> T:
        """``fn()`` in the store's writer thread, after the calls before it, as every store
        call runs (``fn`` may call the blocking store, ``sync``): several blocking steps in
        one thread hop (issue 8: ``bulk.claims.Lease.confirm_then``, a create's claim
        renewal and its sent marks). Raises what ``fn`` raises."""
        return await in_thread(fn, lane=self._lane)

    @property
    def sync(self) -> JobStore:
        """The blocking store (e.g. to load items before the loop runs)."""
        return self._store

    @property
    def job_id(self) -> str:
        return self._store.job_id

    @property
    def kind(self) -> str:
        return self._store.kind

    @property
    def config(self) -> dict[str, Any]:
        return self._store.config

    @property
    def directory(self) -> Path:
        return self._store.directory

    @property
    def status(self) -> str:
        return self._store.status

    @property
    def lost(self) -> StoreLost | None:
        return self._store.lost

    @property
    def closed(self) -> bool:
        return self._store.closed

    @property
    def status_message(self) -> str | None:
        return self._store.status_message

    set_status = _in_thread(JobStore.set_status)
    add_items = _in_thread(JobStore.add_items)  # the iterable is consumed in the worker thread
    pending = _in_thread(JobStore.pending)
    in_doubt = _in_thread(JobStore.in_doubt)
    mark_sending = _in_thread(JobStore.mark_sending)
    record = _in_thread(JobStore.record)
    failed_to_pending = _in_thread(JobStore.failed_to_pending)
    counts = _in_thread(JobStore.counts)
    lookup_get = _in_thread(JobStore.lookup_get)
    lookup_get_many = _in_thread(JobStore.lookup_get_many)
    lookup_put_many = _in_thread(JobStore.lookup_put_many)
    lookup_delete_many = _in_thread(JobStore.lookup_delete_many)
    lookups = _in_thread(JobStore.lookups)
    put_before_images = _in_thread(JobStore.put_before_images)
    refresh_before_images = _in_thread(JobStore.refresh_before_images)
    before_image = _in_thread(JobStore.before_image)
    before_images_of = _in_thread(JobStore.before_images_of)
    add_spend = _in_thread(JobStore.add_spend)
    spend_by_day = _in_thread(JobStore.spend_by_day)
    spend_by_operation = _in_thread(JobStore.spend_by_operation)
    meta_get = _in_thread(JobStore.meta_get)
    meta_prefixed = _in_thread(JobStore.meta_prefixed)
    meta_put = _in_thread(JobStore.meta_put)
    meta_put_many = _in_thread(JobStore.meta_put_many)
    meta_prefixed = _in_thread(JobStore.meta_prefixed)
    close = _in_thread(JobStore.close)

    async def items(self, state: ItemState | None = None) -> AsyncIterator[Item]:
        after = 0
        while page := await self._run(
                functools.partial(self._store._items_page, state, after, _PAGE)):
            for item in page:
                yield item
            after = page[-1].id

    async def before_images(self, entity: str | None = None) -> AsyncIterator[BeforeImage]:
        after = 0
        while page := await self._run(functools.partial(self._store._before_page, entity, after)):
            for _, image in page:
                yield image
            after = page[-1][0]

    async def __aenter__(self) -> AsyncJobStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        with anyio.CancelScope(shield=True):
            await self.close()

    def __repr__(self) -> str:
        return f"Async{self._store!r}"
