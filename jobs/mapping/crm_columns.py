"""Columns ``init-mapping`` knows by a CRM export's own conventions rather than by likeness
to a field's name (``starter._GUESSES``): what a fuzzy match would get wrong or miss.

- Microsoft Dynamics 365's Excel export of opportunities starts with hidden columns it
  writes for re-importing the sheet: ``(Do Not Modify) Opportunity``, the record's GUID
  (``5b1e1b9a-3f2c-ee11-9965-000d3a5c6f8e``) — each deal's source key — and ``(Do Not
  Modify) Row Checksum`` and ``(Do Not Modify) Modified On``, Dynamics' own bookkeeping,
  no field of a deal (Microsoft Learn, "Export data to Excel": the hidden columns let the
  file be imported back; x45r6 F6: the GUID was proposed with "no id-like column found").
- Close's opportunity export writes ``status_label``, the name of the opportunity's status
  beside its ``status_type`` (``active``, ``won`` or ``lost``: Close's API reference,
  "Opportunity Statuses"). The names are the account's own ("Demo Scheduled"), so the
  column is no status in general; but an account whose names are the kinds themselves
  (``Active``, ``Won``, ``Lost``) writes a status there: a ``status_label`` column whose
  every sampled value reads so is the deal's status when no other column is (x45r6 F6).
- Dynamics 365's ``Potential Customer`` is the account or the contact the opportunity is
  for (the opportunity's ``customerid``, a Customer lookup: account or contact; Microsoft
  Learn, opportunity entity reference): proposed as the organization, with a TODO saying
  a contact's name there would make an organization of it (x46r4 F5: left unmapped).
- A Close opportunity has no title (Close's API reference, "Opportunities": ``lead_id``,
  ``lead_name``, ``note``, ``value``, ... and no name of its own): ``lead_name``, its lead's
  (the company's) name, is proposed as the deal's title with a TODO saying so (x46r4 F5:
  ``lead_id``, an id, was proposed as "the first column left").

It never proposes a column on a name alone where the samples say otherwise."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bulk.errors import InputError

from .. import transforms as tf

_DO_NOT_MODIFY = re.compile(r"\(do not modify\)\s*(.*)")
# the record a Dynamics 365 export's "(Do Not Modify) <record>" GUID names, when it is a deal
_DEAL_RECORDS = frozenset({"opportunity"})
_STATUS_LABEL = "status label"
# Close's default statuses' words for an open deal (its won and lost ones read as statuses)
OPEN_WORDS = frozenset({"active"})


def dynamics_columns(header: Sequence[str]) -> tuple[str | None, list[str]]:
    """(the column of Dynamics 365's deal GUID, the key; the export's other ``(Do Not
    Modify)`` columns, its bookkeeping, in header order). (None, []) for another file."""
    key: str | None = None
    others: list[str] = []
    for column in header:
        found = _DO_NOT_MODIFY.fullmatch(tf.norm_key(column))
        if found is None:
            continue
        if key is None and found[1] in _DEAL_RECORDS:
            key = column
        else:
            others.append(column)
    return key, others


CUSTOMER_TODO = ("  # TODO: Dynamics 365's Potential Customer is the account or the contact "
                 "the opportunity is for: a contact's name here makes an organization of "
                 "it (map such rows' contact under [person]); then delete this comment")
LEAD_TITLE_TODO = ("  # TODO: a Close opportunity has no title: its lead's (the company's) "
                   "name is proposed as each deal's title; name another column if you keep "
                   "one, then delete this comment")


def dynamics_customer(header: Sequence[str]) -> str | None:
    """Dynamics 365's ``Potential Customer`` column (any case or spacing) in its opportunity
    export (a ``(Do Not Modify) Opportunity`` column beside it); else None."""
    if dynamics_columns(header)[0] is None:
        return None
    return next((c for c in header if tf.norm_key(c) == "potential customer"), None)


def close_lead_title(header: Sequence[str]) -> str | None:
    """Close's ``lead_name`` column (any case, ``_`` or space) in an opportunity export
    (``lead_id`` beside it); else None."""
    names = {tf.norm_key(c).replace("_", " "): c for c in header}
    return names["lead name"] if "lead id" in names and "lead name" in names else None


def status_label_column(header: Sequence[str],
                        samples: Mapping[str, Sequence[str]] | None) -> str | None:
    """The column named ``status_label`` (Close's; any case, ``_`` or space) whose sampled
    values are all deal statuses (``Won``, ``Lost``, ``Open``: ``transforms.parse_status``)
    or Close's open word (``Active``), at least one sampled; else None (unsampled, or a
    label of the account's own, ``Demo Scheduled``: no guess)."""
    for column in header:
        if tf.norm_key(column).replace("_", " ") != _STATUS_LABEL:
            continue
        values = [str(v).strip() for v in (samples or {}).get(column, ()) if str(v).strip()]
        if values and all(_a_status(v) for v in values):
            return column
    return None


def _a_status(value: str) -> bool:
    if tf.norm_key(value) in OPEN_WORDS:
        return True
    try:
        tf.parse_status(value)
    except InputError:
        return False
    return True


__all__ = ["CUSTOMER_TODO", "LEAD_TITLE_TODO", "OPEN_WORDS", "close_lead_title",
           "dynamics_columns", "dynamics_customer", "status_label_column"]
