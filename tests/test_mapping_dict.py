"""A mapping given as a dict of the file's tables is taken wherever the library takes a
mapping (``Mapping.load`` / ``loads``, ``UpdateMapping``, ``update_deals``,
``import_job``) and checked as the TOML file is; anything else is refused with a
``MappingError`` / ``InputError`` naming it (x25r3 F2: AttributeError 'replace' /
'check_date_system', TypeError 'expected str ... not dict')."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bulk.errors import InputError
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from tests.import_support import engine_config, sandbox_deals

TOML = '''version = 1
[import]
key_column = "Key"
mode = "insert"
[deal]
title = "Deal Name"
'''
TABLES: dict[str, Any] = {"version": 1, "import": {"key_column": "Key", "mode": "insert"},
                          "deal": {"title": "Deal Name"}}


def test_mapping_loads_a_dict_as_it_loads_the_file() -> None:
    """The same spec from the dict as from the TOML; the caller's dict is left as it was;
    a bad dict lists its problems as the file's would."""
    from jobs.mapping import Mapping, MappingError

    given = copy.deepcopy(TABLES)
    from_dict = Mapping.loads(given)
    assert from_dict.spec == Mapping.loads(TOML).spec
    assert Mapping.load(given).spec == from_dict.spec
    assert given == TABLES
    with pytest.raises(MappingError, match=r"deal\.titel"):
        Mapping.loads({**TABLES, "deal": {"titel": "Deal Name"}})
    with pytest.raises(MappingError, match="not list"):
        Mapping.loads(["deal"])  # type: ignore[arg-type]


def test_update_deals_takes_a_dict(tmp_path: Path) -> None:
    """update_deals(manifest, {...}) builds the job (was TypeError: expected str, not
    dict); a dict the update refuses says so as the file's would; another type is named."""
    from jobs import update_deals

    manifest = tmp_path / "u.csv"
    manifest.write_text("Deal,Title\n1,Renamed\n")
    work = update_deals(manifest, {"version": 1, "update": {"id_column": "Deal"},
                                   "deal": {"title": "Title"}})
    assert work.kind == "update"
    with pytest.raises(InputError, match="id_column"):
        update_deals(manifest, {"version": 1, "deal": {"title": "Title"}})
    with pytest.raises(InputError, match=r"update_deals\(mapping=...\).*not int"):
        update_deals(manifest, 7)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_import_job_takes_a_dict(tmp_path: Path) -> None:
    """import_job(store, kind, {...}, cfg, token) imports the rows (was AttributeError
    'dict' has no 'check_date_system'); a bad dict is refused before any call."""
    from jobs import ImportJob, ImportSettings, import_job
    from jobs.mapping import MappingError

    manifest, mapping = tmp_path / "deals.csv", tmp_path / "m.toml"
    manifest.write_text("Key,Deal Name\nk1,First\nk2,Second\n")
    mapping.write_text(TOML)
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)
    async with serve(SandboxConfig(time_scale=0.05, deals=0, seed=3)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        with JobStore.create(tmp_path / "jobs" / "bad", job_id="bad", kind="import",
                             config={"engine": cfg.to_json(),
                                     "import": settings.to_json()}) as store:
            spent = sb.stats()["tokens_spent"]
            with pytest.raises(MappingError, match="deal"):
                await import_job(store, ImportJob(store, settings), {"version": 1,
                                 "import": {"key_column": "Key"}}, cfg, sb.token)
            assert sb.stats()["tokens_spent"] == spent  # no call
            assert store.status == "failed"  # x25r3 F4
        with JobStore.create(tmp_path / "jobs" / "ok", job_id="ok", kind="import",
                             config={"engine": cfg.to_json(),
                                     "import": settings.to_json()}) as store:
            result = await import_job(store, ImportJob(store, settings),
                                      copy.deepcopy(TABLES), cfg, sb.token)
            assert not result.stopped
        assert sorted(d["title"] for d in sandbox_deals(sb)) == ["First", "Second"]
