"""The README names the coordination files as the code writes them (x30r2: it named the
token's index ``coordinated/<token fingerprint>.json``; the file, and the refusal that
names it, is ``account-<fp>.json``)."""

from __future__ import annotations

import re
from pathlib import Path

from bulk import coordinator

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _named(path: Path) -> str:
    return f"{coordinator.MARKERS}/{path.name}".replace("FP", "<fingerprint>")


def test_the_readme_names_the_marker_and_lock_files_as_written() -> None:
    text = " ".join(README.split())
    for path in (coordinator._marker("FP"), coordinator._run_lock("FP"),
                 coordinator._company_marker("<id>")):
        assert f"`{_named(path)}`" in text, _named(path)
    assert not re.search(r"coordinated/<token fingerprint>", text)
