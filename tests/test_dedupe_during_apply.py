"""A colleague's work while a dedupe apply runs (fresh tester x11r1): the deals were read once,
at the start of the apply, and nothing was read again before a merge or a field-policy
PATCH was sent — an edit made meanwhile was merged away (S1) or overwritten (S2), and a
deal deleted meanwhile failed the job with the API's text (M5). The runner re-checks each
batch of merges right before sending it (``MergeJob.recheck``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig, serve
from bulk.store import Item, ItemState
from jobs.dedupe.apply import prepare_apply
from jobs.dedupe.config import DedupeConfig
from jobs.dedupe.merge_job import DedupeJob
from pdbulk.cli import app
from tests.dedupe_job_support import PAST, deal, load_apply, org, plan, seed_account
from tests.update_support import cli_args, delta, load_job, requests, run_job, threaded_sandbox
from tests.update_support import deal as sb_deal

MAX_VALUE = DedupeConfig.from_mapping({"field_policy": {"value": "max"}})


def _reasons(store: Any) -> dict[str, str]:
    return {str(i.key): str((i.result or {}).get("reason") or i.error or "")
            for i in store.items()}


@pytest.mark.anyio
async def test_an_edit_or_a_delete_made_after_the_load_is_never_merged_away(
        tmp_path: Path) -> None:
    """After the job is loaded (its deals read), a colleague raises the copy's amount in
    one group (its PATCH and merge would put 1000.01 over it and merge it away) and deletes
    the copy of the other. Both groups are skipped; nothing but the re-read is sent; the
    colleague's value stands; the job ends with no failure."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        ids = seed_account(sb)["ids"]
        await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        assert prep.actions["merge"] == 2
        now = sb.state.now_iso()
        sb.state.save("deal", {**sb_deal(sb, ids["web"]), "value": 7777, "update_time": now})
        sb.state.save("deal", {**sb_deal(sb, ids["ren_copy"]), "is_deleted": True})
        sent = requests(sb)
        result = await run_job(sb, store)
        calls = delta(sent, requests(sb))
        reasons = _reasons(store)
        counts = result.counts
        store.close()
        assert calls == {"getDeals": 1}, calls  # no PATCH, no merge
        assert sb_deal(sb, ids["web"])["value"] == 7777
        assert not sb_deal(sb, ids["web_copy"])["is_deleted"]
    assert counts[ItemState.SKIPPED] == 2 and not counts[ItemState.FAILED], counts
    assert "changed while the job ran" in reasons[f"{ids['web_copy']}->{ids['web']}"]
    assert "is no longer a live deal" in reasons[f"{ids['ren_copy']}->{ids['ren']}"]


