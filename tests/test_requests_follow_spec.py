"""Every request pdbulk sends in its real flows is one the official specs accept: each job
kind run through the CLI (import and its upsert, update setting and clearing custom fields
of several types, move-stage to won and to lost, merge, the nightly dedupe, undo of each),
every request recorded at the transport and validated with openapi-core against the
reduced official specs (``bulk/sandbox/spec``): path, method, query parameters and JSON
body. Stricter than the spec where a server may be: a query parameter or a body property
the operation does not declare is a violation too.

The sandbox accepts what pdbulk sends; this holds pdbulk to what Pipedrive documents, an
oracle independent of the sandbox (a request only the sandbox understood would pass every
other test). Known errata of the request schemas: ``addOrganization``'s schema requires
``title`` where an organization has a ``name`` (``tests/sandbox_spec_errata.py``);
``getUsers`` (v1) declares no ``start`` / ``limit``, which pdbulk pages with (a v1 list's
pagination, FACTS.md): both allowed by name below, nothing else."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from typer.testing import CliRunner

import bulk.sandbox
import bulk.transport as transport
from bulk.operations import get_operation
from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.sandbox_spec_errata import corrected

if TYPE_CHECKING:
    from openapi_core import OpenAPI

SPEC_DIR = Path(bulk.sandbox.__file__).parent / "spec"
TOKEN = "spec-requests-token-01"
# (operation, what the check says) allowed, each for its reason in the module docstring
ALLOWED = {("addOrganization", "'title' is a required property"),
           ("getUsers", "undeclared query parameters ['limit', 'start']")}

IMPORT_CSV = (
    "Key,Title,Company,Address,Contact,Email,Phone,Amount,Label,Close\n"
    'a1,New one,Brand New Org,"Main St 1, 10115 Berlin",Ann New,ann@new.example,'
    "+49 30 1234567,100 EUR,Hot,2027-02-01\n"
    "a2,New two,Brand New Org,,Bob New,bob@new.example,,200 EUR,,\n")
IMPORT_TOML = '''version = 1
[import]
key_column = "Key"
mode = "upsert"
[deal]
title = "Title"
value = "Amount"
label = "Label"
expected_close_date = "Close"
[person]
name = "Contact"
email = "Email"
phone = "Phone"
[organization]
name = "Company"
address = "Address"
'''
UPDATE_CSV = (
    "Deal,Title,Lead,Products,Contract,Renewal,Discount,Ext,Prob,Stage\n"
    '2,Renamed two,Partner,"CRM;Analytics",5000 EUR,2027-01-31,7.5,X-2,50,Sales > Qualified\n'
    "3,Renamed three,#CLEAR,#CLEAR,#CLEAR,#CLEAR,#CLEAR,#CLEAR,#CLEAR,\n"
    '4,Renamed four,cold call,crm,"1.234,50 EUR",31.12.2026,0,Y,10,\n')
UPDATE_TOML = '''version = 1
[update]
id_column = "Deal"
clear_values = ["#CLEAR"]
[defaults]
date_formats = ["%d.%m.%Y"]
[deal]
title = "Title"
probability = "Prob"
stage = "Stage"
[custom_fields]
"Lead source" = "Lead"
"Products of interest" = { column = "Products", separator = ";" }
"Contract value" = "Contract"
"Renewal date" = "Renewal"
"Discount" = "Discount"
"External ID" = "Ext"
'''


def _specs() -> tuple[dict[str, OpenAPI], dict[str, dict[str, Any]]]:
    # openapi_core imported where it is used: ~0.35 CPU s every xdist worker paid at
    # collection, run or not (issue 8)
    from openapi_core import OpenAPI

    checkers, raw = {}, {}
    for version in ("v1", "v2"):
        spec, _ = corrected(json.loads((SPEC_DIR / f"reduced-{version}.json").read_text(
            encoding="utf-8")), version)
        spec["servers"] = [{"url": "http://pipedrive.test" + ("/v1" if version == "v1"
                                                              else "/api/v2")}]
        raw[version], checkers[version] = spec, OpenAPI.from_dict(spec)
    return checkers, raw


def _declared(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """The spec's operation object for ``method path`` (its path template matched), with
    the path item's own parameters folded in; None when the spec has no such operation."""
    for template, item in spec["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) \
                and method.lower() in item:
            op = dict(item[method.lower()])
            op["parameters"] = [*op.get("parameters", []), *item.get("parameters", [])]
            return op
    return None


def violations(sent: list[tuple[str, str, bytes | None, str]]) -> list[tuple[str, str]]:
    """(operation, problem) of each request of ``sent`` the specs do not accept."""
    from openapi_core.testing import MockRequest

    checkers, raw = _specs()
    found: list[tuple[str, str]] = []
    for method, url, body, op_id in sent:
        op = get_operation(op_id)
        base = "/v1" if op.version == "v1" else "/api/v2"
        parts = urlsplit(url)
        path = parts.path[parts.path.index(base) + len(base):]
        args = dict(parse_qsl(parts.query, keep_blank_values=True))
        request = MockRequest("http://pipedrive.test", method.lower(), base + path, args=args,
                              headers={"content-type": "application/json",
                                       "x-api-token": "t"}, data=body)
        try:
            checkers[op.version].validate_request(request)
        except Exception as exc:  # every kind of violation is collected, none hidden
            cause = exc.__cause__ or exc
            for error in getattr(cause, "schema_errors", None) or [cause]:
                found.append((op_id, str(error).splitlines()[0].strip()))
        declared = _declared(raw[op.version], method, path)
        if declared is None:
            found.append((op_id, f"no {method} {path} in the spec"))
            continue
        names = {p["name"] for p in declared["parameters"] if p.get("in") == "query"}
        if extra := sorted(set(args) - names):
            found.append((op_id, f"undeclared query parameters {extra}"))
        if body:
            schema = (((declared.get("requestBody") or {}).get("content") or {})
                      .get("application/json") or {}).get("schema") or {}
            data = json.loads(body)
            if not declared.get("requestBody"):
                found.append((op_id, "a body where the spec declares none"))
            elif isinstance(data, dict) and schema.get("properties") \
                    and (extra := sorted(set(data) - set(schema["properties"]))):
                found.append((op_id, f"undeclared body properties {extra}"))
    return found


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, bytes | None, str]]]:
    sent: list[tuple[str, str, bytes | None, str]] = []
    send = transport.AiohttpTransport.send

    async def recording(self: transport.AiohttpTransport,
                        request: transport.Request) -> transport.Response:
        sent.append((request.method, request.url, request.body, request.operation))
        return await send(self, request)

    monkeypatch.setattr(transport.AiohttpTransport, "send", recording)
    yield sent


