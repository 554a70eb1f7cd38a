"""Value parsers: money, dates, numbers, statuses, e-mails, phones, organisation names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulk.errors import InputError
from jobs import transforms as tf

D = Decimal

MONEY = [
    # (cell, default currency, amount, currency)
    ("$1,234.50", None, D("1234.50"), "USD"),
    ("1.234,50 €", None, D("1234.50"), "EUR"),
    ("1 234,50", "EUR", D("1234.50"), "EUR"),
    ("1\u00a0234,50\u00a0€", None, D("1234.50"), "EUR"),  # no-break spaces (French Excel)
    ("1\u202f234,50", None, D("1234.50"), None),  # narrow no-break space
    ("1,234", None, D("1234"), None),  # a single comma + 3 digits groups thousands
    ("0,123", None, D("0.123"), None),  # ... unless the integer part is 0
    ("12,5", None, D("12.5"), None),
    ("1.234", None, D("1.234"), None),  # a single dot is always the decimal mark
    ("-12.5", None, D("-12.5"), None),
    ("(12.50)", None, D("-12.50"), None),  # accounting negative
    ("($1,000.00)", None, D("-1000.00"), "USD"),
    ("€ (1,234.50)", None, D("-1234.50"), "EUR"),  # Excel Accounting as text (v10r17)
    ("$ (5.00)", None, D("-5.00"), "USD"),
    ("+5", None, D("5"), None),
    ("12.50-", None, D("-12.50"), None),  # trailing minus (SAP exports)
    ("\u221212.50", None, D("-12.50"), None),  # unicode minus sign
    ("$-12.50", None, D("-12.50"), "USD"),
    ("-$12.50", None, D("-12.50"), "USD"),
    ("USD 1,000", None, D("1000"), "USD"),
    ("1,000 usd", None, D("1000"), "USD"),
    ("EUR1.000,00", None, D("1000.00"), "EUR"),
    ("€1.000.000", None, D("1000000"), "EUR"),
    ("1,234,567.89", None, D("1234567.89"), None),
    ("1.234.567,89", None, D("1234567.89"), None),
    ("12,34,567.00", None, D("1234567.00"), None),  # Indian grouping
    ("1'234.50", None, D("1234.50"), None),  # Swiss
    ("CHF 1'000.-", None, D("1000"), "CHF"),  # Swiss "no cents"
    ("1.000,-- €", None, D("1000"), "EUR"),
    ("£99", None, D("99"), "GBP"),
    ("¥5000", None, D("5000"), "JPY"),
    ("₹1,00,000", None, D("100000"), "INR"),
    ("R$ 1.500,00", None, D("1500.00"), "BRL"),
    ("CA$20", None, D("20"), "CAD"),
    ("$20", "CAD", D("20"), "CAD"),  # "$" means the default when it is a dollar
    ("$20", "EUR", D("20"), "USD"),  # ... and USD otherwise
    ("100 kr", "SEK", D("100"), "SEK"),
    ("100 zł", None, D("100"), "PLN"),
    ("1234", "EUR", D("1234"), "EUR"),
    ("1234.5", None, D("1234.5"), None),
    (".5", None, D("0.5"), None),
    ("1E+06", None, D("1E+6"), None),  # what Excel writes for big numbers
    (1500, "USD", D("1500"), "USD"),  # JSONL numbers
    (12.25, None, D("12.25"), None),
]


@pytest.mark.parametrize(("cell", "default", "amount", "currency"), MONEY)
def test_parse_money(cell: object, default: str | None, amount: Decimal,
                     currency: str | None) -> None:
    """Each written form of an amount parses to its value and currency."""
    money = tf.parse_money(cell, default_currency=default)
    assert money == tf.Money(amount, currency)
    assert money is not None and money.amount == amount


@pytest.mark.parametrize("cell", ["", "   ", None, "\u00a0"])
def test_parse_money_empty(cell: object) -> None:
    """Only blank cells are no amount; markers are the mapping's empty_values."""
    assert tf.parse_money(cell) is None


@pytest.mark.parametrize("cell", ["-", "--", "N/A", "n/a", "null", "NaN", "nan", "TBD",
                                  "Infinity", float("nan"), float("inf")])
def test_parse_money_marker_is_an_error(cell: object) -> None:
    """A 'no value' marker is never silently dropped (issue 10 section 5)."""
    with pytest.raises(InputError, match="not"):
        tf.parse_money(cell)


MONEY_ERRORS = [
    ("abc", "not an amount: 'abc'"),
    ("12abc", "unknown currency 'abc'"),
    ("1,2,3", "bad digit grouping"),
    ("1.234.56", "bad digit grouping"),
    ("12 34", "bad digit grouping"),
    ("1.23.456", "bad digit grouping"),  # lakh grouping is written with commas only
    ("1 23 456", "bad digit grouping"),
    ("12'34'567", "bad digit grouping"),
    ("€100 USD", "two currencies: EUR and USD"),
    ("--5", "more than one minus sign"),
    ("+-5", "more than one sign"),  # v10r17: read as -5
    ("++5", "more than one sign"),
    ("(€ (5))", "unknown currency"),
    ("100 kr", "ambiguous currency 'kr': set a default currency"),
    ("1,234.567.89", "not an amount"),
    (True, "expected an amount, got a boolean"),
    ({"a": 1}, "expected an amount, got an object"),
]


