"""The coordinator's guard and hints at the command line (F6): every refusal comes before
any plan, job line or change to a job (one ``pdbulk:`` line, exit 1, nothing sent, no job
folder), and the resume hint of a coordinated job names ``--coordinator`` without its
password."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.coordinator import (
    ENV_COORDINATOR,
    _company_marker,
    coordinator_flag,
    fingerprint,
    redacted,
)
from bulk.engine import META_COORDINATOR
from bulk.sandbox import SandboxConfig
from bulk.store import ItemState, JobStore, NewItem
from pdbulk.cli import app, hoist_global_options
from tests.redis_helpers import running_redis
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_cli_config import commands, files, job_folders

__all__ = ["files"]  # the fixture, re-exported for pytest

TOKEN = "guard-token-0123456789"
SHARED = "redis://127.0.0.1:6390/0"  # a coordinator_id (never contacted: refused first)


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def _mark_token_only(token: str, coordinator: str, company: str) -> None:
    """The index an older version wrote: keyed by the token's fingerprint alone."""
    from bulk.coordinator import _token_marker, _write

    _write(_company_marker(company), {"coordinator": coordinator, "company": company})
    _write(_token_marker(fingerprint(token)), {"coordinator": coordinator, "company": company})


CREATING = ("import", "plan import", "init-mapping")  # the commands of a job that creates


def test_every_creating_command_refuses_an_uncoordinated_run_before_any_output(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine ran the account on a shared coordinator; a run without it is refused
    by every command of a job that creates (import, its plan, init-mapping) and by a
    resume or retry of a job that ran on it, with the guard's line only: no "job …"
    line, no plan, no failed rows put back, nothing sent, no job folder. The company the
    line names is the one the token was last seen with, not said to be this account's.
    The marker is an older version's (the token's alone, any URL): it still refuses."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    _mark_token_only(TOKEN, SHARED, "42")
    jobs = files["jobs"]
    ran = JobStore.create(jobs / "ran", job_id="ran", kind="touch", config={"engine": {}})
    ran.add_items([NewItem(row=1, key="a", op="touch", payload={}, state=ItemState.FAILED,
                           error="x")])
    ran.meta_put(META_COORDINATOR, SHARED)
    ran.close()
    before = job_folders(jobs)
    with ThreadedSandbox(SandboxConfig(token=TOKEN)) as sb:
        argvs = {**{k: v for k, v in commands(files).items() if k in CREATING},
                 "resume": ["resume", "ran"], "retry": ["retry", "ran"]}
        for name, args in argvs.items():
            argv = [*args] if name in ("plan import", "init-mapping") else [
                *args, "--job-dir", str(jobs)]
            if name not in ("resume", "retry"):
                argv += ["--url", sb.url]
            res = CliRunner().invoke(app, argv, env={"PIPEDRIVE_API_TOKEN": TOKEN})
            where = f"{name}: {res.output}"
            assert res.exit_code == 1, where
            lines = _lines(res.output)
            assert len(lines) == 1 and lines[0].startswith("pdbulk: "), where
            assert SHARED in lines[0], where
            assert "this account (company 42)" not in lines[0], where
            assert job_folders(jobs) == before, where
        assert sum(sb.stats()["requests_by_operation"].values()) == 0
    with JobStore.open(jobs / "ran") as store:
        assert store.counts()[ItemState.FAILED] == 1  # retry put nothing back


