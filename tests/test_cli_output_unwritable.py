"""A file a command writes (``init-mapping -o``, ``--failed-csv``) that cannot be written
is refused before the token or the account is read: exit 2 naming the option (x41r1 L10:
`init-mapping -o /proc/self/x.toml` spent 40 tokens on the account's fields first). A
file that exists is left as it was; a new one is not left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pdbulk.cli import app

URL = ["--url", "http://127.0.0.1:9"]  # loopback, nothing listens: never reached here
ENV = {"PIPEDRIVE_API_TOKEN": "tok", "COLUMNS": "200"}
UNWRITABLE = "/proc/self/pdbulk-x.toml"  # a folder no one can make a file in, root too


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("args, option", [
    (["init-mapping", "{csv}", "-o", UNWRITABLE], "--output"),
    (["plan", "update", "{csv}", "-m", "{toml}", "--failed-csv", UNWRITABLE], "--failed-csv"),
])
def test_an_unwritable_output_is_a_usage_error_before_any_call(
        tmp_path: Path, args: list[str], option: str) -> None:
    """Exit 2, the option named, before any call (nothing listens at the URL: a call
    would end in exit 4)."""
    csv, toml = tmp_path / "d.csv", tmp_path / "m.toml"
    csv.write_text("Deal,Title\n1,T\n", encoding="utf-8")
    toml.write_text('version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n',
                    encoding="utf-8")
    argv = [a.format(csv=csv, toml=toml) for a in args]
    res = CliRunner().invoke(app, [*argv, *URL, "--job-dir", str(tmp_path / "jobs")]
                             if args[0] != "init-mapping" else [*argv, *URL], env=ENV)
    assert res.exit_code == 2, res.output
    assert option in res.output and "cannot write" in res.output, res.output


def test_a_writable_output_is_left_as_it_was(tmp_path: Path) -> None:
    """The check opens an existing file to append, writing nothing; a new file it made
    is removed."""
    from pdbulk.options import new_file

    kept = tmp_path / "kept.toml"
    kept.write_text("mine", encoding="utf-8")
    assert new_file(kept) == kept and kept.read_text(encoding="utf-8") == "mine"
    fresh = tmp_path / "fresh.toml"
    assert new_file(fresh) == fresh and not fresh.exists()
