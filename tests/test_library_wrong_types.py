"""Every function and class ``jobs`` exports refuses an argument of the wrong type (a
path, config, token or work given as None, a number, a dict, a word) with a typed
project error (``InputError`` / ``ConfigError``) naming the argument, before anything is
read, created or sent — never a bare TypeError or AttributeError (x41r1 M4). The test
is parametrized over ``jobs.__all__``: a new export must be listed here."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bulk
import jobs
from bulk import EngineConfig

TOKEN = "secrettokenvalue1234567890"
# exports that are no door: results, error classes, the kinds' registry
NOT_DOORS = {"Finished", "Planned", "DedupePlan", "DedupeRun", "KINDS", "Work", "ImportJob",
             *(set(jobs.__all__) & set(bulk.__all__))}  # the error tree, as bulk's (x48r9 F5)


def _work() -> Any:
    return jobs.move_deals("Proposal", select=jobs.DealQuery(stage="Qualified"))


def _cases(cfg: EngineConfig) -> dict[str, list[tuple[str, Callable[[], Any]]]]:
    """Each export's wrong calls: (what is wrong, the call)."""
    j = jobs
    return {
        "import_deals": [
            ("manifest None", lambda: j.import_deals(cfg, TOKEN, None, "m.toml")),
            ("manifest 123", lambda: j.import_deals(cfg, TOKEN, 123, "m.toml")),
            ("mapping dict", lambda: j.import_deals(cfg, TOKEN, "d.csv", {"version": 1})),
            ("mapping None", lambda: j.import_deals(cfg, TOKEN, "d.csv", None)),
            ("cfg None", lambda: j.import_deals(None, TOKEN, "d.csv", "m.toml")),
            ("cfg dict", lambda: j.import_deals({"base_url": "x"}, TOKEN, "d.csv", "m.toml")),
            ("token int", lambda: j.import_deals(cfg, 12345, "d.csv", "m.toml")),
            ("token None", lambda: j.import_deals(cfg, None, "d.csv", "m.toml")),
            # x42r5 F11: an unknown keyword was a bare TypeError of ImportSettings
            ("unknown keyword", lambda: (
                Path("good.toml").write_text('version = 1\n[import]\nkey_column = "k"\n'
                                             '[deal]\ntitle = "t"\n'),
                j.import_deals(cfg, TOKEN, "d.csv", "good.toml", nosuch=1))[1]),
        ],
        "import_job": [
            ("store None", lambda: j.import_job(None, None, "m.toml", cfg, TOKEN)),
        ],
        "update_deals": [
            ("both None", lambda: j.update_deals(None, None)),
            ("manifest int", lambda: j.update_deals(123, "m.toml")),
            ("mapping int", lambda: j.update_deals("d.csv", 7)),
        ],
        "move_deals": [
            ("stage None", lambda: j.move_deals(None, select=j.DealQuery(stage="Q"))),
            ("stage int", lambda: j.move_deals(5, select=j.DealQuery(stage="Q"))),
            ("select str", lambda: j.move_deals("Q", select="Q")),
            ("manifest int", lambda: j.move_deals("Q", manifest=5)),
        ],
        "merge_deals": [
            ("pairs int", lambda: j.merge_deals(42)),
            ("pairs list", lambda: j.merge_deals([(1, 2)])),
            ("pairs None", lambda: j.merge_deals(None)),
        ],
        "undo_job": [
            ("source None", lambda: j.undo_job(None)),
            ("source int", lambda: j.undo_job(17)),
            ("job_root int", lambda: j.undo_job("job", job_root=5)),
        ],
        "resume_job": [
            ("job None", lambda: j.resume_job(None, TOKEN)),
            ("job int", lambda: j.resume_job(17, TOKEN)),
            ("token None", lambda: j.resume_job("job", None)),
            ("token int", lambda: j.resume_job("job", 12345)),
        ],
        "plan_job": [
            ("work None", lambda: j.plan_job(cfg, TOKEN, None)),
            ("work str", lambda: j.plan_job(cfg, TOKEN, "update")),
            ("cfg None", lambda: j.plan_job(None, TOKEN, _work())),
            ("token int", lambda: j.plan_job(cfg, 123, _work())),
        ],
        "run_job": [
            ("work None", lambda: j.run_job(cfg, TOKEN, None)),
            ("work str", lambda: j.run_job(cfg, TOKEN, "update")),
            ("cfg dict", lambda: j.run_job({}, TOKEN, _work())),
            ("token None", lambda: j.run_job(cfg, None, _work())),
        ],
        "plan_dedupe": [
            ("output None", lambda: j.plan_dedupe(cfg, TOKEN, None)),
            ("cfg None", lambda: j.plan_dedupe(None, TOKEN, "out")),
            ("token int", lambda: j.plan_dedupe(cfg, 5, "out")),
            ("state_dir int", lambda: j.plan_dedupe(cfg, TOKEN, "out", state_dir=5)),
        ],
        "apply_dedupe": [
            ("plan_dir int", lambda: j.apply_dedupe(cfg, TOKEN, 5)),
            ("plan_dir None", lambda: j.apply_dedupe(cfg, TOKEN, None)),
            ("cfg None", lambda: j.apply_dedupe(None, TOKEN, "plan")),
        ],
        "run_dedupe": [
            ("cfg None", lambda: j.run_dedupe(None, TOKEN)),
            ("token int", lambda: j.run_dedupe(cfg, 5)),
            ("state_dir int", lambda: j.run_dedupe(cfg, TOKEN, state_dir=5)),
            ("output list", lambda: j.run_dedupe(cfg, TOKEN, output=["x"])),
        ],
        "make_plan": [
            ("ctx None", lambda: j.make_plan(None, j.DedupeConfig(), Path("d"),
                                             state_dir=Path("s"))),
        ],
        "kind_for": [
            ("store str", lambda: j.kind_for("bogus")),
            ("store None", lambda: j.kind_for(None)),
        ],
        "Mapping": [
            ("load None", lambda: j.Mapping.load(None)),
            ("load int", lambda: j.Mapping.load(5)),
            ("loads int", lambda: j.Mapping.loads(5)),
        ],
        "DealQuery": [
            ("pipeline int", lambda: j.DealQuery(pipeline=5)),
            ("owner list", lambda: j.DealQuery(owner=["a"])),
            ("stage int", lambda: j.DealQuery(stage=3)),
        ],
        "ImportSettings": [
            ("manifest None", lambda: j.ImportSettings(manifest=None, mapping="m.toml", mode="insert")),
            ("header_row str", lambda: j.ImportSettings(manifest="x.csv", mapping="m.toml", mode="insert",
                                                        header_row="2")),
        ],
        "DedupeConfig": [
            ("threshold str", lambda: j.DedupeConfig(duplicate_threshold="high")),
        ],
    }


@pytest.mark.parametrize("name", sorted(jobs.__all__))
def test_every_export_refuses_wrong_types_with_a_typed_error(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each wrong call raises ``jobs.InputError`` (``ConfigError`` is one), never a bare
    TypeError / AttributeError; the token is never in its message; no job folder is
    made. A new export with no wrong calls listed here fails."""
    if name in NOT_DOORS:
        return
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "jobs"
    cfg = EngineConfig(base_url="http://127.0.0.1:9", job_root=root)
    cases = _cases(cfg)
    assert name in cases, f"jobs.{name} is exported: list its wrong calls in this test"
    for what, call in cases[name]:
        with pytest.raises(jobs.InputError) as caught:
            result = call()
            if inspect.isawaitable(result):
                asyncio.run(result)  # type: ignore[arg-type]
        assert TOKEN not in str(caught.value), (name, what)
        assert not root.exists(), (name, what, "a job folder was made")