@pytest.mark.anyio
@pytest.mark.parametrize("read", [True, False])
async def test_a_deal_deleted_between_the_recheck_and_its_merge_is_skipped(
        tmp_path: Path, read: bool) -> None:
    """M5: the deal went after the batch's re-read: the read of the merged-away deal right
    before its merge finds it gone; and when it goes after that read too, the merge
    itself answers 400 "is deleted and cannot be merged". The group is skipped, never
    failed with the API's text."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        ids = seed_account(sb)["ids"]
        await plan(sb, tmp_path, tmp_path / "p1")
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        sb.state.save("deal", {**sb_deal(sb, ids["ren_copy"]), "is_deleted": True})
        kind = DedupeJob.from_store(store)

        async def no_recheck(ctx: Any, items: Any) -> list[Any]:
            return []  # the deal goes after the re-read
        kind.recheck = no_recheck  # type: ignore[method-assign]
        if not read:
            async def as_planned(ctx: Any, item: Any) -> None:
                return None  # the deal goes after this read as well
            kind._as_planned = as_planned  # type: ignore[method-assign]
        result = await run_job(sb, store, kind=kind)
        reasons = _reasons(store)
        store.close()
    assert not result.counts[ItemState.FAILED], reasons
    assert ("no longer a live deal" if read else "deleted or merged since the plan") in \
        reasons[f"{ids['ren_copy']}->{ids['ren']}"]


@pytest.mark.anyio
async def test_a_survivor_this_run_merges_into_across_batches_is_not_taken_as_changed(
        tmp_path: Path) -> None:
    """Eleven copies of one deal, one worker (8 merges per re-checked batch): the second
    batch reads a survivor this job's own merges (and PATCH) changed; that is no
    colleague's edit — every copy is merged, nothing skipped."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=5)) as sb:
        sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
        acme = org(sb, "Acme Corp")
        first = deal(sb, "Website redesign", acme, value=1000, add=PAST)
        # (one copy a cent over the rest: the PATCH; more is two amounts, review: x45r2 F1)
        copies = [deal(sb, "Website redesign", acme, value=1000.01 if n == 10 else 1000,
                       add=f"2026-11-01T10:{n + 1:02d}:00Z") for n in range(11)]
        await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)

        async def build(s: Any) -> Any:
            from jobs.dedupe.apply import ApplyOptions
            return await prepare_apply(s.ctx, tmp_path / "p1", ApplyOptions(),
                                       state_dir=tmp_path / "state")
        store, prep = await load_job(sb, tmp_path / "jobs", "dedupe", build, max_workers=1)
        assert prep.actions["merge"] == 11, prep.actions
        result = await run_job(sb, store)
        items: list[Item] = list(store.items())
        store.close()
        live = [i for i in (first, *copies) if not sb_deal(sb, i)["is_deleted"]]
    assert result.counts[ItemState.DONE] == 11, [(i.key, i.state, i.result) for i in items]
    assert len(live) == 1 and sb_deal(sb, live[0])["value"] == 1000.01


