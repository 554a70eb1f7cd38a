"""A manifest that changes while it is read (still being written) fails the read, the load
and the plan with one clear line, nothing sent (x17r3 F5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulk.errors import InputError
from bulk.manifest import read_manifest
from bulk.manifest_stamp import CHANGED, file_stamp
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config, sandbox_deals

MAPPING = """
version = 1
[import]
key_column = "id"
[deal]
title = "title"
"""


def _csv(path: Path, first: int, last: int, *, header: bool = True) -> None:
    lines = (["id,title"] if header else []) + [f"k{n},Deal {n}" for n in range(first, last)]
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_file_growing_while_read_fails_the_read(tmp_path: Path, suffix: str) -> None:
    """Records appended after the read began: the read ends in InputError naming the file
    as still being written, not in a partial snapshot taken as the whole."""
    path = tmp_path / f"m{suffix}"
    if suffix == ".csv":
        _csv(path, 0, 3000)
    else:
        path.write_text("".join(f'{{"id": "k{n}"}}\n' for n in range(3000)))
    rows = read_manifest(path)
    read = [next(rows) for _ in range(10)]
    with path.open("a", encoding="utf-8") as f:
        f.write("k3000,Deal 3000\n" if suffix == ".csv" else '{"id": "k3000"}\n')
    with pytest.raises(InputError) as caught:
        read.extend(rows)
    assert CHANGED in str(caught.value) and str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_changed_since_the_first_read_fails_at_once(tmp_path: Path) -> None:
    """A read given the stamp of the caller's first read (``since``) fails before its first
    record when the file changed in between (the header read, then the rows)."""
    path = tmp_path / "m.csv"
    _csv(path, 0, 5)
    since = file_stamp(path)
    _csv(path, 5, 7, header=False)
    with pytest.raises(InputError, match="still being written"):
        next(read_manifest(path, since=since))
    assert len(list(read_manifest(path, since=file_stamp(path)))) == 7  # unchanged: read


def test_a_complete_file_reads_as_before(tmp_path: Path) -> None:
    """An unchanged file reads to its end without a word; a pipe is never stamped."""
    path = tmp_path / "m.csv"
    _csv(path, 0, 50)
    assert len(list(read_manifest(path))) == 50
    assert file_stamp(tmp_path) is None  # not a regular file


@pytest.mark.anyio
async def test_import_load_of_a_file_still_written_sends_nothing(tmp_path: Path) -> None:
    """The rows appended between the load's header read and its rows read (an export still
    writing): the load fails with the one-line message, the job is not loaded and no deal
    is created (x17r3 F5: 5,447 of 7,000 rows imported, exit 0)."""
    from bulk.engine import Engine
    from jobs.import_load import load
    from jobs.import_rows import ImportSettings
    from jobs.mapping import Mapping

    manifest, mapping = tmp_path / "m.csv", tmp_path / "map.toml"
    _csv(manifest, 0, 30)
    mapping.write_text(MAPPING)
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)

    def say(line: str) -> None:  # said after the header is read, before the pulls
        if line.startswith("pulling"):
            _csv(manifest, 30, 70, header=False)

    async with serve(SandboxConfig(time_scale=0.02, seed=3)) as sb:
        config = engine_config(sb, tmp_path / "jobs")
        store = JobStore.create(tmp_path / "jobs" / "j", job_id="j", kind="import",
                                config={"engine": config.to_json(),
                                        "import": settings.to_json()})
        before = len(sandbox_deals(sb))
        try:
            async with Engine.open(config, sb.token, store=store) as engine:
                with pytest.raises(InputError) as caught:
                    await load(engine.ctx, store, settings, Mapping.load(mapping), say=say)
            assert CHANGED in str(caught.value)
            assert not store.loaded and not list(store.items())
            assert len(sandbox_deals(sb)) == before
            assert sb.token not in str(caught.value)
        finally:
            store.close()


def test_resume_of_a_job_whose_manifest_changed_says_so(tmp_path: Path) -> None:
    """`pdbulk resume` of an import whose manifest changed since its load (it was still
    being written, or edited for a retry) says that the rows go as loaded and the file is
    not read again; an unchanged file gets no such note."""
    import os

    from typer.testing import CliRunner

    from bulk.sandbox import Sandbox
    from pdbulk.cli import app
    from tests.import_support import loaded_import
    from tests.sandbox_helpers import ThreadedSandbox

    token = "changed-manifest-token-01"
    manifest, mapping, jobs = tmp_path / "m.csv", tmp_path / "map.toml", tmp_path / "jobs"
    _csv(manifest, 0, 6)
    mapping.write_text(MAPPING)

    def cli(sb: Sandbox, *args: str) -> str:
        res = CliRunner().invoke(app, [*args], env={**os.environ, "PIPEDRIVE_API_TOKEN": token})
        assert res.exit_code == 0, res.output
        assert "Traceback" not in res.output and token not in res.output
        return res.output

    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth",
                                       token=token, seed=4)) as sb:
        engine = ["--url", sb.url, "--plan", "ultimate", "--oauth", "--job-dir", str(jobs)]
        cli(sb, "import", str(manifest), "--mapping", str(mapping), "--create-key-field",
            *engine)
        for job, grow in (("same", False), ("grown", True)):
            loaded_import(sb, jobs, manifest, mapping, job_id=job, auth="oauth")
            if grow:
                _csv(manifest, 6, 9, header=False)
            out = cli(sb, "resume", job, "--job-dir", str(jobs))
            assert ("changed since this job was loaded" in out) is grow, out
