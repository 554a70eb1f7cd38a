"""A resumed import whose pending rows name, by id, persons / organizations its load
matched (by e-mail, by name) that a colleague deleted or merged away while the job was
stopped: the re-read reads them, the rows are resolved again before their send (no
addDeal refused) and the plan after the re-read holds the run (x48r3 F1: 21-25 addDeal
refused with a 400, 2,450 planned, 2,751 spent)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import orjson

from bulk.sandbox import Sandbox
from tests.import_support import UPSERT_CONTACTS_HEADER, upsert_contacts_mapping, upsert_files
from tests.test_plan_tokens import TOKEN, cli, engine, resume_tokens, sb, spent  # noqa: F401

ROWS = 16


def _colleague(box: Sandbox, method: str, path: str, body: object = None) -> None:
    """A colleague's call through the sandbox's API (a delete, a merge)."""
    req = urllib.request.Request(f"{box.url}{path}", method=method,
                                 data=None if body is None else orjson.dumps(body),
                                 headers={"Content-Type": "application/json",
                                          "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(req) as resp:
        assert orjson.loads(resp.read())["success"]


def _live(box: Sandbox, table: str) -> dict[int, dict[str, object]]:
    return {int(r["id"]): r for r in box.state.table(table).rows.values()
            if not r["is_deleted"]}


def test_a_resume_resolves_rows_naming_contacts_gone_since_before_sending(
        sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """Sixteen rows name four existing persons (matched by e-mail) and four existing
    organizations (matched by name); the job stops at its cap after its first rows; a
    colleague deletes a person and an organization and merges another of each away.
    The resume sends no addDeal that is refused, spends no more than its plan after the
    re-read says, and links no deal to a record gone."""
    jobs = tmp_path / "jobs"
    people = sorted(_live(sb, "person").values(), key=lambda p: int(p["id"]))[:4]  # type: ignore[call-overload]
    orgs = sorted(_live(sb, "organization").values(), key=lambda o: int(o["id"]))[:4]  # type: ignore[call-overload]
    text = upsert_contacts_mapping().replace('mode = "upsert"', 'mode = "insert"')
    rows = []
    for i in range(ROWS):
        p, o = people[i % 4], orgs[(i // 4) % 4]
        email = p["emails"][0]["value"]  # type: ignore[index]
        rows.append((f"K{i}", f"Deal {i}", "100", str(p["name"]), str(email), str(o["name"])))
    manifest, mapping = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, rows, text, "a.csv")
    seed, _ = upsert_files(tmp_path, UPSERT_CONTACTS_HEADER, [
        ("S0", "Seed", "1", "Sam Seed", "sam@seed.com", "Seed Org")], text, "seed.csv")
    made = cli(sb, jobs, "import", str(seed), "-m", str(mapping), "--create-key-field",
               *engine(sb, jobs))
    assert made.exit_code == 0, made.output
    before = {p.name for p in jobs.iterdir()}
    stopped = cli(sb, jobs, "import", str(manifest), "-m", str(mapping), "--max-tokens",
                  "125", *engine(sb, jobs))
    assert stopped.exit_code == 4, stopped.output
    job = next(p.name for p in jobs.iterdir() if p.name not in before)
    _colleague(sb, "DELETE", f"/api/v2/persons/{people[0]['id']}")
    _colleague(sb, "PUT", f"/v1/persons/{people[1]['id']}/merge",
               {"merge_with_id": people[2]["id"]})
    _colleague(sb, "DELETE", f"/api/v2/organizations/{orgs[3]['id']}")
    _colleague(sb, "PUT", f"/v1/organizations/{orgs[2]['id']}/merge",
               {"merge_with_id": orgs[1]["id"]})
    deals = set(_live(sb, "deal"))
    asked = sb.stats()["requests_by_operation"].get("addDeal", 0)
    tokens = spent(sb)
    resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs), "--max-tokens", "100000")
    assert resumed.exit_code == 0, resumed.output
    made_now = len(set(_live(sb, "deal")) - deals)
    sent = sb.stats()["requests_by_operation"].get("addDeal", 0) - asked
    assert sent == made_now, f"{sent - made_now} addDeal refused\n{resumed.output}"
    planned, used = resume_tokens(resumed.output), spent(sb) - tokens
    assert used <= planned, f"planned {planned}, spent {used}\n{resumed.output}"
    live_p, live_o = _live(sb, "person"), _live(sb, "organization")
    mine = [d for d in _live(sb, "deal").values() if str(d["title"]).startswith("Deal ")]
    assert len(mine) == ROWS and made_now, resumed.output
    # the deals the resume made link live records (those made before keep theirs)
    assert all(d["person_id"] in live_p and d["org_id"] in live_o for d in mine
               if d["id"] not in deals), resumed.output
