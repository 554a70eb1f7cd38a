"""An undo does not take a merge for an edit: a deal whose person / organization the job
wrote was merged into another since carries the survivor because Pipedrive moved it
there (x38r1 F7: an import's created deal left as a conflict, "person_id: job's person
49, now person 41", 13 of 200 creates of a night). The import's creates are deleted, the
row's note naming the merge; an edit on top of the merge is still a conflict."""

from __future__ import annotations

from pathlib import Path

import orjson

from bulk.sandbox import Sandbox
from bulk.sandbox.merge import merge
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine, plan_tokens, spent
from tests.test_undo_dead_links import CONFIG, MAPPING, NIGHT1, _deals, _file
from tests.test_undo_merged_org import _later, _undo


def _night1(sb: Sandbox, tmp_path: Path) -> tuple[Path, str]:
    jobs = tmp_path / "jobs"
    mapping = tmp_path / "m.toml"
    mapping.write_text(MAPPING)
    ran = cli(sb, jobs, "import", str(_file(tmp_path / "n1.csv", NIGHT1)), "-m",
              str(mapping), "--create-key-field", *engine(sb, jobs))
    assert ran.exit_code == 0, ran.output
    return jobs, ran.output.split()[1]


def test_an_import_undo_deletes_creates_whose_person_or_org_was_merged_away(
        tmp_path: Path) -> None:
    """K1's person (Ann Lee, made by the import) merged into Cy Doe, K2's organization
    (Org2 Ltd) into Org3 Ltd, and Org3 renamed later: the undo deletes deals K1 and K2 as
    the import's creates, each row's note naming the merge; the plan's tokens are the
    run's and the server's."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        org2, org3 = was["K2"]["org_id"], was["K3"]["org_id"]
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": cy})
        with _later(sb, 3.0):
            merge(sb.state, "organization", org2, {"merge_with_id": org3})
        with _later(sb, 5.0):
            orgs = sb.state.orgs.rows
            orgs[org3] = {**orgs[org3], "name": "Org3 Holding",
                          "update_time": sb.state.now_iso()}
        assert _deals(sb)["K1"]["person_id"] == cy

        plan, _, rows = _undo(sb, jobs, night1)
        assert _deals(sb) == {}, _deals(sb)
        assert rows["K1"]["action"] == "deleted", rows["K1"]
        assert f"its person {ann} (the job's) was merged into person {cy} since" \
            in rows["K1"]["note"], rows["K1"]
        assert f"its organization {org2} (the job's) was merged into organization {org3} " \
            "since" in rows["K2"]["note"], rows["K2"]
        assert "2 deal(s) carry a person / organization the job wrote merged into another " \
            "since" in " ".join(plan["notes"]), plan["notes"]


def test_an_edit_after_the_merge_is_still_a_conflict(tmp_path: Path) -> None:
    """K1's person merged away, then a colleague edits K1's amount: a conflict, left
    alone, its reason naming the amount and not the merged person as an edit."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": cy})
        with _later(sb, 4.0):
            rows = sb.state.deals.rows
            deal = was["K1"]["id"]
            rows[deal] = {**rows[deal], "value": 999, "update_time": sb.state.now_iso()}

        undone = cli(sb, jobs, "undo", night1, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 3, undone.output
        assert list(_deals(sb)) == ["K1"], _deals(sb)
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        (row,) = [r for r in read_csv(undo_dir / "failed.csv") if r["key"] == "K1"]
        reason = row["reason"]
        assert "value: job's 100, now 999" in reason, reason
        assert "person_id: job's" not in reason, reason
        assert f"its person {ann} (the job's) was merged into person {cy} since" in reason, \
            reason


def test_a_restore_whose_written_person_was_merged_away_is_put_back_whole(
        tmp_path: Path) -> None:
    """The upsert linked K1 to a new person, Ann New, since merged into Cy Doe (the deal
    moved with it): the undo's restore puts K1 back whole — its person Ann Lee and its
    amount — not "put back in part" with the person left as a colleague's change."""
    from tests.test_undo_dead_links import _nights

    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        new, cy = now["K1"]["person_id"], now["K3"]["person_id"]
        with _later(sb, 2.0):
            merge(sb.state, "person", new, {"merge_with_id": cy})
        assert _deals(sb)["K1"]["person_id"] == cy

        _, undone, rows = _undo(sb, jobs, night2)
        after = _deals(sb)
        assert after["K1"]["person_id"] == was["K1"]["person_id"], after["K1"]
        assert after["K1"]["value"] == 100, after["K1"]
        assert rows["K1"]["action"] == "restored", rows["K1"]
        assert f"its person {new} (the job's) was merged into person {cy} since" \
            in rows["K1"]["note"], rows["K1"]
        assert "7 restored; 0 failed" in undone.output, undone.output


def test_undo_contacts_deletes_a_person_whose_organization_was_merged_away(
        tmp_path: Path) -> None:
    """Org2 Ltd (made by the import) merged into Org3 Ltd since: Pipedrive moved Bob Roe,
    the import's person of Org2 Ltd, to Org3 Ltd — no edit of Bob's — so `undo --contacts`
    deletes him with the rest, not "changed since the import created it"; Org3 Ltd, the
    survivor, is kept (it holds what was merged into it); Org2 Ltd, gone, is no delete
    priced (the plan said 3 + 1 tokens over the run's); plan = run = the server's count."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        bob, org2, org3 = was["K2"]["person_id"], was["K2"]["org_id"], was["K3"]["org_id"]
        with _later(sb, 2.0):
            merge(sb.state, "organization", org2, {"merge_with_id": org3})
        assert sb.state.persons.rows[bob]["org_id"] == org3

        planned = cli(sb, jobs, "plan", "undo", night1, "--contacts", "--json",
                      *engine(sb, jobs))
        # the survivor is left as a conflict: the plan exits 3, as the run does (x40r6 F2)
        assert planned.exit_code == 3, planned.output
        before = spent(sb)
        undone = cli(sb, jobs, "undo", night1, "--contacts", "--yes", *engine(sb, jobs))
        assert spent(sb) - before == orjson.loads(planned.stdout)["tokens"], undone.output
        assert "1 already gone (deleted or merged by someone)" in undone.output, undone.output
        assert undone.exit_code == 3, undone.output
        assert sb.state.persons.rows[bob]["is_deleted"], undone.output
        assert not sb.state.orgs.rows[org3]["is_deleted"], undone.output
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        (failed,) = [r["reason"] for r in read_csv(undo_dir / "failed.csv")]
        assert f"organization 'Org3 Ltd' ({org3}) changed" in failed, failed
        assert plan_tokens(undone.output) == orjson.loads(planned.stdout)["tokens"], (
            undone.output)


def test_undo_contacts_with_a_person_and_an_organization_merged_away_is_priced_exactly(
        tmp_path: Path) -> None:
    """The import's Ann Lee merged into its Cy Doe and its Org2 Ltd into Org3 Ltd: `undo
    --contacts` deletes the deals, leaves the survivors (changed: merged into), says the
    merged-away ones already gone, and spends what its plan said."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        with _later(sb, 2.0):
            merge(sb.state, "person", was["K1"]["person_id"],
                  {"merge_with_id": was["K3"]["person_id"]})
            merge(sb.state, "organization", was["K2"]["org_id"],
                  {"merge_with_id": was["K3"]["org_id"]})

        planned = cli(sb, jobs, "plan", "undo", night1, "--contacts", "--json",
                      *engine(sb, jobs))
        # the survivor is left as a conflict: the plan exits 3, as the run does (x40r6 F2)
        assert planned.exit_code == 3, planned.output
        before = spent(sb)
        undone = cli(sb, jobs, "undo", night1, "--contacts", "--yes", *engine(sb, jobs))
        assert undone.exit_code == 3, undone.output
        assert _deals(sb) == {}, _deals(sb)
        assert spent(sb) - before == orjson.loads(planned.stdout)["tokens"], undone.output
        assert "persons: 5 deleted, 1 already gone" in undone.output, undone.output
