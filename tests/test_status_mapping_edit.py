"""`pdbulk status` / `jobs` say what `pdbulk resume` does with a job whose mapping was
edited since its load, from the one verdict (``jobs.resume_verdict``, reading
``jobs.resume_inputs``): x46r2 F1, an import's key column edited, status said only
"interrupted" (``resume: null``) while resume refused it (exit 1); a value-only edit, status
said nothing of the rows resume maps again. F2: an update's mapping edited, nothing said the
resume sends the bodies prepared at the load. Each case checked against resume itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio

from bulk.engine import Engine
from bulk.sandbox import Sandbox
from bulk.store import JobStore
from tests.import_support import engine_config, loaded_import
from tests.test_plan_tokens import MAPPING, UPDATE_MAPPING, cli, engine, sb, spent, write_rows  # noqa: F401


def _import(sb: Sandbox, tmp_path: Path) -> tuple[Path, str, Path]:  # noqa: F811
    """(job root, job id, mapping) of an insert import loaded, its process gone, 6 rows to
    send."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    rows = write_rows(tmp_path / "a.csv", [(f"k{i}", f"Deal {i}", 10 + i, f"Pat {i}")
                                           for i in range(6)])
    seed = write_rows(tmp_path / "seed.csv", [("s0", "Seed", 1, "Sam Seed")])
    made = cli(sb, jobs, "import", str(seed), "-m", str(mapping), "--create-key-field",
               *engine(sb, jobs))  # the account's key field, made
    assert made.exit_code == 0, made.output
    job = loaded_import(sb, jobs, rows, mapping, mode="insert", auth="oauth")
    return jobs, job, mapping


def _status(sb: Sandbox, jobs: Path, job: str) -> tuple[str, dict[str, Any], dict[str, Any]]:  # noqa: F811
    """status's text, status --json and the job's entry of jobs --json."""
    text = cli(sb, jobs, "status", job, "--job-dir", str(jobs))
    assert text.exit_code == 0, text.output
    info = cli(sb, jobs, "status", job, "--json", "--job-dir", str(jobs))
    listed = cli(sb, jobs, "jobs", "--json", "--job-dir", str(jobs))
    entry = next(j for j in json.loads(listed.stdout)["jobs"] if j["job"] == job)
    return text.output, json.loads(info.stdout), entry


def test_status_says_resume_refuses_an_edited_key_column(sb: Sandbox,  # noqa: F811
                                                        tmp_path: Path) -> None:
    """The key column edited: status, status --json and jobs --json say resume refuses it,
    naming the setting; resume does (exit 1, nothing spent)."""
    jobs, job, mapping = _import(sb, tmp_path)
    text, _, _ = _status(sb, jobs, job)
    assert "refuses" not in text and "mapped again" not in text, text
    mapping.write_text(MAPPING.replace('key_column = "key"', 'key_column = "title"'))
    text, info, entry = _status(sb, jobs, job)
    words = "import.key_column was 'key', is now 'title'"
    for said in (text, str(info["resume"]), str(entry["resume"])):
        assert "`pdbulk resume` refuses it" in said and words in said, said
    assert "a resume takes that back" not in text, text
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 1 and words in resumed.output, resumed.output
    assert spent(sb) == before


def test_status_says_resume_maps_rows_again_after_a_value_edit(sb: Sandbox,  # noqa: F811
                                                              tmp_path: Path) -> None:
    """A value-only edit: status says the 6 rows still to send are mapped again first, as
    the resume's plan then says."""
    jobs, job, mapping = _import(sb, tmp_path)
    mapping.write_text(MAPPING.replace('title = "title"', 'title = "person"'))
    text, info, entry = _status(sb, jobs, job)
    words = "`pdbulk resume` maps its 6 row(s) still to send again first"
    doubt = "a create in doubt found made is reconciled as sent"
    for said in (text, str(info["resume"]), str(entry["resume"])):
        assert words in said and doubt in said, said
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 0, resumed.output
    assert "6 row(s) are mapped again first" in resumed.output, resumed.output


