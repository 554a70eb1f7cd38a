"""Issue 9 §8/§13: every command meets a table of bad configurations with one clear line,
its documented exit code, no traceback, no secret echoed and no job folder left behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bulk.store import JobStore
from pdbulk.cli import app
from tests.redis_helpers import RedisServer, redis_server

__all__ = ["redis_server"]  # the fixture

SECRET = "SECRET-abc123"
GOOD_URL = "http://127.0.0.1:9"  # loopback: allowed; nothing listens (never reached here)

# (label, url, token or None for unset, expected exit code, words the message must hold)
BAD_CONFIGS: list[tuple[str, str, str | None, int, str]] = [
    ("http off loopback", "http://example.com", "tok", 1, "bad --url"),
    ("no scheme", "example.com", "tok", 1, "bad --url"),
    ("ftp", "ftp://example.com", "tok", 1, "bad --url"),
    ("credentials in url", f"http://user:{SECRET}@127.0.0.1:9", "tok", 1, "credentials"),
    ("token in query", f"http://127.0.0.1:9/?api_token={SECRET}", "tok", 1, "query"),
    ("bad port", "http://127.0.0.1:99999", "tok", 1, "bad --url"),
    ("no token", GOOD_URL, None, 1, "no API token"),
    ("token with newline", GOOD_URL, f"{SECRET}\nx", 1, "control character"),
    ("token with control char", GOOD_URL, f"{SECRET}\x07", 1, "control character"),
]


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    manifest = tmp_path / "rows.csv"
    manifest.write_text("key,title,deal_id\nk1,A,1\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[deal]\ntitle = "title"\n',
                       encoding="utf-8")
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("merge_id,survivor_id\n2,1\n", encoding="utf-8")
    jobs = tmp_path / "jobs"
    JobStore.create(jobs / "old", job_id="old", kind="update", config={}).close()
    return {"manifest": manifest, "mapping": mapping, "pairs": pairs, "jobs": jobs}


def commands(f: dict[str, Path]) -> dict[str, list[str]]:
    """Every command that talks to an account, with otherwise valid arguments."""
    m, mp, pairs = str(f["manifest"]), str(f["mapping"]), str(f["pairs"])
    move = ["--to-stage", "Won", "--stage", "Lead In"]
    return {
        "import": ["import", m, "-m", mp],
        "plan import": ["plan", "import", m, "-m", mp],
        "update": ["update", m, "-m", mp],
        "plan update": ["plan", "update", m, "-m", mp],
        "move-stage": ["move-stage", *move],
        "plan move-stage": ["plan", "move-stage", *move],
        "merge": ["merge", pairs],
        "plan merge": ["plan", "merge", pairs],
        "undo": ["undo", "old"],
        "plan undo": ["plan", "undo", "old"],
        "init-mapping": ["init-mapping", m],
        "touch": ["touch", "--ids", "1", "--set", "x=1"],
    }


def job_folders(jobs: Path) -> set[str]:
    return {p.name for p in jobs.iterdir()} if jobs.exists() else set()


@pytest.mark.parametrize("label,url,token,code,words", BAD_CONFIGS,
                         ids=[c[0] for c in BAD_CONFIGS])
def test_every_command_refuses_a_bad_configuration_cleanly(
        files: dict[str, Path], label: str, url: str, token: str | None, code: int,
        words: str) -> None:
    jobs = files["jobs"]
    before = job_folders(jobs)
    for name, args in commands(files).items():
        argv = [*args, "--url", url]
        if name != "init-mapping":  # plan import takes --job-dir too (tester v9r5)
            argv += ["--job-dir", str(jobs)]
        env = {"PIPEDRIVE_API_TOKEN": token or ""}
        res = CliRunner().invoke(app, argv, env=env)
        where = f"{name} / {label}: {res.output}"
        assert res.exit_code == code, where
        assert words in res.output, where
        assert "Traceback" not in res.output, where
        assert res.exception is None or isinstance(res.exception, SystemExit), where
        assert SECRET not in res.output, where
        assert job_folders(jobs) == before, where  # no junk job


def test_every_planning_command_accepts_job_dir(files: dict[str, Path]) -> None:
    """`plan import --job-dir` exited 2 "No such option" while every other plan command
    and the README take it (tester v9r5); no plan leaves a folder in it."""
    jobs = files["jobs"]
    for name, args in commands(files).items():
        if not name.startswith("plan "):
            continue
        res = CliRunner().invoke(app, [*args, "--url", GOOD_URL, "--job-dir", str(jobs)],
                                 env={"PIPEDRIVE_API_TOKEN": ""})
        assert res.exit_code == 1 and "no API token" in res.output, (name, res.output)
        assert job_folders(jobs) == {"old"}


def test_mapping_with_invalid_utf8_is_a_clear_error(files: dict[str, Path]) -> None:
    bad = files["mapping"]
    bad.write_bytes(b'[import]\nkey_column = "k\xff"\n')
    jobs = ["--job-dir", str(files["jobs"])]
    for args in (["import", str(files["manifest"]), "-m", str(bad), *jobs],
                 ["update", str(files["manifest"]), "-m", str(bad), *jobs],
                 ["plan", "import", str(files["manifest"]), "-m", str(bad)]):
        res = CliRunner().invoke(app, [*args, "--url", GOOD_URL],
                                 env={"PIPEDRIVE_API_TOKEN": "tok"})
        assert res.exit_code == 1, res.output
        assert "not valid UTF-8 (line 2" in res.output and "Traceback" not in res.output
        assert job_folders(files["jobs"]) == {"old"}


def test_bad_choices_are_usage_errors_listing_the_choices(files: dict[str, Path]) -> None:
    env = {"PIPEDRIVE_API_TOKEN": "tok"}
    for args, choices in (
            (["import", str(files["manifest"]), "-m", str(files["mapping"]), "--mode", "bogus"],
             ("insert", "upsert")),
            (["plan", "merge", str(files["pairs"]), "--plan", "bogus"], ("growth",)),
            (["move-stage", "--to-stage", "X", "--status", "bogus"], ("open", "won", "lost")),
            (["move-stage", "--to-stage", "X", "--status-to", "bogus"], ("open", "won", "lost"))):
        res = CliRunner().invoke(app, [*args, "--url", GOOD_URL], env=env)
        assert res.exit_code == 2, res.output
        assert all(c in res.output for c in choices), res.output


def test_help_has_no_type_noise_and_version_prints() -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("pdbulk ")
    for cmd in (["import"], ["update"], ["move-stage"], ["merge"], ["undo"], ["status"],
                ["plan", "import"], ["resume"]):
        text = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"}).output
        assert "<bool>" not in text and "<str>" not in text, (cmd, text)


def test_update_and_import_take_short_mapping_flag() -> None:
    for cmd in (["import"], ["update"], ["plan", "update"], ["plan", "import"]):
        text = CliRunner().invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"}).output
        assert "-m" in text and "--mapping" in text, (cmd, text)


def test_the_installed_command_refuses_bad_urls_without_traceback(
        files: dict[str, Path], tmp_path: Path) -> None:
    """Through the real entry point (``pdbulk`` = pdbulk.cli:main), with umask 000: still
    nothing written."""
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "tok"}
    for url in ("http://example.com", f"http://127.0.0.1:9/?api_token={SECRET}"):
        proc = subprocess.run(
            [sys.executable, "-c", "import os; os.umask(0); from pdbulk.cli import main; main()",
             "merge", str(files["pairs"]), "--url", url, "--job-dir", str(tmp_path / "new")],
            capture_output=True, text=True, env=env, timeout=60, check=False)
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout and SECRET not in proc.stderr
        assert not (tmp_path / "new").exists()


def test_job_files_are_private_under_umask_000(files: dict[str, Path]) -> None:
    jobs = files["jobs"]
    old = os.umask(0)
    try:
        with JobStore.create(jobs / "new", job_id="new", kind="touch", config={}) as store:
            store.meta_put("a", 1)
    finally:
        os.umask(old)
    assert stat.S_IMODE((jobs / "new").stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (jobs / "new").iterdir())


def test_plan_choices_are_the_plan_presets() -> None:
    from typing import get_args

    from bulk.plans import LEGACY_PLANS, PLAN_NAMES
    from pdbulk.options import PlanName

    assert set(get_args(PlanName)) == {*PLAN_NAMES, *LEGACY_PLANS}  # x22r2: legacy names too


def test_wrong_token_on_read_only_commands_is_exit_5(files: dict[str, Path]) -> None:
    """Issue 9 §9: an authentication failure is not "resume it" (4): no job exists."""
    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    with ThreadedSandbox(SandboxConfig(time_scale=0.05)) as sb:
        env = {"PIPEDRIVE_API_TOKEN": "not-the-token"}
        jobs = ["--job-dir", str(files["jobs"])]
        for args in (["plan", "import", str(files["manifest"]), "-m", str(files["mapping"])],
                     ["init-mapping", str(files["manifest"])],
                     ["plan", "merge", str(files["pairs"]), *jobs],
                     ["merge", str(files["pairs"]), "--yes", *jobs],
                     ["move-stage", "--status", "open", "--to-stage", "Won", "--yes", *jobs]):
            res = CliRunner().invoke(app, [*args, "--url", sb.url], env=env)
            assert res.exit_code == 5, (args, res.output)
            assert "authentication failed" in res.output and "Traceback" not in res.output
            assert "not-the-token" not in res.output
    assert job_folders(files["jobs"]) == {"old"}


def test_a_wrong_token_under_a_coordinator_leaves_no_job(
        files: dict[str, Path], redis_server: RedisServer) -> None:
    """x13r1 F3: with a coordinator, the company's id is read first (getCurrentUser): its
    401 left an empty "planned" job behind, whose resume said it "was interrupted while
    it was being loaded". Exit 5, and no job."""
    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    with ThreadedSandbox(SandboxConfig(time_scale=0.05)) as sb:
        env = {"PIPEDRIVE_API_TOKEN": "not-the-token", "PDBULK_COORDINATOR": redis_server.url}
        jobs = ["--job-dir", str(files["jobs"]), "--url", sb.url]
        for args in (["merge", str(files["pairs"]), "--yes", *jobs],
                     ["move-stage", "--status", "open", "--to-stage", "Won", "--yes", *jobs]):
            res = CliRunner().invoke(app, args, env=env)
            assert res.exit_code == 5, (args, res.output)
            assert "getCurrentUser" in res.output and "not-the-token" not in res.output
    assert job_folders(files["jobs"]) == {"old"}


