"""The word classes ``catch_all.named_catch_all`` reads beside its core lists: what a
catch-all name may carry besides its catch-all words without becoming a real name.

x36r2 F3: ``Privatkunden 2. Halbjahr``, ``Kunden Sammelkonto``, ``Diverse Debitoren``,
``CPD Kunde``, ``Cliente genérico``, ``POS Customers NYC``, ``Cash & Carry Kunden``, ``Guest
checkout`` and persons ``Unbekannt (Laden)``, ``Mr. Unknown`` were read as real names (one
word not on the list: a period, an account, a channel, an honorific, or a synonym missing),
so their deals merged unattended. The lexicon is kept by class, in ``normalize.org_key``
spelling (no case, accents or punctuation; umlauts as ``ae`` / ``oe`` / ``ue``, ``ß`` as
``ss``), in German, English, French, Spanish, Italian and Dutch:

* ``PERIOD_WORDS`` / ``is_period``: which part of the year a catch-all is for (``Halbjahr``,
  ``Quartal``, ``Q3``, ``H1``, ``2.`` / ``2nd``, month names): a qualifier after a catch-all
  word, as a number or a year is;
* ``WHO_ACCOUNT_WORDS`` (a debtor account that names no one: ``Debitoren``, ``CPD``,
  ``Sammelkonto``, ``Einmalkunde``) say a catch-all alone; ``ACCOUNT_WORDS`` (``Konto``,
  ``account``) only beside another such word (``Customer account``; ``Key Account`` is a name);
* ``CHANNEL_WORDS``: where the customers bought (``POS``, ``Laden``, ``Kasse``, ``checkout``,
  ``Cash & Carry``): set aside only when the name also says who (``WHO``): ``Cash & Carry
  Kunden`` is a catch-all, ``Cash & Carry Wuppertal`` a store's name;
* ``HONORIFICS`` (``Mr``, ``Frau``, ``Sr``, ``Mme``...): set aside before a word that says
  no one (``NOBODY``: ``Mr. Unknown``); before any other word they start a real name
  (``Herr Kunde``: Kunde is a surname);
* ``SALE_CHANNELS`` / ``sale_partners``: a sale word and a counter, cash or sundry word
  of its own language (``Vente comptoir``, ``Venta mostrador``, ``Verkauf Theke``,
  ``Counter sales``, ``Ventes diverses``) say a catch-all together (f37d 3);
* ``MORE_WORDS`` / ``MORE_OPTIONAL``: walk-in, occasional, guest and cash-sale forms missing
  before (``Ladenkunde``, ``client occasionnel``, ``cliente invitado``, ``vendita``; an
  optional word needs a word of the lists beside it), ``MORE_GENERIC``: ``genérico`` and its
  forms, ``MORE_NAMES``: whole names (``Conto pro Diverse``, ``House account``);
* ``no_name_marked`` / ``mark_empty`` (f40c): what a form or a spreadsheet writes where no
  name was given — punctuation only (``-``, ``???``, ``...``), a spreadsheet's error value
  (``#NV``, ``#N/A``, ``#WERT!``), a system's (``undefined``, ``NaN``), and an "empty" word
  in brackets or between dashes (``(leer)``, ``[empty]``, ``-- blank --``): bracketed, a
  word for empty is a mark, bare it may be a name (``Leer`` is a town, ``Blank`` a surname).

Pure data and two predicates; no I/O.
"""

from __future__ import annotations

import re

from .catch_all_world import SALES, WORLD

# which half, quarter, month or week of the year (``2th``: ``words`` reads ``2.`` so)
_PERIOD_CODE = re.compile(
    r"(?:\d+(?:st|nd|rd|th|e|er|re|eme|ieme|o|a)|[qh][1-4]|hj[12]|kw\d{1,2}|fy\d{2,4}|\d{4}[qh][1-4])")
