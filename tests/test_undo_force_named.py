"""`undo --force` names what it overwrites (x27r3 2): its plan and its run's summary count
the deals whose writes go over a change made since the job — a later job's write, by that
job, or someone else's edit — each a conflict without --force, never a silent "restore"."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.import_support import read_csv
from tests.test_undo_stacked import MAPPING, _update
from tests.update_support import cli_args, deal, threaded_sandbox


def test_undo_force_counts_and_names_the_changes_it_overwrites(tmp_path: Path) -> None:
    """A on six deals; B (later) on three of them; a colleague edits two others. `plan undo
    A` lists five conflicts; `plan undo A --force` and `undo A --force --yes` say five of
    the writes overwrite a change since the job (job B: 3, others: 2), naming the deals;
    summary.json counts them, succeeded.csv notes each; the sixth deal is a plain restore."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "jobs")
        (tmp_path / "map.toml").write_text(MAPPING)
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_archived"])[:6]
        original = {i: deal(sb, i)["value"] for i in ids}
        a = _update(runner, env, args, tmp_path, "a", {i: 1001 for i in ids})
        b = _update(runner, env, args, tmp_path, "b", {i: 2002 for i in ids[:3]})
        for i in ids[3:5]:  # a colleague's edit (in the write's own second: update_time kept)
            d = deal(sb, i)
            d["value"] = 7
            sb.state.save("deal", d)

        plain = runner.invoke(app, ["plan", "undo", a, *args], env=env)
        assert plain.exit_code == 3, plain.output
        assert "5 conflicts" in " ".join(plain.output.split()), plain.output

        forced = runner.invoke(app, ["plan", "undo", a, "--force", *args], env=env)
        text = " ".join(forced.output.split())
        assert forced.exit_code == 0, forced.output
        assert "5 of the deal writes overwrite a change made since the job" in text, text
        assert f"job {b}: 3" in text and "changes made since by others: 2" in text, text
        assert "deals " + ", ".join(map(str, ids[:5])) in text, text

        had = set((tmp_path / "jobs").iterdir())
        run = runner.invoke(app, ["undo", a, "--force", "--yes", *args], env=env)
        assert run.exit_code == 0, run.output
        said = " ".join(run.output.split())
        assert "5 of the deal writes overwrote a change made since the job" in said, said
        assert f"job {b}: 3" in said, said
        (folder,) = set((tmp_path / "jobs").iterdir()) - had
        summary = orjson.loads((folder / "summary.json").read_bytes())
        assert summary["overwrote"] == {f"job {b}": 3, "changes made since by others": 2}
        notes = {int(r["deal_id"]): r["note"] for r in read_csv(folder / "succeeded.csv")}
        assert all(f"overwrote a change of job {b}" in notes[i] for i in ids[:3]), notes
        assert all("overwrote a change made since" in notes[i] for i in ids[3:5]), notes
        assert notes[ids[5]] == "", notes
        assert [deal(sb, i)["value"] for i in ids] == [original[i] for i in ids]


def test_undo_force_does_not_count_a_change_to_fields_it_leaves_alone(tmp_path: Path) -> None:
    """x28r2 F7: a colleague moved two deals to another person after the job set their
    value; `undo --force` puts back the values alone — over nobody's change — and said it
    "overwrote a change made since the job" for both."""
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=36)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "jobs")
        (tmp_path / "map.toml").write_text(MAPPING)
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_archived"])[:3]
        original = {i: deal(sb, i)["value"] for i in ids}
        persons = sorted(sb.state.persons.rows)
        a = _update(runner, env, args, tmp_path, "a", {i: 1001 for i in ids})
        theirs = {}
        for i in ids[:2]:  # a colleague's new person (a write: update_time moves)
            d = deal(sb, i)
            theirs[i] = next(p for p in persons if p != d.get("person_id"))
            sb.state.save("deal", {**d, "person_id": theirs[i],
                                   "update_time": "2031-01-01T00:00:00Z"})
        had = set((tmp_path / "jobs").iterdir())
        run = runner.invoke(app, ["undo", a, "--force", "--yes", *args], env=env)
        assert run.exit_code == 0, run.output
        said = " ".join(run.output.split())
        assert "overwrote a change" not in said, said
        (folder,) = set((tmp_path / "jobs").iterdir()) - had
        summary = orjson.loads((folder / "summary.json").read_bytes())
        assert not summary.get("overwrote"), summary
        assert [deal(sb, i)["value"] for i in ids] == [original[i] for i in ids]
        assert [deal(sb, i)["person_id"] for i in ids[:2]] == [theirs[i] for i in ids[:2]]


def test_undo_force_names_a_change_made_at_its_prompt(tmp_path: Path) -> None:
    """x36r2 F1: while `undo A --force` waited at its prompt, a colleague set the value of
    two deals and moved a third to another person; the undo put the values back and said
    nothing (summary ``overwrote: {}``). Now the re-check right before the batch (read
    with --force too: the plan counts it, plan = run) names the two overwritten values in
    the run's line, summary.json and succeeded.csv; the person move (a field the undo
    leaves alone) is not an overwrite."""
    import anyio

    from jobs import run_job, undo_job
    from tests.import_support import engine_config

    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=30, seed=37)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        runner = CliRunner()
        args = cli_args(sb, tmp_path / "jobs")
        (tmp_path / "map.toml").write_text(MAPPING)
        ids = sorted(i for i, d in sb.state.deals.rows.items()
                     if d["status"] == "open" and not d["is_archived"])[:4]
        original = {i: deal(sb, i)["value"] for i in ids}
        a = _update(runner, env, args, tmp_path, "a", {i: 1001 for i in ids})
        persons = sorted(sb.state.persons.rows)

        def at_the_prompt(question: str) -> bool:
            for i in ids[:2]:
                d = deal(sb, i)
                sb.state.save("deal", {**d, "value": 777, "update_time": "2031-01-01T00:00:00Z"})
            d = deal(sb, ids[2])
            other = next(p for p in persons if p != d.get("person_id"))
            sb.state.save("deal", {**d, "person_id": other,
                                   "update_time": "2031-01-01T00:00:00Z"})
            return True

        planned = runner.invoke(app, ["plan", "undo", a, "--force", "--json", *args], env=env)
        assert planned.exit_code == 0, planned.output
        plan_tokens = orjson.loads(planned.output)["tokens"]

        async def main() -> object:
            return await run_job(engine_config(sb, tmp_path / "jobs"), sb.token,
                                 undo_job(tmp_path / "jobs" / a, force=True),
                                 confirm=at_the_prompt)

        finished = anyio.run(main)
        folder = finished.directory  # type: ignore[attr-defined]
        said = " ".join(" ".join(finished.lines).split())  # type: ignore[attr-defined]
        assert "2 of the deal writes overwrote a change made since the job" in said, said
        summary = orjson.loads((folder / "summary.json").read_bytes())
        assert summary["overwrote"] == {"changes made since by others": 2}, summary
        notes = {int(r["deal_id"]): r["note"] for r in read_csv(folder / "succeeded.csv")}
        assert all("overwrote a change made since the job (--force): changed after the plan "
                   "(value: 1001 then, 777 now)" in notes[i] for i in ids[:2]), notes
        assert notes[ids[2]] == "" and notes[ids[3]] == "", notes
        assert [deal(sb, i)["value"] for i in ids] == [original[i] for i in ids]
        assert summary["tokens"] == plan_tokens, (summary["tokens"], plan_tokens)
