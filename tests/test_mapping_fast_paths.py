"""The mapping's fast paths (issue 8) read a cell as the full reading does, and are taken
for the common clean forms: an e-mail cell's ``Name <address>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from benchmarks.bench_mapping import offline_planner
from jobs import transforms as tf
from jobs.demo_data import MAPPING
from jobs.import_load import _first_rows
from jobs.mapping.steps import _Step
from jobs.transforms import email_list
from jobs.transforms.email_list import Entry, entries
from tests.test_mapping_golden import write_dirty

# the characters that steer the e-mail list's tokenizer, and a few plain ones
_CELL_CHARS = st.sampled_from(list("ab .-_+@<>();,\"'\u201c\u201d\u00ab\u00bb\u2018\u2019\u00a0"
                                   "\u00e9\u00dfZ9"))


@given(st.text(_CELL_CHARS, min_size=1, max_size=30))
@example("Ann Lee <ann@x.com>")
@example("Ann  Lee <ann@x.com>")
@example("Ann Lee<ann@x.com>")
@example("Ann Lee < ann@x.com >")
@example("Ann Lee <ann@x.com> (work)")
@example("Ann@Lee <ann@x.com>")
@example("Roe, Ann <ann@x.com>")
@example("\u201cAnn Lee\u201d <ann@x.com>")
@example("Ann Lee <>")
@example("Björn Öztürk <bjorn@x.org>")
@example("\u20189@9\u2019")  # f57a: entries read 9@9 (README: a quote pair is punctuation),
@example("'9@9'")  # the token loop kept the quotes; now both read 9@9
@example("a \u20189@9\u2019")
@example("\u00ab a@x \u00bb; b@y")
@example("Ann \u2018a@x\u2019, Bob <b@y>")
def test_entries_fast_paths_read_as_the_tokenizer(text: str) -> None:
    """Every cell's entries are the tokenizer's, whichever path reads them."""
    text = " ".join(text.split())  # a cleaned, one-line cell, as entries takes it
    if text:
        assert entries(text) == email_list._tokenized(text)
        assert email_list.angled(email_list.angled(text)) == email_list.angled(text)


@pytest.mark.parametrize("cell", ["\u20189@9\u2019", "'9@9'", "\u00ab9@9\u00bb",
                                  "\u300c9@9\u300d", "[9@9]", "\u20189@9\u2019\u3002"])
def test_an_address_alone_in_a_quote_pair_reads_bare_on_every_path(cell: str) -> None:
    """f57a: the e-mail list's fast path read ``\u20189@9\u2019`` as ``9@9`` and its token loop kept
    the quotes; the README's reading (a quote or bracket pair around an address is
    punctuation, x52r1 F8) is both paths' now."""
    assert entries(cell) == email_list._tokenized(cell) == [Entry("9@9", None)]


@pytest.mark.parametrize("cell, entry", [
    ("Ann Lee <ann@x.com>", Entry("ann@x.com", "Ann Lee")),
    ("Björn Öztürk <BJORN.O@x.org>", Entry("BJORN.O@x.org", "Björn Öztürk")),
    ("Lee<lee@x.io>", Entry("lee@x.io", "Lee")),
])
def test_a_named_address_is_read_without_the_tokenizer(
        cell: str, entry: Entry, monkeypatch: Any) -> None:
    """``Name <address>``, a third of an export's e-mail cells, takes no token loop."""
    def no_tokens(text: str) -> list[Entry]:
        raise AssertionError(f"tokenized {text!r}")
    monkeypatch.setattr(email_list, "_tokenized", no_tokens)
    assert entries(cell) == [entry]


def test_learning_persons_keys_each_rows_name_once(tmp_path: Path, monkeypatch: Any) -> None:
    """``_learn_persons`` reads a row's name key once (issue 8: thrice a row with an
    e-mail at an organization); what it learns is held by test_learn_contacts and the
    golden digests."""
    manifest = write_dirty(tmp_path / "dirty.csv", 600, 5)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    planner, settings = offline_planner(manifest, mapping)()
    mapper = planner.mapper
    contacts = [(person, mapper.org_of(row)) for row in _first_rows(planner, settings)
                if (person := mapper.person_of(row)) is not None]
    calls = [0]
    name_key = tf.name_match_key

    def counted(name: str) -> str:
        calls[0] += 1
        return name_key(name)
    monkeypatch.setattr(tf, "name_match_key", counted)
    planner._learn_persons(contacts)
    assert len(contacts) > 500 and calls[0] <= len(contacts) * 1.1, (calls, len(contacts))


