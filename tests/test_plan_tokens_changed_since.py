"""The reads that list what changed since a moment (RECONCILE_MARGIN, 120 s, before their
job) are priced from what the plan's own reads saw changed then, when others (a colleague,
an earlier job) wrote 600 deals and persons just before (f48k). Before: `undo --contacts`
of an import, plan 520 / server 550 after 600 of each (600 / 720 after 2,500): each
re-check batch's read of the deals changed since, and the organizations' read of the
persons changed since, were priced one page whatever the plan's own pulls had seen; an
import's resume priced its end-of-run check for doubled persons one page whatever its
re-read had listed (plan 580 / server 630 after 2,500)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import orjson
import pytest

from bulk.sandbox import Sandbox, SandboxConfig
from tests.import_support import loaded_import
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine, spent

MAPPING = """[import]
key_column = "key"
mode = "upsert"
[deal]
title = "title"
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""


def colleague_wrote(sb: Sandbox, n: int) -> None:
    """``n`` deals and ``n`` persons (no links, no source key) written moments ago."""
    deal = copy.deepcopy(next(d for d in sb.state.deals.rows.values() if not d["is_deleted"]))
    person = copy.deepcopy(next(iter(sb.state.persons.rows.values())))
    for i in range(n):
        made = {**copy.deepcopy(deal), "id": sb.state.deals.take_id(), "title": f"Col {i}",
                "custom_fields": {}, "person_id": None, "org_id": None,
                "add_time": sb.state.now_iso(), "update_time": sb.state.now_iso()}
        sb.state.save("deal", made)
        them = {**copy.deepcopy(person), "id": sb.state.persons.take_id(), "name": f"Col {i}",
                "emails": [{"value": f"c{i}@x.example", "primary": True, "label": "work"}],
                "org_id": None, "add_time": sb.state.now_iso(),
                "update_time": sb.state.now_iso()}
        sb.state.save("person", them)


def _ops(sb: Sandbox) -> dict[str, int]:
    return dict(sb.stats()["requests_by_operation"])


@pytest.mark.parametrize("force", [False, True])
def test_undo_contacts_after_recent_writes_spends_its_plan(tmp_path: Path,
                                                           force: bool) -> None:
    """An import of 30 rows (each its own person and organization), then 600 deals and 600
    persons written by a colleague, then `plan undo --contacts` and the undo: each re-check
    batch reads 2 pages of getDeals (the deals changed since the plan less the margin) and
    the organizations' batch 2 of getPersons, and the plan prices them (before: 1 each)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=20,
                                       seed=48)) as sb:
        rows = tmp_path / "a.csv"
        rows.write_text("key,title,person,email,org\n" + "".join(
            f"k{i},Deal {i},Pat {i},p{i}@y.example,Org {i}\n" for i in range(30)))
        ran = cli(sb, jobs, "import", str(rows), "-m", str(mapping), "--create-key-field",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        (job,) = [p.name for p in jobs.iterdir()]
        colleague_wrote(sb, 600)
        undo = ["undo", job, "--contacts", *(["--force"] if force else [])]
        planned = cli(sb, jobs, "plan", *undo, "--json", *engine(sb, jobs))
        assert planned.exit_code == 0, planned.output
        plan = orjson.loads(planned.stdout)
        before, at = _ops(sb), spent(sb)
        ran = cli(sb, jobs, *undo, "--yes", *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        made = {op: n - before.get(op, 0) for op, n in _ops(sb).items()
                if n - before.get(op, 0)}
        assert made["deletePerson"] == made["deleteOrganization"] == 30, made
        for op in ("getDeals", "getArchivedDeals", "getPersons"):
            assert made.get(op, 0) == plan["calls"].get(op, 0), (op, made, plan["calls"])
        assert spent(sb) - at == plan["tokens"], (plan["calls"], made)


def _resume_calls(output: str) -> dict[str, int]:
    """The calls by operation a resume's plan after its re-read names."""
    found = re.findall(r"^plan after the re-read: .*calls at most: (.*); tokens:", output,
                       re.M)
    assert found, output
    return {op: int(n.replace(",", "")) for op, n in
            (part.rsplit(" ", 1) for part in found[-1].split(", "))}


