"""Coordinated and uncoordinated runs never mix on one account (F1/F2): their claims do not
see each other, so a mix doubles creates. A job that ran on the shared coordinator is not
resumed without it (or on another); a run without coordinator on an account this machine ran
coordinated is refused. Exit 1, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulk.claims import state_dir
from bulk.coordinator import ENV_COORDINATOR, MARKERS, account_key, coordinator_id
from bulk.engine import META_COORDINATOR, Engine
from bulk.errors import CoordinatorMismatch
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config
from tests.redis_helpers import redis_binary, running_redis

pytestmark = pytest.mark.anyio


def new_job(tmp_path: Path, name: str) -> JobStore:
    """A new job's store (its ledger and meta); left open: the test's tmp dir goes away."""
    return JobStore.create(tmp_path / "jobs" / name, job_id=name, kind="none", config={})


def test_coordinator_id_drops_the_password_and_fills_defaults() -> None:
    assert coordinator_id("redis://:hunter2@127.0.0.1/0") == "redis://127.0.0.1:6379/0"
    assert coordinator_id("redis://u:pw@h:7000") == "redis://h:7000/0"
    assert coordinator_id("redis://h:7000/3") == "redis://h:7000/3"
    # one machine's loopback however written (v12r4: localhost refused as another one)
    assert coordinator_id("redis://localhost:9060/0") == coordinator_id("redis://127.0.0.1:9060")
    assert coordinator_id("redis://[::1]:9060/0") == "redis://127.0.0.1:9060/0"


@pytest.mark.skipif(redis_binary() is None, reason="no redis-server (scripts/ensure_redis.sh)")
async def test_a_coordinated_job_and_account_refuse_runs_without_the_coordinator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    with running_redis() as server:
        async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
            cfg = engine_config(sb, tmp_path / "jobs")
            job = JobStore.create(tmp_path / "jobs" / "A", job_id="A", kind="none", config={})
            async with Engine.open(cfg, sb.token, coordinator=server.url, store=job):
                pass
            recorded = job.meta_get(META_COORDINATOR)
            assert recorded == f"redis://127.0.0.1:{server.port}/0"
            # the index of the token on this account URL (f29h 1: not the token's alone)
            marker = state_dir() / MARKERS / f"account-{account_key(sb.url, sb.token)}.json"
            assert json.loads(marker.read_text())["coordinator"] == recorded
            assert sb.token not in marker.read_text()
            before = sum(sb.stats()["requests_by_operation"].values())
            # the job resumed without it (F1), or on another coordinator
            with pytest.raises(CoordinatorMismatch, match="resume it with the same one"):
                async with Engine.open(cfg, sb.token, store=job):
                    pass
            other = f"redis://127.0.0.1:{server.port}/5"
            with pytest.raises(CoordinatorMismatch, match="resume it with the same one"):
                async with Engine.open(cfg, sb.token, coordinator=other, store=job):
                    pass
            # another job without a coordinator on this machine and account (F2)
            fresh = JobStore.create(tmp_path / "jobs" / "B", job_id="B", kind="none", config={})
            with pytest.raises(CoordinatorMismatch, match="delete"):
                async with Engine.open(cfg, sb.token, store=fresh):
                    pass
            assert sum(sb.stats()["requests_by_operation"].values()) == before  # nothing sent
            # the same coordinator, written another way: fine
            async with Engine.open(cfg, sb.token, coordinator=f"redis://127.0.0.1:{server.port}",
                               store=job):
                pass
            # once no run uses the coordinator any more, the marker is deleted by hand
            marker.unlink()
            async with Engine.open(cfg, sb.token, store=fresh):
                pass
            job.close()
            fresh.close()


@pytest.mark.skipif(redis_binary() is None, reason="no redis-server (scripts/ensure_redis.sh)")
async def test_the_guard_is_per_company_not_per_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard protects the company's data (its claims): a run with *another* token of a
    company that ran on coordinator X is refused on coordinator Y once its company is
    known (after GET /users/me, before any write); the token that ran is refused on Y
    before anything is sent. The marker is per company (``company-<id>.json``)."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    with running_redis() as x, running_redis() as y:
        async with serve(SandboxConfig(deals=0, time_scale=0.02,
                                       oauth_token="second-credential-0123")) as sb:
            cfg = engine_config(sb, tmp_path / "jobs")
            async with Engine.open(cfg, sb.token, coordinator=x.url, store=new_job(tmp_path, 'x1')):
                pass
            company = str(sb.state.company["id"])
            assert (state_dir() / MARKERS / f"company-{company}.json").exists()
            before = sum(sb.stats()["requests_by_operation"].values())
            with pytest.raises(CoordinatorMismatch, match=f"company {company}"):
                async with Engine.open(cfg, sb.token, coordinator=y.url, store=new_job(tmp_path, 'y1')):
                    pass
            assert sum(sb.stats()["requests_by_operation"].values()) == before
            oauth = engine_config(sb, tmp_path / "jobs", auth="oauth")
            with pytest.raises(CoordinatorMismatch, match=f"company {company}"):
                async with Engine.open(oauth, "second-credential-0123", coordinator=y.url,
                                       store=new_job(tmp_path, "y2")):
                    pass
            sent = sb.stats()["requests_by_operation"]
            assert sum(sent.values()) == before + 1 and sent["getCurrentUser"] == 2  # a read
            async with Engine.open(oauth, "second-credential-0123", coordinator=x.url,
                                   store=new_job(tmp_path, "x2")):
                pass  # the company's coordinator: fine


@pytest.mark.parametrize("first", ["coordinated", "uncoordinated"])
def test_runs_of_the_two_kinds_started_at_once_never_both_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str) -> None:
    """Each kind takes its own lock first, then tests the other's: of two runs started at
    the same instant, the later tester sees the first's lock, whichever kind it is (a
    coordinated run only tested, and one started in the same 50 ms as an uncoordinated run
    ran beside it: 49 429s, fresh tester v12r5 finding 1). Here the first run holds its
    lock (the tester's interleaving) while the second one tests."""
    import os
    import subprocess
    import sys

    from bulk.coordinator import run_kind_lock
    from bulk.errors import CoordinatorMismatch

    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path))
    holder = ("import sys; from bulk.coordinator import run_kind_lock\n"
              "with run_kind_lock('fp', coordinated=sys.argv[1] == 'coordinated'):\n"
              "    print('held', flush=True); sys.stdin.readline()\n")
    proc = subprocess.Popen([sys.executable, "-c", holder, first], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PDBULK_STATE_DIR": str(tmp_path)})
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        with pytest.raises(CoordinatorMismatch), \
                run_kind_lock("fp", coordinated=first != "coordinated"):
            pass
        with run_kind_lock("fp", coordinated=first == "coordinated"):  # same kind: shared
            pass
    finally:
        proc.communicate("\n", timeout=10)
    with run_kind_lock("fp", coordinated=first != "coordinated"):  # once it ended: free
        pass


async def test_the_run_kind_lock_is_per_account_url_not_per_token(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """f23k: the "a run without the shared coordinator is using this API token" lock was
    keyed by the token alone: an uncoordinated run against one URL refused a coordinated
    run of the same token against another URL (another company). It is keyed by the URL
    (as the engine normalizes it) and the token, hashed: the other URL runs, the same URL
    (written another way) is refused, and no lock file names the token."""
    import typer

    from pdbulk.options import EngineOptions

    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    async with serve(SandboxConfig(deals=0)) as sb:
        other = "http://127.0.0.1:9/"  # another account: nothing listens, nothing is sent
        async with Engine.open(engine_config(sb, tmp_path), sb.token,
                               store=new_job(tmp_path, "uncoordinated")):
            monkeypatch.setenv(ENV_COORDINATOR, "redis://127.0.0.1:6399/0")
            monkeypatch.setenv("PDBULK_TEST_TOKEN", sb.token)
            # a coordinated command of the same token against another URL: not refused
            assert EngineOptions(url=other, token_env="PDBULK_TEST_TOKEN").token() == sb.token
            from bulk.coordinator import check_other_kind, run_key
            from pdbulk.options import preflight

            check_other_kind(run_key(other, sb.token), coordinated=True)
            for same in (sb.url, sb.url + "/api/v2/"):
                with pytest.raises(typer.Exit):
                    preflight(sb.token, url=same)
                assert "without the shared coordinator is using this API token" \
                    in capsys.readouterr().err
                with pytest.raises(CoordinatorMismatch):
                    check_other_kind(run_key(same, sb.token), coordinated=True)
        names = [p.name for p in (tmp_path / "state").rglob("*")]
        assert names and not any(sb.token in n for n in names), names
        assert run_key(sb.url, sb.token) != run_key(other, sb.token)
        assert sb.token not in run_key(sb.url, sb.token)


@pytest.mark.skipif(redis_binary() is None, reason="no redis-server (scripts/ensure_redis.sh)")
async def test_a_run_the_marker_does_not_guard_never_rewrites_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x47r4 F4: a job that creates nothing (an update) is not refused by the marker on
    another coordinator — and must not rewrite it: it did, so an import on that other
    coordinator then ran and one on the company's own coordinator was refused."""
    from bulk.engine import CONFIG_CREATES

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    with running_redis() as x, running_redis() as y:
        async with serve(SandboxConfig(deals=0, time_scale=0.02)) as sb:
            cfg = engine_config(sb, tmp_path / "jobs")
            async with Engine.open(cfg, sb.token, coordinator=x.url,
                                   store=new_job(tmp_path, "import-x")):
                pass
            company = str(sb.state.company["id"])
            markers = [state_dir() / MARKERS / f"company-{company}.json",
                       state_dir() / MARKERS / f"account-{account_key(sb.url, sb.token)}.json"]
            before = [m.read_bytes() for m in markers]
            update = JobStore.create(tmp_path / "jobs" / "update-y", job_id="update-y",
                                     kind="none", config={CONFIG_CREATES: False})
            async with Engine.open(cfg, sb.token, coordinator=y.url, store=update):
                pass  # not refused: it creates nothing
            assert [m.read_bytes() for m in markers] == before
            with pytest.raises(CoordinatorMismatch, match=f"company {company}"):
                async with Engine.open(cfg, sb.token, coordinator=y.url,
                                       store=new_job(tmp_path, "import-y")):
                    pass
            async with Engine.open(cfg, sb.token, coordinator=x.url,
                                   store=new_job(tmp_path, "import-x2")):
                pass  # the company's own coordinator: still fine
            update.close()
