"""The console script's entry (``pdbulk``, ``python -m pdbulk``): a signal while the
command line starts up — the imports take most of a second — ends it with one line
(one JSON object with ``--json``) and exit code 1, nothing sent, instead of a
``KeyboardInterrupt`` traceback (SIGINT) or a silent exit 143 (SIGTERM; x11r3 F4).
SIGTERM is an interrupt (like SIGINT) from then on, until a command installs its own
handler (``pdbulk.options.install_stop``, before anything is sent)."""

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

        # SIGTERM stays an interrupt until a command installs its own handler (the job
        # commands do before they plan, load or send; the sandbox stops on it): building
        # the command line and opening the job folder come first (x11r4 F3: a silent
        # exit 143 in that window, 6 of 23 signals; a traceback from typer's set-up)
        run()
    except KeyboardInterrupt:
        if "--json" in sys.argv[1:]:
            sys.stdout.write(json.dumps({"status": "error", "exit_code": 1,
                                         "error": INTERRUPTED}) + "\n")
        sys.stderr.write(f"pdbulk: {INTERRUPTED}\n")
        sys.exit(1)


__all__ = ["main"]
