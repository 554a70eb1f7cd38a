"""An upsert's rows of one key are judged beside each other as the decide writes them: a
key that finds a deal by the update's reading of its stage cell (x52r2 F1: ``Done`` of
``"Done" = "Sales > Won"`` with ``status = { column = "Stage" }``), a key that finds none
by the import's (``Done`` refused: ``unknown status 'Done'``). f53a: the first fix read
every row's stage cell as a marker compared by its raw cell — ``Qualified`` and
``qualified`` of one key held both rows as contested — and a create's unknown stage no
longer failed at its mapping, so it wrote its key's other rows as a contest instead of
failing alone (reverted). The model here, over seeded mixes of a key's rows: a row writes
a value (its stage as read for its key) or fails on its own cells; a key whose writing
rows write two values is contested (none written: the first row of each value held, a
later row of the same writes its duplicate, held with it), else one of them is written and
the others are its duplicates; a failing row fails."""

from __future__ import annotations

import collections
import random
from pathlib import Path

import pytest

from bulk.sandbox import SandboxConfig, serve
from bulk.store import ItemState
from tests.import_support import import_once, import_stopped_before_sending
from tests.test_upsert_found_run import _account

pytestmark = pytest.mark.anyio
MAPPING = """\
version = 1
[import]
key_column = "id"
mode = "{mode}"
[defaults]
currency = "EUR"
[deal]
title = "title"
value = "amount"
pipeline = {{ column = "pipeline", default = "Sales" }}
status = {{ column = "stage" }}
[deal.stage]
column = "stage"
[deal.stage.map]
"Done" = "Sales > Won"
"qualified" = "Qualified"
"""
HEADER = "id,title,amount,pipeline,stage"
# a row by letter: (Pipeline cell, Stage cell), and what it writes for a key that finds a
# deal (in Sales, open) and for one that finds none (None: it fails on its own cells)
ROWS = {"g": ("", "Qualified"), "G": ("Sales", "Qualified"), "s": ("", "qualified"),
        "d": ("", "Done"), "D": ("Sales", "Done"), "u": ("", "Nowhere")}
FOUND = {"g": "Qualified", "G": "Qualified", "s": "Qualified", "d": "Won", "D": "Won",
         "u": None}
CREATED = {"g": "Qualified", "G": "Qualified", "s": "Qualified", "d": None, "D": None,
           "u": None}


def mixes(seed: int, keys: int) -> list[str]:
    """``keys`` mixes of 2-4 rows, the telling ones first."""
    rnd = random.Random(seed)
    fixed = ["gs", "sg", "gu", "ug", "gd", "dG", "sGs", "uDd", "dd", "gsu", "Ddu", "us"]
    return fixed + ["".join(rnd.choice("gGsdDu") for _ in range(rnd.randint(2, 4)))
                    for _ in range(keys - len(fixed))]


def expected(mix: str, found: bool) -> tuple[int, int, int]:
    """(rows written, duplicates, failed) of a key's rows, by the model (module doc)."""
    reads = [(FOUND if found else CREATED)[ch] for ch in mix]
    writers = [r for r in reads if r is not None]
    failing = len(reads) - len(writers)
    values = len(set(writers))
    if values > 1:  # contested: a row of the same writes as an earlier one is held with it
        return 0, len(writers) - values, failing + values
    return values, len(writers) - values, failing


@pytest.mark.parametrize(("seed", "spread"), [(1, False), (2, True), (3, False)])
async def test_a_keys_rows_are_judged_as_read_for_its_deal_or_a_create(
        tmp_path: Path, seed: int, spread: bool) -> None:
    keys = mixes(seed, 48)
    found = {k for k in range(len(keys)) if k % 2 == 0}
    base = tmp_path / "base.csv"
    base.write_text("\n".join([HEADER, *(f"K{k},T,100,Sales,Lead" for k in sorted(found))])
                    + "\n")
    rows = [(n, k, ROWS[ch]) for k, mix in enumerate(keys) for n, ch in enumerate(mix)]
    if spread:
        rows.sort(key=lambda r: r[0])
    manifest = tmp_path / "f.csv"
    manifest.write_text("\n".join([HEADER, *(f"K{k},T,100,{p},{s}" for _, k, (p, s) in rows)])
                        + "\n")
    (tmp_path / "i.toml").write_text(MAPPING.format(mode="insert"))
    (tmp_path / "u.toml").write_text(MAPPING.format(mode="upsert"))
    async with serve(SandboxConfig(deals=0, time_scale=0.02, seed=7)) as sb:
        _account(sb)
        made, _, _ = await import_once(sb, tmp_path / "jobs", base, tmp_path / "i.toml",
                                       mode="insert")
        made.close()
        store, _ = await import_stopped_before_sending(sb, tmp_path / "jobs", manifest,
                                                       tmp_path / "u.toml", mode="upsert")
        got: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for item in store.items():
            state = {ItemState.PENDING: "written", ItemState.FAILED: "failed"}.get(
                item.state, "duplicate" if item.state is ItemState.SKIPPED else "other")
            got[str(item.key)][state] += 1
        store.close()
    differ = {}
    for k, mix in enumerate(keys):
        want = dict(zip(("written", "duplicate", "failed"), expected(mix, k in found),
                        strict=True))
        have = {state: got[f"K{k}"][state] for state in ("written", "duplicate", "failed")}
        if want != have:
            differ[f"K{k} {mix} {'found' if k in found else 'create'}"] = (want, have)
    assert not differ, f"{len(differ)} of {len(keys)} keys differ: {differ}"
