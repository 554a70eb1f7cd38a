"""The reads that list what changed since a moment (RECONCILE_MARGIN, 120 s, before their
job) are priced from what the plan's own reads saw changed then, when others (a colleague,
an earlier job) wrote 600 deals and persons just before (f48k). Before: `undo --contacts`
of an import, plan 520 / server 550 after 600 of each (600 / 720 after 2,500): each
re-check batch's read of the deals changed since, and the organizations' read of the
persons changed since, were priced one page whatever the plan's own pulls had seen."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest

from bulk.sandbox import Sandbox, SandboxConfig
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