PERIOD_WORDS = frozenset({
    # German
    "halbjahr", "halbjahres", "quartal", "quartals", "jahr", "jahres", "monat", "monats", "woche",
    "hj", "kw", "januar", "jaenner", "februar", "maerz", "april", "mai", "juni", "juli", "august",
    "september", "oktober", "november", "dezember",
    # English
    "half", "year", "quarter", "month", "week", "semester", "trimester", "fy", "january",
    # the seasons a hotel's or a shop's bucket is kept by (Hotelgäste Sommer: x43r2 F1)
    "sommer", "winter", "fruehling", "fruehjahr", "herbst", "summer", "autumn", "zomer",
    "sommar", "vinter", "talvi", "kesa", "lato", "zima", "leto",
    "february", "march", "may", "june", "july", "october", "december",
    # French, Spanish, Italian, Dutch
    "semestre", "trimestre", "annee", "mois", "janvier", "fevrier", "mars", "avril", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre", "ano", "mes", "enero",
    "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre",
    "octubre", "noviembre", "diciembre", "anno", "mese", "gennaio", "febbraio", "aprile",
    "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre", "jaar", "halfjaar",
    "kwartaal", "maand", "januari", "februari", "maart", "mei", "augustus",
    "jan", "feb", "mrz", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "oct", "nov", "dez",
    "dec",
})


def is_period(word: str) -> bool:
    """Whether ``word`` (``org_key`` token) names a part of the year: ``PERIOD_WORDS`` or a
    code, ``q3``, ``h1``, ``hj2``, ``kw12``, ``fy2025``, ``2024q3``, an ordinal ``2th`` /
    ``2nd`` / ``2e`` / ``1er``."""
    return word in PERIOD_WORDS or _PERIOD_CODE.fullmatch(word) is not None


# a debtor account that names no one (SAP's CPD, "Conto pro Diverse"; a one-time customer)
WHO_ACCOUNT_WORDS = frozenset({
    "debitor", "debitoren", "sammeldebitor", "sammeldebitoren", "sammelkonto", "sammelkunde",
    "sammelkunden", "einmalkunde", "einmalkunden", "einmaldebitor", "einmaldebitoren", "cpd",
    "debtor", "debtors", "debiteur", "debiteurs", "deudor", "deudores", "debitore", "debitori",
    "debiteuren",
})
# account words that say catch-all only beside another catch-all word
ACCOUNT_WORDS = frozenset({"konto", "account", "accounts", "compte", "cuenta", "conto",
                           "rekening", "sammel"})