def test_update_mapping_edited_is_said_ignored_by_status_and_resume(sb: Sandbox,  # noqa: F811
                                                                    tmp_path: Path) -> None:
    """An update loaded, its mapping edited: status and resume say the rows go as prepared
    at the load (and they do: the load's titles are written)."""
    from jobs.account import load_catalog
    from jobs.api import update_deals
    from jobs.updating import UpdateMapping, prepare_update

    jobs, mapping = tmp_path / "jobs", tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    ids = sorted(d["id"] for d in sb.state.deals.rows.values() if not d["is_deleted"])[:4]
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,title,other\n" + "".join(f"{i},Load {i},Edit {i}\n"
                                                           for i in ids))
    work = update_deals(manifest, mapping)

    config = engine_config(sb, jobs, auth="oauth")
    store = JobStore.create(jobs / "upd", job_id="upd", kind="update",
                            config={"engine": config.to_json(), **work.config})

    async def load() -> None:  # as the command loads it, then its process gone
        async with Engine.open(config, sb.token, store=store) as s:
            prep = await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        prep.save(store)
    try:
        anyio.run(load)
        store.set_status("running")
        store.set_status("stopped")
    finally:
        store.close()
    text, _, _ = _status(sb, jobs, "upd")
    assert "as prepared" not in text, text
    mapping.write_text(UPDATE_MAPPING.replace('title = "title"', 'title = "other"'))
    words = (f"the mapping {str(mapping)!r} changed since the load; a resume sends the rows "
             "as prepared then: start a new update job for the edited mapping")
    text, info, entry = _status(sb, jobs, "upd")
    for said in (text, str(info["resume"]), str(entry["resume"])):
        assert words in said, said
    resumed = cli(sb, jobs, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 0 and words in resumed.output, resumed.output
    assert all(sb.state.deals.rows[i]["title"] == f"Load {i}" for i in ids)


def test_a_resume_refused_by_its_cap_says_nothing_was_spent(sb: Sandbox,  # noqa: F811
                                                            tmp_path: Path) -> None:
    """x46r2 F3: `resume --max-tokens` below its first write is refused before any call
    (exit 4); its line began "token budget spent" though nothing was spent."""
    jobs, job, _ = _import(sb, tmp_path)
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "3")
    assert resumed.exit_code == 4 and spent(sb) == before, resumed.output
    assert "pdbulk: refused before anything was spent: the token budget cannot reach its " \
           "first write: budget:" in resumed.output, resumed.output
    assert "token budget spent" not in resumed.output, resumed.output


def test_status_of_a_merge_with_merges_in_doubt_says_what_resume_does(
        tmp_path: Path) -> None:
    """x46r2 F4: a merge (and a dedupe apply) killed with merges in flight: status said only
    "in doubt 2", where an import's says what its resume does with them; now a line says
    the resume reads both deals of each pair back first and what it does then."""
    from typer.testing import CliRunner

    from bulk.store import NewItem
    from jobs.reload_recipe import recipe
    from pdbulk.cli import app

    pairs = tmp_path / "p.csv"
    pairs.write_text("keep_id,merge_id\n1,2\n1,3\n4,5\n")
    for kind, words in (("merge", "a conflict, it fails, nothing sent"),
                        ("dedupe", "`pdbulk dedupe apply` skips it")):
        store = JobStore.create(tmp_path / kind, job_id=kind, kind=kind,
                                config={**recipe(pairs=pairs)})
        try:
            store.add_items([NewItem(row=r, key=str(m), op="merge",
                                     payload={"survivor_id": s, "merge_id": m})
                             for r, (s, m) in enumerate(((1, 2), (1, 3), (4, 5)), 1)])
            store.mark_loaded()
            store.set_status("running")
            store.mark_sending([1, 2], 1.0)
            store.set_status("stopped")
        finally:
            store.close()
        res = CliRunner().invoke(app, ["status", kind, "--job-dir", str(tmp_path)],
                                 env={"PIPEDRIVE_API_TOKEN": "x"})
        assert res.exit_code == 0, res.output
        assert "in doubt: 2 merge(s) left in flight (applied or not, nobody knows): a " \
               "resume first reads both deals of each pair back" in res.output, res.output
        assert words in res.output, res.output
