"""Mapping files the import tests write, built from the parts a test is about.

Most import tests map one shape of file: a source key column, a deal title, the
pipeline "Sales" by default and a stage column, some with a stage map and contact
tables after. ``deal_mapping`` writes that shape once; a test names only what it
varies (the mode, a stage map line added between runs, the [person] table). A test
whose mapping file is itself what it proves keeps its literal.
"""

from __future__ import annotations


def deal_mapping(*, mode: str = "insert", key: str = "key", stage_map: dict[str, str] | None = None,
                 deal: str = "", more: str = "") -> str:
    """A mapping file's text (TOML, version 1): ``mode`` (insert / upsert) by source key
    column ``key``; deal title from column "title", pipeline "Sales" by default, stage
    from column "stage" read through ``stage_map`` (source value -> stage name; None: no
    [deal.stage.map] table); ``deal``: more [deal] lines (each ending in a newline);
    ``more``: tables after (``[person]`` ..., each line ending in a newline)."""
    lines = ["version = 1", "[import]", f'key_column = "{key}"', f'mode = "{mode}"', "[deal]",
             'title = "title"', 'pipeline = { default = "Sales" }']
    text = "\n".join(lines) + "\n" + deal + '[deal.stage]\ncolumn = "stage"\n'
    if stage_map is not None:
        text += "[deal.stage.map]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in stage_map.items())
    return text + more
