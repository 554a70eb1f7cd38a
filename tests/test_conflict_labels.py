"""A conflict names what the ids a field holds are called (x26r2 1): an option by its
label, a stage, a pipeline or a user by name — read at planning, kept in the job store
(``META_VALUE_LABELS``) — not ``Lead source: 4 then, 5 now``; a job stored before they
were kept still resumes and shows the ids."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from typer.testing import CliRunner

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from pdbulk.cli import app
from tests.sandbox_helpers import ThreadedSandbox
from tests.update_support import cli_args, deal, load_job

UPDATE_MAPPING = """[update]
id_column = "deal_id"
[deal]
stage = "stage"
owner = "owner"
[custom_fields]
"Lead source" = "src"
"Products of interest" = "prod"
"""


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with ThreadedSandbox(SandboxConfig(time_scale=0.05, deals=12, seed=43)) as box:
        yield box


def cli(sb: Sandbox, *args: str) -> Any:
    res = CliRunner().invoke(app, [*args], env={**os.environ, "PIPEDRIVE_API_TOKEN": sb.token})
    assert "Traceback" not in res.output, res.output
    return res


def field(sb: Sandbox, name: str) -> tuple[str, dict[str, int]]:
    """A custom field's code and its options, label -> id."""
    f = next(f for f in sb.state.fields.values() if f["field_name"] == name)
    return str(f["field_code"]), {str(o["label"]): int(o["id"]) for o in f["options"]}


def stage_of(sb: Sandbox, deal_id: int, other_than: set[int]) -> dict[str, Any]:
    """A stage of the deal's pipeline that is none of ``other_than``."""
    pipeline = deal(sb, deal_id)["pipeline_id"]
    return next(s for s in sb.state.stages.values()
                if s["pipeline_id"] == pipeline and s["id"] not in other_than)


def edit(sb: Sandbox, deal_id: int, **fields: Any) -> None:
    """A colleague's write, straight into the sandbox."""
    sb.state.save("deal", {**deal(sb, deal_id), **fields,
                           "update_time": "2031-01-01T00:00:00Z"})


def error_of(jobs: Path, job_id: str, key: str) -> str:
    with JobStore.open(jobs / job_id, lock=False) as store:
        (item,) = [i for i in store.items() if i.key == key]
        assert item.state is ItemState.FAILED, item
        return item.error or ""


def loaded_update(sb: Sandbox, tmp_path: Path, jobs: Path, deal_id: int) -> dict[str, Any]:
    """Job "upd" loaded, not run: the deal to Lead source Partner, Products CRM + Support,
    another stage, another owner. Returns what the colleague then sets, with the names."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    src, src_opts = field(sb, "Lead source")
    prod, prod_opts = field(sb, "Products of interest")
    now = deal(sb, deal_id)
    edit(sb, deal_id, custom_fields={**(now["custom_fields"] or {}),
                                     src: src_opts["Website"],
                                     prod: [prod_opts["Analytics"]]})
    first = stage_of(sb, deal_id, {now["stage_id"]})
    theirs = stage_of(sb, deal_id, {now["stage_id"], first["id"]})
    users = sorted((u for u in sb.state.users.values() if u["active_flag"]),
                   key=lambda u: int(u["id"]))
    owner_then = sb.state.users[now["owner_id"]]
    mine, colleague = [u for u in users if u["id"] != owner_then["id"]][:2]
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,stage,owner,src,prod\n"
                        f"{deal_id},{first['name']},{mine['email']},Partner,CRM;Support\n")

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, prep = await load_job(sb, jobs, "update", build, job_id="upd")
        assert prep.actions["update"] == 1, (prep.actions, [i.error for i in prep.items])
        store.close()
    anyio.run(load)
    edit(sb, deal_id, stage_id=theirs["id"], owner_id=colleague["id"],
         custom_fields={**(deal(sb, deal_id)["custom_fields"] or {}),
                        src: src_opts["Cold call"],
                        prod: [prod_opts["Training"], prod_opts["CRM"]]})
    pipe = sb.state.pipelines[now["pipeline_id"]]["name"]  # several pipelines: named too
    return {"stage": (f"{pipe} \u203a {sb.state.stages[now['stage_id']]['name']}",
                      f"{pipe} \u203a {theirs['name']}"),
            "owner": (owner_then["name"], colleague["name"]),
            "ids": (src_opts["Website"], src_opts["Cold call"], theirs["id"],
                    colleague["id"])}


def test_an_update_s_conflict_names_options_stages_and_users(
        sb: Sandbox, tmp_path: Path) -> None:
    """A colleague changes the Lead source, the products, the stage and the owner of a deal
    the update is to write: the conflict says "Lead source: Website then, Cold call now",
    the stages and users by name, never their ids."""
    jobs = tmp_path / "jobs"
    deal_id = sorted(sb.state.deals.rows)[0]
    seen = loaded_update(sb, tmp_path, jobs, deal_id)
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    error = error_of(jobs, "upd", str(deal_id))
    stage_then, stage_now = seen["stage"]
    owner_then, owner_now = seen["owner"]
    assert "Lead source: Website then, Cold call now" in error, error
    assert "Products of interest: [Analytics] then, [Training, CRM] now" in error, error
    assert f"stage_id: {stage_then} then, {stage_now} now" in error, error
    assert f"owner_id: {owner_then} then, {owner_now} now" in error, error


def test_a_job_stored_without_value_labels_still_resumes_and_shows_ids(
        sb: Sandbox, tmp_path: Path) -> None:
    """A job stored before the names were kept: its conflict shows the ids, as it did."""
    jobs = tmp_path / "jobs"
    deal_id = sorted(sb.state.deals.rows)[0]
    seen = loaded_update(sb, tmp_path, jobs, deal_id)
    with JobStore.open(jobs / "upd") as store:
        store.meta_put("value_labels", None)  # jobs.deals.META_VALUE_LABELS
    resumed = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    error = error_of(jobs, "upd", str(deal_id))
    website, cold_call, stage_now, owner_now = seen["ids"]
    assert f"Lead source: {website} then, {cold_call} now" in error, error
    assert f"{stage_now} now" in error and f"{owner_now} now" in error


def test_an_import_s_conflict_on_resume_names_options(sb: Sandbox, tmp_path: Path) -> None:
    """An upsert writing the Lead source, a colleague's change to it before the resume: the
    conflict names both options by label."""
    from tests.import_support import loaded_import, read_csv

    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text('[import]\nkey_column = "key"\nmode = "upsert"\n[defaults]\n'
                       'currency = "USD"\n[deal]\ntitle = "title"\n'
                       '[custom_fields]\n"Lead source" = "src"\n')
    first = tmp_path / "a.csv"
    first.write_text("key,title,src\nk1,One,Website\n")
    ran = cli(sb, "import", str(first), "-m", str(mapping), "--create-key-field",
              *cli_args(sb, jobs))
    assert ran.exit_code == 0, ran.output
    (made,) = [p for p in jobs.iterdir() if p.is_dir()]
    deal_id = int(read_csv(made / "succeeded.csv")[0]["deal_id"])
    second = tmp_path / "b.csv"
    second.write_text("key,title,src\nk1,One,Partner\n")
    job = loaded_import(sb, jobs, second, mapping)
    src, opts = field(sb, "Lead source")
    edit(sb, deal_id, custom_fields={**(deal(sb, deal_id)["custom_fields"] or {}),
                                     src: opts["Event"]})
    resumed = cli(sb, "resume", job, "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    assert "Lead source: Website then, Event now" in error_of(jobs, job, "k1")