def test_an_import_resume_after_recent_persons_prices_its_contact_check(
        tmp_path: Path) -> None:
    """An import loaded (10 updates, 10 creates of new persons / organizations), then 600
    persons a colleague added, then resumed: the end-of-run check for doubled contacts
    lists the persons changed since the load less the margin (2 pages, its 20 new ones
    among them), which the resume's re-read listed already, and the plan after the
    re-read says so (before: 1 page)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=20,
                                       seed=49)) as sb:
        rows = tmp_path / "a.csv"
        rows.write_text("key,title,person,email,org\n" + "".join(
            f"k{i},Deal {i},Pat {i},p{i}@y.example,Org {i}\n" for i in range(10)))
        ran = cli(sb, jobs, "import", str(rows), "-m", str(mapping), "--create-key-field",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        more = tmp_path / "b.csv"
        more.write_text("key,title,person,email,org\n" + "".join(
            f"{'k' if i < 10 else 'n'}{i},Deal v2 {i},Ann {i},a{i}@y.example,Firm {i}\n"
            for i in range(20)))
        job = loaded_import(sb, jobs, more, mapping, auth="oauth")
        colleague_wrote(sb, 600)
        before = _ops(sb)
        resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        made = {op: n - before.get(op, 0) for op, n in _ops(sb).items()}
        planned = _resume_calls(resumed.output)
        assert made["addPerson"] == 20, made
        for op in ("getPersons", "getOrganizations", "getDeals"):
            assert made.get(op, 0) == planned.get(op, 0), (op, made, planned)


def test_an_import_resume_after_recent_deals_prices_its_doubles_check(tmp_path: Path) -> None:
    """An import loaded (10 updates, 10 creates), then 485 deals a colleague wrote, then
    resumed: the re-read lists 495 deals changed since the load less the margin (1 page),
    the end-of-run check for doubles those and the 10 creates (505: 2 pages), and the plan
    after the re-read says so (before: 1, the re-read's pages)."""
    jobs, mapping = tmp_path / "jobs", tmp_path / "m.toml"
    mapping.write_text(MAPPING.split("[person]")[0])
    with ThreadedSandbox(SandboxConfig(plan="ultimate", auth="oauth", token=TOKEN, deals=5,
                                       seed=51)) as sb:
        rows = tmp_path / "a.csv"
        rows.write_text("key,title\n" + "".join(f"k{i},Deal {i}\n" for i in range(10)))
        ran = cli(sb, jobs, "import", str(rows), "-m", str(mapping), "--create-key-field",
                  *engine(sb, jobs))
        assert ran.exit_code == 0, ran.output
        more = tmp_path / "b.csv"
        more.write_text("key,title\n" + "".join(
            f"{'k' if i < 10 else 'n'}{i},Deal v2 {i}\n" for i in range(20)))
        job = loaded_import(sb, jobs, more, mapping, auth="oauth")
        deal = copy.deepcopy(next(d for d in sb.state.deals.rows.values()
                                  if not d["is_deleted"]))
        for i in range(485):
            sb.state.save("deal", {**copy.deepcopy(deal), "id": sb.state.deals.take_id(),
                                   "title": f"Col {i}", "custom_fields": {},
                                   "add_time": sb.state.now_iso(),
                                   "update_time": sb.state.now_iso()})
        before = _ops(sb)
        resumed = cli(sb, jobs, "resume", job, "--job-dir", str(jobs))
        assert resumed.exit_code == 0, resumed.output
        made = {op: n - before.get(op, 0) for op, n in _ops(sb).items()}
        planned = _resume_calls(resumed.output)
        assert made["addDeal"] == 10, made
        assert made.get("getDeals", 0) == planned.get("getDeals", 0), (made, planned)
