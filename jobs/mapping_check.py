"""Every problem of an import mapping at once: the file's, the manifest's columns and the
account's names, before anything is written.

``Mapping.load`` refuses a file the schema refuses, and the CLI refuses a mapping that
reads a column the manifest lacks, before any call. Said alone, each hid the problems
after it (x22r2: a misspelt ``[persn]`` hid a stage-map typo and an option typo; a column
typo hid a bad stage, custom field and pipeline): a person fixed one, ran again, and met
the next. ``problems_with_names`` checks what is left of such a file against the account
(the list pulls the import's own plan makes; nothing is written) so that the one refusal
lists them all, each under its TOML key. It never makes a mapping usable: its caller
refuses whatever it finds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bulk.calls import CallContext
from bulk.errors import AmbiguousName, InputError

from .account import load_catalog
from .catalog import Catalog, DealField
from .import_checks import effective_header
from .import_items import PLACEHOLDER_CODE
from .mapping import Mapping, MappingError
from .update_mapping import UpdateMapping

Problems = list[tuple[str, str]]


async def problems_with_names(ctx: CallContext, mapping: Mapping, header: Sequence[str] | None,
                              *, create_key_field: bool) -> tuple[Problems, Problems]:
    """(TOML key, reason) of every name in ``mapping`` the account lacks, and — with
    ``header`` — of every column it reads that the manifest lacks; ([], []) when there are
    none. A missing key field is a problem only without ``create_key_field`` (the import
    would create it)."""
    catalog = await load_catalog(ctx, users=mapping.spec.deal.owner is not None
                                 or tuple(mapping.spec.custom_fields))
    problems: list[tuple[str, str]] = []
    try:
        catalog.field(mapping.key_field, custom=True)
    except AmbiguousName:
        pass  # the compiler says it, under import.key_field
    except InputError:
        if not create_key_field:
            problems.append(("import.key_field", f"the account has no deal field "
                             f"{mapping.key_field!r} for the source keys; create it (a text "
                             "field) or pass --create-key-field"))
        catalog = dataclasses.replace(catalog, deal_fields=(
            *catalog.deal_fields, DealField(PLACEHOLDER_CODE, mapping.key_field, "varchar",
                                            is_custom=True)))
    names = _compiled(mapping, catalog, None)
    if header is None:
        return problems + names, []
    # the compiler names each missing column under its key, after the names
    return problems + names, _compiled(mapping, catalog, effective_header(mapping, header))[
        len(names):]


async def update_problems_with_names(ctx: CallContext, umap: UpdateMapping,
                                    header: Sequence[str] | None) -> tuple[Problems, Problems]:
    """``problems_with_names`` for an update mapping (f23m: an update refused one problem
    a run): the names the account lacks — a missing key field of an update by key
    included — and, with ``header``, the columns the manifest lacks, under the
    ``[update]`` mapping's own keys."""
    catalog = await load_catalog(ctx, **umap.catalog_needs())
    problems: list[tuple[str, str]] = []
    if umap.by == "key":
        label = umap.key_field or ""
        try:
            catalog.field(label, custom=True)
        except AmbiguousName:
            pass  # the compiler says it, under update.key_field
        except InputError:
            problems.append(("update.key_field", f"the account has no deal field {label!r} "
                             "for the source keys; create it first (a text field)"))
            catalog = dataclasses.replace(catalog, deal_fields=(
                *catalog.deal_fields, DealField(PLACEHOLDER_CODE, label, "varchar",
                                                is_custom=True)))

    def compiled(head: Sequence[str] | None) -> Problems:
        try:
            umap.compile(catalog, header=head)
        except MappingError as exc:
            return exc.problems
        return []
    names = compiled(None)
    if header is None:
        return problems + names, []
    return problems + names, compiled(header)[len(names):]


def _compiled(mapping: Mapping, catalog: Catalog, header: Sequence[str] | None) -> Problems:
    try:
        mapping.compile(catalog, header=header)
    except MappingError as exc:
        return exc.problems
    return []


__all__ = ["problems_with_names", "update_problems_with_names"]