@pytest.mark.parametrize("cap", [[], ["--max-merges", "1"]])
def test_plan_dedupe_prices_the_recheck_the_run_makes(tmp_path: Path, cap: list[str]) -> None:
    """`plan dedupe --json` counts the re-check reads of each batch: its tokens are the
    run's, to the token (x11r1 held plan = run; the re-check added a read per batch); and
    with --max-merges, the merges and PATCHes of the groups the cap takes (x11r1 M7: plan
    dedupe had no --max-merges, and priced all 32 merges of a 5-merge night)."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        cost = CliRunner().invoke(app, ["plan", "dedupe", "--json", *cap, *args], env=env)
        assert cost.exit_code == 0, cost.output
        ran = CliRunner().invoke(app, ["dedupe", "run", "--json", *cap, "-o",
                                       str(tmp_path / "p"), *args], env=env)
        assert ran.exit_code == 0, ran.output
    planned, summary = orjson.loads(cost.stdout), orjson.loads(ran.stdout)
    assert summary["merged"] == (1 if cap else 2), summary
    assert planned["tokens"] == summary["tokens"], (planned["tokens_by_operation"], summary)


def test_a_signal_while_planning_says_nothing_was_sent(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """x11r1 M2: SIGTERM before the merges started (a systemd stop of the nightly run)
    killed it with exit 143, no JSON, and a job left "planned". It ends with one JSON
    object, exit 1, and no job folder: nothing was sent."""
    import signal

    import anyio

    import jobs.dedupe.job as dedupe_job  # (the command imports make_plan from it when run)

    async def stopped_while_planning(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGTERM)
        await anyio.sleep(5)
        raise AssertionError("the signal did not stop the plan")

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=1, seed=43)) as sb:
        seed_account(sb)
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        args = cli_args(sb, tmp_path / "j")
        monkeypatch.setattr(dedupe_job, "make_plan", stopped_while_planning)

        def unhandled(signum: int, frame: Any) -> None:  # without the command's own
            raise KeyboardInterrupt  # handler: the test process is not killed

        before = signal.signal(signal.SIGTERM, unhandled)
        try:
            ran = CliRunner().invoke(app, ["dedupe", "run", "--json", *args], env=env)
            assert signal.getsignal(signal.SIGTERM) is unhandled  # put back
        finally:
            signal.signal(signal.SIGTERM, before)
    assert ran.exit_code == 1, ran.output
    (line,) = ran.stdout.strip().splitlines()
    out = orjson.loads(line)
    assert out["status"] == "error" and "before any merge was sent" in out["error"], out
    assert not [d for d in (tmp_path / "j").iterdir() if d.name != "dedupe-state"]


def test_the_prompt_asks_once_and_takes_anything_but_yes_for_no(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """x11r1: input that is no answer (cron's stdin) printed "Error: invalid input" six
    times before the apply was cancelled."""
    import io

    from jobs.confirming import NoAnswer
    from pdbulk.options import confirmed as _confirmed

    class _Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for given, wanted in (("maybe\nyes\n", False), ("YES\n", True), ("y", True), ("", None)):
        monkeypatch.setattr("sys.stdin", _Terminal(given))  # typed at a terminal
        try:
            assert _confirmed("Merge 2 deals away?") is wanted, given
        except NoAnswer:  # end of input: no answer at all (f24c F2)
            assert wanted is None, given
    out = capsys.readouterr().out
    assert out.count("Merge 2 deals away? [y/N]: ") == 4 and "invalid" not in out


def test_the_plan_counts_the_review_bands_patches_apart(tmp_path: Path) -> None:
    """x11r1 M3 / x11r2 9: the plan counted a review-band group's field-policy PATCH with
    the duplicate band's ("3 PATCHes", the run sent 2): it is sent only with
    --include-review, and the summary says both."""
    from jobs.dedupe.model import DealRecord, Group, MatchResult
    from jobs.dedupe.planfiles import write_plan

    records = {i: DealRecord(id=i, title="Deal", status="open", value=float(v), currency="EUR")
               for i, v in ((1, 100), (2, 500), (3, 100), (4, 700))}

    def group(survivor: int, merged: int, band: Any) -> Group:
        return Group(id=f"g-{survivor}", survivor_id=survivor, merged_ids=(merged,), band=band,
                     score=0.9, reasons=(), survivor_reasons=(), differing=("value",))
    result = MatchResult(groups=(group(1, 2, "duplicate"), group(3, 4, "review")), pairs=(),
                         compared=2)
    summary = write_plan(tmp_path / "p", result, records, {"value": "max"})
    assert summary["field_policy_patches"] == 1
    assert summary["field_policy_patches_with_review"] == 2


@pytest.mark.anyio
async def test_a_resume_never_claims_a_merge_a_later_run_made(tmp_path: Path) -> None:
    """x11r3 F1: job A killed with a merge in flight that never applied; the next night's
    job B merged the pair; A's resume reconciled it as its own ("merged" in both jobs'
    succeeded.csv, 52 merges for 51 made). A merge applies once: B's answered merge
    proves A's did not, and A reports it ``already merged`` by B."""
    from tests.import_support import read_csv

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=37)) as sb:
        ids = seed_account(sb)["ids"]
        await plan(sb, tmp_path, tmp_path / "p1")
        a, _ = await load_apply(sb, tmp_path, tmp_path / "p1", job_id="A")
        web = next(i for i in a.pending(10) if i.payload["merge_id"] == ids["web_copy"])
        a.mark_sending([web.id], 0.0)  # the kill -9: in flight, never applied
        b, _ = await load_apply(sb, tmp_path, tmp_path / "p1", job_id="B")
        done = await run_job(sb, b)
        assert done.counts[ItemState.DONE] == 2
        b.close()
        assert sb_deal(sb, ids["web_copy"])["is_deleted"]
        resumed = await run_job(sb, a)
        rows = {r["merged_id"]: r for r in read_csv(a.directory / "succeeded.csv")}
        a.close()
    assert not resumed.counts[ItemState.DONE], rows  # B made both merges
    row = rows[str(ids["web_copy"])]
    assert row["action"] == "already merged" and "merged by job B" in row["reason"], row


