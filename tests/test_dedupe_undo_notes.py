"""`plan undo` of a dedupe night whose value policy took values from deals merged away
says so in one note, naming the first few survivors and counting the rest, each row's
note naming its own — not one plan note a survivor (f38b: 19 groups printed 19 notes; a
nightly dedupe of thousands would print thousands)."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.import_support import read_csv
from tests.sandbox_helpers import ThreadedSandbox
from tests.test_plan_tokens import TOKEN, cli, engine
from tests.test_undo_dead_links import CONFIG

MAPPING = """[import]
key_column = "key"
[deal]
title = "title"
value = "amount"
stage = "stage"
pipeline = { default = "Sales" }
[person]
name = "person"
email = "email"
[organization]
name = "org"
"""
DEDUPE = """[match]
identifiers = []
[field_policy]
value = "max"
"""
GROUPS = 6


def test_a_dedupe_undo_plan_says_the_merged_values_in_one_note(tmp_path: Path) -> None:
    """Six groups of two, each survivor's empty value set by the policy to its copy's:
    the undo's plan has one note for the six (three named, "and 3 more"), and every row of
    the undo's succeeded.csv says its own value came from a deal merged away."""
    assert TOKEN
    with ThreadedSandbox(CONFIG) as sb:
        jobs = tmp_path / "jobs"
        (tmp_path / "m.toml").write_text(MAPPING)
        (tmp_path / "d.toml").write_text(DEDUPE)
        rows = ["key,title,amount,stage,person,email,org"]
        for i in range(1, GROUPS + 1):  # the copy further on (the survivor), its value empty
            who = f"Person {i},p{i}@acme{i}.com,Acme {i}"
            rows += [f"D{i},Website redesign {i},{100 * i},Qualified,{who}",
                     f"E{i},Website redesign {i},,Contact Made,{who}"]
        (tmp_path / "dup.csv").write_text("\n".join(rows) + "\n")
        made = cli(sb, jobs, "import", str(tmp_path / "dup.csv"), "-m", str(tmp_path / "m.toml"),
                   "--create-key-field",
                   *engine(sb, jobs))
        assert made.exit_code == 0, made.output
        state = ["--state-dir", str(tmp_path / "st")]
        planned = cli(sb, jobs, "dedupe", "plan", "--config", str(tmp_path / "d.toml"), "-o",
                      str(tmp_path / "p1"), *state, *engine(sb, jobs))
        assert planned.exit_code == 0, planned.output
        applied = cli(sb, jobs, "dedupe", "apply", str(tmp_path / "p1"), "--yes", *state,
                      *engine(sb, jobs))
        assert applied.exit_code == 0, applied.output
        nights = [p.name for p in jobs.iterdir() if "dedupe" in p.name]
        assert len(nights) == 1, (nights, planned.output, applied.output)
        night = nights[0]

        undo_plan = cli(sb, jobs, "plan", "undo", night, "--json", *engine(sb, jobs))
        assert undo_plan.exit_code == 0, undo_plan.output
        notes = orjson.loads(undo_plan.stdout)["notes"]
        came = [n for n in notes if "came from deal" in n]
        assert len(came) == 1, came
        assert came[0].startswith(f"{GROUPS} survivor(s) hold a value that came from a deal "
                                  "merged into them: putting it back would lose it"), came
        assert came[0].count("came from deal ") == 3 and "; and 3 more (each said in its " \
            "row's note in succeeded.csv)" in came[0], came
        undone = cli(sb, jobs, "undo", night, "--yes", *engine(sb, jobs))
        assert undone.exit_code == 0, undone.output
        (undo_dir,) = (p for p in jobs.iterdir() if "undo" in p.name)
        said = read_csv(undo_dir / "succeeded.csv")
        assert len(said) == GROUPS, said
        assert all("came from deal" in r["note"] and "it is left" in r["note"]
                   for r in said), said