def test_a_marker_left_by_an_import_never_blocks_a_job_that_creates_nothing(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """x27r3 3: the machine's marker (a coordinated import killed here) guards creates
    only: update, move-stage, merge, undo, touch, dedupe and their plans create nothing
    and run without the coordinator, and so does a resume of such a job."""
    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    _mark_token_only(TOKEN, SHARED, "42")
    jobs = files["jobs"]
    ran = JobStore.create(jobs / "ran", job_id="ran", kind="touch",
                          config={"engine": {}, "creates": False})  # CONFIG_CREATES
    ran.close()
    with ThreadedSandbox(SandboxConfig(token=TOKEN)) as sb:
        argvs = {**{k: v for k, v in commands(files).items() if k not in CREATING},
                 "dedupe plan": ["dedupe", "plan", "-o", str(jobs.parent / "dp")], "resume": ["resume", "ran"]}
        for name, args in argvs.items():
            argv = [*args, "--job-dir", str(jobs)]
            if name != "resume":
                argv += ["--url", sb.url]
            res = CliRunner().invoke(app, argv, env={"PIPEDRIVE_API_TOKEN": TOKEN})
            where = f"{name}: {res.output}"
            assert SHARED not in res.output and "double creates" not in res.output, where
        assert sb.stats()["requests_by_operation"].get("updateDeal", 0) > 0  # update ran


def test_the_resume_hint_of_a_password_url_works_when_pasted(tmp_path: Path) -> None:
    """A coordinated job that stops (here: its token cap is spent) prints a resume command
    that works when pasted: the coordinator as ``"$PDBULK_COORDINATOR"`` (never a masked
    ``redis://***@…``, which fails), the password nowhere in the output."""
    with running_redis("--requirepass", "s3cret-pw") as server, \
            ThreadedSandbox(SandboxConfig(token=TOKEN, deals=5)) as sb:
        url = server.url.replace("//", "//:s3cret-pw@")
        res = CliRunner().invoke(
            app, ["--coordinator", url, "touch", "--ids", "1,2,3,4,5", "--set", "probability=5",
                  "--url", sb.url, "--max-tokens", "12", "--job-dir", str(tmp_path)],
            env={"PIPEDRIVE_API_TOKEN": TOKEN})
        assert res.exit_code == 4, res.output
        assert "s3cret-pw" not in res.output and TOKEN not in res.output and "***" not in res.output
        hint = next(ln for ln in res.output.splitlines() if ln.startswith("resume with: "))
        assert f"redis://:PASSWORD@127.0.0.1:{server.port}/0" in hint, hint
        command = shlex.split(hint.removeprefix("resume with: ").split(" (with ", 1)[0])
        assert command[:2] == ["pdbulk", "resume"] and command[-1] == f"${ENV_COORDINATOR}"
        command[-1] = url  # what the shell makes of "$PDBULK_COORDINATOR"
        again = CliRunner().invoke(app, hoist_global_options(command[1:]),
                                   env={"PIPEDRIVE_API_TOKEN": TOKEN})
        # the resume reached the coordinator (a wrong URL or password: exit 1) and stopped
        # on the same token cap again
        assert again.exit_code == 4 and "cap of 12 tokens" in again.output, again.output


def test_a_url_without_a_password_is_given_as_is() -> None:
    assert coordinator_flag("redis://h:1/0") == (" --coordinator redis://h:1/0", "")
    flag, note = coordinator_flag("redis://u:p@w@h/0?password=zz&db=1")
    assert flag == f' --coordinator "${ENV_COORDINATOR}"'
    assert "redis://u:PASSWORD@h/0?password=PASSWORD&db=1" in note and "zz" not in note


def test_redacted_hides_every_password() -> None:
    assert redacted("redis://:pw@h:1/0") == "redis://***@h:1/0"
    assert redacted("redis://u:p@w@h/0?password=zz&db=1") == "redis://***@h/0?password=***&db=1"
    # an @ in the query followed by a host-like end is taken for the password's end: the
    # text before it is hidden (a password may hold / and ? unencoded, v12r7; hiding too
    # much is the safe side)
    assert redacted("redis://h/0?a=b@c") == "redis://***@c"
    assert redacted("redis://h/0?a=b") == "redis://h/0?a=b"


def test_the_token_cap_message_and_status_give_one_figure(tmp_path: Path) -> None:
    """A coordinated run stopped by its token cap names the tokens this run used: the
    figure ``pdbulk status`` shows from the ledger, not one counting calls still queued
    on the coordinator (the tester saw 297 used vs tokens: 270)."""
    with running_redis() as server, ThreadedSandbox(SandboxConfig(token=TOKEN, deals=40)) as sb:
        res = CliRunner().invoke(
            app, ["--coordinator", server.url, "touch", "--ids",
                  ",".join(str(i) for i in range(1, 41)), "--set", "probability=5",
                  "--url", sb.url, "--max-tokens", "52", "--workers", "8",
                  "--job-dir", str(tmp_path)], env={"PIPEDRIVE_API_TOKEN": TOKEN})
        assert res.exit_code == 4, res.output
        job = next(p.name for p in tmp_path.iterdir())
        status = CliRunner().invoke(app, ["status", job, "--json", "--job-dir", str(tmp_path)])
        ledger = sum(orjson.loads(status.stdout)["tokens_by_operation"].values())
        said = f"this run's cap of 52 tokens (--max-tokens) is spent ({ledger} used by this run;"
        assert said in res.output, (ledger, res.output)
        assert ledger <= 52


def test_json_gets_its_error_object_when_the_coordinator_fails_at_start(
        files: dict[str, Path]) -> None:
    """Redis down, a wrong password, a database Redis does not have: a command with
    ``--json`` (``import``, ``plan import``) exits 1 and prints the same one error object
    on stdout as its other start errors (before: nothing on stdout)."""
    from tests.redis_helpers import free_port, redis_binary

    if redis_binary() is None:
        pytest.skip("no redis-server (scripts/ensure_redis.sh installs it)")
    args = {"import": [*commands(files)["import"], "--job-dir", str(files["jobs"])],
            "plan import": commands(files)["plan import"]}
    with running_redis("--requirepass", "rightpw") as server:
        urls = {"down": f"redis://127.0.0.1:{free_port()}/0",
                "wrong password": f"redis://:wrongpw@127.0.0.1:{server.port}/0",
                "bad db": f"redis://:rightpw@127.0.0.1:{server.port}/99"}
        for why, url in urls.items():
            for name, argv in args.items():
                res = CliRunner().invoke(app, ["--coordinator", url, *argv, "--json"],
                                         env={"PIPEDRIVE_API_TOKEN": TOKEN})
                assert res.exit_code == 1, (why, name, res.output)
                data = orjson.loads(res.stdout)
                assert data["status"] == "error" and data["exit_code"] == 1, (why, name, data)
                assert "coordinator" in str(data["error"]) and "pw" not in res.output


def test_redis_lost_while_loading_says_what_happened_and_what_was_sent(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis goes away while the import is still loading (after --create-key-field made the
    key field): exit 1, the job folder removed, and the line says the coordinator was lost
    while loading and that addDealField was sent — no internal class name, no resume hint
    (there is no job), no "nothing was sent"."""
    import jobs.import_load as import_load
    from tests.redis_helpers import redis_binary

    if redis_binary() is None:
        pytest.skip("no redis-server (scripts/ensure_redis.sh installs it)")
    jobs = files["jobs"]
    before = job_folders(jobs)
    build = import_load.RowPlanner.build

    with running_redis() as server, ThreadedSandbox(SandboxConfig(token=TOKEN)) as sb:
        async def lost_after_build(ctx: object, *args: object, **kw: object) -> object:
            built = await build(ctx, *args, **kw)  # type: ignore[arg-type]
            server.stop()  # lost while loading: the load's next call needs the coordinator
            await ctx.call("getCurrentUser")  # type: ignore[attr-defined]
            return built

        monkeypatch.setattr(import_load.RowPlanner, "build", lost_after_build)
        res = CliRunner().invoke(app, ["--coordinator", server.url, *commands(files)["import"],
                                       "--create-key-field", "--job-dir", str(jobs),
                                       "--url", sb.url],
                                 env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 1, res.output
    line = _lines(res.stderr)[-1]
    assert line.startswith("pdbulk: the coordinator at") and "while the job was loading" in line
    assert "addDealField 1" in line and "nothing was sent" not in line, line
    assert "CoordinatorLost" not in res.output and "resume" not in line
    assert job_folders(jobs) == before


def test_a_coordinated_run_beside_a_live_uncoordinated_one_is_refused(
        files: dict[str, Path]) -> None:
    """A run without the coordinator is using the token on this machine (its Engine is
    open, in another process); a coordinated import on the same token is refused: exit 1,
    one line, before anything is sent and before a job folder; once that run ended, the
    coordinated run is not refused by it (before: it ran beside it, 15-18 429s)."""
    import subprocess
    import sys

    from tests.redis_helpers import redis_binary

    if redis_binary() is None:
        pytest.skip("no redis-server (scripts/ensure_redis.sh installs it)")
    jobs = files["jobs"]
    before = job_folders(jobs)
    holder = (
        "import sys, anyio\n"
        "from bulk.engine import Engine, EngineConfig\n"
        "from bulk.store import JobStore\n"
        "async def main():\n"
        "    cfg = EngineConfig(base_url=sys.argv[1], job_root=sys.argv[2])\n"
        "    store = JobStore.create(sys.argv[2] + '/held', job_id='held', kind='none',"
        " config={})\n"
        "    async with Engine.open(cfg, sys.argv[3], store=store, coordinator=None):\n"
        "        print('open', flush=True)\n"
        "        sys.stdin.readline()\n"
        "anyio.run(main)\n")
    with running_redis() as server, ThreadedSandbox(SandboxConfig(token=TOKEN)) as sb:
        argv = ["--coordinator", server.url, *commands(files)["import"], "--create-key-field",
                "--job-dir", str(jobs), "--url", sb.url]
        other = subprocess.Popen([sys.executable, "-c", holder, sb.url,
                                  str(files["jobs"].parent / "other"), TOKEN],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                 env={**os.environ, "PDBULK_COORDINATOR": ""})
        try:
            assert other.stdout is not None and other.stdout.readline().strip() == "open"
            sent = sum(sb.stats()["requests_by_operation"].values())
            res = CliRunner().invoke(app, argv, env={"PIPEDRIVE_API_TOKEN": TOKEN})
            assert res.exit_code == 1, res.output
            assert "without the shared coordinator is using this API token" in res.output
            assert len(_lines(res.output)) == 1, res.output
            assert sum(sb.stats()["requests_by_operation"].values()) == sent
            assert job_folders(jobs) == before
        finally:
            assert other.stdin is not None and other.stdout is not None
            other.stdin.close()
            other.wait(30)
            other.stdout.close()
        res = CliRunner().invoke(app, argv, env={"PIPEDRIVE_API_TOKEN": TOKEN})
        assert "without the shared coordinator" not in res.output, res.output


def test_a_coordinated_account_never_refuses_the_same_token_on_another_account_url(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """f29h 1: the machine's index of coordinated tokens was keyed by the token alone, so
    a coordinated import on one account (sandbox A) refused an uncoordinated import of
    another account on another URL (sandbox B) that shares the token string ("would double
    creates"). Keyed by the account URL and the token's digest, B runs and A is still
    refused; no marker's name or body holds the token."""
    from bulk.claims import state_dir
    from tests.redis_helpers import running_redis

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    jobs = files["jobs"]
    importing = [*commands(files)["import"], "--create-key-field", "--job-dir", str(jobs)]
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    with running_redis() as server, ThreadedSandbox(SandboxConfig(token=TOKEN)) as a, \
            ThreadedSandbox(SandboxConfig(token=TOKEN)) as b:
        res = CliRunner().invoke(app, ["--coordinator", server.url, *importing, "--url", a.url],
                                 env=env)
        assert res.exit_code == 0, res.output
        res = CliRunner().invoke(app, [*importing, "--url", b.url], env=env)
        assert "double creates" not in res.output and res.exit_code == 0, res.output
        assert b.stats()["writes_applied"].get("addDeal", 0) == 1
        sent = sum(a.stats()["requests_by_operation"].values())
        res = CliRunner().invoke(app, [*importing, "--url", a.url], env=env)
        assert res.exit_code == 1 and "double creates" in res.output, res.output
        assert sum(a.stats()["requests_by_operation"].values()) == sent
    markers = list((state_dir() / "coordinated").glob("*.json"))
    assert markers and all(TOKEN not in p.name + p.read_text() for p in markers)
    assert all(fingerprint(TOKEN) not in p.name for p in markers)
    from bulk.coordinator import account_key

    assert (state_dir() / "coordinated" / f"account-{account_key(a.url, TOKEN)}.json").exists()


@pytest.mark.parametrize("kind", ["update", "move-stage", "merge", "undo", "dedupe", "touch"])
def test_a_job_stored_before_the_creates_flag_is_told_by_its_kind(
        files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """f29h 2: a job stored before ``creates`` was written to its config was read as one that
    may create, so a killed old-format update (move-stage, merge, undo, dedupe, touch) was
    refused as one that "would double creates" by a marker a coordinated import left. Its
    kind, which cannot create, tells it now; an old-format import still may create."""
    import jobs  # noqa: F401 - the job layer declares its kinds
    from bulk.engine import job_creates

    monkeypatch.delenv(ENV_COORDINATOR, raising=False)
    jobs_dir = files["jobs"]
    with ThreadedSandbox(SandboxConfig(token=TOKEN)) as sb:
        _mark_token_only(TOKEN, SHARED, "42")
        old = JobStore.create(jobs_dir / "older", job_id="older", kind=kind,
                              config={"engine": {"base_url": sb.url}})  # no "creates"
        old.close()
        with JobStore.open(jobs_dir / "older", lock=False) as store:
            assert job_creates(store) is False
        res = CliRunner().invoke(app, ["resume", "older", "--job-dir", str(jobs_dir)],
                                 env={"PIPEDRIVE_API_TOKEN": TOKEN})
        assert "double creates" not in res.output and SHARED not in res.output, res.output
        imported = JobStore.create(jobs_dir / "imp", job_id="imp", kind="import",
                                   config={"engine": {"base_url": sb.url}})
        assert job_creates(imported) is True
        imported.close()
