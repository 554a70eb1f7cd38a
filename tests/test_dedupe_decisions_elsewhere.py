"""`dedupe apply` of a night folder reads the other folders' untaken decisions as the night
does: a group whose deals another folder's untaken decision contradicts is held, named with
both folders and how to settle it; retention recommends no apply against a conflict, and
its command carries the night's --job-dir / --state-dir (x43r2 F2: the apply merged a pair
another folder kept separate, 3 of 3, and the retention line recommended it; L1)."""

from __future__ import annotations

import csv
from pathlib import Path

import anyio

import jobs
from bulk.sandbox import SandboxConfig
from jobs.dedupe.earlier_decisions import taken
from jobs.dedupe.retention import prune_plans
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox
from tests.test_dedupe_earlier_decisions import _decide, _members, _seed
from tests.update_support import deal as sb_deal


def _apply_refuses(tmp_path: Path, seed: int, *, merge_first: bool) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=seed)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        second = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        crm = frozenset(ids["crm"])
        assert crm in map(frozenset, _members(second.plan_dir)), second.lines
        merging, keeping = (first, second) if merge_first else (second, first)
        _decide(merging.plan_dir, {crm: "merge"})
        _decide(keeping.plan_dir, {crm: "keep-separate"})
        said: list[str] = []
        assert prune_plans(state / "plans", cfg.job_root, keep=0, say=said.append) == []
        assert len(said) == 2 and not any("dedupe apply" in line for line in said), said
        assert all("disagrees with" in line for line in said), said
        applied = anyio.run(lambda: jobs.apply_dedupe(cfg, sb.token, merging.plan_dir,
                                                      confirm=None))
        assert not any(sb_deal(sb, i)["is_deleted"] for i in crm), applied
        assert applied.refused_decisions == 1, applied
        assert applied.directory is not None, applied
        with (applied.directory / "succeeded.csv").open(encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["group_id"] == f"g-{min(crm)}"]
        assert rows and rows[0]["action"] == "skipped", rows
        why = rows[0]["reason"]
        assert str(keeping.plan_dir / "groups.csv") in why, why
        assert str(merging.plan_dir / "groups.csv") in why and "disagree" in why, why
        # x43r6 F1: the apply took neither decision: both stay untaken, the conflict named
        # again the next night (it had marked both taken and forgotten the keep-separate)
        for folder in (merging.plan_dir, keeping.plan_dir):
            assert not any(frozenset(e[3]) | {e[2]} == crm for e in taken(folder)), folder
        night = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        assert any("disagree" in line for line in night.lines), night.lines
        assert not any(sb_deal(sb, i)["is_deleted"] for i in crm), night.lines


def test_apply_of_a_later_merge_is_held_by_an_earlier_folders_keep_separate(
        tmp_path: Path) -> None:
    """keep-separate in night 1's folder, merge in night 2's: night 2's apply merges nothing,
    names night 1's row."""
    _apply_refuses(tmp_path, 71, merge_first=False)


def test_apply_of_an_earlier_merge_is_held_by_a_later_folders_keep_separate(
        tmp_path: Path) -> None:
    """merge in night 1's folder, keep-separate in night 2's: night 1's apply merges
    nothing, names night 2's row."""
    _apply_refuses(tmp_path, 72, merge_first=True)


def test_the_retention_line_of_a_folder_with_decisions_carries_the_nights_flags(
        tmp_path: Path) -> None:
    """x43r2 L1: `pdbulk dedupe apply FOLDER` in the retention line said without the
    --job-dir / --state-dir the night used; run as written, elsewhere, it was refused."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=73)) as sb:
        ids = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, since_last=True))
        _decide(first.plan_dir, {frozenset(ids["crm"]): "merge"})
        said: list[str] = []
        prune_plans(state / "plans", cfg.job_root, keep=0, say=said.append)
        assert len(said) == 1, said
        assert (f"pdbulk dedupe apply {first.plan_dir} --job-dir {cfg.job_root} "
                f"--state-dir {state}") in said[0], said


def test_an_undecided_group_is_held_by_another_folders_keep_separate_or_unreadable_file(
        tmp_path: Path) -> None:
    """The whole class, without a sandbox: a group no person decided (the duplicate band)
    whose pair another folder keeps separate, not taken yet, is held; so is one with a deal
    of a folder whose groups.csv cannot be read (x43r2 F5); a keep-separate in the applied
    folder itself holds nothing else; a plan written with -o is read as the newest."""
    from jobs.dedupe.decisions_elsewhere import held_elsewhere
    from jobs.dedupe.planfiles import read_groups

    plans = tmp_path / "state" / "plans"

    def folder(name: str, rows: str, root: Path = plans) -> Path:
        f = root / name
        f.mkdir(parents=True)
        (f / "groups.csv").write_text("group_id,decision,band,score,survivor_id,merged_ids\n"
                                      + rows, encoding="utf-8")
        return f

    one = folder("20261201T020000.000Z", "g-11,,duplicate,0.950,11,12\n"
                 "g-21,,duplicate,0.950,21,22\ng-31,keep-separate,duplicate,0.950,31,32\n")
    folder("20261202T020000.000Z", "g-11,keep-separate,duplicate,0.950,11,12\n")
    bad = folder("20261203T020000.000Z", "g-21,nicht mergen,duplicate,0.950,21,22\n")
    (bad / "deals.jsonl").write_bytes(b"")  # no records: the pairs tell its deals
    (bad / "pairs.csv").write_text("a,b,band,score,reasons\n21,22,duplicate,0.950,x\n",
                                   encoding="utf-8")
    held = held_elsewhere(one, read_groups(one), plans)
    assert sorted(held) == [2, 3], held  # groups.csv's rows as a spreadsheet numbers them
    assert "20261202T020000.000Z/groups.csv" in held[2] and "keep-separate" in held[2]
    assert "cannot be read" in held[3] and "row 2" in held[3], held[3]
    out = folder("mine", "g-11,merge,review,0.800,11,12\n", tmp_path / "o")
    assert list(held_elsewhere(out, read_groups(out), plans)) == [2]
