"""An undo whose restores would put back a link to a record gone since the job (x36r1
F3): a deleted person or organization, a deactivated owner, a deleted stage. The plan
reads them (its tokens are the run's), leaves each dead link as the deal has it now and
puts back the rest; a row says so in its note, the plan in a note; nothing is refused
whole by a 400 (before: "valid" at the plan, then ``400 org_id: organization N not
found`` at the run, the row's other fields not restored either, exit 3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import anyio
import orjson

from bulk.sandbox import Sandbox, SandboxConfig
from bulk.store import ItemState, JobStore
from jobs.undo import prepare_undo
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine, plan_tokens, spent
from tests.update_support import load_job, run_job

MAPPING = """[import]
key_column = "key"
mode = "upsert"
[deal]
title = "title"
value = "amount"
owner = "owner"
stage = "stage"
pipeline = { default = "Sales" }
label = "label"
[custom_fields]
"Lead source" = "source"
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""
MARIA, TOM, PRIYA = (f"{n}@sandbox-company.example"
                     for n in ("maria.jensen", "tom.becker", "priya.nair"))
HEADER = "key,title,amount,owner,stage,person,email,org,label,source\n"
NIGHT1 = [("K1", "100", MARIA, "Qualified", "Ann Lee", "ann@ex1.com", "Org1 Ltd", "Warm",
           "Event"),
          ("K2", "200", MARIA, "Qualified", "Bob Roe", "bob@ex2.com", "Org2 Ltd", "Warm",
           "Event"),
          ("K3", "300", TOM, "Contact Made", "Cy Doe", "cy@ex3.com", "Org3 Ltd", "Warm",
           "Event"),
          ("K4", "400", MARIA, "Demo Scheduled", "Di Fox", "di@ex4.com", "Org4 Ltd", "Warm",
           "Event"),
          ("K5", "500", MARIA, "Qualified", "Ed Kim", "ed@ex5.com", "Org5 Ltd", "Warm",
           "Event"),
          ("K6", "600", MARIA, "Qualified", "Fay Wu", "fay@ex6.com", "Org6 Ltd", "Hot",
           "Website"),
          ("K7", "700", MARIA, "Qualified", "Gus Ng", "gus@ex7.com", "Org7 Ltd", "Hot",
           "Event")]
# night 2: every amount but K5's and K7's one more; K1 a new person, K2 a new
# organization, K3 another owner, K4 another stage, K6 another label and lead source; K5
# a new person alone, K7 another label alone
NIGHT2 = [("K1", "101", MARIA, "Qualified", "Ann New", "ann.new@ex1.com", "Org1 Ltd", "Warm",
           "Event"),
          ("K2", "201", MARIA, "Qualified", "Bob Roe", "bob@ex2.com", "Org2 New GmbH", "Warm",
           "Event"),
          ("K3", "301", PRIYA, "Contact Made", "Cy Doe", "cy@ex3.com", "Org3 Ltd", "Warm",
           "Event"),
          ("K4", "401", MARIA, "Proposal Made", "Di Fox", "di@ex4.com", "Org4 Ltd", "Warm",
           "Event"),
          ("K5", "500", MARIA, "Qualified", "Ed New", "ed.new@ex5.com", "Org5 Ltd", "Warm",
           "Event"),
          ("K6", "601", MARIA, "Qualified", "Fay Wu", "fay@ex6.com", "Org6 Ltd", "Warm",
           "Referral"),
          ("K7", "700", MARIA, "Qualified", "Gus Ng", "gus@ex7.com", "Org7 Ltd", "Warm",
           "Event")]


def _file(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.write_text(HEADER + "".join(f"{r[0]},Deal {r[0]},{','.join(r[1:])}\n"
                                      for r in rows))
    return path


def _deals(sb: Sandbox) -> dict[str, dict[str, Any]]:
    key = next(f["field_code"] for f in sb.state.fields.values()
               if f.get("field_name") == "Import source key")
    return {str(d["custom_fields"][key]): dict(d) for d in sb.state.deals.rows.values()
            if not d["is_deleted"]}


CONFIG = SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=0, seed=5)
Deals = dict[str, dict[str, Any]]


