"""An update asks its manifest's format once a pass, not once a row: each ask reads the
file's first bytes (``bulk.manifest.detect_format``, ~13 µs), and ``prepare_update``'s
deciding pass asked once a row (f45j: tests/test_loop_stalls.py's plan and load of 15,000
rows asked 30,022 times, ~0.4 CPU s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.manifest import detect_format
from bulk.sandbox import SandboxConfig, serve
from jobs.account import load_catalog
from jobs.updating import UpdateMapping, prepare_update
from tests.import_support import api_context

ROWS = 300


@pytest.mark.anyio
async def test_an_update_asks_the_manifest_format_a_few_times_not_once_a_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """300 rows decided: at most 5 asks (before: 300 and more)."""
    asked: list[Any] = []

    def counted(path: Any, format: Any = None) -> Any:
        asked.append(path)
        return detect_format(path, format)

    monkeypatch.setattr("jobs.updating.detect_format", counted)
    manifest = tmp_path / "rows.csv"
    manifest.write_text("Deal,Amount\n" + "".join(f"{i},{1000 + i}\n"
                                                   for i in range(1, ROWS + 1)))
    (tmp_path / "map.toml").write_text('version = 1\n[update]\nid_column = "Deal"\n'
                                       '[defaults]\ncurrency = "USD"\n[deal]\nvalue = "Amount"\n')
    umap = UpdateMapping.load(tmp_path / "map.toml")
    async with serve(SandboxConfig(time_scale=0.02, deals=ROWS, seed=7)) as sb:
        async with api_context(sb, tmp_path / "state") as ctx:
            prep = await prepare_update(ctx, manifest, umap, await load_catalog(ctx))
    assert sum(prep.actions.values()) >= ROWS, prep.actions  # every row was decided
    assert len(asked) <= 5, len(asked)
