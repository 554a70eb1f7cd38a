"""Issue 8: the README's library example runs as written against a sandbox, twice in a row."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bulk.sandbox import SandboxConfig
from tests.sandbox_helpers import ThreadedSandbox

README = Path(__file__).resolve().parents[1] / "README.md"


def library_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## As a library"):]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "no python example under 'As a library'"
    return match.group(1)


def test_readme_library_example_runs_twice(tmp_path: Path) -> None:
    code = library_example()
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    root = str(README.parent)
    with ThreadedSandbox(SandboxConfig(plan="growth", seats=5, deals=120, seed=4,
                                       time_scale=0.05)) as sb:
        env = {**os.environ, "PIPEDRIVE_API_TOKEN": sb.token, "PIPEDRIVE_URL": sb.url,
               "PYTHONPATH": root}
        for run in (1, 2):
            proc = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert proc.returncode == 0, (run, proc.stderr)
            assert "ItemState.DONE: 3" in proc.stdout or "'done': 3" in proc.stdout \
                or "<ItemState.DONE: 'done'>: 3" in proc.stdout, proc.stdout
        deals = {d["id"]: d for d in sb.state.deals.rows.values()}
        assert all(deals[i]["probability"] == 60 for i in (101, 102, 103))
    jobs = list((tmp_path / "pdbulk-jobs").iterdir())
    assert len(jobs) == 2  # one folder per run
    assert all(sb.token.encode() not in p.read_bytes()
               for j in jobs for p in j.iterdir() if p.is_file())
