"""The import mapping file (TOML): which manifest columns become which deal fields.

``Mapping.load(path)`` validates the file (every error names its TOML key);
``compile_mapping(mapping, catalog)`` resolves every name in it — pipelines, stages,
users, custom field labels, option labels — once, against the account's
metadata, and returns a ``RowMapper``; ``RowMapper.map(row)`` turns one
manifest row into a v2 addDeal body plus the person and organization it
references, or raises ``InputError(row=, column=)``. Nothing here talks to the
network. The format is documented in docs/mapping.md.
"""

from typing import TYPE_CHECKING

from .rowmapper import RowMapper
from .spec import (
    Defaults,
    FieldSpec,
    MappedRow,
    Mapping,
    MappingError,
    MappingFile,
    OrgRef,
    PersonRef,
    _option_problems,
    read_mapping_text,
    unresolved_todos,
)
from .starter import init_mapping, unnamed_persons_note

if TYPE_CHECKING:
    from .compiler import compile_mapping


def __getattr__(name: str) -> object:
    """``compile_mapping``, its module (the compiler) imported on first use (PEP 562):
    loading the package (the CLI's start-up: `pdbulk --help`) does not load it."""
    if name == "compile_mapping":
        from .compiler import compile_mapping
        return compile_mapping
    raise AttributeError(f"module 'jobs.mapping' has no attribute {name!r}")


__all__ = ["Defaults", "FieldSpec", "Mapping", "MappedRow", "MappingError", "MappingFile", "OrgRef",
           "PersonRef", "RowMapper", "_option_problems", "compile_mapping", "init_mapping", "read_mapping_text",
           "unnamed_persons_note", "unresolved_todos"]