# where the customers bought: set aside only when the name says who (``WHO``)
CHANNEL_WORDS = frozenset({
    "pos", "laden", "ladengeschaeft", "kasse", "kassen", "theke", "tresen",
    "checkout", "carry", "till", "caisse", "magasin", "tienda", "caja", "negozio", "cassa",
    "winkel", "balie",
    # the counter in each language where the list had none (f37d 3: ``Klanten toonbank``,
    # ``Clienti bancone``, ``Kunden Ladentheke`` were real names)
    "ladentheke", "verkaufstheke", "toonbank", "bancone", "banconi",
    # where a pickup customer collects (f39k: ``Selbstabholer Lager``, ``Click & Collect Kunden``)
    "lager", "abholung", "click", "collect",
})
# the marketplaces whose buyers a shop files under one record (x41r2: ``Amazon Kunden``,
# ``eBay-Käufer``, ``Bol.com klanten``: 12 of 12 such pairs merged; x41r5: ``Otto Kunden``,
# ``Check24 Kunden``): channel words of org names only (``Otto Kunde`` is a person); ``Amazon
# Web Services`` and ``eBay GmbH`` say no one, so they stay names
MARKETPLACES = frozenset({
    "amazon", "ebay", "etsy", "shopify", "zalando", "kaufland", "allegro", "mercado",
    "libre", "mercadolibre", "bol", "aliexpress", "walmart", "cdiscount", "rakuten",
    "marketplace", "marktplatz", "marketplaces", "com",  # Bol.com: org_key reads "bol com"
    "otto", "idealo", "check24", "temu", "marktplaats", "fba", "cdon", "emag", "ozon",
})
CHANNEL_WORDS = CHANNEL_WORDS | MARKETPLACES
# counter, cash and sundry sales, per language: a sale word (``Vente``, ``Venta``,
# ``Verkauf``) with a word of its own language that says where or how a walk-in customer
# paid (``comptoir``, ``mostrador``, ``Theke``, ``contado``) or that the sales are sundry
# (``diverses``, ``varias``) names no customer: ``Vente comptoir``, ``Venta mostrador``,
# ``Verkauf Theke``, ``Vendita al banco``, ``Verkoop balie``, ``Venda balcão``, ``Counter
# sales``, ``Ventes diverses`` (f37d 3: read as real names, their deals merged). The pair
# must be of one language: ``banco`` is a counter beside ``vendita`` only (``Banco de
# Ventas``: a bank's name).
SALE_CHANNELS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "de": (frozenset({"verkauf", "verkaeufe"}),
           frozenset({"theke", "tresen", "ladentheke", "kasse", "laden", "ladengeschaeft",
                      "bar", "diverse", "sonstige", "verschiedene", "div"})),
    "en": (frozenset({"sale", "sales"}),
           frozenset({"counter", "till", "pos", "checkout", "cash", "misc", "miscellaneous",
                      "sundry", "sundries", "various"})),
    "fr": (frozenset({"vente", "ventes"}),
           frozenset({"comptoir", "caisse", "magasin", "boutique", "comptant", "divers",
                      "diverses", "passage"})),
    "es": (frozenset({"venta", "ventas"}),
           frozenset({"mostrador", "caja", "tienda", "contado", "varias", "varios",
                      "diversas", "diversos", "publico"})),
    "pt": (frozenset({"venda", "vendas"}),
           frozenset({"balcao", "caixa", "loja", "avulsa", "avulsas", "avulso", "diversas",
                      "diversos", "publico"})),
    "it": (frozenset({"vendita", "vendite"}),
           frozenset({"banco", "bancone", "banconi", "cassa", "negozio", "contanti", "contante",
                      "dettaglio", "varie", "diverse", "pubblico"})),
    "nl": (frozenset({"verkoop", "verkopen"}),
           frozenset({"balie", "toonbank", "kassa", "winkel", "contant", "contante",
                      "diversen", "diverse", "overige", "losse"})),
}
# ... and in the other languages of ``catch_all_world.txt`` (x38r2: ``Kontant salg``,
# ``Продажа за наличные``, ``Nakit satis``, ``Készpénzes eladás`` were real names)
for _lang, (_sale, _counter) in SALES.items():
    _had = SALE_CHANNELS.get(_lang, (frozenset(), frozenset()))
    SALE_CHANNELS[_lang] = (_had[0] | _sale, _had[1] | _counter)
SALE_WORDS = frozenset().union(*(sale for sale, _ in SALE_CHANNELS.values()))


def sale_partners(words: list[str]) -> frozenset[str]:
    """The words (``org_key`` tokens) that make a counter / cash / sundry sale of ``words``:
    the counter words of each language whose sale word ``words`` holds (``SALE_CHANNELS``);
    empty when it holds none."""
    found = set(words)
    return frozenset().union(*(partners for sale, partners in SALE_CHANNELS.values()
                               if sale & found))


# a form of address: set aside before a word that says no one (``NOBODY``)
HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "herr", "frau", "hr", "fr", "sr", "sra", "srta", "senor",
    "senora", "don", "dona", "m", "mme", "mlle", "monsieur", "madame", "sig", "sigra", "signor",
    "signora", "dhr", "mevr", "mw", "heer",
})
# catch-all words that say no one (not people of a kind): after an honorific they are a
# placeholder, ``Mr. Unknown``; ``Herr Kunde``, ``Mr. Guest`` may be a person's surname
NOBODY = frozenset({
    "unknown", "unbekannt", "unbekannte", "unbekannter", "unbekannten", "anonym", "anonyme",
    "anonymer", "anonymen", "anonymous", "nn", "nobody", "none", "unnamed", "inconnu",
    "inconnue", "desconocido", "desconocida", "anonimo", "anonima", "sconosciuto",
    "sconosciuta", "onbekend", "onbekende", "anoniem", "anonieme", "desconhecido",
    "desconhecida",
})
# more words a name that says "many customers" is made of, each enough alone
MORE_WORDS = frozenset({
    "gastkunde", "gastkunden", "ladenkunde", "ladenkunden", "kassenkunde", "kassenkunden",
    "thekenkunde", "thekenkunden", "tresenkunde", "tresenkunden", "onlinekunde", "onlinekunden",
    "webkunde", "webkunden", "shopkunde", "shopkunden", "barverkaeufe", "kassenverkauf",
    "thekenverkauf", "ladenverkauf", "kassaverkoop", "gastbestellung", "gastbestellungen",
    "walkup", "invite", "invites",
    "invitee", "invitees", "invitado", "invitados", "invitada", "invitadas", "ospite", "ospiti",
    "passanten", "gasten", "gelegenheitskaeufer", *WHO_ACCOUNT_WORDS,
    "lead", "leads",  # a CRM's prospective customers (f40c: ``Leads (unbekannt)``, ``Web Leads``)
}) | WORLD["sold"]  # Kontantsalg, Kassaförsäljning: a counter / cash sale in one word

