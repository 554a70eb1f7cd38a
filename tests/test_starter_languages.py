"""init-mapping reads the common German, French and Spanish headers of CRM exports
(x25r2 F9: `Firma`, `Phase`, `Besitzer` and `Kontakt` were left unmapped while `Betrag`,
`Währung`, `Abschlussdatum` and `E-Mail` were)."""

from __future__ import annotations

import tomllib

import pytest

from jobs.catalog import Catalog
from jobs.mapping import Mapping, compile_mapping, init_mapping
from tests.test_mapping import RAW_FIELDS


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_api(
        pipelines=[{"id": 1, "name": "Sales"}],
        stages=[{"id": 11, "name": "Qualified", "pipeline_id": 1, "order_nr": 1}],
        users=[{"id": 7, "name": "Tom Becker", "email": "tom@x.example", "active_flag": True}],
        deal_fields=RAW_FIELDS)


@pytest.mark.parametrize(("header", "row", "expected"), [
    (["Deal ID", "Deal Name", "Firma", "Betrag", "Währung", "Phase", "Abschlussdatum",
      "Besitzer", "E-Mail", "Kontakt", "Notiz"],
     ["K1", "Deal 1", "Bäckerei GmbH", "1.234,50", "EUR", "Qualified", "2026-03-31",
      "tom@x.example", "p1@x.de", "Jörg Person", "x"],
     {"organization.name": "Firma", "deal.stage": "Phase", "deal.owner": "Besitzer",
      "person.name": "Kontakt", "deal.value": "Betrag", "deal.currency": "Währung",
      "person.email": "E-Mail", "deal.expected_close_date": "Abschlussdatum"}),
    (["ID", "Titre", "Société", "Montant", "Devise", "Étape", "Propriétaire", "Courriel",
      "Nom du contact", "Téléphone"],
     ["K1", "Affaire 1", "ACME SA", "1 234,50", "EUR", "Qualified", "tom@x.example",
      "p1@x.fr", "Jeanne Roux", "+33 1 23 45 67 89"],
     {"organization.name": "Société", "deal.stage": "Étape", "deal.owner": "Propriétaire",
      "person.name": "Nom du contact", "deal.value": "Montant", "deal.title": "Titre",
      "person.email": "Courriel", "person.phone": "Téléphone"}),
    (["ID", "Nombre del negocio", "Empresa", "Importe", "Moneda", "Etapa", "Propietario",
      "Correo electrónico", "Contacto", "Fecha de cierre"],
     ["K1", "Negocio 1", "ACME SL", "1.234,50", "EUR", "Qualified", "tom@x.example",
      "p1@x.es", "Ana Ruiz", "2026-03-31"],
     {"organization.name": "Empresa", "deal.stage": "Etapa", "deal.owner": "Propietario",
      "person.name": "Contacto", "deal.value": "Importe", "deal.currency": "Moneda",
      "deal.title": "Nombre del negocio", "person.email": "Correo electrónico",
      "deal.expected_close_date": "Fecha de cierre"}),
    # Salesforce's opportunity report (x27r1: "Owner Full Name" left unmapped: every deal
    # would have gone to the token's user)
    (["Opportunity ID", "Opportunity Name", "Account Name", "Amount", "Owner Full Name"],
     ["006A", "Deal 1", "ACME Inc", "100", "Tom Becker"],
     {"deal.owner": "Owner Full Name", "organization.name": "Account Name",
      "deal.title": "Opportunity Name", "deal.value": "Amount"}),
    # a short English export (f27: "Org" was left unmapped, its organizations never made)
    (["Key", "Title", "Org", "Person", "Email", "Value"],
     ["K1", "Deal 1", "ACME Ltd", "Ann Lee", "ann@x.example", "100"],
     {"organization.name": "Org", "person.name": "Person", "person.email": "Email",
      "deal.title": "Title", "deal.value": "Value"}),
])
def test_german_french_spanish_headers_are_mapped(
        catalog: Catalog, header: list[str], row: list[str],
        expected: dict[str, str]) -> None:
    """Each column is proposed for its target, and the mapping compiles."""
    text = init_mapping(header, catalog,
                        samples={c: [v] for c, v in zip(header, row, strict=True)})
    parsed = tomllib.loads(text)
    for target, column in expected.items():
        section, name = target.split(".")
        got = parsed[section][name]
        if isinstance(got, dict):
            got = got["column"]
        assert got == column, (target, text)
    compile_mapping(Mapping.loads(text), catalog)


@pytest.mark.parametrize("key", ["Schlüssel", "ID-Nr.", "Kennung", "Nummer", "Datensatz-ID",
                                 "Référence", "Identifiant", "Clave", "Código"])
def test_german_french_spanish_keys_are_id_like(catalog: Catalog, key: str) -> None:
    """A key column named in German, French or Spanish is the key_column by its name, not
    as the first column with "TODO: no id-like column found" (x26r3 3)."""
    header = ["Titel", "Betrag", key, "Telefonnummer", "Código postal"]
    row = ["Deal 1", "100", "K1", "+49 30 1234567", "10115"]
    text = init_mapping(header, catalog,
                        samples={c: [v] for c, v in zip(header, row, strict=True)})
    assert tomllib.loads(text)["import"]["key_column"] == key, text
    assert "no id-like column" not in text, text
