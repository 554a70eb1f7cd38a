"""A dedupe state directory that records its company is judged by that company, not by the
URL it was recorded at (x39r1 F2: company A's folder, recorded at http://127.0.0.1:PORT, was
refused to company A at http://localhost:PORT by ``dedupe run`` / ``dedupe plan`` before its
company was read, as a move from https://api.pipedrive.com to https://COMPANY.pipedrive.com
would be); a refusal names the company given (L1); a folder whose account.json was deleted
is said to have recorded none (L2)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import anyio
import orjson
import pytest

import jobs
from bulk.engine import EngineConfig
from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from jobs.dedupe.api import used_state
from jobs.dedupe.state_home import other_account, own_state
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox


def _localhost(cfg: EngineConfig) -> EngineConfig:
    return replace(cfg, base_url=cfg.base_url.replace("127.0.0.1", "localhost"))


def test_the_same_company_at_another_url_uses_its_state(tmp_path: Path) -> None:
    """A's night at 127.0.0.1 records A's company; A's plan and run at localhost use that
    folder (nothing refused, its keep-separate decisions kept); another company at
    localhost is still refused it, naming both companies."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=45)) as sb:
        seed_account(sb)
        company = str(sb.state.company["id"])
        state = tmp_path / "state"
        cfg = engine_config(sb, tmp_path / "a")
        night = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True,
                                                  state_dir=state))
        assert night.merged == 2
        moved = _localhost(cfg)
        assert moved.base_url != cfg.base_url and "localhost" in moved.base_url
        assert used_state(moved, state, writes=True) == state  # not refused by URL
        told: list[str] = []
        plan = anyio.run(lambda: jobs.plan_dedupe(moved, sb.token, tmp_path / "p",
                                                  since_last=True, state_dir=state,
                                                  note=told.append))
        assert plan.directory.is_dir() and not [t for t in told if "belongs to" in t], told
        seed_account(sb)
        again = anyio.run(lambda: jobs.run_dedupe(moved, sb.token, since_last=True,
                                                  state_dir=state))
        assert again.merged == 2
        recorded = orjson.loads((state / "account.json").read_bytes())
        assert recorded["company_id"] == company
        sb.state.company = {**sb.state.company, "id": int(company) + 1}
        with pytest.raises(InputError) as caught:
            anyio.run(lambda: jobs.plan_dedupe(moved, sb.token, tmp_path / "p2",
                                               state_dir=state))
        said = str(caught.value)
        assert f"(company {company})" in said and f"(company {int(company) + 1})" in said
        assert sb.token not in said


def test_a_refusal_names_the_company_given(tmp_path: Path) -> None:
    """The same URL, another company: the refusal says which company was given (L1: it
    named the URL twice); a URL-only folder at another URL is refused by URL at once."""
    state = tmp_path / "s"
    state.mkdir()
    own_state(state, "http://127.0.0.1:28501", "28501")
    said = other_account(state, "http://127.0.0.1:28501", "28599") or ""
    assert "(company 28501), not http://127.0.0.1:28501 (company 28599)" in said, said
    assert other_account(state, "http://localhost:28501") is None  # judged by company later
    old = tmp_path / "old"
    old.mkdir()
    own_state(old, "http://127.0.0.1:28501")  # an old folder: its URL only
    cfg = EngineConfig(base_url="http://localhost:28501", job_root=tmp_path / "j")
    with pytest.raises(InputError):
        used_state(cfg, old, writes=True)


def test_a_folder_whose_account_file_was_deleted_says_it_recorded_none(tmp_path: Path) -> None:
    """L2: a folder holding state with account.json deleted is adopted by the company with
    one note saying it recorded no account (not "by URL only", which it never was)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=46)) as sb:
        seed_account(sb)
        state = tmp_path / "state"
        cfg = engine_config(sb, tmp_path / "a")
        anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True, state_dir=state))
        (state / "account.json").unlink()
        told: list[str] = []
        anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p", since_last=True,
                                           state_dir=state, note=told.append))
        notes = [t for t in told if "dedupe state" in t and "account" in t]
        company = str(sb.state.company["id"])
        assert len(notes) == 1 and "recorded no account" in notes[0], told
        assert "by URL only" not in notes[0] and f"(company {company})" in notes[0], notes
        assert orjson.loads((state / "account.json").read_bytes())["company_id"] == company
