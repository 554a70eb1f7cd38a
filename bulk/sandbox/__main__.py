"""``python -m bulk.sandbox [--port 8700] [--deals 1000] ...``: run the sandbox in front."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..plans import LEGACY_PLANS, PLAN_NAMES, canonical_plan
from ..stdio import run_main
from .config import Faults, SandboxConfig, random_company
from .server import run_blocking


def parse_args(argv: list[str] | None = None) -> SandboxConfig:
    p = argparse.ArgumentParser(prog="python -m bulk.sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8700, help="0 picks a free port")
    p.add_argument("--token", default="sandbox-token")
    p.add_argument("--oauth-token", default=None)
    p.add_argument("--plan", default="growth", type=canonical_plan,
                   choices=PLAN_NAMES + tuple(LEGACY_PLANS))
    p.add_argument("--auth", default="api_token", choices=("api_token", "oauth"))
    p.add_argument("--seats", type=int, default=1)
    p.add_argument("--burst", type=int, default=None)
    p.add_argument("--daily-tokens", type=int, default=None)
    p.add_argument("--time-scale", type=float, default=1.0)
    p.add_argument("--day-seconds", type=float, default=86400.0,
                   help="length of the budget day (default 86400: resets at UTC midnight)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--company-id", type=int, default=None,
                   help="the company this sandbox plays (default: a random one per sandbox; "
                        "custom field keys depend on it, as in Pipedrive)")
    p.add_argument("--users", type=int, default=3)
    p.add_argument("--pipelines", type=int, default=2)
    p.add_argument("--deals", type=int, default=0)
    p.add_argument("--state-file", type=Path, default=None)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--drop-rate", type=float, default=0.0)
    p.add_argument("--lost-response-rate", type=float, default=0.0)
    p.add_argument("--bad-json-rate", type=float, default=0.0,
                   help="share of 2xx answers whose body is cut off (the call done)")
    p.add_argument("--search-lag", type=float, default=0.0)
    a = p.parse_args(argv)
    faults = Faults(latency_ms=a.latency_ms, latency_jitter_ms=a.jitter_ms,
                    error_rate=a.error_rate, drop_rate=a.drop_rate,
                    lost_response_rate=a.lost_response_rate, bad_json_rate=a.bad_json_rate,
                    search_lag=a.search_lag)
    return SandboxConfig(host=a.host, port=a.port, token=a.token, oauth_token=a.oauth_token,
                         plan=a.plan, auth=a.auth, seats=a.seats, burst=a.burst,
                         daily_tokens=a.daily_tokens, time_scale=a.time_scale, seed=a.seed,
                         company_id=a.company_id if a.company_id is not None else
                         random_company(),
                         day_seconds=a.day_seconds,
                         users=a.users, pipelines=a.pipelines, deals=a.deals,
                         state_file=a.state_file, faults=faults)


def main(argv: list[str] | None = None) -> None:
    """Exit 1 with one line on stderr when the sandbox cannot start (a port in use, a bad
    setting or state file): a user error, not a traceback. stdout or stderr that can no
    longer be written (``python -m bulk.sandbox | head -1``: the URL, then the reader is
    gone) stops nothing: the sandbox serves on (``bulk.stdio``), and exits 1 instead of 0
    once stopped, as ``pdbulk sandbox`` does."""
    try:
        run_blocking(parse_args(argv))
    except (OSError, ValueError) as exc:
        why = str(exc)
        if isinstance(exc, OSError) and exc.strerror:
            why = exc.strerror + (f": {exc.filename}" if exc.filename else "")
        sys.exit(f"python -m bulk.sandbox: {why}")


def _main() -> None:
    run_main(main, "python -m bulk.sandbox: stdout cannot be written ({reason}): the rest "
                   "of the output is dropped; the sandbox serves on")


if __name__ == "__main__":
    _main()