def test_a_job_held_by_another_process_is_exit_6(files: dict[str, Path]) -> None:
    store = JobStore.open(files["jobs"] / "old")  # holds the job's lock
    try:
        for args in (["resume", "old"], ["retry", "old"]):
            res = CliRunner().invoke(app, [*args, "--job-dir", str(files["jobs"])],
                                     env={"PIPEDRIVE_API_TOKEN": "tok"})
            assert res.exit_code == 6, (args, res.output)
            assert "already open (in this process or another)" in res.output and "Traceback" not in res.output
    finally:
        store.close()


def test_every_argument_and_option_has_help() -> None:
    import typer.main

    def walk(cmd: Any, path: str) -> Iterator[tuple[str, Any]]:
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")
        if not getattr(cmd, "commands", None):
            for param in cmd.params:
                yield path, param

    missing = [(path, p.name) for path, p in walk(typer.main.get_command(app), "pdbulk")
               if not getattr(p, "help", None) and not getattr(p, "hidden", False)]
    assert not missing, missing


@pytest.mark.parametrize("url", ["example.com", "ftp://x.example", "http://example.com",
                                 f"http://u:{SECRET}@127.0.0.1:9",
                                 f"https://x.pipedrive.com/?api_token={SECRET}"])
def test_the_library_config_refuses_bad_urls_before_any_store(url: str) -> None:
    from bulk.engine import EngineConfig

    with pytest.raises(ValueError) as info:
        EngineConfig(base_url=url)
    assert SECRET not in str(info.value)


