"""The layers import downwards only: bulk/ (the engine) never imports jobs/ or pdbulk/,
and jobs/ (the job kinds) never imports pdbulk/ (the command line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Imports every module of a package (``__main__`` modules run a program when imported:
# skipped) in a fresh interpreter and prints which top-level packages got loaded.
_PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
         if m.name.rsplit(".", 1)[-1] != "__main__"]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names,
                  "loaded": sorted({n.split(".")[0] for n in sys.modules})}))
"""


def _probe(package: str) -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, package], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = orjson.loads(done.stdout)
    return result


@pytest.mark.parametrize(("package", "above"), [("bulk", {"jobs", "pdbulk"}),
                                                 ("jobs", {"pdbulk"})])
def test_no_module_imports_a_layer_above(package: str, above: set[str]) -> None:
    """Importing every module of a layer loads no module of the layers above it."""
    result = _probe(package)
    assert len(result["modules"]) > 10  # the walk did find the package's modules
    loaded_above = above & set(result["loaded"])
    assert loaded_above == set()
