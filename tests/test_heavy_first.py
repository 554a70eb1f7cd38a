"""Under pytest-xdist each worker's first run of tests starts with heavy files, spread by
weight, so no 30-40 s file is a parallel pass's tail (``tests/heavy_first.py``; f38f:
in collection order the simulated -n 4 pass ended 53 s past its ideal, 7 s this way)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import conftest
from tests.heavy_first import HEAVY, file_seconds, heavy_first, run_sizes

WEIGHTS = {"test_a.py": 100.0, "test_b.py": 90.0, "test_c.py": 40.0, "test_d.py": 30.0,
           "test_e.py": HEAVY / 2}


def _items() -> list[str]:
    """24 tests of 8 files in collection order, ``"test_x.py::n"``."""
    counts = {"test_0.py": 5, "test_a.py": 2, "test_b.py": 3, "test_c.py": 1,
              "test_d.py": 2, "test_e.py": 3, "test_f.py": 4, "test_g.py": 4}
    return [f"{name}::{i}" for name, n in counts.items() for i in range(n)]


def _file(item: str) -> str:
    return item.split("::")[0]


def test_each_worker_s_run_starts_with_its_share_of_the_heavy_files() -> None:
    """4 workers: runs of 6; the four files at or above ``HEAVY`` start one run each, the
    heaviest first, each's tests together and in order; the same items."""
    order = heavy_first(_items(), _file, 4, WEIGHTS)
    assert sorted(order) == sorted(_items())
    assert run_sizes(len(order), 4) == [6, 6, 6, 6]
    assert [_file(order[i]) for i in (0, 6, 12, 18)] == [
        "test_a.py", "test_b.py", "test_c.py", "test_d.py"]
    for name in ("test_a.py", "test_b.py", "test_c.py", "test_d.py"):
        at = [k for k, item in enumerate(order) if _file(item) == name]
        assert at == list(range(at[0], at[0] + len(at))), (name, order)
        assert [order[k] for k in at] == [i for i in _items() if _file(i) == name]
    # the rest in collection order (split at the runs' ends, as xdist's own split does)
    light = [i for i in order if _file(i) not in ("test_a.py", "test_b.py", "test_c.py",
                                                  "test_d.py")]
    assert light == [i for i in _items() if i in light]


def test_two_workers_balance_by_weight_and_one_keeps_collection_order() -> None:
    """Two workers: a (100) on one, b (90) then c (40) on the other... each file to the run
    with the least weight so far; one worker or no weights: collection order."""
    order = heavy_first(_items(), _file, 2, WEIGHTS)
    first, second = order[:12], order[12:]
    assert [_file(i) for i in first[:4]] == ["test_a.py"] * 2 + ["test_d.py"] * 2
    assert [_file(i) for i in second[:4]] == ["test_b.py"] * 3 + ["test_c.py"]
    assert heavy_first(_items(), _file, 1, WEIGHTS) == _items()
    assert heavy_first(_items(), _file, 4, {}) == _items()


def test_the_recorded_weights_name_test_files_that_exist() -> None:
    """Every file in data/file_seconds.json is a test file here and heavy."""
    here = Path(__file__).parent
    weights = file_seconds()
    assert weights and all(s >= HEAVY for s in weights.values())
    assert [n for n in weights if not (here / n).is_file()] == []


@dataclass
class _Item:
    path: Path


def test_the_conftest_orders_only_under_xdist(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook reorders when xdist says there are several workers, not otherwise."""
    heavy = max(file_seconds().items(), key=lambda kv: kv[1])[0]
    items = [_Item(Path(f"tests/test_{i}.py")) for i in range(7)] + [_Item(Path(heavy))]
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    alone = list(items)
    conftest.pytest_collection_modifyitems(alone)  # type: ignore[arg-type]
    assert alone == items
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    parallel = list(items)
    conftest.pytest_collection_modifyitems(parallel)  # type: ignore[arg-type]
    assert parallel[0].path.name == heavy and sorted(map(id, parallel)) == sorted(map(id, items))