def test_every_request_of_every_kind_follows_the_spec(
        recorded: list[tuple[str, str, bytes | None, str]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "state"))
    for name, text in (("i.csv", IMPORT_CSV), ("i.toml", IMPORT_TOML), ("u.csv", UPDATE_CSV),
                       ("u.toml", UPDATE_TOML), ("m.csv", "Deal\n5\n6\n7\n"),
                       ("p.csv", "survivor_id,merge_id\n8,9\n10,11\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=60,
                                       seed=5, time_scale=0.05)) as sb:
        env = {"PIPEDRIVE_API_TOKEN": TOKEN, "PIPEDRIVE_URL": sb.url}
        engine = ["--oauth", "--plan", "ultimate"]
        runner = CliRunner()
        commands = [
            ["import", "i.csv", "-m", "i.toml", "--create-key-field"],
            ["update", "u.csv", "-m", "u.toml", "--yes"],
            ["move-stage", "--manifest", "m.csv", "--id-column", "Deal", "--to-stage",
             "Proposal Made", "--to-pipeline", "Sales", "--status-to", "won", "--yes"],
            ["move-stage", "--manifest", "m.csv", "--id-column", "Deal", "--to-stage",
             "Lead In", "--status-to", "lost", "--lost-reason", "Price", "--yes"],
            ["merge", "p.csv", "--yes"],
            ["dedupe", "run", "--since-last", "--max-merges", "5"],
        ]
        made: list[Path] = []  # the job folders in the order their commands ran

        def run(args: list[str]) -> None:
            before = set((tmp_path / "pdbulk-jobs").glob("2*"))
            result = runner.invoke(app, [*args, *engine], env=env)
            assert result.exit_code == 0, (args, result.output)
            made.extend(sorted(set((tmp_path / "pdbulk-jobs").glob("2*")) - before))

        for args in commands:
            run(args)
        (tmp_path / "i.csv").write_text(IMPORT_CSV.replace("New one", "New one v2"),
                                        encoding="utf-8")
        run(["import", "i.csv", "-m", "i.toml"])
        undone = 0
        # newest first, by the order the jobs ran (their folder names share a second)
        for job in reversed(made):
            if "-merge-" in job.name or "-dedupe-" in job.name:
                continue  # merges are final: nothing to send
            result = runner.invoke(app, ["undo", job.name, "--yes", "--force", *engine],
                                   env=env)
            assert result.exit_code == 0, (job.name, result.output)
            undone += 1
        assert undone == 5
    kinds = {op for *_, op in recorded}
    assert {"addDeal", "updateDeal", "deleteDeal", "addPerson", "addOrganization",
            "mergeDeals", "getDeals", "getDealFields"} <= kinds, kinds
    assert sorted(set(violations(recorded)) - ALLOWED) == []


def test_the_check_can_fail() -> None:
    """What a request outside the spec looks like to the check: each kind is named."""
    sent = [("GET", "http://x/api/v2/deals?status=maybe&colour=red", None, "getDeals"),
            ("POST", "http://x/api/v2/deals", b'{"title": "T", "colour": 1}', "addDeal"),
            ("PATCH", "http://x/api/v2/deals/5", b'{"value": "lots"}', "updateDeal")]
    found = violations(sent)
    text = " | ".join(f"{op}: {problem}" for op, problem in found)
    assert "undeclared query parameters ['colour']" in text
    assert "undeclared body properties ['colour']" in text
    assert any(op == "getDeals" and "maybe" in p for op, p in found), text
    assert any(op == "updateDeal" and "lots" in p for op, p in found), text
