"""An empty ``[import] key_column`` or ``key_field`` is named as empty when the mapping is
loaded (x41r1 L3: ``key_column = ""`` said "the mapping reads '': no such column" once
the manifest was read)."""

from __future__ import annotations

import pytest

from jobs.mapping import Mapping
from jobs.mapping.spec import MappingError


@pytest.mark.parametrize("line, named", [
    ('key_column = ""', "import.key_column: is empty"),
    ('key_column = "   "', "import.key_column: is empty"),
    ('key_column = "Key"\nkey_field = ""', "import.key_field: is empty"),
])
def test_an_empty_key_setting_is_named(line: str, named: str) -> None:
    text = f'version = 1\n[import]\n{line}\n[deal]\ntitle = "Title"\n'
    with pytest.raises(MappingError) as caught:
        Mapping.loads(text)
    assert named in str(caught.value), caught.value
    assert "no such column" not in str(caught.value)
