"""A resumed import whose rows link existing organizations, merged away by a colleague
since its load, spends what the plan after its re-read says (f42c)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.sandbox import Sandbox
from tests.import_support import (
    UPSERT_CONTACTS_HEADER,
    loaded_import,
    upsert_contacts_mapping,
    upsert_files,
)
from tests.test_insert_merged_contacts import _merge, _orgs
from tests.test_plan_tokens import cli, engine, resume_tokens, sb, spent  # noqa: F401 - sb is a fixture


@pytest.mark.parametrize("mode", ["insert", "upsert"])
def test_a_resume_prices_the_follow_of_existing_organizations_merged_since(
        sb: Sandbox, tmp_path: Path, mode: str) -> None:  # noqa: F811
    """Six rows link two existing organizations by id (matched by name at the load); the
    job stops after its load; a colleague merges both away; the resume's re-read finds them
    gone, decides their rows again from their cells and its plan after the re-read prices
    that (the fresh lists, the 2 organizations made): plan = run, no write refused.
    Before: 120 planned, 216 spent (6 refused writes and the reads that followed them)."""
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
    job = loaded_import(sb, jobs, manifest, mapping, mode=mode, auth="oauth")
    _merge(sb, orgs[names[0]], orgs[names[2]])
    _merge(sb, orgs[names[1]], orgs[names[3]])
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "2 organizations (" in resumed.output and "addOrganization 2" in resumed.output
    assert "0 writes refused" in resumed.output, resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output), resumed.output
