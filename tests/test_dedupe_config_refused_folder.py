"""A ``--config`` is kept in the state directory only once the run has bound the folder to
its company (f40c): ``dedupe_config`` wrote its copy (``config.toml``) before ``bind_state``
refused the folder as another company's, so company B's refused run or plan replaced company
A's config — A's next night then matched with B's thresholds and guards. The refusal leaves
the folder as it was, byte for byte; an accepted run keeps the copy as before. The library
and the CLI (``pdbulk dedupe plan | run --config``), the sandbox."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest
from typer.testing import CliRunner

import jobs
from bulk.errors import InputError
from bulk.sandbox import SandboxConfig
from tests.dedupe_job_support import seed_account
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox

STRICT = "duplicate_threshold = 0.95\n"
LOOSE = "duplicate_threshold = 0.80\n"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_refused_folder_keeps_its_company_config(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from pdbulk.cli import app

    strict, loose = tmp_path / "strict.toml", tmp_path / "loose.toml"
    strict.write_text(STRICT)
    loose.write_text(LOOSE)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "machine"))
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        a_company = str(sb.state.company["id"])
        state = tmp_path / "state-a"
        cfg = engine_config(sb, tmp_path / "a")
        anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, config=strict, state_dir=state))
        assert (state / "config.toml").read_text() == STRICT  # kept: the folder is A's
        sb.state.company = {**sb.state.company, "id": int(a_company) + 1}  # company B
        before = _files(state)
        for call in (lambda: jobs.run_dedupe(cfg, sb.token, config=loose, state_dir=state),
                     lambda: jobs.plan_dedupe(cfg, sb.token, tmp_path / "p", config=loose,
                                              state_dir=state)):
            with pytest.raises(InputError, match=f"company {a_company}"):
                anyio.run(call)
            assert _files(state) == before  # before the fix: config.toml = B's loose one
        monkeypatch.setenv("PIPEDRIVE_API_TOKEN", sb.token)
        for args in (["dedupe", "plan", "-o", str(tmp_path / "p2")], ["dedupe", "run"]):
            done = CliRunner().invoke(app, [*args, "--config", str(loose), "--state-dir",
                                            str(state), "--url", sb.url, "--job-dir",
                                            str(tmp_path / "a")])
            assert done.exit_code == 1 and f"company {a_company}" in done.output, done.output
            assert _files(state) == before, args  # before: the CLI wrote it at its start
        for args in (["dedupe", "plan", "-o", str(tmp_path / "p3")], ["dedupe", "run"]):
            done = CliRunner().invoke(app, [*args, "--state-dir", str(state), "--url", sb.url,
                                            "--job-dir", str(tmp_path / "a")])
            assert done.exit_code == 1 and f"company {a_company}" in done.output, done.output
            # x40r4 F5: nothing said of a config before the refusal (was: "using the dedupe
            # config the last run was given", then refused)
            assert "dedupe config" not in done.output, done.output
            assert _files(state) == before, args
