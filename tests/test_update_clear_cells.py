"""``[update] clear_values`` per target, as openapi-v2's updateDeal allows it: the labels
(``label_ids``, an array the spec does not mark nullable) are cleared by the empty array;
a multi-option custom field by null (the spec: "sending an empty array [] is not
supported"); a clear cell read by a template — or a template rendering one — fails its
row naming the column, never sent as text (f27b: ``title = "{Name} {Tag}"`` with
``#CLEAR`` under Tag renamed the deal "Acme #CLEAR", and labels could not be cleared)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import InputError
from bulk.manifest import SourceRow
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.update_mapping import UpdateMapping, UpdateMappingError, wanted_values
from pdbulk.cli import app
from tests.test_mapping import catalog  # noqa: F401  (fixture)
from tests.test_update import code, option, write_csv
from tests.update_support import cli_args, threaded_sandbox

MAPPING = """
version = 1
[update]
id_column = "Deal"
clear_values = ["#CLEAR"]
[deal]
title = "{Name} {Tag}"
label = "Labels"
[custom_fields]
"Products of interest" = { column = "Products", separator = ";" }
"Lead source" = "{Prefix}{Suffix}"
"""


def _label(sb: Sandbox, name: str) -> int:
    options = sb.state.fields["label_ids"]["options"]  # type: ignore[attr-defined]
    return int(next(o["id"] for o in options if o["label"] == name))


def _deal(sb: Sandbox, deal_id: int) -> dict[str, Any]:
    return dict(sb.state.deals.rows[deal_id])


def test_clear_cells_by_target_kind(tmp_path: Path) -> None:
    """Row 2 clears deal 1's labels ([]) and its products (null), and nothing else; row 3
    (deal 2) fails naming Tag, row 4 (deal 3) fails naming the template Lead source
    renders to the marker; deal 4, already without labels, is unchanged. Undo puts the
    labels back."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=8, seed=7)) as sb:
        products = code(sb, "Products of interest")
        hot = _label(sb, next(o["label"] for o in sb.state.fields["label_ids"]["options"]))
        for deal_id in (1, 2, 3, 4):
            sb.state.deals.rows[deal_id]["label_ids"] = [hot] if deal_id != 4 else []
            sb.state.deals.rows[deal_id]["custom_fields"][products] = [
                option(sb, "Products of interest", "CRM")]
        titles = {d: _deal(sb, d)["title"] for d in (1, 2, 3)}
        rows = [{"Deal": 1, "Name": "", "Tag": "", "Labels": "#CLEAR", "Products": "#clear",
                 "Prefix": "", "Suffix": ""},
                {"Deal": 2, "Name": "Acme", "Tag": "#CLEAR", "Labels": "", "Products": "",
                 "Prefix": "", "Suffix": ""},
                {"Deal": 3, "Name": "", "Tag": "", "Labels": "", "Products": "",
                 "Prefix": "#CL", "Suffix": "EAR"},
                {"Deal": 4, "Name": "", "Tag": "", "Labels": "#CLEAR", "Products": "",
                 "Prefix": "", "Suffix": ""}]
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = ["--mapping", str(tmp_path / "map.toml"), *cli_args(sb, tmp_path / "jobs")]
        planned = CliRunner().invoke(app, ["plan", "update", str(manifest), "--json", *args],
                                     env=env)
        assert planned.exit_code == 3, planned.output
        shown = orjson.loads(planned.output)
        failed = {r["row"]: r for r in shown["failed_rows"]}
        assert sorted(failed) == [3, 4], failed
        assert failed[3]["column"] == "Tag" and "template '{Name} {Tag}'" in \
            failed[3]["reason"], failed[3]
        assert failed[4]["column"] == "Prefix, Suffix" and "renders '#CLEAR'" in \
            failed[4]["reason"], failed[4]
        assert shown["changed_fields"] == {"label_ids (cleared)": 1,
                                           "Products of interest (cleared)": 1}, shown
        assert shown["actions"]["unchanged"] == 1, shown
        done = CliRunner().invoke(app, ["update", str(manifest), *args], env=env)
        assert done.exit_code == 3, done.output
        first = _deal(sb, 1)
        assert first["label_ids"] == [] and first["custom_fields"].get(products) is None
        assert first["title"] == titles[1]
        assert _deal(sb, 2)["title"] == titles[2] and _deal(sb, 2)["label_ids"] == [hot]
        (job,) = (tmp_path / "jobs").iterdir()
        undone = CliRunner().invoke(app, ["undo", job.name, "--yes", *cli_args(
            sb, tmp_path / "jobs")], env=env)
        assert undone.exit_code == 0, undone.output
        assert _deal(sb, 1)["label_ids"] == [hot]


HEAD = ("version = 1\n[update]\nkey_column = 'K'\nclear_values = ['-', '#CLEAR']\n"
        "[deal]\n")


