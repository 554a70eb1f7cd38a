"""The console script's entry (``pdbulk``, ``python -m pdbulk``): a signal while the
command line starts up — the imports take most of a second — ends it with one line
(one JSON object with ``--json``) and exit code 1, nothing sent, instead of a
``KeyboardInterrupt`` traceback (SIGINT) or a silent exit 143 (SIGTERM; x11r3 F4). The
commands install their own handlers before they send anything (``pdbulk.options``)."""

from __future__ import annotations

import json
import signal
import sys
from typing import Any

INTERRUPTED = "interrupted while starting, before anything was sent: nothing was changed"


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Install the start-up handler, import the command line, run it."""
    signal.signal(signal.SIGTERM, _interrupt)  # SIGINT raises KeyboardInterrupt already
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        if "--json" in sys.argv[1:]:
            sys.stdout.write(json.dumps({"status": "error", "exit_code": 1,
                                         "error": INTERRUPTED}) + "\n")
        sys.stderr.write(f"pdbulk: {INTERRUPTED}\n")
        sys.exit(1)
    # started: SIGTERM as it was (a sandbox or a plan stops on it at once); the job
    # commands install their own before they plan, load or send
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    run()


__all__ = ["main"]
