"""A dedupe whose state directory is the default one (under the job dir, relative to the
working directory) and holds nothing, while an earlier dedupe kept its state elsewhere, is
refused (run, apply) or warned about (plan), naming that state (x35r2 3: a cron line
without its ``cd`` forgot the keep-separate decisions, and a group a reviewer kept apart
was merged the next night)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.coordinator import ENV_COORDINATOR
from bulk.engine import EngineConfig
from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from jobs.dedupe.api import bind_state, used_state
from jobs.dedupe.state_home import lost_state, note_state, other_account, own_state
from pdbulk.cli import app
from tests.dedupe_job_support import seed_account
from tests.update_support import cli_args, threaded_sandbox
from tests.update_support import deal as sb_deal


def _kept(state: Path) -> Path:
    state.mkdir(parents=True)
    (state / "keep-separate.json").write_text("[[11, 12]]")
    return state


def test_an_empty_default_state_beside_a_noted_one_is_refused_for_a_run(tmp_path: Path) -> None:
    """Run from another folder: InputError naming the earlier state and --state-dir; a plan
    is told as a warning; an explicit --state-dir (start afresh) is the user's choice."""
    earlier = _kept(tmp_path / "srv" / "pdbulk-jobs" / "dedupe-state")
    note_state(earlier)
    cfg = EngineConfig(base_url="http://127.0.0.1:9", job_root=tmp_path / "home" / "pdbulk-jobs")
    with pytest.raises(InputError) as caught:
        used_state(cfg, None, writes=True)
    said, flags = str(caught.value), getattr(caught.value, "flags", "")
    # the library's error names its argument, the CLI's its flag (x46r7 F5: run_dedupe
    # said "pass --state-dir" to a library caller)
    assert str(earlier) in said and f"state_dir={str(earlier)!r}" in said, said
    assert "--state-dir" not in said and "--job-dir" not in said, said
    assert f"EngineConfig.job_root given, {cfg.job_root}" in said, said
    assert f"--state-dir {earlier}" in flags and "state_dir=" not in flags, flags
    assert "cd there first" not in flags and f"job directory given, {cfg.job_root}" in flags
    warned: list[str] = []
    assert used_state(cfg, None, writes=False, note=warned.append) == cfg.job_root / "dedupe-state"
    assert len(warned) == 1 and warned[0].startswith("warning: ") and str(earlier) in warned[0]
    fresh = tmp_path / "home" / "state"
    assert used_state(cfg, fresh, writes=True) == fresh  # explicit: no question asked
    # the earlier folder itself, or one that holds state, is never refused
    assert used_state(replace_root(cfg, tmp_path / "srv" / "pdbulk-jobs"), None,
                      writes=True) == earlier
    assert lost_state(earlier) is None


def test_the_advice_follows_how_the_job_directory_was_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative job directory (the default ./pdbulk-jobs) is found from the working
    directory: "cd there first"; an absolute --job-dir is not, and the refusal says to pass
    that dedupe's --job-dir instead (x40r3 F5: the cd advice for an absolute --job-dir)."""
    earlier = _kept(tmp_path / "srv" / "pdbulk-jobs" / "dedupe-state")
    note_state(earlier)
    monkeypatch.chdir(tmp_path)
    relative = EngineConfig(base_url="http://127.0.0.1:9", job_root=Path("pdbulk-jobs"))
    with pytest.raises(InputError) as caught:
        used_state(relative, None, writes=True)
    assert "cd there first" in str(caught.value), caught.value
    absolute = replace_root(relative, tmp_path / "cron" / "jobs")
    with pytest.raises(InputError) as caught:
        used_state(absolute, None, writes=True)
    said, flags = str(caught.value), getattr(caught.value, "flags", "")
    assert "cd there first" not in said and "pass that dedupe's job_root" in said, said
    assert f"state_dir={str(earlier)!r}" in said, said
    assert "pass that dedupe's --job-dir" in flags and f"--state-dir {earlier}" in flags, flags
    # a shared coordinator carries the decisions, not the merges' guards: refused, and why
    monkeypatch.setenv(ENV_COORDINATOR, "redis://127.0.0.1:9/0")
    with pytest.raises(InputError) as caught:
        used_state(absolute, None, writes=True)
    assert "carries the keep-separate decisions and the config, not the merges" in str(
        caught.value), caught.value
    assert "not the merges" in getattr(caught.value, "flags", ""), caught.value


def test_a_noted_state_gone_or_empty_is_no_reason_to_refuse(tmp_path: Path) -> None:
    """A state folder deleted (to start afresh) or never written is not named."""
    gone = _kept(tmp_path / "a" / "dedupe-state")
    note_state(gone)
    note_state(tmp_path / "b" / "dedupe-state")  # a plan's, nothing written
    (gone / "keep-separate.json").unlink()
    assert lost_state(tmp_path / "c" / "dedupe-state") is None


def replace_root(cfg: EngineConfig, root: Path) -> EngineConfig:
    from dataclasses import replace

    return replace(cfg, job_root=root)


