"""Pure value parsers for manifest cells: money, dates, numbers, e-mails, names.

Every parser takes a cell as read from a manifest (a ``str`` from CSV, or any
JSON value from JSONL), returns a clean Python value or ``None`` for an empty
cell, and raises ``InputError(reason)`` with a message a person can act on.
The caller (the row mapper) adds the row number and the column. Nothing here
does I/O, knows about Pipedrive ids, or keeps state.

Money: how the decimal separator is chosen (``decimal="auto"``)
  1. both ``.`` and ``,`` appear: the one that comes last is the decimal mark
     (``1,234.50`` and ``1.234,50``);
  2. only one of them, more than once: it groups thousands (``1,234,567``,
     ``€1.000.000``);
  3. only ``,``, once, followed by exactly three digits: it groups thousands
     (``1,234`` is 1234) — unless the integer part is ``0`` (``0,123``);
     otherwise ``,`` is the decimal mark (``1,5``, ``12,50``);
  4. only ``.``, once: always the decimal mark (``1.234`` is 1.234).
  Spaces (also no-break and thin spaces) and apostrophes (``1'234.50``) always
  group. Groups are checked: after the first group every group has three
  digits (Indian grouping, ``12,34,567``, is accepted too). A file written in
  a decimal-comma locale with integer amounts (``1.234``) needs
  ``decimal=","``, which makes ``.`` a grouping mark (and ``decimal="."`` the
  reverse).
  Those rules read one cell alone. A mapper reads a column, and keeps a
  ``ColumnDecimal`` per numeric target: an ambiguous cell (``1,500``, ``1.500``:
  one mark, once, before three digits) is read with the decimal mark the column's
  other cells show — decided from the whole file before any row is mapped — and
  is an InputError naming ``decimal`` when the column shows no mark or both.
"""

from __future__ import annotations

from .contact_cells import (
    contact_name,
    name_cell_bracket,
    name_cell_name,
    name_or_blank,
    placeholder_cell,
)
from .contacts import (
    LEGAL_SUFFIXES,
    PhoneKey,
    address_match_key,
    clean_phone,
    display_name,
    display_names,
    email_addresses,
    email_key,
    german_spelling,
    name_match_key,
    name_match_keys,
    names_agree,
    normal_phone,
    normalize_email,
    org_key_parts,
    org_match_key,
    org_spelled_keys,
    org_umlaut_key,
    phone_claim,
    phone_claims,
    phone_country_key,
    phone_key,
    phone_match_key,
    phone_numbers,
    phones_agree,
    transcribe_name_key,
)
from .currency import (
    CurrencyCell,
    RowCurrency,
    check_minor_units,
    minor_units,
    read_currency,
    row_currency,
)
from .date_times import parse_datetime
from .dates import (
    DATE_TOKENS,
    DEFAULT_DATE_WINDOW,
    epoch_unit,
    parse_date,
)
from .money import (
    ISO_CURRENCIES,
    MAX_EXACT,
    ColumnDecimal,
    Decimal_,
    Money,
    check_api_number,
    currency_choices,
    decimal_evidence,
    json_number,
    parse_currency,
    parse_int,
    parse_money,
    parse_number,
    parse_probability,
    percentage,
    settle_currency,
)
from .name_addressing import addressed_name
from .name_cell_contacts import (
    PHONE_GAP,
    cell_contacts,
    cell_date,
    cut_contacts,
    date_like,
    fold_digits,
    holds_date,
    led_address,
    strip_joiners,
    strip_marks,
    unknown_extension,
    unsure_phone,
    word_label,
)
from .name_joiners import spaced_dashes
from .name_lists import (
    a_full_name,
    holds_contact,
    latin_spelling,
    listed_persons,
    name_after_contact,
    name_and_title,
    name_contacts,
    no_title,
)
from .quote_marks import unwrap_quotes
from .text import (
    MAX_TITLE,
    cell_types,
    check_control,
    clean_multiline,
    clean_text,
    clean_title,
    digits_kept,
    how_alike,
    is_empty,
    json_kind,
    norm_key,
    not_date_cell,
    not_excel_error,
    quoted_cell,
    said_cell,
    shown_cell,
    shown_key,
    source_key,
    storable,
    typed_values,
    whole_key,
)
from .values import (
    DEFAULT_STATUS_MAP,
    STATUSES,
    OptionCells,
    Template,
    ValueMap,
    closed_status,
    list_reads,
    longest_items,
    parse_bool,
    parse_status,
    split_list,
    stage_key,
)

__all__ = [
    "quoted_cell",
    "said_cell",
    "shown_key",
    "shown_cell",
    "display_names",
    "PHONE_GAP",
    "a_full_name",
    "holds_contact",
    "latin_spelling",
    "listed_persons",
    "name_after_contact",
    "name_and_title",
    "name_contacts",
    "cell_contacts",
    "cell_date",
    "cut_contacts",
    "date_like",
    "fold_digits",
    "holds_date",
    "led_address",
    "strip_marks",
    "unwrap_quotes",
    "unknown_extension",
    "unsure_phone",
    "word_label",
    "spaced_dashes",
    "addressed_name",
    "strip_joiners",
    "no_title",
    "DATE_TOKENS",
    "DEFAULT_DATE_WINDOW",
    "DEFAULT_STATUS_MAP",
    "closed_status",
    "ColumnDecimal",
    "Decimal_",
    "ISO_CURRENCIES",
    "LEGAL_SUFFIXES",
    "MAX_EXACT",
    "MAX_TITLE",
    "Money",
    "CurrencyCell",
    "RowCurrency",
    "currency_choices",
    "display_name",
    "STATUSES",
    "Template",
    "ValueMap",
    "address_match_key",
    "cell_types",
    "check_api_number",
    "check_control",
    "clean_multiline",
    "clean_phone",
    "phone_numbers",
    "clean_text",
    "not_excel_error",
    "clean_title",
    "digits_kept",
    "not_date_cell",
    "decimal_evidence",
    "epoch_unit",
    "parse_datetime",
    "is_empty",
    "json_kind",
    "json_number",
    "how_alike",
    "norm_key",
    "email_addresses",
    "email_key",
    "normalize_email",
    "contact_name",
    "name_or_blank",
    "placeholder_cell",
    "name_cell_bracket",
    "name_cell_name",
    "german_spelling",
    "name_match_key",
    "name_match_keys",
    "transcribe_name_key",
    "names_agree",
    "org_key_parts",
    "org_match_key",
    "org_spelled_keys",
    "org_umlaut_key",
    "parse_bool",
    "parse_currency",
    "read_currency",
    "row_currency",
    "check_minor_units",
    "minor_units",
    "parse_date",
    "parse_int",
    "parse_money",
    "parse_number",
    "parse_probability",
    "percentage",
    "settle_currency",
    "parse_status",
    "PhoneKey",
    "phone_claim",
    "phone_claims",
    "phone_country_key",
    "normal_phone",
    "phone_key",
    "phone_match_key",
    "phones_agree",
    "source_key",
    "whole_key",
    "split_list",
    "stage_key",
    "list_reads",
    "OptionCells",
    "longest_items",
    "storable",
    "typed_values",
]
