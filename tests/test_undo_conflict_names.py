"""Undo's own conflicts name what the ids are called, as the source job's conflicts do
(f27d 2): a restore found in flight names the option labels, the stage with its pipeline
and the users a colleague set — read by the source job, kept by the undo — not "owner_id:
3 then, 5 now"; the persons and organizations of ``undo --contacts`` by name with their
id; a person or organization no name was read of as ``person 12``. An undo stored before
the names were kept still resumes, and shows the ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest

from bulk.sandbox import Sandbox, SandboxConfig, serve
from bulk.store import JobStore
from jobs.deals import shown
from jobs.plan_reasons import reason_class
from tests.test_conflict_labels import UPDATE_MAPPING, cli, edit, error_of, field, stage_of
from tests.test_conflict_labels import sb as sb  # the fixture
from tests.test_inflight_conflicts import in_flight, load_undo
from tests.test_undo import _imported_with_contacts, undoer
from tests.update_support import deal, load_job


def _updated(sb: Sandbox, tmp_path: Path, jobs: Path, deal_id: int) -> dict[str, Any]:
    """Job "upd" writes the deal's stage, owner, Lead source (Partner) and products and
    runs. Returns what it wrote and what a colleague may set instead: the stages (``mine``,
    ``theirs``), the users (``me``, ``colleague``), the pipeline's name and the two option
    fields' (code, {label: id})."""
    from jobs.account import load_catalog
    from jobs.updating import UpdateMapping, prepare_update

    now = deal(sb, deal_id)
    mine_stage = stage_of(sb, deal_id, {now["stage_id"]})
    users = sorted((u for u in sb.state.users.values() if u["active_flag"]),
                   key=lambda u: int(u["id"]))
    mine, colleague = [u for u in users if u["id"] != now["owner_id"]][:2]
    mapping = tmp_path / "u.toml"
    mapping.write_text(UPDATE_MAPPING)
    manifest = tmp_path / "u.csv"
    manifest.write_text("deal_id,stage,owner,src,prod\n"
                        f"{deal_id},{mine_stage['name']},{mine['email']},Partner,CRM;Support\n")

    async def load() -> None:
        async def build(s: Any) -> Any:
            return await prepare_update(s.ctx, manifest, UpdateMapping.load(mapping),
                                        await load_catalog(s.ctx))
        store, prep = await load_job(sb, jobs, "update", build, job_id="upd")
        assert prep.actions["update"] == 1, (prep.actions, [i.error for i in prep.items])
        store.close()
    anyio.run(load)
    ran = cli(sb, "resume", "upd", "--job-dir", str(jobs))
    assert ran.exit_code == 0, ran.output
    return {"mine": mine_stage,
            "theirs": stage_of(sb, deal_id, {now["stage_id"], mine_stage["id"]}),
            "me": mine, "colleague": colleague,
            "pipe": sb.state.pipelines[now["pipeline_id"]]["name"],
            "src": field(sb, "Lead source"), "prod": field(sb, "Products of interest")}


def _undone_in_flight(sb: Sandbox, tmp_path: Path, jobs: Path, deal_id: int) -> dict[str, Any]:
    """``_updated``; its undo "und" dies with the restore in flight, not applied; a
    colleague then sets all four to other values. Returns the names the conflict should
    show (then, now) and the ids."""
    u = _updated(sb, tmp_path, jobs, deal_id)
    (src, src_opts), (prod, prod_opts) = u["src"], u["prod"]
    load_undo(sb, jobs, "upd", restores=1)
    in_flight(jobs, "und")
    edit(sb, deal_id, stage_id=u["theirs"]["id"], owner_id=u["colleague"]["id"],
         custom_fields={**(deal(sb, deal_id)["custom_fields"] or {}),
                        src: src_opts["Cold call"],
                        prod: [prod_opts["Training"], prod_opts["CRM"]]})
    pipe = u["pipe"]
    return {"stage": (f"{pipe} \u203a {u['mine']['name']}", f"{pipe} \u203a {u['theirs']['name']}"),
            "owner": (u["me"]["name"], u["colleague"]["name"]),
            "ids": (src_opts["Partner"], src_opts["Cold call"], u["theirs"]["id"],
                    u["colleague"]["id"])}