async def _one_group_of_four(sb: Any, tmp_path: Path) -> tuple[list[int], Any]:
    """Four copies of one deal (values 1000, 1000, 1000, 1000.01: more than a cent apart is
    two amounts, review, x45r2 F1) and nothing else live, planned under value = "max":
    their ids and the one group (a PATCH and three merges)."""
    sb.state.save("deal", {**sb_deal(sb, 1), "is_deleted": True})
    acme = org(sb, "Acme Corp")
    members = [deal(sb, "Website redesign", acme, value=1000.01 if n == 3 else 1000,
                    add=f"2026-11-01T10:{n:02d}:00Z") for n in range(4)]
    out = await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
    (group,) = out.result.groups
    return members, group


@pytest.mark.anyio
async def test_a_copy_edited_before_its_group_starts_leaves_the_group_whole(
        tmp_path: Path) -> None:
    """x11r3 F2: one copy of a 12-copy group edited while the apply ran (before any of the
    group's merges went): only that pair was skipped, the field-policy PATCH was sent
    and the other copies merged, the edited one left a stray. The group is left whole."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=5)) as sb:
        members, group = await _one_group_of_four(sb, tmp_path)
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        assert prep.actions["merge"] == 3
        edited = group.merged_ids[1]
        sb.state.save("deal", {**sb_deal(sb, edited), "title": "Website redesign (phase 2)",
                               "update_time": sb.state.now_iso()})
        sent = requests(sb)
        result = await run_job(sb, store)
        calls = delta(sent, requests(sb))
        reasons = _reasons(store)
        store.close()
        live = [i for i in members if not sb_deal(sb, i)["is_deleted"]]
    # no PATCH, no merge: the re-check, with the name of the org of the pairs not edited
    assert calls == {"getDeals": 1, "getOrganization": 1}, calls
    assert result.counts[ItemState.SKIPPED] == 3 and len(live) == 4, (result.counts, live)
    others = [k for k in reasons if not k.startswith(f"{edited}->")]
    assert all("its group is left alone" in reasons[k] for k in others), reasons


@pytest.mark.anyio
async def test_a_copy_edited_while_its_group_merges_is_not_merged_away(
        tmp_path: Path) -> None:
    """x11r4 F1: a copy a colleague edited after its group's first merge (the batch was
    re-read before that) was merged away with the edit, 4 of 4. Each merged-away deal is
    read right before its merge: that pair is left alone, the group's others merge."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=5)) as sb:
        members, group = await _one_group_of_four(sb, tmp_path)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        edited = group.merged_ids[-1]
        kind = DedupeJob.from_store(store)
        merge = kind._merge

        async def then_a_colleague(ctx: Any, item: Any) -> Any:
            outcome = await merge(ctx, item)
            if item.payload["merge_id"] == group.merged_ids[0]:  # the group has begun
                sb.state.save("deal", {**sb_deal(sb, edited), "value": 4242,
                                       "update_time": sb.state.now_iso()})
            return outcome
        kind._merge = then_a_colleague  # type: ignore[method-assign]
        result = await run_job(sb, store, kind=kind)
        reasons = _reasons(store)
        store.close()
        kept = sb_deal(sb, edited)
        live = [i for i in members if not sb_deal(sb, i)["is_deleted"]]
    assert result.counts[ItemState.DONE] == 2 and result.counts[ItemState.SKIPPED] == 1
    assert not kept["is_deleted"] and kept["value"] == 4242
    assert sorted(live) == sorted([group.survivor_id, edited])
    assert "changed while the job ran" in reasons[f"{edited}->{group.survivor_id}"]


@pytest.mark.anyio
async def test_min_takes_no_zero_from_a_merged_copy(tmp_path: Path) -> None:
    """x11r4 F4: under value = "min" the survivors took 0 from merged copies and the undo
    plan did not name those 0s; x44r8 F3: a deal value of 0 is no value (FACTS.md), so no
    policy takes it (a nightly run set 32 of 32 survivors' value to 0): the survivor keeps
    a real value and undo has no 0 to name."""
    from jobs.undo import prepare_undo

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        ids = seed_account(sb)["ids"]
        out = await plan(sb, tmp_path, tmp_path / "p1",
                         DedupeConfig.from_mapping({"field_policy": {"value": "min"}}))
        ren = next(g for g in out.result.groups if ids["ren"] in g.member_ids)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        await run_job(sb, store)
        assert sb_deal(sb, ren.survivor_id)["value"] != 0

        async def undo_build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, prep = await load_job(sb, tmp_path / "jobs", "undo", undo_build, job_id="u")
        undo.close()
        store.close()
    assert not any("its value 0 came from" in n for n in prep.notes), prep.notes


