"""A key field renamed in Pipedrive is recognised by its field code (x32r4 t13): the
standing ``import --create-key-field`` upsert refuses instead of creating a new key field
and every deal again (``jobs.key_field_record``). Over HTTP: the rename is the sandbox's
updateDealField (PATCH /api/v2/dealFields/{field_code})."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bulk.claims import state_dir
from bulk.sandbox import Sandbox, SandboxConfig
from jobs.key_field_record import FOLDER
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox

TOKEN = "renamed-key-token"
FAST = ["--plan", "ultimate"]
OLD, NEW = "Import source key", "Legacy source key"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(plan="ultimate", token=TOKEN, deals=5, seed=9)) as sb:
        yield sb


def _api(sb: Sandbox, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        f"{sb.url}/api/v2/{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"x-api-token": TOKEN, "content-type": "application/json"})
    with _LOCAL.open(request, timeout=10) as answer:
        return json.loads(answer.read())["data"]


def _files(tmp: Path, key_field: str = OLD) -> tuple[Path, Path]:
    manifest = tmp / "deals.csv"
    manifest.write_text("Key,Title,Amount\nR1,Rename one,10\nR2,Rename two,20\n"
                        "R3,Rename three,30\n")
    mapping = tmp / "mapping.toml"
    mapping.write_text(f'version = 1\n[import]\nkey_column = "Key"\nkey_field = "{key_field}"\n'
                       'mode = "upsert"\n[defaults]\ncurrency = "USD"\n'
                       '[deal]\ntitle = "Title"\nvalue = "Amount"\n')
    return manifest, mapping


def _run(sb: Sandbox, tmp: Path, *args: str, key_field: str = OLD) -> Result:
    manifest, mapping = _files(tmp, key_field)
    return CliRunner().invoke(app, [*args, str(manifest), "--mapping", str(mapping),
                                    "--job-dir", str(tmp / "jobs"), "--url", sb.url, *FAST],
                              env={"PIPEDRIVE_API_TOKEN": TOKEN})


def _renamed_deals(sb: Sandbox) -> int:
    return sum(1 for d in _api(sb, "GET", "deals?limit=100")
               if d["title"].startswith("Rename"))


def _code(sb: Sandbox, name: str) -> str:
    return next(f["field_code"] for f in _api(sb, "GET", "dealFields?limit=500")
                if f["field_name"] == name)


def _imported_then_renamed(sb: Sandbox, tmp: Path) -> str:
    first = _run(sb, tmp, "import", "--create-key-field")
    assert first.exit_code == 0, first.output
    code = _code(sb, OLD)
    assert _api(sb, "PATCH", f"dealFields/{code}", {"field_name": NEW})["field_code"] == code
    return code


@pytest.mark.parametrize("record", ["state folder", "job root only"])
def test_the_standing_upsert_refuses_a_renamed_key_field(
        sandbox: Sandbox, tmp_path: Path, record: str) -> None:
    """Renamed OLD → NEW, the same `import --create-key-field` exits 1 naming both names
    and the code, nothing created (was: a new key field and R1-R3 created again, exit 0).
    "job root only": a state folder an older version left (no key-field record) — the job
    root's import jobs name the code."""
    code = _imported_then_renamed(sandbox, tmp_path)
    if record == "job root only":
        shutil.rmtree(state_dir() / FOLDER)
    adds = sandbox.stats()["requests_by_operation"].get("addDealField", 0)
    for command in (["plan", "import"], ["import"]):
        res = _run(sandbox, tmp_path, *command, "--create-key-field")
        assert res.exit_code == 1, (command, res.output)
        assert OLD in res.output and NEW in res.output and code in res.output, res.output
        assert "Traceback" not in res.output
    ops = sandbox.stats()["requests_by_operation"]
    assert ops.get("addDealField", 0) == adds and ops.get("addDeal", 0) == 3, ops
    assert _renamed_deals(sandbox) == 3
    assert len(list((tmp_path / "jobs").iterdir())) == 1  # the refused run left no job
    # the advice followed: the new name in the mapping, every row unchanged
    ok = _run(sandbox, tmp_path, "import", key_field=NEW)
    assert ok.exit_code == 0, ok.output
    assert _renamed_deals(sandbox) == 3


def test_a_new_field_under_the_old_name_is_refused_too(sandbox: Sandbox,
                                                       tmp_path: Path) -> None:
    """Renamed, then an empty field made under the old name: it holds none of the keys,
    so the upsert (even without --create-key-field) refuses, naming both fields."""
    code = _imported_then_renamed(sandbox, tmp_path)
    _api(sandbox, "POST", "dealFields", {"field_name": OLD, "field_type": "varchar"})
    res = _run(sandbox, tmp_path, "import")
    assert res.exit_code == 1, res.output
    assert code in res.output and NEW in res.output
    # its values are not read, so the line claims nothing of them (x32r5 F3: "it holds
    # none of the keys" was said of a field that held them all)
    assert "not the one earlier runs wrote the keys into" in res.output
    assert "holds none" not in res.output
    assert _renamed_deals(sandbox) == 3


def test_a_deleted_key_field_is_created_again(sandbox: Sandbox, tmp_path: Path) -> None:
    """The key field deleted (its keys gone with it): --create-key-field makes a new one
    and the rows create their deals, as for a first import — nothing to recognise."""
    code = _imported_then_renamed(sandbox, tmp_path)
    _api(sandbox, "DELETE", f"dealFields/{code}")
    res = _run(sandbox, tmp_path, "import", "--create-key-field")
    assert res.exit_code == 0, res.output
    assert _code(sandbox, OLD) != code


