"""Every settings object and job builder of the library refuses an enumerated or ranged
value out of its set when it is made, before any call, with ``ConfigError`` (an
``InputError``) naming the field and what it takes (x25r3 F1: ``ImportSettings(
mode="UPSERT")`` made every row "exists" and updated nothing)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bulk.engine import EngineConfig
from bulk.errors import ConfigError, InputError
from bulk.scheduler import BudgetPolicy
from bulk.transport import MockTransport, Request, Response

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def _refused(make: Callable[[], Any], *words: str) -> str:
    with pytest.raises(ConfigError) as info:
        make()
    assert isinstance(info.value, InputError)
    text = str(info.value)
    for word in words:
        assert word in text, text
    return text


@pytest.mark.parametrize(("field", "value", "words"), [
    ("mode", "UPSERT", ("mode", "insert, upsert", "'UPSERT'")),
    ("mode", "merge", ("mode", "insert, upsert", "'merge'")),
    ("mode", None, ("mode", "insert, upsert")),
    ("format", "tsv", ("format", "csv, jsonl, json, xlsx", "'tsv'")),
    ("create_key_field", "no", ("create_key_field", "True or False")),
    ("unarchive", 1, ("unarchive", "True or False")),
    ("release_held", "yes", ("release_held", "True or False")),
    ("header_row", 0, ("header_row", "at least 1")),
    ("header_row", "2", ("header_row", "at least 1")),
    ("delimiter", ";;", ("delimiter", "one character")),
    ("encoding", 8, ("encoding", "string")),
])
def test_import_settings_refuse_a_value_out_of_their_set(
        field: str, value: object, words: tuple[str, ...]) -> None:
    """ImportSettings with a mode, format, flag, header row or delimiter it does not
    take is refused when built: no job can start on it."""
    from jobs import ImportSettings

    kw: dict[str, Any] = {"manifest": "deals.csv", "mapping": "m.toml", "mode": "insert",
                          field: value}
    _refused(lambda: ImportSettings(**kw), "ImportSettings", *words)


def test_import_settings_take_what_the_cli_gives() -> None:
    """The values the CLI passes still build (and round-trip through the job's config)."""
    from jobs import ImportSettings

    for mode in ("insert", "upsert"):
        s = ImportSettings(manifest="d.csv", mapping="m.toml", mode=mode, format="xlsx",
                           create_key_field=True, header_row=3, delimiter=";",
                           encoding="cp1252", sheet="Deals", unarchive=True,
                           release_held=True)
        assert ImportSettings.from_json(s.to_json()) == s


def test_job_builders_refuse_a_bad_keyword_when_called(tmp_path: Path) -> None:
    """update_deals, move_deals, merge_deals and undo_job name the keyword at once."""
    from jobs import merge_deals, move_deals, undo_job, update_deals
    from jobs.selection import DealQuery

    manifest, mapping = tmp_path / "u.csv", tmp_path / "m.toml"
    manifest.write_text("Deal,Title\n1,Renamed\n")
    mapping.write_text(MAPPING)
    _refused(lambda: update_deals(manifest, mapping, unarchive="no"),  # type: ignore[arg-type]
             "update_deals(unarchive=...)", "True or False")
    query = DealQuery(stage="Qualified")
    _refused(lambda: move_deals("Won", select=query, status_to=3),  # type: ignore[arg-type]
             "move_deals(status_to=...)", "string")
    _refused(lambda: move_deals("Won", select=query, limit="10"),  # type: ignore[arg-type]
             "move_deals(limit=...)", "at least 1")
    _refused(lambda: move_deals(7, select=query),  # type: ignore[arg-type]
             "move_deals(to_stage=...)", "string")
    _refused(lambda: merge_deals(manifest, encoding=8),  # type: ignore[arg-type]
             "merge_deals(encoding=...)")
    _refused(lambda: undo_job(tmp_path / "nojob", force="yes"),  # type: ignore[arg-type]
             "undo_job(force=...)", "True or False")
    _refused(lambda: undo_job(tmp_path / "nojob", contacts=1),  # type: ignore[arg-type]
             "undo_job(contacts=...)", "True or False")


def test_engine_config_and_budget_policy_refuse_out_of_range_values() -> None:
    """EngineConfig and BudgetPolicy (already checked) stay checked: an unknown plan or
    auth, a share outside (0, 1], a wait_for_reset that is not a bool."""
    _refused(lambda: EngineConfig(plan="platinum"), "platinum")
    _refused(lambda: EngineConfig(auth="basic"), "auth", "api_token")
    _refused(lambda: BudgetPolicy(share=1.5), "share")
    _refused(lambda: BudgetPolicy(wait_for_reset="no"), "wait_for_reset")  # type: ignore[arg-type]


def test_dedupe_config_refuses_a_threshold_out_of_range() -> None:
    """DedupeConfig (already checked) refuses a threshold outside [0, 1]."""
    from jobs import DedupeConfig

    with pytest.raises(InputError, match="threshold"):
        DedupeConfig(duplicate_threshold=1.5)


@pytest.mark.anyio
async def test_async_entry_points_refuse_before_any_call(tmp_path: Path) -> None:
    """plan_dedupe, apply_dedupe, run_dedupe and resume_job refuse a bad keyword before
    a single request leaves (a transport that counts them sees none)."""
    from jobs import apply_dedupe, plan_dedupe, resume_job, run_dedupe

    sent: list[Request] = []

    def handler(request: Request) -> Response:
        sent.append(request)
        raise AssertionError("no call may be sent")

    transport = MockTransport(handler)
    cfg = EngineConfig(base_url="http://127.0.0.1:19599", job_root=tmp_path / "jobs")
    plan_dir = tmp_path / "plan"
    plan_dir.mkdir()
    (plan_dir / "groups.csv").write_text("group_id\n")
    token = "0" * 40
    cases: list[tuple[Callable[[], Any], tuple[str, ...]]] = [
        (lambda: plan_dedupe(cfg, token, tmp_path / "out", since_last="no",
                             state_dir=tmp_path / "st", transport=transport),
         ("plan_dedupe(since_last=...)", "True or False")),
        (lambda: apply_dedupe(cfg, token, plan_dir, include_review="yes",
                              state_dir=tmp_path / "st", transport=transport),
         ("apply_dedupe(include_review=...)", "True or False")),
        (lambda: apply_dedupe(cfg, token, plan_dir, max_merges=-1,
                              state_dir=tmp_path / "st", transport=transport),
         ("apply_dedupe(max_merges=...)", "at least 0")),
        (lambda: apply_dedupe(cfg, token, plan_dir, dry_run="no",
                              state_dir=tmp_path / "st", transport=transport),
         ("apply_dedupe(dry_run=...)", "True or False")),
        (lambda: run_dedupe(cfg, token, auto_apply_above=1.5, state_dir=tmp_path / "st",
                            transport=transport),
         ("run_dedupe(auto_apply_above=...)", "[0, 1]")),
        (lambda: run_dedupe(cfg, token, auto_apply_above="0.9", state_dir=tmp_path / "st",
                            transport=transport),
         ("run_dedupe(auto_apply_above=...)", "[0, 1]")),
        (lambda: run_dedupe(cfg, token, max_merges=2.5, state_dir=tmp_path / "st",
                            transport=transport),
         ("run_dedupe(max_merges=...)", "whole number")),
        (lambda: resume_job(tmp_path / "nojob", token, share=2.0, transport=transport),
         ("share",)),
        (lambda: resume_job(tmp_path / "nojob", token, wait_for_reset="no",
                            transport=transport),
         ("wait_for_reset",)),
    ]
    for make, words in cases:
        with pytest.raises(ConfigError) as info:
            await make()
        for word in words:
            assert word in str(info.value), (words, str(info.value))
    assert sent == []
