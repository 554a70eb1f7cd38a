"""An update's deal id is the cell as written, ASCII digits (x35r1 F1): the id column went
through the source key's NFKC folding before ``parse_id`` checked it, so ``³⁴`` wrote deal
34, ``3³`` (a footnote mark) deal 33, ``35`` + a zero-width space deal 35, and a
full-width 33 wrote deal 33 past the hold on the other rows naming 33."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.test_update import write_csv
from tests.update_support import cli_args, deal, threaded_sandbox

MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'


def test_ids_in_other_digit_forms_are_their_rows_errors(tmp_path: Path) -> None:
    """Rows `³⁴`, `3³` and `5` + U+200B fail as not deal ids; a full-width 6 is deal 6, as
    every command reads it (x46r3 F5); rows `3` and ` 3 ` naming one deal with other titles
    are held; deal 2 (`2.0`) is written."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        before = {i: deal(sb, i)["title"] for i in (2, 3, 4, 5, 6)}
        rows = [{"Deal": "\u00b3\u2074", "Title": "sup"},          # ³⁴
                {"Deal": "3\u00b3", "Title": "footnote"},           # 3³
                {"Deal": "5\u200b", "Title": "zero width"},
                {"Deal": "\uff16", "Title": "full width"},          # full-width 6
                {"Deal": "3", "Title": "one"},
                {"Deal": " 3 ", "Title": "other"},
                {"Deal": "2.0", "Title": "written"}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        res = CliRunner().invoke(app, ["update", str(manifest), "--mapping",
                                       str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "j")],
                                 env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
        assert "Traceback" not in res.output, res.output
        (job,) = (tmp_path / "j").iterdir()
        failed = {r["row"]: r for r in read_csv(job / "failed.csv")}
        done = {r["row"]: r for r in read_csv(job / "succeeded.csv")}
        assert all("not a deal id" in failed[row]["reason"] for row in "234"), failed
        assert "5" not in failed and done["5"]["action"] == "updated", (failed, done)
        assert deal(sb, 6)["title"] == "full width"
        assert failed["2"]["key"] == "\u00b3\u2074", failed["2"]  # the cell, not 34
        assert failed["6"]["hold"] == failed["7"]["hold"] == "duplicate-key", failed
        assert done["8"]["action"] == "updated" and deal(sb, 2)["title"] == "written"
        assert {i: deal(sb, i)["title"] for i in (3, 4, 5)} == {
            i: before[i] for i in (3, 4, 5)}
