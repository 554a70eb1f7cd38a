"""The settings of an import's mapping that decide which record a row IS, kept at the
job's first load and compared when a resume or retry maps rows again.

A retry maps its failed rows with the mapping as it is now (that is what it is for: an
amount or date format fixed). But the source key column, the key field, the mode and
the columns a person or an organization is matched by say which deal, person or
organization a row is: changed, the retried rows are written under other keys than the
done ones, and a later import with the first mapping creates them again (x43r4 F1:
deals 118/119 carried "RT two" where succeeded.csv said rt2). Those changes are refused
with one line naming the setting; every other change goes through. Pure; no I/O but
the job's meta.
"""

from __future__ import annotations

from typing import Any

from bulk.errors import InputError

from .mapping import Mapping as ImportMapping

# where the job keeps them (written once, at the first load)
META_IDENTITY = "import.identity"

# (setting, what it decides), in the order they are named
_SAID = {
    "import.key_column": "the column each row's source key is read from",
    "import.key_field": "the deal field the source keys are kept in",
    "import.mode": "whether a row whose key a deal carries updates it or is left alone",
    "person.name": "the person a row links (matched by name)",
    "person.email": "the person a row links (matched by e-mail)",
    "person.phone": "the person a row links (matched by name and phone)",
    "organization.name": "the organization a row links (matched by name)",
}


def identity(mapping: ImportMapping) -> dict[str, Any]:
    """The identity settings of ``mapping`` as JSON values: the ``[import]`` key column,
    key field and mode, and the whole field spec (column, template, map, ...) of the
    person's name / email / phone and the organization's name (None: not mapped)."""
    spec = mapping.spec
    out: dict[str, Any] = {"import.key_column": spec.import_.key_column,
                           "import.key_field": spec.import_.key_field,
                           "import.mode": spec.import_.mode}
    for section, names in (("person", ("name", "email", "phone")),
                           ("organization", ("name",))):
        part = getattr(spec, section)
        for name in names:
            field = None if part is None else getattr(part, name)
            out[f"{section}.{name}"] = None if field is None else field.model_dump(
                mode="json", exclude_defaults=True)
    return out


def check_identity(stored: object, mapping: ImportMapping, *, path: str) -> None:
    """InputError when ``mapping`` (the file at ``path``) differs from ``stored`` (the
    job's ``META_IDENTITY``) in a setting that decides which record a row is: one line
    naming each such setting, its value then and now, and what to do. Nothing when the
    job kept none (loaded before this check) or only other settings changed."""
    if not isinstance(stored, dict):
        return
    now = identity(mapping)
    changed = [k for k in _SAID if k in stored and stored[k] != now.get(k)]
    if not changed:
        return
    said = "; ".join(f"{k} was {_shown(stored[k])}, is now {_shown(now.get(k))} "
                     f"({_SAID[k]})" for k in changed)
    raise InputError(
        f"the mapping {path!r} changed a setting that decides which record a row is since "
        f"the job was loaded: {said}. Rows mapped with it would be written as other "
        "records than the job's done rows (a later import would create them again). Put "
        "it back as it was to retry or resume (value fixes such as an amount or a date "
        "format may stay), or import the job's failed.csv as a new job with the new "
        "mapping")


def _shown(value: Any) -> str:
    if value is None:
        return "not mapped"
    if isinstance(value, dict) and set(value) == {"column"}:
        return f"column {value['column']!r}"
    return repr(value)


__all__ = ["META_IDENTITY", "check_identity", "identity"]
