"""What the mapping remembers per text cell (``_Step.memo``, e-mail verdicts, match keys)
and the text fast paths give exactly what computing every cell afresh gives."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given
from hypothesis import strategies as st

from bulk.errors import InputError
from bulk.manifest import SourceRow
from jobs import transforms as tf
from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping
from jobs.transforms import contacts
from jobs.transforms.text import _INVISIBLE, _SPACES, check_control
from tests.test_mapping import RAW_FIELDS

MAPPING = """
version = 1
[import]
key_column = "id"
[deal]
title = "{Company} - {Name}"
value = "Amount"
pipeline = { default = "Sales" }
[deal.stage]
column = "Stage"
[custom_fields]
"Products" = { column = "Products", separator = "|" }
"Contract value" = { column = "Contract", currency_column = "Contract Currency" }
"Site address" = "Address"
[person]
name = "Contact"
email = "Email"
"""


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        deal_fields=RAW_FIELDS)


def values(**changes: str) -> dict[str, str]:
    base = {"id": "K-1", "Company": "Acme", "Name": "Renewal", "Amount": "1,500.00",
            "Stage": "Qualified", "Products": "CRM|Email", "Contract": "100",
            "Contract Currency": "EUR", "Address": "Main St 1", "Contact": "Jo Doe",
            "Email": "jo@acme.test"}
    return {**base, **changes}


def mapper(catalog: Catalog) -> Any:
    return compile_mapping(Mapping.loads(MAPPING), catalog, header=list(values()))


def test_a_remembered_list_or_dict_is_never_shared_between_rows(catalog: Catalog) -> None:
    """Two rows with the same cells get equal values, but not the same objects: changing
    one row's option ids or address leaves the next row's alone."""
    m = mapper(catalog)
    first = m.map(SourceRow(2, 2, values(id="K-1")))
    second = m.map(SourceRow(3, 3, values(id="K-2")))
    products, address = "s" * 40, "a" * 40
    assert first.deal["custom_fields"][products] == second.deal["custom_fields"][products]
    for mapped in (first, second):  # computed, then remembered
        mapped.deal["custom_fields"][products].append(99)
        mapped.deal["custom_fields"][address]["value"] = "changed"
    third = m.map(SourceRow(4, 4, values(id="K-3")))
    assert third.deal["custom_fields"][products] == [41, 42]
    assert third.deal["custom_fields"][address] == {"value": "Main St 1"}


def test_a_converter_that_reads_other_cells_is_computed_per_row(catalog: Catalog) -> None:
    """The same amount text with another currency column is another value (a monetary
    field's currency_column: its result is never remembered by the amount alone)."""
    m = mapper(catalog)
    contract = "m" * 40
    eur = m.map(SourceRow(2, 2, values(id="K-1", **{"Contract Currency": "EUR"})))
    usd = m.map(SourceRow(3, 3, values(id="K-2", **{"Contract Currency": "USD"})))
    assert eur.deal["custom_fields"][contract] == {"value": 100, "currency": "EUR"}
    assert usd.deal["custom_fields"][contract] == {"value": 100, "currency": "USD"}


def test_a_remembered_refusal_names_each_row_and_its_column(catalog: Catalog) -> None:
    """A bad cell seen twice fails both rows, each with its own row number and column."""
    m = mapper(catalog)
    for n in (5, 9):
        with pytest.raises(InputError) as caught:
            m.map(SourceRow(n, n, values(id=f"K-{n}", Stage="Nowhere")))
        assert caught.value.row == n and caught.value.column == "Stage"
        assert "Nowhere" in caught.value.reason


def test_marks_learned_after_rows_were_mapped_decide_the_next_rows(catalog: Catalog) -> None:
    """A cell mapped before the file's decimal marks were learned is read again by them
    afterwards, not as remembered: '1.500' is refused without evidence, 1500 once the
    column showed ',' as its decimal mark."""
    m = mapper(catalog)
    ambiguous = SourceRow(2, 2, values(Amount="1.500"))
    with pytest.raises(InputError, match="ambiguous number"):
        m.map(ambiguous)
    m.learn_marks([ambiguous, SourceRow(3, 3, values(Amount="2,5"))])
    assert m.map(ambiguous).deal["value"] == 1500
    m.use_decimal_marks({"value": {".": "2.5"}})
    assert m.map(ambiguous).deal["value"] == 1.5


def test_learning_stops_once_every_column_showed_both_marks(catalog: Catalog) -> None:
    """learn_marks reads no further once each decimal = "auto" column has shown both
    marks (nothing later can change its decision); its evidence is the first cells.
    (With a default currency: without one, the whole file is read for an amount column
    naming a currency in some rows only: test_mixed_currency.)"""
    m = compile_mapping(Mapping.loads(MAPPING + '[defaults]\ncurrency = "EUR"\n'), catalog,
                        header=list(values()))
    numeric = [c for c in ("value", "m" * 40) if c in m.decimal_marks()]
    shown = [values(Amount="1.234,5", Contract="1.234,5"),
             values(Amount="2,345.5", Contract="2,345.5")]

    def rows() -> Iterator[SourceRow]:
        for n, cells in enumerate(shown, 2):
            yield SourceRow(n, n, cells)
        raise AssertionError("read past the rows that decided every column")

    marks = m.learn_marks(rows())
    assert numeric and all(marks[c] == {",": "1.234,5", ".": "2,345.5"} for c in numeric)


def test_learning_reads_the_whole_file_while_a_mark_is_missing(catalog: Catalog) -> None:
    """A column that showed one mark only is read to the end (a later cell may show the
    other): the evidence names the cell of the last row."""
    m = mapper(catalog)
    rows = [SourceRow(n, n, values(Amount="2,5")) for n in range(2, 50)]
    rows.append(SourceRow(50, 50, values(Amount="1,234.50")))
    assert m.learn_marks(rows)["value"] == {",": "2,5", ".": "1,234.50"}


def _clean_text_afresh(value: str) -> str | None:
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return check_control(_SPACES.sub(" ", text).strip()) or None


# ASCII, with whitespace and control characters often (runs of spaces inside, tabs...)
ASCII = st.text(alphabet=st.one_of(st.sampled_from("  \t\x1fAb"),
                                   st.characters(max_codepoint=0x7F)), max_size=12)


@given(ASCII)
@example("  Big  deal ")
@example("a   b\x00")
def test_clean_text_of_ascii_is_the_full_cleaning(text: str) -> None:
    """clean_text's ASCII fast path gives what NFC, the invisible characters, the
    whitespace collapse and the control-character check give (or the same refusal)."""
    try:
        expected: str | None = _clean_text_afresh(text)
    except InputError as exc:
        with pytest.raises(InputError, match="control character") as caught:
            tf.clean_text(text)
        assert caught.value.reason == exc.reason
        return
    assert tf.clean_text(text) == expected


@given(ASCII)
@example(" Closed  Won ")
def test_norm_key_of_ascii_is_the_full_key(text: str) -> None:
    """norm_key's fast path gives the key NFC, the whitespace collapse and casefold give."""
    expected = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()
    assert tf.norm_key(text) == expected


@pytest.mark.parametrize("cell", ["JO@ACME.TEST", "Jo Doe <jo@acme.test>", "jo@@acme..test",
                                  "mailto:Jo@Acme.test", "jo@acme"])
def test_an_e_mail_verdict_is_the_same_the_second_time(cell: str) -> None:
    """normalize_email gives a cell it saw the same address, or the same refusal, as the
    first time (when email-validator judged it)."""
    def verdict() -> str | None:
        try:
            return tf.normalize_email(cell)
        except InputError as exc:
            return f"refused: {exc.reason}"
    contacts._VALIDATED.clear()
    first = verdict()
    assert contacts._VALIDATED  # remembered
    assert verdict() == first


def _validated_whole(email: str) -> str:
    """email-validator's reading of a whole address, as normalize_email takes it."""
    try:
        return str(validate_email(
            email, check_deliverability=False, allow_smtputf8=True, allow_quoted_local=False,
            test_environment=True).normalized)
    except EmailNotValidError as exc:
        return f"refused: {exc}"


_LOCAL = st.from_regex(r"\A[A-Za-z0-9_+.-]{1,70}\Z")
_DOMAIN = st.one_of(
    st.from_regex(r"\A[A-Za-z0-9-]{1,12}(\.[A-Za-z0-9-]{1,12}){0,3}\Z"),
    st.sampled_from(["example.com", "localhost", "x.local", "x.invalid", "acme.test",
                     "a.b.onion", "x.123", "-x.com", "x-.com", "xn--mller-kva.de", "x." + "a" * 64,
                     "acme", "home.arpa", ".com", "x..com", "example.com." + "a" * 250]))


@given(_LOCAL, _DOMAIN)
@example("postmaster", "example.com")
@example("a" * 65, "example.com")
@example("a" * 60, "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".com")
@example("a" * 64, "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".com")
@example("jo.", "acme.test")
@example("Ann.Smith", "Example.COM")
@example(".jo", "acme.test")
def test_an_e_mail_verdict_by_its_domain_is_the_whole_verdict(local: str, domain: str) -> None:
    """An address checked by its domain's verdict (a plain local part) is read exactly as
    email-validator reads the whole address: the same address, or a refusal."""
    email = f"{local}@{domain}"
    contacts._VALIDATED.clear()  # (a domain's verdict may be remembered: it must agree)
    try:
        got = tf.normalize_email(email)
    except InputError as exc:
        got = "refused: " + exc.reason.split(" (", 1)[1][:-1]
    assert got == _validated_whole(email)


def test_plain_addresses_of_one_domain_are_validated_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's plain addresses of one domain cost one email-validator call, not one each
    (issue 8: ~60 µs an address, for every person of a file)."""
    calls: list[str] = []

    def counted(email: str, **options: Any) -> Any:
        calls.append(email)
        return validate_email(email, **options)
    monkeypatch.setattr(contacts, "validate_email", counted)
    contacts._VALIDATED.clear()
    got = [tf.normalize_email(f"Person.{n}@Once.Example.ORG") for n in range(200)]
    assert got == [f"Person.{n}@once.example.org" for n in range(200)]
    assert len(calls) == 1


class _Text(str):
    """A str that is not exactly ``str``: read by the general path, not the fast one."""


AMOUNTS = st.one_of(
    ASCII,
    st.from_regex(r"\A[ ($€£-]{0,2}[0-9]{1,3}([ ,.'][0-9]{3}){0,3}([.,][0-9]{1,3})?"
                  r"[ )%-]{0,2}( ?(EUR|usd|\$|kr))?\Z"))


@given(AMOUNTS)
@example(" 1,234.50  EUR ")
@example("\u200b")
@example("10 %")
def test_parse_money_of_text_reads_as_any_cell_does(text: str) -> None:
    """parse_money's path for a plain str gives what its path for any other cell gives:
    the same Money, None, or the same refusal."""
    def read(cell: object) -> object:
        try:
            return tf.parse_money(cell, prefer="USD")
        except InputError as exc:
            return exc.reason
    assert read(text) == read(_Text(text))


def test_a_memo_stays_bounded_and_keeps_its_newer_half() -> None:
    """However many texts a column has, a step remembers at most _STEP_MEMO_LIMIT of them;
    when full it forgets the older half, so the newest stay."""
    from jobs.mapping import steps

    limit = steps._STEP_MEMO_LIMIT
    memo: dict[object, object] = {}
    for n in range(3 * limit + 7):
        steps._remember(memo, f"cell {n}", n)
        assert len(memo) <= limit
    last = 3 * limit + 6
    assert memo[f"cell {last}"] == last and f"cell {last - limit // 2}" in memo
    assert "cell 0" not in memo


def test_two_names_are_compared_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a row's name is another name than its person's is read once per pair of
    names, not on every row that names the person again (issue 8)."""
    from jobs import import_rows

    calls: list[str] = []
    words = import_rows._name_words

    def counted(name: str) -> list[str]:
        calls.append(name)
        return words(name)
    monkeypatch.setattr(import_rows, "_name_words", counted)
    answers = {import_rows._other_names("Ann Q. Memo-Lee", "Bea Memo-Lee") for _ in range(50)}
    assert answers == {True}
    assert len(calls) == 2


def test_the_text_around_an_amount_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The currency and signs around a number are read once per text and default currency,
    not for every amount of a column that writes them alike (issue 8); same amounts."""
    from jobs.transforms import currency

    calls: list[str] = []
    token = currency._currency_token

    def counted(text: str, default: str | None) -> tuple[str | None, tuple[str, ...]]:
        calls.append(text)
        return token(text, default)
    monkeypatch.setattr(currency, "_currency_token", counted)
    got = [tf.parse_money(f"GBP {n},250.50", prefer="XAG") for n in range(1, 41)]
    assert [(m.amount, m.currency) for m in got if m is not None] == [
        (Decimal(f"{n}250.50"), "GBP") for n in range(1, 41)]
    assert calls == ["GBP"]


def test_a_date_columns_pattern_families_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The learning pass asks a date column whether both orders were seen for every row: the
    families of its patterns are worked out when the column's order record is made, not
    at each ask (issue 8); the answer is the same."""
    from jobs.transforms import date_order

    calls: list[str] = []
    family = date_order.order_family

    def counted(pattern: str) -> str:
        calls.append(pattern)
        return family(pattern)
    monkeypatch.setattr(date_order, "order_family", counted)
    order = date_order.DateOrder(["%d/%m/%Y", "%d.%m.%y", "%Y-%m-%d"])
    made = len(calls)
    order.start()
    assert [order.seen for _ in range(50)] == [{}] * 50
    assert order.families == {"%D/%D/%Y", "%D.%D.%Y", "%Y-%D-%D"}
    assert len(calls) == made <= 3


def test_a_person_name_is_keyed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person name asked for its match key again (every row naming the person asks it
    several times) is read once (issue 8); the key is the same as a fresh reading's."""
    calls: list[str] = []
    order = contacts._name_order

    def counted(key: str) -> str:
        calls.append(key)
        return order(key)
    monkeypatch.setattr(contacts, "_name_order", counted)
    # names no other test keys (a key read before this test would be remembered already)
    names = ["Smith-Memo, Johan", "Dr. Lee-Memo Kim", "Zoë Memo-Kowalski"]
    keys = [contacts.name_match_key(name) for _ in range(30) for name in names]
    assert keys == ["johan smith-memo", "lee-memo kim", "zoe memo-kowalski"] * 30
    assert len(calls) == len(names)


class _EveryFirst:
    """Stands for ``text._KEY_RECHECKED`` holding every first character: no key skips the
    full reading."""

    def __contains__(self, item: object) -> bool:
        return True


def _key_reading(cell: str) -> str | None:
    try:
        return tf.source_key(cell)
    except InputError as exc:
        return f"refused: {exc.reason}"


KEYS = st.one_of(ASCII, st.from_regex(r"\A[ A-Za-z#-]{0,3}[0-9EeRr:.,' -]{0,12}\Z"))


@given(KEYS)
@example("HS-100042")
@example(" 1001.0 ")
@example("1,001")
@example("1.23457E+15")
@example("#N/A")
@example("Err:502")
@example("err:502")
@example("-")
@example("A  B")
def test_source_key_of_plain_ascii_is_the_full_reading(cell: str) -> None:
    """source_key's fast path for printable ASCII keys gives what its full reading (every
    refusal checked, whole_key) gives: the same key, None, or the same refusal."""
    from unittest import mock

    from jobs.transforms import text

    fast = _key_reading(cell)
    with mock.patch.object(text, "_KEY_RECHECKED", _EveryFirst()):
        assert _key_reading(cell) == fast


def test_a_plain_key_is_read_without_the_number_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key that starts with a letter (``HS-100042``: most keys) is read without the checks
    only a number or an error value can fail (a key is read on each of the file's passes:
    issue 8); one that starts with a digit is still checked."""
    from jobs.transforms import text

    calls: list[str] = []
    check = text.is_spreadsheet_error

    def counted(cell: str) -> bool:
        calls.append(cell)
        return check(cell)
    monkeypatch.setattr(text, "is_spreadsheet_error", counted)
    assert [tf.source_key(f" HS-{n} ") for n in range(50)] == [f"HS-{n}" for n in range(50)]
    assert calls == []
    assert tf.source_key("1001.0") == "1001" and calls == ["1001.0"]


def _raw_reading(source: Any, values: dict[str, Any]) -> object:
    try:
        return source(values)
    except InputError as exc:
        return f"refused: {exc.reason}"


CELLS = st.one_of(ASCII, st.text(max_size=10), st.sampled_from(
    ["#N/A", " #REF! ", "Err:502", "####", "a#b", "  ", "\u200b", "N/A", "x" * 12 + "#"]))


@given(CELLS, st.booleans(), st.booleans())
@example("#N/A", False, False)
@example("  ", True, False)
@example("  ", False, True)
def test_a_plain_columns_filled_text_cell_is_read_as_the_general_path_reads_it(
        cell: str, required: bool, default: bool) -> None:
    """A plain column's source (no template, marker or allowed list) gives a text cell the
    raw value, default or refusal the general reading gives (its fast path, issue 8)."""
    from jobs.mapping.spec import FieldSpec
    from jobs.mapping.steps import _Source

    spec = FieldSpec(column="C", required=required,
                     default="dflt" if default and not required else None)
    fast, full = _Source("deal.x", spec), _Source("deal.x", spec)
    full._plain = False
    assert fast._plain
    assert _raw_reading(fast, {"C": cell}) == _raw_reading(full, {"C": cell})


def test_a_filled_text_cell_is_read_without_the_blank_and_error_checks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain column's filled text cell is its raw value without a call to the empty or
    spreadsheet-error checks (every step of every row reads one: issue 8); a cell that
    may be an error value is still checked, and refused."""
    import jobs.transforms as transforms
    from jobs.mapping.spec import FieldSpec
    from jobs.mapping.steps import _Source

    calls: list[object] = []
    check = transforms.not_excel_error

    def counted(value: object) -> None:
        calls.append(value)
        check(value)
    monkeypatch.setattr(transforms, "not_excel_error", counted)
    source = _Source("deal.x", FieldSpec(column="C"))
    assert [source({"C": f"cell {n}"}) for n in range(50)] == [f"cell {n}" for n in range(50)]
    assert calls == []
    assert _raw_reading(source, {"C": "#N/A"}).startswith("refused: '#N/A' is the error")
    assert calls == ["#N/A"]


def test_a_row_whose_person_the_file_gives_nothing_more_is_not_compared_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A row's person that the file's other rows give no e-mail or phone more (it is its own
    file identity) borrows nothing: decided without comparing its addresses and phones to
    themselves (issue 8: every row did); a row that does borrow still says what."""
    from jobs import import_rows
    from tests.test_person_identity import decide_all, planner, rows_of

    calls: list[object] = []
    borrowed = import_rows._borrowed

    def counted(own: Any, joined: Any) -> list[str]:
        calls.append(own)
        return borrowed(own, joined)
    monkeypatch.setattr(import_rows, "_borrowed", counted)
    alone = [{"contact": f"Ann Memo{n}", "email": f"ann{n}@memo.test"} for n in range(20)]
    got = decide_all(planner(), rows_of(alone))
    assert all("borrowed" not in ref for ref in got.values())
    assert calls == []
    pair = [{"contact": "Bo Memo", "email": "bo@memo.test", "phone": "+1 378 759 3681"},
            {"contact": "Bo Memo", "phone": "+1 378 759 3681"}]
    got = decide_all(planner(), rows_of(pair))
    assert got["K3"]["borrowed"] == ["bo@memo.test"]
