"""Catch-all organizations and persons: one record many customers share, weak evidence.

An account files walk-in and private customers under one org ("Privatkunden", "Walk-in
customers") or one person ("Unknown contact"); two deals on such a record with one title
(``Küchenmontage``, ``Bike repair``) are two customers as often as one deal twice
(x33r1 F2: merged at 1.000). ``catch_alls`` judges which org and person records are
catch-alls from the account's own counts, so ``evidence._context`` reads a shared one as
nothing tying two deals to one customer (review at most, a reason naming the rule):

* a record with more open deals than ``CROWDED_FLOOR`` (25) and more than
  ``CROWDED_FACTOR`` (10) times the account's median open deals per record of its kind
  (orgs, persons) whose deals are spread as a catch-all's are (``_spread``): an org's over
  more than ``KEY_CONTACTS`` (5) persons or mostly with no person, a person's over more than
  ``KEY_CONTACTS`` orgs or mostly with no org, or either's under few titles (fewer distinct
  titles than half its open deals), an org's deals counted over every record of its
  normalized name (f37d 4, as the title rule below). A key account — one or a few named contacts, varied
  real titles — is no catch-all by size: its org and its contact tie a same-day copy there
  (f34e 1: 46 open deals with one contact, a true copy held at review as a catch-all's);
* one normalized title on deals (open or closed) of the record added on ``SAME_TITLE`` (4)
  or more different days (UTC): copies are entered within a day or two, so an import run
  twelve times is no catch-all, but a title many customers' deals carry is (only pairs of
  that title); an org's days are counted over every record of its normalized name
  (``Privatkunden``, ``Privatkunden GmbH``: f37d 4);
* an org whose name says catch-all (``CATCH_ALL_NAMES``: private customers, walk-in,
  miscellaneous, unknown... in English, German, French, Spanish, Italian, Dutch), and a
  person whose name says no one (``CATCH_ALL_PERSON_NAMES``: those and ``Unknown``,
  ``Walk-in customer``, ``Kunde``, ``Client``, ``Onbekend``...; the plan reads the persons'
  names, ``records.person_names``: f34e 2, two ``Walk-in customer`` deals with no org,
  one title, the same day, were merged); both judged by the name's words
  (``named_catch_all``), a number, year or place after a catch-all word being a qualifier
  (``Privatkunden Berlin``, ``Diverse Kunden 2024``: x35r2 1, merged before; a city named
  as a word, ``Privatkunden Halle``, at the name's end after a word for people: f36e 2;
  not after a singular ``Customer`` / ``Client`` / ``Consumer`` alone, whose head noun it
  is, ``Customer Alliance``: f37d 2; nor a body of people, ``Alliance`` / ``Union``, after
  an English people word alone, ``Consumers Union``: f38c; "without" abbreviated, ``Kunden
  o. Firma``, ``Customers w/o company``, read as written out: f38c;
  a part of the year, a debtor account, a channel beside a word that says who, an honorific
  before no one: ``catch_all_lexicon``, x36r2 F3; a city that is an English common noun
  after a singular people word alone, ``Customer Phoenix``, is its head noun, a placeholder
  letter, ``Client A``, a qualifier, and a greeting that is also a first name, ``Caro
  cliente``, one only before its language's customer word: f39c). x39r1 F1 (6 of 6 such pairs merged): a
  word shortened with a period is read spelled out (``allg.``, ``sonst.``: ``_spell_out``),
  a compound of a catch-all's first part and a people word as the two (``Privatkäufer``,
  ``Privatleute``: ``_compound``), a one-letter form of address after a join as a form of
  address (``Mme ou M.``, ``Mme/M.``, ``Frau o. Herr``), a person of a greeting only as no
  one (``Hallo``, ``Guten Tag``), and a singular customer word with a legal form as a
  company's name (``The Customer Company``); buyers, "not given" and greetings are classes
  of ``catch_all_world.txt`` in each language. x39r4 F2 (f39k; 6 such pairs merged): "not
  given" written as letters is ``unknown`` (``k.A.``, ``o.A.``, ``n/a``, ``s/d``:
  ``_not_given``), a people word or qualifier shortened to 2-3 letters is spelled out
  (``Kd. allg.``, ``Clientes gral.``: ``_SHORT_PEOPLE``, ``_qualifier_spelled``; a first
  word left, ``Int.``), walk-in, pickup and time-of-day greeting words are classes of
  ``catch_all_world.txt``, and a person of an initial and one word not saying no one is a
  person (``A. Kunde``, ``J. Klant``: a surname; ``M. Unknown`` stays no one).

Pure: no I/O. Never reads what a deal is about beyond its normalized title's text.

x40r4 F1 / F3 (f40k): a bucket of leads with any source or adjective word (``Inbound
Leads``, ``Messe-Leads``: ``_lead_bucket``) and a people word with any place phrase — an
article or prefix first, a state code after, an island or region, a preposition between, or
the town first (``Klant Den Haag``, ``Customer Miami FL``, ``Kunde Sylt``, ``Klant uit
Utrecht``, ``Bremen Kunden``: ``_place_at``, ``_town_first``) — are catch-alls.

x41r2 (session 41; 95 of 120 noted catch-alls and 61 of 93 buckets merged): a note beside a
catch-all or placeholder (``Privatkunden (alt)``, ``Walk-in customers - archived``, ``Max
Mustermann - Test``, ``nil 2``: ``without_notes``) leaves it one; customers named by when they
buy (``Potenzielle Kunden``, ``Ex-Kunden``), a marketplace's buyers (``Amazon Kunden``), test
and example records (``Testfirma``, ``Example Corp``), a bucket word alone or "not assigned"
(``Sonstiges``, ``Unassigned``) and what an import filed (``Import 2024-03``:
``_import_bucket``) are catch-alls.

Why ~1200 lines: the two judgements (a record's name, a record's deals) share the
name's reading — its words, qualifiers, honorifics, sale and channel words, places, the other
languages' readings (``catch_all_world``), its compounds, shortened words and joins — and
the pooling of one name's records; the
word lists themselves live in ``catch_all_lexicon`` and ``catch_all_world.txt``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from statistics import median
from types import MappingProxyType

from .catch_all_lexicon import (
    AREA_WORDS,
    CHANNEL_WORDS,
    FIRM_WORDS,
    HEAD_PLACES,
    HEAD_WORDS,
    HONORIFICS,
    LEAD_BUCKETS,
    LEAD_PLURALS,
    LEAD_SINGULARS,
    MORE_GENERIC,
    MORE_NAMES,
    MORE_OPTIONAL,
    MORE_PEOPLE,
    MORE_WORDS,
    NOBODY,
    PLACE_PREPOSITIONS,
    PLACE_SPELLINGS,
    REGIONS,
    SALE_WORDS,
    WHO_ACCOUNT_WORDS,
    is_period,
    mark_empty,
    no_name_marked,
    sale_partners,
)
from .catch_all_placeholder import label_words, placeholder
from .catch_all_regions import (
    COMPASS,
    COMPASS_ADJECTIVES,
    PREP_ARTICLES,
    REGION_NOUNS,
    compass_at,
    demonym,
    formed_places,
    prefixed_place,
    tail_after,
)
from .catch_all_scripts import SCRIPTS as _NON_LATIN
from .catch_all_scripts import script_catch_all
from .catch_all_world import JOINING_WORDS, NAMED_GREETINGS, WORLD, readings
from .model import DealRecord
from .normalize import legal_form, org_key

CROWDED_FLOOR = 25  # open deals on one org / person above this (and the factor): a catch-all
CROWDED_FACTOR = 10  # ... and above 10 x the account's median open deals per org / person
KEY_CONTACTS = 5  # a crowded org with at most 5 persons (a person: orgs) on its deals: a key account
SAME_TITLE = 4  # one title on one org / person added on 4 or more days: a catch-all for it
CATCH_ALL = "catch-all"  # reason detail prefix

# org names (``normalize.org_key``: no case, punctuation or legal form) that file many
# customers under one record
CATCH_ALL_NAMES = frozenset({
    "privatkunden", "privatkunde", "privatperson", "privatpersonen", "endkunden", "endkunde",
    "laufkundschaft", "barverkauf", "barverkauf kunde", "diverse", "diverse kunden", "sonstige",
    "sonstige kunden", "unbekannt", "kunde unbekannt", "gast", "gaeste", "anonym",
    "private customers", "private customer", "private", "walk in", "walk ins", "walk in customer",
    "walk in customers", "walkin", "cash customer", "cash customers", "cash sale", "cash sales",
    "retail customers", "retail customer", "consumers", "consumer", "b2c", "guest", "guests",
    "anonymous", "unknown", "unknown customer", "unknown contact", "misc", "miscellaneous",
    "various", "various customers", "individuals", "individual", "n a", "none", "test",
    "particuliers", "particulier", "clients divers", "client divers", "divers", "inconnu",
    "client inconnu", "clients particuliers", "particulares", "clientes varios", "cliente varios",
    "varios", "desconocido", "cliente desconocido", "privati", "clienti vari", "cliente privato",
    "sconosciuto", "particulieren", "particulier klanten", "diversen", "onbekend",
    "diversos", "diversas", "varias", "diversi", "varie", "sundries", "overige", "verschiedene",
})

# person names (``normalize.org_key``, as org names) that say no one: a placeholder contact
# many customers' deals share; a real person has a name of their own
CATCH_ALL_PERSON_NAMES = CATCH_ALL_NAMES | frozenset({
    "unknown person", "unknown client", "no name", "noname", "nobody", "na", "tbd", "tba",
    "customer", "customers", "client", "clients", "contact", "walk in client", "walkin customer",
    "passer by", "prospect", "lead", "kunde", "kunden", "laufkunde", "unbekannter kunde",
    "unbekannte person", "kein name", "keine angabe", "interessent", "ansprechpartner",
    "inconnue", "anonyme", "client de passage", "passage", "prospect inconnu", "contacto",
    "anonimo", "cliente", "clientes", "particular", "cliente particular", "cliente anonimo",
    "contatto", "privato", "cliente sconosciuto", "anonima", "klant", "klanten",
    "onbekende klant", "klant onbekend", "anoniem", "passant", "particuliere klant",
    "max mustermann", "erika mustermann", "john doe", "jane doe",
})

# words (``normalize.org_key`` tokens) a name that says "many customers" / "no one" is made
# of, in any order or spelling of the list above: ``Einzelkunden``, ``Barkunde``, ``Walk in
# Customers Store 2``, ``Keine Firma`` (x34r2 F1 / F2: 28 of 32 such orgs merged), their
# plural, gender and language forms (``Clientes finales``, ``Consumidor final``,
# ``Kein Ansprechpartner``: x35r2 1). A name of these words only — once ``GENERIC_WORDS``
# and the qualifiers after a catch-all word (a number, a year, a place: ``_qualifier``) are
# set aside — is a catch-all; one other word makes it a real name (``Privat Bank AG``,
# ``Kunde & Partner GmbH``).
CATCH_ALL_WORDS = frozenset({
    # German
    "kunde", "kunden", "kundin", "kundinnen", "kundschaft", "privatkunde", "privatkunden",
    "privatkundin", "privatkundinnen", "privat", "private", "privatperson", "privatpersonen",
    "person", "personen", "einzelkunde", "einzelkunden", "laufkunde", "laufkunden", "laufkundin",
    "laufkundschaft", "barkunde", "barkunden", "barverkauf", "barverkaeufe", "barzahler", "bar",
    "endkunde", "endkunden", "endkundin", "endverbraucher", "verbraucher", "interessent",
    "interessenten", "sammelkunde", "sammelkunden", "neukunde", "neukunden", "kleinkunde",
    "kleinkunden", "gelegenheitskunde", "gelegenheitskunden", "testkunde", "testkunden",
    "musterkunde", "musterfirma", "mustermann", "musterfrau", "unbekannt", "unbekannte",
    "unbekannter", "unbekannten", "anonym", "anonyme", "anonymer", "anonymen", "gast", "gaeste",
    "kein", "keine", "keiner", "firma", "name", "angabe", "nn", "ansprechpartner",
    "ansprechpartnerin", "kontakt", "kontakte", "kontaktperson",
    # English
    "customer", "customers", "client", "clients", "consumer", "consumers", "walk", "walkin",
    "walkins", "in", "ins", "cash", "retail", "public", "anonymous", "unknown", "individual",
    "individuals", "guest", "guests", "prospect", "prospects", "no", "none", "nobody", "sale",
    "sales", "buyer", "buyers", "end", "user", "users", "passer", "by", "contact", "contacts",
    "one", "off", "time", "counter", "unnamed", "unassigned", "placeholder", "dummy", "test",
    "tbd", "tba", "tbc", "xx", "xxx", "xxxx", "null",
    # French, Spanish, Portuguese, Italian, Dutch
    "particulier", "particuliers", "particuliere", "particulieres", "inconnu", "inconnue",
    "inconnus", "inconnues", "anonymes", "passage", "consommateur", "consommateurs", "final",
    "finale", "finales", "finaux", "finali", "comptant", "comptoir", "aucun", "aucune", "sans",
    "nom", "cliente", "clientes", "clienta", "clientas", "particular", "particulares",
    "consumidor", "consumidores", "desconocido", "desconocida", "desconocidos", "anonimo",
    "anonima", "anonimos", "anonimas", "publico", "contado", "mostrador", "sin", "nombre",
    "datos", "ninguno", "contacto", "avulso", "avulsos", "balcao", "desconhecido",
    "desconhecida", "sem", "nome", "nenhum", "nao", "identificado", "clienti", "privato",
    "privati", "privata", "consumatore", "consumatori", "sconosciuto", "sconosciuta",
    "sconosciuti", "anonimi", "pubblico", "dettaglio", "senza", "nessuno", "contatto", "klant",
    "klanten", "eindklant", "eindklanten", "consument", "consumenten", "particulieren",
    "onbekend", "onbekende", "anoniem", "anonieme", "passant", "losse", "kassa", "contant",
    "geen", "naam", "contactpersoon",
})
# "without" / "none": a catch-all with another such word (``Sin nombre``, ``Geen naam``);
# alone they say nothing (``Sans Souci`` is a name)
_NEGATIONS = frozenset({"sans", "aucun", "aucune", "sin", "ninguno", "sem", "nenhum", "nao",
                        "senza", "nessuno", "geen"})
# the words that must be there for the rest to count: "in", "no", "end", "by" alone say nothing
_CORE_OPTIONAL = _NEGATIONS | frozenset({
    "in", "ins", "no", "end", "by", "user", "users", "name", "angabe", "firma", "person",
    "personen", "sale", "sales", "bar", "one", "off", "time", "counter", "final", "finale",
    "finales", "finaux", "finali", "comptant", "comptoir", "nom", "contado", "mostrador",
    "nombre", "datos", "avulso", "avulsos", "balcao", "nome", "identificado", "dettaglio",
    "losse", "kassa", "contant", "naam", "passage"})
# qualifiers set aside: which of several catch-alls, where, since when
GENERIC_WORDS = frozenset({
    "diverse", "diverser", "divers", "diverses", "div", "sonstige", "sonstiger", "sonstiges",
    "verschiedene", "uebrige", "weitere", "allgemein", "allgemeine", "general", "generic",
    "various", "misc", "miscellaneous", "sundry", "sundries", "other", "others", "store",
    "stores", "shop", "shops", "webshop", "online", "web", "internet", "ecommerce", "filiale",
    "branch", "standort", "location", "region", "nr", "no", "the", "der", "die", "das", "aus",
    "von", "of", "for", "fuer", "nord", "sued", "ost", "west", "mitte", "north", "south", "east",
    "central", "de", "du", "des", "le", "la", "les", "del", "di", "van", "het", "en", "em", "el",
    "los", "las", "da", "do", "dos", "al", "y", "e", "et", "vari", "varie", "varios", "varias",
    "diversos", "diversas", "diversi", "generales", "generale", "grand", "overige", "und", "and",
})
# the word classes of ``catch_all_lexicon`` (x36r2 F3: a period, an account, a channel, an
# honorific or a synonym missing made a catch-all a real name)
CATCH_ALL_NAMES = CATCH_ALL_NAMES | MORE_NAMES
CATCH_ALL_PERSON_NAMES = CATCH_ALL_PERSON_NAMES | MORE_NAMES
CATCH_ALL_WORDS = CATCH_ALL_WORDS | MORE_WORDS | MORE_OPTIONAL
_CORE_OPTIONAL = _CORE_OPTIONAL | MORE_OPTIONAL
GENERIC_WORDS = GENERIC_WORDS | MORE_GENERIC
# more languages and scripts, "no company" phrases, honorifics (``catch_all_world``, x37r2 F1)
CATCH_ALL_WORDS = CATCH_ALL_WORDS | WORLD["people"] | WORLD["like"] | WORLD["nobody"] \
    | WORLD["needs"] | WORLD["without"] | WORLD["trade"]
_NEGATIONS = _NEGATIONS | WORLD["without"]
_CORE_OPTIONAL = _CORE_OPTIONAL | WORLD["needs"] | WORLD["without"]
GENERIC_WORDS = GENERIC_WORDS | WORLD["generic"] | WORLD["greeting"]  # Dear Customer
GENERIC_WORDS = GENERIC_WORDS | WORLD["where"]  # Goście hotelowi: a hotel's guests (x43r2)
_HONORIFICS = HONORIFICS | WORLD["honorific"]
_NOBODY = NOBODY | WORLD["nobody"]
_ADDRESS = WORLD["address"]
_JOIN = WORLD["join"]  # or / and between forms of address (Señor o Señora): never a filler
_GREETING = WORLD["greeting"]  # Dear, Estimado, Уважаемый: a filler first in an address
_NAMED_GREETING = WORLD["namegreet"]  # Caro, Mila, Draga: a greeting before its customers only
# greetings said to anyone (x39r1 F1: ``Hallo Kunde``, ``Guten Tag`` persons were real): set
# aside before a customer word as ``Dear`` is; a person of a greeting (and ``zusammen``,
# ``there``: ``_EVERYONE``) only is a placeholder. A two-word one is one token (``guten_tag``)
_HELLO = WORLD["hello"]
_EVERYONE = WORLD["everyone"]
_HELLO_PHRASES = re.compile(r"\b(?:" + "|".join(
    sorted((w.replace("_", " ") for w in _HELLO if "_" in w), key=len, reverse=True)) + r")\b")
GENERIC_WORDS = GENERIC_WORDS | _HELLO
# a one-word form of address, a join, then another (``Frau o. Herr``: ``o.`` is ``oder``
# there, ``Mme/M.``): read with ``or`` between them for ``_addressed``
_JOINED = re.compile(r"(?i)\s*/\s*|(?<=[\w.])\s+o\.\s*(?=\w)")
# a customer named in the singular with a legal form is a company's name (``The Customer
# Company``, ``Client Ltd``: x39r1); a label of many customers is plural (``Privatkunden GmbH``)
_ONE_CUSTOMER = frozenset({"customer", "client", "consumer", "buyer", "purchaser", "kunde",
                           "klant", "klient", "cliente", "acheteur", "comprador",
                           "acquirente", "lead"})
# a firm named after its owners (``Kunden & Co. KG``, ``Kunde & Cie``): a real name, whatever
# its words (x38r2 F10); a legal form alone is typed on labels too (``Privatkunden GmbH``)
_OWNERS_FIRM = re.compile(
    r"(?:&|\+|\bund\b|\bu\.|\band\b|\bet\b)\s*(?:co|cie|comp|company|sons|s[öo]hne|soehne)\b",
    re.IGNORECASE)
# the English company words ``org_key`` reads as a legal form (``No company``)
_COMPANY_WORD = re.compile(r"\b(?:compan(?:y|ies)|corporations?)\b", re.IGNORECASE)
# a short abbreviation, then a bracketed name: ``P.K. (Privatkunden)``
_ABBREVIATED = re.compile(r"\s*([^()]{1,12}?)\s*\(([^()]+)\)\s*")
# a number right after one of these is a branch's (``Store 2``, ``Filiale 12``)
_NUMBERED = frozenset({"store", "stores", "shop", "filiale", "branch", "standort", "location",
                       "nr", "no"})
_ROMAN = frozenset({"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"})
# a placeholder letter after a people word names no one, as a number does (``Client A``,
# ``Customer B``, ``Kunde C``: anonymized or test labels; f39c: decided by which letter a
# language's word list held, ``Client A`` held and ``Customer B`` not)
_LETTER = re.compile(r"[a-z]")
_PLACES = Path(__file__).with_name("places.txt")
_WORD_PLACES = Path(__file__).with_name("word_places.txt")
_PLACE_WORDS = 4  # the longest place name looked up (``Frankfurt am Main``, ``Ile de France``)
# the catch-all words that name the people filed (customers, guests, consumers...), not
# what they are like (``privat``, ``retail``, ``cash``, ``anonym``): after one of these a
# place named like a word is where (``Privatkunden Halle``), after an adjective it is the
# noun of a real name (``Privat Bank``)
_PEOPLE = frozenset({
    "kunde", "kunden", "kundin", "kundinnen", "kundschaft", "privatkunde", "privatkunden",
    "privatkundin", "privatkundinnen", "privatperson", "privatpersonen", "einzelkunde",
    "einzelkunden", "laufkunde", "laufkunden", "laufkundin", "laufkundschaft", "barkunde",
    "barkunden", "barverkauf", "endkunde", "endkunden", "endkundin", "endverbraucher",
    "verbraucher", "interessent", "interessenten", "sammelkunde", "sammelkunden", "neukunde",
    "neukunden", "kleinkunde", "kleinkunden", "gelegenheitskunde", "gelegenheitskunden", "gaeste",
    "customer", "customers", "client", "clients", "consumer", "consumers", "walkins", "ins",
    "individuals", "guests", "buyers", "particulier", "particuliers", "particuliere",
    "particulieres", "consommateur", "consommateurs", "cliente", "clientes", "clienta", "clientas",
    "particulares", "consumidor", "consumidores", "clienti", "privati", "consumatori", "klant",
    "klanten", "eindklant", "eindklanten", "consument", "consumenten", "particulieren",
}) | MORE_PEOPLE | WORLD["people"]
# singular English people words: the word right after one, in a name of the two alone and
# no separator, is the noun it qualifies (``Customer Alliance``, ``Client Mobile``,
# ``Consumer Liberty``: f37d 2, read as a catch-all at the word-cities Alliance, Ohio and
# Mobile, Alabama), not where (``Customers Mobile``, ``Customer - Mobile``: a place)
_MODIFIERS = frozenset({"customer", "client", "consumer"})
# nouns that name a body of people (an alliance, a union, a league...): right after an
# English people word alone and ending the name, the body the name is (``Consumers Union``,
# ``Clients Alliance``: f38c, read as catch-alls at the towns Union and Alliance), not where
_BODIES = frozenset({
    "alliance", "union", "league", "guild", "federation", "council", "association", "society",
    "club", "coalition", "network", "collective", "cooperative", "forum", "circle", "congress",
    "fellowship", "confederation", "consortium", "syndicate", "assembly", "community"})
_ENGLISH_PEOPLE = _MODIFIERS | frozenset({"customers", "clients", "consumers"})
# "without" abbreviated before what is missing (f38c: ``Kunden o. Firma``, German "customers
# without company", read as a real name): ``o.`` (ohne), ``w/o`` (without), ``s/`` (sin /
# sem), ``z.`` (zonder) between two words; ``Fa.`` is German ``Firma``
_ABBREVIATIONS = (
    (re.compile(r"(?i)\bw/o\b\.?"), "without"),
    (re.compile(r"(?i)(?<=\w)\s+o\.\s*(?=\w)"), " ohne "),
    (re.compile(r"(?i)(?<=\w)\s+s/\s*(?=\w)"), " sin "),
    (re.compile(r"(?i)(?<=\w)\s+z\.\s*(?=\w)"), " zonder "),
    (re.compile(r"(?i)(?<=\bohne )fa\b\.?|(?<=\bwithout )fa\b\.?"), "firma"),
)
# words and spaces only: no dash, comma, bracket between (a hyphen inside a word joins it:
# ``Customer-Alliance`` is one name, x37r3 F4; ``Customer - Mobile`` is not)
_PLAIN = re.compile(r"(?:[\w\s.&']|(?<=\w)-(?=\w))*")
# the English counter sale said in full (``Over the counter sales``, x37r3 F4): its counter
_OVER_THE_COUNTER = re.compile(r"\bover (?:the )?counter\b")  # org_key drops "the"
# the words that say who a catch-all is for (people, no one, a debtor account): a channel
# word (``CHANNEL_WORDS``: ``POS``, ``Laden``, ``Cash & Carry``) is set aside only beside one
_WHO = _PEOPLE | _NOBODY | WHO_ACCOUNT_WORDS | frozenset({
    "guest", "gast", "kunde", "customer", "client", "klant", "walk", "walkin", "walkins",
    "gaeste", "individual", "buyer", "person", "personen", "privatperson", "privatpersonen",
    "contact", "contacts", "kontakt", "contacto", "contatto",
})


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """The place names (``org_key`` spelling, 1-4 words) a catch-all name may carry after its
    catch-all words: cities of 15,000+ people and other names of those of 100,000+, countries
    and US states with their ISO codes, regions (``Bayern``, ``Tirol``); a city named as a word
    (``Bank``, ``Halle``) only with 500,000+ people. Built by ``scripts/build_places.py`` from
    GeoNames (CC BY 4.0): about 85,000 names, 0.9 MB, read on the first name that needs it."""
    return frozenset(_PLACES.read_text(encoding="utf-8").splitlines())


@lru_cache(maxsize=1)
def word_places() -> frozenset[str]:
    """The one-word names of cities of 15,000+ people (GeoNames, and the other names of
    those of 100,000+) that ``places`` leaves out because the name is also a word
    (``lexicon.is_known_word`` in en/de/fr/es/nl) and the city has under 500,000 people:
    ``halle``, ``gera``, ``siegen``, ``worms``, ``reading``, ``nice``. Built with ``places``
    by ``scripts/build_places.py``: about 2,700 names, 20 KB. ``_qualifier`` reads one only
    where a place is all it can be (f36e 2: ``Privatkunden Halle`` was read as a real name)."""
    return frozenset(_WORD_PLACES.read_text(encoding="utf-8").splitlines())


# the people words a compound may end in, and the words it may start with: the lexicon's
# own compounds' first parts (``Privat``-, ``Einzel``-, ``Bar``-, ``End``-, ``Gelegenheits``-
# of ``Privatkunden``, ``Einzelkunden``...) and its words that say a catch-all alone
# (the languages that write them: German, Dutch, Nordic; ``Webclients`` is a brand)
_COMPOUND_TAILS = frozenset({
    "kunde", "kunden", "kundin", "kundinnen", "kundschaft", "kaeufer", "kaeuferin",
    "kaeuferinnen", "abnehmer", "verbraucher", "personen", "person", "leute", "gaeste",
    "klant", "klanten", "kopers", "afnemers", "kund", "kunder", "kopare",
    "kobere", "kjopere", "personer", "asiakas", "asiakkaat"})
_COMPOUND_HEADS = frozenset(
    {w[:-len(t)] for w in CATCH_ALL_WORDS for t in ("kunde", "kunden", "kundin", "kund",
                                                      "kunder", "klant", "klanten")
     if w.endswith(t) and len(w) - len(t) >= 3}
    | {w for w in CATCH_ALL_WORDS - _CORE_OPTIONAL - GENERIC_WORDS - _NEGATIONS if len(w) >= 5})


@lru_cache(maxsize=4096)
def _compound(word: str) -> bool:
    """Whether ``word`` (an ``org_key`` token) is written as one word of a catch-all's first
    part and a people word (x39r1 F1: ``Privatkäufer``, ``Einzelkäufer``, ``Privatleute``,
    ``Einzelpersonen``, ``Barzahlerkunden`` were real names): ``_COMPOUND_HEADS`` then
    ``_COMPOUND_TAILS``, as German, Dutch and the Nordic languages write them."""
    return any(word[:n] in _COMPOUND_HEADS and word[n:] in _COMPOUND_TAILS
               for n in range(3, len(word) - 3))


# Int. first: International; a period before a letter is a domain's (Booking.com: read as
# "Bookings com", a bucket of bookings, x42r2), not a word shortened
# a marketplace's name that is also a given name or a plain word: a person so named is a
# person (``Otto Kunde``); the others' buyers are nobody's name (``Shopify Customer``, x42r2)
_GIVEN_NAME_MARKETS = frozenset({"otto", "mercado", "libre", "bol", "com", "marketplace",
                                 "marktplatz", "marketplaces"})
# words naming the channel itself: with marketplaces' names alone, a bucket (x42r2 F2)
_MARKET_WORDS = frozenset({"marketplace", "marktplatz", "marketplaces", "fba"})
_ABBREVIATED_WORD = re.compile(
    r"\b([^\W\d_]{2,})\.(?!(?:com|net|org|info|biz|io|co|eu|de|at|ch|uk|fr|nl|be|it|es|pt"
    r"|pl|se|dk|no|fi|cz|us|ca|au|shop|store|online|app)\b)", re.IGNORECASE)
# the people words shortened to two or three letters as each language writes them (f39k,
# x39r4 F2: ``Kd. allg.``, ``Cli. varios`` were real names): Kunde / Kunden, Klant / Klient,
# Client / Cliente(s), Customer(s); read at any place in a name
_SHORT_PEOPLE = MappingProxyType({
    "kd": "kunde", "kdn": "kunden", "kl": "klant", "kln": "klanten", "cl": "client",
    "clt": "client", "clts": "clients", "cli": "cliente", "cte": "cliente", "ctes": "clientes",
    "cust": "customer", "custs": "customers"})
# "not given" / "not known" written as letters with periods or a slash (f39k, x39r4 F2:
# ``k.A.`` / ``o.A.`` German keine / ohne Angabe, ``n/a``, ``n.d.`` / ``n/d`` non / no
# disponible, ``s/d`` / ``s.d.`` sin datos, ``n.b.`` nicht bekannt / niet bekend, ``n.c.``
# / ``n.r.`` non communiqué / renseigné, ``n.i.`` não informado, ``b.d.`` brak danych,
# ``n.v.t.`` niet van toepassing; ``S.A.`` is a legal form and stays): read as ``unknown``.
# Two or three single letters, each followed by a period or a slash. By context (f40c):
# ``n.v.`` (German nicht vorhanden / verfügbar) and ``s.n.`` (Spanish sin nombre) alone or
# after catch-all words only say no one (``n.v.``, ``Kunde n.v.``, ``Cliente s.n.``); after a
# name they are its legal form or address and the name decides (``Philips N.V.``, ``Calle
# Mayor s.n.``); ``N.V.`` in capitals after a word is the Dutch legal form (``_LEGAL_LETTERS``:
# ``Klant N.V.`` is a company as ``Klant NV`` is)
_NOT_GIVEN_LETTERS = frozenset({"ka", "oa", "na", "nd", "sd", "nb", "nc", "nr", "ni", "bd",
                                "nvt", "nk", "ns", "nv", "sn"})
_LEGAL_LETTERS = frozenset({"nv"})
_LETTER_RUN = re.compile(
    r"(?<![\w.])([^\W\d_])\s*[./]\s*([^\W\d_])(?:\s*[./]\s*([^\W\d_]))?\.?(?![\w])")
# a person's initial, then one word: ``A. Kunde``, ``J. Klant`` (a surname; f39k, x39r4 F2)
_INITIAL_AND_NAME = re.compile(r"\s*(?:[^\W\d_]\.\s*)+([^\W\d_][\w'-]+)\s*")
# the words a qualifier or catch-all word shortened with a period may stand for, the
# qualifiers first (``allg.`` = ``allgemein``, ``sonst.`` = ``sonstige``)
# (not a place or channel word: ``St.`` is Sankt, not ``Stamm``; ``Int.`` not ``Internet``)
_SPELLED = (tuple(sorted(GENERIC_WORDS - WORLD["where"], key=lambda w: (len(w), w))),
            tuple(sorted(CATCH_ALL_WORDS - _CORE_OPTIONAL, key=lambda w: (len(w), w))))


@lru_cache(maxsize=4096)
def _spelled_out(short: str) -> str:
    """The word a qualifier or catch-all word shortened to ``short`` (``org_key`` letters, 4 or
    more, written with a period) stands for: the shortest word of ``GENERIC_WORDS``, else of
    the catch-all words, that starts with it (``allg`` -> ``allgemein``, ``sonst`` ->
    ``sonstige``, ``privatpers`` -> ``privatperson``: x39r1 F1, ``Privatpersonen allg.``
    was a real name); ``short`` itself when it is a word of the lists or stands for none."""
    known = CATCH_ALL_WORDS | GENERIC_WORDS | _HONORIFICS | _ADDRESS | _JOIN
    if short in known:
        return short
    for words in _SPELLED:
        for w in words:
            if w.startswith(short):
                return w
    return short


# the qualifiers that say "general / various / other" (not a channel, place or article): what
# a short word after a catch-all word may stand for (``Clientes gral.``; ``Kunden Int.`` is
# no ``Internet``, ``Kunden Ges.`` no ``generales``)
_MISC_QUALIFIERS = tuple(sorted(
    frozenset({"diverse", "diverser", "divers", "diverses", "sonstige", "sonstiger", "sonstiges",
               "verschiedene", "uebrige", "weitere", "allgemein", "allgemeine", "general",
               "generic", "various", "misc", "miscellaneous", "sundry", "sundries", "other",
               "others", "vari", "varie", "varios", "varias", "diversos", "diversas", "diversi",
               "generales", "generale", "overige"})
    | MORE_GENERIC | {w for w in WORLD["generic"] if len(w) >= 4}, key=lambda w: (len(w), w)))


@lru_cache(maxsize=4096)
def _qualifier_spelled(short: str) -> str:
    """The "general / various / other" qualifier (``_MISC_QUALIFIERS``) a shortened word
    ``short`` (``org_key`` letters, after a catch-all word) stands for: the shortest that
    starts with it (``gen`` -> ``general``, ``var`` -> ``various``), or, for 4 letters or
    more, that keeps its letters in order from its first to its last (``gral`` ->
    ``general``, ``grales`` -> ``generales``: the Spanish way of shortening); ``short``
    itself when none does or it is a word of the lists (``Sra.``)."""
    if short in CATCH_ALL_WORDS | GENERIC_WORDS | _HONORIFICS | _ADDRESS | _JOIN:
        return short
    for w in _MISC_QUALIFIERS:
        if w.startswith(short):
            return w
    for w in _MISC_QUALIFIERS:
        it = iter(w)
        if len(short) >= 4 and w[0] == short[0] and w[-1] == short[-1] \
                and all(c in it for c in short):
            return w
    return short


def _spell_out(name: str) -> str:
    """``name`` with each word shortened with a period spelled out: of 4 letters or more
    (``allg.``, ``sonst.``) by ``_spelled_out``; a people word of 2-3 letters
    (``_SHORT_PEOPLE``: ``Kd.``, ``Cli.``) anywhere; and after another word, a qualifier
    whose letters it keeps in order (``_qualifier_spelled``: ``Clientes gral.``, ``Clienti
    gen.``; f39k). A first word of 2-3 letters is left (``Int. Kunden Service``: an
    International), and so is a legal form (``Inc.``, ``Corp.``)."""
    def one(m: re.Match[str]) -> str:
        if legal_form("x " + m[0]):
            return m[0]
        short = org_key(m[1])
        if short in _SHORT_PEOPLE:
            return _SHORT_PEOPLE[short] + " "
        after = bool(name[:m.start()].strip())
        full = _spelled_out(short) if len(short) >= 4 else short
        if full == short and after and short:
            full = _qualifier_spelled(short)
        return m[0] if full == short else full + " "
    return _ABBREVIATED_WORD.sub(one, name)


def _not_given(name: str) -> str:
    """``name`` with each "not given" letter run (``_NOT_GIVEN_LETTERS``: ``k.A.``, ``o. A.``,
    ``n/a``, ``s/d``, ``n.v.``, ``s.n.``) read as ``unknown`` (f39k, x39r4 F2), but a
    capital ``N.V.`` after a word, the legal form (``_LEGAL_LETTERS``, f40c)."""
    def one(m: re.Match[str]) -> str:
        letters = "".join(g.lower() for g in m.groups() if g)
        if letters in _LEGAL_LETTERS and m[0].upper() == m[0] and name[:m.start()].strip():
            return m[0]  # Klant N.V., Philips N.V.: the legal form
        return " unknown " if letters in _NOT_GIVEN_LETTERS else m[0]
    return _LETTER_RUN.sub(one, name)


def _head_noun(word: str) -> bool:
    """Whether ``word`` (an ``org_key`` token of ``word_places``) is an English common noun
    (``HEAD_WORDS``, picked by hand): after a singular English people word it is the noun that
    word qualifies (``Customer Alliance``). A town's or person's name is none, however often
    English writes it (f40c: ``Customer Miami`` was real by wordfreq's count, ``Customer
    Denver`` a catch-all)."""
    return word in HEAD_WORDS


def _qualifier(words: list[str], i: int, after_people: bool = False,
               modifier: bool = False, body: bool = False) -> int:
    """How many words from ``words[i]`` say which of several catch-alls a name is, not whose:
    a number, a year or a roman numeral (``Privatkunden 2``, ``Diverse Kunden 2024``,
    ``Walk-in Customers II``) or a place (``places``: ``Privatkunden Berlin``, ``Kunden
    Schweiz``, ``Privatkunden AT``, ``Walk-in Customers New York``); a city named as a word
    (``word_places``: ``Privatkunden Halle``, ``Kunden Gera``, ``Customers Reading``) only
    ``after_people`` (the catch-all word before it names people: ``_PEOPLE``) and as the
    name's last word (numbers aside), and not as the head noun a ``modifier`` (a singular
    English people word right before it, ``_MODIFIERS``) qualifies: ``Privat Bank``,
    ``Kunden Halle Service``, ``Customer Alliance``, ``Client Mobile`` stay real
    (``Customers Mobile``, ``Customer - Mobile``: a place), nor a body of people
    (``_BODIES``) ending the name after an English people word alone (``body``: ``Consumers
    Union``, ``Clients Alliance``), nor a city that is an English common noun after a
    ``modifier`` (``HEAD_PLACES``: ``Customer Phoenix``, ``Client Gold``; f39c); a single
    letter ending the name ``after_people`` is a placeholder, as a number (``Client A``,
    ``Kunde C``: f39c); 0 when ``words[i]`` is none."""
    if words[i].isdigit() or words[i] in _ROMAN or is_period(words[i]):
        return 1  # ... or which part of the year (``2. Halbjahr``, ``Q3``: x36r2 F3)
    if after_people and _LETTER.fullmatch(words[i]) and i == len(words) - 1:
        return 1  # a placeholder letter, as a number (``Client A``, ``Kunde C``: f39c)
    if after_people and (n := label_words(words, i)):
        return n  # a label letter and a number (``Customer B2``: x40r3 F1)
    if (n := _place_at(words, i)) > 1:
        return n  # Den Haag, La Spezia, Bad Homburg: an article or prefix first (x40r4 F3)
    if after_people and (c := compass_at(words, i, _place_at)):
        return c  # Sud-Ouest, Zona Norte, Noord-Holland, Nordwest (f41d)
    if after_people and (t := tail_after(words, i + 1, False)):
        return 1 + t  # Rothenburg ob der Tauber, Castelnuovo del Garda: a long form (f41d)
    if words[i] in CATCH_ALL_WORDS or words[i] in GENERIC_WORDS:
        return 0
    if after_people and _demonym(words[i]):
        return 1  # süddeutsch, parisiens, milanesi: the place's adjective (f41d)
    if after_people and words[i] in REGION_NOUNS and i + 2 == len(words) \
            and (_demonym(words[i + 1]) or _place_at(words, i + 1)):
        return 2  # País Vasco, Comunidad Valenciana, Regione Lombardia (f41k)
    if modifier and words[i] in HEAD_PLACES and i == len(words) - 1:
        return 0  # Customer Phoenix, Client Gold: the noun the name is (f39c)
    if n:
        return n
    if after_people and words[i] in word_places() \
            and all(w.isdigit() or w in _ROMAN or (j == len(words) - 1 and _code(w))
                    for j, w in enumerate(words[i + 1:], i + 1)) \
            and not (modifier and _head_noun(words[i])) \
            and not (body and words[i] in _BODIES and i == len(words) - 1):
        return 1
    return 0


@lru_cache(maxsize=1)
def _place_starts() -> frozenset[str]:
    """The first two words of each place of three or more (``bad homburg`` of ``bad homburg
    vor der hoehe``, ``la baule`` of ``la baule escoublac``): a town is written by them
    (x40r4 F3: ``Kunde Bad Homburg`` was read as a real name)."""
    return frozenset(" ".join(p.split()[:2]) for p in places() if p.count(" ") >= 2)


def _code(word: str) -> bool:
    """Whether ``word`` is a state / country code of ``places`` (``fl``, ``tx``, ``at``)."""
    return len(word) == 2 and word in places()


def _place_at(words: list[str], i: int) -> int:
    """How many words from ``words[i]`` name a place, 0 if none: a name of ``places`` or
    ``REGIONS`` (islands, regions, former towns, a short name: ``Sylt``, ``Bay Area``,
    ``Wanne-Eickel``, ``Den Bosch``) of up to ``_PLACE_WORDS`` words, written with its first
    word shortened (``PLACE_SPELLINGS``: ``St. Ingbert``), as one word (``San Remo``:
    ``sanremo``) or by the first two words of a longer one (``_place_starts``: ``Bad
    Homburg``), and a state / country code right after it ending the name (``Miami FL``;
    x40r4 F3: 16 such names merged)."""
    known = places()
    formed = _FORMED.get()
    found = 0
    for n in range(min(max([_PLACE_WORDS, *map(_words_in, formed)]), len(words) - i), 0, -1):
        phrase = words[i:i + n]
        spellings = [" ".join(phrase)] + [" ".join([long, *phrase[1:]])
                                          for long in PLACE_SPELLINGS.get(phrase[0], ())]
        if spellings[0] in formed or (n <= _PLACE_WORDS and (
                any(p in known or p in REGIONS for p in spellings)
                or (n == 2 and ("".join(phrase) in known or spellings[0] in _place_starts()))
                or (n == 1 and prefixed_place(phrase[0], _is_place)))):
            found = n  # (Rhein-Main, Lindau (Bodensee), Oberbayern: f41k)
            break
    if found and i + found == len(words) - 1 and _code(words[-1]):
        return found + 1  # Customer Miami FL, Boston, MA
    if found and i + found == len(words) - 1 and (words[-1] in COMPASS_ADJECTIVES
                                                  or words[-1] in COMPASS):
        return found + 1  # Italia Centrale, Italia Meridionale, Bayern Nord (f41k)
    if found:  # Bad Homburg vor der Höhe, Frankfurt am Main: a long form (f41d)
        return found + tail_after(words, i + found, True)
    return found


def _words_in(phrase: str) -> int:
    return phrase.count(" ") + 1


# the places the name being read names by their form (``catch_all_regions.formed_places``:
# ``Rhein-Main``, ``Lindau (Bodensee)``), set by ``_named`` while it reads that name
_FORMED: ContextVar[frozenset[str]] = ContextVar("formed_places", default=frozenset())


def _is_place(name: str) -> bool:
    """Whether ``name`` (``org_key`` spelling) is in ``places``, ``word_places`` or
    ``REGIONS``."""
    return name in places() or name in word_places() or name in REGIONS


@lru_cache(maxsize=4096)
def _demonym(word: str) -> bool:
    """``catch_all_regions.demonym`` over the place lists (``parisiens``, ``muenchner``)."""
    return demonym(word, _is_place)


def _town_first(words: list[str]) -> bool:
    """Whether ``words`` (``org_key`` tokens of an org's name with no legal form; a person's
    first name is often a town's, ``Anna Käufer``) are a place, then
    a catch-all naming people (``Miami Customers``, ``Bremen Kunden``, ``Utrecht klanten``:
    x40r4 F3), the place said first as the town's customers are; a singular customer word
    after the place is a firm's name (``Miami Customer Care``: ``_ONE_CUSTOMER``)."""
    n = _place_at(words, 0) or (1 if words and (words[0] in word_places()
                                                or _demonym(words[0])) else 0) \
        or compass_at(words, 0, _place_at)  # Münchner Kunden, Nordwest Kunden (f41d)
    return 0 < n < len(words) and words[n] in _PEOPLE and words[n] not in _ONE_CUSTOMER \
        and _named(" ".join(words[n:]), "org")


@lru_cache(maxsize=65536)  # an account's org / person names, read by each plan and night
def named_catch_all(name: str, kind: str = "org") -> bool:
    """Whether an org / person ``name`` (as Pipedrive holds it) says many customers or no one:
    its ``org_key`` is in ``CATCH_ALL_NAMES`` (``CATCH_ALL_PERSON_NAMES`` for ``kind``
    ``"person"``), or it is made of ``CATCH_ALL_WORDS`` only, with at least one that says a
    customer / no one (or a negation and another such word: ``Sin nombre``), once
    ``GENERIC_WORDS`` (and a branch number after ``Store`` / ``Filiale``...) are set aside
    and, after the first catch-all word, the numbers, years and places that say which of
    several catch-alls it is (``_qualifier``). A name with a legal form (``Kunde 3 GmbH``) is
    a registered company's: its numbers and places are part of it; a legal form typed on a
    name of catch-all words only keeps it a catch-all (``Privatkunden GmbH``: a label, and a
    real company so named costs a review where a label read as real costs a wrong merge),
    while a firm named after its owners is real (``Kunden & Co. KG``: x38r2 F10). ``Privatkunden (allgemein)``,
    ``Walk in Customers Store 2``, ``Privatkunden Berlin``, ``Diverse Kunden 2024``,
    ``Clientes finales``, ``N.N.``: True; ``Privat Bank AG``, ``Unknown Worlds
    Entertainment``, ``Max Unbekannt`` (a word before the catch-all word): False.
    Each of ``catch_all_world.readings`` is read (``Частные клиенты`` as ``Chastnye
    klienty``); a short abbreviation before a bracketed catch-all (``P.K. (Privatkunden)``)
    and a name of forms of address only (``Sir or Madam``, ``Mr/Mrs``) are catch-alls."""
    if _OWNERS_FIRM.search(name):
        return False  # Kunden & Co. KG: a firm named after its owners (x38r2 F10)
    for bare in without_notes(name):  # Privatkunden (alt), Max Mustermann - Test (x41r2)
        if no_name_marked(bare):
            return True  # -, ???, #NV, undefined: a mark where no name was given (f40c)
        if any(placeholder(reading, kind) or _named(reading, kind)  # ---, x, asdf: f40f
               or _joined_catch_all(reading, kind) for reading in readings(bare)):
            return True
        if script_catch_all(bare):  # 散客, お客様, 개인 고객, عملاء أفراد (x42r2 F2)
            return True
    return False


# what a joined catch-all may end in: a people or "no one" word of a language that joins
# words (``JOINING_WORDS``), or of the core German / Dutch / Nordic ones
_JOINED_TAILS = (_COMPOUND_TAILS | JOINING_WORDS | frozenset({
    "gast", "gaeste", "privatkunde", "privatkunden", "laufkunde", "laufkunden", "endkunde",
    "endkunden", "interessent", "interessenten", "eindklant", "eindklanten", "consument",
    "consumenten", "particulieren", "bestellungen", "anfragen", "kontakte", "verkopen",
    "verkaeufe"})) & CATCH_ALL_WORDS


def _joined_catch_all(name: str, kind: str) -> bool:
    """Whether one word of ``name``, written as German, Dutch and the Nordic languages join
    words, is a catch-all once split before its last part (``Hotelgäste`` as ``Hotel
    gäste``, ``Webshopbestellungen``, ``Praxispatienten``, ``Vereinsmitglieder`` with its
    joining ``s``: x42r6 F2, read as real names while ``Hotel Gäste`` was a catch-all). The
    last part (or the first, before a generic word: ``Kundenkartei``, ``Gästeliste``) is a
    people or "no one" word of a language that joins words
    (``_JOINED_TAILS``: ``Webclients`` is a brand), of 4 letters or more, the first of 3
    or more; the split name must read as a catch-all by ``_named``, and a name with a
    legal form is a firm's (``Kundendienst``,
    ``Gästehaus``, ``Netzkunden GmbH`` stay names)."""
    if legal_form(name):
        return False  # Privatkunden Halle GmbH: a registered firm's words are its name
    words = org_key(name).split()
    for i, word in enumerate(words):
        for n in range(3, len(word) - 3):
            if word[:n] in _JOINED_TAILS and word[n:] in GENERIC_WORDS and len(word[n:]) >= 4 \
                    and _named(" ".join([*words[:i], word[:n], word[n:], *words[i + 1:]]),
                               kind):
                return True  # Kundenkartei, Gästeliste: the people first, then their file
            if word[n:] not in _JOINED_TAILS or word[n:] in GENERIC_WORDS:
                continue
            # the first part, without its joining ``s`` (``Vereins``-mitglieder), and with
            # the letter a triple consonant dropped (``Nettbutik``-kunder: nettbutikk)
            heads = {word[:n], word[:n - 1] if word[n - 1] == "s" else word[:n],
                     word[:n] + word[n] if word[n - 1] == word[n] else word[:n]}
            for head in heads:
                if _named(" ".join([*words[:i], head, word[n:], *words[i + 1:]]), kind):
                    return True
    return False


# what a record's name carries besides the name (x41r2: ``Privatkunden (alt)``, ``Walk-in
# customers - old``, ``Max Mustermann - Test``, ``nil 2``, ``*nil*``: 95 of 120 such pairs of
# catch-alls merged, the note read as part of a real name): that the record is old, a copy, a
# test, not to be used, or which one of several (a number); ``org_key`` spelling
_NOTE_WORDS = frozenset({
    "alt", "alte", "alter", "altes", "old", "older", "archiv", "archive", "archived",
    "archiviert", "inaktiv", "inactive", "inactivo", "inattivo", "inactief", "kopie", "copy",
    "copie", "copia", "kopia", "duplicate", "duplikat", "dublette", "doppelt", "doublon",
    "duplicado", "duplicato", "dubbel", "dubbele", "ancien", "ancienne", "viejo", "vieja",
    "antiguo", "vecchio", "vecchia", "oud", "oude", "neu", "neue", "new", "nouveau",
    "nouvelle", "nuevo", "nueva", "nuovo", "nuova", "nieuw", "nieuwe", "test", "testing",
    "tests", "demo", "prova", "prueba", "essai", "dummy", "deleted", "geloescht", "obsolete",
    "veraltet", "temp", "tmp", "draft", "entwurf", "unused", "backup", "legacy", "merged",
    "zusammengefuehrt", "closed", "geschlossen", "bitte", "please", "loeschen", "delete",
})
# "do not use" in the languages of the lexicon (``- bitte nicht verwenden``, ``(do not use)``)
_DO_NOT_USE = re.compile(
    r"(?:bitte |please |pls )?(?:do not|dont|don t|not|nicht|ne pas|no|non|niet|nao|nie)"
    r"(?: mehr| more| longer)? (?:use|used|verwenden|benutzen|nutzen|utiliser|usar|usare"
    r"|utilizzare|gebruiken|utilizar|uzywac)(?: mehr| more| anymore)?")
_NOTE_BRACKETED = re.compile(r"(.*?\S)\s*[(\[{<]([^()\[\]{}<>]*)[)\]}>][\W_]*")
_NOTE_SEPARATED = re.compile(  # Walk-in customers - old, Max Mustermann / Test, X: do not use
    r"(.*\S)(?:\s+[-\u2013\u2014/|:~]+|[\u2013\u2014/|:~]+|,)\s*([^-\u2013\u2014/|:~,]+?)[\W_]*")
_NOTE_ATTACHED = re.compile(r"(.*\w)-([^\W\d_]+)")  # Mustermann-Test: a note word only
_NOTE_JOINED = re.compile(r"(.*\w)[_.;]+([^\W\d_]+|\d+)[\W_]*")  # Privatkunden_alt, Unknown.old
# a sort prefix that files a record last or first in a list (x41r5 F1: ``zz Privatkunden``,
# ``ZZ_Privatkunden``, ``00 Privatkunden``, ``!!! Privatkunden``)
_SORT_PREFIX = re.compile(r"(?i)(?:z{2,}|x{2,}|0{2,}|[_.!#*~-]+)[\s_.:-]*(\w.*)")
_NOTE_LAST = re.compile(r"(.*\S)\s+(#?\d{1,4}|[^\W\d_]+)[\W_]*")  # Max Mustermann TEST, nil 2
_NOTE_FIRST = re.compile(  # TEST - Max Mustermann, [Test] Privatkunden, Test Max Mustermann
    r"[\W_]*[(\[{<]?\s*([^\W\d_]+)(?:\s*[)\]}>]\s*[-\u2013\u2014:/|]*\s*"
    r"|\s*[-\u2013\u2014:/|]+\s*|\s+)(\w.*)")
_DECORATED = re.compile(r"[\W_]*(\w(?:.*\w)?)[\W_]*")  # *nil*, nil., nil !, nil /
_SEPARATORS = " \t-\u2013\u2014/|:~,"  # left at a name's end once its note is set aside
_MAIL = re.compile(r"([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")  # max.mustermann@example.com


def _note(text: str) -> bool:
    """Whether ``text`` (what follows or precedes a name, brackets and separators removed) is a
    note about the record rather than part of its name: note words (``alt``, ``copy``,
    ``test``, ``archived``) and numbers only, or "do not use"."""
    key = org_key(text)
    if not key:
        return not any(c.isalnum() for c in text)
    return all(w in _NOTE_WORDS or w.isdigit() for w in key.split()) \
        or _DO_NOT_USE.fullmatch(key) is not None


@lru_cache(maxsize=65536)
def without_notes(name: str) -> tuple[str, ...]:
    """``name`` and each form of it with its notes set aside (at most 12 strings, ``name``
    first): a bracketed note or one after a dash, slash, colon or comma (``Privatkunden
    (alt)``, ``Walk-in customers - archived``, ``Max Mustermann / Test``, ``Kunde - bitte nicht
    verwenden``), a note word or number last or first (``John Doe DEMO``, ``nil 2``, ``Test
    Max Mustermann``, ``TEST - Max Mustermann``), one joined by a hyphen (``Erika
    Mustermann-Test``), marks around the name (``*nil*``, ``nil.``), and an e-mail address's
    local part (``max.mustermann@example.com``); a note joined by ``_``, ``.`` or ``;``
    (``Privatkunden_alt``) and a sort prefix (``zz``, ``ZZ_``, ``00``: x41r5). A name is a
    catch-all when one of these is:
    a note never makes a real name of a catch-all (x41r2), and setting one aside from a real
    name leaves a real name (``Test Valley Ltd``, ``Demo Day Events Ltd``)."""
    found = [name]
    i = 0
    while i < len(found) and len(found) < 12:
        text = found[i].strip()
        i += 1
        bare: list[str] = []
        for pattern, keep, note in ((_NOTE_BRACKETED, 1, 2), (_NOTE_SEPARATED, 1, 2),
                                    (_NOTE_LAST, 1, 2), (_NOTE_FIRST, 2, 1)):
            if (m := pattern.fullmatch(text)) and _note(m[note]):
                bare.append(m[keep])
        for pattern in (_NOTE_ATTACHED, _NOTE_JOINED):
            if (m := pattern.fullmatch(text)) and (org_key(m[2]) in _NOTE_WORDS
                                                   or m[2].isdigit()):
                bare.append(m[1])
        if m := _SORT_PREFIX.fullmatch(text):
            bare.append(m[1])
        if (m := _DECORATED.fullmatch(text)) and m[1] != text:
            bare.append(m[1])
        if m := _MAIL.fullmatch(text):
            bare.append(re.sub(r"[._+-]+", " ", m[1]))
        bare = [b.strip(_SEPARATORS) for b in bare]
        found.extend(b for b in bare if b and b not in found)
    return tuple(found[:12])


def _named(name: str, kind: str) -> bool:
    """``named_catch_all`` for one reading of a name."""
    formed = frozenset(p for p in formed_places(name, org_key, _is_place)
                       if not any(w in _PEOPLE or w in FIRM_WORDS for w in p.split()))
    token = _FORMED.set(formed)  # Rhein-Main, Lindau (Bodensee): places by form (f41k)
    try:
        return _named_as(name, kind)
    finally:
        _FORMED.reset(token)


def _named_as(name: str, kind: str) -> bool:
    name = mark_empty(name)  # (leer), [empty], -- blank --: unknown (f40c)
    if (m := _ABBREVIATED.fullmatch(name)) and _named(m[2], kind):
        short = org_key(m[1]).split()
        if (len(short) <= 3 and all(len(w) <= 3 for w in short)) or _named(m[1], kind):
            return True  # P.K. (Privatkunden): the letters the bracket spells out
    if kind == "person" and (m := _INITIAL_AND_NAME.fullmatch(name)) \
            and org_key(m[1]) not in _NOBODY and not _LETTER_RUN.fullmatch(name):
        return False  # A. Kunde, J. Klant: an initial and a surname (Mr. Unknown: no one)
    name = _not_given(name)  # k.A., o.A., n/a, s/d (f39k)
    joined = org_key(_JOINED.sub(" or ", name)).split()  # Frau o. Herr, Mme/M. (x39r1)
    name = _spell_out(name)  # Privatkunden allg., Kunden sonst. (x39r1 F1)
    for abbreviated, word in _ABBREVIATIONS:  # Kunden o. Firma, Customers w/o company
        name = abbreviated.sub(word, name)
    key = org_key(re.sub(r"\((?:e?n|s)\)", "", name))  # Einzelkunde(n), Customer(s)
    key = _OVER_THE_COUNTER.sub("counter", key)
    key = _HELLO_PHRASES.sub(lambda m: m[0].replace(" ", "_"), key)  # Guten Tag
    if key in (CATCH_ALL_PERSON_NAMES if kind == "person" else CATCH_ALL_NAMES):
        return True
    words = key.split()
    if kind == "person" and words and words[0] in _HELLO \
            and all(w in _HELLO or w in _EVERYONE for w in words):
        return True  # Hallo, Guten Tag, Hallo zusammen: a greeting, no one's name (x39r1)
    if words and all(w in _NEGATIONS for w in words) and _COMPANY_WORD.search(name):
        return True  # No company, Without company: org_key read "company" as the legal form
        # (a legal form's abbreviation is a firm's own: Ei GmbH, Ingen AB, x38r2 f38h)
    if _addressed(words) or _addressed(joined):
        return True  # Sir or Madam, Mr/Mrs, Damen und Herren: a placeholder
    registered = bool(legal_form(name))
    if not registered and _lead_bucket(words):
        return True  # Inbound Leads, Messe-Leads, Leadpool: a bucket of leads (x40r4 F1)
    if not registered and _import_bucket(words):
        return True  # Import 2024-03, Migrated contacts: what an import filed (x41r2)
    if not registered and words and any(w in _MARKET_WORDS for w in words) \
            and all(w in CHANNEL_WORDS or w in GENERIC_WORDS for w in words):
        return True  # Amazon Marketplace, eBay Marktplatz: the channel itself (x42r2 F2)
    if kind == "org" and not registered and _town_first(words):
        return True  # Miami Customers, Bremen Kunden: the town first (x40r4 F3)
    kept: list[str] = []
    channel = False  # a channel word set aside: the name must say who (``_WHO``)
    # a counter, cash or sundry word beside a sale word of its language: a counter sale
    # (``Vente comptoir``, ``Verkauf Theke``: f37d 3); a registered company's name is its own
    partners = frozenset() if registered else sale_partners(words)
    paired = False
    placed = False  # a place was read: an area word after it is its (Stuttgart Umgebung)
    i = 0
    while i < len(words):
        w = words[i]
        if w in partners:
            paired = True
            i += 1
            continue
        if w in _HONORIFICS:
            j = i + 1  # Mr. Unknown, Frau Unbekannt, Dr. Unknown, Sig.ra Sconosciuta
            while j < len(words) and (words[j] in _HONORIFICS or words[j] in _ADDRESS
                                      or words[j] in _JOIN):
                j += 1
            if j < len(words) and words[j] in _NOBODY:
                i = j  # (Herr Kunde, Dr. Oetker: a surname)
                continue
        if w in CHANNEL_WORDS and (kind == "org" or w not in _GIVEN_NAME_MARKETS):
            channel = True
            i += 1
            continue
        if w in _NAMED_GREETING and i + 1 < len(words) and _greets(w, words[i + 1]):
            i += 1  # Caro cliente, Milá zákaznice (Caro Kunde: a person, f39c)
            continue
        people = bool(kept) and (kept[-1] in _PEOPLE or _compound(kept[-1]))
        if people and not registered and w in AREA_WORDS and (
                placed or (i + 1 < len(words) and _qualifier(words, i + 1, True))):
            i += 1  # Kunden Raum Stuttgart, Customers Greater Boston, Stuttgart Umgebung
            continue
        if people and not registered and (w in PLACE_PREPOSITIONS or w in PREP_ARTICLES) \
                and (n := _after_preposition(words, i + 1, w in PREP_ARTICLES)):
            i += 1 + n  # Klant uit Utrecht, Customers from Boston (x40r4 F3)
            placed = True  # Kunden aus dem Allgäu, Clienti della Toscana (f41k)
            continue
        if kept and not registered and i + 1 < len(words) and (n := _place_at(words, i)) > 1:
            i += n  # Klant Den Haag, Cliente La Spezia: before the article is set aside
            placed = True
            continue
        if w in GENERIC_WORDS and not (w == "no" and i + 1 < len(words)
                                       and not words[i + 1].isdigit()):
            i += 1
            continue
        if w.isdigit() and i > 0 and words[i - 1] in _NUMBERED:
            i += 1
            continue
        alone = kept == [words[i - 1]] and _PLAIN.fullmatch(name) is not None
        modifier = alone and kept[0] in _MODIFIERS
        body = alone and kept[0] in _ENGLISH_PEOPLE
        if kept and not registered and (n := _qualifier(words, i, people, modifier, body)):
            i += n
            placed = True  # (a number too: an area word after one is no more a name's)
            continue
        if w not in CATCH_ALL_WORDS and not _compound(w):
            return False
        kept.append(w)
        i += 1
    if paired and kept:  # the sale word is among them: a counter / cash / sundry sale
        return True
    if registered and kept and all(w in WORLD["like"] for w in kept):
        return False  # Fisica Srl, Magan Kft: an adjective alone names a registered company
    if registered and kept and all(w in WORLD["trade"] for w in kept):
        return False  # Misafir Otel A.S., Gjest Hotell AS: guests / orders name a business
    if registered and len(kept) == 1 and kept[0] in _ONE_CUSTOMER:
        return False  # The Customer Company: one customer, in the singular (x39r1)
    if channel and not registered and kept and all(w in SALE_WORDS or w in WORLD["sold"]
                                                   for w in kept):
        return True  # eBay Verkäufe, Barverkäufe Laden: a channel's sales, its buyers' (x43r2)
    if channel and not any(w in _WHO or _compound(w) for w in kept):
        return False  # Cash & Carry Wuppertal: a store's name
    return bool(kept) and (any(w not in _CORE_OPTIONAL for w in kept)
                           or (len(kept) > 1 and any(w in _NEGATIONS for w in kept)
                               and not all(w in _NEGATIONS for w in kept)))  # Ei Ei Ei Ltd


# the articles after a preposition (``aus dem``, ``uit de``, ``in het``, ``de la``, ``of the``)
_ARTICLES = frozenset({"der", "dem", "den", "die", "das", "la", "le", "les", "l", "de", "het",
                       "the", "los", "las", "el", "il", "lo", "gli"})


def _after_preposition(words: list[str], i: int, with_article: bool) -> int:
    """How many words from ``words[i]`` (after a people word and a place preposition:
    ``PLACE_PREPOSITIONS``, or one written with its article, ``PREP_ARTICLES``: ``della``,
    ``im``) say where the customers are, 0 if none: a place (``_qualifier``), or an
    article (or the article the preposition carries) then a place, or one or two words
    ending the name (``aus dem Allgäu``, ``uit de Achterhoek``, ``della Toscana``, ``del
    País Vasco``, ``in het Noorden``: f41k; a region no list holds). Not a firm's word
    (``FIRM_WORDS``) nor a catch-all word."""
    if i >= len(words):
        return 0
    if n := _qualifier(words, i, True):
        return n
    j = i
    while j < len(words) - 1 and words[j] in _ARTICLES:
        j += 1
    if j == i and not with_article:
        return 0
    if j < len(words) and (n := _qualifier(words, j, True)):
        return j - i + n
    rest = words[j:]
    if 1 <= len(rest) <= 2 and all(w.isalpha() and w not in FIRM_WORDS
                                   and w not in CATCH_ALL_WORDS for w in rest):
        return len(words) - i
    return 0


def _lead_compound(word: str) -> bool:
    """Whether ``word`` (an ``org_key`` token) is a compound of a lead word: a lead word then
    a bucket word (``leadpool``, ``leadliste``, ``interessentenliste``) or a word of 3+ letters then ``leads``
    (``messeleads``, ``webleads``), as German and Dutch write them."""
    return any(word.startswith(lead) and word[len(lead):] in LEAD_BUCKETS
               for lead in (*LEAD_PLURALS, *LEAD_SINGULARS, "prospekt")) \
        or (word.endswith("leads") and len(word) >= 8)


def _lead_bucket(words: list[str]) -> bool:
    """Whether ``words`` (the ``org_key`` tokens of a name with no legal form) name a bucket of
    leads (x40r4 F1, f40k: 21 of 31 such names merged): a plural lead / prospect word
    (``LEAD_PLURALS``) or a compound of one (``_lead_compound``) with any other words — a
    source, channel, event or adjective (``Inbound Leads``, ``Leads - Website``, ``Prospects
    Messe``, ``Leads (neu)``) — or a singular one with bucket, generic or catch-all words and
    numbers only (``Lead Pool``, ``Lead freddi``); a firm's trade word (``FIRM_WORDS``:
    ``Leads Consulting``, ``Lead Belly Records``) names a company. A lead list a firm typed
    a legal form on is left to the other rules (``Hot Leads Marketing GmbH``, ``Lead Inc``)."""
    if not words or any(w in FIRM_WORDS for w in words):
        return False
    if any(w in LEAD_PLURALS or _lead_compound(w) for w in words):
        return True
    return any(w in LEAD_SINGULARS for w in words) and all(
        w in LEAD_SINGULARS or w in LEAD_BUCKETS or w in GENERIC_WORDS or w.isdigit()
        or is_period(w) for w in words)


# what an import or migration filed records under (x41r2: ``Import 2024-03``, ``Migrated
# contacts``: merged): an import word, then what was imported, where from, or when
_IMPORT_WORDS = frozenset({
    "import", "imported", "imports", "importiert", "importierte", "migration", "migrated",
    "migriert", "migrierte", "importe", "importes", "importados", "importado", "importada",
    "importadas", "importati", "importato", "importata", "geimporteerd", "upload",
    "uploaded", "sync", "synced", "importacion", "importation", "importazione", "importacao",
    "importeret", "importerad", "importert", "tuonti", "uebernahme", "ubernahme",
    "datenuebernahme", "datenubernahme", "migracion", "migrazione", "migratie"})
_IMPORTED = frozenset({
    "contacts", "kontakte", "kontakt", "contact", "contactos", "contatti", "contacten",
    "records", "data", "daten", "datensaetze", "leads", "deals", "organizations",
    "organisations", "orgs", "companies", "firmen", "accounts", "file", "datei", "batch",
    "run", "from", "aus", "von", "de", "du", "del", "van", "crm", "salesforce", "hubspot",
    "zoho", "pipedrive", "excel", "csv", "xlsx", "sheet", "list", "liste", "old", "alt",
    "altes", "legacy", "altdaten", "altsystem", "system", "bulk", "messe", "datos", "dati",
    "donnees", "gegevens", "bestand", "bestandsdaten", "manual", "manuell", "web", "api"})


def _import_word(word: str) -> bool:
    """Whether ``word`` says an import or a migration, alone or as a compound's last part
    (``Datenimport``, ``Messe-Import`` read as one word, ``Datenübernahme``)."""
    return word in _IMPORT_WORDS or (len(word) > 7 and word.endswith(
        ("import", "uebernahme", "ubernahme", "migration")))


def _import_bucket(words: list[str]) -> bool:
    """Whether ``words`` (the ``org_key`` tokens of a name with no legal form) name what an
    import filed records under: an import / migration word (``_import_word``), anywhere,
    with only what was imported, where from, or a date beside it (``Import 2024-03``,
    ``Migrated contacts``, ``CSV Import``, ``Altdaten Import``, ``Datenimport``,
    ``Importación 2021``, ``Bulk upload``; x41r5 F1: the word after another was missed)."""
    return any(_import_word(w) for w in words) and all(
        _import_word(w) or w in _IMPORTED or w.isdigit() or is_period(w) for w in words)


def _greets(word: str, following: str) -> bool:
    """Whether ``word``, a greeting that is also a first name (``NAMED_GREETINGS``: ``caro``,
    ``mila``, ``draga``), greets ``following``: a people word of its own language."""
    return any(word in greetings and following in people
               for greetings, people in NAMED_GREETINGS.values())


def _addressed(words: list[str]) -> bool:
    """Whether ``words`` (``org_key`` tokens) are forms of address only (joined by ``or`` /
    ``and`` in any language, ``_JOIN``), two of them, one at least two letters long — a
    one-letter one (``M.``, Greek ``K.``, ``G-n``) counts before another word, last it is an
    initial — or one with a word that fills an address (``dear``, ``sehr geehrte``; a
    greeting first, ``Szanowni Państwo``): ``Sir or Madam``, ``Mr/Mrs``, ``M./Mme``, ``Señor
    o Señora``, ``Κύριε Κυρία``; ``Dr. K``, ``Don``, ``Dr. Tai``, ``Dr. Gentile`` no."""
    if len(words) < 2 or not all(w in _HONORIFICS or w in _ADDRESS or w in _JOIN
                                 or w in _GREETING for w in words):
        return False
    titles = {w for n, w in enumerate(words)  # Mme ou M.: after a join, no initial (x39r1)
              if w in _HONORIFICS and (len(w) > 1 or n < len(words) - 1
                                       or (n > 0 and words[n - 1] in _JOIN))}
    filled = any(w in _ADDRESS or (n == 0 and w in _GREETING) for n, w in enumerate(words))
    return any(len(w) > 1 for w in titles) and (len(titles) >= 2 or filled)


Kind = str  # "org" | "person"


def catch_alls(deals: Iterable[tuple[DealRecord, str]]) -> dict[tuple[Kind, int], str]:
    """The catch-all org and person records among ``deals`` ((record, normalized title text)
    pairs: the whole account, or the nightly index), as ``{("org" | "person", id): why}``;
    ``why`` names the rule and the count (``org 9980 carries 57 open deals (the account's
    median is 3)``). A title rule is keyed ``("org:" + title, id)`` / ``("person:" + title,
    id)``: only that title's pairs are weak. Deleted deals count for nothing."""
    open_deals: dict[Kind, Counter[int]] = {"org": Counter(), "person": Counter()}
    live = [pair for pair in deals if pair[0].status != "deleted"]  # read twice
    titled: dict[tuple[Kind, int, str], set[object]] = {}  # -> the days deals were added
    names: dict[int, str] = {}
    persons: dict[int, str] = {}
    for d, title in live:
        for kind, rid in (("org", d.org_id), ("person", d.person_id)):
            if rid is None:
                continue
            if d.status == "open":
                open_deals[kind][rid] += 1
            if title:
                day = d.add_time.astimezone(UTC).date() if d.add_time is not None else d.id
                titled.setdefault((kind, rid, title), set()).add(day)
        if d.org_id is not None and d.org_name:
            names[d.org_id] = d.org_name
        if d.person_id is not None and d.person_name:
            persons[d.person_id] = d.person_name
    out: dict[tuple[Kind, int], str] = {}
    for kind, named in (("org", names), ("person", persons)):
        for rid, name in named.items():
            if named_catch_all(name, kind):
                out[(kind, rid)] = f"{CATCH_ALL}: {kind} {rid} is named {name!r}, a shared record"
    # an org's deals are counted by its normalized name, not its record: two records of one
    # name (``Radladen Nord`` and ``Radladen Nord GmbH``, an org entered twice) hold one
    # catch-all's deals between them (f37d 4: 2 + 2 days of one title, 20 + 20 open deals,
    # were no catch-all)
    same = _same_name(names)
    for kind, counts in open_deals.items():  # orgs first: a person's deals at a catch-all org
        if not counts:                        # count as deals with no org
            continue
        typical = median(counts.values())  # the account's typical record, not name
        bar = max(CROWDED_FLOOR, CROWDED_FACTOR * typical)
        other = "person" if kind == "org" else "org"
        pool = same if kind == "org" else {}
        pooled_open: Counter[object] = Counter()
        for rid, n in counts.items():
            pooled_open[pool.get(rid, rid)] += n
        crowded = {rid: pooled_open[pool.get(rid, rid)] for rid in counts
                   if pooled_open[pool.get(rid, rid)] > bar and (kind, rid) not in out}
        if not crowded:
            continue
        # the crowded records' (names') open deals: the other kind's record each names
        # (None: none, or a catch-all one) and their titles
        spread: dict[object, tuple[Counter[int | None], set[str]]] = {
            pool.get(rid, rid): (Counter(), set()) for rid in crowded}
        for d, title in live:
            rid, oid = (d.org_id, d.person_id) if kind == "org" else (d.person_id, d.org_id)
            if d.status != "open" or rid is None or pool.get(rid, rid) not in spread:
                continue
            others, titles = spread[pool.get(rid, rid)]
            others[None if (other, oid) in out else oid] += 1
            titles.add(title)
        for rid, n in crowded.items():
            if how := _spread(kind, *spread[pool.get(rid, rid)]):
                shared = _others_named(rid, pool, names) if rid in pool else ""
                out[(kind, rid)] = (f"{CATCH_ALL}: {kind} {rid} carries {n} open deals"
                                    f"{shared} (more than {bar:g}: {CROWDED_FACTOR}x the "
                                    f"account's median {typical:g} per {kind}, at least "
                                    f"{CROWDED_FLOOR}), {how}")
    pooled: dict[tuple[Kind, object, str], set[object]] = {}
    for (kind, rid, title), days in titled.items():
        pooled.setdefault((kind, same.get(rid, rid) if kind == "org" else rid, title),
                          set()).update(days)
    for (kind, rid, title), days in titled.items():
        total = pooled[(kind, same.get(rid, rid) if kind == "org" else rid, title)]
        if len(total) >= SAME_TITLE and (kind, rid) not in out:
            shared = "" if len(total) == len(days) else _others_named(rid, same, names)
            out[(f"{kind}:{title}", rid)] = (
                f"{CATCH_ALL}: {kind} {rid} carries deals titled {title!r} added on "
                f"{len(total)} different days{shared} (a copy is entered within a day or two)")
    _named_alike(live, names, persons, out)
    return out


def _named_alike(live: Iterable[tuple[DealRecord, str]], names: Mapping[int, str],
                 persons: Mapping[int, str], out: dict[tuple[Kind, int], str]) -> None:
    """Mark in ``out`` the org named like its deals' catch-all person, and the person named
    like its deals' catch-all org (x42r2 F2: org ``Hotel guests`` with person ``Guest``,
    ``Webshop Orders`` with ``Webshop Customer``: one side read as a catch-all, the other
    tied two customers' deals, merged unattended). An org shares a word with the person
    (``guest``, ``guests``; or ends in it, ``Pensionsgäste`` / ``Gast``: ``_alike``) and
    carries no legal form; a person's words are all the org's (``eBay Käufer`` at ``eBay
    Käufer``): a bucket and its placeholder, named alike. x43r2 F1 (13 of 46 such pairs
    merged): a person of one word with no e-mail and no phone (``DealRecord.person_keys``
    empty) at a catch-all org is a placeholder too (``Reisender``, ``Zimmer 12``: words no
    list holds); one with an e-mail or a phone, or a surname, stays a person."""
    seen: set[tuple[int, int]] = set()
    for d, _title in live:
        oid, pid = d.org_id, d.person_id
        if oid is None or pid is None or (oid, pid) in seen:
            continue
        seen.add((oid, pid))
        org, person = names.get(oid), persons.get(pid)
        if not org or not person:
            continue
        if ("person", pid) in out and ("org", oid) not in out and not legal_form(org) \
                and (_shared(_words4(person), _words4(org)) or _script_within(person, org)):
            out[("org", oid)] = (f"{CATCH_ALL}: org {oid} is named {org!r}, like its "
                                 f"catch-all person {person!r}, a shared record")
        elif ("org", oid) in out and ("person", pid) not in out \
                and (mine := _words4(person)) and _shared(mine, _words4(org)) == len(mine):
            out[("person", pid)] = (f"{CATCH_ALL}: person {pid} is named {person!r}, like "
                                    f"its catch-all org {org!r}, a shared record")
        elif ("org", oid) in out and ("person", pid) not in out and not d.person_keys \
                and len(org_key(person).split()) == 1 and not legal_form(person):
            out[("person", pid)] = (f"{CATCH_ALL}: person {pid} is named {person!r} alone, "
                                    f"no e-mail or phone, at catch-all org {org!r}: a "
                                    f"placeholder")


def _script_within(person: str, org: str) -> bool:
    """The person's name, in a script written without spaces or of short words (Han, Kana,
    Hangul, Thai, Arabic, Hebrew, Devanagari), within the org's (``客人`` in ``酒店客人``,
    ``투숙객`` in ``호텔 투숙객``: x42r6 F2)."""
    bare = "".join(person.split())
    return len(bare) >= 2 and _NON_LATIN.search(bare) is not None \
        and bare in "".join(org.split())


def _words4(name: str) -> frozenset[str]:
    """The words of ``name`` (``org_key``, every reading) of 4 letters or more."""
    return frozenset(w for reading in readings(name) for w in org_key(reading).split()
                     if len(w) >= 4)


def _alike(a: str, b: str) -> bool:
    """One word, or one with a plural or case ending of up to 3 letters more (``guest`` /
    ``guests``, ``Mitglied`` / ``Mitglieder``, ``customer`` / ``customers``), or the last
    part of a compound of 3 letters or more before it (``gast`` in ``pensionsgaste``,
    ``kunde`` in ``stammkunden``: x43r2 F1)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return any(long_[k:].startswith(short) and len(long_) - k - len(short) <= 3
               for k in (0, *range(3, len(long_) - len(short) + 1)))


def _shared(a: frozenset[str], b: frozenset[str]) -> int:
    """How many words of ``a`` have a word ``_alike`` in ``b``."""
    return sum(1 for w in a if any(_alike(w, v) for v in b))


def _same_name(names: Mapping[int, str]) -> dict[int, object]:
    """The org records of ``names`` (id -> name) that share a normalized name
    (``normalize.org_key``: no case, punctuation or legal form) with another, as id -> that
    name's key; a record alone under its name is left out."""
    by_key: dict[str, list[int]] = {}
    for rid, name in names.items():
        if key := org_key(name):
            by_key.setdefault(key, []).append(rid)
    out: dict[int, object] = {}
    for key, rids in by_key.items():
        forms = {rid: legal_form(names[rid]) for rid in rids}
        if len(set(forms.values()) - {()}) > 1:
            # two legal forms are two companies (``Müller GmbH``, ``Müller AG``: x37r3 F3,
            # 15 + 15 open deals pooled into a catch-all): the records of each form pool,
            # one with none stays alone (whose it is, is not known)
            groups: dict[object, list[int]] = {}
            for rid, form in forms.items():
                if form:
                    groups.setdefault(("name", key, form), []).append(rid)
        else:
            groups = {("name", key): rids}
        out.update((rid, pooled) for pooled, members in groups.items() if len(members) > 1
                   for rid in members)
    return out


def _others_named(rid: int, pool: Mapping[int, object], names: Mapping[int, str]) -> str:
    """`` with the other records named 'X'`` (and ``'Y'``, up to 3): the records ``rid``'s
    deals were counted with (x37r3 F3: the record's own name was said)."""
    theirs = sorted({names[o] for o, p in pool.items() if p == pool[rid] and o != rid})
    shown = " and ".join(repr(n) for n in theirs[:3]) + (" …" if len(theirs) > 3 else "")
    return f" with the other records named {shown}"


def _spread(kind: Kind, others: Counter[int | None], titles: set[str]) -> str:
    """How a crowded record's open deals are spread as a catch-all's are ("" when they are a
    key account's: a few named contacts, varied titles). ``others``: the persons (of an org)
    or orgs (of a person) its open deals name, None counting those naming none; ``titles``:
    their distinct normalized titles."""
    n = sum(others.values())
    other = "person" if kind == "org" else "org"
    named = n - others[None]
    distinct = len(others) - (None in others)
    if named * 2 < n:
        return f"{n - named} of them with no {other} (or a catch-all one)"
    if distinct > KEY_CONTACTS:
        return f"spread over {distinct} {other}s"
    if len(titles) * 2 < n:
        return f"under only {len(titles)} different titles"
    return ""


def weak(found: Mapping[tuple[Kind, int], str], kind: Kind, rid: int | None,
         title: str) -> str:
    """Why the ``kind`` record ``rid`` is weak evidence for a pair of deals titled ``title``
    (normalized text), or "" when it is a customer's own record."""
    if rid is None or not found:
        return ""
    return found.get((kind, rid)) or found.get((f"{kind}:{title}", rid)) or ""


__all__ = ["CATCH_ALL", "CATCH_ALL_NAMES", "CATCH_ALL_PERSON_NAMES", "CATCH_ALL_WORDS",
           "CROWDED_FACTOR", "CROWDED_FLOOR", "GENERIC_WORDS", "KEY_CONTACTS", "SAME_TITLE",
           "catch_alls", "named_catch_all", "weak"]
