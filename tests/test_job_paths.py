"""Every path a job stores is absolute, whatever the entry point (x23r4 F1): a job made
from the library with relative paths and resumed from another folder reads its own
files, not that folder's files of the same names; a load run again refuses a manifest or
mapping that changed since the job was started."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config, sandbox_deals
from tests.test_resume_job import MAPPING, ROWS, _CutAt, _files


def _elsewhere(tmp: Path) -> Path:
    """Another folder holding a deals file and a mapping of the same names, other rows."""
    other = tmp / "other"
    other.mkdir()
    (other / "in.csv").write_text("id,title,contact,email\n" + "".join(
        f"x{i},Other {i},Q {i},q{i}@example.com\n" for i in range(4)), encoding="utf-8")
    (other / "m.toml").write_text(MAPPING.replace('title = "title"', 'title = "contact"'),
                                  encoding="utf-8")
    return other


async def _cut_while_loading(sb: object, tmp: Path, monkeypatch: pytest.MonkeyPatch
                             ) -> Path:
    """An import made from the library with relative paths (run in ``tmp``, as the
    README's example), cancelled during its load's pulls; its folder (absolute)."""
    import asyncio

    from jobs import ImportJob, ImportSettings, Mapping, import_job

    _files(tmp)
    monkeypatch.chdir(tmp)
    settings = ImportSettings(manifest="in.csv", mapping="m.toml", mode="upsert",
                              create_key_field=True)
    cfg = engine_config(sb, Path("jobs"))  # type: ignore[arg-type]
    store = JobStore.create(Path("jobs") / "a", job_id="a", kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})
    cut = _CutAt(lambda t, request: request.method == "GET" and "/persons" in request.url)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(None) as timeout:
            cut.timeout = timeout
            await import_job(store, ImportJob(store, settings), Mapping.load("m.toml"), cfg,
                             sb.token, say=lambda line: None, transport=cut)  # type: ignore[attr-defined]
    assert not store.loaded
    store.close()
    return tmp / "jobs" / "a"


def test_import_settings_store_absolute_paths(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """``ImportSettings("deals.csv", "mapping.toml")`` stores both against the folder it
    was made in; an absolute path is kept as given."""
    from jobs import ImportSettings

    monkeypatch.chdir(tmp_path)
    stored = ImportSettings(manifest="deals.csv", mapping="sub/../mapping.toml",
                            mode="insert").to_json()
    assert stored["manifest"] == str(tmp_path / "deals.csv")
    assert stored["mapping"] == str(tmp_path / "mapping.toml")
    again = ImportSettings.from_json(stored)
    assert again.manifest == str(tmp_path / "deals.csv")


@pytest.mark.anyio
async def test_a_library_import_resumed_from_another_folder_reads_its_own_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x23r4: resumed from a folder with its own in.csv / m.toml, the job imported 4
    rows of that file (0 of its own). Now it imports its own rows, with its own
    mapping."""
    from jobs import resume_job

    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        job = await _cut_while_loading(sb, tmp_path, monkeypatch)
        monkeypatch.chdir(_elsewhere(tmp_path))
        finished = await resume_job(job, sb.token)
        assert finished.status == "finished" and finished.counts == {"done": ROWS}
        assert Counter(d["title"] for d in sandbox_deals(sb)) == Counter(
            f"Deal {i}" for i in range(ROWS))


@pytest.mark.anyio
@pytest.mark.parametrize("edit", ["manifest", "mapping"])
async def test_a_load_run_again_refuses_files_changed_since_the_job_started(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str) -> None:
    """The manifest (a row added) or the mapping (another title column) edited after the
    load was cut short: the resume refuses, naming the file; nothing is sent."""
    from jobs import resume_job

    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        job = await _cut_while_loading(sb, tmp_path, monkeypatch)
        name = "in.csv" if edit == "manifest" else "m.toml"
        path = tmp_path / name
        if edit == "manifest":
            path.write_text(path.read_text() + "k99,Late,P 99,p99@example.com\n")
        else:
            path.write_text(MAPPING.replace('title = "title"', 'title = "contact"'))
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        lines: list[str] = []
        with pytest.raises(InputError, match=f"{name}' changed since the job was started") \
                as info:
            await resume_job(job, sb.token, on_line=lines.append)
        assert not sandbox_deals(sb)
        said = str(info.value)  # x24r3 6: one thing to do, not two in one line
        assert said.endswith("import the file again as a new job"), said
        # x45r4 F4e: "…: loading it again" was printed first; status says the same words
        assert not any("loading it again" in line for line in lines), lines
        from jobs.import_load import CHANGED_INPUT_FIX
        from jobs.resume_verdict import verdict

        assert said.endswith(CHANGED_INPUT_FIX), said
        with JobStore.open(job, lock=False) as store:
            assert (verdict(store).words or "").endswith(CHANGED_INPUT_FIX)
        assert "resume it again" not in said and "nothing of it was sent" in said


@pytest.mark.anyio
async def test_a_manifest_edited_to_the_same_size_and_time_is_refused_and_one_restored_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """x23r5: a same-size edit with its mtime put back (``touch -r``, ``cp -p``) passed the
    size + mtime check, and the resume imported the edited rows ("Deak 0"...); the file
    put back byte for byte under a new mtime was refused for good. The manifest is
    compared by its content: the edit is refused, nothing sent; the original restored
    resumes with its own rows."""
    from jobs import resume_job

    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=5)) as sb:
        job = await _cut_while_loading(sb, tmp_path, monkeypatch)
        path = tmp_path / "in.csv"
        original, st = path.read_bytes(), os.stat(path)
        path.write_bytes(original.replace(b"Deal ", b"Deak "))  # same size
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # its time put back
        assert os.stat(path).st_size == st.st_size
        with pytest.raises(InputError, match=r"in\.csv' changed since the job was started"):
            await resume_job(job, sb.token)
        assert not sandbox_deals(sb)
        path.write_bytes(original)  # restored, under a new mtime
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        finished = await resume_job(job, sb.token)
        assert finished.status == "finished" and finished.counts == {"done": ROWS}
        assert Counter(d["title"] for d in sandbox_deals(sb)) == Counter(
            f"Deal {i}" for i in range(ROWS))


@pytest.mark.anyio
async def test_dedupe_apply_stores_its_plan_and_state_folders_absolute(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``dedupe apply plan`` given a relative plan folder stores it (and the state folder
    its merges are recorded in) absolute: the job's resume reads them from anywhere."""
    from jobs.dedupe.apply import STATE_DIR
    from tests.dedupe_job_support import load_apply, plan, seed_account

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        seed_account(sb)
        await plan(sb, tmp_path, tmp_path / "plan")
        monkeypatch.chdir(tmp_path)
        store, _ = await load_apply(sb, Path("."), Path("plan"))
        try:
            assert store.meta_get("plan_dir") == str(tmp_path / "plan")
            assert store.meta_get(STATE_DIR) == str(tmp_path / "state")
        finally:
            store.close()
