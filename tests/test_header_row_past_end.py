"""A header row past the file's end (x46r7 F2): import said "FILE: the file has no row 99
(header_row)", update and move-stage the same without the file, and all three named the
mapping's key when the value came from --header-row. Now each names the file, and
--header-row when the flag gave the row, the mapping's [defaults] header_row when it did."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from pdbulk.cli import app

IMPORT = 'version = 1\n[import]\nkey_column = "Deal ID"\n%s[deal]\ntitle = "Deal Name"\n'
UPDATE = 'version = 1\n[update]\nid_column = "deal_id"\n%s[deal]\ntitle = "Deal Name"\n'
BY_MAPPING = "[defaults]\nheader_row = 99\n"


def _plan(tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "header-row-token"}
    r = CliRunner().invoke(app, ["plan", *args, "--url", "http://127.0.0.1:9",
                                 "--job-dir", str(tmp_path / "jobs")], env=env)
    return r.exit_code, r.stdout + r.stderr


def test_the_flag_past_the_end_is_named_with_the_file(tmp_path: Path) -> None:
    """import, update, move-stage: exit 1, the file and --header-row named, no traceback."""
    rows = tmp_path / "u.csv"
    rows.write_text("deal_id,Deal Name,Deal ID\n1,X,K1\n", encoding="utf-8")
    imp, upd = tmp_path / "i.toml", tmp_path / "u.toml"
    imp.write_text(IMPORT % "", encoding="utf-8")
    upd.write_text(UPDATE % "", encoding="utf-8")
    for args in (["import", str(rows), "--mapping", str(imp)],
                 ["update", str(rows), "--mapping", str(upd)],
                 ["move-stage", "--manifest", str(rows), "--to-stage", "Qualified"]):
        code, out = _plan(tmp_path, *args, "--header-row", "99")
        assert code == 1, (args[0], out)
        assert f"{rows}: the file has no row 99 (--header-row)" in out, (args[0], out)
        assert "Traceback" not in out


def test_the_mappings_header_row_past_the_end_is_named_so(tmp_path: Path) -> None:
    """import and update: the row from the mapping's [defaults]: that key named."""
    rows = tmp_path / "u.csv"
    rows.write_text("deal_id,Deal Name,Deal ID\n1,X,K1\n", encoding="utf-8")
    imp, upd = tmp_path / "i.toml", tmp_path / "u.toml"
    imp.write_text(IMPORT % BY_MAPPING, encoding="utf-8")
    upd.write_text(UPDATE % BY_MAPPING, encoding="utf-8")
    for args in (["import", str(rows), "--mapping", str(imp)],
                 ["update", str(rows), "--mapping", str(upd)]):
        code, out = _plan(tmp_path, *args)
        assert code == 1, (args[0], out)
        assert (f"{rows}: the file has no row 99 (the mapping's [defaults] header_row)"
                in out), (args[0], out)
