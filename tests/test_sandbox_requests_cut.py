"""A write whose client goes away before its body arrives (a kill -9 mid-request) is counted
in ``/_sandbox/stats`` ``requests_cut``, applied nowhere, and logged as one line, not a
traceback (x44r5 F5: README listed the counter, nothing served it; a traceback per cut)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp
import pytest

from bulk.sandbox import SandboxConfig, serve

pytestmark = pytest.mark.anyio


async def test_a_cut_write_is_counted_and_logged_in_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    async with serve(SandboxConfig(deals=0, seed=1)) as sb:
        url = urlsplit(sb.url)
        _reader, writer = await asyncio.open_connection(url.hostname, url.port)
        writer.write((f"POST /api/v2/deals HTTP/1.1\r\nHost: {url.netloc}\r\n"
                      f"x-api-token: {sb.token}\r\ncontent-type: application/json\r\n"
                      "content-length: 500\r\n\r\n{\"title\": \"Cut").encode())
        await writer.drain()
        await asyncio.sleep(0.2)  # the handler is reading the body (a real wait for I/O)
        writer.transport.abort()
        stats: dict[str, object] = {}
        async with aiohttp.ClientSession() as raw:
            for _ in range(50):
                async with raw.get(sb.url + "/_sandbox/stats") as r:
                    stats = await r.json()
                if stats["requests_cut"]:
                    break
                await asyncio.sleep(0.02)
            async with raw.get(sb.url + "/_sandbox/deals") as r:
                deals = (await r.json())["data"]
        assert stats["requests_cut"] == {"addDeal": 1}
        assert stats["writes_applied"] == {}
        assert not [d for d in deals if d["title"].startswith("Cut")]
    err = capsys.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err
    assert err.count("went away before its body arrived") == 1
    assert sb.token not in err
