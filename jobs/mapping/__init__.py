"""The import mapping file (TOML): which manifest columns become which deal fields.

``Mapping.load(path)`` validates the file (every error names its TOML key);
``mapping.compile(catalog)`` resolves every name in it — pipelines, stages,
users, custom field labels, option labels — once, against the account's
metadata, and returns a ``RowMapper``; ``RowMapper.map(row)`` turns one
manifest row into a v2 addDeal body plus the person and organization it
references, or raises ``InputError(row=, column=)``. Nothing here talks to the
network. The format is documented in docs/mapping.md.
"""


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

__all__ = ["Defaults", "FieldSpec", "Mapping", "MappedRow", "MappingError", "MappingFile", "OrgRef",
           "PersonRef", "RowMapper", "_option_problems", "init_mapping", "read_mapping_text",
           "unnamed_persons_note", "unresolved_todos"]
