"""A plan names the fields its updates change, with how many deals get a new value in
each (x20r2 F6): `plan update`, `plan import` (upsert), text and --json, custom fields by
their label, the many-field case shortened."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from rich.console import Console
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from jobs.planning import Plan, render_plan
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_update import MAPPING, rows_for, write_csv
from tests.update_support import cli_args, delta, requests, threaded_sandbox

TOKEN = "plan-fields-token"
FAST = ["--plan", "ultimate", "--oauth"]


def test_plan_update_counts_deals_per_changed_field(tmp_path: Path) -> None:
    """x20r2 F6: `plan update` said `update 5` and not what changes. Deals 5-9 change the
    value (2), the title (2) and the custom field "Lead source" (2, named by its label),
    by the comparison the run makes (deals 1-4 as they are count nowhere); the text lists
    them most first, --json as `changed_fields`, with no call more than before."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=20, seed=7)) as sb:
        rows, _ = rows_for(sb)
        manifest = write_csv(tmp_path / "rows.csv", rows)
        (tmp_path / "map.toml").write_text(MAPPING)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        argv = ["plan", "update", str(manifest), "--mapping", str(tmp_path / "map.toml"),
                *cli_args(sb, tmp_path / "jobs")]
        before = requests(sb)
        planned = CliRunner().invoke(app, [*argv, "--json"], env=env)
        assert planned.exit_code == 3, planned.output  # deal 999's row fails
        assert orjson.loads(planned.stdout)["changed_fields"] == {
            "Lead source": 2, "title": 2, "value": 2}
        calls = delta(before, requests(sb))
        text = CliRunner().invoke(app, argv, env=env).output
        assert delta(before, requests(sb)) == {op: 2 * n for op, n in calls.items()}
    lines = text.splitlines()
    at = lines.index("fields the updates change (deals getting a new value):")
    assert [line.split() for line in lines[at + 1:at + 4]] == [
        ["2", "Lead", "source"], ["2", "title"], ["2", "value"]]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=3)) as sb:
        yield sb


def test_plan_import_upsert_counts_deals_per_changed_field(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """x20r2 F6: an upsert's plan counts the fields of the deals it updates (the value of
    two, the title of one, "Lead source" of one by its label); created and unchanged deals
    count nowhere."""
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "id"\nmode = "upsert"\n[defaults]\n'
                       'currency = "USD"\n[deal]\ntitle = "title"\nvalue = "amount"\n'
                       '[custom_fields]\n"Lead source" = "source"\n')
    first = tmp_path / "first.csv"
    first.write_text("id,title,amount,source\nu1,One,5,Website\nu2,Two,6,Website\n"
                     "u3,Three,7,Website\n")
    ran = CliRunner().invoke(app, ["import", str(first), "--mapping", str(mapping),
                                   "--create-key-field", "--url", sandbox.url, *FAST,
                                   "--job-dir", str(tmp_path / "jobs")], env=env)
    assert ran.exit_code == 0, ran.output
    second = tmp_path / "second.csv"
    second.write_text("id,title,amount,source\nu1,One,50,Website\nu2,Two too,60,Referral\n"
                      "u3,Three,7,Website\nu4,Four,8,Website\n")
    argv = ["plan", "import", str(second), "--mapping", str(mapping), "--url", sandbox.url,
            *FAST, "--failed-csv", str(tmp_path / "plan-failed.csv")]
    res = CliRunner().invoke(app, [*argv, "--json"], env=env)
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout)["changed_fields"] == {
        "value": 2, "Lead source": 1, "title": 1}
    text = CliRunner().invoke(app, argv, env=env).output
    assert "fields the updates change (deals getting a new value):" in text
    assert "      2  value\n" in text and "      1  Lead source\n" in text


def test_a_plan_of_many_fields_names_the_first_ten() -> None:
    """Fifteen changed fields: the ten most changed, one a line, then '… and 5 more
    fields'; a plan that changes none prints no such block."""
    counts = {f"Field {n:02d}": 100 - n for n in range(15)}
    plan = Plan(kind="update", rows=100, bad_rows=0, calls={}, tokens=0,
                tokens_left_today=1000, seconds=1.0, days=1, changed_fields=counts)
    out = io.StringIO()
    render_plan(plan, console=Console(file=out, width=100, markup=False))
    text = out.getvalue()
    assert "     100  Field 00\n" in text and "      91  Field 09\n" in text
    assert "Field 10" not in text
    assert "… and 5 more fields (--json lists every one)" in text
    assert plan.to_json()["changed_fields"] == counts
    none = io.StringIO()
    render_plan(Plan(kind="update", rows=1, bad_rows=0, calls={}, tokens=0,
                     tokens_left_today=1000, seconds=1.0, days=1),
                console=Console(file=none, width=100, markup=False))
    assert "fields the updates change" not in none.getvalue()