# the people words among them (``catch_all._PEOPLE``: a city named as a word may follow)
MORE_PEOPLE = MORE_WORDS - frozenset({"barverkaeufe", "kassenverkauf", "thekenverkauf",
                                      "ladenverkauf", "kassaverkoop", "gastbestellung",
                                      "gastbestellungen", "walkup"}) - WORLD["sold"]
# ... and those that need one beside them (``Walk-up``: ``up`` alone says nothing)
MORE_OPTIONAL = frozenset({
    "up", *SALE_WORDS,
    "paso", "contante", "one", "time", "onetime", "drop", "occasional", "casual",
    "occasionnel", "occasionnels", "occasionnelle", "occasionnelles", "ocasional",
    "ocasionales", "eventual", "eventuales", "occasionale", "occasionali", "eenmalige",
    "eenmalig", "incidentele", *ACCOUNT_WORDS,
})
MORE_GENERIC = frozenset({
    "generico", "generica", "genericos", "genericas", "generique", "generiques", "generiek",
    "generieke", "generici", "generiche", "generisch", "generische", "generischer", "diversen",
})
# English common nouns that ``places.txt`` holds as a city (of 500,000+, or another name of
# one of 100,000+): right after a singular English people word alone, ending the name, the
# head noun of a real name (``Customer Phoenix``, ``Client Gold``, ``Customer Export``), as a
# ``word_places`` noun is (f39c: ``Customer Phoenix`` was held as the catch-all of Phoenix,
# Arizona, while ``Customer Beacon`` was not). Picked by hand from the 547 one-word names of
# places.txt English writes at Zipf >= 3.3 (wordfreq ``small``): those read first as a
# common noun or adjective; countries, states, regions and words read first as a place
# (Houston, Berlin, Jersey, Turkey, Victoria) are left out, and stay a place
HEAD_PLACES = frozenset({
    "phoenix", "gold", "export", "dining", "lion", "tango", "logos", "genes", "tunes", "inland",
    "pristine", "reunion", "soul", "zion", "vine", "lime", "rest", "sea", "bar", "van", "arm",
    "tip", "pet", "pan", "log", "dual", "bug", "jam", "dam", "ham", "cab", "gum", "hail", "lone",
    "cod", "ant", "tub", "rim", "nap", "cue", "ark", "gin", "pest", "sap", "vat", "cub", "limo",
    "deli", "canton", "mecca", "man", "boy", "guy", "dad", "lad", "part",
})

