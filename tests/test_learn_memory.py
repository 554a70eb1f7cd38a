"""The person pass's working memory (``RowPlanner._learn_persons``, issue 8: a 1,000,000-row
plan's peak RSS is reached while it reads the file): its identities are numbered in a
``jobs.keyset.Numbering`` (~14 bytes an identity), not a dict of hash -> number (~108),
and the numbering reads exactly as that dict did."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jobs.learned
from benchmarks.bench_mapping import offline_planner
from jobs.demo_data import MAPPING, write_demo_rows
from jobs.keyset import Numbering
from jobs.mapping import OrgRef, PersonRef

ints = st.integers(-(2**63), 2**63 - 1)


@given(st.lists(st.one_of(ints, st.sampled_from([0, 1, -1, 2, 64, -64])), max_size=400),
       st.lists(ints, max_size=20))
def test_numbering_reads_as_its_dict(seen: list[int], probes: list[int]) -> None:
    """``number``, ``get``, ``in``, ``len`` and ``keys`` read as a dict numbering each int
    first seen (its tables grown many times over from a small capacity)."""
    numbering, expected = Numbering(capacity=0), {}
    for key in seen:
        assert numbering.number(key) == expected.setdefault(key, len(expected))
    assert len(numbering) == len(expected) and list(numbering.keys) == list(expected)
    for key in [*seen, *probes]:
        assert numbering.get(key) == expected.get(key)
        assert (key in numbering) == (key in expected)
    old = numbering.keys
    numbering.clear()
    assert len(numbering) == 0 and numbering.get(seen[0] if seen else 0) is None
    assert list(old) == list(expected)  # (the old keys stay to whoever holds them)


def _persons(count: int) -> Iterator[tuple[PersonRef, OrgRef | None]]:
    for i in range(count):
        yield PersonRef(f"Person {i}", f"p{i}@example{i % 50}.com",
                        f"+49 30 {1_000_000 + i}"), None


def test_person_pass_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass over 12,000 persons, each with an e-mail and a phone (24,000 identities),
    peaks under 5.8 MB of the Python heap, the texts of their identities on disk
    (``SPILL_AT`` 1,000) and the bounded caches of keys filled by a pass before: 4.7 MB;
    with the dict of hash -> number it was 7.3 MB (a 1,000,000-row plan: ~26 MB of its
    peak)."""
    monkeypatch.setattr(jobs.learned, "SPILL_AT", 1000)
    write_demo_rows(tmp_path / "export.csv", 10)
    (tmp_path / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    planner, _ = offline_planner(tmp_path / "export.csv", tmp_path / "mapping.toml")()
    planner._learn_persons(_persons(12_000))  # (imports, and the bounded caches of keys)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        planner._learn_persons(_persons(12_000))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 5_800_000, peak


def _mailed(count: int) -> Iterator[tuple[PersonRef, OrgRef | None]]:
    for i in range(count):
        yield PersonRef(f"Person {i}", f"p{i}@example{i % 50}.com",
                        also=(f"p{i}.a@example{i % 50}.com", f"p{i}.b@example{i % 50}.com")
                        ), None


def test_person_pass_addresses_memory(tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass over 8,000 persons, each with three addresses of one e-mail cell, peaks under
    3.4 MB of the Python heap: 2.4 MB with the first name of each address kept by the
    address's number (``Numbering``); 4.7 MB with a dict of address hash -> name hash."""
    monkeypatch.setattr(jobs.learned, "SPILL_AT", 1000)
    write_demo_rows(tmp_path / "export.csv", 10)
    (tmp_path / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    planner, _ = offline_planner(tmp_path / "export.csv", tmp_path / "mapping.toml")()
    planner._learn_persons(_mailed(8000))  # (imports, and the bounded caches of keys)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        planner._learn_persons(_mailed(8000))
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 3_400_000, peak