@pytest.mark.anyio
@pytest.mark.parametrize("case", ["put back", "colleague", "stopped first"])
async def test_a_value_taken_from_a_copy_left_unmerged_is_put_back(
        tmp_path: Path, case: str) -> None:
    """x13r4 F1: under value = "max" the survivor was PATCHed to the copy's 1000.01 before the
    merges; a colleague then edited that copy, its merge was skipped (right), and the
    survivor and the live copy both held 1000.01 — counted twice in the pipeline, exit 0, no
    word. Once the merges have ended, the survivor's value is put back to the max among
    itself and the copies merged (one read, one PATCH), said in a line, exit 0; undo then
    restores its value from before the job. When the survivor's value was changed too
    since the PATCH (a colleague), it is left as it is, with a warning and exit 3; so too
    when the run ended before the put-back."""
    import typer

    from jobs.dedupe.merge_job import policy_put_backs, policy_strays
    from jobs.undo import prepare_undo
    from pdbulk.options import finish

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=5)) as sb:
        members, group = await _one_group_of_four(sb, tmp_path)
        values = {i: sb_deal(sb, i)["value"] for i in members}
        top = max(members, key=values.__getitem__)
        assert top != group.survivor_id and top in group.merged_ids
        if top == group.merged_ids[0]:  # its own merge carries the PATCH: another case
            pytest.skip("the edited copy is the group's first merge")
        store, prep = await load_apply(sb, tmp_path, tmp_path / "p1")
        # x24r4 F6: the put-back's calls are priced in the plan, as a conditional note
        assert any(n.startswith("if a merge of the 1 group(s) whose survivor gets a "
                                "field-policy PATCH") and "at most 4 read(s) and 1 PATCH(es), "
                   "9 tokens" in n for n in prep.notes), prep.notes
        kind = DedupeJob.from_store(store)
        merge = kind._merge

        async def then_a_colleague(ctx: Any, item: Any) -> Any:
            outcome = await merge(ctx, item)
            if item.payload.get("patch"):  # the PATCH applied and the first merge with it
                sb.state.save("deal", {**sb_deal(sb, top), "title": "Website redesign 2",
                                       "update_time": sb.state.now_iso()})
                if colleague_on_survivor:
                    sb.state.save("deal", {**sb_deal(sb, group.survivor_id), "value": 5555,
                                           "update_time": sb.state.now_iso()})
            return outcome
        kind._merge = then_a_colleague  # type: ignore[method-assign]
        if case == "stopped first":
            async def stopped(ctx: Any) -> None:
                return None
            kind.settled = stopped  # type: ignore[method-assign]
        colleague_on_survivor = case == "colleague"
        sent = requests(sb)
        result = await run_job(sb, store, kind=kind)
        calls = delta(sent, requests(sb))
        warned, put = policy_strays(store), policy_put_backs(store)
        from jobs.dedupe.put_back import put_back_tokens  # after the plan's note is checked

        spend = put_back_tokens(store)
        said = kind.after_run(store, None)
        exit_code = 0
        try:
            finish(store, result)
        except typer.Exit as ended:
            exit_code = ended.exit_code
        survivor, copy = sb_deal(sb, group.survivor_id), sb_deal(sb, top)

        async def undo_build(s: Any) -> Any:
            return await prepare_undo(s.ctx, store)
        undo, _ = await load_job(sb, tmp_path / "jobs", "undo", undo_build, job_id="u")
        await run_job(sb, undo)
        undo.close()
        after_undo = sb_deal(sb, group.survivor_id)["value"]
        job_id = store.job_id
        store.close()
    assert copy["value"] == 1000.01 and not copy["is_deleted"]
    assert calls["updateDeal"] == (2 if case == "put back" else 1), calls
    # the run's token figures name the put-back's calls: 2 reads (the survivor and the
    # copy left unmerged), and its PATCH when it was sent
    line = ("put-backs: 2 read(s) (getDeal) and {} PATCH(es) (updateDeal), {} tokens of the "
            "job's (merges skipped or failed after their group's field-policy PATCH)")
    if case == "stopped first":
        assert spend == [] and not any(s.startswith("put-backs:") for s in said)
    elif case == "colleague":
        assert spend == [line.format(0, 2)] and spend[0] in said, said
    else:
        assert spend == [line.format(1, 7)] and spend[0] in said, said
    if case == "stopped first":
        assert survivor["value"] == 1000.01 and exit_code == 3 and not put
        assert warned == [
            f"warning: group {group.id}: survivor {group.survivor_id} holds value 1000.01 (from "
            f"deal {top}), which its field-policy PATCH took; that deal was not merged and "
            f"stays live with it: check both deals (pdbulk undo {job_id} puts the survivor's "
            "values back)"]
        assert after_undo == values[group.survivor_id]
        return
    if colleague_on_survivor:
        assert survivor["value"] == 5555 and exit_code == 3 and not put
        assert warned == [
            f"warning: group {group.id}: its field-policy PATCH gave survivor "
            f"{group.survivor_id} value 1000.01 (from deal {top}), a deal that was not merged; "
            "the field changed since this job wrote it, so it was not put back: check both "
            f"deals (pdbulk undo {job_id} puts the survivor's values back)"]
        assert after_undo == 5555  # a colleague's value: never undone
        return
    best = max(v for i, v in values.items() if i != top)
    assert survivor["value"] == best and exit_code == 0 and not warned
    assert put == [f"group {group.id}: survivor {group.survivor_id}: put back value 1000.01 → "
                   f"{best} (its field-policy PATCH took the value from a deal that was not "
                   "merged)"]
    assert put[0] in said
    # the put-back's value came from a deal merged away: undo leaves it (x34r2 F5: put back,
    # it would be in no live deal); --force puts the survivor's own back
    assert after_undo == best