@pytest.mark.parametrize("command", [["plan", "import"], ["import"]])
def test_a_renamed_key_field_is_found_by_its_keys_from_a_new_state_folder(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    """Renamed OLD → NEW, then `--create-key-field` from a new state folder and a new job
    root (another machine: no record of the code): the deals' text fields are read for the
    file's keys, NEW holds all 3, so the run exits 1 naming NEW, its code and the mapping
    line to use — no field, no deal created (was: a second key field and R1-R3 again)."""
    code = _imported_then_renamed(sandbox, tmp_path)
    monkeypatch.setenv("PDBULK_STATE_DIR", str(tmp_path / "new-machine-state"))
    elsewhere = tmp_path / "new-machine"
    elsewhere.mkdir()
    ops = dict(sandbox.stats()["requests_by_operation"])
    res = _run(sandbox, elsewhere, *command, "--create-key-field")
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    assert NEW in res.output and code in res.output and "all 3" in res.output, res.output
    assert f"key_field = {NEW!r}" in res.output, res.output
    after = sandbox.stats()["requests_by_operation"]
    for op in ("addDealField", "addDeal", "updateDeal"):
        assert after.get(op, 0) == ops.get(op, 0), (op, after)
    assert _renamed_deals(sandbox) == 3
    assert not (elsewhere / "jobs").exists() or not any((elsewhere / "jobs").iterdir())
    # the advice followed from the new machine: every row unchanged, nothing created
    ok = _run(sandbox, elsewhere, "import", key_field=NEW)
    assert ok.exit_code == 0, ok.output
    assert _renamed_deals(sandbox) == 3


def test_new_keys_from_a_new_state_folder_create_the_key_field(
        sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard refuses only keys the account holds: a first import whose keys no text
    field holds creates its key field and its deals as before (the read priced in its
    plan: the plan's tokens are the run's)."""
    manifest, mapping = _files(tmp_path)
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    args = [str(manifest), "--mapping", str(mapping), "--job-dir", str(tmp_path / "jobs"),
            "--url", sandbox.url, *FAST, "--create-key-field"]
    plan = CliRunner().invoke(app, ["plan", "import", *args, "--json"], env=env)
    assert plan.exit_code == 0, plan.output
    before = sandbox.stats()["tokens_spent"]
    res = CliRunner().invoke(app, ["import", *args], env=env)
    assert res.exit_code == 0, res.output
    assert sandbox.stats()["tokens_spent"] - before == json.loads(plan.stdout)["tokens"]
    assert _renamed_deals(sandbox) == 3


def test_a_field_holding_a_few_keys_by_chance_refuses_nothing() -> None:
    """The refusal needs a tenth of the sampled keys (and one) in one field: a field that
    holds 1 of 100 file keys (short numeric ids) lets the key field be created; one that
    holds 10 of 100 refuses, naming the count and the field."""
    from bulk.errors import InputError
    from jobs.catalog import DealField
    from jobs.key_field_holders import refuse_held_keys

    field = DealField("c0de", "Legacy source key", "varchar", is_custom=True)
    refuse_held_keys(OLD, [field], {"c0de": 9}, 100)
    refuse_held_keys(OLD, [field], {}, 0)
    with pytest.raises(InputError) as refused:
        refuse_held_keys(OLD, [field], {"c0de": 10}, 100)
    assert "10 of the file's 100 source keys" in refused.value.reason
    assert "key_field = 'Legacy source key'" in refused.value.reason


def test_a_field_holding_under_a_tenth_of_the_keys_is_said_not_refused(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """A text field holds 1 of the file's 20 keys (under a tenth): `--create-key-field`
    still makes the key field and the deals, and the plan and the run say which field holds
    how many keys, and how keys are compared (before: not a word)."""
    code = _api(sandbox, "POST", "dealFields",
                {"field_name": "Legacy id", "field_type": "varchar"})["field_code"]
    _api(sandbox, "POST", "deals", {"title": "older", "custom_fields": {code: " R7 "}})
    manifest, mapping = _files(tmp_path)
    manifest.write_text("Key,Title,Amount\n"
                        + "".join(f"R{i},Rename {i},{i}\n" for i in range(1, 21)))
    args = [str(manifest), "--mapping", str(mapping), "--job-dir", str(tmp_path / "jobs"),
            "--url", sandbox.url, *FAST, "--create-key-field"]
    env = {"PIPEDRIVE_API_TOKEN": TOKEN}
    for command in (["plan", "import"], ["import"]):
        res = CliRunner().invoke(app, [*command, *args], env=env)
        assert res.exit_code == 0, res.output
        said = " ".join(res.output.split())
        assert f"'Legacy id' (code {code}): 1;" in said, res.output
        assert "of the file's 20 source keys" in said and "case kept" in said, res.output
    assert _renamed_deals(sandbox) == 20


def test_the_refusal_says_how_keys_are_compared() -> None:
    """The refusal names the rule the keys were compared by: spaces around a key ignored,
    case kept (``abc-1`` and ``ABC-1`` are two keys, as the upsert matches them)."""
    from bulk.errors import InputError
    from jobs.catalog import DealField
    from jobs.key_field_holders import refuse_held_keys

    field = DealField("c0de", "Legacy source key", "varchar", is_custom=True)
    assert refuse_held_keys(OLD, [field], {}, 100) is None
    with pytest.raises(InputError) as refused:
        refuse_held_keys(OLD, [field], {"c0de": 50}, 100)
    assert "surrounding spaces ignored, case kept" in refused.value.reason