def test_resume_and_retry_check_the_token_and_refuse_final_jobs(
        files: dict[str, Path]) -> None:
    jobs = files["jobs"]
    for token, words in (("", "no API token"), (f"{SECRET}\nx", "control character"),
                         (f"{SECRET}\u20ac", "not ASCII")):  # x13r1 F8: not a control character
        for cmd in ("resume", "retry"):
            res = CliRunner().invoke(app, [cmd, "old", "--job-dir", str(jobs)],
                                     env={"PIPEDRIVE_API_TOKEN": token})
            assert res.exit_code == 1 and words in res.output, (cmd, res.output)
            assert SECRET not in res.output and "Traceback" not in res.output
    with JobStore.open(jobs / "old") as store:
        store.set_status("cancelled", "declined at the confirmation prompt")
    for cmd in ("resume", "retry"):
        res = CliRunner().invoke(app, [cmd, "old", "--job-dir", str(jobs)],
                                 env={"PIPEDRIVE_API_TOKEN": "tok"})
        assert res.exit_code == 1 and "cancelled" in res.output, (cmd, res.output)


def test_a_token_given_to_token_env_is_never_echoed(files: dict[str, Path]) -> None:
    """x13r1 F7: ``--token-env <the token>`` printed "set the environment variable <the
    token>" into cron's log."""
    res = CliRunner().invoke(app, ["resume", "old", "--job-dir", str(files["jobs"]),
                                   "--token-env", f"{SECRET}-x"], env={})
    assert res.exit_code == 1 and "takes the name of an environment variable" in res.output
    assert SECRET not in res.output, res.output
    hexed = "a5f3a9c1e7b2d4a6f8e0c1b3d5a7f9e2c4b6d8a0"  # x13r6 F7: a valid variable name
    res = CliRunner().invoke(app, ["resume", "old", "--job-dir", str(files["jobs"]),
                                   "--token-env", hexed], env={})
    assert res.exit_code == 1 and "not shown" in res.output and hexed not in res.output
    res = CliRunner().invoke(app, ["resume", "old", "--job-dir", str(files["jobs"]),
                                   "--token-env", hexed.upper()], env={})  # x13r7 F1
    assert "not shown" in res.output and hexed.upper() not in res.output
    res = CliRunner().invoke(app, ["resume", "old", "--job-dir", str(files["jobs"]),
                                   "--token-env", "MY_PIPEDRIVE_TOKEN_VARIABLE"], env={})
    assert "MY_PIPEDRIVE_TOKEN_VARIABLE" in res.output  # a name is named
    for token in ("SECRETtokx41r1ZZZ9", "tok_x41r1_secret_ZZ9", "abc123def456",
                  "A1B2C3D4E5F6A7B8C9D0E1F2"):  # x41r1 M1: short, or with "_": echoed
        res = CliRunner().invoke(app, ["resume", "old", "--job-dir", str(files["jobs"]),
                                       "--token-env", token], env={})
        assert res.exit_code == 1 and "not shown" in res.output, res.output
        assert token not in res.output, res.output


