"""The library imports as it updates, moves, merges and undoes: ``jobs.import_deals`` (in
``jobs.__all__``) takes a manifest and a mapping file and runs the job as ``pdbulk import``
does, result files and all (f29h 8: the library had no import on its surface; a caller
built the store, ``ImportSettings`` and ``ImportJob`` from the internals)."""

from __future__ import annotations

import csv
import logging
from functools import partial
from pathlib import Path

import anyio
import pytest

import jobs
from bulk.engine import EngineConfig
from bulk.errors import BulkError, ConfigError, Unauthorized
from bulk.sandbox import SandboxConfig
from tests.sandbox_helpers import threaded_sandbox

MAPPING = """version = 1
[import]
key_column = "key"
[deal]
title = "title"
[person]
name = "contact"
email = "email"
"""


def test_import_deals_runs_an_import_from_the_library_surface(tmp_path: Path) -> None:
    """Two good rows and a bad one: two deals made, the bad row in failed.csv, the job's
    folder under the config's job_root, its tokens counted."""
    assert "import_deals" in jobs.__all__
    manifest = tmp_path / "rows.csv"
    manifest.write_text("key,title,contact,email\nk1,One,Ann Lee,ann@x.com\n"
                        "k2,Two,Bo Ek,bo@x.com\nk3,,Cy Ng,cy@x.com\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.replace('title = "title"', 'title = { column = "title", '
                                       'required = true }'), encoding="utf-8")
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        cfg = EngineConfig(base_url=sb.url, job_root=tmp_path / "jobs")
        done = anyio.run(lambda: jobs.import_deals(cfg, sb.token, manifest, mapping,
                                                   create_key_field=True))
        titles = sorted(d["title"] for d in sb.state.deals.rows.values()
                        if d["title"] in ("One", "Two", ""))
    assert done.status == "finished" and done.directory.parent == tmp_path / "jobs"
    assert done.counts.get("done") == 2 and done.counts.get("failed") == 1, done.counts
    assert titles == ["One", "Two"] and done.tokens > 0
    with (done.directory / "failed.csv").open(encoding="utf-8") as f:
        assert [r["key"] for r in csv.DictReader(f)] == ["k3"]
    assert any("succeeded" in line for line in done.lines), done.lines


def test_import_deals_refuses_a_bad_setting_before_a_job_exists(tmp_path: Path) -> None:
    """A setting outside its values is an InputError naming it, and no job folder is left."""
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "rows.csv").write_text("key,title,contact,email\n", encoding="utf-8")
    cfg = EngineConfig(base_url="http://127.0.0.1:9", job_root=tmp_path / "jobs")
    with pytest.raises(jobs.InputError, match="mode"):
        anyio.run(lambda: jobs.import_deals(cfg, "t" * 20, tmp_path / "rows.csv",
                                            tmp_path / "m.toml", mode="UPSERT"))
    assert not (tmp_path / "jobs").exists()


def test_import_deals_leaves_no_job_folder_when_the_load_fails(tmp_path: Path) -> None:
    """As the CLI: a malformed token is a ConfigError before a job folder exists; a bad
    token (401) or an unreachable account fails the load with nothing sent, and its job
    folder is removed, none left ``failed`` (x31r3 2: three failed folders)."""
    (tmp_path / "m.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "rows.csv").write_text("key,title,contact,email\nk1,One,Ann,a@x.com\n",
                                       encoding="utf-8")
    root = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        cases = [(sb.url, "bad token", ConfigError),
                 (sb.url, "wrong-token-123", Unauthorized),
                 ("http://127.0.0.1:9", sb.token, BulkError)]
        for url, token, error in cases:
            cfg = EngineConfig(base_url=url, job_root=root)
            with pytest.raises(error):
                anyio.run(partial(jobs.import_deals, cfg, token, tmp_path / "rows.csv",
                                  tmp_path / "m.toml"))
            assert not root.exists() or not list(root.iterdir()), (token, list(root.iterdir()))


def test_import_deals_log_records_name_the_job_and_its_end(tmp_path: Path,
                                                           caplog: pytest.LogCaptureFixture
                                                           ) -> None:
    """Each record names its job (``job_id`` attribute and text: two imports at once can
    be told apart); one record ends the job with its status and counts, a WARNING when
    rows failed; the token is in none (x31r3 3)."""
    manifest = tmp_path / "rows.csv"
    manifest.write_text("key,title,contact,email\nk1,One,Ann Lee,ann@x.com\n"
                        "k2,,Bo Ek,bo@x.com\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING.replace('title = "title"', 'title = { column = "title", '
                                       'required = true }'), encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    with threaded_sandbox(SandboxConfig(time_scale=0.02)) as sb:
        cfg = EngineConfig(base_url=sb.url, job_root=tmp_path / "jobs")
        done = anyio.run(partial(jobs.import_deals, cfg, sb.token, manifest, mapping,
                                 create_key_field=True))
        token = sb.token
    mine = [r for r in caplog.records if r.name in ("pdbulk.import", "pdbulk.job")]
    assert mine and all(getattr(r, "job_id", None) == done.job_id for r in mine), mine
    assert all(done.job_id in r.getMessage() for r in mine)
    end = [r for r in mine if r.name == "pdbulk.job"]
    assert len(end) == 1 and end[0].levelno == logging.WARNING, end
    assert getattr(end[0], "status") == "finished"  # noqa: B009
    assert getattr(end[0], "counts") == {"done": 1, "failed": 1}  # noqa: B009
    assert "1 failed" in end[0].getMessage()
    for r in caplog.records:
        assert token not in r.getMessage() and token not in repr(vars(r)), r
