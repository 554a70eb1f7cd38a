"""Import options that mean nothing for the import asked are refused, not ignored."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pdbulk.cli import app


def test_unarchive_with_an_insert_is_a_usage_error(tmp_path: Path) -> None:
    """x19r1 F9: `--unarchive` (an upsert's) was accepted by an insert and did nothing."""
    manifest = tmp_path / "deals.csv"
    manifest.write_text("Key,Title\nK1,A\n", encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "Key"\nkey_field = "Source key"\n'
                       'mode = "insert"\n[deal]\ntitle = "Title"\n', encoding="utf-8")
    env = {"PIPEDRIVE_API_TOKEN": "t"}
    for command in (["plan", "import"], ["import"]):
        res = CliRunner().invoke(app, [*command, str(manifest), "-m", str(mapping),
                                       "--unarchive", "--url", "http://127.0.0.1:9",
                                       "--job-dir", str(tmp_path / "jobs")], env=env)
        assert res.exit_code == 2, res.output
        assert "--unarchive" in res.output and "upsert" in res.output
        assert not (tmp_path / "jobs").exists()
