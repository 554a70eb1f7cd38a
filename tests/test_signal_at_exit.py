"""x18r3 F4: a signal while a refused command exits (its JSON, exit_code 1, written) keeps
exit 1 and that one JSON object: not exit 143, no second outcome, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Registered before pdbulk.entry registers its own hook, so it runs after it (atexit runs
# last-in first-out): the moment the interpreter goes on to shut down, where it puts back
# the default action of each signal a Python handler took (then SIGTERM is exit 143).
_LATE = """
import atexit, os, signal, sys, time
def late():
    sys.stderr.write(f"handler at exit: {signal.getsignal(signal.SIGTERM)!r}\\n")
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(0.05)
atexit.register(late)
sys.argv = ["pdbulk", *sys.argv[1:]]
from pdbulk.entry import main
main()
"""


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_sigterm_while_a_refused_command_exits_keeps_exit_1(tmp_path: Path) -> None:
    """SIGTERM after the refusal's JSON, while the process exits: exit 1, one JSON object,
    SIGTERM ignored by then (never the default action the interpreter puts back)."""
    manifest = tmp_path / "empty.csv"
    manifest.write_text("Record ID,Deal Name\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('version = 1\n[import]\nkey_column = "Record ID"\n'
                       '[deal]\ntitle = "Deal Name"\nvalue = "Amount"\n', encoding="utf-8")
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "tok", "PDBULK_STATE_DIR": str(tmp_path)}
    res = subprocess.run([sys.executable, "-c", _LATE, "import", str(manifest), "--mapping",
                          str(mapping), "--json"], env=env, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert res.returncode == 1, (res.returncode, res.stderr)
    lines = [line for line in res.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and json.loads(lines[0])["exit_code"] == 1, res.stdout
    assert "Handlers.SIG_IGN" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and "KeyboardInterrupt" not in res.stderr, res.stderr


def test_a_signal_while_the_command_unwinds_its_exit_keeps_its_code(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The signal's KeyboardInterrupt raised while the command's SystemExit(1) unwinds (a
    ``finally`` on the way out): the command's exit code, and no second JSON object."""
    import pdbulk.cli as cli
    from pdbulk import entry

    def refused() -> None:
        try:
            sys.stdout.write('{"status":"error","exit_code":1,"error":"refused"}\n')
            sys.exit(1)
        finally:
            raise KeyboardInterrupt  # what the start-up handler raises on SIGTERM

    monkeypatch.setattr(cli, "main", refused)
    monkeypatch.setattr(sys, "argv", ["pdbulk", "import", "x.csv", "--json"])
    with pytest.raises(SystemExit) as exit_info:
        entry.main()
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert out.count('"exit_code"') == 1, out


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_signal_once_the_import_settled_keeps_its_outcome_and_code(tmp_path: Path) -> None:
    """f21c F1: SIGINT to ``pdbulk import`` 0-35 ms after its last progress line (the run
    over: result files being written, the outcome line printed, the process exiting): the
    job's outcome line and exit code (3: rows failed) every time — no exit 130 (typer's own
    interrupt handling), no "stopping — finishing calls in flight", no "aborted"."""
    import signal
    import time

    from bulk.sandbox import SandboxConfig
    from jobs.demo_data import write_demo_export
    from tests.sandbox_helpers import ThreadedSandbox

    export = write_demo_export(tmp_path / "in", rows=20)
    config = SandboxConfig(plan="ultimate", auth="oauth", token="at-exit", deals=5, seed=3)
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "at-exit"}
    seen: list[tuple[float, int, str]] = []
    with ThreadedSandbox(config) as sb:
        for i, delay in enumerate((0.0, 0.005, 0.01, 0.02, 0.035)):  # 5 runs: ~3 s each
            proc = subprocess.Popen(
                [sys.executable, "-m", "pdbulk", "import", str(export.manifest), "--mapping",
                 str(export.mapping), "--url", sb.url, "--job-dir", str(tmp_path / "jobs"),
                 "--plan", "ultimate", "--oauth", *(["--create-key-field"] if i == 0 else [])],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                stdin=subprocess.DEVNULL)
            assert proc.stdout is not None
            lines: list[str] = []
            try:
                for line in proc.stdout:
                    lines.append(line)
                    if "took=" in line:  # the last progress line: the run has ended
                        time.sleep(delay)
                        proc.send_signal(signal.SIGINT)
                        break
                lines += proc.stdout.read()
                code = proc.wait(30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(5)
                proc.stdout.close()
            seen.append((delay, code, "".join(lines)))
    for delay, code, out in seen:
        where = f"SIGINT {delay * 1000:.0f} ms after the last progress line: {out}"
        assert code == 3, (code, where)
        assert out.strip().splitlines()[-1].startswith("job ") and "failed 2" in out, where
        assert "stopping" not in out and "aborted" not in out, where
        assert "Traceback" not in out and "interrupted" not in out, where
