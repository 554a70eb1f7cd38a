"""A resumed import whose rows settled before the stop (their deal created) named an
organization a colleague deleted while the job was stopped: the resume's last lines and
those rows' notes in succeeded.csv say the organization was deleted since the deal was
created; nothing is written to the deal (it is the user's to fix; x49r8 F2)."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, resume_tokens, sb, spent  # noqa: F401
from tests.test_resume_named_by_id_merged import _call, _live, stopped_import


@pytest.mark.parametrize("pending_name_it", [False, True], ids=["settled-only", "pending-too"])
def test_a_resume_says_a_settled_rows_organization_was_deleted_since(
        sb: Sandbox, tmp_path: Path, pending_name_it: bool) -> None:  # noqa: F811
    """Rows 0-4 name 'Alder Foods Ltd' (matched by name) and are sent before the stop
    (``pending_name_it``: rows 16-19, pending, name it too); a colleague deletes Alder;
    the resume says so in its last lines and in rows 0-4's notes, writes nothing to
    their deals, and holds its plan after the re-read."""
    jobs = tmp_path / "jobs"
    org = {n: _call(sb, "POST", "/api/v2/organizations", {"name": n})
           for n in ("Alder Foods Ltd", "Birch Foods Ltd")}
    alder = org["Alder Foods Ltd"]
    rows = [(f"K{i:02d}", f"Deal {i}", "100", f"Al Person{i % 3}", f"al{i % 3}@alder.com",
             "Alder Foods Ltd") for i in range(5)]
    rows += [(f"K{i:02d}", f"Deal {i}", "100", f"Bo Person{i % 3}", f"bo{i % 3}@birch.com",
              "Alder Foods Ltd" if pending_name_it and i > 15 else "Birch Foods Ltd")
             for i in range(5, 20)]
    job, stopped = stopped_import(sb, tmp_path, jobs, rows)
    settled = {str(d["title"]): d for d in _live(sb, "deal").values()
               if d["org_id"] == alder}
    assert len(settled) == 5, stopped.output
    _call(sb, "DELETE", f"/api/v2/organizations/{alder}")
    tokens = spent(sb)
    before = {d["id"]: d["update_time"] for d in settled.values()}
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    planned, used = resume_tokens(resumed.output), spent(sb) - tokens
    assert used <= planned, f"planned {planned}, spent {used}\n{resumed.output}"
    # no write to the settled deals: theirs to fix
    live = _live(sb, "deal")
    assert {i: live[i]["update_time"] for i in before} == before
    assert all(live[i]["org_id"] == alder for i in before)
    assert f"5 rows settled before a stop: their deals name organization {alder}, deleted " \
        "since the deal was created" in resumed.output, resumed.output
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        notes = {int(r["deal_id"]): r["note"] for r in csv.DictReader(f)}
    said = {i for i, note in notes.items()
            if f"organization {alder} was deleted since the deal was created" in note}
    assert said == set(before), (notes, resumed.output)


@pytest.mark.parametrize("room", [True, False], ids=["room", "no-page"])
def test_a_resume_says_a_settled_rows_person_was_deleted_since(
        sb: Sandbox, tmp_path: Path, room: bool) -> None:  # noqa: F811
    """Rows 0-4 name 'Al Person0..2' (made by the job) and are sent before the stop; a
    colleague deletes Al Person0 (rows 0 and 3). With ``room`` (the pending rows name
    persons of the account, read by id anyway) the resume says so in its last lines and
    in those rows' notes; without (the pending rows name no person the re-read reads)
    it reads no page more for it and says the person was not checked."""
    jobs = tmp_path / "jobs"
    for i in range(3):
        _call(sb, "POST", "/api/v2/persons", {
            "name": f"Bo Person{i}", "emails": [{"value": f"bo{i}@birch.com"}]})
    rows = [(f"K{i:02d}", f"Deal {i}", "100", f"Al Person{i % 3}", f"al{i % 3}@alder.com",
             "Alder Foods Ltd") for i in range(5)]
    rows += [(f"K{i:02d}", f"Deal {i}", "100", *((f"Bo Person{i % 3}", f"bo{i % 3}@birch.com")
                                                  if room else ("", "")), "Alder Foods Ltd")
             for i in range(5, 20)]
    job, stopped = stopped_import(sb, tmp_path, jobs, rows)
    deals = {str(d["title"]): d for d in _live(sb, "deal").values()}
    assert {f"Deal {i}" for i in range(5)} <= set(deals), stopped.output
    al0 = int(str(deals["Deal 0"]["person_id"]))
    _call(sb, "DELETE", f"/api/v2/persons/{al0}")
    tokens = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    planned, used = resume_tokens(resumed.output), spent(sb) - tokens
    assert used <= planned, f"planned {planned}, spent {used}\n{resumed.output}"
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        notes = {r["key"]: r["note"] for r in csv.DictReader(f)}
    said = {k for k, note in notes.items()
            if f"person {al0} was deleted since the deal was created" in note}
    if room:
        assert said == {"K00", "K03"}, (notes, resumed.output)
        assert f"2 rows settled before a stop: their deals name person {al0}, deleted " \
            "since the deal was created" in resumed.output, resumed.output
    else:
        assert said == set(), (notes, resumed.output)
        assert "not checked for a delete since the stop (no room in a page the re-read " \
            "reads anyway): 3 person(s) settled rows' deals name" in resumed.output, \
            resumed.output
        # the last lines, summary.json and status --json say it too (x50r6 L1)
        last = resumed.output[resumed.output.index("\ntokens: "):]
        assert "3 persons settled rows' deals name not checked for a delete since the " \
            "stop" in last, resumed.output
        summary = orjson.loads((jobs / job / "summary.json").read_bytes())
        assert summary["deleted_unchecked"] == {"person": 3}, summary
        status = cli(sb, jobs, "status", job, "--job-dir", str(jobs), "--json")
        assert orjson.loads(status.stdout)["deleted_unchecked"] == {"person": 3}, \
            status.output


def test_a_deal_deleted_with_its_organization_is_not_told_to_name_it(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Rows 0-4 name 'Alder Foods Ltd' and are sent before the stop; a colleague deletes
    Alder and the deals of rows 0 and 1: only rows 2-4 (their deals live, still naming
    Alder) are told and counted — a deleted deal names nothing (x50r6 F3: 5 told of 3)."""
    jobs = tmp_path / "jobs"
    alder = _call(sb, "POST", "/api/v2/organizations", {"name": "Alder Foods Ltd"})
    _call(sb, "POST", "/api/v2/organizations", {"name": "Birch Foods Ltd"})
    for i in range(3):  # (the pending rows name persons of the account: room in a page)
        _call(sb, "POST", "/api/v2/persons", {
            "name": f"Bo Person{i}", "emails": [{"value": f"bo{i}@birch.com"}]})
    rows = [(f"K{i:02d}", f"Deal {i}", "100", f"Al Person{i % 3}", f"al{i % 3}@alder.com",
             "Alder Foods Ltd") for i in range(5)]
    rows += [(f"K{i:02d}", f"Deal {i}", "100", f"Bo Person{i % 3}", f"bo{i % 3}@birch.com",
              "Birch Foods Ltd") for i in range(5, 20)]
    job, stopped = stopped_import(sb, tmp_path, jobs, rows)
    settled = {str(d["title"]): int(str(d["id"])) for d in _live(sb, "deal").values()
               if d["org_id"] == alder}
    assert len(settled) == 5, stopped.output
    _call(sb, "DELETE", f"/api/v2/organizations/{alder}")
    for title in ("Deal 0", "Deal 1"):
        _call(sb, "DELETE", f"/api/v2/deals/{settled[title]}")
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        notes = {r["key"]: r["note"] for r in csv.DictReader(f)}
    said = {k for k, note in notes.items()
            if f"organization {alder} was deleted since the deal was created" in note}
    assert said == {"K02", "K03", "K04"}, (notes, resumed.output)
    summary = orjson.loads((jobs / job / "summary.json").read_bytes())
    assert (summary["rows_linked_deleted"], summary["deleted_since_stopped"]) == (
        3, {"org": [alder]}), summary  # (no empty "person": [] beside it)
    assert f"3 rows settled before a stop: their deals name organization {alder}, deleted " \
        "since the deal was created" in resumed.output, resumed.output
