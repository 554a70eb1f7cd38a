"""An undo whose restore would put back an organization merged away since the job links
the deal to the merge's survivor, traced by the persons Pipedrive moved to it in the
merge's second (f38b: "its organization N before the job was deleted since", the link left
as the job wrote it); a person / organization answered with a 404 is said to be deleted
or merged, not "deleted"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from bulk.sandbox import Sandbox
from bulk.sandbox.merge import merge
from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine, plan_tokens, spent
from tests.test_undo_dead_links import CONFIG, _deals, _nights


class _Later:
    """The sandbox's clock, ``ahead`` seconds on: a merge made in a later second than
    the import (a real one is made hours or days later)."""

    def __init__(self, clock: Any, ahead: float) -> None:
        self.clock, self.ahead = clock, ahead

    def now(self) -> float:
        return float(self.clock.now())

    def wall(self) -> float:
        return float(self.clock.wall()) + self.ahead

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)


@contextmanager
def _later(sb: Sandbox, ahead: float = 2.0) -> Iterator[None]:
    real = sb.state.clock
    sb.state.clock = _Later(real, ahead)
    try:
        yield
    finally:
        sb.state.clock = real


def _undo(sb: Sandbox, jobs: Path, night2: str) -> tuple[dict[str, Any], Any, dict[str, Any]]:
    """`plan undo` then `undo --yes`: (the plan, the run, the undo's rows by key), the
    plan's tokens checked against the run's and the server's count."""
    planned = cli(sb, jobs, "plan", "undo", night2, "--json", *engine(sb, jobs))
    assert planned.exit_code == 0, planned.output
    plan = orjson.loads(planned.stdout)
    before = spent(sb)
    undone = cli(sb, jobs, "undo", night2, "--yes", *engine(sb, jobs))
    assert undone.exit_code == 0, undone.output
    assert spent(sb) - before == plan["tokens"] == plan_tokens(undone.output), (
        plan["calls"], undone.output)
    (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
    return plan, undone, {r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")}


def test_an_organization_merged_away_since_is_put_back_as_its_survivor(
        tmp_path: Path) -> None:
    """K2's organization before the upsert (Org2 Ltd) merged into Org3 Ltd since: its
    person Bob Roe moved there in the merge's second, so the undo puts K2's link back to
    Org3 Ltd, where Pipedrive moved Org2 Ltd's deals and persons, its note and the plan's
    saying so, and the plan prices its reads exactly."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        away, survivor = was["K2"]["org_id"], was["K3"]["org_id"]
        bob = sb.state.persons.rows[was["K2"]["person_id"]]
        assert bob["org_id"] == away, bob  # the import made Bob in Org2 Ltd
        with _later(sb):
            merge(sb.state, "organization", away, {"merge_with_id": survivor})

        plan, _, rows = _undo(sb, jobs, night2)
        notes = " ".join(plan["notes"])
        assert "1 deal(s) would get back a person or organization merged into another " \
            "since the job" in notes, notes
        after = _deals(sb)
        assert after["K2"]["org_id"] == survivor, after["K2"]
        assert after["K2"]["value"] == 200, after["K2"]
        assert rows["K2"]["action"] == "restored", rows["K2"]
        assert f"its organization {away} before the job was merged into organization " \
            f"{survivor} since: the link is put back to organization {survivor}" \
            in rows["K2"]["note"], rows["K2"]


def test_an_organization_deleted_is_not_taken_for_a_merge(tmp_path: Path) -> None:
    """Org2 Ltd deleted (not merged) since, while a colleague edits Org3 Ltd in that
    second: no person or deal moved to Org3 Ltd, so nothing traces a merge — the link is
    left as the upsert wrote it, "deleted since", the rest put back."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        away, other = was["K2"]["org_id"], was["K3"]["org_id"]
        with _later(sb):
            stamp = sb.state.now_iso()
            orgs = sb.state.orgs.rows
            orgs[away] = {**orgs[away], "is_deleted": True, "update_time": stamp}
            orgs[other] = {**orgs[other], "name": "Org3 Holding", "update_time": stamp}

        _, _, rows = _undo(sb, jobs, night2)
        after = _deals(sb)
        assert after["K2"]["org_id"] == now["K2"]["org_id"], after["K2"]
        assert after["K2"]["value"] == 200, after["K2"]
        assert f"its organization {away} before the job was deleted since" \
            in rows["K2"]["note"], rows["K2"]


def test_a_contact_answered_404_is_said_deleted_or_merged(tmp_path: Path) -> None:
    """An account whose deleted persons and organizations answer 404: K2's organization
    and K1's person before the upsert gone since are said to be gone, deleted or merged
    (Pipedrive does not say which), never "deleted since"; the rest put back."""
    config = replace(CONFIG, deleted_lookup="not_found")
    with ThreadedSandbox(config) as sb:
        jobs, night2, was, now = _nights(sb, tmp_path)
        away, person = was["K2"]["org_id"], was["K1"]["person_id"]
        with _later(sb):
            merge(sb.state, "organization", away, {"merge_with_id": was["K3"]["org_id"]})
            sb.state.persons.rows[person] = {**sb.state.persons.rows[person],
                                             "is_deleted": True}

        plan, _, rows = _undo(sb, jobs, night2)
        after = _deals(sb)
        assert after["K2"]["org_id"] == now["K2"]["org_id"], after["K2"]
        assert [after[k]["value"] for k in ("K1", "K2")] == [100, 200], after
        for key, word, rid in (("K2", "organization", away), ("K1", "person", person)):
            note = rows[key]["note"]
            assert f"its {word} {rid} before the job is gone since (Pipedrive answers 404 " \
                "for it: deleted or merged into another, it does not say which)" in note, note
            assert "deleted since" not in note, note
        notes = " ".join(plan["notes"])
        assert "2 of those persons / organizations Pipedrive answers 404 for" in notes, notes


def test_an_organization_merged_at_the_prompt_is_followed_at_the_run(tmp_path: Path) -> None:
    """Org2 Ltd merged into Org3 Ltd while the undo's prompt waits: K2's restore is refused
    (400), what it names read again, the merge traced and the link put back to Org3 Ltd
    with the rest; the run names what that cost beyond the plan, and the plan plus that is
    the server's count."""
    from unittest import mock

    with ThreadedSandbox(CONFIG) as sb:
        jobs, night2, was, _ = _nights(sb, tmp_path)
        away, survivor = was["K2"]["org_id"], was["K3"]["org_id"]

        def answer(question: str) -> bool:
            with _later(sb):
                merge(sb.state, "organization", away, {"merge_with_id": survivor})
            return True
        before = spent(sb)
        with mock.patch("pdbulk.cli_ops._confirmed", answer):
            undone = cli(sb, jobs, "undo", night2, *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        after = _deals(sb)
        assert after["K2"]["org_id"] == survivor, after["K2"]
        assert after["K2"]["value"] == 200, after["K2"]
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        rows = {r["key"]: r for r in read_csv(undo_dir / "succeeded.csv")}
        assert f"merged into organization {survivor} since" in rows["K2"]["note"], rows["K2"]
        summary = orjson.loads((undo_dir / "summary.json").read_bytes())
        beyond = summary["refused_after_plan"]
        assert beyond["rows"] == 1, beyond
        assert spent(sb) - before == plan_tokens(undone.output) + beyond["tokens"], (
            undone.output)