@pytest.mark.parametrize("name", ["plan import", "init-mapping", "plan move-stage", "touch"])
def test_an_account_that_does_not_answer_is_exit_4_in_one_line(
        files: dict[str, Path], name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """v9r11: with the account down, `pdbulk resume` ended "pdbulk: RequestNotSent: getDeals:
    ... cannot connect", exit 1 (bad input) — while the run itself said "not answering",
    exit 4. Outside a run too, an account that does not answer is exit 4, said in words.
    The retries' waits are made instant: what is tested is the words and the exit code
    after every retry ran out (the real backoff took 10 to 33 s a command)."""
    import socket

    from bulk.retry import RetryPolicy

    tries: list[int] = []

    def no_wait(self: RetryPolicy, attempt: int, rng: object) -> float:
        tries.append(attempt)
        return 0.0

    monkeypatch.setattr(RetryPolicy, "backoff", no_wait)

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    where = [] if name == "init-mapping" else ["--job-dir", str(files["jobs"])]
    res = CliRunner().invoke(app, [*commands(files)[name], "--url", f"http://127.0.0.1:{port}",
                                   *where], env={"PIPEDRIVE_API_TOKEN": SECRET})
    assert res.exit_code == 4, res.output
    assert "the account is not answering" in res.output and "RequestNotSent" not in res.output
    assert "Traceback" not in res.output and SECRET not in res.output
    assert max(tries) == RetryPolicy().attempts - 1  # every retry ran before it gave up


@pytest.mark.parametrize("name", ["move-stage", "merge", "undo", "update"])
def test_a_plan_twin_takes_yes_as_its_command_does(files: dict[str, Path], name: str) -> None:
    """x13r3 F7: `pdbulk plan move-stage ... --yes` (a command line copied into plan) was a
    usage error, exit 2, though the README says a twin takes its command's options; a plan
    sends nothing, so --yes is taken and ignored (hidden from its help)."""
    args = {"move-stage": ["--to-stage", "Won"], "merge": [str(files["jobs"])],
            "undo": ["old", "--job-dir", str(files["jobs"])],
            "update": [str(files["jobs"]), "-m", str(files["jobs"])]}[name]
    res = CliRunner().invoke(app, ["plan", name, *args, "--yes"], env={})
    assert "No such option" not in res.output, res.output
    assert "--yes" not in CliRunner().invoke(app, ["plan", name, "--help"]).output


@pytest.mark.parametrize("cmd", ["resume", "retry"])
def test_a_signal_while_a_resume_re_reads_is_one_line_and_exit_4(
        files: dict[str, Path], cmd: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """x13r1 F1: Ctrl-C or SIGTERM while `resume` / `retry` re-read the job's deals (before
    the run's own handler) ended in exit 130 with nothing on stderr. One line saying the
    job is checkpointed and how to resume it, exit 4."""
    import pdbulk.cli as cli

    def interrupted(*args: Any, **kw: Any) -> Any:
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "preflight", lambda token, store: None)
    monkeypatch.setattr(cli, "_kind_of", lambda store: object())
    monkeypatch.setattr(cli, "run_loop", interrupted)
    res = CliRunner().invoke(app, [cmd, "old", "--job-dir", str(files["jobs"])],
                             env={"PIPEDRIVE_API_TOKEN": "tok"})
    assert res.exit_code == 4, res.output
    assert "pdbulk: interrupted; job old is checkpointed" in res.output
    assert "resume with: pdbulk resume old" in res.output


def test_the_open_deals_limit_is_a_stop_to_resume_not_a_bad_token(tmp_path: Path) -> None:
    """x13r1 F5: Pipedrive's 403 "Open deals limit reached" (code
    feature_capping_deals_limit) ended the import with exit 5 ("fix the token"). It is
    the account's plan limit: exit 4, a line saying what to do, the job resumable."""
    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    manifest = tmp_path / "rows.csv"
    manifest.write_text("key,title\n" + "".join(f"k{n},Deal {n}\n" for n in range(6)),
                        encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\n[deal]\ntitle = "title"\n',
                       encoding="utf-8")
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=0, open_deals_limit=3)) as sb:
        res = CliRunner().invoke(app, ["import", str(manifest), "-m", str(mapping),
                                       "--create-key-field", "--url", sb.url,
                                       "--job-dir", str(tmp_path / "jobs")],
                                 env={"PIPEDRIVE_API_TOKEN": sb.token})
    assert res.exit_code == 4, res.output
    assert "the account's plan limit" in res.output and "resume with" in res.output


