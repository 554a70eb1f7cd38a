"""x39r4 F4: an undo took a deal for a conflict when its person, made by the job WITHOUT
an e-mail, was merged away ("person_id: job's person 14, now person 2"; 2 of 2 in the
minimal run, 24 of 24 in a night): the trace found a survivor by "holds every e-mail of
the deleted one", and such a person has none. Its witness is what the merge leaves: the
phones the survivor now holds, else (a name alone) the deals the merge moved in its
second — never a stranger on a name. The plan's tokens stay the run's and the server's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bulk.sandbox.merge import merge
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import cli, engine
from tests.test_undo_dead_links import CONFIG, _deals
from tests.test_undo_link_merged import _night1
from tests.test_undo_merged_after_plan import _at_prompt, _results
from tests.test_undo_merged_org import _later, _undo

PHONE = [{"value": "+49 89 100014", "label": "work", "primary": True}]


@pytest.mark.parametrize("contact", [
    pytest.param({"emails": [], "phones": PHONE}, id="phone-only"),
    pytest.param({"emails": [], "phones": []}, id="name-only")])
def test_a_job_person_without_an_email_merged_away_is_traced(
        tmp_path: Path, contact: dict[str, Any]) -> None:
    """K1's person (Ann Lee, made by the import; here with a phone only, or a name only)
    merged into Cy Doe: the undo deletes K1 as the import's create, its note naming the
    merge, not a conflict; plan = run = the server's count."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, cy = was["K1"]["person_id"], was["K3"]["person_id"]
        persons = sb.state.persons.rows
        persons[ann] = {**persons[ann], **contact}
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": cy})
        assert _deals(sb)["K1"]["person_id"] == cy

        _, _, rows = _undo(sb, jobs, night1)
        assert _deals(sb) == {}, _deals(sb)  # before: K1 left, a conflict
        assert rows["K1"]["action"] == "deleted", rows["K1"]
        assert f"its person {ann} (the job's) was merged into person {cy} since" \
            in rows["K1"]["note"], rows["K1"]


def test_a_job_person_without_an_email_merged_at_the_prompt_is_traced(
        tmp_path: Path) -> None:
    """The tester's prompt run: Ann Lee (the import's, a phone only) merged into Cy Doe and
    Bob Roe (a name only) into Di Fox while the prompt waits: the run deletes K1 and K2 as
    the plan would have (before: "2 changed since the undo was planned (conflicts)" and
    "0 deal(s) ... merged ... after this undo was planned"); tokens: the plan's plus the
    named trace's = the server's."""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, bob = was["K1"]["person_id"], was["K2"]["person_id"]
        cy, di = was["K3"]["person_id"], was["K4"]["person_id"]
        persons = sb.state.persons.rows
        persons[ann] = {**persons[ann], "emails": [], "phones": PHONE}
        persons[bob] = {**persons[bob], "emails": [], "phones": []}

        def merges() -> None:
            with _later(sb, 2.0):
                merge(sb.state, "person", ann, {"merge_with_id": cy})
            with _later(sb, 3.0):
                merge(sb.state, "person", bob, {"merge_with_id": di})
        undone = _at_prompt(sb, jobs, night1, merges)
        assert undone.exit_code == 0, undone.output
        assert _deals(sb) == {}, _deals(sb)
        ok, failed, summary = _results(jobs)
        assert not failed, failed
        assert summary["merged_after_plan"]["rows"] == 2, summary["merged_after_plan"]
        assert f"its person {bob} was merged into person {di} after this undo was planned" \
            in ok["K2"]["note"], ok["K2"]


def test_two_persons_without_an_email_merged_in_one_second_are_traced_by_the_jobs_deals(
        tmp_path: Path) -> None:
    """Ann Lee and Bob Roe (names only) merged into Cy Doe and Di Fox in one second: the
    deals moved in it alone cannot tell which went where, but the job's own deals can —
    K1, which it linked to Ann, moved in that second to Cy; K2 to Di (x40r1 F1; before:
    K1 and K2 conflicts, left alone). Every deal is deleted. (A record whose own deals
    name two survivors is still no trace: ``tests/test_undo_merges_one_second.py``.)"""
    with ThreadedSandbox(CONFIG) as sb:
        jobs, night1 = _night1(sb, tmp_path)
        was = _deals(sb)
        ann, bob = was["K1"]["person_id"], was["K2"]["person_id"]
        cy, di = was["K3"]["person_id"], was["K4"]["person_id"]
        persons = sb.state.persons.rows
        for rid in (ann, bob):
            persons[rid] = {**persons[rid], "emails": [], "phones": []}
        with _later(sb, 2.0):
            merge(sb.state, "person", ann, {"merge_with_id": cy})
            merge(sb.state, "person", bob, {"merge_with_id": di})
        undone = cli(sb, jobs, "undo", night1, "--yes", *engine(sb, jobs))
        assert undone.exit_code in (0, 3), undone.output
        assert undone.exit_code == 0, undone.output
        assert _deals(sb) == {}, _deals(sb)