# English common nouns that ``word_places`` holds as a town (under 500,000 people, its name
# also a word): right after a singular English people word alone, the head noun of a real
# name (``Customer Alliance``, ``Client Mobile``, ``Customer Beacon``), as a ``HEAD_PLACES``
# noun is. f40c: picked by hand, as ``HEAD_PLACES`` was, from the 608 one-word names of
# word_places.txt English writes at Zipf >= 3.3 (wordfreq ``small``) — before, every one of
# them was a head noun, and wordfreq counts a proper name as a word: ``Customer Miami``,
# ``Customer Orlando``, ``Customer Dover`` were real names while ``Customer Denver`` (a
# city of places.txt) was a catch-all. Kept: nouns English writes in lower case and reads
# first so (``reading``, ``bath``, ``union``, ``eden``); left out, and so a place: towns'
# and people's names (Miami, Tampa, Jackson, Madison, Dover), brands, adjectives
# (``nice``, ``golden``) and plurals (``tours``, ``springs``)
HEAD_WORDS = frozenset({
    "act", "alliance", "anchorage", "anthem", "apex", "aurora", "badger", "bag", "bale",
    "bat", "bath", "bay", "beacon", "bear", "bell", "bend", "bio", "bone", "boom",
    "boulder", "buffalo", "bun", "bush", "caller", "centennial", "cocoa", "coin", "colon",
    "colony", "concord", "cork", "cove", "cow", "crystal", "date", "day", "deal",
    "defiance", "delta", "derby", "dig", "dole", "drama", "drug", "eagle", "eden", "ego",
    "elk", "enterprise", "eureka", "federal", "fleet", "flint", "fog", "fountain", "gap",
    "garland", "green", "grenade", "griffin", "grove", "gym", "hare", "highland",
    "hillside", "hit", "holiday", "homestead", "hull", "independence", "inn", "keystone",
    "lap", "laurel", "lens", "liberty", "loo", "luck", "manga", "mare", "marina", "mat",
    "mentor", "meridian", "mesa", "metro", "mission", "mob", "mobile", "mod", "mojo",
    "moss", "mustang", "oak", "opportunity", "orange", "pace", "paisley", "pal", "paradise",
    "parole", "pearl", "peer", "peg", "pen", "pit", "plantation", "plum", "plunge",
    "police", "pop", "providence", "pub", "punch", "reading", "riverside", "rugby", "rye",
    "saga", "sake", "salt", "savannah", "seaside", "sedan", "shoreline", "ski", "split",
    "spring", "stat", "sterling", "summit", "sunrise", "sunset", "superior", "surprise",
    "tank", "tap", "tape", "tar", "temple", "tequila", "terrace", "thorn", "tire", "top",
    "torrent", "turbo", "turn", "tyre", "union", "university", "valley", "vicar",
    "vineyard", "vista", "walnut", "wedding", "woodland",
})

# f40c: the marks a form, a spreadsheet or a program leaves where no name was given
_NO_LETTER = re.compile(r"[\W_]*")  # -, ???, ..., (?), —: no letter, no digit
# a spreadsheet's error values (Excel / LibreOffice in English, German, French, Spanish,
# Italian, Dutch, Portuguese, Polish), compared in capitals without spaces
SHEET_ERRORS = frozenset({
    "#N/A", "#NV", "#N/D", "#N/B", "#N/D!", "#NA", "#NULL!", "#NUL!", "#¡NULO!", "#NULO!",
    "#NULLO!", "#LEEG!", "#ZERO!", "#DIV/0!", "#¡DIV/0!", "#VALUE!", "#WERT!", "#VALEUR!",
    "#¡VALOR!", "#VALOR!", "#VALORE!", "#WAARDE!", "#ARG!", "#REF!", "#BEZUG!", "#¡REF!",
    "#RIF!", "#VERW!", "#ADR!", "#NAME?", "#NOM?", "#¿NOMBRE?", "#NOME?", "#NAAM?", "#NAZWA?",
    "#NUM!", "#ZAHL!", "#NOMBRE!", "#¡NUM!", "#GETAL!", "#NÚM!", "#LICZBA!", "#SPILL!",
    "#ÜBERLAUF!", "#CALC!", "#ERROR!", "#FEHLER!",
})
# a program's word for no value, as the whole name (``nan`` lower case is a first name;
# ``nil``, Ruby / Lua / Go's null, lower or upper case only: ``Nil`` is a first name, x40r4)
SYSTEM_VALUES = frozenset({"undefined", "NaN", "nil", "NIL", "(null)", "<null>", "[null]"})
# words for "empty" (the field was left blank): a mark only in brackets or between dashes
EMPTY_WORDS = frozenset({
    "empty", "blank", "leer", "leeg", "vide", "vacio", "vacío", "vacia", "vacía", "vuoto",
    "vuota", "vazio", "vazia", "pusty", "prázdné", "prazdne", "tyhjä", "tyhja", "boş", "bos",
    "ohne", "nil", "nan", "undefined",
})
_WRAPPED_EMPTY = re.compile(
    r"(?i)(?:[(\[<{«\"'“„]|-{2,}|\*{2,}|_{2,}|~|=+)\s*(" + "|".join(
        sorted(map(re.escape, EMPTY_WORDS), key=len, reverse=True))
    + r")\s*(?:[)\]>}»\"'”]|-{2,}|\*{2,}|_{2,}|~|=+)")


