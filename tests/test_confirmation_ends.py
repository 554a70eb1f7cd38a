"""A confirmation that does not end in yes cancels the job (x23r4 F2): a closed stdin, an
exception in the library's ``confirm``, a process ended at the prompt. No such job is
left for a resume to send without the answer, and the next ``dedupe run`` names a
dedupe job left at its prompt."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.errors import NotResumable
from bulk.sandbox import SandboxConfig, serve
from bulk.store import JobStore
from pdbulk.cli import app
from tests.import_support import engine_config
from tests.update_support import (
    cli_args,
    deal,
    delta,
    requests,
    terminal_stdin,
    threaded_sandbox,
)

PAIRS = "merge_id,survivor_id\n2,3\n4,5\n"


def test_confirmed_takes_a_closed_stdin_for_no(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """``pdbulk merge pairs.csv <&-``: sys.stdin is None; the prompt is no answer
    (``NoAnswer``: f24c F2, not a "declined"), not an AttributeError."""
    from jobs.confirming import NoAnswer
    from pdbulk.options import confirmed

    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(NoAnswer, match="stdin is closed; pass --yes to run without asking"):
        confirmed("Merge 2 pairs?")


def test_merge_with_stdin_closed_is_cancelled_and_its_resume_sends_nothing(
        tmp_path: Path) -> None:
    """x23r4: exit 1 "unexpected error (AttributeError)", the job left loaded, and its
    resume merged 2 pairs without asking. Now: exit 1, "cancelled; nothing was sent (no
    one to answer the prompt…)", the job cancelled, its resume refused, nothing merged."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)
    jobs = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        cmd = [sys.executable, "-m", "pdbulk", "merge", str(pairs), *cli_args(sb, jobs)]
        proc = subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *cmd], env=env,
                              capture_output=True, text=True, timeout=120)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, out
        assert "cancelled; nothing was sent (no one to answer the prompt: stdin is closed; " \
            "pass --yes to run without asking)" in out, out
        assert "Traceback" not in out and "unexpected error" not in out, out
        (job,) = jobs.iterdir()
        with JobStore.open(job, lock=False) as store:
            assert store.status == "cancelled", store.status
            # f24c F2: it was "declined at the confirmation prompt"
            assert store.status_message == ("no one to answer the prompt: stdin is closed; "
                                            "pass --yes to run without asking")
        before = requests(sb)
        res = CliRunner().invoke(app, ["resume", job.name, "--job-dir", str(jobs)], env=env)
        assert res.exit_code == 1 and "cannot be resumed" in res.output, res.output
        assert "no one to answer the prompt: stdin is closed" in res.output, res.output
        assert "declined" not in res.output, res.output
        assert not delta(before, requests(sb)).get("mergeDeals")
        assert not deal(sb, 2)["is_deleted"] and not deal(sb, 4)["is_deleted"]


