"""A resumed import whose pending rows name a person this job made earlier (created by
another row, with that row's organization): that organization deleted while the job was
stopped is no concern of theirs — a vanished organization is told only on the rows that
name it (their own organization), never through the organization their person was made
with; each row's note and ``org_matched_by`` tell what happened to its own organization
(x50r6 F1: "organization Alpha merged away or deleted after the load: resolved again,
organization Beta (name)" on a row naming Beta; "… a new organization made",
``org_matched_by=created``, beside a deal linked to Delta, no organization made)."""

from __future__ import annotations

import csv
from pathlib import Path

from bulk.sandbox import Sandbox
from tests.test_plan_tokens import cli, resume_tokens, sb, spent  # noqa: F401
from tests.test_resume_named_by_id_merged import _call, _live, stopped_import


def test_a_resume_blames_no_row_for_the_organization_its_person_was_made_with(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """K00 makes New Person at Alpha; K10 (Beta) and K11 (Gamma) name New Person and are
    pending at the stop. A colleague deletes Alpha and merges Gamma into Delta. K10's note
    is silent on Alpha (its organization, Beta, is as loaded); K11 follows Gamma to Delta
    (its note says so, matched ``kept``, no organization made); no line counts a row
    naming Alpha."""
    jobs = tmp_path / "jobs"
    org = {n: _call(sb, "POST", "/api/v2/organizations", {"name": n})
           for n in ("Alpha Org", "Beta Org", "Gamma Org", "Delta Org", "Filler Org")}
    for i in range(12):
        _call(sb, "POST", "/api/v2/persons", {
            "name": f"Filler {i}", "org_id": org["Filler Org"],
            "emails": [{"value": f"f{i}@x.com"}]})
    _call(sb, "POST", "/api/v2/persons", {"name": "Gam Person", "org_id": org["Gamma Org"],
                                          "emails": [{"value": "gam@x.com"}]})
    rows = [("K00", "Deal 0", "100", "New Person", "new@x.com", "Alpha Org")]
    rows += [(f"K{i:02d}", f"Deal {i}", "100", f"Filler {i}", f"f{i}@x.com", "Filler Org")
             for i in range(1, 10)]
    rows += [("K12", "Deal 12", "100", "Gam Person", "gam@x.com", "Gamma Org"),
             ("K10", "Deal 10", "100", "New Person", "new@x.com", "Beta Org"),
             ("K11", "Deal 11", "100", "New Person", "new@x.com", "Gamma Org")]
    job, stopped = stopped_import(sb, tmp_path, jobs, rows)
    titles = {str(d["title"]) for d in _live(sb, "deal").values()}
    assert "Deal 0" in titles and not {"Deal 10", "Deal 11"} & titles, stopped.output
    alpha, gamma, delta = org["Alpha Org"], org["Gamma Org"], org["Delta Org"]
    _call(sb, "DELETE", f"/api/v2/organizations/{alpha}")
    _call(sb, "PUT", f"/v1/organizations/{gamma}/merge", {"merge_with_id": delta})
    orgs_before = set(_live(sb, "organization"))
    tokens = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    planned, used = resume_tokens(resumed.output), spent(sb) - tokens
    assert used <= planned, f"planned {planned}, spent {used}\n{resumed.output}"
    assert set(_live(sb, "organization")) == orgs_before  # nothing made
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        got = {r["key"]: r for r in csv.DictReader(f)}
    k10, k11 = got["K10"], got["K11"]
    assert (k10["org_id"], k10["org_matched_by"]) == (str(org["Beta Org"]), "name"), k10
    assert all(f"organization {alpha} " not in r["note"] for r in (k10, k11)), (k10, k11)
    assert k11["org_id"] == str(delta) and k11["org_matched_by"] != "created", k11
    assert "made" not in k11["note"], k11
    live = {str(d["title"]): d for d in _live(sb, "deal").values()}
    assert live["Deal 11"]["org_id"] == delta and live["Deal 10"]["org_id"] == org["Beta Org"]
    # no line counts rows naming Alpha, or rows resolved again for it
    assert "deleted or merged away by someone since" not in resumed.output, resumed.output
    # (K11 and K12, naming Gamma, sent to Delta: 3 before, K10 counted for Alpha)
    assert "2 rows resolved again before their send" in resumed.output, resumed.output
    assert f"organization {gamma} merged away since: linked to its survivor organization " \
        f"{delta}" in k11["note"], k11


def test_a_resume_tells_no_row_of_a_merge_of_the_organization_its_person_was_made_with(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """K00 makes New Person at Alpha; K10 (Beta, New Person) and K11 (Alpha, by name) are
    pending at the stop. A colleague merges Alpha into Delta: K11 follows it (its note
    says so); K10's note is silent on Alpha — its organization, Beta, is as loaded."""
    jobs = tmp_path / "jobs"
    org = {n: _call(sb, "POST", "/api/v2/organizations", {"name": n})
           for n in ("Alpha Org", "Beta Org", "Delta Org", "Filler Org")}
    for i in range(12):
        _call(sb, "POST", "/api/v2/persons", {
            "name": f"Filler {i}", "org_id": org["Filler Org"],
            "emails": [{"value": f"f{i}@x.com"}]})
    rows = [("K00", "Deal 0", "100", "New Person", "new@x.com", "Alpha Org")]
    rows += [(f"K{i:02d}", f"Deal {i}", "100", f"Filler {i}", f"f{i}@x.com", "Filler Org")
             for i in range(1, 10)]
    rows += [("K12", "Deal 12", "100", "Filler 11", "f11@x.com", "Filler Org"),
             ("K10", "Deal 10", "100", "New Person", "new@x.com", "Beta Org"),
             ("K11", "Deal 11", "100", "Filler 10", "f10@x.com", "Alpha Org")]
    job, stopped = stopped_import(sb, tmp_path, jobs, rows)
    titles = {str(d["title"]) for d in _live(sb, "deal").values()}
    assert "Deal 0" in titles and not {"Deal 10", "Deal 11"} & titles, stopped.output
    alpha, delta = org["Alpha Org"], org["Delta Org"]
    _call(sb, "PUT", f"/v1/organizations/{alpha}/merge", {"merge_with_id": delta})
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        got = {r["key"]: r for r in csv.DictReader(f)}
    k10, k11 = got["K10"], got["K11"]
    assert k11["org_id"] == str(delta) and f"organization {alpha} merged" in k11["note"], k11
    assert (k10["org_id"], k10["org_matched_by"]) == (str(org["Beta Org"]), "name"), k10
    assert f"organization {alpha} " not in k10["note"], (k10, resumed.output)
