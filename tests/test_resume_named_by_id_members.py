"""A resumed import whose pending rows name, by id, an organization its load matched that a
colleague merged away or deleted while the job was stopped follows it by the persons the
same rows name only when they were AT that organization at the load: a person who worked
elsewhere all along, merely edited since, never names a survivor (x49r2 F1: rows "Ann Roe,
ann@roe.com, Alpha Ltd", Ann at Wolf, Alpha merged into Zed or deleted, Ann given a phone:
10 of 10 deals linked to Wolf)."""

from __future__ import annotations

import csv
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, engine, sb  # noqa: F401
from tests.test_resume_named_by_id_merged import _call, _live, stopped_import


def _stopped(sb: Sandbox, tmp_path: Path, org: dict[str, int],  # noqa: F811
             who: list[tuple[str, str]], first: str = "Alder Ltd") -> tuple[Path, str]:
    """Rows 0-9 at ``first``, rows 10-19 at 'Alpha Ltd' with the persons ``who`` (name,
    e-mail) in turn; the import stopped (exit 4) after rows 0-9. Returns (jobs, job)."""
    jobs = tmp_path / "jobs"
    for i in range(3):
        _call(sb, "POST", "/api/v2/persons", {
            "name": f"Al P{i}", "org_id": org["Alder Ltd"],
            "emails": [{"value": f"al{i}@alder.com", "primary": True}]})
    rows = [(f"K{i:02d}", f"Deal {i}", "100", f"Al P{i % 3}", f"al{i % 3}@alder.com",
             first) for i in range(10)]
    rows += [(f"K{i:02d}", f"Deal {i}", "100", *who[i % len(who)], "Alpha Ltd")
             for i in range(10, 20)]
    job, _ = stopped_import(sb, tmp_path, jobs, rows)
    assert first != "Alpha Ltd" or all(d["org_id"] == org["Alpha Ltd"]
                                       for d in _live(sb, "deal").values()
                                       if str(d["title"]).startswith("Deal "))
    assert first == "Alpha Ltd" or not any(d["org_id"] == org["Alpha Ltd"]
                                           for d in _live(sb, "deal").values())
    return jobs, job


def _resumed(sb: Sandbox, jobs: Path, job: str) -> tuple[list[dict[str, object]], str,  # noqa: F811
                                                         dict[str, str]]:
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    mine = [d for d in _live(sb, "deal").values()
            if str(d["title"]).startswith("Deal 1") and d["title"] != "Deal 1"]
    assert len(mine) == 10, resumed.output
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        notes = {r["key"]: r["note"] for r in csv.DictReader(f)}
    return mine, resumed.output, notes


def _orgs(sb: Sandbox) -> dict[str, int]:  # noqa: F811
    return {n: _call(sb, "POST", "/api/v2/organizations", {"name": n})
            for n in ("Alder Ltd", "Alpha Ltd", "Wolf Ltd", "Zed Ltd")}


