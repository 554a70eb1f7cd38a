"""``python -m benchmarks [--quick] [--only NAME ...] [--strict]``: run every bench_*.py.

Each module's ``run(args)`` returns rows; they are printed as one table per
module (protocol: ``benchmarks/harness.py``). Exit code 0, or 1 with
``--strict`` when a target was missed (never judged in ``--quick``), 2 when a
benchmark crashed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .harness import BenchArgs, format_table


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="a smoke run of a few seconds each")
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="run only these modules (bench_engine or engine)")
    p.add_argument("--strict", action="store_true", help="exit 1 if a target was missed")
    a = p.parse_args(argv)
    names = discover()
    if a.only:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in a.only}
        unknown = wanted - set(names)
        if unknown:
            p.error(f"no benchmark {', '.join(sorted(unknown))}; have {', '.join(names)}")
        names = [n for n in names if n in wanted]
    args = BenchArgs(quick=a.quick)
    # A state directory of its own (claims, dedupe state): the sandboxes' key-field codes
    # repeat from run to run, so claims kept from an earlier run (or from the user's own
    # jobs) would send a lookup per create and the token figures would not be this run's.
    state = tempfile.TemporaryDirectory(prefix="pdbulk-bench-state-")
    os.environ["PDBULK_STATE_DIR"] = state.name
    missed = crashed = 0
    started = time.perf_counter()
    for name in names:
        module = importlib.import_module(f"{__package__}.{name}")
        print(f"running {name}{' (quick)' if a.quick else ''} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            rows = module.run(args)
        except Exception:
            crashed += 1
            traceback.print_exc()
            print(f"## {getattr(module, 'TITLE', name)}\n\nCRASHED (traceback on stderr)\n")
            continue
        print(format_table(getattr(module, "TITLE", name), rows, getattr(module, "FOOTNOTES", ())))
        print(f"\n({name}: {time.perf_counter() - t0:.0f} s)\n", flush=True)
        if not a.quick:
            missed += sum(1 for r in rows for c in r.checks if not c.ok)
    print(f"benchmarks done in {time.perf_counter() - started:.0f} s"
          + (" (quick: figures not meaningful, targets not judged)" if a.quick else ""))
    if crashed:
        return 2
    return 1 if a.strict and missed else 0


if __name__ == "__main__":
    from bulk.stdio import run_main

    run_main(main, "python -m benchmarks: stdout cannot be written ({reason}): the rest of "
                   "the output is dropped")  # ``make bench | head``: the runs go on
