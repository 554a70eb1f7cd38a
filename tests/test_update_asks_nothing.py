"""x31r3 3: `pdbulk update` asks nothing (it has no question), yet its `--help` offered
`--yes  Do not ask before sending` and README's engine-options table listed update among
the kinds that "ask as always". Its help and README now say it asks nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jobs.api import update_deals
from pdbulk.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_update_asks_nothing_and_says_so(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "u.csv", tmp_path / "u.toml"
    manifest.write_text("id,Title\n1,A\n", encoding="utf-8")
    mapping.write_text('version = 1\n[update]\nid_column = "id"\n[deal]\ntitle = "Title"\n',
                       encoding="utf-8")
    assert update_deals(manifest, mapping).question is None  # no prompt, whatever --yes
    res = CliRunner().invoke(app, ["update", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    yes = next(line for line in res.output.splitlines() if "--yes" in line)
    assert "Do not ask" not in yes and "asks nothing" in yes, yes
    text = README.read_text(encoding="utf-8")
    assert "(update, move-stage, merge, undo, dedupe apply) asks as always" not in text
