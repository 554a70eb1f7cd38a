"""A refused update mapping names every problem of its kind at once, as the import's does
(f23m: the file's `[update]`, a person table, the schema, the options, the TODOs, the
manifest's columns and the account's names were refused one a run: three problems,
three runs): the files' problems before any call (x25r1 F3), then the account's names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "update-all-problems-token"
FAST = ["--plan", "ultimate", "--oauth"]
HEAD = "Deal,Title,Stage,Product\n1,Deal 1,closedwon,CRM\n"
NAMES = ('[deal.stage]\ncolumn = "Stage"\n[deal.stage.map]\n"closedwon" = "wonn"\n'
         '[custom_fields]\n"Products of interest" = { column = "Product", '
         'map = { "CRM" = "CRMM" } }\n')


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=3,
                                       seed=3)) as sb:
        yield sb


def _run(sb: Sandbox, tmp_path: Path, mapping: str, *command: str) -> tuple[int, str]:
    (tmp_path / "rows.csv").write_text(HEAD)
    (tmp_path / "u.toml").write_text(mapping)
    res = CliRunner().invoke(app, [*command, str(tmp_path / "rows.csv"), "-m",
                                   str(tmp_path / "u.toml"), "--yes", "--url", sb.url, *FAST,
                                   "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    return res.exit_code, res.output


def test_the_file_the_columns_and_the_names_are_one_refusal(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    """A person table, an unknown key, a TODO and a column the manifest lacks: one
    refusal names all four before any call, from `plan update` and `update` (x25r1 F3:
    not after the account's reads), saying the names come after; with those fixed, the
    stage and the option the account lacks are one refusal. No job, nothing written."""
    names_later = "checked against the account once these are fixed"
    mapping = ('version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n'
               'value = "Valu"\nnote = "x"\n' + NAMES + '[person]\nname = "Title"\n'
               '# TODO: decide\n')
    for command in (("plan", "update"), ("update",)):
        code, out = _run(sandbox, tmp_path, mapping, *command)
        assert code == 1, out
        assert "person: updates do not link persons or organizations" in out, out
        assert "deal.note: unknown key" in out, out
        assert "unresolved TODO on line" in out, out
        assert "the mapping reads 'Valu': no such column" in out, out
        assert names_later in out and "wonn" not in out, out
        assert "Traceback" not in out and TOKEN not in out
    assert dict(sandbox.stats()["requests_by_operation"]) == {}
    fixed = ('version = 1\n[update]\nid_column = "Deal"\n[deal]\ntitle = "Title"\n' + NAMES)
    for command in (("plan", "update"), ("update",)):
        code, out = _run(sandbox, tmp_path, fixed, *command)
        assert code == 1, out
        assert "deal.stage.map.closedwon: no stage named 'wonn'" in out, out
        assert "'CRMM'" in out, out
    assert not any((tmp_path / "jobs").glob("*/job.sqlite*"))
    assert sandbox.stats()["writes_applied"] == {}


def test_a_column_typo_does_not_hide_a_missing_key_field(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    """By key: a column the manifest lacks is refused first, with no call; fixed, the key
    field the account lacks and a bad stage name, together."""
    mapping = ('version = 1\n[update]\nkey_column = "Deal"\nkey_field = "Legacy key"\n'
               '[deal]\ntitle = "Titel"\n' + NAMES)
    code, out = _run(sandbox, tmp_path, mapping, "update")
    assert code == 1, out
    assert "the mapping reads 'Titel': no such column" in out, out
    assert "Legacy key" not in out and dict(sandbox.stats()["requests_by_operation"]) == {}
    code, out = _run(sandbox, tmp_path, mapping.replace("Titel", "Title"), "update")
    assert code == 1, out
    assert "update.key_field: no deal field labelled 'Legacy key'" in out, out
    assert "no stage named 'wonn'" in out, out


def test_file_problems_are_said_together_without_an_account() -> None:
    """The library: `UpdateMapping.loads` lists `[update]`, person and schema problems and
    a TODO in one error, and keeps what is usable of the file."""
    from jobs.update_mapping import UpdateMapping, UpdateMappingError

    with pytest.raises(UpdateMappingError) as caught:
        UpdateMapping.loads('[update]\nkey_column = "K"\n[deal]\ntitle = "T"\n'
                            'value = { column = "v", formats = ["%d"] }\ntitel = "x"\n'
                            '[organization]\nname = "O"\n# TODO: decide\n')
    keys = [key for key, _ in caught.value.problems]
    assert keys == ["organization", "deal.titel", "deal.value.formats", ""], \
        caught.value.problems
    usable = caught.value.usable
    assert usable is not None and usable.by == "key" and usable.column == "K"
    with pytest.raises(UpdateMappingError) as caught:
        UpdateMapping.loads('[update]\nid_column = "A"\nkey_column = "B"\n[deal]\ntitel = "x"\n')
    assert [k for k, _ in caught.value.problems] == ["update", "deal.titel"]
    assert caught.value.usable is None


def test_move_stage_is_not_advised_an_option_it_lacks_for_a_missing_key_field(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x24r5: `move-stage --key-field "No such field"` said "create it (a text field) or
    pass --create-key-field", an option only import has; move-stage (as update) only
    reads the key field: the advice is to check its name."""
    (tmp_path / "rows.csv").write_text("Deal,Title\nK1,Deal 1\n")
    args = ["move-stage", "--manifest", str(tmp_path / "rows.csv"), "--key-column", "Deal",
            "--key-field", "Legacy key", "--to-stage", "Contact Made", "--to-pipeline", "Sales"]
    res = CliRunner().invoke(app, [*args, "--yes", "--url", sandbox.url, *FAST,
                                   "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code != 0, res.output
    assert "no deal field 'Legacy key'" in res.output, res.output
    assert "--create-key-field" not in res.output, res.output
    assert "check its name" in res.output, res.output
