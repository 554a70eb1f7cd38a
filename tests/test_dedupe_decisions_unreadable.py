"""A night folder whose groups.csv the one reader (``planfiles.read_groups``, as ``dedupe
apply`` reads it) cannot read holds every group of tonight's plan with a deal of that
folder's plan: named every night with why (the row), not merged, the folder kept by
retention (x43r2 F5: a cp1252 ';' file saved by Excel was passed over without a word and
its keep-separate groups merged; F6: ``nicht mergen`` was named, then all merged)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import anyio

import jobs
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.dedupe.earlier_decisions import pending
from jobs.dedupe.retention import prune_plans, run_plans
from tests.dedupe_job_support import deal, org
from tests.import_support import engine_config
from tests.sandbox_helpers import threaded_sandbox
from tests.update_support import deal as sb_deal

DAY = ("2026-10-01T09:00:00Z", "2026-10-01T09:20:00Z")


def _seed(sb: Sandbox) -> list[tuple[int, int]]:
    """Two duplicate-band groups (the same deal entered twice), one title with an umlaut."""
    sb.state.save("deal", {**sb.state.deals.rows[1], "is_deleted": True})
    kello, brio = org(sb, "Kello B.V."), org(sb, "Brightline Oy")
    return [(deal(sb, "Rollout Kärnten", kello, value=5000, add=DAY[0], update=DAY[0]),
             deal(sb, "Rollout Kärnten", kello, value=5000, add=DAY[1], update=DAY[1])),
            (deal(sb, "CRM roll-out Oulu", brio, value=900, add=DAY[0], update=DAY[0]),
             deal(sb, "CRM roll-out Oulu", brio, value=900, add=DAY[1], update=DAY[1]))]


def _write(plan_dir: Path, words: list[str], *, excel: bool) -> None:
    """groups.csv with ``words`` as the decisions, in order of its rows; ``excel``: saved as
    Excel's German "CSV" saves it (cp1252, ';'), else UTF-8 ','."""
    with (plan_dir / "groups.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(words), rows
    for r, w in zip(rows, words, strict=True):
        r["decision"] = w
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";" if excel else ",")
    writer.writeheader()
    writer.writerows(rows)
    (plan_dir / "groups.csv").write_bytes(out.getvalue().encode("cp1252" if excel else "utf-8"))


def _night_holds(tmp_path: Path, seed: int, words: list[str], *, excel: bool,
                 named: str) -> None:
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=seed)) as sb:
        pairs = _seed(sb)
        cfg = engine_config(sb, tmp_path / "j")
        state = tmp_path / "j" / "dedupe-state"
        first = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token, max_merges=0))
        assert first.merged == 0, first.lines
        _write(first.plan_dir, words, excel=excel)
        for night in range(2):  # named every night until it can be read
            run = anyio.run(lambda: jobs.run_dedupe(cfg, sb.token))
            assert run.merged == 0, (night, run.lines)
            assert not any(sb_deal(sb, i)["is_deleted"] for p in pairs for i in p)
            said = [line for line in run.lines if "cannot be read" in line]
            assert len(said) == 1 and str(first.plan_dir) in said[0], run.lines
            assert named in said[0] and "held, not merged" in said[0], said
            for a, _ in pairs:
                assert f"g-{a}" in said[0], said
        assert first.plan_dir in run_plans(state / "plans")
        gone = prune_plans(state / "plans", cfg.job_root, keep=0, spare=run.plan_dir)
        assert first.plan_dir not in gone and first.plan_dir.is_dir(), gone
        assert pending(run_plans(state / "plans")).unreadable, "kept, still unreadable"


def test_a_groups_csv_saved_by_excel_as_cp1252_holds_its_groups(tmp_path: Path) -> None:
    """x43r2 F5: keep-separate on both duplicate groups in a file Excel saved as cp1252 with
    ';': no night merges them; each names the folder, why and the groups held."""
    _night_holds(tmp_path, 61, ["keep-separate", "keep-separate"], excel=True,
                 named="UTF-8")


def test_a_decision_word_the_reader_does_not_know_holds_every_group_of_its_folder(
        tmp_path: Path) -> None:
    """x43r2 F6: `nicht mergen` in one row, `keep-separate` in the other: neither group is
    merged (the folder's decisions cannot be trusted in part); the row is named (row 2: the
    line a spreadsheet shows it on)."""
    _night_holds(tmp_path, 62, ["nicht mergen", "keep-separate"], excel=False,
                 named="row 2")
