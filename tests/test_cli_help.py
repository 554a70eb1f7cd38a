"""Every command's --help reads as written: no markup swallowed ("[update]"), no RST
double backticks, no "<bool>" / "<str>", every help text a sentence, and every option
whose default is "none" says what none means; errors about --url and an unreachable
account name what the user gave, not the library's words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import aiohttp
import typer
from aiohttp.client_reqrep import ConnectionKey
from typer.testing import CliRunner

from bulk.transport import Request, translate_error
from pdbulk.cli import app


def _commands() -> Iterator[tuple[list[str], Any]]:
    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])
    yield from walk(typer.main.get_command(app), [])


def _problems(path: list[str], cmd: Any) -> list[str]:
    shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "1000"}).output
    out = [f"shows {t!r}" for t in ("``", "<bool>", "<str>") if t in shown]
    # x27r3 6: "<int range> [x>=1]" beside --seats; the bound is the help's, in words
    out += [f"shows {m.group()!r}" for m in re.finditer(r" range>|\[[^\]]*\bx\b[^\]]*\]",
                                                        shown)]
    texts = [cmd.help or "", *(getattr(p, "help", None) or "" for p in cmd.params)]
    out += [f"swallowed {seg}" for text in texts
            for seg in re.findall(r"\[[^\]]+\]", text) if seg not in shown]
    for p in cmd.params:
        text = getattr(p, "help", None) or ""
        if text[:1].islower():
            out.append(f"{p.opts} help starts lowercase")
        if (type(p).__name__ == "TyperOption" and not p.is_flag and p.default is None
                and not p.required and not p.hidden and not text.startswith("Select:")
                and "default" not in text.lower()):
            out.append(f"{p.opts} states no default")
    return out


def test_every_help_reads_as_written() -> None:
    """`pdbulk update --help` showed "(docs/mapping.md;  names the deal column)" ([update]
    taken as markup), `pdbulk --help` literal ``--json``, --max-tokens / --budget-share /
    --max-merges / --limit no default, --failed-csv's help lowercase (x22r2 F3)."""
    found = {" ".join(path) or "pdbulk": p for path, cmd in _commands()
             if (p := _problems(path, cmd))}
    assert not found, found
    shown = CliRunner().invoke(app, ["update", "--help"], env={"COLUMNS": "1000"}).output
    assert "[update] names the deal column" in shown


def test_a_bad_url_is_named_as_the_flag() -> None:
    """A --url refused says "--url", never the library's keyword "base_url"."""
    res = CliRunner().invoke(app, ["plan", "move-stage", "--to-stage", "B", "--stage", "A",
                                   "--url", "ftp://example.com"],
                             env={"PIPEDRIVE_API_TOKEN": "tok"})
    assert "bad --url" in res.output and "base_url" not in res.output, res.output


def test_a_refused_plain_http_connection_says_no_ssl() -> None:
    """aiohttp's "ssl:default" in a connector error read as a TLS problem for a plain-http
    URL nothing listens on: the message keeps the host, the port and the reason only."""
    key = ConnectionKey("127.0.0.1", 9, False, True, None, None, None, None)
    exc = aiohttp.ClientConnectorError(key, OSError(111, "Connect call failed"))
    request = Request("GET", "http://127.0.0.1:9/api/v2/stages", {}, None, "getStages")
    text = str(translate_error(exc, request))
    assert "ssl" not in text and "127.0.0.1:9" in text and "Connect call failed" in text, text
