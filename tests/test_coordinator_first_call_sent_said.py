"""A coordinated import refused at its first call, GET /users/me answered 429 (the company's
day spent by another client, Redis new to it), does not say "nothing was sent": it names
the call it sent and that the 429 charged nothing (x48r13 F2: "the job was removed before
its first row was sent (nothing was sent)" after a GET /users/me went out)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import anyio
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig
from pdbulk.cli import app
from tests.redis_helpers import running_redis
from tests.sandbox_helpers import ThreadedSandbox

DAILY = 20  # tokens: ten GET /users/me of another client spend the day


async def _spend_the_day(url: str, token: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(DAILY // 2):
            async with http.get(f"{url}/v1/users/me", headers={"x-api-token": token}) as answer:
                assert answer.status == 200


def test_an_import_refused_at_its_first_call_names_the_call_it_sent(tmp_path: Path) -> None:
    manifest, mapping = tmp_path / "d.csv", tmp_path / "d.toml"
    manifest.write_text("id,Title\n1,A\n2,B\n", encoding="utf-8")
    mapping.write_text('version = 1\n[import]\nkey_column = "id"\nkey_field = "Source id"\n'
                       'mode = "insert"\n[deal]\ntitle = "Title"\n', encoding="utf-8")
    with running_redis() as redis, ThreadedSandbox(SandboxConfig(daily_tokens=DAILY)) as sb:
        anyio.run(_spend_the_day, sb.url, sb.token)
        res = CliRunner().invoke(app, ["import", str(manifest), "--mapping", str(mapping),
                                       "--yes", "--url", sb.url, "--job-dir",
                                       str(tmp_path / "jobs"), "--create-key-field"],
                                 env={"PIPEDRIVE_API_TOKEN": sb.token,
                                      "PDBULK_COORDINATOR": redis.url})
    assert res.exit_code == 4, res.output  # a budget spent
    line = res.output.strip().splitlines()[-1]
    assert "nothing was sent" not in line, line
    assert "(reads only: getCurrentUser 1 answered 429 (not charged))" in line, line
    assert sb.token not in res.output
