"""A dedupe state directory knows its account by its company, learned by every plan, apply
and run (``GET /v1/users/me``), not by its URL alone: every Pipedrive company is behind
https://api.pipedrive.com (x38r2 F3: without a coordinator, company A's folder was taken for
company B on the same URL, B's deals were compared against A's index and a merge of two
unrelated deals proposed; a first plan of a new company named A's folder)."""

from __future__ import annotations

from pathlib import Path

import anyio
import orjson
import pytest

import jobs
from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox


def _live(sb: object) -> int:
    return sum(not d["is_deleted"] for d in sb.state.deals.rows.values())  # type: ignore[attr-defined]


def _account(state: Path) -> dict[str, object]:
    data = orjson.loads((state / "account.json").read_bytes())
    assert isinstance(data, dict)
    return data


def test_another_company_on_the_same_url_is_refused_the_state(tmp_path: Path) -> None:
    """A's night run records A's company in its state; B on the same URL is refused it
    (InputError naming both, nothing merged, no job kept) for a run, a plan and an apply;
    B's own first run in a fresh default folder is not refused for A's folder."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        a_company = str(sb.state.company["id"])
        state = tmp_path / "state-a"
        cfg = engine_config(sb, tmp_path / "a")
        night = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True,
                                                  state_dir=state))
        assert night.merged == 2
        assert _account(state) == {"base_url": sb.url.rstrip("/"), "company_id": a_company}
        # another company on the same URL (as every company is on api.pipedrive.com)
        sb.state.company = {**sb.state.company, "id": int(a_company) + 1}
        seed_account(sb)
        live, jobs_before = _live(sb), set((tmp_path / "a").iterdir())
        for call in (lambda: jobs.run_dedupe(cfg, sb.token, since_last=True, state_dir=state),
                     lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p", since_last=True,
                                              state_dir=state)):
            with pytest.raises(InputError) as caught:
                anyio.run(call)
            said = str(caught.value)
            assert f"(company {a_company})" in said and "--state-dir" in said, said
            assert sb.token not in said
        assert _live(sb) == live
        assert set((tmp_path / "a").iterdir()) == jobs_before  # the refused run kept no job
        assert _account(state)["company_id"] == a_company  # not taken over
        # B's first night in its own default folder: A's folder is not named as B's lost
        # state (the URL is the same, the company is not)
        b = engine_config(sb, tmp_path / "b")
        first = anyio.run(lambda: jobs.run_dedupe(b, sb.token, since_last=True))
        assert first.merged == 2 and _live(sb) == live - 2
        assert _account(b.job_root / "dedupe-state")["company_id"] == str(int(a_company) + 1)


def test_a_folder_that_recorded_a_url_only_adopts_the_company_once_with_a_note(
        tmp_path: Path) -> None:
    """A folder made before (``company_id: null``) that holds state is adopted by the first
    company that uses it, said in a note; then it is that company's: another is refused."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=44)) as sb:
        seed_account(sb)
        state = tmp_path / "old"
        state.mkdir()
        (state / "keep-separate.json").write_text("[[901, 902]]")
        (state / "account.json").write_bytes(orjson.dumps(
            {"base_url": sb.url.rstrip("/"), "company_id": None}))
        cfg = engine_config(sb, tmp_path / "j")
        told: list[str] = []
        anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p1", state_dir=state,
                                           note=told.append))
        adopted = [t for t in told if "by URL only" in t]
        assert len(adopted) == 1 and str(sb.state.company["id"]) in adopted[0], told
        assert _account(state)["company_id"] == str(sb.state.company["id"])
        told.clear()
        anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p2", state_dir=state,
                                           note=told.append))
        assert not [t for t in told if "by URL only" in t], told  # once
        sb.state.company = {**sb.state.company, "id": sb.state.company["id"] + 1}
        with pytest.raises(InputError):
            anyio.run(lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p3",
                                               state_dir=state))
