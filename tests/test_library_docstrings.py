"""The library's public names say what they take, what they mean and what they raise in
their docstrings (x25r3 F6: ImportSettings, ImportJob, Mapping and DealQuery had one-liners;
DedupePlan.duplicate_groups / review_groups, Planned.bad_rows, ImportSettings.to_json and
DealQuery.is_empty none; kind_for / make_plan named no error; apply_dedupe named StateBusy
where the README says JobBusy; DedupePlan.tokens did not say it is the apply's cost)."""

from __future__ import annotations

import inspect

import pytest


def _doc(obj: object) -> str:
    return " ".join((inspect.getdoc(obj) or "").split())


@pytest.mark.parametrize(("name", "words"), [
    ("jobs.ImportSettings", ("insert", "upsert", "mode", "header_row", "ConfigError")),
    ("jobs.ImportSettings.to_json", ("from_json",)),
    ("jobs.ImportJob", ("key_code", "import_job", "after_run")),
    ("jobs.Mapping", ("Mapping.load", "MappingError", "dict")),
    ("jobs.DealQuery", ("status", "updated_before", "filter_id", "InputError")),
    ("jobs.DealQuery.is_empty", ("no criterion",)),
    ("jobs.DedupePlan.duplicate_groups", ("duplicate band",)),
    ("jobs.DedupePlan.review_groups", ("review band",)),
    ("jobs.DedupePlan.tokens", ("apply's cost",)),
    ("jobs.Planned.bad_rows", ("failed.csv",)),
    ("jobs.kind_for", ("ValueError",)),
    ("jobs.make_plan", ("DedupeConfigError", "Raises")),
    ("jobs.apply_dedupe", ("StateBusy", "JobBusy")),
    ("jobs.run_dedupe", ("StateBusy", "JobBusy")),
])
def test_public_names_are_documented(name: str, words: tuple[str, ...]) -> None:
    """Each name's docstring holds the words a caller needs."""
    import jobs

    obj: object = jobs
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    doc = _doc(obj)
    for word in words:
        assert word in doc, (name, word, doc)


def test_state_busy_is_a_job_busy() -> None:
    """What the docstrings say: StateBusy is caught by ``except JobBusy``."""
    from bulk.errors import JobBusy
    from jobs.dedupe.index import StateBusy

    assert issubclass(StateBusy, JobBusy)
