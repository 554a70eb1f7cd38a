"""A .json manifest nested past MAX_DEPTH is refused before ijson builds it, in bounded memory."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.json_depth import DepthGuard

# strings full of what a naive bracket count would take for nesting
_TEXT = st.text(alphabet='[]{}"\\ab', max_size=8)
_JSON = st.recursive(st.none() | st.integers(-9, 99) | _TEXT,
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=20)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


def _read_all(raw: bytes, limit: int, chunk: int) -> None:
    guard = DepthGuard(io.BufferedReader(io.BytesIO(raw)), "m.json", limit)  # type: ignore[arg-type]
    while guard.read(chunk):
        pass


@settings(max_examples=150, deadline=None)
@given(_JSON, st.integers(1, 9))
def test_depth_is_counted_exactly_outside_strings_at_any_chunking(value: object,
                                                                   chunk: int) -> None:
    """The guard passes a file at its true depth and refuses it one level lower, however
    the chunks cut its strings and escapes."""
    raw = orjson.dumps(value)
    depth = _depth(value)
    _read_all(raw, depth, chunk)
    if depth:
        with pytest.raises(InputError, match="nested more than"):
            _read_all(raw, depth - 1, chunk)


def test_deep_json_manifest_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """x43r4 F2: 100,000 nested arrays (200 KB) took > 22 GB in ijson; now one InputError
    line, in a process whose address space is capped at 1.5 GB."""
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    script = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
        from bulk.errors import InputError
        from bulk.manifest import read_manifest
        try:
            rows = list(read_manifest({str(deep)!r}))
        except InputError as exc:
            print("refused:", exc)
        else:
            print("read:", len(rows))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr[-500:]
    assert "refused:" in done.stdout and "nested more than 64 levels" in done.stdout
    assert "\n" not in done.stdout.strip()


def test_a_record_with_nested_objects_and_bracket_text_is_read(tmp_path: Path) -> None:
    """An export's usual nesting (associations.contacts[0].id) and brackets in text pass."""
    path = tmp_path / "ok.json"
    path.write_bytes(orjson.dumps([{"id": 1, "properties": {"dealname": "[[[[{{{{\"\\"},
                                    "associations": {"contacts": [{"id": 3}]}}] * 3))
    from bulk.manifest import read_manifest
    rows = list(read_manifest(path))
    assert [r.ok for r in rows] == [True, True, True]
    assert rows[0].values["associations.contacts.id"] == 3


def test_plan_import_and_init_mapping_name_the_file_once(tmp_path: Path) -> None:
    """x43r6 F2: the refusal named the file twice ("d.json: '/tmp/d.json': nested ...");
    a reader's error that names its file is said as it is, one that does not is prefixed
    (``bulk.wording.about_file``), in ``plan import`` and ``init-mapping`` alike."""
    import os

    from typer.testing import CliRunner

    from bulk.wording import about_file
    from pdbulk.cli import app

    deep = tmp_path / "d.json"
    deep.write_text("[" * 200 + "]" * 200)
    (tmp_path / "m.toml").write_text('[import]\nkey_column = "id"\n[deal]\ntitle = "t"\n')
    env = {**os.environ, "PIPEDRIVE_API_TOKEN": "x"}
    for argv in (["init-mapping", str(deep)],
                 ["plan", "import", str(deep), "-m", str(tmp_path / "m.toml")]):
        res = CliRunner().invoke(app, [*argv, "--url", "http://127.0.0.1:29399"], env=env)
        assert "nested more than 64 levels deep" in res.output, res.output
        assert res.output.count("d.json") == 1, res.output
        assert "Traceback" not in res.output
    assert about_file(deep, "no header") == f"{deep}: no header"