@pytest.mark.anyio
@pytest.mark.parametrize("policy", [True, False])
async def test_a_survivor_edited_after_the_recheck_is_read_before_the_patch_and_merge(
        tmp_path: Path, policy: bool) -> None:
    """x19r2 F1: a colleague edits the survivor after its batch's re-check (here: no
    re-check at all) and before the group's field-policy PATCH (or, with no policy, its
    merge): the read right before the write reads the survivor too, so the group is
    skipped as changed, nothing written, the colleague's value intact (the PATCH put the
    copy's 1000.01 over it, and the survivor was never read)."""
    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=31)) as sb:
        ids = seed_account(sb)["ids"]
        await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE if policy else None)
        store, _ = await load_apply(sb, tmp_path, tmp_path / "p1")
        kind = DedupeJob.from_store(store)

        async def no_recheck(ctx: Any, items: Any) -> list[Any]:
            return []  # the colleague's edit lands after the batch's re-check
        kind.recheck = no_recheck  # type: ignore[method-assign]
        sb.state.save("deal", {**sb_deal(sb, ids["web"]), "value": 12345,
                               "update_time": sb.state.now_iso()})
        sent = requests(sb)
        result = await run_job(sb, store, kind=kind)
        calls = delta(sent, requests(sb))
        reasons = _reasons(store)
        store.close()
        assert sb_deal(sb, ids["web"])["value"] == 12345
        assert not sb_deal(sb, ids["web_copy"])["is_deleted"]
    assert not result.counts[ItemState.FAILED], reasons
    why = reasons[f"{ids['web_copy']}->{ids['web']}"]
    assert f"survivor deal {ids['web']} changed while the job ran" in why, why
    assert "updateDeal" not in calls and calls.get("mergeDeals", 0) == 1, calls  # ren only


