"""The library's import reads the mapping's ``[defaults]`` as ``pdbulk import`` does: its
``sheet``, ``encoding`` and ``header_row`` where the ``ImportSettings`` leave them None
(f27b: a library user with the CLI's mapping imported the workbook's first sheet — a sheet
of the same columns, silently the wrong rows — and detected the encoding the mapping
declared). What the job used is kept with it, so a resume and the result files read the
file the same way."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config, sandbox_deals

MAPPING = '''version = 1
[import]
key_column = "Key"
mode = "insert"
[defaults]
sheet = "2026"
header_row = 3
[deal]
title = "Deal Name"
'''


def _workbook(path: Path) -> Path:
    """Two sheets of the same columns: last year's first, this year's (the mapping's) second;
    two title rows above the header on each."""
    book = openpyxl.Workbook()
    old = book.active
    assert old is not None
    old.title = "2025"
    new = book.create_sheet("2026")
    for sheet, year in ((old, 2025), (new, 2026)):
        sheet.append([f"Deals {year}"])
        sheet.append(["exported by the old CRM"])
        sheet.append(["Key", "Deal Name"])
        sheet.append([f"k{year}-1", f"Deal {year} one"])
        sheet.append([f"k{year}-2", f"Deal {year} two"])
    book.save(path)
    return path


@pytest.mark.anyio
async def test_import_job_reads_the_mappings_sheet_and_header_row(tmp_path: Path) -> None:
    from jobs import ImportJob, ImportSettings, import_job, resume_job
    from jobs.import_checks import stored_settings

    manifest = _workbook(tmp_path / "deals.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)
    async with serve(SandboxConfig(time_scale=0.05, deals=0, seed=5)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        folder = tmp_path / "jobs" / "lib"
        with JobStore.create(folder, job_id="lib", kind="import",
                             config={"engine": cfg.to_json(),
                                     "import": settings.to_json()}) as store:
            kind = ImportJob(store, settings)
            result = await import_job(store, kind, mapping, cfg, sb.token)
            assert not result.stopped
            kept = stored_settings(store)
            assert (kept.sheet, kept.header_row) == ("2026", 3)
            assert (kind.settings.sheet, kind.settings.header_row) == ("2026", 3)
        assert sorted(d["title"] for d in sandbox_deals(sb)) == ["Deal 2026 one",
                                                                 "Deal 2026 two"]
        again = await resume_job(folder, sb.token)  # reads the job's settings as loaded
        assert again.status == "finished"
        assert len(sandbox_deals(sb)) == 2


def test_explicit_settings_win_over_the_mapping(tmp_path: Path) -> None:
    """A sheet / header row / encoding the caller gives is kept; only None is filled."""
    from jobs import ImportSettings
    from jobs.import_checks import with_mapping_defaults
    from jobs.mapping import Mapping

    manifest = _workbook(tmp_path / "deals.xlsx")
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    given = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                           sheet="2025", header_row=3, encoding="utf-8")
    assert with_mapping_defaults(given, Mapping.load(mapping)) == given
    bare = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert")
    filled = with_mapping_defaults(bare, Mapping.load(mapping))
    assert (filled.sheet, filled.header_row, filled.encoding) == ("2026", 3, None)