@pytest.mark.parametrize("spec", [
    "title = { template = '{A} {B}', default = '#CLEAR' }\n",
    "title = { column = 'A', default = ' #clear ' }\n",
    "title = 'A'\n[custom_fields]\n'Lead source' = { column = 'S', default = '-' }\n",
])
def test_a_default_that_is_a_clear_value_is_refused_at_load(spec: str) -> None:
    """A default equal to a clear value is ambiguous (a clear, or the text to write?):
    refused when the mapping loads, naming its key (before: a row of empty cells wrote
    the title "#CLEAR")."""
    with pytest.raises(UpdateMappingError) as exc:
        UpdateMapping.loads(HEAD + spec)
    said = str(exc.value)
    assert ".default" in said and "clear_values" in said, said


def test_a_clear_value_in_a_templates_own_text_is_its_text(catalog: Any) -> None:  # noqa: F811
    """`{A} - {B}` where `-` is a clear value: not refused (a template renders nothing when
    its columns are empty, and a cell's text is never trimmed, so its own text never
    renders a clear value alone); its dash is text, and a cell `-` under A fails its row."""
    umap = UpdateMapping.loads(HEAD + "title = '{A} - {B}'\n")
    mapper = umap.compile(catalog)
    assert wanted_values(mapper, SourceRow(2, 2, {"K": "a1", "A": "Acme", "B": "Q3"}),
                         clear=umap.clear) == ("a1", {"title": "Acme - Q3"}, None)
    assert wanted_values(mapper, SourceRow(3, 3, {"K": "a1", "A": "", "B": ""}),
                         clear=umap.clear) == ("a1", {}, None)
    with pytest.raises(InputError, match="read by the template"):
        wanted_values(mapper, SourceRow(4, 4, {"K": "a1", "A": "-", "B": "Q3"}),
                      clear=umap.clear)


@pytest.mark.parametrize(("spec", "column", "cell"), [
    ("title = 'T'\nlabel = 'L'\n", "L", "Hot;#CLEAR"),
    ("title = 'T'\nlabel = { column = 'L', separator = '|' }\n", "L", "#clear | Hot"),
    ("title = 'T'\n[custom_fields]\n'Products' = 'P'\n", "P", "CRM; #CLEAR; Email"),
])
def test_a_clear_value_among_options_fails_saying_so(catalog: Any, spec: str,  # noqa: F811
                                                     column: str, cell: str) -> None:
    """`Hot;#CLEAR` in a labels or multi-option cell fails its row naming the column and
    saying a clear value is not combined with options (before: "unknown option")."""
    umap = UpdateMapping.loads(HEAD + spec)
    mapper = umap.compile(catalog)
    with pytest.raises(InputError) as exc:
        wanted_values(mapper, SourceRow(2, 2, {"K": "a1", "T": "", column: cell}),
                      clear=umap.clear)
    assert exc.value.column == column, exc.value
    assert "cannot be combined with options" in exc.value.reason, exc.value


def test_options_alone_or_a_clear_value_alone_still_read(catalog: Any) -> None:  # noqa: F811
    """The options alone set them; the clear value alone clears; a text field's `a;-` is
    its text."""
    umap = UpdateMapping.loads(HEAD + "title = 'T'\nlabel = 'L'\n[custom_fields]\n"
                               "'Background' = 'B'\n")
    mapper = umap.compile(catalog)
    row = {"K": "a1", "T": "", "L": "Hot;Cold", "B": "a;-"}
    _, wanted, _ = wanted_values(mapper, SourceRow(2, 2, row), clear=umap.clear)
    assert wanted["label_ids"] == [1, 2], wanted
    assert list(wanted["custom_fields"].values()) == ["a;-"], wanted
    _, wanted, _ = wanted_values(mapper, SourceRow(3, 3, {**row, "L": "#CLEAR"}),
                                 clear=umap.clear)
    assert wanted["label_ids"] == [], wanted


def test_a_clear_value_in_a_json_array_of_options_fails_saying_so(
        catalog: Any) -> None:  # noqa: F811
    """A JSON manifest's `["Hot", "#CLEAR"]` under the labels: the same error."""
    umap = UpdateMapping.loads(HEAD + "title = 'T'\nlabel = 'L'\n")
    mapper = umap.compile(catalog)
    with pytest.raises(InputError, match="cannot be combined with options"):
        wanted_values(mapper, SourceRow(2, 2, {"K": "a1", "T": "", "L": ["Hot", "#CLEAR"]}),
                      clear=umap.clear)


@pytest.mark.parametrize("spec,key", [
    ("title = 'A'\nstage = { column = 'S', map = { 'Dead' = '#CLEAR', 'Won' = 'Won' } }\n",
     "deal.stage.map"),
    ("title = 'A'\n[custom_fields]\n'Lead source' = { column = 'L', map = { x = ' - ' } }\n",
     "custom_fields.Lead source.map"),
    ("title = 'A'\nlabel = { column = 'T', map = { '#clear' = 'Hot' } }\n", "deal.label.map"),
])
def test_a_clear_value_in_a_map_is_refused_at_load(spec: str, key: str) -> None:
    """f29h 3: a ``map`` whose value is a clear value (``'Dead' = '#CLEAR'``) was taken: the
    marker went on as the field's text or a name to look up, never a clear; a ``map`` key
    that is one is never read (the cell clears first). Both are refused when the mapping
    loads, naming the map's field and entry."""
    with pytest.raises(UpdateMappingError) as exc:
        UpdateMapping.loads(HEAD + spec)
    said = str(exc.value)
    assert key in said and "clear_values" in said, said