@pytest.mark.anyio
async def test_a_resume_never_claims_a_merge_a_later_run_reconciled(tmp_path: Path) -> None:
    """x19r2 F2: as above, but job B's answers to its merges were lost and B settled them
    by reading the deals back (reconciled): only answered merges were recorded to their
    job (merged-by.json), so A's resume took B's merge for its own ("merged")."""
    from bulk.sandbox import Faults
    from tests.import_support import read_csv

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=37)) as sb:
        ids = seed_account(sb)["ids"]
        await plan(sb, tmp_path, tmp_path / "p1")
        a, _ = await load_apply(sb, tmp_path, tmp_path / "p1", job_id="A")
        web = next(i for i in a.pending(10) if i.payload["merge_id"] == ids["web_copy"])
        a.mark_sending([web.id], 0.0)  # the kill -9: in flight, never applied
        b, _ = await load_apply(sb, tmp_path, tmp_path / "p1", job_id="B")
        sb.set_faults(Faults(lost_response_rate=1.0, only_operations=frozenset({"mergeDeals"})))
        done = await run_job(sb, b)
        sb.set_faults(Faults())
        b_rows = {r["merged_id"]: r for r in read_csv(b.directory / "succeeded.csv")}
        b.close()
        assert done.counts[ItemState.DONE] == 2, b_rows
        assert sb_deal(sb, ids["web_copy"])["is_deleted"]
        resumed = await run_job(sb, a)
        rows = {r["merged_id"]: r for r in read_csv(a.directory / "succeeded.csv")}
        a.close()
    assert not resumed.counts[ItemState.DONE], rows  # B made both merges
    row = rows[str(ids["web_copy"])]
    assert row["action"] == "already merged" and "merged by job B" in row["reason"], row


def test_a_pending_merge_another_run_made_is_already_merged_not_gone(tmp_path: Path) -> None:
    """x19r4 F3: a resumed dedupe job whose pending merge a later run made (recorded in the
    state directory) said "changed since the plan: merged-away deal 61 no longer exists";
    it was merged by that run, and is said so. A deal gone for no recorded job is "gone
    since the plan" (x51r6 F3: it was "changed since the plan", as no changed deal is)."""
    from bulk.store import JobStore
    from jobs.dedupe.apply import STATE_DIR
    from jobs.dedupe.index import remember_makers

    state = tmp_path / "state"
    state.mkdir()
    remember_makers(state, {61: "night-2"})
    store = JobStore.create(tmp_path / "jobs" / "night-1", job_id="night-1", kind="dedupe",
                            config={})
    try:
        store.meta_put(STATE_DIR, str(state))
        job = DedupeJob(store)

        def item(merge_id: int) -> Item:
            return Item(id=merge_id, row=1, key=f"{merge_id}->70", op="merge",
                        payload={"merge_id": merge_id, "survivor_id": 70, "group_id": "g-70"},
                        state=ItemState.PENDING, attempts=0, result=None, error=None,
                        status=None, sent_at=None)

        why = ("merged-away deal {} no longer exists (deleted, archived or merged since the "
               "job was planned); nothing sent")
        made = job._left(item(61), why.format(61), status=404)
        assert (made.result or {})["action"] == "already merged"
        assert "by job night-2" in (made.result or {})["reason"]
        gone = job._left(item(62), why.format(62), status=404)
        assert (gone.result or {})["action"] == "skipped"
        assert (gone.result or {})["reason"].startswith("gone since the plan: ")
    finally:
        store.close()