@pytest.mark.parametrize(("cell", "message"), MONEY_ERRORS)
def test_parse_money_errors(cell: object, message: str) -> None:
    """A cell that is not an amount fails with a reason a person can act on."""
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("$", r"\$")):
        tf.parse_money(cell)


@pytest.mark.parametrize(("cell", "kwargs", "message"), [
    ("$1.5M", {}, "'M' after the number is a magnitude"),
    ("USD 2.3k", {}, "'k' after the number is a magnitude"),
    ("4 Mio.", {}, "'Mio.' after the number is a magnitude"),
    ("1.250.000", {"decimal": "."}, "'.' is this field's decimal mark (decimal = \".\") and "
     "stands more than once"),
])
def test_amounts_people_write_say_why_they_are_refused(cell: str, kwargs: dict[str, str],
                                                       message: str) -> None:
    """x10r1: "$1.5M" failed as "unknown currency 'M'", and "1.250.000" under decimal = "."
    with no reason at all."""
    with pytest.raises(InputError) as info:
        tf.parse_money(cell, **kwargs)  # type: ignore[arg-type]
    assert message in info.value.reason


def test_a_number_that_is_none_says_number_not_amount() -> None:
    """x10r1: a probability's "n/a" was "not an amount"; a no-value marker is named as one."""
    with pytest.raises(InputError) as info:
        tf.parse_number("n/a")
    assert info.value.reason == ("not a number: 'n/a' (a marker for no value? list it in "
                                 "defaults.empty_values)")
    with pytest.raises(InputError) as info:
        tf.parse_number("fifty")
    assert info.value.reason == "not a number: 'fifty'"
    with pytest.raises(InputError) as info:
        tf.parse_number("12 pcs")
    assert info.value.reason == "not a number: '12 pcs' (text beside the number: 'pcs')"


def test_forced_decimal_mark() -> None:
    """decimal=',' makes '.' a grouping mark; decimal='.' makes ',' one."""
    assert tf.parse_number("1.234", decimal=",") == D("1234")
    assert tf.parse_number("1.234,5", decimal=",") == D("1234.5")
    assert tf.parse_number("1,234", decimal=".") == D("1234")
    with pytest.raises(InputError, match="bad digit grouping"):
        tf.parse_number("1,5", decimal=".")
    with pytest.raises(InputError, match="has a currency"):
        tf.parse_number("$5")


def test_json_number_types() -> None:
    """Amounts become ints when whole, floats otherwise — never strings."""
    assert tf.json_number(D("1234.00")) == 1234 and isinstance(tf.json_number(D("1234.00")), int)
    assert tf.json_number(D("1234.5")) == 1234.5
    assert isinstance(tf.json_number(D("1E+6")), int)


DATES = [
    ("03/04/2024", ["%m/%d/%Y"], "2024-03-04"),
    ("03/04/2024", ["%d/%m/%Y"], "2024-04-03"),
    ("03/04/2024", ["%m/%d/%Y", "%d/%m/%Y"], "2024-03-04"),  # ambiguous: first listed wins
    ("13/04/2024", ["%m/%d/%Y", "%d/%m/%Y"], "2024-04-13"),  # only the second fits
    ("3/4/2024", ["%m/%d/%Y"], "2024-03-04"),  # no zero padding
    ("31.12.2025", ["%d.%m.%Y"], "2025-12-31"),
    ("2024-02-29", [], "2024-02-29"),  # ISO always works
    ("2024-02-29", ["%d.%m.%Y"], "2024-02-29"),
    ("20240229", ["%Y%m%d"], "2024-02-29"),  # basic form only when listed
    ("2024-02-29T10:30:00Z", [], "2024-02-29"),  # ISO date-time: its date
    ("2024-02-29 10:30:00", [], "2024-02-29"),
    ("Mar 4, 2024", ["%b %d, %Y"], "2024-03-04"),
    ("04-Mar-24", ["%d-%b-%y"], "2024-03-04"),
    ("  12/31/2024 ", ["%m/%d/%Y"], "2024-12-31"),
]


@pytest.mark.parametrize(("cell", "formats", "expected"), DATES)
def test_parse_date(cell: str, formats: list[str], expected: str) -> None:
    """Dates parse with the listed formats in order, then ISO, to YYYY-MM-DD."""
    assert tf.parse_date(cell, formats) == expected


@pytest.mark.parametrize(("cell", "formats", "message"), [
    ("31/31/2024", ["%m/%d/%Y", "%d/%m/%Y"],
     "not a date: '31/31/2024' (tried %m/%d/%Y, %d/%m/%Y, ISO (YYYY-MM-DD))"),
    ("2023-02-29", [], "not a date: '2023-02-29'"),
    ("soon", ["%d.%m.%Y"], "not a date: 'soon'"),
    ("45321", [], "not a date: '45321'"),  # an Excel serial number is not guessed
])
def test_parse_date_errors(cell: str, formats: list[str], message: str) -> None:
    """A cell that is no date in any format names the formats it tried."""
    with pytest.raises(InputError) as info:
        tf.parse_date(cell, formats)
    assert message in info.value.reason


def test_parse_date_empty() -> None:
    """An empty cell is no date, not an error."""
    assert tf.parse_date("  ", ["%d.%m.%Y"]) is None and tf.parse_date(None) is None


