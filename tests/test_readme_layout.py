"""README's "Layout" matches the tree: every module of bulk/, jobs/ and pdbulk/ is named in
the block of its package (or of the package above it), every ``x.py`` and ``x/`` the blocks
name exists, and the path of one import row names files and functions that exist (issue 8:
"README Layout matches the tree"; f31e: bulk/journal.py, jobs/repeats.py, jobs/import_api.py,
coordinator_open / coordinator_urls, dedupe's api, undo's job and plan and pdbulk/process.py
were in the tree and not in the Layout)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
LAYOUT = README[README.index("\n## Layout\n"):]
PACKAGES = ("bulk", "jobs", "pdbulk")


def _blocks() -> dict[str, set[str]]:
    """Each package named at the start of a line of the Layout's code blocks ("bulk/",
    "jobs/undo/") -> the words of that line and of the indented lines after it."""
    words: dict[str, set[str]] = {}
    current: str | None = None
    for block in re.findall(r"```\n(.*?)```", LAYOUT, re.DOTALL):
        for line in block.splitlines():
            head = re.match(r"((?:[a-z_]+/)+)", line)
            if head:
                current = head.group(1).rstrip("/")
            elif not line.startswith(" "):
                current = None
            if current is not None:
                words.setdefault(current, set()).update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line))
    return words


def _named(module: Path, words: set[str]) -> bool:
    """``claims_local`` is named as itself, or as ``_local`` beside ``claims``."""
    stem = module.stem
    if stem in words:
        return True
    prefix, _, rest = stem.partition("_")
    return bool(rest) and prefix in words and f"_{rest}" in words


def test_every_module_is_in_the_layout() -> None:
    """No module of the three packages is missing from the Layout (the sandbox's modules
    are described in bulk/sandbox/README.md)."""
    blocks = _blocks()
    assert {"bulk", "jobs", "pdbulk", "jobs/importing"} <= set(blocks)
    missing = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if path.stem in ("__init__", "__main__") or "sandbox" in rel.parts:
                continue
            here = "/".join(rel.parts[:-1])
            words = blocks.get(here, set()) | blocks.get(here.rpartition("/")[0] or here, set())
            if not _named(path, words):
                missing.append(str(rel))
    assert missing == [], missing


def test_every_file_the_layout_names_exists() -> None:
    """Every ``name.py`` and package ``name/`` of the Layout's blocks is in the tree."""
    blocks = re.findall(r"```\n(.*?)```", LAYOUT, re.DOTALL)
    text = "\n".join(blocks)
    tops = [top for top in ROOT.iterdir()
            if top.is_dir() and not top.is_symlink() and not top.name.startswith(".")]
    tree = [*tops, *(p for top in tops for p in top.rglob("*"))]
    files = {p.name for p in tree if p.suffix == ".py"}
    folders = {p.name for p in tree if p.is_dir()}
    absent = sorted({f for f in re.findall(r"\b([a-z_]+\.py)\b", text) if f not in files}
                    | {d for d in re.findall(r"\b([a-z_]+)/(?=[\s),]|$)", text, re.MULTILINE)
                       if d not in folders})
    assert absent == [], absent


def test_the_path_of_one_import_row_names_what_exists() -> None:
    """Every file of "One import row, from the CSV to succeeded.csv" exists, and each
    function or method it names is defined in the file named on its line."""
    path = LAYOUT[LAYOUT.index("One import row"):]
    steps = re.findall(r"^\d+\. (.*)$", path, re.MULTILINE)
    assert 5 <= len(steps) <= 7
    modules = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    for step in steps:
        named = re.findall(r"`([a-z_/]+(?:\.py|/))`", step)
        files = {m for n in named for m in modules
                 if str(m.relative_to(ROOT)).endswith(n) or f"/{n}" in str(m.relative_to(ROOT))}
        assert files and all(any(str(m).endswith(n) or f"/{n}" in str(m) for m in files)
                             for n in named), step
        source = "\n".join(m.read_text("utf-8") for m in sorted(files))
        for name in re.findall(r"`(?:[A-Z]\w+\.)?([a-z_]+)`", step):
            assert re.search(rf"def {name}\b", source), (step[:40], name)


def test_every_data_file_is_in_the_layout() -> None:
    """x44r7 F6: jobs/dedupe/near_known.txt, near_written.txt, places.txt and
    word_places.txt were shipped and read and the Layout named none of them: every data
    file of the three packages (not a module, not the sandbox's) is named in the block of
    its package, by its file name."""
    blocks = _blocks()
    layout = " ".join(LAYOUT.split())
    missing = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.txt")):
            rel = path.relative_to(ROOT)
            if "sandbox" in rel.parts:
                continue
            here = "/".join(rel.parts[:-1])
            if path.stem not in blocks.get(here, set()) or path.name not in layout:
                missing.append(str(rel))
    assert missing == [], missing
