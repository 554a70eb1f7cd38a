"""`pdbulk status` / `jobs` say what `pdbulk resume` will do, from the one function resume
decides with (``jobs.resume_verdict``): x44r10 F3, an import killed while loading whose
manifest was edited since was said to be loaded again while resume refused it (the file's
SHA-256 kept by the job); F4, a job killed at its confirmation prompt was said nothing of
the refusal of its resume. Each case is checked against resume itself."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bulk.ledger import META_IN_DOUBT
from bulk.store import JobStore, NewItem
from jobs.confirming import META_ASKING
from jobs.import_items import file_sha
from jobs.import_load import META_INPUTS, manifest_sha
from jobs.import_rows import ImportSettings
from jobs.reload_recipe import RELOAD_ASKS, recipe
from pdbulk.cli import app

ENV = {"PIPEDRIVE_API_TOKEN": "status-says-token"}


def _said(root: Path, *command: str, code: int = 0) -> str:
    res = CliRunner().invoke(app, [*command, "--job-dir", str(root)], env=ENV)
    assert res.exit_code == code and "Traceback" not in res.output, res.output
    return res.output


def _import_cut(tmp: Path) -> tuple[Path, Path]:
    """An import killed while it loads (its process gone), its inputs' digests kept as its
    load keeps them when it begins; (manifest, mapping)."""
    manifest, mapping = tmp / "in.csv", tmp / "m.toml"
    manifest.write_text("key,title\nk1,A\nk2,B\n")
    mapping.write_text('version = 1\n[import]\nkey_column = "key"\n[deal]\ntitle = "{title}"\n')
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert")
    store = JobStore.create(tmp / "jobs" / "j1", job_id="j1", kind="import",
                            config={"engine": {"base_url": "http://127.0.0.1:9"},
                                    "import": settings.to_json()})
    try:
        store.set_status("loading")
        store.meta_put(META_INPUTS, {"manifest": None, "manifest_sha": manifest_sha(settings),
                                     "mapping": file_sha(str(mapping))})
    finally:
        store.close()
    return manifest, mapping


def test_an_import_cut_while_loading_its_manifest_edited_since(tmp_path: Path) -> None:
    """x44r10 F3: status said "`pdbulk resume` loads it again and runs it"; resume refused
    ("changed since the job was started"). Now both say the refusal; unedited, both load."""
    manifest, _ = _import_cut(tmp_path)
    jobs = tmp_path / "jobs"
    assert "`pdbulk resume` loads it again and runs it" in _said(jobs, "status", "j1")
    manifest.write_text("key,title\nk1,A\nk2,B\nk3,C\n")  # edited after the kill
    for said in (_said(jobs, "status", "j1"), _said(jobs, "jobs")):
        assert f"{str(manifest)!r} changed since it was started, so `pdbulk resume` " \
               "refuses it" in said, said
        assert "loads it again and runs it" not in said, said
    resumed = _said(jobs, "resume", "j1", code=1)
    assert "changed since" in resumed and str(manifest) in resumed, resumed


def test_an_import_cut_while_loading_its_manifest_gone(tmp_path: Path) -> None:
    """The manifest deleted since the kill: status says resume refuses it until the file is
    back (it said it loads it again); resume refuses, nothing sent."""
    manifest, _ = _import_cut(tmp_path)
    jobs = tmp_path / "jobs"
    manifest.unlink()
    status = _said(jobs, "status", "j1")
    assert f"{str(manifest)!r} is gone, so `pdbulk resume` refuses it" in status, status
    resumed = _said(jobs, "resume", "j1", code=1)
    assert "in.csv" in resumed and "could not be loaded again" in resumed, resumed


def test_a_job_killed_at_its_confirmation_prompt(tmp_path: Path) -> None:
    """x44r10 F4: a merge killed while it asks (loaded, its question unanswered, its process
    gone): status and jobs say resume refuses it and marks it cancelled, and what to do,
    and that no resume takes its credit charged ahead back; resume does exactly that.
    Before, status said nothing of it (and "a resume takes that back")."""
    pairs = tmp_path / "p.csv"
    pairs.write_text("keep_id,merge_id\n1,2\n")
    store = JobStore.create(tmp_path / "j1", job_id="j1", kind="merge",
                            config={**recipe(pairs=pairs), RELOAD_ASKS: True})
    try:
        store.add_items([NewItem(row=1, key="1", op="merge", payload={})])
        store.mark_loaded()
        store.add_spend("2026-12-06", "getDeals", 20, 2)  # its load's reads, credit ahead
        store.meta_put(META_IN_DOUBT + ":r1", {"getDeals": 10})
        store.meta_put(META_ASKING, "Merge 1 deal away?")
    finally:
        store.close()
    words = "killed at its confirmation prompt (nothing was sent): `pdbulk resume` refuses it"
    for said in (_said(tmp_path, "status", "j1"), _said(tmp_path, "jobs")):
        assert words in said and "start it again" in said, said
    status = _said(tmp_path, "status", "j1")  # no resume takes its credit back
    assert "a resume takes that back" not in status, status
    assert "and stays so: `pdbulk resume` refuses this job" in status, status
    with JobStore.open(tmp_path / "j1", lock=False) as store:
        assert store.status == "loaded"  # status changes nothing
    resumed = _said(tmp_path, "resume", "j1", code=1)
    assert "never confirmed at its prompt" in resumed, resumed
    with JobStore.open(tmp_path / "j1", lock=False) as store:
        assert store.status == "cancelled"