def test_an_undo_s_conflict_in_flight_names_options_stages_and_users(
        sb: Sandbox, tmp_path: Path) -> None:
    """The undo's restore in flight meets a colleague's stage, owner, Lead source and
    products: its conflict says them by name, as the update's own conflicts do."""
    jobs = tmp_path / "jobs"
    deal_id = sorted(sb.state.deals.rows)[0]
    seen = _undone_in_flight(sb, tmp_path, jobs, deal_id)
    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    error = error_of(jobs, "und", str(deal_id))
    (stage_then, stage_now), (owner_then, owner_now) = seen["stage"], seen["owner"]
    assert "Lead source: Partner then, Cold call now" in error, error
    assert "Products of interest: [CRM, Support] then, [Training, CRM] now" in error, error
    assert f"stage_id: {stage_then} then, {stage_now} now" in error, error
    assert f"owner_id: {owner_then} then, {owner_now} now" in error, error


def test_an_undo_stored_without_value_labels_still_resumes_and_shows_ids(
        sb: Sandbox, tmp_path: Path) -> None:
    """An undo job stored before the names were kept: it resumes, its conflict shows ids."""
    jobs = tmp_path / "jobs"
    deal_id = sorted(sb.state.deals.rows)[0]
    seen = _undone_in_flight(sb, tmp_path, jobs, deal_id)
    with JobStore.open(jobs / "und") as store:
        store.meta_put("value_labels", None)  # jobs.deals.META_VALUE_LABELS
    resumed = cli(sb, "resume", "und", "--job-dir", str(jobs))
    assert resumed.exit_code == 3, resumed.output
    error = error_of(jobs, "und", str(deal_id))
    partner, cold_call, stage_now, owner_now = seen["ids"]
    assert f"Lead source: {partner} then, {cold_call} now" in error, error
    assert f"{stage_now} now" in error and f"{owner_now} now" in error, error


def test_a_person_or_organization_without_a_name_is_said_as_such() -> None:
    """``person_id: person 12 then, person 14 now``, not bare numbers; a name read wins."""
    assert shown("person_id", 12, {}) == "person 12"
    assert shown("org_id", 4, None) == "organization 4"
    assert shown("person_id", 12, {"person_id=12": "Ann Lee (12)"}) == "Ann Lee (12)"
    assert shown("value", 12, {}) == "12"


@pytest.mark.anyio
async def test_undo_contacts_conflicts_name_the_persons_and_organizations(
        tmp_path: Path) -> None:
    """A person the import made that a colleague edited, and an organization it made that
    holds a colleague's person: their conflicts name them, with the id."""
    from bulk.sandbox.contacts import create_person

    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=37)) as sb:
        source, ids = await _imported_with_contacts(sb, tmp_path, 2)
        sam, org_two = int(ids["A-1"]["person_id"]), int(ids["A-2"]["org_id"])
        sb.state.save("person", {**sb.state.persons.rows[sam], "name": "Sam Edited",
                                 "update_time": "2031-01-01T00:00:00Z"})
        theirs = create_person(sb.state, {"name": "Colleague Cole", "org_id": org_two})
        org_name = sb.state.orgs.rows[org_two]["name"]
        undo, plan = await load_job(sb, tmp_path, "undo", undoer(source, contacts=True))
        errors = [i.error or "" for i in plan.items if i.error]
        assert any(e.startswith(f"conflict: person 'Sam Edited' ({sam}) changed")
                   for e in errors), errors
        # one reason however many: the names are quoted, as a plan's tally elides them
        assert reason_class(errors[0], None).startswith("conflict: person … (…) changed")
        assert any(e.startswith(f"conflict: organization {org_name!r} ({org_two}) holds "
                                f"person 'Colleague Cole' ({theirs['id']})") for e in errors), errors
        undo.close()
        source.close()


def test_an_undo_plan_s_conflict_names_stages_users_and_options(
        sb: Sandbox, tmp_path: Path) -> None:
    """x28r2 F6: the plan of an undo named a colleague's stage and owner by id ("stage_id:
    job's 3, now 4"): it had the source job's names, and only the run used them."""
    jobs = tmp_path / "jobs"
    deal_id = sorted(sb.state.deals.rows)[0]
    u = _updated(sb, tmp_path, jobs, deal_id)
    src, src_opts = u["src"]
    edit(sb, deal_id, stage_id=u["theirs"]["id"], owner_id=u["colleague"]["id"],
         custom_fields={**(deal(sb, deal_id)["custom_fields"] or {}),
                        src: src_opts["Cold call"]})
    planned = cli(sb, "plan", "undo", "upd", "--job-dir", str(jobs))
    said = " ".join(planned.output.split())
    pipe = u["pipe"]
    assert (f"stage_id: job's {pipe} \u203a {u['mine']['name']}, now {pipe} \u203a "
            f"{u['theirs']['name']}") in said, said
    assert f"owner_id: job's {u['me']['name']}, now {u['colleague']['name']}" in said, said
    assert "Lead source: job's Partner, now Cold call" in said, said