def test_an_update_pulls_only_the_account_names_its_mapping_needs(tmp_path: Path) -> None:
    """x13r3 F3: a probability update by deal id pulled users and deal fields too (30 of
    its 65 planned tokens for a one-row update). Owners need users; source keys, custom
    fields and labels need deal fields; pipelines and stages are pulled always."""
    import orjson

    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    manifest = tmp_path / "u.csv"
    manifest.write_text("id,p\n1,40\n", encoding="utf-8")
    plain, owned = tmp_path / "plain.toml", tmp_path / "owned.toml"
    plain.write_text('[update]\nid_column = "id"\n[deal]\nprobability = "p"\n', encoding="utf-8")
    owned.write_text('[update]\nid_column = "id"\n[deal]\nprobability = "p"\nowner = "p"\n',
                     encoding="utf-8")
    calls = {}
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=2)) as sb:
        for name, mapping in (("plain", plain), ("owned", owned)):
            res = CliRunner().invoke(app, ["plan", "update", str(manifest), "-m", str(mapping),
                                           "--url", sb.url, "--json"],
                                     env={"PIPEDRIVE_API_TOKEN": sb.token})
            calls[name] = orjson.loads(res.stdout)["calls"]
    assert "getUsers" not in calls["plain"] and "getDealFields" not in calls["plain"]
    assert "getPipelines" in calls["plain"] and "getStages" in calls["plain"]
    assert "getUsers" in calls["owned"] and "getDealFields" not in calls["owned"]


