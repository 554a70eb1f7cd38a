"""An import whose token the server refuses (401) while it loads says its calls were
answered 401 and charged nothing, as the server counted (the sandbox answers 401 before it
charges; FACTS.md "Status codes"): x49r9 F2, "reads only: getPipelines 1 (5 tokens),
getStages 1 (5 tokens)" (uncoordinated) and "getCurrentUser 1 (2 tokens)" (coordinated)
while the server's tokens_spent stayed 0."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.redis_helpers import running_redis
from tests.sandbox_helpers import ThreadedSandbox

WRONG = "wrong-token-123456"


def _spent(url: str, token: str) -> int:
    request = urllib.request.Request(f"{url}/_sandbox/stats",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        tokens: int = json.load(answer)["tokens_spent"]
    return tokens


@pytest.mark.parametrize("coordinated", [False, True])
def test_a_load_cut_short_by_a_refused_token_says_nothing_was_charged(
        tmp_path: Path, coordinated: bool) -> None:
    manifest, mapping = tmp_path / "d.csv", tmp_path / "d.toml"
    manifest.write_text("Key,Title\nK1,A\nK2,B\n", encoding="utf-8")
    mapping.write_text('version = 1\n[import]\nkey_column = "Key"\nkey_field = "Src key"\n'
                       'mode = "insert"\n[deal]\ntitle = "Title"\n', encoding="utf-8")
    with running_redis() as redis, ThreadedSandbox(SandboxConfig()) as sb:
        env = {"PIPEDRIVE_API_TOKEN": WRONG}
        if coordinated:
            env["PDBULK_COORDINATOR"] = redis.url
        res = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                       "--yes", "--url", sb.url, "--job-dir",
                                       str(tmp_path / "jobs"), "--create-key-field"], env=env)
        spent = _spent(sb.url, sb.token)
    assert spent == 0
    assert res.exit_code != 0, res.output
    said = re.search(r"was removed \((reads only: .*?)\): no job", res.output)
    assert said is not None, res.output
    assert "tokens)" not in said.group(1), said.group(1)  # no tokens said charged
    assert "answered 401 (not charged)" in said.group(1), said.group(1)
    assert "Traceback" not in res.output
    assert WRONG not in res.output
