"""A realistic dirty export from another CRM (HubSpot-style), and the mapping that imports it.

What makes it dirty, on purpose: amounts as ``$1,234.50``, ``1.234,50 €``,
``1 234,50``, ``EUR 5,000.00`` or plain numbers; close dates in US, German and ISO
formats; HubSpot stage ids and one stage Pipedrive does not know; owners by
e-mail, by name, and one who left; the same person spelled with different
cases and spaces, the same company as ``Acme Corp``, ``ACME Corp.`` and
``Acme Corporation``; unicode names; a multi-line description; lost reasons on
open deals; and a few broken rows (no title, an amount that is not one, a bad
e-mail, an impossible date, a duplicate record id, a formula in a cell).

Deterministic for a seed. Company names overlap the sandbox's seeded
organizations (``bulk.sandbox.seed``), so some are found rather than created.
Pure: writes two files, talks to nobody.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("Record ID", "Deal Name", "Company", "Company Address", "Amount", "Currency",
           "Deal Stage", "Close Date", "Deal Owner", "Win %", "Lead Source", "Products",
           "Contract Value", "Renewal", "Discount", "Closed Lost Reason", "First Name",
           "Last Name", "Email", "Phone", "Description")

COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay",
             "Soylent", "Tyrell", "Nordwind", "Müller & Söhne", "Société Générale des Eaux",
             "Øresund Logistik", "Łódź Software", "Café Olé", "北京科技", "Zürich Re Partners",
             "São Paulo Têxtil", "Kraków Mining", "Helsinki Design", "Dublin Brewing",
             "Lisboa Azulejos", "Praha Glass", "Oslo Fjord Tours", "Athens Olive Co",
             "Madrid Motors", "Porto Wines", "Bergen Fisk", "Riga Amber")
# How one company is spelled across rows: all share one match key (docs/mapping.md):
# spelling variants of ONE legal form (a different legal form is a different company).
SPELLINGS = ("{} Corp", "{} Corp.", "{} Corporation", "{} CORP", "The {} Corp.",
             "{} corporation")
FIRST = ("Anna", "Ben", "Zoë", "José", "Łukasz", "Søren", "Amélie", "Jürgen", "Chloé",
         "Mateus", "Aoife", "Björn", "Dorota", "Kenji", "Priyanka", "Olusegun", "Ingrid",
         "Nikolaos", "Renée", "Tomás", "娜", "Ahmet", "Eszter", "Radu")
LAST = ("Smith", "Müller", "García", "Kowalski", "Kierkegaard", "Dubois", "Öztürk", "O'Brien",
        "Nakamura", "Silva", "Novák", "Jensen", "Rossi", "Petrov", "Li", "Nguyen", "Larsen",
        "Fernández", "Papadopoulos", "Horváth")
STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
          "decisionmakerboughtin", "contractsent", "closedwon", "closedlost")
UNKNOWN_STAGE = "Legacy - On Hold"
OWNERS = ("maria.jensen@sandbox-company.example", "Tom Becker", "PRIYA.NAIR@sandbox-company.example",
          "old.rep@legacy-crm.example")
LEAD_SOURCES = ("Website", "Referral", "Event", "Cold call", "Partner", "Trade show", "")
PRODUCTS = ("CRM", "Analytics", "Support", "Training")
PRODUCT_NAMES = ("CRM rollout", "Analytics add-on", "Support plan", "Training package",
                 "Annual renewal", "Pilot", "Expansion", "Migration")
LOST = ("Price", "Went with a competitor", "No budget", "No response")


@dataclass(frozen=True)
class DemoExport:
    manifest: Path
    mapping: Path
    rows: int
    broken: int  # rows that fail on purpose
    unknown_stage: int  # rows whose stage Pipedrive does not know (fail too)


def _money(rng: random.Random, amount: float) -> tuple[str, str]:
    """(amount cell, currency cell) in one of the ways exports write money."""
    whole = f"{amount:,.2f}"
    style = rng.randrange(7)
    if style == 0:
        return f"${whole}", ""
    if style == 1:
        de = whole.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return f"{de} €", ""
    if style == 2:
        return whole.replace(",", "\u00a0").replace(".", ","), "EUR"
    if style == 3:
        return f"EUR {amount:,.2f}", ""  # never "EUR 5,000" beside "1.234,50 €": ambiguous
    if style == 4:
        return f"{amount:.2f}", rng.choice(("USD", "usd", "EUR"))
    if style == 5:
        return f"£{whole}", ""
    return str(int(amount)), "USD"


def _date(rng: random.Random) -> str:
    y, m, d = rng.randint(2025, 2026), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.randrange(3)
    if style == 0:
        return f"{m:02d}/{d:02d}/{y}"
    if style == 1:
        return f"{d:02d}.{m:02d}.{y}"
    return f"{y}-{m:02d}-{d:02d}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower()


def _people(rng: random.Random, n: int) -> list[tuple[str, str, str, str]]:
    out: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    while len(out) < n:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if (first, last) in seen and len(seen) < len(FIRST) * len(LAST):
            continue  # namesakes only once every name is taken (their e-mails differ)
        seen.add((first, last))
        email = f"{_ascii(first) or 'contact'}.{_ascii(last) or 'x'}{len(out)}@" + rng.choice(
            ("example.com", "example.org", "example.net"))
        phone = rng.choice((f"+1 (555) {rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                            f"0049 30 {rng.randint(1000000, 9999999)}", ""))
        out.append((first, last, email, phone))
    return out


def _street(company: str) -> int:
    """One address per company (a company is matched by name plus address)."""
    return sum(map(ord, company)) % 200 + 1


def _row(rng: random.Random, n: int, people: list[tuple[str, str, str, str]],
         companies: list[str]) -> dict[str, str]:
    first, last, email, phone = rng.choice(people)
    company = rng.choice(companies)
    stage = rng.choice(STAGES)
    amount = rng.randrange(5, 900) * 100 + rng.choice((0, 0, 50, 99.5))
    value, currency = _money(rng, amount)
    lost = rng.choice(LOST) if stage == "closedlost" or rng.random() < 0.03 else ""
    return {
        "Record ID": f"HS-{100000 + n}",
        "Deal Name": f"{rng.choice(PRODUCT_NAMES)}",
        "Company": rng.choice(SPELLINGS).format(company),
        "Company Address": rng.choice((f"{_street(company)} Main Street, Springfield", "")),
        "Amount": value if rng.random() > 0.04 else "",
        "Currency": currency,
        "Deal Stage": stage,
        "Close Date": _date(rng) if rng.random() > 0.1 else "",
        "Deal Owner": rng.choice(OWNERS),
        "Win %": rng.choice(("10%", "40", "75 %", "", "100")),
        "Lead Source": rng.choice(LEAD_SOURCES),
        "Products": ";".join(rng.sample(PRODUCTS, rng.randint(0, 2))),
        "Contract Value": rng.choice(("", f"${rng.randrange(1, 90)},000.00", "12.500,00 €")),
        "Renewal": rng.choice(("", _date(rng))),
        "Discount": rng.choice(("", "5", "12,5", "0.25")),
        "Closed Lost Reason": lost,
        # the same person, written by different people over the years
        "First Name": rng.choice((first, first.upper(), f" {first} ")),
        "Last Name": last,
        "Email": rng.choice((email, email.upper(), f"{first} {last} <{email}>")),
        "Phone": phone,
        "Description": rng.choice(("", "Met at the fair.\nFollow up in Q3.",
                                   "Budget approved; \"urgent\"", "Renewal, see notes")),
    }


def _break(rng: random.Random, row: dict[str, str], kind: int, first_id: str) -> None:
    if kind == 0:
        row["Deal Name"] = row["Company"] = ""  # the title template comes out empty
    elif kind == 1:
        row["Deal Name"] = '=HYPERLINK("http://evil.example","click")'
        row["Amount"] = "12abc"
    elif kind == 2:
        row["Email"] = "john@@example..com"
    elif kind == 3:
        row["Close Date"] = "31/31/2025"
    elif kind == 4:
        row["Record ID"] = first_id  # a duplicate of the first row's id
    else:
        row["Amount"] = "$1,000 EUR"  # two currencies in one cell


def write_demo_export(directory: Path, *, rows: int = 1000, seed: int = 7,
                      persons: int | None = None, companies: int | None = None,
                      broken: int | None = None, unknown_stage: int | None = None,
                      doubles: int = 0) -> DemoExport:
    """``export.csv`` (UTF-8 with BOM, CRLF) and ``mapping.toml`` in ``directory``.
    ``doubles``: rows added at the end that are another row entered twice in the source
    CRM (a new record id; the deal name in other case or spacing; the same company,
    person and amount) — the duplicate deals ``pdbulk dedupe`` finds after the import."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    people = _people(rng, persons if persons is not None else max(3, rows // 7))
    names = list(COMPANIES[: companies if companies is not None else max(3, min(
        len(COMPANIES), rows // 25))])
    out = [_row(rng, n, people, names) for n in range(rows)]
    n_broken = broken if broken is not None else max(1, rows // 100)
    n_unknown = unknown_stage if unknown_stage is not None else max(1, rows // 200)
    picks = rng.sample(range(1, rows), min(rows - 1, n_broken + n_unknown))
    for i, at in enumerate(picks[:n_broken]):
        _break(rng, out[at], i % 6, out[0]["Record ID"])
    for at in picks[n_broken:]:
        out[at]["Deal Stage"] = UNKNOWN_STAGE
    spoiled = {0, *picks}
    for k, at in enumerate(rng.sample([n for n in range(rows) if n not in spoiled],
                                      min(doubles, rows - len(spoiled)))):
        twin = dict(out[at], **{"Record ID": f"HS-{100000 + rows + k}"})
        name = twin["Deal Name"]
        twin["Deal Name"] = (name.upper(), name.lower(), f" {name}  ", name.replace(" ", "  "))[
            k % 4]
        out.append(twin)
    manifest = directory / "export.csv"
    with open(manifest, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(out)
    mapping = directory / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return DemoExport(manifest, mapping, len(out), len(picks[:n_broken]), len(picks[n_broken:]))


def iter_demo_rows(rows: int, *, seed: int = 7, broken_share: float = 0.01,
                   unknown_share: float = 0.005) -> Iterator[dict[str, str]]:
    """The export's rows one by one, for files too large to hold (a 1,000,000-row manifest):
    the same dirt as ``write_demo_export`` (persons ``rows // 7``, every company), each row
    broken with probability ``broken_share`` or given an unknown stage with probability
    ``unknown_share``, decided per row (so not the same rows as ``write_demo_export`` for a
    seed). Memory: the persons list, not the rows."""
    rng = random.Random(seed)
    people = _people(rng, max(3, rows // 7))
    names = list(COMPANIES)
    first_id = ""
    for n in range(rows):
        row = _row(rng, n, people, names)
        if n == 0:
            first_id = row["Record ID"]
        else:
            draw = rng.random()
            if draw < broken_share:
                _break(rng, row, rng.randrange(6), first_id)
            elif draw < broken_share + unknown_share:
                row["Deal Stage"] = UNKNOWN_STAGE
        yield row


def write_demo_rows(path: Path, rows: int, *, seed: int = 7) -> Path:
    """``iter_demo_rows`` written as the export is (UTF-8 with BOM, CRLF), streaming."""
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(iter_demo_rows(rows, seed=seed))
    return path


MAPPING = """\
# Imports export.csv (a HubSpot deals export) into the sandbox account. Reference: docs/mapping.md
version = 1

[import]
key_column = "Record ID"
key_field = "Import source key"   # created by --create-key-field
mode = "upsert"

[defaults]
currency = "USD"
date_formats = ["%m/%d/%Y", "%d.%m.%Y"]
separator = ";"

[deal]
title = "{Company} \u2013 {Deal Name}"
value = "Amount"
currency = "Currency"
probability = "Win %"
expected_close_date = "Close Date"
pipeline = { default = "Sales" }
lost_reason = { column = "Closed Lost Reason", when_not_lost = "drop" }

[deal.owner]
column = "Deal Owner"
map = { "old.rep@legacy-crm.example" = "maria.jensen@sandbox-company.example" }

[deal.status]
column = "Deal Stage"
map = { "closedwon" = "won", "closedlost" = "lost", "*" = "open" }

[deal.stage]
column = "Deal Stage"

[deal.stage.map]
"appointmentscheduled" = "Qualified"
"qualifiedtobuy" = "Contact Made"
"presentationscheduled" = "Demo Scheduled"
"decisionmakerboughtin" = "Proposal Made"
"contractsent" = "Negotiations Started"
"closedwon" = "Negotiations Started"
"closedlost" = "Negotiations Started"

[custom_fields]
"Lead source" = { column = "Lead Source", map = { "Trade show" = "Event" } }
"Products of interest" = "Products"
"Contract value" = "Contract Value"
"Renewal date" = "Renewal"
"Discount" = { column = "Discount", decimal = "auto" }

[person]
name = "{First Name} {Last Name}"
email = "Email"
phone = "Phone"

[organization]
name = "Company"
address = "Company Address"
"""

__all__ = ["COLUMNS", "MAPPING", "DemoExport", "iter_demo_rows", "write_demo_export",
           "write_demo_rows"]
