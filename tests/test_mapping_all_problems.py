"""A refused import mapping names every problem at once: the file's (schema), the
manifest's columns and the account's names, each under its TOML key (x22r2)."""

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
    res = CliRunner().invoke(app, [*command, str(tmp_path / "big.csv"), "-m",
                                   str(tmp_path / "t6.toml"), "--create-key-field", "--url",
                                   sb.url, *FAST, "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": TOKEN})
    return res.exit_code, res.output


def test_a_misspelt_table_does_not_hide_the_names(sandbox: Sandbox, tmp_path: Path) -> None:
    """`[persn]`, a stage map typo and an option typo: one refusal names all three."""
    code, out = _run(sandbox, tmp_path, '[import]\nkey_column = "id"\n[deal]\ntitle = "title"\n'
                     + NAMES + '[persn]\nname = "title"\n', "plan", "import")
    assert code == 1, out
    assert "persn: unknown key" in out
    assert "deal.stage.map.closedwon: no stage named 'wonn'" in out
    assert '"Products of interest".map.CRM' in out and "'CRMM'" in out
    assert "Traceback" not in out and TOKEN not in out


def test_a_column_typo_does_not_hide_the_names(sandbox: Sandbox, tmp_path: Path) -> None:
    """A column the manifest lacks, a bad pipeline, stage and option: all four at once,
    from `import` too, which then leaves no job and writes nothing."""
    mapping = ('[import]\nkey_column = "id"\n[deal]\ntitle = "title"\nowner = "Deal Ownr"\n'
               'pipeline = { default = "Salez" }\n' + NAMES)
    for command in (("plan", "import"), ("import",)):
        code, out = _run(sandbox, tmp_path, mapping, *command)
        assert code == 1, out
        assert "deal.owner: no column 'Deal Ownr' in the manifest" in out
        assert "deal.pipeline.default: no pipeline named 'Salez'" in out
        assert "no stage named 'wonn'" in out and "'CRMM'" in out
    assert not any((tmp_path / "jobs").glob("*/job.sqlite*"))
    assert sandbox.stats()["writes_applied"] == {}


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
