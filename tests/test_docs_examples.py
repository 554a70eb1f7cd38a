"""docs/mapping.md's examples load as mappings, and the HubSpot JSONL example reads only
paths its own sample record has (it read "contacts.email", which no record has)."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from bulk.manifest_json import flatten, object_at
from jobs.mapping import Mapping

DOC = Path(__file__).resolve().parent.parent / "docs" / "mapping.md"


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.rindex(f"### {title}\n")  # the examples come last
    end = text.find("\n### ", start + 1)
    return text[start:end if end >= 0 else None]


def test_every_toml_example_of_the_sources_loads() -> None:
    """Each source example's mapping is a valid mapping file."""
    for title in ("HubSpot JSONL (API export)", "Salesforce CSV", "XLSX"):
        block = re.search(r"```toml\n(.*?)```", _section(title), re.S)
        assert block is not None, title
        Mapping.loads(block[1], source=title)


def test_the_hubspot_jsonl_example_reads_paths_its_record_has() -> None:
    section = _section("HubSpot JSONL (API export)")
    found = re.search(r"Records like `(\{.*?\})`:", section, re.S)
    assert found is not None
    record = flatten(orjson.loads(found[1].replace("\n", " ")))
    mapping = Mapping.loads(re.search(r"```toml\n(.*?)```", section, re.S)[1])  # type: ignore[index]
    missing = [c for c in mapping.columns() if c not in record and not object_at(record, c)]
    assert missing == []
