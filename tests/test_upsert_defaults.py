"""A mapping's ``default`` fills a blank cell of a new deal only: on a deal that exists, a
blank cell leaves its value, whatever the target (x41r3 F2).

A blank Seats cell under ``default = 1`` wrote 1 over the 7 a colleague set, a blank
Region its default over the file's own value; a blank stage and owner under defaults
moved a deal from "Proposal Made" back to "Qualified" and gave Tom's deal to Priya, and
the plan counted those writes. README: "in upsert mode an empty cell leaves the deal's
value as it is" — as ``defaults.currency`` already did. The plan says what the run does."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from pdbulk.cli import app
from tests.import_support import sandbox_deals
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "upsert-defaults-token"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ENV = {"PIPEDRIVE_API_TOKEN": TOKEN}
FAST = ["--plan", "ultimate", "--oauth"]


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0,
                                       seed=41)) as sb:
        yield sb


def _call(sb: Sandbox, method: str, path: str, body: Any) -> Any:
    req = urllib.request.Request(sb.url + path, method=method, data=orjson.dumps(body),
                                 headers={"authorization": f"Bearer {TOKEN}",
                                          "content-type": "application/json"})
    with _LOCAL.open(req, timeout=10) as resp:
        return orjson.loads(resp.read())["data"]


def _run(sb: Sandbox, tmp: Path, name: str, text: str, mapping: Path) -> Any:
    """``plan import --json`` then ``import`` of ``text`` from a state folder of its own
    (nothing recorded of what an earlier run wrote: x41r3 ran from a fresh one): the
    run's actions, its tokens checked to be the plan's."""
    env = {**ENV, "PDBULK_STATE_DIR": str(tmp / f"state-{name}")}
    manifest = tmp / f"{name}.csv"
    manifest.write_text(text, encoding="utf-8")
    args = [str(manifest), "--mapping", str(mapping), "--create-key-field", "--url", sb.url,
            *FAST]
    plan = CliRunner().invoke(app, ["plan", "import", *args, "--json"], env=env)
    assert plan.exit_code == 0, plan.output
    run = CliRunner().invoke(app, ["import", *args, "--json", "--job-dir",
                                   str(tmp / f"jobs-{name}")], env=env)
    assert run.exit_code == 0, run.output
    planned = orjson.loads(plan.stdout)
    done = orjson.loads(run.stdout)
    assert planned["tokens"] == done["tokens"], (planned, done)
    return done["actions"]


def _deal(sb: Sandbox, title: str) -> dict[str, Any]:
    return next(d for d in sandbox_deals(sb) if d["title"] == title)


def test_a_blank_custom_field_cell_keeps_the_deals_value(sandbox: Sandbox,
                                                         tmp_path: Path) -> None:
    """x41r3's dflt/a.csv, b.csv, m.toml: the new deal takes the defaults; the blank cells
    of the next file leave the file's APAC and the colleague's 7."""
    region = _call(sandbox, "POST", "/api/v2/dealFields", {
        "field_name": "Region", "field_type": "enum",
        "options": [{"label": "APAC"}, {"label": "LATAM"}]})
    seats = _call(sandbox, "POST", "/api/v2/dealFields",
                  {"field_name": "Seats", "field_type": "double"})["field_code"]
    option = {o["label"]: o["id"] for o in region["options"]}
    mapping = tmp_path / "m.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "key"\nmode = "upsert"\n'
                       '[deal]\ntitle = "title"\n[custom_fields]\n'
                       '"Region" = { column = "region", default = "LATAM" }\n'
                       '"Seats" = { column = "seats", default = 1 }\n')
    _run(sandbox, tmp_path, "a", "key,title,region,seats\r\nDF1,one,APAC,5\r\n"
         "DF2,two,,\r\n", mapping)
    one, two = _deal(sandbox, "one"), _deal(sandbox, "two")
    code = region["field_code"]
    assert (one["custom_fields"][code], one["custom_fields"][seats]) == (option["APAC"], 5)
    assert (two["custom_fields"][code], two["custom_fields"][seats]) == (option["LATAM"], 1)
    _call(sandbox, "PATCH", f"/api/v2/deals/{one['id']}", {"custom_fields": {seats: 7}})
    actions = _run(sandbox, tmp_path, "b", "key,title,region,seats\r\nDF1,one,,\r\n"
                   "DF3,three,,\r\n", mapping)
    assert actions == {"created": 1, "unchanged": 1}, actions
    one, three = _deal(sandbox, "one"), _deal(sandbox, "three")
    assert (one["custom_fields"][code], one["custom_fields"][seats]) == (option["APAC"], 7)
    assert (three["custom_fields"][code], three["custom_fields"][seats]) == \
        (option["LATAM"], 1)


def test_blank_stage_and_owner_keep_a_colleagues_values(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    """x41r3's dflt/c.csv, mc.toml (docs' HubSpot example): pipeline, stage and owner
    defaults place a new deal; a deal a colleague moved to Proposal Made and gave Tom
    stays there; a filled stage cell is written."""
    mapping = tmp_path / "mc.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "key"\nmode = "upsert"\n'
                       '[deal]\ntitle = "title"\npipeline = { default = "Sales" }\n'
                       'stage = { column = "stage", default = "Qualified" }\n'
                       'owner = { column = "owner", default = '
                       '"priya.nair@sandbox-company.example" }\n')
    head = "key,title,stage,owner\r\n"
    _run(sandbox, tmp_path, "c1", head + "C1,one,,\r\nC2,two,,\r\n", mapping)
    for title in ("one", "two"):
        made = _deal(sandbox, title)
        assert (made["stage_id"], made["owner_id"]) == (1, 3), made
    one = _deal(sandbox, "one")
    _call(sandbox, "PATCH", f"/api/v2/deals/{one['id']}", {"stage_id": 4, "owner_id": 2})
    actions = _run(sandbox, tmp_path, "c2", head + "C1,one,,\r\nC2,two,Demo Scheduled,\r\n"
                   "C3,three,,\r\n", mapping)
    assert actions == {"created": 1, "unchanged": 1, "updated": 1}, actions
    one, two, three = (_deal(sandbox, t) for t in ("one", "two", "three"))
    assert (one["stage_id"], one["owner_id"]) == (4, 2)
    assert (two["stage_id"], two["owner_id"]) == (3, 3)
    assert (three["stage_id"], three["owner_id"]) == (1, 3)


def _mapper(deal: str) -> Any:
    from jobs.catalog import Catalog
    from jobs.mapping import Mapping, compile_mapping

    catalog = Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}, {"id": 2, "name": "Partners"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1},
                {"id": 21, "name": "Lead In", "pipeline_id": 2, "order_nr": 1}],
        users=[{"id": 100, "name": "Ann Lee", "email": "ann@acme.test", "active_flag": True}],
        deal_fields=[{"field_code": "k" * 40, "field_name": "Import source key",
                      "field_type": "varchar", "is_custom_field": True}])
    text = f'version = 1\n[import]\nkey_column = "key"\n[deal]\ntitle = "title"\n{deal}'
    return compile_mapping(Mapping.loads(text), catalog,
                           header=["key", "title", "amount", "cur", "pipe", "stage"])


def _map(mapper: Any, **cells: str) -> Any:
    from bulk.manifest import SourceRow

    values = dict.fromkeys(["amount", "cur", "pipe", "stage"], "") | cells
    return mapper.map(SourceRow(2, 2, {"key": "K1", "title": "T", **values}))


def test_what_holds_its_default_is_named() -> None:
    """``MappedRow.defaulted``: a blank stage under a default is the default's unless the
    row names a pipeline (the default stage there places it); a deal.currency default
    alone is open as ``defaults.currency`` is (a deal that exists keeps its own)."""
    mapper = _mapper('pipeline = { column = "pipe", default = "Sales" }\n'
                     'stage = { column = "stage", default = "Qualified" }\n'
                     'value = "amount"\ncurrency = { column = "cur", default = "EUR" }\n')
    blank = _map(mapper, amount="100")
    assert blank.deal["stage_id"] == 11 and blank.deal["currency"] == "EUR"
    assert blank.defaulted == ("stage_id",) and blank.currency_defaulted
    named = _map(mapper, amount="100", pipe="sales", cur="USD")
    assert named.deal["stage_id"] == 11 and named.deal["currency"] == "USD"
    assert named.defaulted == () and not named.currency_defaulted
