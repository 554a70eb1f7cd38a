"""``python -m bulk.sandbox`` (run_blocking): prints URL and token, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest


@pytest.mark.slow
def test_the_sandbox_runs_in_the_foreground_and_saves_its_state_on_sigterm(
        tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    command = [sys.executable, "-m", "bulk.sandbox", "--port", "0", "--deals", "7",
               "--token", "t0k", "--state-file", str(state)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline().strip()
            assert first.startswith("Pipedrive sandbox listening on http://127.0.0.1:")
            assert proc.stdout.readline().startswith("token: t0k (api_token)")
            url = first.rsplit(" ", 1)[1]
            request = urllib.request.Request(url + "/api/v2/deals?limit=500",
                                             headers={"x-api-token": "t0k"})
            with urllib.request.urlopen(request, timeout=10) as resp:
                assert len(json.loads(resp.read())["data"]) == 7
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    saved = json.loads(state.read_text())
    assert len(saved["account"]["deals"]["rows"]) == 7
    assert saved["budget"]["spent"] == 10
