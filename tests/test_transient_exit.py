"""x17r3 F4: a transient failure that outlives its retries before or during a job — a
5xx, a 2xx that is not Pipedrive's JSON (an HTML page), a refused connection — ends every
command with exit 4 and one "not answering ... run the command again later" line, never
exit 1 ("bad input or configuration")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from bulk.errors import AnswerLost, InDoubt, MalformedResponse, RateLimited, ServerError
from bulk.retry import RetryPolicy
from pdbulk.cli import app
from pdbulk.options import EXIT_STOPPED, describe, exit_code_for
from tests.test_cli_config import SECRET, commands, files, job_folders

__all__ = ["files"]  # the fixture

ANSWERS = {"500": (500, "application/json", b'{"success":false,"error":"boom"}'),
           "503 html": (503, "text/html", b"<html>maintenance</html>"),
           "200 html": (200, "text/html", b"<html><body>not an API</body></html>")}


@contextmanager
def answering(status: int, ctype: str, body: bytes) -> Iterator[str]:
    """A loopback server answering every request with one answer; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client gone mid-answer (its retries): not this test's output

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=sorted(ANSWERS))
def broken(request: pytest.FixtureRequest) -> Iterator[str]:
    """A loopback server answering every request with one broken answer."""
    with answering(*ANSWERS[request.param]) as url:
        yield url


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The retries' backoff made instant: what is tested is the end, not the wait."""
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt, rng: 0.0)


@pytest.mark.parametrize("name", ["import", "plan import", "update", "plan update",
                                  "move-stage", "plan move-stage", "merge",
                                  "init-mapping"])
def test_a_broken_answer_before_the_job_is_exit_4(
        files: dict[str, Path], broken: str, name: str) -> None:
    """A 5xx / an HTML page to every call: exit 4, "not answering", no job left behind."""
    before = job_folders(files["jobs"])
    where = [] if name == "init-mapping" else ["--job-dir", str(files["jobs"])]
    res = CliRunner().invoke(app, [*commands(files)[name], "--url", broken, *where],
                             env={"PIPEDRIVE_API_TOKEN": SECRET})
    assert res.exit_code == EXIT_STOPPED, res.output
    assert "the account is not answering" in res.output, res.output
    assert "run the command again later" in res.output, res.output
    assert "Traceback" not in res.output and SECRET not in res.output
    assert res.output.count("pdbulk: ") == 1, res.output
    assert job_folders(files["jobs"]) == before


def test_a_broken_answer_during_the_job_stops_it_exit_4(
        files: dict[str, Path], broken: str) -> None:
    """`touch` reads nothing first: its run meets the broken answer and stops checkpointed."""
    res = CliRunner().invoke(app, [*commands(files)["touch"], "--url", broken,
                                   "--job-dir", str(files["jobs"])],
                             env={"PIPEDRIVE_API_TOKEN": SECRET})
    assert res.exit_code == EXIT_STOPPED, res.output
    assert "the account is not answering" in res.output and "resume with" in res.output
    assert "Traceback" not in res.output and SECRET not in res.output


def test_dedupe_run_json_on_a_broken_answer_is_exit_4(tmp_path: Path, broken: str) -> None:
    """`dedupe run --json` (cron): one JSON object with exit_code 4 and the same words."""
    res = CliRunner().invoke(app, ["dedupe", "run", "--json", "--url", broken,
                                   "--job-dir", str(tmp_path / "j")],
                             env={"PIPEDRIVE_API_TOKEN": SECRET})
    out = orjson.loads(res.stdout)
    assert res.exit_code == out["exit_code"] == EXIT_STOPPED, res.output
    assert "not answering" in out["error"] and SECRET not in res.output


@pytest.mark.parametrize("exc", [
    ServerError(500, "boom", operation="getDealFields"),
    MalformedResponse(200, "not JSON", operation="getDeals"),
    RateLimited(429, "too many", operation="getDeals"),
    AnswerLost("read timed out", operation="getDeals"),
    InDoubt("addDealField: no answer", operation="addDealField"),
])
def test_every_transient_class_is_exit_4_in_words(exc: Exception) -> None:
    """The class, not the instance: every error that may pass is exit 4, said in words."""
    assert exit_code_for(exc) == EXIT_STOPPED
    # a 429 is an answer: it refuses calls, never "not answering ... check --url" (x19r3 F2)
    assert describe(exc).startswith("the account kept refusing calls as over its rate "
                                    "limit (" if isinstance(exc, RateLimited)
                                    else "the account is not answering (")
