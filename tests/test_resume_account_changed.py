"""A resume (or retry) re-checks what its pending rows name against the account as it is
now, before it sends anything: a custom field, an option, a stage or a pipeline deleted,
or an owner deactivated, since the load is refused in one line naming it, exit 1, nothing
sent and the job left resumable (x43r4 F3: 46 orphan person / organization pairs and 648
tokens spent on addDeal 400s after a mapped field was deleted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.import_support import sandbox_deals
from tests.test_plan_tokens import cli, engine, resume_tokens, sb, spent  # noqa: F401

BIG = ["--max-tokens", "5000"]
MAPPING = """version = 1
[import]
key_column = "key"
[defaults]
currency = "EUR"
[deal]
title = "{title}"
value = "amount"
stage = "stage"
[person]
name = "name"
[organization]
name = "org"
[custom_fields]
"Discount" = "disc"
"Lead source" = "src"
"""


def _stopped(sb: Sandbox, tmp_path: Path, rows: int = 40,  # noqa: F811
             cap: str = "300") -> tuple[Path, Path, Path]:
    """(job root, job folder, mapping) of an import stopped by its cap part-way."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING)
    manifest.write_text("key,title,amount,stage,name,org,disc,src\n" + "".join(
        f"k{i},Deal {i},5,Qualified,P {i},O {i},{i},Website\n" for i in range(rows)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", "--max-tokens", cap, *engine(sb, jobs))
    assert first.exit_code == 4, first.output
    (job,) = jobs.iterdir()
    return jobs, job, mapping


def _field(box: Sandbox, name: str) -> Any:
    return next(f for f in box.state.fields.values() if f["field_name"] == name)


def _pending(job: Path) -> int:
    with JobStore.open(job, lock=False) as store:
        return store.counts()[ItemState.PENDING]


def test_resume_refuses_a_deleted_custom_field(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """The mapped custom field deleted after a stop: the resume exits 1 naming it, sends
    nothing (no person, organization or deal made; only the reads of the check), and the
    job stays resumable; with the field out of the mapping it then finishes."""
    jobs, job, mapping = _stopped(sb, tmp_path)
    pending = _pending(job)
    assert pending > 5
    del sb.state.fields[_field(sb, "Discount")["field_code"]]
    before = spent(sb)
    persons, orgs = len(sb.state.persons), len(sb.state.orgs)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 1, resumed.output
    assert "'Discount'" in resumed.output and "no longer" in resumed.output, resumed.output
    assert (len(sb.state.persons), len(sb.state.orgs)) == (persons, orgs)
    # the check's reads alone (pipelines, stages, deal fields), priced in the plan
    assert spent(sb) - before == 20, resumed.output
    assert "getPipelines 1" in resumed.output and "getStages 1" in resumed.output
    assert _pending(job) == pending
    with JobStore.open(job, lock=False) as store:
        assert store.status == "stopped"
    mapping.write_text(MAPPING.replace('"Discount" = "disc"\n', ""))
    again = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert again.exit_code == 0, again.output


def test_resume_refuses_a_deleted_option_and_stage(sb: Sandbox,  # noqa: F811
                                                   tmp_path: Path) -> None:
    """The enum option the rows set and the stage they go to, deleted: both named."""
    jobs, job, _ = _stopped(sb, tmp_path)
    source = _field(sb, "Lead source")
    source["options"] = [o for o in source["options"] if o["label"] != "Website"]
    stage = next(s for s in sb.state.stages.values() if s["name"] == "Qualified")
    del sb.state.stages[stage["id"]]
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 1, resumed.output
    assert "'Website'" in resumed.output and "Qualified'" in resumed.output, resumed.output
    assert spent(sb) - before == 20


def test_resume_unchanged_account_goes_on(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Nothing changed: the check passes and the resume's plan still equals what the
    server counts."""
    jobs, job, _ = _stopped(sb, tmp_path)
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 0, resumed.output
    assert spent(sb) - before == resume_tokens(resumed.output)


def test_resume_refuses_a_deactivated_owner(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """The rows' owner deactivated after the stop: named, and the users' pull (20 tokens)
    is in the plan and in what was spent."""
    user = sb.state.users[2]
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.replace('stage = "stage"', 'owner = "owner"'))
    manifest.write_text("key,title,amount,owner,name,org,disc,src\n" + "".join(
        f"k{i},Deal {i},5,{user['name']},P {i},O {i},{i},Website\n" for i in range(40)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", "--max-tokens", "300", *engine(sb, jobs))
    assert first.exit_code == 4, first.output
    (job,) = jobs.iterdir()
    user["active_flag"] = False
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 1, resumed.output
    assert f"user {user['name']!r} is deactivated" in resumed.output, resumed.output
    assert "getUsers 1" in resumed.output.split("pdbulk:")[0]
    assert spent(sb) - before == 40


def test_stopped_by_refusals_then_refused_resume_then_fixed(sb: Sandbox,  # noqa: F811
                                                           tmp_path: Path) -> None:
    """The whole story (x43r4 F3): the field deleted while the import runs stops it after
    REPEATS_TO_STOP refused creates; the resume refuses (nothing sent) while the mapping
    still names the field; with it out of the mapping the resume finishes the rest, and
    the retry sends the refused rows again, mapped with the fixed mapping."""
    import anyio

    from bulk.repeated import REPEATS_TO_STOP
    from jobs.import_load import import_job
    from jobs.import_rows import ImportSettings
    from jobs.importing import ImportJob
    from jobs.mapping import Mapping
    from tests.import_support import engine_config
    from tests.test_runner_repeated_refusals import _FieldDeletedAtFirstDeal

    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(MAPPING.replace('stage = "stage"\n', ""))
    manifest.write_text("key,title,amount,name,org,disc,src\n" + "".join(
        f"k{i},Deal {i},5,P {i},O {i},{i},Website\n" for i in range(30)))
    settings = ImportSettings(manifest=str(manifest), mapping=str(mapping), mode="insert",
                              create_key_field=True)
    cfg = dataclasses.replace(engine_config(sb, jobs, max_workers=1), plan="ultimate",
                              auth="oauth")
    store = JobStore.create(jobs / "a", job_id="a", kind="import",
                            config={"engine": cfg.to_json(), "import": settings.to_json()})

    async def first() -> Any:
        return await import_job(store, ImportJob(store, settings, ""), Mapping.load(mapping),
                                cfg, sb.token, say=lambda line: None,
                                transport=_FieldDeletedAtFirstDeal(sb, "Discount"))

    result = anyio.run(first)
    assert result.stopped, result
    store.close()
    refused = cli(sb, jobs, "resume", "a", "--job-dir", str(jobs), *BIG)
    assert refused.exit_code == 1 and "'Discount'" in refused.output, refused.output
    mapping.write_text(MAPPING.replace('stage = "stage"\n', "").replace(
        '"Discount" = "disc"\n', ""))
    resumed = cli(sb, jobs, "resume", "a", "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 3, resumed.output  # the refused rows still failed
    assert _pending(jobs / "a") == 0
    retried = cli(sb, jobs, "retry", "a", "--job-dir", str(jobs), *BIG)
    assert retried.exit_code == 0, retried.output
    with JobStore.open(jobs / "a", lock=False) as done:
        assert done.counts()[ItemState.DONE] == 30 and REPEATS_TO_STOP < 30


def test_gone_names_a_deleted_pipeline_and_a_set_option() -> None:
    """What the rows name, against a catalog that lost their pipeline and one option of a
    set field: each named once with its rows; what is still there is not."""
    from jobs.catalog import Catalog, DealField, Option, Pipeline, Stage, User
    from jobs.import_account_now import gone, named_in

    catalog = Catalog(pipelines=(Pipeline(1, "Sales"),), stages=(Stage(3, "Won", 1),),
                      users=(User(7, "Ann"),),
                      deal_fields=(DealField("p" * 40, "Products", "set",
                                             (Option(11, "CRM"),), is_custom=True),))
    bodies = [{"pipeline_id": 2, "stage_id": 3, "owner_id": 7,
               "custom_fields": {"p" * 40: [11, 12]}}] * 3
    said = gone(catalog, named_in(bodies), {"p" * 40: "Products"},
                {"pipeline_id": {"2": "Partners"}, "p" * 40: {"12": "Training"}})
    assert said == ["option 'Training' of 'Products' no longer exists (3 rows to send)",
                    "pipeline 'Partners' no longer exists (3 rows to send)"], said


def test_resume_says_a_renamed_field_was_renamed(sb: Sandbox,  # noqa: F811
                                                 tmp_path: Path) -> None:
    """x44r4 F6: the mapped field renamed in Pipedrive after the stop: the refusal names
    its new name and asks for the mapping's fix, not "put back what was deleted"."""
    jobs, job, _ = _stopped(sb, tmp_path)
    _field(sb, "Discount")["field_name"] = "Rabatt"
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 1, resumed.output
    assert "deal field 'Discount' was renamed 'Rabatt' in Pipedrive" in resumed.output, \
        resumed.output
    assert "put back what was deleted" not in resumed.output, resumed.output


def test_resume_maps_rows_again_to_an_option_put_back(sb: Sandbox,  # noqa: F811
                                                      tmp_path: Path) -> None:
    """x44r4 F2: the option the rows set deleted after the stop, then made again (a new id,
    the same label): the resume maps the rows again, as after an edited mapping, and sends
    them with the new id (before: refused "option 'Website' … no longer exists … put back
    what was deleted", every resume)."""
    jobs, job, _ = _stopped(sb, tmp_path)
    pending = _pending(job)
    source = _field(sb, "Lead source")
    old = next(o for o in source["options"] if o["label"] == "Website")
    new_id = max(o["id"] for f in sb.state.fields.values() for o in f.get("options") or []) + 1
    source["options"] = [o for o in source["options"] if o is not old] + [
        {**old, "id": new_id}]
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs), *BIG)
    assert resumed.exit_code == 0, resumed.output
    assert "there again under the same name" in resumed.output, resumed.output
    assert _pending(job) == 0
    code = source["field_code"]
    held = [(d.get("custom_fields") or {}).get(code) for d in sandbox_deals(sb)
            if str(d.get("title", "")).startswith("Deal ")]
    assert held.count(new_id) == pending and len(held) == 40, held
