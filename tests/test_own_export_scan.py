"""The own-export sample reads a bounded number of rows (f57a): a file whose keys are not
Pipedrive ids (Salesforce's 18-character ids) gave ``read_sample`` no row to stop on and was
read to its end at load and again at plan. Now ``SCANNED`` rows at most are read, whatever
the keys; a file of whole-number keys still stops at ``SAMPLE`` of them.

Rows read are counted by a counting iterator around ``read_manifest`` (the file's reader)
and around ``sampled``' input, over a grid of where the first whole-number key sits.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jobs.own_export as own_export
from jobs.import_items import ImportSettings
from jobs.mapping.spec import Mapping
from jobs.own_export import SAMPLE, SCANNED, read_sample, sampled

MAPPING = {"version": 1,
           "import": {"key_column": "Id", "key_field": "Import source key"},
           "deal": {"title": "Title"}}


class Counting:
    """An iterator that counts the items taken from it."""

    def __init__(self, items: Any) -> None:
        self.items = iter(items)
        self.taken = 0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        item = next(self.items)
        self.taken += 1
        return item

    def close(self) -> None:
        close = getattr(self.items, "close", None)
        if close is not None:
            close()


def _salesforce_id(i: int) -> str:
    return f"0065g00000{i:08d}"[:18].ljust(18, "A")


@pytest.mark.parametrize("first_id", [None, 0, 500, SCANNED - SAMPLE, SCANNED - 1, SCANNED,
                                      3 * SCANNED])
def test_the_sample_reads_a_bounded_number_of_rows(tmp_path: Path, first_id: int | None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rows = 5 * SCANNED
    lines = ["Id,Title\n"] + [
        (f"{i + 1},Deal {i}\n" if first_id is not None and i >= first_id
         else f"{_salesforce_id(i)},Deal {i}\n") for i in range(rows)]
    manifest = tmp_path / "export.csv"
    manifest.write_text("".join(lines), encoding="utf-8")
    counters: list[Counting] = []
    real = own_export.read_manifest

    def counted(*args: Any, **kw: Any) -> Counting:
        counters.append(Counting(real(*args, **kw)))
        return counters[-1]
    monkeypatch.setattr(own_export, "read_manifest", counted)
    settings = ImportSettings(str(manifest), "mapping.toml", "insert")
    sample = read_sample(settings, Mapping.load(MAPPING))
    [reader] = counters
    assert reader.taken <= SCANNED + 1, reader.taken  # one row past the bound, at most
    # the sample is the whole-number keys among the first SCANNED rows, SAMPLE at most
    seen = 0 if first_id is None else max(0, min(SAMPLE, SCANNED - first_id))
    assert len(sample) == seen
    if seen:
        assert min(sample) == first_id + 1 and sample[first_id + 1][0] == first_id + 2


def test_sampled_takes_at_most_scanned_rows_of_any_iterator() -> None:
    for n in (0, 1, SCANNED - 1, SCANNED, SCANNED + 1, 10 * SCANNED):
        blank = Counting((row, f"K{row}", "t") for row in range(2, n + 2))
        assert sampled(blank) == {}
        assert blank.taken <= min(n, SCANNED + 1)
        ids = Counting((row, row, "t") for row in range(2, n + 2))
        assert len(sampled(ids)) == min(n, SAMPLE)
        assert ids.taken == min(n, SAMPLE)  # whole-number keys: stops at SAMPLE, as before