def no_name_marked(name: str) -> bool:
    """Whether ``name`` (as Pipedrive holds it) is a mark left where no name was given:
    punctuation only (``-``, ``???``, ``(?)``), a spreadsheet's error value (``SHEET_ERRORS``:
    ``#NV``, ``#N/A``, ``#WERT!``) or a program's word for no value (``SYSTEM_VALUES``:
    ``undefined``, ``NaN``). An empty string is no name at all: False (nothing to judge)."""
    text = name.strip()
    return bool(text) and (_NO_LETTER.fullmatch(text) is not None
                           or "".join(text.split()).upper() in SHEET_ERRORS
                           or text in SYSTEM_VALUES)


def mark_empty(name: str) -> str:
    """``name`` with each "empty" word in brackets or between dashes (``(leer)``, ``[empty]``,
    ``-- blank --``: ``EMPTY_WORDS``) read as ``unknown``; a bare one is left (``Jan Leer``)."""
    return _WRAPPED_EMPTY.sub(" unknown ", name)


# whole names: Conto pro Diverse (CPD), a house account
MORE_NAMES = frozenset({"conto pro diverse", "house account", "house accounts",
                        "passing trade",  # walk-in customers (f39k)
                        # a bucket word alone, or "not assigned" (x41r2: ``Sonstiges``,
                        # ``Other``, ``Unassigned``, ``Nicht zugeordnet``, ``Default
                        # organization``: 19 of 22 such pairs merged)
                        "other", "others", "andere", "anderes", "autres", "autre", "otros",
                        "otras", "altri", "altro", "overig", "general", "allgemein",
                        "allgemeines", "sonstiges", "generic", "not assigned",
                        "nicht zugeordnet", "ohne zuordnung", "keine zuordnung",
                        "sin asignar", "no asignado", "non assegnato", "non attribue",
                        "non affecte", "niet toegewezen", "default", "default organization",
                        "default organisation", "default org", "standard organisation",
                        "standard organization",
                        # the same in more languages (x41r5 F1: ``Övrigt``, ``Pozostałe``,
                        # ``Outros``, ``Unsorted``, ``Nicht zugewiesen`` merged)
                        "ovrigt", "ovriga", "ovrige", "oevrigt", "oevriga", "oevrige",
                        "andet", "muut", "inne", "pozostale", "ostatni", "ostatne",
                        "outros", "outras", "nicht zugewiesen", "ohne zuweisung",
                        "unsorted", "uncategorized", "uncategorised", "unkategorisiert",
                        "nicht kategorisiert", "ohne kategorie", "keine kategorie",
                        "sin categoria", "senza categoria", "non classe", "sammelorganisation",
                        "sammelfirma", "sammelkonto"})


# a CRM's bucket of leads (x40r4 F1, f40k: ``Inbound Leads``, ``Messe-Leads``, ``Leads
# (neu)``, ``Prospects Messe`` were real names): a plural lead / prospect word, or a
# compound of one (``Leadpool``, ``Messeleads``), with any source, channel, event or
# adjective word and no legal form, is a list many prospects share, not a company; a
# singular one only with a bucket word (``Lead-Pool``, ``Lead freddi``)
LEAD_PLURALS = frozenset({"leads", "prospects", "prospectos", "prospetti", "interessenten",
                          "geinteresseerden", "interessados", "interesados"})
LEAD_SINGULARS = frozenset({"lead", "prospect", "prospecto", "interessent"})
LEAD_BUCKETS = frozenset({
    "pool", "liste", "list", "lists", "listen", "datenbank", "database", "import", "imports",
    "freddi", "caldi", "nuovi", "vecchi", "frios", "frias", "nuevos", "calientes", "froids",
    "chauds", "nouveaux", "koude", "warme", "nieuwe", "neu", "neue", "alt", "alte", "offen",
    "offene", "kalt", "kalte", "heiss", "heisse", "cold", "hot", "warm", "new", "old", "open",
    "inbound", "outbound", "web", "website", "messe", "beurs", "salon", "fiera", "feria",
    # where a list of leads is kept (x41r2: ``Lead-Sammlung``, ``Lead inbox``, ``Lead
    # backlog``: 7 of 13 merged)
    "sammlung", "archiv", "archive", "eingang", "inbox", "backlog", "queue", "bucket",
    "verzeichnis", "register", "stack"})