@pytest.mark.anyio
async def test_a_confirm_that_raises_cancels_the_library_job(tmp_path: Path) -> None:
    """``run_job(..., confirm=<raises>)`` left the job loaded and ``resume_job`` merged.
    Now the error is raised, the job is cancelled and ``resume_job`` refuses it."""
    from jobs import merge_deals, resume_job, run_job

    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)

    def confirm(question: str) -> bool:
        raise RuntimeError("no UI")

    async with serve(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        with pytest.raises(RuntimeError, match="no UI"):
            await run_job(cfg, sb.token, merge_deals(pairs), confirm=confirm)
        (job,) = (tmp_path / "jobs").iterdir()
        with JobStore.open(job, lock=False) as store:
            assert store.status == "cancelled"
            assert "no answer at the confirmation prompt" in (store.status_message or "")
        with pytest.raises(NotResumable, match="cannot be resumed"):
            await resume_job(job, sb.token)
        assert not deal(sb, 2)["is_deleted"] and not deal(sb, 4)["is_deleted"]


@pytest.mark.anyio
async def test_a_job_left_at_its_prompt_is_not_resumed(tmp_path: Path) -> None:
    """A process ended at the prompt (kill -9, a power cut): the job is loaded, its
    question unanswered. ``resume_job`` refuses it (it marks it cancelled); nothing is
    sent."""
    import shutil

    from jobs import merge_deals, resume_job, run_job

    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)
    left = tmp_path / "left"

    def killed(question: str) -> bool:  # what a kill -9 here leaves: the folder as it is
        (job,) = (tmp_path / "jobs").iterdir()
        shutil.copytree(job, left)
        return False

    async with serve(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        await run_job(cfg, sb.token, merge_deals(pairs), confirm=killed)
        with JobStore.open(left, lock=False) as store:
            assert store.status == "loaded"  # as the kill left it: loaded, unanswered
        with pytest.raises(NotResumable, match="never confirmed"):
            await resume_job(left, sb.token)
        with JobStore.open(left, lock=False) as store:
            assert store.status == "cancelled"
        assert not deal(sb, 2)["is_deleted"] and not deal(sb, 4)["is_deleted"]


def test_the_next_dedupe_run_names_a_dedupe_job_left_loaded(tmp_path: Path) -> None:
    """``unfinished_jobs`` listed only stopped / running dedupe jobs: one left loaded at
    its prompt (or before its run) was named by no later run."""
    from jobs.confirming import META_ASKING
    from jobs.dedupe.interrupted import unfinished_jobs

    root = tmp_path / "jobs"
    for job_id, asked in (("d-asked", True), ("d-loaded", False)):
        with JobStore.create(root / job_id, job_id=job_id, kind="dedupe", config={}) as s:
            if asked:
                s.meta_put(META_ASKING, "Merge 2 deals away?")
            s.mark_loaded()
    found = {u.job_id: u for u in unfinished_jobs(root)}
    assert found["d-asked"].state == "unconfirmed"
    assert "never confirmed" in found["d-asked"].line("pdbulk resume d-asked")
    assert found["d-loaded"].state == "unfinished"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_line_piped_in_is_no_answer(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """x35r1: ``echo y | pdbulk undo J`` undid the job, while the README said no one can
    answer the prompt there. Only a person at a terminal answers it now: a line piped in
    (y, no, or none) is not read, and ``NoAnswer`` says why and to pass --yes; at a
    terminal the question goes to stdout and the answer is read."""
    from jobs.confirming import NoAnswer
    from pdbulk.options import confirmed

    for given in ("y\n", "no\n", ""):
        piped = io.StringIO(given)
        monkeypatch.setattr(sys, "stdin", piped)
        with pytest.raises(NoAnswer, match=r"stdin is not a terminal .*; pass --yes"):
            confirmed("Merge 2 pairs?")
        assert piped.tell() == 0, given  # not read
        got = capsys.readouterr()
        assert got.out == got.err == "", got
    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    assert confirmed("Merge 2 pairs?") is True
    got = capsys.readouterr()
    assert got.out == "Merge 2 pairs? [y/N]: " and got.err == "", got


def test_piped_yes_merges_nothing_typed_yes_merges(tmp_path: Path) -> None:
    """x35r1, end to end: ``echo y | pdbulk merge pairs.csv`` merges nothing (exit 1,
    cancelled: no one to answer, pass --yes); the same "y" typed at a terminal merges."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        cmd = [sys.executable, "-m", "pdbulk", "merge", str(pairs),
               *cli_args(sb, tmp_path / "jobs")]
        proc = subprocess.run(cmd, env=env, input="y\n", capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "no one to answer the prompt: stdin is not a terminal" in proc.stdout + \
            proc.stderr and "pass --yes" in proc.stdout + proc.stderr, proc.stderr
        assert not deal(sb, 2)["is_deleted"] and not deal(sb, 4)["is_deleted"]
        with terminal_stdin("y\n") as tty:
            typed = subprocess.run(cmd, env=env, stdin=tty, capture_output=True, text=True,
                                   timeout=120)
        assert typed.returncode == 0, typed.stdout + typed.stderr
        assert "Merge 2 pairs? [y/N]: " in typed.stdout, typed.stdout
        assert deal(sb, 2)["is_deleted"] and deal(sb, 4)["is_deleted"]


@pytest.mark.anyio
async def test_a_confirm_with_no_answer_cancels_as_unanswered_not_declined(
        tmp_path: Path) -> None:
    """f24c F2: a job whose prompt could read no answer (``pdbulk undo … <&-``, cron) was
    kept as "declined at the confirmation prompt". A ``confirm`` raising ``NoAnswer``
    cancels it (nothing sent, not resumable) with why and how to run unattended; a "no"
    is still "declined"."""
    from jobs import merge_deals, resume_job, run_job
    from jobs.confirming import DECLINED, NoAnswer

    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)

    def unanswered(question: str) -> bool:
        raise NoAnswer("stdin is closed; pass --yes to run without asking")

    async with serve(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        for root, confirm, said in ((tmp_path / "a", unanswered,
                                     "no one to answer the prompt: stdin is closed; pass "
                                     "--yes to run without asking"),
                                    (tmp_path / "b", lambda q: False, DECLINED)):
            finished = await run_job(engine_config(sb, root), sb.token, merge_deals(pairs),
                                     confirm=confirm)
            assert finished.status == "cancelled"
            with JobStore.open(finished.directory, lock=False) as store:
                assert store.status_message == said, store.status_message
            with pytest.raises(NotResumable, match=said.split(";")[0]):
                await resume_job(finished.directory, sb.token)
        assert not deal(sb, 2)["is_deleted"] and not deal(sb, 4)["is_deleted"]


def test_the_cancelled_line_says_declined_for_a_piped_no() -> None:
    """f24c F2: ``echo n | pdbulk merge …`` said "no one to answer the prompt: stdin is not
    a terminal" (it had answered no); the line now says what the job's status says."""
    from jobs.confirming import DECLINED
    from pdbulk.options import cancelled_line

    assert cancelled_line("j", DECLINED) == (
        "job j cancelled; nothing was sent (declined at the confirmation prompt)")


def test_one_pair_is_asked_in_the_singular(tmp_path: Path) -> None:
    """x24r5 F9: one pair was asked "Merge 1 pairs?"."""
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS.splitlines()[0] + "\n" + PAIRS.splitlines()[1] + "\n")
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        cmd = [sys.executable, "-m", "pdbulk", "merge", str(pairs),
               *cli_args(sb, tmp_path / "jobs")]
        with terminal_stdin("n\n") as tty:
            proc = subprocess.run(cmd, env=env, stdin=tty, capture_output=True, text=True,
                                  timeout=120)
        assert "Merge 1 pair? [y/N]" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_at_the_prompt_is_kept_as_such_not_declined(tmp_path: Path, sig: str) -> None:
    """x34r5 F8: SIGINT, SIGTERM or SIGHUP at the prompt was kept (and said) as
    "declined at the confirmation prompt"; it is "cancelled by a signal (SIGTERM) at the
    confirmation prompt", nothing merged, the job not resumable."""
    import signal
    import time

    pairs = tmp_path / "pairs.csv"
    pairs.write_text(PAIRS)
    jobs = tmp_path / "jobs"
    with threaded_sandbox(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token}
        cmd = [sys.executable, "-m", "pdbulk", "merge", str(pairs), *cli_args(sb, jobs)]
        with terminal_stdin() as tty:  # the prompt waits at a terminal (open to the end)
            proc = subprocess.Popen(cmd, env=env, stdin=tty, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            try:
                assert proc.stdout is not None
                said, deadline = "", time.monotonic() + 60
                while "[y/N]: " not in said and time.monotonic() < deadline:
                    char = proc.stdout.read(1)
                    if not char:
                        break
                    said += char
                assert "[y/N]: " in said, said
                proc.send_signal(getattr(signal, sig))
                out, err = proc.communicate(timeout=60)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=10)
        wanted = f"cancelled by a signal ({sig}) at the confirmation prompt"
        assert wanted in out + err and "declined" not in out + err, out + err
        assert "Traceback" not in err and proc.returncode == 1, (proc.returncode, err)
        job = next(jobs.iterdir())
        with JobStore.open(job, lock=False) as store:
            assert store.status == "cancelled" and store.status_message == wanted
        assert not deal(sb, 2)["is_deleted"] and not deal(sb, 4)["is_deleted"]


@pytest.mark.anyio
async def test_the_loads_reads_are_charged_not_in_doubt_at_the_prompt(tmp_path: Path) -> None:
    """x45r4 F4b: a move-stage killed at its confirmation prompt: status said "10 charged +
    up to 10 in doubt" where its 20 tokens of reads were all answered before the question.
    Now the ledger is written exact before it is asked: nothing in doubt at the prompt."""
    from bulk.ledger import tokens_in_doubt
    from jobs import move_deals, run_job

    ids = tmp_path / "ids.csv"
    ids.write_text("id\n" + "".join(f"{n}\n" for n in range(1, 11)))
    seen: list[dict[str, int]] = []

    def confirm(question: str) -> bool:
        (job,) = (tmp_path / "jobs").iterdir()
        with JobStore.open(job, lock=False) as store:
            seen.append(tokens_in_doubt(store))
        return False

    async with serve(SandboxConfig(time_scale=0.05, deals=10, seed=24)) as sb:
        cfg = engine_config(sb, tmp_path / "jobs")
        await run_job(cfg, sb.token, move_deals("Qualified", manifest=ids), confirm=confirm)
    assert seen == [{}], seen