@pytest.mark.parametrize(("cell", "expected"), [
    ("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), ("on", True),
    ("no", False), ("n", False), ("False", False), ("0", False), ("off", False),
    (True, True), (0, False), ("", None), (None, None),
])
def test_parse_bool(cell: object, expected: bool | None) -> None:
    """Booleans accept the usual spellings."""
    assert tf.parse_bool(cell) is expected


def test_parse_bool_error() -> None:
    """Anything else is an error."""
    with pytest.raises(InputError, match="not a yes/no value: 'maybe'"):
        tf.parse_bool("maybe")


@pytest.mark.parametrize(("cell", "expected"), [
    ("1,234", 1234), ("12.0", 12), (" 7 ", 7), (42, 42), ("", None),
])
def test_parse_int(cell: object, expected: int | None) -> None:
    """Integers accept grouping and a zero fraction."""
    assert tf.parse_int(cell) == expected


def test_parse_int_error() -> None:
    """A fraction is not an integer."""
    with pytest.raises(InputError, match="not a whole number"):
        tf.parse_int("12.5")


@pytest.mark.parametrize(("cell", "expected"), [
    ("75", 75), ("75%", 75), ("12.5 %", 12.5), (0, 0), ("100", 100), ("0.75", 0.75), ("", None),
])
def test_parse_probability(cell: object, expected: float | None) -> None:
    """Probability is a percentage 0-100; a fraction is not scaled."""
    assert tf.parse_probability(cell) == expected


@pytest.mark.parametrize("cell", ["101", "-5", "150%"])
def test_parse_probability_range(cell: str) -> None:
    """Out of 0-100 is an error."""
    with pytest.raises(InputError, match="between 0 and 100"):
        tf.parse_probability(cell)


@pytest.mark.parametrize("cell", ["%", " % ", "\u00a0%", "%%"])
def test_parse_probability_percent_sign_alone(cell: str) -> None:
    """A "%" without a number is a row error, as in a value, never an empty probability
    (fresh tester v10r9 S5)."""
    with pytest.raises(InputError, match=r"not a(n amount| number)"):
        tf.parse_probability(cell)


def test_status_maps() -> None:
    """Statuses map case-insensitively; '*' catches the rest; built-ins cover CRM exports."""
    vmap = tf.ValueMap({"Closed Won": "won", "Closed Lost": "lost", "*": "open"})
    assert tf.parse_status("closed  WON", vmap) == "won"
    assert tf.parse_status("Negotiation", vmap) == "open"
    assert tf.parse_status("Won", vmap) == "won"  # the fallback never hides a real status
    assert tf.parse_status("closedwon") == "won"
    assert tf.parse_status("LOST") == "lost"
    assert tf.parse_status("") is None
    with pytest.raises(InputError, match="unknown status 'Pending'"):
        tf.parse_status("Pending")


def test_text_cleaning() -> None:
    """One-line text collapses whitespace; long text keeps its layout, edges trimmed."""
    assert tf.clean_text("  Big\t deal\r\n  2024\u200b ") == "Big deal 2024"
    assert tf.clean_text("   ") is None
    assert tf.clean_multiline(" a  b \r\n\r\n c\r") == "a  b \n\n c"
    assert tf.split_list("CRM; email ;;CRM") == ["CRM", "email"]
    assert tf.split_list(["a", "b"]) == ["a", "b"]


@pytest.mark.parametrize(("cell", "expected"), [
    (" John.Doe@Example.COM ", "John.Doe@example.com"),
    ("mailto:a@b.io", "a@b.io"),
    ("John Doe <JD@x.org>", "JD@x.org"),
    ("Doe, John <jd@x.org>", "jd@x.org"),
    # x10r1: HubSpot's "Associated Contact" writes the name, then the address in brackets
    ("Anna Müller (anna@firma.example)", "anna@firma.example"),
    ("anna@firma.example (Anna Müller)", "anna@firma.example"),
    # x10r4: HubSpot's cell for a deal with two contacts
    ("Ann Lee (ann@initech.example);Bob Stone (bob@initech.example)", "ann@initech.example"),
    ("Doe, John <jd@x.org>, Smith, Ann <as@x.org>", "jd@x.org"),
    ("a@b.io; c@d.io", "a@b.io"),
    ("MAILTO:A@B.io", "A@b.io"),
    ("", None),
    # v10r6 s13, x19r3 F1, f32e: the local part is written as the file writes it (their
    # letters of every script, in their case), the domain lower-cased
    ("\u0130lker.Y\u0131lmaz@Example.com.tr", "\u0130lker.Y\u0131lmaz@example.com.tr"),
    ("J\u00f6rg@Example.de", "J\u00f6rg@example.de"),
    ("OLGA.GARC\u00cdA.10@EXAMPLE.COM", "OLGA.GARC\u00cdA.10@example.com"),
    # email-validator's reading of the domain: Unicode form of an IDNA domain
    ("Ann@xn--bcher-kva.DE", "Ann@b\u00fccher.de"),
])
def test_normalize_email(cell: str, expected: str | None) -> None:
    """E-mails are trimmed and unwrapped, their domain lower-cased and their local part
    kept as written (f32e); the first of a list is kept."""
    assert tf.normalize_email(cell) == expected


@pytest.mark.parametrize(("local", "expected"), [
    ("\u00c9MILE", "\u00e9mile"),                        # É
    ("\u00d1AND\u00da", "\u00f1and\u00fa"),            # Ñ, Ú
    ("\u00d8RSTED", "\u00f8rsted"),                      # Ø
    ("\u0416\u0410\u041d\u041d\u0410", "\u0436\u0430\u043d\u043d\u0430"),  # ЖАННА
    ("\u03a9MEGA", "\u03c9mega"),                        # Ω
    ("\u0130LKER", "\u0130lker"),                        # İ: its lower case is i + U+0307
    ("STRA\u00dfE", "stra\u00dfe"),                      # ß stays, never "ss"
    ("STRA\u1e9eE", "stra\u00dfe"),                      # ẞ: ß
    # Σ: final ς at the end of a word, else the middle sigma U+03C3, as Greek writes it
    ("\u03a3\u039f\u03a6\u0399\u0391\u03a3", "\u03c3\u03bf\u03c6\u03b9\u03b1\u03c2"),
    ("\u03a3\u039f\u03a6\u0399\u0391\u03a3.10", "\u03c3\u03bf\u03c6\u03b9\u03b1\u03c2.10"),
    ("\u03a3.\u03a0", "\u03c3.\u03c0"),
    ("\u03c3\u03bf\u03c6\u03b9\u03b1\u03c2", "\u03c3\u03bf\u03c6\u03b9\u03b1\u03c2"),
])
def test_an_email_of_every_script_is_written_as_is_and_keyed_lower(local: str,
                                                                    expected: str) -> None:
    """f32e: the address is written with its local part as the file writes it (before, it
    was lower-cased: Pipedrive keeps what it is given); its match key (``email_key``) is
    the one of its lower-case spelling (x19r3 F1: one key for both): İ is kept, ß is never
    ``ss``, the sigmas are one."""
    written = tf.normalize_email(f"{local}@Example.COM")
    assert written == f"{local}@example.com"
    assert tf.email_key(written) == tf.email_key(f"{expected}@example.com")


@pytest.mark.parametrize("cell", ["john", "john@", "@x.com", "a@b", "a b@c.com", "a@b..com"])
def test_normalize_email_invalid(cell: str) -> None:
    """An address without a valid shape is an error."""
    with pytest.raises(InputError, match="not an e-mail address"):
        tf.normalize_email(cell)


@pytest.mark.parametrize(("cell", "expected"), [
    ("+1 (555) 123-4567", "+15551234567"),
    ("0049 30 1234567", "+49301234567"),
    ("030/1234567", "0301234567"),
    ("+44 20 7946 0958 ext. 12", "+442079460958 ext. 12"),
    ("555.123.4567 x9", "5551234567 ext. 9"),
    (4915112345678, "4915112345678"),
])
def test_normal_phone(cell: object, expected: str) -> None:
    """A phone's normal form (for comparing) keeps digits and a leading +; 00 becomes +;
    extensions survive."""
    assert tf.normal_phone(cell) == expected


@pytest.mark.parametrize(("cell", "expected"), [
    ("+49 30 1031676", "+49 30 1031676"), ("  +1 (555) 123-4567 ", "+1 (555) 123-4567"),
    ("+49 (0)30  1234567", "+49 (0)30 1234567"), (4915112345678, "4915112345678"),
    ("555.123.4567 x9", "555.123.4567 x9"),
])
def test_clean_phone_keeps_the_source_formatting(cell: object, expected: str) -> None:
    """x31r1 5: the phone sent is the cell as written, trimmed (Pipedrive stores a phone as
    given; before: ``+49301031676``), once it reads as a phone number."""
    assert tf.clean_phone(cell) == expected


@pytest.mark.parametrize(("cell", "message"), [
    ("call me", "not a phone number"), ("123", "3 digits"), ("+1 555 +2", "not a phone"),
])
def test_clean_phone_invalid(cell: str, message: str) -> None:
    """Letters, too few or too many digits are errors."""
    with pytest.raises(InputError, match=message):
        tf.clean_phone(cell)


@pytest.mark.parametrize(("name", "key"), [
    ("Acme, Inc.", "acme inc"), ("ACME Inc", "acme inc"), ("acme", "acme"),
    ("Acme Incorporated", "acme inc"),
    ("Müller GmbH & Co. KG", "muller gmbh co kg"), ("Nokia Oyj", "nokia oyj"),
    ("Volvo AB", "volvo ab"), ("Foo S.A.", "foo sa"), ("Bar sp. z o.o.", "bar sp zoo"),
    ("The Smith & Co", "smith co"), ("Maersk A/S", "maersk as"),
    ("Grupo Bimbo S.A. de C.V.", "grupo bimbo sa de cv"),
    ("Tesco PLC", "tesco plc"), ("Johnson & Johnson", "johnson and johnson"),
    ("AB", "ab"), ("Acme Zoo", "acme zoo"), ("Société Générale S.A.", "societe generale sa"),
])
def test_org_match_key(name: str, key: str) -> None:
    """Organisation names compare without case, accents or punctuation; the legal form
    is kept, spelled one way (issue 9 section 7)."""
    assert tf.org_match_key(name) == key


@pytest.mark.parametrize(("one", "other"), [
    ("ハス株式会社", "バス株式会社"), ("パス株式会社", "バス株式会社"), ("ガス", "カス"),  # dakuten
    ("ООО Май", "ООО Маи"),  # noqa: RUF001  # Й is not И with a breve to drop
    ("ข้าว จำกัด", "ขาว จำกัด"),  # a Thai tone mark: rice vs white
    ("फ़रान", "फरान"),  # the Devanagari nukta
])
def test_org_match_key_keeps_the_marks_that_make_another_letter(one: str, other: str) -> None:
    """v10r9 S3: accents were stripped from every script, so different companies in
    Japanese, Russian, Thai or Hindi shared one organization. Only Latin and Greek
    letters lose their accents; in other scripts a mark makes another letter."""
    assert tf.org_match_key(one) != tf.org_match_key(other)


@pytest.mark.parametrize(("one", "other"), [
    ("ﾊﾞｽ株式会社", "バス株式会社"),  # half-width katakana: one company
    ("Ａｃｍｅ Inc", "Acme Inc."), ("Ελλάδα ΑΕ", "Ελλαδα ΑΕ"),  # noqa: RUF001
    ("Müller GmbH", "Muller GmbH"),
    # letters with a stroke, as ASCII exports write them (x9r6: two organizations)
    ("Ørsted A/S", "ORSTED A/S"), ("Łódź Logistics", "Lodz Logistics"),
    ("Đurić d.o.o.", "Duric d.o.o."), ("Ærø Shipping", "Aero Shipping"),  # x10r3
    ("ข้าว จำกัด", "ข้าว  จำกัด"),  # the marks stay in their word: spacing only differs
    ("Королёв ООО", "Королев ООО"), ("ЁЛКА ООО", "Елка ООО"),  # noqa: RUF001, RUF003  # x20r1 M4: ё = е
])
def test_org_match_key_still_folds_forms_of_the_same_name(one: str, other: str) -> None:
    assert tf.org_match_key(one) == tf.org_match_key(other)


def test_a_mark_with_no_letter_before_it_is_kept() -> None:
    """Found by the parsers' property test: a name starting with a combining mark (U+A8E0,
    U+0301) raised TypeError inside fold_accents."""
    from jobs.transforms.contacts import fold_accents

    assert fold_accents("\ua8e0x") == "\ua8e0x"
    assert tf.org_match_key("\u0301Acme") is not None


def test_template() -> None:
    """Templates fill columns, trim dangling separators, escape braces."""
    t = tf.Template("{Company} \u2013 {Deal Name}")
    assert t.columns == ["Company", "Deal Name"]
    assert t.render({"Company": "Acme", "Deal Name": " Big  deal "}) == "Acme \u2013 Big deal"
    assert t.render({"Deal Name": "Big deal"}) == "Big deal"
    assert t.render({"Company": "", "Deal Name": None}) is None
    assert tf.Template("{a} {{x}}").render({"a": "1"}) == "1 {x}"
    with pytest.raises(ValueError, match="unbalanced"):
        tf.Template("{a} }")


@pytest.mark.parametrize(("template", "values", "expected"), [
    ("{C} \u2013 {D}", {"C": "Acme", "D": "Phase 1 -"}, "Acme \u2013 Phase 1 -"),
    ("{C} \u2013 {D}", {"D": ": Intro"}, ": Intro"),
    ("{C} \u2013 {D}", {"D": "Deal |"}, "Deal |"),
    ("{C} \u2013 {D}", {"C": "-"}, "-"),
    ("{C} \u2013 {D}", {"C": "Acme", "D": "/ slash lead"}, "Acme \u2013 / slash lead"),
    ("{D} ({K})", {"D": "Price: 5/", "K": "k7"}, "Price: 5/ (k7)"),
    ("{D} ({K})", {"K": "k3"}, "(k3)"),
    ("Deal: {A} - {B}", {"B": "B"}, "Deal: B"),
    ("Deal: {A} - {B}", {"A": "A"}, "Deal: A"),
    ("{A} - {B} - {C}", {"A": "A", "C": "C"}, "A - C"),
])
def test_template_trims_only_its_own_separators(
        template: str, values: dict[str, str], expected: str) -> None:
    """Only separators the template writes around an empty column are trimmed; a cell's
    own leading or trailing '-', ':', '/', '|' is kept (v10r6 s14)."""
    assert tf.Template(template).render(values) == expected


# ---------------------------------------------------------------- round trips

def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


LOCALES = {  # (grouping, decimal mark)
    "en": (",", "."), "de": (".", ","), "fr": ("\u00a0", ","), "fr-narrow": ("\u202f", ","),
    "ch": ("'", "."), "plain": ("", "."), "plain-comma": ("", ","), "space": (" ", "."),
}


def _format(amount: Decimal, locale: str, places: int) -> str:
    group, mark = LOCALES[locale]
    text = f"{abs(amount):.{places}f}"
    whole, _, frac = text.partition(".")
    out = _group(whole, group) + (mark + frac if places else "")
    return ("-" if amount < 0 else "") + out


amounts = st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False)