def test_a_merge_of_a_job_killed_before_its_end_is_named_by_its_job(tmp_path: Path) -> None:
    """x26r1 6: job B, killed -9 mid-run, never wrote merged-by.json (that is written when
    a run ends), so job A's resume said B's merges were "skipped ... no longer exists"
    while C's were "already merged by job C". B's store holds its merges done: A names B.
    A deal gone for no job stays "changed since the plan"."""
    from bulk.store import JobStore, NewItem, Outcome
    from jobs.dedupe.apply import STATE_DIR
    from jobs.dedupe.index import remember_makers

    state, jobs = tmp_path / "state", tmp_path / "jobs"
    state.mkdir()
    remember_makers(state, {61: "night-3"})  # C ended: recorded
    killed = JobStore.create(jobs / "night-2", job_id="night-2", kind="dedupe", config={})
    killed.add_items([NewItem(row=1, key="63->70", op="merge",
                              payload={"merge_id": 63, "survivor_id": 70, "group_id": "g-70"})])
    (sent,) = killed.pending(10)
    killed.mark_sending([sent.id], 0.0)
    killed.record([Outcome(sent.id, ItemState.DONE, result={"merged_id": 63})])
    killed.close()  # B: killed -9, nothing in merged-by.json
    store = JobStore.create(jobs / "night-1", job_id="night-1", kind="dedupe", config={})
    try:
        store.meta_put(STATE_DIR, str(state))
        job = DedupeJob(store)

        def item(merge_id: int) -> Item:
            return Item(id=merge_id, row=1, key=f"{merge_id}->70", op="merge",
                        payload={"merge_id": merge_id, "survivor_id": 70, "group_id": "g-70"},
                        state=ItemState.PENDING, attempts=0, result=None, error=None,
                        status=None, sent_at=None)

        why = ("merged-away deal {} no longer exists (deleted, archived or merged since the "
               "job was planned); nothing sent")
        for merge_id, maker in ((61, "night-3"), (63, "night-2")):
            made = job._left(item(merge_id), why.format(merge_id), status=404)
            assert (made.result or {})["action"] == "already merged", made
            assert f"by job {maker}" in (made.result or {})["reason"], made
        gone = job._left(item(62), why.format(62), status=404)
        assert (gone.result or {})["action"] == "skipped"
    finally:
        store.close()


@pytest.mark.anyio
async def test_a_merge_reconciled_as_another_jobs_keeps_its_patchs_fields(
        tmp_path: Path) -> None:
    """f32j 2: job A's field-policy PATCH applied (recorded), its merge in flight when it
    was killed; job B then merged the pair. A's resume reports the merge "already merged
    by job B" — and, as ``execute`` does for that case, the fields A's PATCH set (the
    report's ``fields`` column): the reconcile's rewrite dropped them."""
    from bulk.sandbox.merge import merge
    from jobs.dedupe.index import remember_makers
    from jobs.dedupe.put_back import POLICY_RECORD
    from tests.import_support import read_csv

    async with serve(SandboxConfig(time_scale=0.02, deals=1, seed=37)) as sb:
        ids = seed_account(sb)["ids"]
        await plan(sb, tmp_path, tmp_path / "p1", MAX_VALUE)
        a, _ = await load_apply(sb, tmp_path, tmp_path / "p1", job_id="A")
        web = next(i for i in a.pending(10) if i.payload["merge_id"] == ids["web_copy"])
        assert web.payload.get("patch") and web.payload.get("fields"), web.payload
        survivor = int(web.payload["survivor_id"])
        a.mark_sending([web.id], 0.0)  # the kill -9: its merge in flight
        now = sb.state.now_iso()  # A's PATCH applied, and A recorded it
        sb.state.save("deal", {**sb_deal(sb, survivor), "value": 1000.01, "update_time": now})
        a.meta_put(f"{POLICY_RECORD}{survivor}", {"item": web.id, "update_time": now})
        merge(sb.state, "deal", ids["web_copy"], {"merge_with_id": survivor})  # job B's
        remember_makers(tmp_path / "state", {ids["web_copy"]: "B"})
        await run_job(sb, a)
        rows = {r["merged_id"]: r for r in read_csv(a.directory / "succeeded.csv")}
        a.close()
    row = rows[str(ids["web_copy"])]
    assert row["action"] == "already merged" and "merged by job B" in row["reason"], row
    assert row["fields"] == str(web.payload["fields"]) != "", row