def _nights(sb: Sandbox, tmp_path: Path) -> tuple[Path, str, Deals, Deals]:
    """Night 1 and night 2 imported: (the job folder, night 2's job, the deals by key
    after night 1, after night 2)."""
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    first = cli(sb, jobs, "import", str(_file(tmp_path / "n1.csv", NIGHT1)), "-m",
                str(mapping), "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 0, first.output
    was = _deals(sb)
    ran = cli(sb, jobs, "import", str(_file(tmp_path / "n2.csv", NIGHT2)), "-m",
              str(mapping), *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    now = _deals(sb)
    assert [now[k]["value"] for k in sorted(now)] == [101, 201, 301, 401, 500, 601, 700], now
    night2 = ran.output.split()[1]  # "job <id> (upsert) in <folder>"
    assert (jobs / night2).is_dir(), ran.output
    return jobs, night2, was, now


def _delete(sb: Sandbox, kind: str, rid: Any) -> None:
    table = sb.state.persons if kind == "person" else sb.state.orgs
    table.rows[rid] = {**table.rows[rid], "is_deleted": True}


def test_an_undo_leaves_links_to_records_gone_since_and_puts_back_the_rest(
        tmp_path: Path) -> None:
    """K1's person and K5's deleted, K2's organization deleted, K3's owner deactivated,
    K4's stage deleted, K6's and K7's label and K6's lead source option deleted since the
    nightly upsert: `plan undo` prices its reads of them exactly (plan = run = the
    server's count), the undo exits 0, every amount is put back, each such value is left
    as the upsert wrote it (K5 and K7, with nothing else to put back, are left whole:
    ``link left``), each row's note names the record gone."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        gone_person, gone_org = was["K1"]["person_id"], was["K2"]["org_id"]
        assert isinstance(gone_person, int) and isinstance(gone_org, int)
        for pid in (gone_person, was["K5"]["person_id"]):
            _delete(sb, "person", pid)
        _delete(sb, "org", gone_org)
        sb.state.users[2]["active_flag"] = False  # Tom, K3's owner before the upsert
        assert was["K4"]["stage_id"] == 3 and now["K4"]["stage_id"] == 4
        del sb.state.stages[3]  # Demo Scheduled, K4's stage before the upsert
        # the label Hot (K6's and K7's before the upsert) and the lead source Website (K6's)
        labels = sb.state.fields["label_ids"]
        labels["options"] = [o for o in labels["options"] if o["label"] != "Hot"]
        source = next(f for f in sb.state.fields.values() if f["field_name"] == "Lead source")
        source["options"] = [o for o in source["options"] if o["label"] != "Website"]

        planned = cli(sb, jobs, "plan", "undo", night2, "--json", *engine(sb, jobs))
        assert planned.exit_code == 0, planned.output
        plan = orjson.loads(planned.stdout)
        notes = " ".join(plan["notes"])
        assert "7 deal(s) would get back a record deleted" in notes, notes
        assert "the rest of 5 put back" in notes and "2 with nothing else" in notes, notes
        before = spent(sb)
        undone = cli(sb, jobs, "undo", night2, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert spent(sb) - before == plan["tokens"] == plan_tokens(undone.output), (
            plan["calls"], undone.output)
        after = _deals(sb)
        assert [after[k]["value"] for k in sorted(after)] == [100, 200, 300, 400, 500, 600,
                                                              700]
        for key, field in (("K1", "person_id"), ("K2", "org_id"), ("K3", "owner_id"),
                           ("K4", "stage_id"), ("K5", "person_id"), ("K6", "label_ids"),
                           ("K6", "custom_fields"), ("K7", "label_ids")):
            assert after[key][field] == now[key][field], (key, field, after[key])
        assert after["K2"]["person_id"] == was["K2"]["person_id"]  # not a link it left
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        rows = {r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")}
        assert f"its person {gone_person} before the job was deleted since" \
            in rows["K1"]["note"], rows["K1"]
        assert f"its organization {gone_org} before the job was deleted" in rows["K2"]["note"]
        assert "owner" in rows["K3"]["note"] and "deactivated" in rows["K3"]["note"], rows
        assert "stage" in rows["K4"]["note"] and "pipeline" in rows["K4"]["note"], rows
        assert "its label Hot before the job was deleted" in rows["K6"]["note"], rows["K6"]
        assert "its Lead source option Website before the job" in rows["K6"]["note"], rows
        assert [rows[k]["action"] for k in ("K5", "K7")] == ["link left"] * 2, rows
        assert not (undo_dir / "failed.csv").exists() or not read_csv(
            undo_dir / "failed.csv"), (undo_dir / "failed.csv").read_text()


def test_a_record_deleted_between_the_plan_and_the_send_is_left_at_the_run(
        tmp_path: Path) -> None:
    """K1's and K5's persons and K2's organization deleted after the undo was planned (a
    prompt, a resume hours later): their restores are refused with a 400, the records
    they name are read again, the gone one left and the rest sent once more — K1's and
    K2's amounts put back, K5 left (``link left``), each note saying so; the other rows
    as planned (before: 3 rows failed on the 400, their amounts not put back)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)

        async def undo() -> JobStore:
            with JobStore.open(jobs / night2, lock=False) as source:
                async def build(s: Any) -> Any:
                    return await prepare_undo(s.ctx, source)
                store, _ = await load_job(sb, tmp_path / "undo", "undo", build,
                                          auth="oauth")
            _delete(sb, "person", was["K1"]["person_id"])
            _delete(sb, "person", was["K5"]["person_id"])
            _delete(sb, "org", was["K2"]["org_id"])
            await run_job(sb, store)
            return store
        store = anyio.run(undo)
        results = {i.key: (i.state, i.result or {}, i.error) for i in store.items()}
        store.close()
        after = _deals(sb)
        assert [after[k]["value"] for k in sorted(after)] == [100, 200, 300, 400, 500, 600,
                                                              700], results
        assert after["K1"]["person_id"] == now["K1"]["person_id"], after["K1"]
        assert after["K2"]["org_id"] == now["K2"]["org_id"], after["K2"]
        state, result, _ = results["K1"]
        assert state is ItemState.DONE and result["action"] == "restored", results["K1"]
        assert "since this undo was planned" in result["note"], result
        assert results["K5"][0] is ItemState.SKIPPED, results["K5"]
        assert results["K5"][1]["action"] == "link left", results["K5"]
        assert not [k for k, (st, _, _) in results.items() if st is ItemState.FAILED], results