def test_a_decided_column_is_read_no_more_while_learning_marks(
        tmp_path: Path, monkeypatch: Any) -> None:
    """``learn_marks`` stops showing a column its rows once it showed both decimal marks
    (issue 8: every such column was still called on every row while another one, never
    decided, kept the pass going), and decides as before."""
    manifest = write_dirty(tmp_path / "dirty.csv", 600, 5)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    planner, settings = offline_planner(manifest, mapping)()
    calls: dict[str, int] = {}
    learn = _Step.learn

    def counted(step: _Step, values: Any) -> bool:
        calls[step.source.where] = calls.get(step.source.where, 0) + 1
        return learn(step, values)
    monkeypatch.setattr(_Step, "learn", counted)
    marks = planner.mapper.learn_marks(list(_first_rows(planner, settings)))
    assert set(marks["value"]) == {".", ","}  # (Close Date never decides: read to the end)
    assert calls["Close Date"] > 500 and calls["Amount"] < 50, calls


def _canonical_reference(value: Any) -> Any:
    """``jobs.deals._canonical`` as it was before its fast paths (issue 8)."""
    from collections.abc import Mapping

    from jobs.deals import _plain

    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        out = {str(k): _canonical_reference(v) for k, v in value.items()}
        return {k: v for k, v in sorted(out.items()) if v not in (None, [], {})}
    if isinstance(value, list | tuple):
        return sorted((_canonical_reference(v) for v in value), key=repr)
    return value


_LEAVES = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-3, 3) \
    | st.sampled_from(["", "a", "10", "id", "value"])
_VALUES = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3)
                       | st.tuples(inner, inner)
                       | st.dictionaries(st.sampled_from(["id", "value", "name", "a"]), inner,
                                         max_size=3), max_leaves=8)


@given(_VALUES)
@example({"id": 3, "name": "Ann"})
@example({"id": {"id": 2.0}, "value": None})
@example({"id": 1, "value": 5})
def test_canonical_fast_paths_give_the_full_readings_shape(value: Any) -> None:
    """``_canonical`` (a digest's shape) with its fast paths for text, ints, None and plain
    dicts gives what it gave before them, for any JSON-like value."""
    from jobs.deals import _canonical

    assert _canonical(value) == _canonical_reference(value)
    assert repr(_canonical(value)) == repr(_canonical_reference(value))  # 1 stays no True


def test_a_repeated_person_or_organization_is_digested_once(tmp_path: Path) -> None:
    """The digest of a row's person and organization cells (``_cells``: what an upsert
    later compares) is the full one, and one the file repeats is computed once (issue 8:
    a digest of each row's two was 6 % of a plan)."""
    from bulk.errors import InputError
    from jobs import import_rows
    from jobs.import_load import _rows
    from jobs.last_written import digest
    from jobs.mapping import OrgRef, PersonRef

    manifest = write_dirty(tmp_path / "dirty.csv", 800, 3)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    planner, settings = offline_planner(manifest, mapping)()
    import_rows._ref_digest.cache_clear()
    rows = 0
    for row in _rows(planner, settings):
        try:
            mapped = planner.mapper.map(row, defer_users=True)
        except InputError:
            continue
        rows += 1
        assert import_rows._cells(mapped) == {
            name: digest(ref._asdict()) for name, ref in (("person_id", mapped.person),
                                                          ("org_id", mapped.org))
            if ref is not None}
    info = import_rows._ref_digest.cache_info()
    assert rows > 300 and info.hits > rows // 2, info  # the organizations repeat
    # a person and an organization of the same texts: two digests (an e-mail, an address)
    person, org = PersonRef("Acme", "x@acme.example"), OrgRef("Acme", "x@acme.example")
    assert import_rows._ref_digest(person) == digest(person._asdict())
    assert import_rows._ref_digest(org) == digest(org._asdict()) != digest(person._asdict())


def _digits_reference(num: str, decimal: Any) -> Any:
    """``decimals._read_digits`` by its full rules alone (no common-shape path), or the
    reason it refuses ``num``."""
    from bulk.errors import InputError
    from jobs.transforms import decimals

    common = decimals._common_digits
    try:
        decimals._common_digits = lambda num, decimal: None  # type: ignore[assignment]
        return decimals._read_digits(num, decimal, num)
    except InputError as exc:
        return exc.reason
    finally:
        decimals._common_digits = common  # type: ignore[assignment]


_GROUPS = st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=1, max_size=4)


