"""A refused import mapping names every problem of its kind at once, each under its TOML
key (x22r2): the file's (schema, options, TODOs) and the manifest's columns before any
call (x25r1 F3: a TODO was refused after ~20 tokens of account reads), then the
account's names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "all-problems-token"
FAST = ["--plan", "ultimate", "--oauth"]
HEAD = "id,title,stage,owner,product\nk1,Deal 1,closedwon,ann@example.com,CRM\n"
NAMES = ('[deal.stage]\ncolumn = "stage"\n[deal.stage.map]\n"closedwon" = "wonn"\n'
         '[custom_fields]\n"Products of interest" = { column = "product", '
         'map = { "CRM" = "CRMM" } }\n')


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=3,
                                       seed=3)) as sb:
        yield sb


def _run(sb: Sandbox, tmp_path: Path, mapping: str, *command: str) -> tuple[int, str]:
    (tmp_path / "big.csv").write_text(HEAD)
    (tmp_path / "t6.toml").write_text(mapping)
    extra = ["--create-key-field"] if "import" in command else ["--yes"]
    res = CliRunner().invoke(app, [*command, str(tmp_path / "big.csv"), "-m",
                                   str(tmp_path / "t6.toml"), *extra, "--url",
                                   sb.url, *FAST, "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    return res.exit_code, res.output


def _requests(sb: Sandbox) -> dict[str, int]:
    return dict(sb.stats()["requests_by_operation"])


def test_a_misspelt_table_does_not_hide_the_names(sandbox: Sandbox, tmp_path: Path) -> None:
    """`[persn]`, a stage map typo and an option typo: `persn` is refused before any
    call, saying the names come after; with it fixed, one refusal names both names."""
    mapping = '[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n' + NAMES
    code, out = _run(sandbox, tmp_path, mapping + '[persn]\nname = "title"\n', "plan", "import")
    assert code == 1, out
    assert "persn: unknown key" in out and "checked against the account once these are " \
        "fixed" in out, out
    assert "wonn" not in out and _requests(sandbox) == {}, _requests(sandbox)
    code, out = _run(sandbox, tmp_path, mapping, "plan", "import")
    assert code == 1, out
    assert "deal.stage.map.closedwon: no stage named 'wonn'" in out
    assert '"Products of interest".map.CRM' in out and "'CRMM'" in out
    assert "Traceback" not in out and TOKEN not in out


def test_a_column_typo_does_not_hide_the_names(sandbox: Sandbox, tmp_path: Path) -> None:
    """A column the manifest lacks is refused before any call, from `plan import` and
    `import` (no job, nothing written); fixed, the bad pipeline, stage and option are one
    refusal."""
    mapping = ('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\nowner = "Deal Ownr"\n'
               'pipeline = { default = "Salez" }\n' + NAMES)
    for command in (("plan", "import"), ("import",)):
        code, out = _run(sandbox, tmp_path, mapping, *command)
        assert code == 1, out
        assert "the mapping reads 'Deal Ownr': no such column" in out, out
        assert "Salez" not in out and "checked against the account" in out, out
    assert _requests(sandbox) == {}, _requests(sandbox)
    for command in (("plan", "import"), ("import",)):
        code, out = _run(sandbox, tmp_path, mapping.replace("Deal Ownr", "owner"), *command)
        assert code == 1, out
        assert "deal.pipeline.default: no pipeline named 'Salez'" in out, out
        assert "no stage named 'wonn'" in out and "'CRMM'" in out
    assert not any((tmp_path / "jobs").glob("*/job.sqlite*"))
    assert sandbox.stats()["writes_applied"] == {}


@pytest.mark.parametrize("command", [("plan", "import"), ("import",), ("plan", "update"),
                                     ("update",)])
def test_a_todo_is_refused_before_any_call(sandbox: Sandbox, tmp_path: Path,
                                           command: tuple[str, ...]) -> None:
    """x25r1 F3: a TODO left by init-mapping (and a bad stage name beside it) is refused
    with no request at all (it was refused after ~20 tokens of pipelines, stages, fields
    and users read), for every command taking a mapping; the refusal says the names are
    checked once it is fixed."""
    head = ('[update]\nid_column = "id"\n' if "update" in command
            else '[import]\nkey_column = "id"\n')
    mapping = (head + '[deal]\ntitle = "title"\n' + NAMES
               + '# TODO: map each source stage below to one of: Lead In, Won\n')
    code, out = _run(sandbox, tmp_path, mapping, *command)
    assert code == 1, out
    assert "unresolved TODO on line" in out and "checked against the account once these " \
        "are fixed" in out, out
    assert "Traceback" not in out and TOKEN not in out
    assert _requests(sandbox) == {}, _requests(sandbox)
    assert not any((tmp_path / "jobs").glob("*/job.sqlite*"))


def test_schema_problems_and_todos_are_said_together(tmp_path: Path) -> None:
    """Without an account: an unknown key, an option a target does not use and a TODO
    line are one refusal, and what is left of the file is kept to check on."""
    from jobs.mapping import Mapping, MappingError

    with pytest.raises(MappingError) as caught:
        Mapping.loads('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                      'value = { column = "v", formats = ["%d"] }\n[persn]\nname = "x"\n'
                      '# TODO: decide\n')
    keys = [key for key, _ in caught.value.problems]
    assert keys == ["persn", "deal.value.formats", ""], caught.value.problems
    assert caught.value.partial is not None and caught.value.partial.columns() == ["id", "title", "v"]


def test_an_entry_of_the_wrong_kind_is_said_in_the_file_s_terms(sandbox: Sandbox,
                                                                tmp_path: Path) -> None:
    """`title = ["title"]` and `import = "x"` are said as what they should have been
    (a column name, a template or a table), not as pydantic's "valid dictionary or
    instance of FieldSpec" (x34r5); nothing is read from the account."""
    mapping = 'version = 1\nimport = "x"\n[deal]\ntitle = ["title"]\nvalue = 5\n'
    code, out = _run(sandbox, tmp_path, mapping, "plan", "import")
    assert code == 1, out
    assert 'deal.title: must be a column name ("Deal name"), a template' in out, out
    assert "not a list" in out and "deal.value: must be a column name" in out, out
    assert "import: must be a table" in out and "not a text" in out, out
    assert "FieldSpec" not in out and "dictionary" not in out, out
    assert _requests(sandbox) == {}, _requests(sandbox)


def test_a_long_header_cell_is_not_echoed_whole(sandbox: Sandbox, tmp_path: Path) -> None:
    """A 4,000-character header cell in the "its columns" list is cut to 60 characters
    (x34r5: the refusal echoed it whole)."""
    (tmp_path / "wide.csv").write_text("t" * 4000 + ",id\nA,1\n")
    (tmp_path / "m.toml").write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n')
    res = CliRunner().invoke(app, ["plan", "import", str(tmp_path / "wide.csv"), "-m",
                                   str(tmp_path / "m.toml"), "--url", sandbox.url, *FAST,
                                   "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    assert res.exit_code == 1, res.output
    assert "no such column in the manifest" in res.output, res.output
    assert "t" * 59 + "…" in res.output and "t" * 61 not in res.output, res.output[:300]