def test_cli_a_night_run_from_another_folder_is_refused_and_merges_nothing(
        tmp_path: Path) -> None:
    """`dedupe run --json` in job dir A merges and keeps its state there; the same line with
    job dir B (the cron's `cd` forgotten) exits 1 with a JSON error naming A's state and
    merges nothing; `dedupe plan` there warns on stderr and exits 0."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=41)) as sb:
        ids = seed_account(sb)["ids"]
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        first = runner.invoke(app, ["dedupe", "run", "--json", "--since-last",
                                    *cli_args(sb, tmp_path / "a")], env=env)
        assert first.exit_code == 0, first.output
        sb_deal(sb, ids["web"])  # the sandbox still answers
        other = cli_args(sb, tmp_path / "b")
        night = runner.invoke(app, ["dedupe", "run", "--json", "--since-last", *other], env=env)
        assert night.exit_code == 1, night.output
        error = orjson.loads(night.stdout)
        assert error["status"] == "error"
        assert str(tmp_path / "a" / "dedupe-state") in error["error"], error
        assert not (tmp_path / "b").exists() or not any(
            "-dedupe-" in d.name for d in (tmp_path / "b").iterdir())
        planned = runner.invoke(app, ["dedupe", "plan", "-o", str(tmp_path / "p"), *other],
                                env=env)
        assert planned.exit_code == 0, planned.output
        assert "pdbulk: warning: the dedupe state" in planned.stderr


def test_a_state_folder_belongs_to_one_account(tmp_path: Path) -> None:
    """x37r3 F2: account B's first night run is not refused for account A's noted state,
    and A's state folder given to B is refused naming A (never a token); the same account
    uses it again; one company id behind two URLs is one account, two are two."""
    a = EngineConfig(base_url="http://127.0.0.1:9", job_root=tmp_path / "a" / "pdbulk-jobs")
    b = EngineConfig(base_url="http://127.0.0.2:9", job_root=tmp_path / "b" / "pdbulk-jobs")
    state_a = used_state(a, None, writes=True)
    state_a.mkdir(parents=True, exist_ok=True)
    (state_a / "keep-separate.json").write_text("[[11, 12]]")
    own_state(state_a, a.base_url)  # a folder that recorded its URL only (x37r3)
    assert used_state(b, None, writes=True) == b.job_root / "dedupe-state"  # not A's
    assert orjson.loads((state_a / "account.json").read_bytes()) == {
        "base_url": "http://127.0.0.1:9", "company_id": None}
    for given in (state_a, None):
        cfg = b if given is not None else replace_root(b, a.job_root)
        with pytest.raises(InputError) as caught:
            used_state(cfg, given, writes=given is not None)
        said = str(caught.value)
        assert f"belongs to the account {a.base_url}, not {b.base_url}" in said, said
        assert "--state-dir" in said and "account.json" in said
    with pytest.raises(InputError):  # a plan (no --yes) is refused too: no warning only
        used_state(b, state_a, writes=False, note=lambda _: None, remember=False)
    assert used_state(a, state_a, writes=True) == state_a
    assert other_account(state_a, "http://127.0.0.1:9/", "7") is None
    own_state(state_a, a.base_url, "7")
    assert other_account(state_a, "http://127.0.0.3:9", "7") is None  # same company
    said = other_account(state_a, a.base_url, "8") or ""
    assert "(company 7)" in said, said


def test_an_old_state_folder_adopts_the_first_account_and_says_so(tmp_path: Path) -> None:
    """A state folder made before (no account.json) is used, adopted by the account that
    uses it first once its company is learned (a note says so, naming it), and refused to
    another company after; a new folder is owned without a word."""
    old = _kept(tmp_path / "old")
    cfg = EngineConfig(base_url="http://127.0.0.1:9", job_root=tmp_path / "j")
    told: list[str] = []
    assert used_state(cfg, old, writes=True, note=told.append) == old
    assert told == [] and not (old / "account.json").exists()  # the company is not known yet
    bind_state(cfg, old, "7", explicit=True, writes=True, note=told.append)
    assert len(told) == 1 and "recorded no account" in told[0], told
    assert f"{cfg.base_url} (company 7)" in told[0] and "by URL only" not in told[0], told
    bind_state(cfg, old, "7", explicit=True, writes=True, note=told.append)
    assert used_state(cfg, old, writes=True, note=told.append) == old and len(told) == 1
    with pytest.raises(InputError):
        bind_state(EngineConfig(base_url="http://127.0.0.2:9", job_root=tmp_path / "j"),
                   old, "8", explicit=True, writes=True)
    fresh = tmp_path / "fresh"  # a new folder is owned without a word
    assert used_state(cfg, fresh, writes=True, note=told.append) == fresh
    bind_state(cfg, fresh, "7", explicit=True, writes=True, note=told.append)
    assert len(told) == 1


def test_the_cli_refusal_names_the_flags(tmp_path: Path) -> None:
    """`pdbulk dedupe run` in a folder whose default state holds nothing: the refusal names
    --state-dir (the flag), never the library's state_dir= (x46r7 F5)."""
    earlier = _kept(tmp_path / "srv" / "pdbulk-jobs" / "dedupe-state")
    note_state(earlier, base_url="http://127.0.0.1:9")
    jobs = tmp_path / "cron" / "jobs"
    out = CliRunner().invoke(app, ["dedupe", "run", "--yes", "--url", "http://127.0.0.1:9",
                                   "--job-dir", str(jobs)],
                             env={**os.environ, "PIPEDRIVE_API_TOKEN": "state-home-token"})
    assert out.exit_code == 1, out.output
    assert f"--state-dir {earlier}" in out.output and "state_dir=" not in out.output, out.output
