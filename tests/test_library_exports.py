"""``jobs`` exports the error tree ``bulk`` does (the README: "each importable from
``jobs`` and ``bulk``"; x48r9 F5), and ``dir(jobs)`` lists the names loaded on first
use (x48r9 F6)."""

from __future__ import annotations

import bulk
import jobs
from bulk.errors import BulkError


def test_jobs_exports_every_error_bulk_does() -> None:
    tree = [name for name in bulk.__all__
            if isinstance(getattr(bulk, name), type) and issubclass(getattr(bulk, name), BulkError)]
    assert {"BulkError", "BudgetExhausted", "Unauthorized", "ConfigError",
            "RequestNotSent"} <= set(tree)
    for name in tree:
        assert name in jobs.__all__, name
        assert getattr(jobs, name) is getattr(bulk, name), name


def test_dir_lists_the_lazily_loaded_names() -> None:
    assert set(jobs.__all__) <= set(dir(jobs)), set(jobs.__all__) - set(dir(jobs))
    assert "run_job" in dir(jobs) and "KINDS" in dir(jobs)
