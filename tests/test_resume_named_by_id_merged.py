"""A resumed import whose pending rows name, by id, an organization its load matched by
name that a colleague merged into another while the job was stopped, before any deal of
the job was linked to it: the resume follows it to the survivor — the persons the load
matched with it (read by id in the re-read) moved there — never makes it again from the
cells (x48r10 F1: 10 of 10 rows linked a new 'Birch Foods Ltd', their person at the
survivor). A person matched by name + organization merged away leaves nothing that
names its survivor (no deal of the job, no e-mail): its rows are resolved again, and
their note says no survivor was found."""

from __future__ import annotations

import csv
import urllib.request
from pathlib import Path
from typing import Any

import orjson
import pytest

from bulk.sandbox import Sandbox
from tests.import_support import UPSERT_CONTACTS_HEADER, upsert_contacts_mapping, upsert_files
from tests.test_plan_tokens import TOKEN, cli, engine, resume_tokens, sb, spent  # noqa: F401


def _call(box: Sandbox, method: str, path: str, body: object = None) -> int:
    """A colleague's call through the sandbox's API: the id of the record it answers."""
    req = urllib.request.Request(f"{box.url}{path}", method=method,
                                 data=None if body is None else orjson.dumps(body),
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as resp:
        got = orjson.loads(resp.read())
    assert got["success"], got
    return int(got["data"]["id"])


def _live(box: Sandbox, table: str) -> dict[int, dict[str, object]]:
    return {int(r["id"]): r for r in box.state.table(table).rows.values()
            if not r["is_deleted"]}


@pytest.mark.parametrize("linked", [False, True], ids=["no-deal", "one-deal"])
def test_a_resume_follows_an_organization_merged_before_its_first_deal(
        sb: Sandbox, tmp_path: Path, linked: bool) -> None:  # noqa: F811
    """Rows 10-19 name 'Birch Foods Ltd' (matched by name), with Ann (by e-mail, works
    there) or Otto (no e-mail: by name + organization); the job stops after rows 0-9; a
    colleague merges Birch into Cedar and Otto into Paula. The resume links rows 10-19
    to Cedar, makes no organization, and holds its plan after the re-read. ``linked``:
    row 9 (sent before the stop) links Ann and Birch too — one deal of the job moved to
    Cedar (followed before this fix too: kept so that the persons' witness never undoes
    a deal's; only its notes failed before)."""
    jobs = tmp_path / "jobs"
    org = {n: _call(sb, "POST", "/api/v2/organizations", {"name": n})
           for n in ("Alder Foods Ltd", "Birch Foods Ltd", "Cedar Foods Ltd")}
    birch, cedar = org["Birch Foods Ltd"], org["Cedar Foods Ltd"]
    ann = _call(sb, "POST", "/api/v2/persons", {
        "name": "Ann Birch", "org_id": birch,
        "emails": [{"value": "ann@birch.com", "primary": True}]})
    otto = _call(sb, "POST", "/api/v2/persons", {"name": "Otto Named", "org_id": birch})
    paula = _call(sb, "POST", "/api/v2/persons", {"name": "Paula Survivor", "org_id": cedar})
    for i in range(3):
        _call(sb, "POST", "/api/v2/persons", {
            "name": f"Al Person{i}", "org_id": org["Alder Foods Ltd"],
            "emails": [{"value": f"al{i}@alder.com", "primary": True}]})
    rows = [(f"K{i:02d}", f"Deal {i}", "100", f"Al Person{i % 3}", f"al{i % 3}@alder.com",
             "Alder Foods Ltd") for i in range(10)]
    if linked:
        rows[9] = ("K09", "Deal 9", "100", "Ann Birch", "ann@birch.com", "Birch Foods Ltd")
    rows += [(f"K{i:02d}", f"Deal {i}", "100", *(
        ("Ann Birch", "ann@birch.com") if i % 2 else ("Otto Named", "")), "Birch Foods Ltd")
        for i in range(10, 20)]
    job, stopped = stopped_import(sb, tmp_path, jobs, rows)
    # no deal of the job names Birch yet (but Deal 9, ``linked``)
    assert [d["title"] for d in _live(sb, "deal").values() if d["org_id"] == birch] == (
        ["Deal 9"] if linked else []), stopped.output
    _call(sb, "PUT", f"/v1/organizations/{birch}/merge", {"merge_with_id": cedar})
    _call(sb, "PUT", f"/v1/persons/{otto}/merge", {"merge_with_id": paula})
    orgs, tokens = set(_live(sb, "organization")), spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    planned, used = resume_tokens(resumed.output), spent(sb) - tokens
    assert used <= planned, f"planned {planned}, spent {used}\n{resumed.output}"
    assert set(_live(sb, "organization")) == orgs, resumed.output  # none made again
    mine = [d for d in _live(sb, "deal").values()
            if str(d["title"]).startswith("Deal 1") and d["title"] != "Deal 1"]
    assert len(mine) == 10, resumed.output
    assert [d["title"] for d in mine if d["org_id"] != cedar] == [], resumed.output
    assert all(d["person_id"] == ann for d in mine if int(str(d["title"])[5:]) % 2)
    # Otto: nothing names his survivor; made again at the survivor organization
    ottos = [p for p in _live(sb, "person").values() if p["name"] == "Otto Named"]
    assert [p["org_id"] for p in ottos] == [cedar], ottos
    with (jobs / job / "succeeded.csv").open(encoding="utf-8") as f:
        notes = {r["key"]: r["note"] for r in csv.DictReader(f)}
    assert all(f"person {otto} merged away or deleted after the load: resolved again, no "
               "survivor found" in notes[f"K{i}"] for i in range(10, 20, 2)), notes


def stopped_import(sb: Sandbox, tmp_path: Path, jobs: Path,  # noqa: F811
                   rows: list[tuple[str, ...]]) -> tuple[str, Any]:
    """An upsert of ``rows`` (``UPSERT_CONTACTS_HEADER``'s columns) stopped by its token cap
    (120: exit 4) after the rows sent first, once a seed import made the key field. Returns
    (the job's name under ``jobs``, the stopped run's CLI result)."""
    text = upsert_contacts_mapping()
    manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, rows, text, "a.csv")
    seed, _ = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, [
        ("S0", "Seed", "1", "Sam Seed", "sam@seed.com", "Seed Org")], text, "seed.csv")
    made = cli(sb, jobs, "import", str(seed), "-m", str(mapping), "--create-key-field",
               *engine(sb, jobs))
    assert made.exit_code == 0, made.output
    before = {p.name for p in jobs.iterdir()}
    stopped = cli(sb, jobs, "import", str(manifest), "-m", str(mapping), "--workers", "1",
                  "--max-tokens", "120", *engine(sb, jobs))
    assert stopped.exit_code == 4, stopped.output
    return next(p.name for p in jobs.iterdir() if p.name not in before), stopped
