"""A file or folder name that is no UTF-8 text (Linux takes any bytes; Python reads the
others as lone surrogates) is refused before anything is read or made, exit 2, its name
shown as a shell takes it; a name a command prints in a command to paste is shell-quoted
(x42r5 F4: `import $'bad\\xff\\xfename.csv'` ended in "unexpected error (TypeError)", exit
1; init-mapping printed `pdbulk plan import bad\\udcff\\udcfename.csv`). Nothing listens
at the URL: each refusal comes before any call."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import ConfigError
from bulk.store.sqlite import JobStore
from pdbulk.cli import app
from pdbulk.options import shell_word

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="names of any bytes: Linux")

URL = ["--url", "http://127.0.0.1:9"]  # loopback, nothing listens: never reached here
ENV = {"PIPEDRIVE_API_TOKEN": "tok", "COLUMNS": "200"}
BAD = os.fsdecode(b"bad\xff\xfename")


def _files(tmp_path: Path) -> dict[str, str]:
    csv, pairs = tmp_path / f"{BAD}.csv", tmp_path / f"{BAD}-pairs.csv"
    toml, good = tmp_path / f"{BAD}.toml", tmp_path / "m.toml"
    csv.write_text("Deal,Title\n1,T\n", encoding="utf-8")
    pairs.write_text("merge_id,survivor_id\n1,2\n", encoding="utf-8")
    text = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
    toml.write_text(text, encoding="utf-8")
    good.write_text(text, encoding="utf-8")
    (tmp_path / "ok.csv").write_text("Deal,Title\n1,T\n", encoding="utf-8")
    return {"csv": str(csv), "pairs": str(pairs), "toml": str(toml), "good": str(good),
            "ok": str(tmp_path / "ok.csv"), "dir": str(tmp_path / BAD)}


@pytest.mark.parametrize("args", [
    ["import", "{csv}", "-m", "{good}"],
    ["plan", "import", "{csv}", "-m", "{good}"],
    ["import", "{ok}", "-m", "{toml}"],
    ["import", "{ok}", "-m", "{good}", "--job-dir", "{dir}"],
    ["update", "{csv}", "-m", "{good}"],
    ["plan", "update", "{csv}", "-m", "{good}"],
    ["merge", "{pairs}"],
    ["move-stage", "--to-stage", "Won", "--manifest", "{csv}"],
    ["init-mapping", "{csv}", "-o", "-"],
])
def test_a_name_that_is_no_utf8_is_refused_before_anything(tmp_path: Path,
                                                           args: list[str]) -> None:
    """Exit 2, one line naming the file as $'…' with its bytes, no traceback, no job."""
    f = _files(tmp_path)
    argv = [a.format(**f) for a in args] + URL
    res = CliRunner().invoke(app, argv, env={**ENV, "PDBULK_JOB_DIR": str(tmp_path / "j")})
    assert res.exit_code == 2, res.output
    assert "no UTF-8 text" in res.output and "\\xff\\xfe" in res.output, res.output
    assert "Traceback" not in res.output and "unexpected" not in res.output
    assert not (tmp_path / "j").exists() and not (tmp_path / BAD).exists()


def test_shell_word_reads_back_as_the_name() -> None:
    """Plain names as they are; spaces quoted; bytes and controls in bash's $'…'."""
    assert shell_word("deals.csv") == "deals.csv"
    assert shell_word("my deals.csv") == "'my deals.csv'"
    assert shell_word(f"{BAD}.csv") == "$'bad\\xff\\xfename.csv'"
    assert shell_word(os.fsdecode(b"it's\xe9\n.csv")) == "$'it\\'s\\xe9\\x0a.csv'"


def test_a_library_store_of_such_a_name_is_a_config_error(tmp_path: Path) -> None:
    """The library's way in: a ConfigError, no TypeError, nothing left on disk."""
    with pytest.raises(ConfigError, match="no UTF-8"):
        JobStore.create(tmp_path / "job", job_id="j", kind="import",
                        config={"import": {"manifest": f"{BAD}.csv"}})
    assert not (tmp_path / "job").exists()