def test_the_run_names_the_tokens_its_refusals_cost_beyond_the_plan(tmp_path: Path) -> None:
    """K1's and K5's persons and K2's organization deleted at the undo's prompt: its run's
    last lines name what the three refusals cost beyond the plan (a read each, two PATCHes
    sent once more), and the plan plus those is the server's count (f37c: 146 spent after
    a plan of 133, the 13 named nowhere)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)

        def answer(question: str) -> bool:  # deleted while the prompt waits
            _delete(sb, "person", was["K1"]["person_id"])
            _delete(sb, "person", was["K5"]["person_id"])
            _delete(sb, "org", was["K2"]["org_id"])
            return True
        before = spent(sb)
        with mock.patch("pdbulk.cli_ops._confirmed", answer):
            undone = cli(sb, jobs, "undo", night2, *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        line = next((x for x in undone.output.splitlines() if "refused for a record" in x),
                    undone.output)
        assert line.startswith("3 restore(s) refused for a record deleted since the plan"), line
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        summary = orjson.loads((undo_dir / "summary.json").read_bytes())
        beyond = summary["refused_after_plan"]
        # a read of each record, the persons changed in the second each person was deleted
        # and the organizations changed in the organization's (is it a merge?
        # ``jobs.undo.merged``), two PATCHes sent once more
        calls = beyond["calls"]
        assert (beyond["rows"], calls["getOrganization"], calls["getPerson"],
                calls["updateDeal"]) == (3, 1, 2, 2), beyond
        assert f"{beyond['tokens']} tokens the plan did not count (getOrganization 1, " \
            "getOrganizations 10, getPerson 2, " in line and "updateDeal 10)" in line, line
        assert spent(sb) - before == plan_tokens(undone.output) + beyond["tokens"], (
            undone.output)


SET_MAPPING = """[import]
key_column = "key"
mode = "upsert"
[defaults]
separator = "|"
[deal]
title = "title"
label = "label"
[custom_fields]
"Products of interest" = "prod"
"""


def test_a_value_of_several_options_is_put_back_without_the_one_deleted_since(
        tmp_path: Path) -> None:
    """Night 1 gave K1 the products CRM, Analytics and Support and the labels Warm and Hot,
    night 2 Training and Cold; Analytics and Hot deleted since: the undo puts back CRM and
    Support and the label Warm, its note naming what it left out (f37c: each was left
    whole as night 2 wrote it, `link left`)."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs = tmp_path / "jobs"
        mapping = tmp_path / "m.toml"
        mapping.write_text(SET_MAPPING)
        for night, (prod, tag) in enumerate((("CRM|Analytics|Support", "Warm|Hot"),
                                             ("Training", "Cold")), start=1):
            path = tmp_path / f"n{night}.csv"
            path.write_text(f"key,title,prod,label\nK1,Deal K1,{prod},{tag}\n")
            ran = cli(sb, jobs, "import", str(path), "-m", str(mapping), *engine(sb, jobs),
                      *(["--create-key-field"] if night == 1 else []))
            assert ran.exit_code == 0, ran.output
        night2 = ran.output.split()[1]  # "job <id> (upsert) in <folder>"
        field = next(f for f in sb.state.fields.values()
                     if f.get("field_name") == "Products of interest")
        ids = {o["label"]: o["id"] for o in field["options"]}
        field["options"] = [o for o in field["options"] if o["label"] != "Analytics"]
        labels = sb.state.fields["label_ids"]
        tags = {o["label"]: o["id"] for o in labels["options"]}
        labels["options"] = [o for o in labels["options"] if o["label"] != "Hot"]

        undone = cli(sb, jobs, "undo", night2, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        (deal,) = _deals(sb).values()
        assert deal["custom_fields"][field["field_code"]] == [ids["CRM"], ids["Support"]], deal
        assert deal["label_ids"] == [tags["Warm"]], deal
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        (row,) = read_csv(undo_dir / "succeeded.csv")
        assert row["action"] == "restored", row
        assert "its Products of interest option Analytics before the job was deleted since: " \
            "the rest of it is put back without it ([CRM, Support])" in row["note"], row
        assert "its label Hot before the job was deleted since: the rest of it is put back " \
            "without it ([Warm])" in row["note"], row


def test_a_person_merged_away_since_is_put_back_as_its_survivor(tmp_path: Path) -> None:
    """K1's person before the upsert (Ann Lee) merged into Cy Doe since (a merge unites
    their e-mails, both changed in its second): the undo puts K1's link back to Cy Doe, the
    person Pipedrive moved Ann Lee's deals to, its note saying so, and the plan prices its
    reads exactly (x36r3 F6: "its person N before the job was deleted since", the link
    left as the upsert wrote it)."""
    from bulk.sandbox.merge import merge

    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        away, survivor = was["K1"]["person_id"], was["K3"]["person_id"]
        merge(sb.state, "person", away, {"merge_with_id": survivor})

        planned = cli(sb, jobs, "plan", "undo", night2, "--json", *engine(sb, jobs))
        assert planned.exit_code == 0, planned.output
        plan = orjson.loads(planned.stdout)
        notes = " ".join(plan["notes"])
        assert "1 deal(s) would get back a person or organization merged into another since " \
            "the job" in notes, \
            notes
        before = spent(sb)
        undone = cli(sb, jobs, "undo", night2, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        assert spent(sb) - before == plan["tokens"] == plan_tokens(undone.output), (
            plan["calls"], undone.output)
        after = _deals(sb)
        assert after["K1"]["person_id"] == survivor, after["K1"]
        assert after["K1"]["value"] == 100, after["K1"]
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        rows = {r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")}
        assert rows["K1"]["action"] == "restored", rows["K1"]
        assert f"its person {away} before the job was merged into person {survivor} since: " \
            f"the link is put back to person {survivor}" in rows["K1"]["note"], rows["K1"]
