"""Catch-all names of the classes x39r1 found missing — buyer / purchaser words in every
language, abbreviated qualifiers (``allg.``, ``sonst.``), "not given / not stated" phrases,
German compounds (``Privatkäufer``, ``Privatleute``), a one-letter form of address after a
join (``Mme ou M.``, ``Mme/M.``, ``Frau o. Herr``), greetings alone — are read as catch-alls
on a set written apart from the lexicon (f39f, x39r1 F1: 6 of 6 such pairs merged), and
real names of the same shapes are not."""

from __future__ import annotations

# ruff: noqa: RUF001  # Cyrillic and Greek letters are the point here
from jobs.dedupe.catch_all import named_catch_all
from tests.each_case import cases_of, check_each

# written from how shops and CRMs label such records, not from the word lists; 10 languages
# (de en fr es it nl pl pt tr sv ru cs): (name, kind)
CATCH_ALLS: list[tuple[str, str]] = [(n, "org") for n in [
    # buyers / purchasers
    "Einzelkäufer", "Diverse Abnehmer", "Käufer (privat)", "Endkäufer", "Barkäufer",
    "Privatkäufer allg.", "Individual purchasers", "Private purchasers", "Buyers - misc.",
    "Misc. buyers", "One-off buyers", "Acheteurs divers", "Acheteur particulier",
    "Compradores varios", "Comprador particular", "Compradores ocasionales",
    "Acquirenti privati", "Acquirenti vari", "Particuliere kopers", "Losse kopers",
    "Nabywcy indywidualni", "Kupujący detaliczni", "Comprador avulso", "Compradores diversos",
    "Bireysel alıcı", "Perakende alıcılar", "Privata köpare", "Частный покупатель",
    "Разовые покупатели", "Soukromí kupující",
    # abbreviated qualifiers
    "Kunden sonst.", "Sonst. Privatkunden", "Laufkunden allg.", "Allg. Kunden",
    "Privatpers. allg.", "Verschied. Kunden", "Endkunden allg. (Filiale 2)",
    # not given / not stated / not known
    "Firmenname unbekannt", "Firma: keine Angabe", "Ohne Firmenname", "Firma nicht bekannt",
    "Company not stated", "Company not provided", "No company specified", "Org. not given",
    "Company unknown", "Société non renseignée", "Entreprise non précisée",
    "Empresa no indicada", "Sin empresa especificada", "Azienda non indicata",
    "Geen bedrijf opgegeven", "Bedrijf onbekend", "Firma nieznana", "Empresa não informada",
    "Firma belirtilmemiş", "Компания не указана", "Firma neuvedena",
    # German compounds of a catch-all word and a people word
    "Privatleute", "Einzelpersonen", "Barzahlerkunden", "Gelegenheitskäufer",
]] + [(n, "person") for n in [
    "Mme/M.", "Madame ou M.", "Sra./Sr.", "Frau/Hr.", "Sehr geehrte Frau o. Herr",
    "Herr o. Frau", "Ms/Mr", "Mr or Ms", "M. ou Mme", "Hallo zusammen", "Hi", "Hola",
    "Buongiorno", "Guten Morgen", "Dzień dobry", "Goedendag", "Hallo Kundin",
    "Hello customer", "Name not given", "Kein Name angegeben", "Nombre no indicado",
    "Nom non renseigné", "Käufer unbekannt", "Unbekannter Käufer", "Acheteur inconnu",
    "Comprador desconocido",
]]

REAL: list[tuple[str, str]] = [(n, "org") for n in [
    "Käuferportal GmbH", "Privatkäserei Schmid", "Barkeeper Akademie", "Einzelhandel Meyer",
    "Buyers Edge Platform", "Purchaser Analytics Ltd", "Acheteurs Publics Conseil",
    "Comprador Digital SL", "Alıcı Lojistik A.Ş.", "Given Imaging Ltd", "Stated Clearly Media",
    "Anonymous Content LLC", "Hello Fresh SE", "Hallo Pizza GmbH", "Guten Tag Reisen GmbH",
    "Bonjour Boulangerie", "Hola Travel SL", "Buongiorno Caffè Srl", "Dzień Dobry Studio",
    "Merhaba Döner", "Allg. Baugesellschaft Schmidt", "Allgaier Werke", "Priv. Brauerei Hofmann",
    "Sonst Nix Bar", "Divino Weine", "The Customer Company", "The Client Company Ltd",
    "The Buyer Company", "Kopers Makelaardij", "Abnehmer Logistik GmbH",
    "Endkundenservice Nord GmbH", "Privatleasing Plus GmbH", "Angabe Verlag",
    "Unknown Mortals Records", "Ohne Grenzen Reisen", "Non Stop Media", "Stated Income Ltd",
    "Nicht Ohne Meine Tochter e.V.", "Acheter Malin SARL", "Compra Fácil SL",
    "Acquisti Verdi Srl", "Private Buyer Club Oslo AS", "Käufer & Söhne KG",
    "Webclients GmbH", "Int. Kunden Service GmbH",
]] + [(n, "person") for n in [
    "Frau Käufer", "Herr Käufer", "Thomas Käufer", "Anna Kopers", "Jan Kunde",
    "Mrs. Buyer", "Dr. Given", "Herr O. Meier", "Frau o. Bauer", "Maria O. Frank",
    "Mme O", "Dr. K", "M. Martin", "Mme Ouvrard", "Peter Hallo", "Sabine Hallo",
    "Hola Pérez", "Ciao Nguyen", "Mr. Hi", "Dr. Hello", "Gina Tag",
]]


def test_the_labelled_set_is_large_enough() -> None:
    """60+ catch-alls and 60+ real names, as the brief asks."""
    assert len(CATCH_ALLS) >= 60 and len(REAL) >= 60


def _name_kind(name: str, kind: str) -> str:
    return f"{name!r} ({kind})"


def _a_catch_all_of_the_missing_classes_is_read_as_one(name: str, kind: str) -> None:
    assert named_catch_all(name, kind)


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_a_catch_all_of_the_missing_classes_is_read_as_one() -> None:
    """Each catch-all of the new set is read as a catch-all."""
    rows = CATCH_ALLS
    assert check_each(cases_of(rows, _name_kind),
                      _a_catch_all_of_the_missing_classes_is_read_as_one) == len(rows)


def _a_real_name_of_the_same_shape_stays_real(name: str, kind: str) -> None:
    assert not named_catch_all(name, kind)


# one item looping the whole list, each failing name named (issue 8, f57c)
def test_a_real_name_of_the_same_shape_stays_real() -> None:
    """Each real name of the new set stays a real name."""
    rows = REAL
    assert check_each(cases_of(rows, _name_kind),
                      _a_real_name_of_the_same_shape_stays_real) == len(rows)
