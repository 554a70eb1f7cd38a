"""f25a: a damaged (or lost) job store's advice used the import's words for every kind —
an update's emptied store said "starting the update again may create those rows again
(… insert mode it would double them)". Each kind's advice says what its own re-run does."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.store.advice import advised_kinds
from jobs import KINDS
from pdbulk.cli import app

WORDS = {
    "import": "insert mode it would double them",
    "update": "re-run the update: it re-reads each deal and skips those already changed",
    "move-stage": "re-run the move-stage: it selects the deals again",
    "merge": "merges are final in Pipedrive: re-run the merge",
    "undo": "run `pdbulk undo` of the same job again",
    "dedupe": "run `pdbulk dedupe apply` of the same plan again",
    "touch": "re-run the touch",
}
IMPORT_WORDS = ("import", "create those rows", "double them", "upsert")


def test_every_kind_has_its_own_words() -> None:
    assert set(KINDS) <= advised_kinds() and set(WORDS) == set(KINDS)


def ran_then_damaged(jobs: Path, kind: str, *, lost: bool) -> str:
    """A job folder of ``kind`` whose job ran (result files) and whose job.sqlite was then
    emptied (``lost``: deleted with its -wal and -shm)."""
    name = f"20261203-062611-{kind}-0459"
    folder = jobs / name
    folder.mkdir(parents=True)
    (folder / "job.lock").write_bytes(b"")
    (folder / "succeeded.csv").write_text("row,deal_id\n1,7\n")
    if not lost:
        (folder / "job.sqlite").write_bytes(b"")
    return name


@pytest.mark.parametrize("lost", [False, True], ids=["emptied", "deleted"])
@pytest.mark.parametrize("kind", sorted(WORDS))
def test_a_damaged_store_is_advised_in_its_kinds_words(tmp_path: Path, kind: str,
                                                      lost: bool) -> None:
    name = ran_then_damaged(tmp_path / "jobs", kind, lost=lost)
    res = CliRunner().invoke(app, ["status", name, "--job-dir", str(tmp_path / "jobs")],
                             env={"PIPEDRIVE_API_TOKEN": "SECRET-tok"})
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output and "SECRET-tok" not in res.output
    said = " ".join(res.output.split())
    assert WORDS[kind] in said, said
    advice = said.split("succeeded.csv", 1)[1]  # the words after the folder's files
    if kind != "import":
        assert not any(w in advice for w in IMPORT_WORDS), advice
