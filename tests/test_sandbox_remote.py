"""Issue 9 §13: off loopback the sandbox needs explicit consent and a token of its own,
and its admin API then requires that token."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bulk.sandbox import SandboxConfig, serve
from pdbulk.cli import app


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_cli_refuses_a_non_loopback_host_without_the_flag(host: str) -> None:
    """Options that cannot go together: a usage error, exit 2 (x22r2 F1: exit 1)."""
    res = CliRunner().invoke(app, ["sandbox", "--host", host, "--port", "0"])
    assert res.exit_code == 2 and "--allow-remote" in res.output, res.output
    assert "Traceback" not in res.output


def test_cli_refuses_the_default_token_off_loopback() -> None:
    res = CliRunner().invoke(app, ["sandbox", "--host", "0.0.0.0", "--allow-remote",
                                   "--port", "0"], env={"PDBULK_SANDBOX_TOKEN": ""})
    assert res.exit_code == 2 and "token of its own" in res.output, res.output
    res = CliRunner().invoke(app, ["sandbox", "--host", "0.0.0.0", "--allow-remote",
                                   "--token", "short", "--port", "0"])
    assert res.exit_code == 2 and "token of its own" in res.output, res.output


def test_loopback_needs_nothing_extra() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "[::1]"):
        assert SandboxConfig(host=host).admin_token is None


@pytest.mark.anyio
async def test_admin_api_off_loopback_requires_the_token() -> None:
    import aiohttp

    token = "a-token-of-its-own-123"
    config = SandboxConfig(host="0.0.0.0", allow_remote=True, token=token)
    assert config.admin_token == token
    async with serve(config) as sb:
        url = sb.url.replace("0.0.0.0", "127.0.0.1")
        async with aiohttp.ClientSession() as http:
            for path in ("/_sandbox/stats", "/_sandbox/deals"):
                async with http.get(url + path) as r:
                    assert r.status == 401
                async with http.get(url + path, headers={"x-api-token": "wrong"}) as r:
                    assert r.status == 401
                async with http.get(url + path, headers={"x-api-token": token}) as r:
                    assert r.status == 200
            async with http.post(url + "/_sandbox/reset") as r:
                assert r.status == 401
            async with http.post(url + "/_sandbox/reset",
                                 headers={"authorization": f"Bearer {token}"}) as r:
                assert r.status == 200
            async with http.get(url + "/api/v2/deals", headers={"x-api-token": token}) as r:
                assert r.status == 200  # the API itself works with the same token
