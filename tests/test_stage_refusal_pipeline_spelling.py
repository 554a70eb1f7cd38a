"""A stage refusal quotes the row's pipeline as its Pipeline cell spells it, as it quotes
the stage (y54r3 F4: ``Bogus,sales`` was refused "no stage named 'Bogus' in pipeline
'Sales'", 26 of 26 rows). The grid: the account's ``Sales`` spelled five ways by a stage no
pipeline has and one of another pipeline named with it by a new key and a key the account's
deal carries; another pipeline a refusal names (the stage's own) keeps its name."""

from __future__ import annotations

import itertools
from pathlib import Path

from bulk.sandbox import SandboxConfig
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine

SPELLINGS = ("sales", "SALES", "sAlEs", " Sales ", "Sales")
STAGES = ("Bogus", "Partnerships > Lead In")
MAPPING = """version = 1
[import]
key_column = "Key"
key_field = "External ID"
mode = "upsert"
[deal]
title = "Title"
pipeline = "Pipeline"
[deal.stage]
column = "Stage"
"""


def test_a_stage_refusal_quotes_the_pipeline_cell_as_the_row_spells_it(tmp_path: Path) -> None:
    grid = list(itertools.product(SPELLINGS, STAGES, ("new", "found")))
    lines = ["Key,Title,Stage,Pipeline\n"]
    for n, (pipeline, stage, kind) in enumerate(grid, start=1):
        key = f"SEED-{n:06d}" if kind == "found" else f"P{n}"
        lines.append(f'{key},T{n},{stage},"{pipeline}"\n')
    manifest, mapping = tmp_path / "in.csv", tmp_path / "m.toml"
    manifest.write_text("".join(lines))
    mapping.write_text(MAPPING)
    jobs = tmp_path / "jobs"
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, seed=9,
                                       deals=len(grid))) as box:
        res = cli(box, jobs, "import", str(manifest), "--mapping", str(mapping),
                  *engine(box, jobs))
    assert res.exit_code == 3, res.output
    (job,) = jobs.iterdir()
    reasons = {int(r["row"]): r["reason"] for r in read_csv(job / "failed.csv")}
    wrong = []
    for n, (pipeline, stage, _) in enumerate(grid, start=1):
        reason = reasons.get(n + 1, "")
        said = f"pipeline {pipeline.strip()!r}"
        ok = said in reason and f"{stage!r}" in reason
        if pipeline.strip() != "Sales":
            ok = ok and "pipeline 'Sales'" not in reason
        if ">" in stage:  # (the stage's own pipeline, named by its cell, kept)
            ok = ok and "in pipeline 'Partnerships'" in reason
        if not ok:
            wrong.append((n + 1, pipeline, stage, reason))
    assert not wrong, f"{len(wrong)} of {len(grid)} rows: {wrong[:4]}"
