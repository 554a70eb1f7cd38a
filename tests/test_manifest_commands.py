"""Every command that reads a user file reads it the same way: the encoding is detected
before any call (a cp1252 file stops it with exit 1 naming --encoding cp1252), and
--encoding / --sheet are accepted and used (issue 10 section 6)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk import cli
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "commands-token"
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
FAST = ["--plan", "ultimate", "--oauth"]
UPDATE_MAPPING = 'version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Titel"\n'

# command -> (its words, the header of a file it reads, one row, extra arguments)
COMMANDS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "update": (["plan", "update"], ["Deal", "Titel"], ["1", "Grüße aus Köln"],
               ["--mapping", "{mapping}"]),
    "move-stage": (["plan", "move-stage"], ["deal_id", "Notiz"], ["1", "Müller"],
                   ["--to-stage", "Qualified", "--manifest"]),
    "merge": (["plan", "merge"], ["merge_id", "survivor_id", "Grund"], ["2", "1", "doppelt \u2013 ä"],
              []),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=3,
                                       seed=2)) as sb:
        yield sb


def _args(name: str, path: Path, tmp: Path) -> list[str]:
    words, _, _, extra = COMMANDS[name]
    mapping = tmp / "update.toml"
    mapping.write_text(UPDATE_MAPPING)
    extra = [a.format(mapping=mapping) for a in extra]
    if extra and extra[-1] == "--manifest":  # an option, not an argument
        return [*words, *extra, str(path)]
    return [*words, str(path), *extra]


def _tokens(sb: Sandbox) -> int:
    return sum(sb.stats()["tokens_by_operation"].values())


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_cp1252_file_is_refused_before_any_call_then_read_with_encoding(
        sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    """No --encoding: exit 1 naming cp1252, not one call; with --encoding cp1252 it plans."""
    _, head, row, _ = COMMANDS[name]
    path = tmp_path / "m.csv"
    path.write_bytes((";".join(head) + "\r\n" + ";".join(row) + "\r\n").encode("cp1252"))
    before = _tokens(sandbox)
    res = CliRunner().invoke(cli.app, [*_args(name, path, tmp_path), "--url", sandbox.url, *FAST],
                             env=ENV)
    assert res.exit_code == 1, res.output
    assert "--encoding cp1252" in res.output and "Traceback" not in res.output
    # move-stage and merge take no mapping: the hint named one (issue 10 finding)
    assert ("mapping" in res.output) == (name == "update"), res.output
    assert _tokens(sandbox) == before  # not even a read was sent
    res = CliRunner().invoke(cli.app, [*_args(name, path, tmp_path), "--encoding", "cp1252",
                                   "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code in (0, 3), res.output
    assert "not valid" not in res.output and "rows: 1" in res.output.replace(",", "")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_sheet_picks_the_worksheet(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    """--sheet reads the named worksheet (the first one has other columns); a missing sheet
    is exit 1 naming the sheets."""
    _, head, row, _ = COMMANDS[name]
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["nothing", "here"])
    ws = book.create_sheet("Data")
    ws.append(head)
    ws.append(row)
    path = tmp_path / "m.xlsx"
    book.save(path)
    res = CliRunner().invoke(cli.app, [*_args(name, path, tmp_path), "--sheet", "Data",
                                   "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code in (0, 3), res.output
    assert "rows: 1" in res.output.replace(",", "")
    res = CliRunner().invoke(cli.app, [*_args(name, path, tmp_path), "--sheet", "Nope",
                                   "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 1 and "Cover, Data" in res.output, res.output


# Path parameters that are not a user's data file (a new one must be added here or get the flags)
NOT_DATA = {"job_dir", "state_dir", "state_file", "mapping", "output", "failed_csv", "config",
            "plan_dir"}
DATA = {"manifest", "pairs"}


def test_every_command_reading_a_user_file_takes_encoding_and_sheet() -> None:
    """Structural: every Path parameter of every command is either a known non-data path or
    a data file, and a command reading a data file has --encoding and --sheet (so a command
    added later that reads a manifest cannot miss them)."""
    prefix = {id(cli.app): "", id(cli.plan_app): "plan ", id(cli.dedupe_app): "dedupe "}
    checked = []
    for group, name, command in [*cli.COMMANDS, *cli.HIDDEN]:
        hints = inspect.get_annotations(command, eval_str=True)
        paths = {p for p, hint in hints.items() if p != "return" and "Path" in str(hint)}
        full = prefix[id(group)] + name
        assert paths <= NOT_DATA | DATA, f"{full}: classify {paths - NOT_DATA - DATA}"
        if paths & DATA:
            checked.append(full)
            assert {"encoding", "sheet"} <= set(hints), f"{full} lacks --encoding/--sheet"
    assert {"import", "update", "move-stage", "merge", "init-mapping", "plan import",
            "plan update", "plan move-stage", "plan merge"} <= set(checked), checked


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_names_every_format_and_only_options_the_command_has(name: str) -> None:
    """move-stage and merge said CSV/JSONL though they read JSON and XLSX too, and their
    --encoding help named a mapping they do not take."""
    for words in (COMMANDS[name][0], COMMANDS[name][0][1:]):
        res = CliRunner().invoke(cli.app, [*words, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        text = " ".join(res.output.replace("│", " ").split())
        assert "CSV, JSONL, JSON or XLSX" in text, text
        assert "CSV/JSONL" not in text
        assert ("mapping's defaults.encoding" in text) == (name == "update"), text


@pytest.mark.parametrize("words", [["import"], ["plan", "import"]])
def test_a_mapping_naming_a_missing_column_stops_before_any_job_or_write(
        sandbox: Sandbox, tmp_path: Path, words: list[str]) -> None:
    """import printed its job line and started "pulling pipelines…" before failing on a
    column the manifest lacks: the input check comes before any job folder or write (the
    account's names are read, to be refused with it: x22r2)."""
    path = tmp_path / "m.csv"
    path.write_text("id,title\r\nk1,A\r\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                       'value = "Amount"\npipeline = { default = "Sales" }\n'
                       'stage = { default = "Qualified" }\n')
    jobs = tmp_path / "jobs"
    before = sandbox.stats()["writes_applied"]
    res = CliRunner().invoke(cli.app, [*words, str(path), "--mapping", str(mapping),
                                       "--create-key-field", "--url", sandbox.url, *FAST],
                             env={**ENV, "PDBULK_JOB_DIR": str(jobs)})
    assert res.exit_code == 1, res.output
    assert "'Amount'" in res.output and "Traceback" not in res.output
    assert "pulling" not in res.output and "job import" not in res.output
    assert not jobs.exists() or not any(jobs.iterdir())
    assert sandbox.stats()["writes_applied"] == before


def test_sheet_on_a_csv_is_a_usage_error(sandbox: Sandbox, tmp_path: Path) -> None:
    """--sheet on a CSV was silently ignored."""
    path = tmp_path / "m.csv"
    path.write_text("id,title\r\nk1,A\r\n")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    res = CliRunner().invoke(cli.app, ["plan", "import", str(path), "--mapping", str(mapping),
                                       "--sheet", "Deals", "--url", sandbox.url, *FAST], env=ENV)
    assert res.exit_code == 2 and "--sheet" in res.output and "Traceback" not in res.output


def test_update_naming_a_missing_column_stops_before_any_write(sandbox: Sandbox,
                                                               tmp_path: Path) -> None:
    """An update mapping naming a column the manifest lacks is refused before any write
    or job; only the account's names are read, as the import's refusal reads them, so
    that the one refusal names every problem (f23m)."""
    path = tmp_path / "m.csv"
    path.write_text("Deal\r\n1\r\n")
    before, writes = _tokens(sandbox), sandbox.stats()["writes_applied"]
    res = CliRunner().invoke(cli.app, [*_args("update", path, tmp_path), "--url", sandbox.url,
                                       *FAST, "--job-dir", str(tmp_path / "jobs")], env=ENV)
    assert res.exit_code == 1 and "'Titel'" in res.output, res.output
    assert _tokens(sandbox) - before <= 10  # the pipelines and stages list pull, no more
    assert sandbox.stats()["writes_applied"] == writes
    assert not (tmp_path / "jobs").exists()
