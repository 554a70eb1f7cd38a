"""f24a 2: a person / organization create whose answer was lost (in doubt) and that the
pass's reconcile found never made was created again only after listing every record added
since its first send (``Resolver._created_meanwhile``: its claim still said "in doubt"):
one or more getPersons / getOrganizations pages per such create (x23r1: 63,590 tokens
spent for a plan of 42,060 at 9 % faults). The reconcile's one scan per kind settles its
claim now, and creates stay exactly once: the person a lost create did make is found."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bulk.sandbox import Faults, SandboxConfig, serve
from bulk.store import ItemState
from jobs.import_resolve import made_contacts
from jobs.transforms import org_match_key
from tests.import_support import import_once
from tests.test_undo import CONTACTS_MAPPING
from tests.update_support import delta, requests

ROWS = 300


@pytest.mark.anyio
async def test_lost_person_creates_are_settled_with_few_reads_and_never_doubled(
        tmp_path: Path) -> None:
    """An import of 300 rows, each with a new person (e-mail) and organization, with 5 %
    of the person / organization creates applied and their answers lost and 5 % dropped
    unapplied (in doubt too): every row is done, one person per e-mail and one
    organization per name, each this job's, and the reads that settle the doubtful
    creates cost under 3 tokens each (were ~8)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=0, seed=61)) as sb:
        manifest = tmp_path / "in.csv"
        manifest.write_text("id,title,person,email,org\n" + "".join(
            f"K-{i},Deal {i},Person {i},p{i}@x.example,Org {i}\n" for i in range(ROWS)))
        mapping = tmp_path / "map.toml"
        mapping.write_text(CONTACTS_MAPPING)
        sb.set_faults(Faults(lost_response_rate=0.05, drop_rate=0.05,
                             only_operations=frozenset({"addPerson", "addOrganization"})))
        before = requests(sb)
        store, result, _ = await import_once(sb, tmp_path / "jobs", manifest, mapping)
        sb.set_faults(Faults())
        spent = delta(before, requests(sb))
        lost = sum(sb.stats()["faults_injected"].values())
        assert result.counts[ItemState.DONE] == ROWS, result.counts
        persons = [p for p in sb.state.persons.rows.values() if not p["is_deleted"]]
        assert len(persons) == ROWS
        assert max(Counter(e["value"] for p in persons for e in p["emails"]).values()) == 1
        orgs = [o for o in sb.state.orgs.rows.values() if not o["is_deleted"]]
        assert len(orgs) == ROWS
        assert max(Counter(org_match_key(o["name"]) for o in orgs).values()) == 1
        faults = sb.stats()["faults_injected"]
        assert faults.get("drop", 0) >= 5 and faults.get("lost_response", 0) >= 5, faults
        # the persons / organizations the lost creates did make are found and this job's
        # (undo --contacts deletes them): one each, no duplicate, none unowned
        made = made_contacts(store)
        assert len(made["person"]) == ROWS and len(made["org"]) == ROWS, made
        reads = spent.get("getPersons", 0) + spent.get("getOrganizations", 0)
        # before: 41-45 list pages (one per create after a dropped one, ~8 tokens per
        # doubtful create); after: 6 (one scan per kind per pass, ~1.1 tokens each)
        assert reads * 10 <= 3 * lost, (lost, spent, faults)
        store.close()
