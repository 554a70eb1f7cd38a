"""A resumed import whose rows link existing organizations, merged away by a colleague
since its load, links those rows to the survivors and makes no organization (x43r5 F1: a
re-resolving from the rows' cells made a copy of each merged-away organization and split
its rows between the survivor and the copy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    upsert_contacts_mapping,
    upsert_files,
)
from tests.test_insert_merged_contacts import _merge, _orgs
from tests.test_plan_tokens import cli, engine, sb  # noqa: F401 - sb is a fixture


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_resume_follows_existing_organizations_merged_since_to_their_survivors(
        sb: Sandbox, tmp_path: Path, mode: str) -> None:  # noqa: F811
    """Six rows link two existing organizations by id (matched by name at the load); the
    job stops at its token cap after its first rows; a colleague merges both away (the
    job's deals move to the survivors); the resume links every row to the survivor and
    creates no organization. (Before: bb42e7a made a copy of each.)"""
    jobs = tmp_path / "jobs"
    orgs = _orgs(sb)
    names = sorted(orgs)[:4]
    text = upsert_contacts_mapping().replace('mode = "upsert"', f'mode = "{mode}"')
    manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, [
        (f"K{i}", f"Deal {i}", "100", f"Pat {i}", f"pat{i}@ex.com", names[i % 2])
        for i in range(6)], text, "a.csv")
    seed, _ = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, [
        ("S0", "Seed", "1", "Sam Seed", "sam@seed.com", "Seed Org")], text, "seed.csv")
    made = cli(sb, jobs, "import", str(seed), "-m", str(mapping), "--create-key-field",
               *engine(sb, jobs))
    assert made.exit_code == 0, made.output
    before = {p.name for p in jobs.iterdir()}
    stopped = cli(sb, jobs, "import", str(manifest), "-m", str(mapping), "--max-tokens",
                  "125", *engine(sb, jobs))  # a few rows made: their deals witness the merge
    assert stopped.exit_code == 4, stopped.output
    job = next(p.name for p in jobs.iterdir() if p.name not in before)
    _merge(sb, orgs[names[0]], orgs[names[2]])
    _merge(sb, orgs[names[1]], orgs[names[3]])
    count = len(sb.state.table("organization").rows)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    assert len(sb.state.table("organization").rows) == count, resumed.output  # none made
    survivor = {f"Deal {i}": orgs[names[2 + i % 2]] for i in range(6)}
    linked = {d["title"]: d["org_id"] for d in sb.state.table("deal").rows.values()
              if d["title"] in survivor and not d["is_deleted"]}
    assert linked == survivor, resumed.output