@given(amount=amounts, locale=st.sampled_from(sorted(LOCALES)),
       symbol=st.sampled_from(["", "€", "EUR ", " EUR", "$", " USD"]))
def test_money_round_trip_with_cents(amount: Decimal, locale: str, symbol: str) -> None:
    """An amount written with cents in any locale, with any currency, parses back equal."""
    text = _format(amount, locale, 2)
    text = symbol + text if not symbol.startswith(" ") else text + symbol
    money = tf.parse_money(text, default_currency="EUR")
    assert money is not None
    assert money.amount == amount
    assert money.currency == ("USD" if "$" in symbol or "USD" in symbol else "EUR")


@given(amount=st.decimals(min_value=-10**9, max_value=10**9, places=0, allow_nan=False),
       locale=st.sampled_from(sorted(LOCALES)))
def test_money_round_trip_whole_with_hint(amount: Decimal, locale: str) -> None:
    """Whole amounts are ambiguous in auto mode ('1.234'); the locale's decimal mark fixes it."""
    decimal: tf.Decimal_ = "," if LOCALES[locale][1] == "," else "."
    assert tf.parse_number(_format(amount, locale, 0), decimal=decimal) == amount


@given(amount=st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_number_round_trip_plain(amount: Decimal) -> None:
    """str(Decimal) of a plain number parses back equal."""
    assert tf.parse_number(str(amount)) == amount


@given(st.dates())
def test_date_round_trip(day: object) -> None:
    """Any date formatted with a listed format parses back to its ISO form."""
    from datetime import date

    assert isinstance(day, date)
    for fmt in ("%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d"):
        if day.year >= 1000:
            assert tf.parse_date(day.strftime(fmt), [fmt],
                                 window=(1, 9999)) == day.isoformat()


@given(st.text(max_size=40))
def test_parsers_never_crash(text: str) -> None:
    """Arbitrary text either parses or raises InputError — nothing else."""
    for parse in (tf.parse_money, tf.parse_date, tf.parse_bool, tf.normalize_email,
                  tf.clean_phone, tf.org_match_key, tf.clean_text, tf.parse_probability):
        try:
            parse(text)
        except InputError:
            pass


def test_typed_cells_read_as_text_as_a_person_reads_them() -> None:
    """An XLSX date cell in a text field (a title) is its date, not '2026-01-02 00:00:00';
    a whole number stored as 1234.0 is '1234' (fresh tester v10r4 F7)."""
    import datetime as dt

    from jobs.transforms.text import clean_text

    assert clean_text(dt.datetime(2026, 1, 2)) == "2026-01-02"
    assert clean_text(dt.datetime(2026, 1, 2, 9, 30)) == "2026-01-02 09:30:00"
    assert clean_text(1234.0) == "1234" and clean_text(1234.5) == "1234.5"
    assert clean_text(2.0**60) == "1152921504606850000"  # beyond exact integers: 15 digits


@pytest.mark.parametrize("cell", ["0,125", "00,500", "-0,125", "0,125.5"])
def test_a_group_after_a_leading_zero_is_no_thousands_grouping(cell: str) -> None:
    """Under decimal = "." a comma is a thousands separator, but '0,125' is no grouping
    (a decimal comma): a row error, never 125 (fresh tester v10r5 finding 1)."""
    from bulk.errors import InputError
    from jobs.transforms import parse_money, parse_number

    for parse in (parse_money, parse_number):
        with pytest.raises(InputError, match="grouping"):
            parse(cell, decimal=".")
    assert parse_money("1,250", decimal=".").amount == 1250


def test_an_email_is_never_case_folded() -> None:
    """Case folding wrote grüße@ as grüsse@, another address: rows matched a person with the
    other one, and a new person got an address that was not the row's (fresh tester v10r5
    finding 10)."""
    from jobs.transforms import normalize_email

    assert normalize_email("Grüße@Example.de") == "Grüße@example.de"
    # written as the file writes it (f32e), ß never becomes ss
    assert normalize_email("GRÜSSE@example.de") == "GRÜSSE@example.de"
    assert normalize_email("MAILTO:Ann@Example.com") == "Ann@example.com"


@pytest.mark.parametrize(("cell", "text"), [
    (123456789012345678.0, "123456789012346000"), (1e21, "1E+21"), (0.000001234, "0.000001234"),
    (1234.0, "1234"), (1234567890123456.0, "1234567890123456"), (0.1 + 0.2, "0.3"),
    (-12.5, "-12.5"),
])
def test_a_number_cell_as_text_reads_as_excel_shows_it(cell: float, text: str) -> None:
    """v10r10 M5: an XLSX number cell read into a text field came out as Python writes a
    float (``1.234567890123457e+17``, ``1e+21``, ``1.234e-06``)."""
    assert tf.clean_text(cell) == text


@pytest.mark.parametrize(("written", "text"), [
    ("1e3", "1000"), ("2.5E-3", "0.0025"), ("-1.0e2", "-100"), ("12.500", "12.500"),
    ("1e400", "1e400"), ("0.1234567890123456789", "0.1234567890123456789"),
])
def test_a_json_number_as_text_has_no_exponent_a_person_would_not_write(
        written: str, text: str) -> None:
    """v10r15 note: a JSON ``1e3`` read into a text field stayed ``1e3``, where the float
    ``1000.0`` reads ``1000``; the exact digits are kept, only the exponent goes (within the
    range a person writes out)."""
    from bulk.manifest_json import JsonNumber

    assert tf.clean_text(JsonNumber(written)) == text


def test_a_title_of_only_invisible_characters_says_so() -> None:
    """v10r16 cosmetic: a title of one U+200B failed with "empty value"."""
    from bulk.errors import InputError
    from jobs.mapping.steps import _title

    with pytest.raises(InputError, match="only invisible characters"):
        _title("\u200b\u2060")


@pytest.mark.parametrize("bad", ["1.23.456", "12,5 abc", "1,2,3", "1.234.56"])
def test_a_cell_that_does_not_read_is_no_evidence_of_its_columns_decimal_mark(bad: str) -> None:
    """v10r17 A: ``1.23.456`` (bad grouping: the row fails) made the column show ",", and
    another row's ``2.500`` imported as 2500; ``1,2,3`` alone even contested the column.
    Only a cell that reads as an amount is evidence; ``12,5`` still is."""
    from bulk.errors import InputError

    column = tf.ColumnDecimal()
    column.start()
    for cell in ("2.500", bad):
        try:
            tf.parse_money(cell, default_currency="EUR", column=column)
        except InputError:
            pass
    column.decide()
    assert column.contest() is None
    with pytest.raises(InputError, match=r"ambiguous number '2\.500'"):
        tf.parse_money("2.500", default_currency="EUR", column=column)
    good = tf.ColumnDecimal()
    good.start()
    for cell in ("2.500", "12,5"):
        tf.parse_money(cell, default_currency="EUR", column=good)
    good.decide()
    money = tf.parse_money("2.500", default_currency="EUR", column=good)
    assert money is not None and money.amount == 2500


def test_a_failed_files_typed_number_is_no_evidence_of_its_columns_mark() -> None:
    """v10r28 S2: an XLSX source's failed.csv writes its number 2.375 as ``2.3750`` (so
    that ``decimal = ","`` refuses it); re-imported with the hold emptied, under
    ``decimal = "auto"``, that cell made the column show "." and the text ``1.500`` (the
    source column wrote decimal commas) was read as 1.5. The guard form is read as its
    number, but shows no mark: the text cells' own evidence decides."""
    from bulk.errors import InputError

    def learned(*cells: str) -> tf.ColumnDecimal:
        column = tf.ColumnDecimal()
        column.start()
        for cell in cells:
            tf.parse_money(cell, default_currency="EUR", column=column)
        column.decide()
        return column

    alone = learned("2.3750", "1.500")
    with pytest.raises(InputError, match=r"ambiguous number '1\.500'"):
        tf.parse_money("1.500", default_currency="EUR", column=alone)
    commas = learned("1.234,56", "2.3750", "1.500")
    for cell, amount in (("1.500", 1500), ("2.3750", 2.375), ("-2.3750", -2.375)):
        money = tf.parse_money(cell, default_currency="EUR", column=commas)
        assert money is not None and money.amount == amount, cell
    dots = learned("2.3751", "1.500")  # a genuine fourth decimal still shows "."
    money = tf.parse_money("1.500", default_currency="EUR", column=dots)
    assert money is not None and money.amount == 1.5


def test_any_typed_fraction_in_a_failed_file_is_no_evidence() -> None:
    """The v10r28 S2 class: an XLSX source's typed 12.5 beside its text cells written with
    decimal commas; failed.csv writes it ``12.5000`` (not ``12.5``, which showed "."), so
    re-imported with holds emptied under "auto" the text 1.500 still reads 1500."""
    from bulk.reports import cell

    column = tf.ColumnDecimal()
    column.start()
    for text in ("1.234,56", cell(12.5), "1.500"):
        tf.parse_money(text, default_currency="EUR", column=column)
    column.decide()
    assert column.mark == ","
    read = [tf.parse_money(t, default_currency="EUR", column=column) for t in
            ("1.500", cell(12.5), cell(0.125))]
    assert [m.amount if m else None for m in read] == [1500, 12.5, 0.125]


@pytest.mark.parametrize(("cells", "amounts"), [
    (["1500.000"], [1500]), (["2500,000"], [2500]), (["1.500", "2500,000"], [1500, 2500]),
    (["1,500", "1500.000"], [1500, 1500]),  # "." decimal: "," groups thousands
])
def test_four_digits_before_three_decimals_read_one_way(cells: list[str],
                                                        amounts: list[float]) -> None:
    """v10r29 F2: ``1500.000`` was refused as "1500 or nothing": no thousands group follows
    four digits, so its mark is the decimal mark, and it is evidence of it."""
    column = tf.ColumnDecimal()
    column.start()
    for text in cells:
        tf.parse_money(text, default_currency="EUR", column=column)
    column.decide()
    read = [tf.parse_money(t, default_currency="EUR", column=column) for t in cells]
    assert [m.amount if m else None for m in read] == amounts


def test_a_json_number_written_as_a_group_gets_the_guard_in_failed_csv() -> None:
    """v10r28 S1: a JSON source's 1.500 (kept as written) went to failed.csv as ``1.500``,
    which ``decimal = ","`` read as 1500 once the hold was emptied."""
    from bulk.manifest_json import JsonNumber
    from bulk.reports import cell

    assert [cell(JsonNumber(t)) for t in ("1.500", "12.500", "-7.250", "1.5e3", "0.10")] \
        == ["1.5000", "12.5000", "-7.2500", "'1.5e3", "0.1000"]  # 1.5e3: x25r2 F2's guard


def test_an_xlsx_whole_number_of_16_digits_is_the_double_excel_holds() -> None:
    """v10r28 M3: an XLSX cell storing 1234567890123456 (read as an int) was accepted as a
    key, where Excel keeps 15 digits and the key rules refuse 10^15 and more."""
    from types import SimpleNamespace

    from bulk.errors import InputError
    from bulk.xlsx_cells import _value

    for stored in (10 ** 15, 1234567890123456, 2 ** 53):
        value = _value(SimpleNamespace(value=stored, number_format="0"))
        assert isinstance(value, float)
        with pytest.raises(InputError, match="too large to be an exact key"):
            tf.source_key(value)
    assert _value(SimpleNamespace(value=999999999999999, number_format="0")) == 999999999999999


@pytest.mark.parametrize(("cell", "text"), [
    (123456789012345678.0, "123456789012346000"), (1e-5, "0.00001"), (1e20, "1" + "0" * 20),
    (-0.000001, "-0.000001"), (True, "true"),
])
def test_a_long_text_field_reads_a_typed_cell_as_a_title_does(cell: object, text: str) -> None:
    """v10r19 S1 (5 of 5): an XLSX number into a ``text`` custom field was sent as Python
    writes it (``1.234567890123457e+17``, ``1e-05``), a date cell as ``2026-12-31
    00:00:00``, where a title or varchar field got the form Excel shows."""
    import datetime as dt

    assert tf.clean_multiline(cell) == tf.clean_text(cell) == text
    assert tf.clean_multiline(dt.datetime(2026, 12, 31)) == "2026-12-31"


@pytest.mark.parametrize(("cell", "stored"), [
    ("Items:\n    - first item\n    - second   item\nTotal:    5,000",
     "Items:\n    - first item\n    - second   item\nTotal:    5,000"),
    ("Col A    Col B\r\n1        2", "Col A    Col B\n1        2"),
    ("a\tb", "a\tb"), ("\r\n  \tindented\r  line\n\n\n end \t\r\n", "indented\n  line\n\n\n end"),
    ("x\u200b  y\u00a0\u00a0z", "x  y\u00a0\u00a0z"),
])
def test_a_long_text_keeps_its_layout(cell: str, stored: str) -> None:
    """x18r2 1: a ``text`` field lost its indentation, runs of spaces and tabs (each line
    trimmed and collapsed); only the cell's edges are trimmed, CRLF / CR read as LF."""
    assert tf.clean_multiline(cell) == stored


@pytest.mark.parametrize(("cell", "decimal"), [("€ 62.202,19", "."), ("€ 495,76", "."),
                                               ("$62,353.94", ","), ("1.234,50", ".")])
def test_an_amount_the_other_decimal_mark_reads_says_so(cell: str, decimal: str) -> None:
    """x13r5 F4: a column mixing `$62,353.94` and `€ 62.202,19` under decimal = "." said only
    "not an amount": the reason now names the setting that refused the cell."""
    with pytest.raises(InputError, match=rf'read with decimal = "\{decimal}", this field'):
        tf.parse_money(cell, decimal=decimal)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        tf.parse_money("12.3.4,5", decimal=decimal)  # type: ignore[arg-type]
    assert "this field's setting" not in str(info.value)  # no mark reads it


@pytest.mark.parametrize("mark", ["\u200e", "\u200f", "\u00ad", "\u2060", "\u202a", "\u2066",
                                  "\u061c", "\ufeff", "\u200b"])
def test_invisible_format_characters_are_no_part_of_a_key_or_a_text(mark: str) -> None:
    """x16r2 F1: a key with a left-to-right mark or a soft hyphen (a copy from a web page or
    a right-to-left editor) made a second deal beside the key's own; such marks in a value
    were stored. Every invisible format character is removed; a cell of only those is
    empty."""
    assert tf.source_key(f"{mark}K01{mark}") == "K01"
    assert tf.source_key(f"K{mark}01") == "K01"
    assert tf.clean_text(f"{mark}Acme{mark} GmbH") == "Acme GmbH"
    assert tf.clean_multiline(f"line{mark}\n{mark}two") == "line\ntwo"
    assert tf.clean_text(mark) is None and tf.source_key(mark) is None


@pytest.mark.parametrize("cell", ["\u201cAnn Lee\u201d <ann.lee@x.example>",
                                  "\u00abAnn Lee\u00bb <ann.lee@x.example>",
                                  "\u2018Ann Lee\u2019 <ann.lee@x.example>",
                                  "\"Ann Lee\" <ann.lee@x.example>"])
def test_a_display_name_in_typographic_quotes_is_the_name(cell: str) -> None:
    """x16r2 F5: Outlook and word processors write curly quotes around the name."""
    assert tf.display_name(cell) == "Ann Lee"


def test_a_number_whose_digits_a_spreadsheet_lost_is_refused_as_text() -> None:
    """x16r2 F4: an 18-digit XLSX number went into a text field as 123456789012346000
    (invented zeros), the CSV text 1.23457E+15 as it is; the key column refused both."""
    for lost in (123456789012345678.0, 1e15, -2e16, "1.23457E+15", "1,23457E+15", " 2E+16 "):
        with pytest.raises(InputError, match="digits are lost"):
            tf.digits_kept(lost)
    for kept in (123456789012345.0, 1e15 + 0.5, "1.5E+3 units", "Q4", 42, "E+15"):
        tf.digits_kept(kept)
