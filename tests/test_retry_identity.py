"""A retry or resume refuses a mapping whose identity settings (key column, key field,
mode, person / organization matching) changed since the job's load: one line naming the
setting, nothing sent (x43r4 F1: a retry wrote 'RT two' as the key of rows done as rt2,
and a later import created them again); a value fix still goes through."""

from __future__ import annotations

from pathlib import Path

from bulk.sandbox import Sandbox
from bulk.store import ItemState, JobStore
from tests.test_plan_tokens import cli, engine, sb, spent  # noqa: F401 - sb is a fixture

MAPPING = """version = 1
[import]
key_column = "{key}"
mode = "{mode}"
[defaults]
currency = "EUR"
[deal]
title = "{{title}}"
value = "{value}"
[person]
name = "{person}"
"""


def _mapping(key: str = "key", mode: str = "insert", value: str = "amount",
             person: str = "name") -> str:
    return MAPPING.format(key=key, mode=mode, value=value, person=person)


def _failed_on_amounts(sb: Sandbox, tmp_path: Path,  # noqa: F811
                       rows: int = 3) -> tuple[Path, Path, Path]:
    """(job root, job folder, mapping) of an import whose rows k1.. fail on 'bad' amounts
    and whose row k0 is created."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(_mapping())
    manifest.write_text("key,title,amount,fixed,name,alias\n" + "".join(
        f"k{i},Deal {i},{'bad' if i else 5},{i + 5},P {i},Q {i}\n" for i in range(rows)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", *engine(sb, jobs))
    assert first.exit_code == 3, first.output
    (job,) = jobs.iterdir()
    return jobs, job, mapping


def test_retry_refuses_a_changed_key_column(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """The key column changed (and the amount fixed): exit 1, one line naming
    import.key_column then and now; no token spent, the rows still failed."""
    jobs, job, mapping = _failed_on_amounts(sb, tmp_path)
    mapping.write_text(_mapping(key="title", value="fixed"))
    before = spent(sb)
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 1, retried.output
    assert "import.key_column was 'key', is now 'title'" in retried.output
    assert "back to pending" not in retried.output and "Traceback" not in retried.output
    assert spent(sb) == before
    with JobStore.open(job, lock=False) as store:
        assert len(list(store.items(ItemState.FAILED))) == 2


def test_retry_refuses_a_changed_mode_and_person_match(sb: Sandbox,  # noqa: F811
                                                       tmp_path: Path) -> None:
    """mode and the person's name column are identity too: both named."""
    jobs, job, mapping = _failed_on_amounts(sb, tmp_path)
    mapping.write_text(_mapping(mode="upsert", person="alias", value="fixed"))
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 1, retried.output
    assert "import.mode was 'insert', is now 'upsert'" in retried.output
    assert "person.name was column 'name', is now column 'alias'" in retried.output


def test_retry_takes_a_value_fix(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """The amount read from another column: retried, the rows created under their keys."""
    jobs, job, mapping = _failed_on_amounts(sb, tmp_path)
    mapping.write_text(_mapping(value="fixed"))
    retried = cli(sb, jobs, "retry", job.name, "--job-dir", str(jobs))
    assert retried.exit_code == 0, retried.output
    assert "2 failed items back to pending" in retried.output


def test_resume_refuses_a_changed_key_column(sb: Sandbox, tmp_path: Path) -> None:  # noqa: F811
    """A job stopped by its cap, its mapping's key column changed: resume exits 1 naming
    it, no token spent."""
    jobs, mapping, manifest = tmp_path / "jobs", tmp_path / "m.toml", tmp_path / "in.csv"
    mapping.write_text(_mapping())
    manifest.write_text("key,title,amount,fixed,name,alias\n" + "".join(
        f"k{i},Deal {i},5,5,P {i},Q {i}\n" for i in range(30)))
    first = cli(sb, jobs, "import", str(manifest), "--mapping", str(mapping),
                "--create-key-field", "--max-tokens", "200", *engine(sb, jobs))
    assert first.exit_code == 4, first.output
    (job,) = jobs.iterdir()
    mapping.write_text(_mapping(key="title"))
    before = spent(sb)
    resumed = cli(sb, jobs, "resume", job.name, "--job-dir", str(jobs))
    assert resumed.exit_code == 1, resumed.output
    assert "import.key_column was 'key', is now 'title'" in resumed.output
    assert spent(sb) == before