@given(_GROUPS, st.sampled_from([".", ",", "'", " ", "\u2019", ""]),
       st.sampled_from([".", ",", ""]), st.text("0123456789", max_size=4),
       st.sampled_from(["auto", ".", ","]))
@example(["1", "234"], ",", ".", "56", "auto")
@example(["1", "234"], ".", ".", "56", "auto")  # the mark twice: refused, as before
@example(["01", "234"], ",", ".", "56", "auto")  # a group after a leading 0
@example(["1", "234"], ".", ",", "56", ".")  # under decimal = ".": no common shape
@example(["12", "34", "567"], ",", ".", "5", "auto")  # lakh grouping: the full rules
def test_common_digits_read_as_the_full_rules(groups: list[str], sep: str, mark: str,
                                              frac: str, decimal: Any) -> None:
    """A number's digits in any arrangement of groups, marks and fraction read the same
    (the same Decimal, exponent included, or the same refusal) with the common-shape
    path (``_common_digits``, issue 8) as by the full rules."""
    from bulk.errors import InputError
    from jobs.transforms.decimals import _read_digits, other_reading

    num = sep.join(groups) + (mark + frac if mark else "")
    try:
        got: Any = _read_digits(num, decimal, num)
    except InputError as exc:
        got = exc.reason
    want = _digits_reference(num, decimal)
    assert repr(got) == repr(want), num
    reference = None
    try:
        from jobs.transforms.decimals import _decimal_mark
        at = _decimal_mark(num, decimal)
        if at is not None and len(num.rsplit(at, 1)[1]) == 3:
            reference = (at, _digits_reference(num, "," if at == "." else "."))
            reference = None if isinstance(reference[1], str) else reference
    except InputError:  # pragma: no cover - _decimal_mark refuses nothing
        pass
    assert other_reading(num, decimal, num) == reference, num


@pytest.mark.parametrize("cell", ["58600.00", "58600", "$36,000.00", "EUR 20,300.00",
                                  "20.300,00 €", "£1,000.50", "12\u00a0345,67", "1'234.5"])
def test_a_common_amount_is_read_without_the_full_digit_rules(cell: str,
                                                              monkeypatch: Any) -> None:
    """An amount's digits in a common shape (most of an export's amounts) are read
    without the grouping rules' regexes (issue 8: a third of an amount cell's reading),
    to the Money the full rules give."""
    from jobs.transforms import decimals
    from jobs.transforms.money import parse_money

    with monkeypatch.context() as full:  # the full rules' reading
        full.setattr(decimals, "_common_digits", lambda num, decimal: None, raising=False)
        want = parse_money(cell, default_currency="USD", undecided=True)

    def no_split(*args: Any) -> Any:
        raise AssertionError(f"full digit rules for {cell!r}")
    monkeypatch.setattr(decimals, "_GROUP_MARKS", type("G", (), {"split": no_split}))
    monkeypatch.setattr(decimals, "_decimal_mark", no_split)
    got = parse_money(cell, default_currency="USD", undecided=True)
    assert got == want and repr(got) == repr(want)


def test_a_remembered_cell_is_mapped_without_a_step_call(tmp_path: Path,
                                                          monkeypatch: Any) -> None:
    """``RowMapper.map`` reads a deal or custom field's text cell its step remembers in
    place (issue 8: a call a step a row was a tenth of the mapping), to the same row: the
    steps that read a cell again are only those of a template, of a cell not remembered,
    or of one they refuse (its reason is the step's to say)."""
    from bulk.errors import InputError
    from jobs.import_load import _rows

    manifest = write_dirty(tmp_path / "dirty.csv", 300, 3)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    planner, settings = offline_planner(manifest, mapping)()
    mapper = planner.mapper

    def mapped() -> list[Any]:
        out: list[Any] = []
        for row in _rows(planner, settings):
            try:
                out.append(mapper.map(row, defer_users=True))
            except InputError as exc:
                out.append((exc.row, exc.column, exc.reason))
        return out
    first = mapped()  # every text the file has, remembered
    called: dict[str, int] = {}
    call = _Step.__call__

    def counted(step: _Step, values: Any, row: int) -> Any:
        value = call(step, values, row)  # (a refused cell raises: read by the step)
        called[step.name] = called.get(step.name, 0) + 1
        return value
    monkeypatch.setattr(_Step, "__call__", counted)
    assert mapped() == first
    plain = {s.name for s in (*mapper.steps, *mapper.customs)
             if s.memo is not None and s.source.column is not None}
    monetary = {s.name for s in mapper.customs if s.source.where == "Contract Value"}
    assert len(plain - monetary) >= 6 and not set(called) & (plain - monetary), called


