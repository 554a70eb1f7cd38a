"""A library import whose load never ended (an account not answering, a cancel) logs that
its job folder is removed and nothing was sent, never a bare "ended failed" / "ended
cancelled" for a job that seems resumable (x42r5 F11)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

import jobs
from bulk import EngineConfig


def test_a_load_cut_short_says_its_folder_is_removed(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """Nothing listens at the URL: the call raises, the folder is gone, the record says so."""
    (tmp_path / "m.toml").write_text('version = 1\n[import]\nkey_column = "k"\n'
                                     '[deal]\ntitle = "t"\n')
    (tmp_path / "d.csv").write_text("k,t\n1,T\n")
    root = tmp_path / "jobs"
    cfg = EngineConfig(base_url="http://127.0.0.1:9", job_root=root)
    with caplog.at_level(logging.WARNING), pytest.raises(Exception):  # noqa: B017
        asyncio.run(jobs.import_deals(cfg, "secrettokenvalue1234567890",
                                      tmp_path / "d.csv", tmp_path / "m.toml"))
    assert not any(root.iterdir()) if root.exists() else True
    said = [r.getMessage() for r in caplog.records if "ended failed" in r.getMessage()]
    assert said and "nothing was sent" in said[0] and "is removed" in said[0], said