def test_a_person_elsewhere_at_the_load_is_no_witness_of_a_delete(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Ann (at Wolf at the load) edited since, Alpha deleted: the rows make a new 'Alpha
    Ltd' from their cells, none is linked to Wolf, no note names a survivor."""
    org = _orgs(sb)
    ann = _call(sb, "POST", "/api/v2/persons", {
        "name": "Ann Roe", "org_id": org["Wolf Ltd"],
        "emails": [{"value": "ann@roe.com", "primary": True}]})
    jobs, job = _stopped(sb, tmp_path, org, [("Ann Roe", "ann@roe.com")])
    _call(sb, "DELETE", f"/api/v2/organizations/{org['Alpha Ltd']}")
    _call(sb, "PATCH", f"/api/v2/persons/{ann}", {
        "phones": [{"value": "+4930123456", "primary": True}]})
    mine, output, notes = _resumed(sb, jobs, job)
    alphas = [i for i, o in _live(sb, "organization").items() if o["name"] == "Alpha Ltd"]
    assert len(alphas) == 1 and alphas[0] != org["Alpha Ltd"], output
    assert [d["org_id"] for d in mine] == alphas * 10, output
    assert not any("survivor organization" in notes[f"K{i}"] for i in range(10, 20)), notes


def test_only_the_persons_at_the_organization_at_the_load_name_its_survivor(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Ann (at Wolf at the load, edited since) and Otto (at Alpha): Alpha merged into Zed
    moves Otto there; Ann's Wolf is no second organization: every row goes to Zed."""
    org = _orgs(sb)
    ann = _call(sb, "POST", "/api/v2/persons", {
        "name": "Ann Roe", "org_id": org["Wolf Ltd"],
        "emails": [{"value": "ann@roe.com", "primary": True}]})
    _call(sb, "POST", "/api/v2/persons", {"name": "Otto Named", "org_id": org["Alpha Ltd"]})
    jobs, job = _stopped(sb, tmp_path, org, [("Ann Roe", "ann@roe.com"), ("Otto Named", "")])
    _call(sb, "PUT", f"/v1/organizations/{org['Alpha Ltd']}/merge",
          {"merge_with_id": org["Zed Ltd"]})
    _call(sb, "PATCH", f"/api/v2/persons/{ann}", {
        "phones": [{"value": "+4930123456", "primary": True}]})
    orgs = set(_live(sb, "organization"))
    mine, output, _ = _resumed(sb, jobs, job)
    assert [d["org_id"] for d in mine] == [org["Zed Ltd"]] * 10, output
    assert set(_live(sb, "organization")) == orgs, output  # none made again


def test_a_person_elsewhere_at_the_load_never_names_a_merge_survivor(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Ann alone (at Wolf at the load, edited since), Alpha merged into Zed: nothing
    at the load tells the survivor; the rows are resolved again from their cells (a new
    'Alpha Ltd'), never linked to Wolf."""
    org = _orgs(sb)
    ann = _call(sb, "POST", "/api/v2/persons", {
        "name": "Ann Roe", "org_id": org["Wolf Ltd"],
        "emails": [{"value": "ann@roe.com", "primary": True}]})
    jobs, job = _stopped(sb, tmp_path, org, [("Ann Roe", "ann@roe.com")])
    _call(sb, "PUT", f"/v1/organizations/{org['Alpha Ltd']}/merge",
          {"merge_with_id": org["Zed Ltd"]})
    _call(sb, "PATCH", f"/api/v2/persons/{ann}", {
        "phones": [{"value": "+4930123456", "primary": True}]})
    mine, output, _ = _resumed(sb, jobs, job)
    assert not any(d["org_id"] == org["Wolf Ltd"] for d in mine), output
    alphas = [i for i, o in _live(sb, "organization").items() if o["name"] == "Alpha Ltd"]
    assert [d["org_id"] for d in mine] == alphas * 10, output


def test_the_resume_line_tells_persons_found_again_by_e_mail_from_none_found(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Ann (e-mail) merged into Bob, Otto (no e-mail) into Paula while the job was
    stopped: the resume's line says 1 person found again by its cells, 1 none found
    (x49r2 F3: all counted "no survivor found", 7 of 14 linked by e-mail)."""
    org = _orgs(sb)
    ann = _call(sb, "POST", "/api/v2/persons", {
        "name": "Ann Roe", "org_id": org["Alpha Ltd"],
        "emails": [{"value": "ann@roe.com", "primary": True}]})
    bob = _call(sb, "POST", "/api/v2/persons", {"name": "Bob Roe", "org_id": org["Wolf Ltd"]})
    otto = _call(sb, "POST", "/api/v2/persons", {"name": "Otto Named",
                                                 "org_id": org["Alpha Ltd"]})
    paula = _call(sb, "POST", "/api/v2/persons", {"name": "Paula Roe",
                                                  "org_id": org["Zed Ltd"]})
    jobs, job = _stopped(sb, tmp_path, org, [("Ann Roe", "ann@roe.com"), ("Otto Named", "")])
    _call(sb, "PUT", f"/v1/persons/{ann}/merge", {"merge_with_id": bob})
    _call(sb, "PUT", f"/v1/persons/{otto}/merge", {"merge_with_id": paula})
    mine, output, notes = _resumed(sb, jobs, job)
    assert "found again by their cells (e-mail, name): 1 person(s) and 0 organization(s); " \
           "none found: 1 person(s) and 0 organization(s)" in " ".join(output.split()), output
    assert all(d["person_id"] == bob for d in mine if int(str(d["title"])[5:]) % 2 == 0)
    assert f"person {ann} merged away or deleted after the load: resolved again, person " \
           f"{bob} (email)" in notes["K10"], notes


def test_a_row_settled_before_the_stop_says_its_organization_went_since_the_stop(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Rows 0-9 settled on Alpha before the stop, Alpha merged into Zed while the job was
    stopped: their succeeded.csv note says "since the job stopped", not "during the run"
    (x49r2 F4)."""
    org = _orgs(sb)
    _call(sb, "POST", "/api/v2/persons", {
        "name": "Ann Roe", "org_id": org["Alpha Ltd"],
        "emails": [{"value": "ann@roe.com", "primary": True}]})
    jobs, job = _stopped(sb, tmp_path, org, [("Ann Roe", "ann@roe.com")], "Alpha Ltd")
    _call(sb, "PUT", f"/v1/organizations/{org['Alpha Ltd']}/merge",
          {"merge_with_id": org["Zed Ltd"]})
    mine, output, notes = _resumed(sb, jobs, job)
    assert [d["org_id"] for d in mine] == [org["Zed Ltd"]] * 10, output
    # the deal moved to Zed: a merge, said so (x50r6 L2: "merged away or deleted")
    said = f"organization {org['Alpha Ltd']} merged into organization {org['Zed Ltd']} " \
        "since the job stopped: the deal followed it there"
    assert all(said in notes[f"K{i:02d}"] for i in range(10)), notes