# the words of a firm's trade: beside a lead word without a legal form they name the firm
# (``Leads Consulting``, ``Lead Belly Records``), not a bucket
FIRM_WORDS = frozenset({
    "consulting", "consultants", "consultancy", "solutions", "agency", "agentur", "agence",
    "group", "gruppe", "groupe", "software", "systems", "technologies", "technology", "labs",
    "partners", "holding", "holdings", "ventures", "services", "records", "studio", "studios",
    "capital", "medical", "park", "institute", "generation", "academy", "akademie", "bank"})

# places ``places.txt`` (GeoNames' cities of 15,000+) does not hold: islands, regions,
# former towns and a town's usual short name (x40r4 F3, f40k: ``Kunde Sylt``, ``Customer Bay
# Area``, ``Kunde Wanne-Eickel`` were real names), ``org_key`` spelling, picked by hand
REGIONS = frozenset({
    "sylt", "ruegen", "usedom", "fehmarn", "norderney", "borkum", "juist", "amrum", "foehr",
    "helgoland", "mallorca", "menorca", "ibiza", "teneriffa", "tenerife", "gran canaria",
    "lanzarote", "fuerteventura", "sardinien", "sardegna", "sizilien", "sicilia", "korsika",
    "corse", "corsica", "kreta", "texel", "ameland", "terschelling", "long island",
    "staten island", "rhode island", "bay area", "silicon valley", "tri state area",
    "greater london", "cote dazur", "riviera", "ruhrgebiet", "ruhrpott", "rheinland",
    "sauerland", "allgaeu", "schwarzwald", "bodensee", "eifel", "emsland", "muensterland",
    "ostfriesland", "nordfriesland", "norddeutschland", "sueddeutschland", "westdeutschland",
    "ostdeutschland", "mitteldeutschland", "randstad", "twente", "veluwe", "wanne eickel",
    "den bosch", "san remo", "bad homburg", "costa brava", "costa del sol", "toscana",
    "toskana", "provence", "bretagne", "normandie", "elsass", "alsace", "midlands",
    "new england", "midwest", "east coast", "west coast", "benelux", "dach",
})
# words that make a place an area around it, before or after it (``Kunden Raum Stuttgart``,
# ``Customers Greater Boston``, ``Kunden Stuttgart und Umgebung``, ``Klanten regio Utrecht``:
# f40k, the class of x40r4 F3)
AREA_WORDS = frozenset({
    "raum", "grossraum", "landkreis", "kreis", "bezirk", "umgebung", "umland", "umkreis",
    "rund", "um", "naehe", "nahe", "greater", "metro", "area", "upstate", "downstate",
    "around", "near", "environs", "alentours", "agglomeration", "regio", "omgeving",
    "omstreken", "alrededores", "provincia", "dintorni", "zona", "zone"})
# a place's first word as written beside its usual spelling (``St. Ingbert``: Sankt)
PLACE_SPELLINGS = {"st": ("sankt", "saint", "santa", "san"), "ste": ("sainte",),
                   "s": ("san", "santa", "sao"), "sta": ("santa",)}
# "from" / "in" / "at" between a people word and a place (``Klant uit Utrecht``, ``Customers
# from Boston``, ``Kunden aus Bad Homburg``: x40r4 F3)
PLACE_PREPOSITIONS = frozenset({"uit", "from", "in", "at", "aus", "de", "da", "di", "du",
                                "im", "en", "a", "te", "van", "of", "near", "bei"})

__all__ = ["ACCOUNT_WORDS", "AREA_WORDS", "CHANNEL_WORDS", "EMPTY_WORDS", "FIRM_WORDS",
           "HEAD_PLACES", "HEAD_WORDS",
           "HONORIFICS", "LEAD_BUCKETS", "LEAD_PLURALS", "LEAD_SINGULARS", "MARKETPLACES",
           "MORE_GENERIC", "MORE_NAMES", "MORE_OPTIONAL", "MORE_PEOPLE", "MORE_WORDS", "NOBODY",
           "PERIOD_WORDS", "PLACE_PREPOSITIONS", "PLACE_SPELLINGS", "REGIONS",
           "SALE_CHANNELS", "SALE_WORDS", "SHEET_ERRORS", "SYSTEM_VALUES",
           "WHO_ACCOUNT_WORDS", "is_period", "mark_empty", "no_name_marked", "sale_partners"]