@pytest.mark.parametrize("cmd", ["resume", "retry"])
def test_resume_takes_a_new_cap_for_its_run(files: dict[str, Path], cmd: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """x13r6 F5: a job started with a cap too small for one item could never be freed:
    `resume` had no --max-tokens (the stop line said to raise it). Its run takes one."""
    import pdbulk.cli as cli

    seen: list[Any] = []

    def captured(fn: Any, *args: Any) -> Any:
        seen.append(args)
        raise KeyboardInterrupt  # stop there: only the arguments matter
    monkeypatch.setattr(cli, "preflight", lambda token, store: None)
    monkeypatch.setattr(cli, "_kind_of", lambda store: object())
    monkeypatch.setattr(cli, "run_loop", captured)
    CliRunner().invoke(app, [cmd, "old", "--job-dir", str(files["jobs"]), "--max-tokens", "99"],
                       env={"PIPEDRIVE_API_TOKEN": "tok"})
    # (store, token, kind, first, max_tokens, share, wait_for_reset, window_share): f23k
    # added share and wait_for_reset, f32g window_share
    assert seen and seen[0][4:] == (99, None, False, None), seen
    CliRunner().invoke(app, [cmd, "old", "--job-dir", str(files["jobs"]), "--budget-share",
                             "0.5", "--wait-for-reset"], env={"PIPEDRIVE_API_TOKEN": "tok"})
    assert seen[1][4:] == (None, 0.5, True, None), seen
    CliRunner().invoke(app, [cmd, "old", "--job-dir", str(files["jobs"]), "--window-share",
                             "0.8"], env={"PIPEDRIVE_API_TOKEN": "tok"})
    assert seen[2][4:] == (None, None, False, 0.8), seen


def test_a_url_with_a_path_that_404s_says_to_check_the_url(tmp_path: Path) -> None:
    """x13r1 F10: `--url http://host/typo` ended "NotFound: 404 Unknown method ." with no
    word of the URL. A list every account has answered 404: check --url."""
    from bulk.sandbox import SandboxConfig
    from tests.sandbox_helpers import ThreadedSandbox

    with ThreadedSandbox(SandboxConfig(time_scale=0.05)) as sb:
        res = CliRunner().invoke(app, ["plan", "move-stage", "--status", "open", "--to-stage",
                                       "Won", "--url", f"{sb.url}/typo"],
                                 env={"PIPEDRIVE_API_TOKEN": sb.token})
    assert res.exit_code == 1, res.output
    assert "every account has this list: check --url" in res.output, res.output


def test_a_state_dir_that_cannot_be_made_names_its_setting(files: dict[str, Path]) -> None:
    """x13r1 F10: "No such file or directory: /proc/pdbulkstate" named no setting."""
    res = CliRunner().invoke(app, ["import", str(files["manifest"]), "-m", str(files["mapping"]),
                                   "--url", GOOD_URL, "--job-dir", str(files["jobs"])],
                             env={"PIPEDRIVE_API_TOKEN": "tok",
                                  "PDBULK_STATE_DIR": "/proc/pdbulk-state-x13"})
    assert res.exit_code == 1, res.output
    assert "(the state directory: PDBULK_STATE_DIR is set" in res.output, res.output
