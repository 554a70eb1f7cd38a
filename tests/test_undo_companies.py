"""Undo's look at the other jobs of its ``--job-dir`` (F4): deal ids are per company, so a
job of another company (several accounts sharing one job dir) neither claims the source's
creates nor counts as a later write; a job whose company is unknown is still compared
(the safe direction). And the company read itself (GET /users/me, under a coordinator):
recorded in the job, and given up on as a run gives up on an account not answering."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bulk.coordinator import ENV_COORDINATOR
from bulk.engine import META_COMPANY, Engine
from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState, JobStore, NewItem, Outcome
from jobs.undo import later_writes, other_creators
from tests.import_support import engine_config
from tests.redis_helpers import running_redis


def _import(jobs: Path, name: str, company: str | None, deal_id: int, action: str,
            url: str | None = None) -> None:
    config = {"engine": {"base_url": url}} if url else {}
    store = JobStore.create(jobs / name, job_id=name, kind="import", config=config)
    try:
        if company is not None:
            store.meta_put(META_COMPANY, company)
        store.add_items([NewItem(row=1, key="k1", op="create", payload={})])
        item = next(iter(store.items(ItemState.PENDING)))
        store.mark_sending([item.id], time.time())
        store.record([Outcome(item.id, ItemState.DONE, {"deal_id": deal_id, "action": action})])
    finally:
        store.close()


def test_jobs_of_another_company_in_one_job_dir_are_not_compared(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    _import(jobs, "a-1001", "1001", 5, "created")  # the source: company 1001 made deal 5
    _import(jobs, "b-2002", "2002", 5, "created")  # company 2002's deal 5: another deal
    _import(jobs, "c-2002", "2002", 5, "updated")
    with JobStore.open(jobs / "a-1001", lock=False) as source:
        assert other_creators(source) == {}
        assert later_writes(source) == {}
    _import(jobs, "d-unknown", None, 5, "created")  # no company recorded: compared
    _import(jobs, "e-1001", "1001", 5, "updated")  # the same company: compared
    with JobStore.open(jobs / "a-1001", lock=False) as source:
        assert other_creators(source) == {5: "d-unknown"}
        assert "e-1001" in later_writes(source)[5]


def test_jobs_on_another_account_url_are_not_compared_when_no_company_is_known(
        tmp_path: Path) -> None:
    """x41r7 F0: without a coordinator no job records its company; two sandboxes (two
    companies) sharing one job dir made an undo leave 50 of 50 of its deals as "not
    provably this job's create". Another account URL naming a company tells them apart;
    the generic api.pipedrive.com, or one URL, does not (the safe direction)."""
    jobs = tmp_path / "jobs"
    _import(jobs, "a", None, 5, "created", "http://127.0.0.1:29023")
    _import(jobs, "b", None, 5, "created", "http://127.0.0.1:29021")  # another sandbox
    _import(jobs, "c", None, 5, "updated", "https://acme-sandbox.pipedrive.com")
    with JobStore.open(jobs / "a", lock=False) as source:
        assert other_creators(source) == {}
        assert later_writes(source) == {}
    _import(jobs, "d", None, 5, "created", "http://127.0.0.1:29023")  # the same account
    with JobStore.open(jobs / "a", lock=False) as source:
        assert other_creators(source) == {5: "d"}
    generic = tmp_path / "generic"
    _import(generic, "a", None, 5, "created", "https://api.pipedrive.com")
    _import(generic, "b", None, 5, "created", "https://acme.pipedrive.com")  # may be one
    with JobStore.open(generic / "a", lock=False) as source:
        assert other_creators(source) == {5: "b"}


@pytest.mark.anyio
async def test_a_coordinated_run_records_its_company(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The company a shared coordinator binds to (GET /users/me) is kept in the job's meta."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    with running_redis() as server:
        async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=11)) as sb:
            job = JobStore.create(tmp_path / "jobs" / "A", job_id="A", kind="import", config={})
            try:
                async with Engine.open(engine_config(sb, tmp_path / "jobs"), sb.token,
                                       coordinator=server.url, store=job):
                    pass
                assert job.meta_get(META_COMPANY) == str(sb.state.company["id"])
            finally:
                job.close()


@pytest.mark.anyio
async def test_an_account_not_answering_the_company_read_gives_up_as_a_run_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x13r1 F4: with a coordinator, a wrong --url (connection refused) was tried 20 times
    at up to 5 s apart: 85 s of silence before exit 4 (8 s without a coordinator). A try
    that never reached the account gives up after a run's attempts, charging nothing."""
    from bulk.clock import FakeClock
    from bulk.errors import RequestNotSent
    from bulk.retry import RetryPolicy
    from bulk.transport import MockTransport, Request, Response

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    tries = 0

    def refused(req: Request) -> Response:
        nonlocal tries
        tries += 1
        raise RequestNotSent(f"{req.operation}: cannot connect (refused)",
                             operation=req.operation)
    clock = FakeClock()
    with running_redis() as server:
        async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=11)) as sb:
            job = JobStore.create(tmp_path / "jobs" / "A", job_id="A", kind="import", config={})
            try:
                with pytest.raises(RequestNotSent):
                    async with Engine.open(engine_config(sb, tmp_path / "jobs"), sb.token,
                                           coordinator=server.url, store=job, clock=clock,
                                           transport=MockTransport(refused)):
                        pass
                assert tries == RetryPolicy().attempts and clock.now() < 10.0, clock
                assert job.spend_by_operation().get("getCurrentUser") is None
            finally:
                job.close()