_TEXTS = st.text(st.sampled_from(list("aZ 1@.\u00e9'\"\\\u00df")), max_size=6)


@given(st.builds(lambda *f: f, _TEXTS, st.none() | _TEXTS, st.none() | _TEXTS,
                 st.lists(_TEXTS, max_size=3).map(tuple),
                 st.lists(_TEXTS, max_size=3).map(tuple)), st.booleans())
@example(("", None, None, (), ()), True)
@example(("Ann", "a@x", "", ("b@x", "B@x", "a"), ("2", "10")), True)
def test_a_refs_digest_is_the_general_ones(fields: tuple[Any, ...], person: bool) -> None:
    """``_ref_digest`` of a person or organization (its shape built by hand, issue 8) is
    ``digest`` of its fields, for any texts, blanks and lists of them."""
    from jobs import import_rows
    from jobs.last_written import digest
    from jobs.mapping import OrgRef, PersonRef

    ref = PersonRef(*fields) if person else OrgRef(fields[0], fields[1])
    assert import_rows._ref_digest.__wrapped__(ref) == digest(ref._asdict())


def test_a_refs_digest_takes_no_general_walk(monkeypatch: Any) -> None:
    """A row's person and organization are digested without ``_canonical``'s walk over
    their fields (issue 8: ~5 us a row of a plan, most persons unique)."""
    from jobs import deals, import_rows, last_written
    from jobs.mapping import OrgRef, PersonRef

    person = PersonRef("Ann Lee", "ann@x.com", "+1 555", ("ann@y.com",), ())
    org = OrgRef("Acme", None)
    want = (last_written.digest(person._asdict()), last_written.digest(org._asdict()))

    def no_walk(value: Any) -> Any:
        raise AssertionError(f"walked {value!r}")
    monkeypatch.setattr(deals, "_canonical", no_walk)
    monkeypatch.setattr(last_written, "_canonical", no_walk)
    import_rows._ref_digest.cache_clear()
    assert (import_rows._ref_digest(person), import_rows._ref_digest(org)) == want


def _phone_reference(text: str) -> Any:
    """``contacts._phone_parts`` by its full reading alone, or the reason it refuses."""
    from bulk.errors import InputError
    from jobs.transforms import contacts

    with pytest.MonkeyPatch.context() as full:
        full.setattr(contacts, "_COMMON_PHONE", type("Never", (), {
            "fullmatch": staticmethod(lambda text: None)}), raising=False)
        try:
            return contacts._phone_parts(text)
        except InputError as exc:
            return exc.reason


@given(st.text(st.sampled_from(list("0123456789 +-.()/x#,;eE")), min_size=1, max_size=22))
@example("+1 (555) 964-4505")
@example("0049 30 8239350")
@example("+49 (0)30 1234567")
@example("(0)30 1234567")
@example("00 1234")
@example("0012345")
@example("+1234")
@example("1234567890123456")
@example("555 1234 x45")
def test_common_phones_read_as_the_full_reading(text: str) -> None:
    """A phone's parts (``+``, digits, extension) or refusal are the same with the
    common-spelling path (``_COMMON_PHONE``, issue 8) as by the full reading."""
    from bulk.errors import InputError
    from jobs.transforms.contacts import _phone_parts

    text = " ".join(text.split())  # a cleaned cell, as _phone_parts takes it
    if not text:
        return
    try:
        got: Any = _phone_parts(text)
    except InputError as exc:
        got = exc.reason
    assert got == _phone_reference(text), text


@pytest.mark.parametrize("cell", ["+1 (555) 964-4505", "0049 30 8239350", "030 1234567",
                                  "+44.20.7946.0958"])
def test_a_common_phone_is_read_without_the_full_reading(cell: str,
                                                         monkeypatch: Any) -> None:
    """A phone in a common spelling (most of an export's) takes no extension or trunk
    search (issue 8: ~2 us a cell, twice a row: the contacts pass and the decide)."""
    from jobs.transforms import contacts

    want = _phone_reference(cell)

    class Never:
        def search(self, text: str) -> Any:
            raise AssertionError(f"full reading of {text!r}")
        sub = search
    monkeypatch.setattr(contacts, "_EXTENSION", Never())
    monkeypatch.setattr(contacts, "_TRUNK", Never())
    assert contacts._phone_parts(cell) == want
    assert contacts.phone_numbers(cell) == (cell,)
