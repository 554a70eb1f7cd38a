"""A file that gives one key two rows with the same cells imports the first and reports the
other a duplicate of it (skipped, not held, the key not contested), on every import of the
file alike; rows of one key whose cells differ stay held, naming the first row and the
cells that differ."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bulk.manifest import SourceRow
from bulk.sandbox import SandboxConfig, serve
from jobs.repeats import RepeatedKeys
from tests.import_support import import_once, read_csv, sandbox_deals

pytestmark = pytest.mark.anyio
FAST = {"time_scale": 0.02, "seed": 7}
MAPPING = """\
[import]
key_column = "id"
mode = "{mode}"
[deal]
title = "title"
pipeline = {{ default = "Sales" }}
[deal.stage]
column = "stage"
"""
# row 4 repeats row 2 whole (one record written twice); row 6 gives k3 another title
SOURCE = ("id,title,stage,exported\n"
          "k1,One,Qualified,2026-01-01\n"
          "k2,Two,Qualified,2026-01-01\n"
          "k1,One,Qualified,2026-01-02\n"
          "k3,Three,Qualified,2026-01-01\n"
          "k3,Three B,Qualified,2026-01-01\n")


def _keyed(sb: object, key: str) -> int:
    return sum(1 for d in sandbox_deals(sb)  # type: ignore[arg-type]
               if key in {str(v) for v in (d.get("custom_fields") or {}).values()})


@pytest.mark.parametrize("mode", ["upsert", "insert"])
async def test_an_identical_repeat_is_a_duplicate_on_every_import(
        tmp_path: Path, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """x28r2-style nightly job: the first import made k1's deal and held row 4; every later
    import held row 4 again and contested k1 (row 2 failed too: exit 3 forever). Row 4, the
    same cells as row 2 in every column the mapping reads, is a duplicate of row 2
    (skipped) on the first import and on re-imports, from this state folder or another;
    k3's differing row stays held, its reason naming row 5 and the title cells."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text(SOURCE)
    mapping.write_text(MAPPING.format(mode=mode))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        runs: list[str] = []
        for n, state in enumerate(("a", "a", "b")):
            monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / f"state-{state}"))
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=f"run-{n}", mode=mode)
            failed = read_csv(store.directory / "failed.csv")
            done = {r["row"]: r for r in read_csv(store.directory / "succeeded.csv")}
            store.close()
            assert done["4"]["action"] == "duplicate", done
            assert "the same cells as row 2" in done["4"]["note"]
            assert [r["row"] for r in failed if r["key"] == "k1"] == []  # before: 4, then 2 and 4
            held = [r for r in failed if r["row"] == "6"]
            assert len(held) == 1 and held[0]["hold"] == "duplicate-key"
            assert "row 5 has it too" in held[0]["reason"]
            assert "title: 'Three' there, 'Three B' here" in held[0]["reason"]
            # an upsert writes neither k3 row, on every import (test_upsert_contested_keys)
            assert [r["hold"] for r in failed if r["row"] == "5"] == (
                ["duplicate-key"] if mode == "upsert" else [])
            runs.append(done["2"]["action"])
        assert _keyed(sb, "k1") == _keyed(sb, "k2") == 1
        assert _keyed(sb, "k3") == (0 if mode == "upsert" else 1)
        # row 2 made k1's deal, then finds it
        assert runs == ["created", *(["unchanged"] * 2 if mode == "upsert" else ["exists"] * 2)]


async def test_a_file_of_identical_repeats_alone_fails_no_row(tmp_path: Path) -> None:
    """Only identical repeats: no row fails on the first import nor on the next (exit 0)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,stage\nk1,One,Qualified\nk1,One,Qualified\nk1,One,Qualified\n")
    mapping.write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        for job in ("first", "again"):
            store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping,
                                            job_id=job)
            assert read_csv(store.directory / "failed.csv") == []
            notes = [r["note"] for r in read_csv(store.directory / "succeeded.csv")
                     if r["action"] == "duplicate"]
            store.close()
            assert len(notes) == 2 and all("row 2" in n for n in notes), notes
        assert _keyed(sb, "k1") == 1


def test_repeated_keys_keep_the_first_rows_of_repeated_keys_only() -> None:
    """Memory: a file of unique keys keeps no row; a typed cell differs from its text."""
    repeats = RepeatedKeys()
    repeats.learn(f"k{i}" for i in [*range(10_000), 7])
    for i in range(10_000):
        repeats.first(f"k{i}", SourceRow(i + 2, i + 2, {"id": f"k{i}", "n": 1}), None)
    assert len(repeats) == 1 and "1 first rows kept" in repr(repeats)
    same = repeats.again("k7", SourceRow(20_000, 20_000, {"id": "k7", "n": 1}), None)
    other = repeats.again("k7", SourceRow(20_001, 20_001, {"id": "k7", "n": "1"}), None)
    assert same is not None and same.same and same.row == 9
    assert other is not None and not other.same and [c for c, *_ in other.differing] == ["n"]
    assert repeats.again("k8", SourceRow(20_002, 20_002, {"id": "k8"}), None) is None
    assert os.environ.get("PDBULK_STATE_DIR")  # (hermetic: the conftest's own folder)


async def test_a_repeat_of_a_failing_row_fails_as_it_does(tmp_path: Path) -> None:
    """Rows 3 and 4 the same, their stage unknown: row 3 failed and row 4 was reported a
    duplicate "imported once, as that row" — nothing was imported (x29r3 F5, 2 of 2). Both
    fail with the reason; the key is not contested (the rows agree)."""
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("id,title,stage\nk1,One,Qualified\nk2,Two,Nowhere\nk2,Two,Nowhere\n")
    mapping.write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, **FAST)) as sb:
        store, _, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        failed = {r["row"]: r for r in read_csv(store.directory / "failed.csv")}
        done = [r["row"] for r in read_csv(store.directory / "succeeded.csv")]
        store.close()
        assert done == ["2"], done
        assert sorted(failed) == ["3", "4"]
        assert failed["3"]["reason"] == failed["4"]["reason"], failed
        assert "duplicate" not in failed["4"]["reason"]
