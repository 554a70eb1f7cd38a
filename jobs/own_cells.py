"""Which manifest columns an import refuses on the cell alone, whatever the account holds.

A row the mapping's reading of one cell refused ("not a number: 'abc'", "not a date",
"not an e-mail address") fails again on a retry with the same mapping and the same stored
cells when every field reading that column parses it on its own: the deal's amount,
probability and dates, a person's e-mail or phone, and a custom field of a type whose value
is read without the account (a number, a date, text, a phone, an address: Pipedrive does
not change a field's type; a field deleted and made again under the label with another type
is the one case this takes as a change of the mapping's meaning, not of the account). A
stage, owner, option (enum / set) or monetary field's cell is judged against the account,
which may have changed since (a stage created): not one of these.

``value_columns`` is computed at the load, when the catalog's types are known, and marks
such a failed row ``OWN_VALUE`` (``jobs.import_items``); a retry reads nothing for it
(``jobs.importing.base.fail_again_offline``, x44r10 F6: 85 tokens of catalog reads to
fail a 'not a number' row of a custom number field again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .mapping.spec import FieldSpec

# the deal's standard fields parsed on their own (an amount, a number, a date)
OWN_CELL_FIELDS = frozenset({"deal.value", "deal.probability", "deal.expected_close_date",
                             "deal.won_time", "deal.lost_time", "deal.close_time"})
# ... and a person's contact cells, parsed on their own too (an e-mail address, a phone)
_CONTACT_FIELDS = frozenset({"person.email", "person.phone"})
# custom field types whose value the mapping reads without the account (its options, users,
# currencies): jobs.mapping.compiler._custom_make
ACCOUNT_FREE_TYPES = frozenset({"int", "double", "date", "phone", "varchar", "varchar_auto",
                                "text", "address"})
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def column_readers(spec: Any) -> dict[str, set[str]]:
    """Each column the mapping reads: the targets reading it (``deal.value``,
    ``custom_fields.Region``), by its ``column``, ``currency_column`` or template."""
    readers: dict[str, set[str]] = {}
    sections = [(name, getattr(spec, name)) for name in ("deal", "person", "organization")]
    targets = [(f"{section}.{field}", value) for section, model in sections if model is not None
               for field, value in model if isinstance(value, FieldSpec)]
    targets += [(f"custom_fields.{label}", value) for label, value in spec.custom_fields.items()]
    for target, field in targets:
        columns = {field.column, field.currency_column,
                   *_PLACEHOLDER.findall(field.template or "")}
        for column in columns - {None}:
            readers.setdefault(str(column), set()).add(target)
    return readers


def value_columns(spec: Any, type_of: Callable[[str], str | None]) -> frozenset[str]:
    """The columns every reader of which parses the cell on its own (module docstring).
    ``type_of``: a custom field's type by the mapping's label (None: not known)."""
    own = set(OWN_CELL_FIELDS | _CONTACT_FIELDS)
    own |= {f"custom_fields.{label}" for label in spec.custom_fields
            if type_of(label) in ACCOUNT_FREE_TYPES}
    return frozenset(c for c, targets in column_readers(spec).items() if targets <= own)


__all__ = ["ACCOUNT_FREE_TYPES", "OWN_CELL_FIELDS", "column_readers", "value_columns"]
