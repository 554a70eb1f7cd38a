"""The key fields this state folder's runs used, by field code: ``remember_key_field``,
``used_key_fields``, ``check_not_renamed``.

Why: an admin who renames the key field in Pipedrive ("Import source key" → "Legacy
source key", same field code) left the next ``--create-key-field`` upsert finding no field
of the mapping's name: it created a new key field and created every deal again (x32r4
t13). A field code is a 40-character hash, random per company (FACTS.md), so a code an
earlier run used that is in this account's field list now *is* that field, whatever it is
called: the run refuses instead (``check_not_renamed``).

Where the codes come from: ``{state folder}/key-fields/{code}.json`` (``{"label": ...}``,
0600, one file a code, written by every run that found or created its key field: no
read-modify-write to race) and the import jobs in the job root (their store's
``import.key_code`` and ``load.key_field``: what runs of a version that kept no record
used). No token and no value of a deal is written.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from bulk.claims import state_dir
from bulk.errors import InputError
from bulk.state import private_folder, write_private

from .catalog import Catalog, DealField
from .transforms import norm_key

FOLDER = "key-fields"
_CODE = re.compile(r"[A-Za-z0-9_]{1,80}")
# the newest job folders read for their key field (a job root of years of daily runs is
# read in well under a second; older jobs' codes are in the state record already)
JOBS_READ = 400


def remember_key_field(code: str, label: str) -> None:
    """Record in the state folder that ``code`` was the key field named ``label``.
    Never raises: a record that cannot be written costs only the check it would feed."""
    if not _CODE.fullmatch(code):
        return
    with contextlib.suppress(OSError):
        folder = private_folder(state_dir() / FOLDER)
        path = folder / f"{code}.json"
        body = orjson.dumps({"label": label})
        with contextlib.suppress(OSError):
            if path.read_bytes() == body:
                return
        write_private(path, body)


def _recorded() -> Iterable[tuple[str, str]]:
    folder = state_dir() / FOLDER
    with contextlib.suppress(OSError):
        for path in folder.glob("*.json"):
            with contextlib.suppress(OSError, orjson.JSONDecodeError, AttributeError):
                label = orjson.loads(path.read_bytes()).get("label")
                if isinstance(label, str):
                    yield path.stem, label


def _job_key_field(path: Path) -> tuple[str, str] | None:
    """(code, label) an import job's store recorded, None for any other job. Read-only."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
        try:
            rows = dict(conn.execute("SELECT key, value FROM kv WHERE key IN "
                                     "('import.key_code', 'load.key_field')").fetchall())
        finally:
            conn.close()
        code = orjson.loads(rows["import.key_code"])
        label = orjson.loads(rows["load.key_field"])
    except (sqlite3.Error, orjson.JSONDecodeError, OSError, KeyError, TypeError):
        return None
    if isinstance(code, str) and isinstance(label, str) and _CODE.fullmatch(code):
        return code, label
    return None


def used_key_fields(job_root: Path | None = None) -> dict[str, set[str]]:
    """Field code → the key-field names it was used under: the state folder's record and
    the newest ``JOBS_READ`` import jobs in ``job_root`` (None: the record alone). Never
    raises."""
    used: dict[str, set[str]] = {}
    for code, label in _recorded():
        used.setdefault(code, set()).add(label)
    if job_root is not None:
        with contextlib.suppress(OSError):
            stores = sorted((p for p in job_root.glob("*/job.sqlite")), reverse=True)
            for path in stores[:JOBS_READ]:
                got = _job_key_field(path)
                if got is not None:
                    used.setdefault(got[0], set()).add(got[1])
    return used


def check_not_renamed(catalog: Catalog, label: str, used: Mapping[str, set[str]]) -> None:
    """Refuse a key field ``label`` that is not the field earlier runs wrote its keys into.

    ``used``: ``used_key_fields``. Raises ``InputError`` (nothing sent) when a custom deal
    field whose code was used as the key field ``label`` is in ``catalog`` under another
    name, and either no field is named ``label`` (renamed: a new key field would create
    every deal again) or the field named ``label`` has another code (renamed, then a new
    field made under the old name: it is not the field the keys were written into;
    its values are not read). A used code no longer in
    the account (the field deleted) refuses nothing: its keys are gone with it."""
    want = norm_key(label)
    codes = {code for code, labels in used.items() if any(norm_key(n) == want for n in labels)}
    if not codes:
        return
    named = [f for f in catalog.deal_fields if f.is_custom and norm_key(f.name) == want]
    if any(f.code in codes for f in named):
        return
    moved: list[DealField] = [f for f in catalog.deal_fields
                              if f.is_custom and f.code in codes]
    if not moved:
        return
    old = moved[0]
    others = ", ".join(f.code for f in named)
    now = (f"{'a deal field' if len(named) == 1 else 'deal fields'} {label!r} (code "
           f"{others}) {'exists' if len(named) == 1 else 'exist'} too, but not the one earlier "
           "runs wrote the keys into (its values were not read): keyed by it, every row "
           "whose key is in the other field would create its deal again"
           if named else "a new key field would create every deal again")
    raise InputError(
        f"the key field {label!r} (code {old.code}) that earlier runs wrote the source keys "
        f"into is now named {old.name!r} in Pipedrive; {now}. Use {old.name!r} as the key "
        f"field (key_field = {old.name!r} in the mapping's [import]; --key-field for "
        f"update and move-stage), or rename the field back to {label!r} in Pipedrive; "
        "nothing was created")


__all__ = ["FOLDER", "JOBS_READ", "check_not_renamed", "remember_key_field",
           "used_key_fields"]
