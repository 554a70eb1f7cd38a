"""A retry after a mapping fix judges an upsert's repeated keys as a fresh import of the
fixed file does (x53r6 F2): two rows of a new key, ``Done`` (Pipeline blank; the stage map
reads it ``Sales > Demo Scheduled``, the status map did not know it) and ``Sales > Demo
Scheduled``, are one record once the status map reads ``Done`` as open — the fresh import
reports the later row ``duplicate``; the retry held the ``Done`` row ``duplicate-key``
("writing part of what this row writes … (status …)"), telling an upsert to "import with
--mode upsert", and left the key uncontested. The retry read the row that made the deal
as a found deal's (the deal's own status left), the load as a create's (status open).

The grid: every arrangement of 2-4 rows of a key over ``Done``, ``Sales > Demo Scheduled``
with and without its Pipeline cell, at least one ``Done`` row (it fails at the load) and
one other; the oracle a fresh import of the file with the fixed mapping on a twin sandbox.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

CELLS = {"D": ("Done", ""), "S": ("Sales > Demo Scheduled", "Sales"),
         "s": ("Sales > Demo Scheduled", "")}
MAPPING = """version = 1
[import]
key_column = "key"
mode = "upsert"
[deal]
title = "title"
status = {{ column = "stage"{status_map} }}
pipeline = "pipeline"
[deal.stage]
column = "stage"
[deal.stage.map]
"Done" = "Sales > Demo Scheduled"
"""
FIXED = ', map = { "Done" = "open" }'


def _box() -> ThreadedSandbox:
    return ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9))


@pytest.fixture
def twins() -> Iterator[tuple[Sandbox, Sandbox]]:
    with _box() as a, _box() as b:
        yield a, b


def _groups() -> list[tuple[str, ...]]:
    """Every arrangement of 2-4 rows with a ``Done`` row and another."""
    return [g for n in (2, 3, 4) for g in itertools.product("DSs", repeat=n)
            if "D" in g and set(g) - {"D"}]


def _outcomes(job: Path) -> dict[str, str]:
    """row -> ``written`` (created, updated, duplicate ...), ``held`` or ``failed``."""
    out = {r["row"]: "written" for r in read_csv(job / "succeeded.csv")}
    out.update({r["row"]: "held" if r["hold"] == "duplicate-key" else "failed"
                for r in read_csv(job / "failed.csv")})
    return out


def test_a_retry_after_a_status_fix_judges_repeated_keys_as_a_fresh_import(
        twins: tuple[Sandbox, Sandbox], tmp_path: Path) -> None:
    a, b = twins
    groups = _groups()
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("key,title,stage,pipeline\n" + "".join(
        f"N{g},New {g},{CELLS[c][0]},{CELLS[c][1]}\n"
        for g, group in enumerate(groups) for c in group))
    mapping.write_text(MAPPING.format(status_map=""))
    jobs_a, jobs_b = tmp_path / "a", tmp_path / "b"
    loaded = cli(a, jobs_a, "import", str(manifest), "--mapping", str(mapping),
                 "--create-key-field", *engine(a, jobs_a))
    assert loaded.exit_code == 3, loaded.output
    (job,) = jobs_a.iterdir()
    assert "failed" in set(_outcomes(job).values())
    mapping.write_text(MAPPING.format(status_map=FIXED))
    retried = cli(a, jobs_a, "retry", job.name, "--job-dir", str(jobs_a))
    assert retried.exit_code in (0, 3), retried.output
    fresh = cli(b, jobs_b, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(b, jobs_b))
    assert fresh.exit_code in (0, 3), fresh.output
    (twin,) = jobs_b.iterdir()
    got, want = _outcomes(job), _outcomes(twin)
    differ = [(group, [got.get(str(r)) for r in rows], [want.get(str(r)) for r in rows])
              for group, rows in zip(groups, _rows(groups), strict=True)
              if [got.get(str(r)) for r in rows] != [want.get(str(r)) for r in rows]]
    assert not differ, f"{len(differ)} of {len(groups)} keys: {differ[:5]}"
    assert set(want.values()) == {"written"}, want  # (one record each: nothing held)
    # each key has one deal, the stage the rows give, on both sides
    for box in (a, b):
        titles = [d["title"] for d in box.state.deals.rows.values()
                  if str(d["title"]).startswith("New ")]
        assert len(titles) == len(set(titles)) == len(groups), box
    # a hold's advice fits the job's mode: an upsert is never told to import as one
    assert all("--mode upsert" not in r["reason"] for r in read_csv(job / "failed.csv"))


def _rows(groups: list[tuple[str, ...]]) -> Iterator[range]:
    """The file's row numbers of each group (the header is row 1)."""
    at = 2
    for group in groups:
        yield range(at, at + len(group))
        at += len(group)
