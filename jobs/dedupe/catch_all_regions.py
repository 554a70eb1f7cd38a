"""Where a catch-all's customers are, said other than by a town's name: a compass region,
a place's adjective, a town's long official form (f41d).

``catch_all._qualifier`` sets aside a place after a people word (``Privatkunden Berlin``);
these were read as real names, so their deals merged unattended:

* a compass region in any of the lists' languages, alone, compounded or before a place
  (``Clients Sud-Ouest``, ``Clientes Zona Norte``, ``Klanten Noord-Holland``, ``Kunden
  Nordwest``, ``Clienti Mezzogiorno``: ``COMPASS``, ``compass_at``);
* a place's adjective, the demonym (``Kunden süddeutsch``, ``Clients parisiens``,
  ``Münchner Kunden``, ``Amsterdamse klanten``, ``Texan customers``: ``demonym``), read
  as the place it derives from by its language's endings (``-er``, ``-isch``, ``-iens``,
  ``-ais``, ``-anos``, ``-esi``, ``-se``, ``-an``...) or from ``IRREGULAR_DEMONYMS``;
* a town's long form, a known place (or any word) then a joining word and one or two more
  words ending the name (``Kunden Bad Homburg vor der Höhe``, ``Kunden Rothenburg ob der
  Tauber``, ``Clienti Castelnuovo del Garda``: ``tail_after``), since ``places.txt`` keeps
  names of four words at most and towns of 15,000+ people only.

* a place said by its form (f41k, x41r5: ``formed_places``): a hyphenated region of two
  or more parts (``Kunden Rhein-Main``, ``Clients Nord-Pas-de-Calais``), a town and its
  district (``Kunden München-Schwabing``), a town and its bracketed qualifier (``Kunden
  Lindau (Bodensee)``); a place's part written onto it (``Oberbayern``:
  ``prefixed_place``); a region's noun and its adjective (``Clientes del País Vasco``:
  ``REGION_NOUNS``); a place then a compass adjective (``Clienti Italia Centrale``:
  ``COMPASS_ADJECTIVES``); and a preposition written with its article (``della``, ``im``:
  ``PREP_ARTICLES``), the region after it read by ``catch_all`` (``Kunden aus dem Allgäu``).
  Its labelled set is in ``tests/test_dedupe_catch_all_place_forms.py``.

Only after a word that names people (or, for an org with no legal form, before one), as
every place is: ``Nordwest Logistik GmbH``, ``Southwest Airlines``, ``Berliner Volksbank``,
``Crédit Lyonnais`` and ``Kunden Nordwest GmbH`` (a legal form: the company's own words)
stay names. The labelled set, written before the word lists were read, is in
``tests/test_dedupe_catch_all_regions.py``.

Pure data and predicates in ``normalize.org_key`` spelling; no I/O (the place list is
handed in as a predicate).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# compass points and the regions they make, alone or compounded, in German, English,
# French, Spanish, Italian, Dutch and Portuguese (``org_key`` spelling: Süd is ``sued``)
COMPASS = frozenset({
    "nord", "sued", "sud", "ost", "west", "mitte", "nordost", "nordwest", "suedost",
    "suedwest", "north", "south", "east", "northeast", "northwest", "southeast", "southwest",
    "midwest", "central", "centre", "center", "ouest", "est", "nordest", "nordouest", "sudest",
    "sudouest", "norte", "sur", "este", "oeste", "noreste", "noroeste", "sureste", "suroeste",
    "sudeste", "nordeste", "centro", "levante", "poniente", "ovest", "nordovest", "sudovest",
    "mezzogiorno", "meridione", "settentrione", "noord", "zuid", "oost", "midden", "noordoost",
    "noordwest", "zuidoost", "zuidwest", "sul", "leste",
    # the compass nouns (``im Norden``, ``in het Noorden``) and the points in Polish, Czech,
    # Slovak, Turkish, Finnish, the Nordic languages, Hungarian and Romanian (f41k, x41r5:
    # ``Klienci Północ`` was a real name)
    "norden", "sueden", "osten", "westen", "nordosten", "nordwesten", "suedosten",
    "suedwesten", "noorden", "zuiden", "oosten", "polnoc", "poludnie", "wschod", "zachod",
    "sever", "jih", "juh", "vychod", "zapad", "kuzey", "gueney", "dogu", "bati", "pohjoinen",
    "etelae", "itae", "laensi", "syd", "norr", "soeder", "vest", "nordre", "soendre", "eszak",
    "kelet", "nyugat"})
# a compass adjective after a place (``Italia Centrale``, ``Italia Meridionale``, ``España
# Oriental``: f41k): the place's part, as a compass word after it is
COMPASS_ADJECTIVES = frozenset({
    "centrale", "centrali", "meridionale", "meridionali", "settentrionale", "settentrionali",
    "orientale", "orientali", "occidentale", "occidentali", "central", "oriental",
    "occidental", "meridional", "septentrional", "septentrionale", "centraal", "zentral"})
# a word naming a region that a place's adjective or name follows (``País Vasco``,
# ``Comunidad Valenciana``, ``Regione Lombardia``: f41k)
REGION_NOUNS = frozenset({"pais", "comunidad", "region", "regione", "regio", "provincia",
                          "province", "provincie", "departement", "comarca", "kanton",
                          "canton", "county", "landkreis", "kreis", "bezirk", "wojewodztwo"})
# a place's first part written onto it (``Oberbayern``, ``Niederösterreich``, ``Unterfranken``,
# ``Ostfriesland``: f41k): what is left must be a place of 4+ letters
_PLACE_PREFIXES = ("ober", "nieder", "unter", "mittel", "hinter", "vorder", "nord", "sued",
                   "ost", "west", "noord", "zuid", "oost", "alto", "basso", "haute", "basse")
# a preposition and its article written as one word (``della Toscana``, ``del País Vasco``,
# ``aus dem`` written ``vom``, ``im Allgäu``, ``au Québec``: f41k): an article may follow none
PREP_ARTICLES = frozenset({"della", "dello", "delle", "degli", "dei", "del", "dal", "dalla",
                           "dalle", "nel", "nella", "nelle", "al", "alla", "du", "des", "au",
                           "aux", "vom", "zum", "zur", "im", "ins", "am"})
# joining words that may be written in small letters inside a hyphenated region's name
# (``Nord-Pas-de-Calais``, ``Castilla-La Mancha``, ``Provence-Alpes-Côte d'Azur``)
_SMALL_PARTS = frozenset({"de", "la", "le", "les", "du", "des", "di", "del", "sur", "am", "an",
                          "im", "ob", "upon", "aan", "en", "sous", "d", "y", "et", "und",
                          "and", "on"})
_HYPHENED = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?(?:-[^\W\d_]+(?:'[^\W\d_]+)?)+"
                       r"(?:\s+(?:[^\W\d_]+-)?[^\W\d_]+(?:'[^\W\d_]+)?)?(?=\s*(?:\(|$))")
_BRACKET_LAST = re.compile(r"(.*?\S)\s*\(\s*([^\W\d_][^\W\d_' -]*?)\s*\)\s*")
# a people word and one of these only would not be a place: ``est`` is French "is",
# ``sur`` "on", ``centre`` a venue: they count only beside another compass word or a place
_COMPASS_NOT_ALONE = frozenset({"est", "sur", "sul", "centre", "center", "central", "mitte",
                                "midden", "levante", "poniente", "este"})

# joining words inside a town's long form (``Frankfurt am Main``, ``Bad Homburg vor der
# Höhe``, ``Stratford upon Avon``, ``Alphen aan den Rijn``, ``Castelnuovo del Garda``,
# ``Saint-Étienne-du-Rouvray``); the strict ones also after a word no list holds (``ob der
# Tauber``), the others only after a known place (``de``, ``en`` begin too many phrases)
_STRICT_JOINS = frozenset({"am", "an", "ob", "vor", "im", "upon", "aan", "op", "del", "della",
                           "nell", "sul", "sull", "bei", "unter", "ober"})
_JOINS = _STRICT_JOINS | frozenset({"in", "on", "sur", "sous", "les", "en", "de", "du", "des",
                                    "di", "la", "le", "al", "y", "bij", "ter", "ten"})
_ARTICLES = frozenset({"der", "dem", "den", "die", "la", "le", "les", "l", "de", "het", "the",
                       "los", "las", "el"})

# demonyms no ending rule derives from a listed place (``Münchner`` of München, ``bayerisch``
# of Bayern, ``madrileños`` of Madrid, ``belges`` of Belgique), and countries' adjectives
IRREGULAR_DEMONYMS = frozenset({
    "muenchner", "bayerisch", "bayerische", "bayerischen", "bayerischer", "schwaebisch",
    "schwaebische", "schwaebischen", "fraenkisch", "fraenkische", "fraenkischen", "hessisch",
    "hessische", "hessischen", "saechsisch", "saechsische", "saechsischen", "deutsch",
    "deutsche", "deutschen", "schweizerisch", "schweizerische", "schweizerischen",
    "oesterreichisch", "oesterreichische", "oesterreichischen", "hannoversche", "bremer",
    "madrileno", "madrilenos", "madrilena", "madrilenas", "andaluz", "andaluces", "andaluza",
    "andaluzas", "catalan", "catalanes", "catalana", "catalanas", "catalans", "vasco", "vascos",
    "gallego", "gallegos", "breton", "bretons", "bretonne", "bretonnes", "belge", "belges",
    "suisse", "suisses", "svizzero", "svizzeri", "svizzera", "svizzere", "francais",
    "francaise", "francaises", "franzoesisch", "franzoesische", "french", "german", "germans",
    "british", "english", "irish", "scottish", "welsh", "dutch", "swiss", "danish", "swedish",
    "polish", "spanish", "italian", "italians", "americans", "american", "canadian",
    "canadians", "espanoles", "espanol", "espanola", "franceses", "frances", "alemanes",
    "italianos", "italiani", "italiane", "tedeschi", "francesi", "inglesi", "spagnoli",
    "nederlandse", "belgische", "duitse", "franse", "engelse", "haagse", "brabantse",
    "limburgse", "friese", "nordiques", "europeens", "europeos", "europei", "europese",
    "europaeische", "europaeischen", "european", "europeans",
})
# ending -> what the place's name ends in instead (``parisiens`` -> ``paris``, ``lyonnais``
# -> ``lyon``, ``milanesi`` -> ``milano``, ``romani`` -> ``roma``, ``amsterdamse`` ->
# ``amsterdam``, ``texan`` -> ``texas``, ``sueddeutsch`` -> ``sueddeutschland``); the longest
# ending is tried first, a stem of 3+ letters, a place of 4+
_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(sorted((
    ("ischen", ("", "en", "n", "ien", "land")), ("ische", ("", "en", "n", "ien", "land", "ie")),
    ("ischer", ("", "en", "n", "ien", "land")), ("isch", ("", "en", "n", "ien", "land")),
    ("deutsch", ("deutschland",)), ("deutsche", ("deutschland",)),
    ("deutschen", ("deutschland",)),
    ("er", ("", "en", "e")), ("ers", ("", "en", "e")),
    ("iens", ("", "ie", "e")), ("ien", ("", "ie", "e")), ("ienne", ("", "ie", "e")),
    ("iennes", ("", "ie", "e")),
    ("ais", ("", "e")), ("aise", ("", "e")), ("aises", ("", "e")), ("nais", ("",)),
    ("naise", ("",)), ("naises", ("",)), ("ois", ("", "e")), ("oise", ("", "e")),
    ("oises", ("", "e")), ("ains", ("e", "")), ("aine", ("e", "")), ("aines", ("e", "")),
    ("anos", ("o", "a", "")), ("anas", ("o", "a", "")), ("ano", ("o", "a", "")),
    ("ana", ("o", "a", "")), ("ani", ("a", "o", "ana", "")), ("ane", ("a", "o", "ana", "")),
    ("enos", ("", "a", "o")), ("enas", ("", "a", "o")), ("eno", ("", "a", "o")),
    ("ena", ("", "a", "o")), ("enses", ("", "a", "o")), ("ense", ("", "a", "o")),
    ("esi", ("o", "a", "")), ("ese", ("o", "a", "")), ("eses", ("", "a", "o")),
    ("se", ("",)), ("sche", ("",)),
    # Polish: ``warszawscy`` of Warszawa, ``krakowscy`` of Kraków, ``gdanskie`` (f41k)
    ("scy", ("a", "", "sk")), ("skie", ("a", "", "sk")), ("ski", ("a", "", "sk")),
    ("ska", ("a", "", "sk")), ("skich", ("a", "", "sk")), ("cy", ("a", "")),
    ("an", ("as", "a", "")), ("ans", ("as", "a", "")), ("ian", ("ia", "")),
    ("ians", ("ia", "")), ("ean", ("ea", "")), ("eans", ("ea", "")),
), key=lambda e: -len(e[0])))


def demonym(word: str, is_place: Callable[[str], bool]) -> bool:
    """Whether ``word`` (an ``org_key`` token) is the adjective of a place ``is_place``
    knows (``parisiens``, ``berliner``, ``sueddeutsch``, ``milanesi``, ``amsterdamse``,
    ``texan``) or a country's / region's adjective no ending rule reaches
    (``IRREGULAR_DEMONYMS``: ``muenchner``, ``belges``, ``madrilenos``)."""
    if word in IRREGULAR_DEMONYMS:
        return True
    for ending, places in _ENDINGS:
        stem = word[:-len(ending)]
        if not word.endswith(ending) or len(stem) < 3:
            continue
        for tail in places:
            for base in (stem, stem[:-1] if stem[-1:] == stem[-2:-1] else None):  # lyonn
                if base and len(base + tail) >= 4 and is_place(base + tail):
                    return True
    return False


def compass_at(words: list[str], i: int, place_at: Callable[[list[str], int], int]) -> int:
    """How many words from ``words[i]`` name a compass region, 0 if none: compass words
    (``sud ouest``, ``nordwest``, ``zona norte``'s ``norte``) and a place or region right
    after them (``noord holland``, ``nord italia``, ``sued tirol``: ``place_at`` counts its
    words). A weak compass word alone (``est``, ``sur``, ``centre``) is none."""
    j = i
    while j < len(words) and words[j] in COMPASS:
        j += 1
    if j == i:
        return 0
    n = j - i
    if j < len(words) and (after := place_at(words, j)):
        return n + after
    if n == 1 and words[i] in _COMPASS_NOT_ALONE:
        return 0
    return n


def tail_after(words: list[str], end: int, known: bool) -> int:
    """How many words from ``words[end]`` continue a town's long form to the name's end, 0
    if none: a joining word, an article or two, then one or two words (``vor der hoehe``,
    ``am main``, ``du rouvray``, ``aan den rijn``). After a ``known`` place any of
    ``_JOINS``; after a word no list holds only ``_STRICT_JOINS`` (``ob der tauber``,
    ``del garda``)."""
    if end >= len(words) or words[end] not in (_JOINS if known else _STRICT_JOINS):
        return 0
    j = end + 1
    while j < len(words) - 1 and words[j] in _ARTICLES:
        j += 1
    rest = len(words) - j
    if not 1 <= rest <= 2 or any(w.isdigit() for w in words[j:]):
        return 0
    return len(words) - end


def prefixed_place(word: str, is_place: Callable[[str], bool]) -> bool:
    """Whether ``word`` (an ``org_key`` token) is a place with its part written onto it
    (``oberbayern``, ``niederoesterreich``, ``ostfriesland``: ``_PLACE_PREFIXES``), the rest
    a place ``is_place`` knows of 4+ letters."""
    return any(word.startswith(p) and len(word) - len(p) >= 4 and is_place(word[len(p):])
               for p in _PLACE_PREFIXES)


def formed_places(name: str, key: Callable[[str], str],
                  is_place: Callable[[str], bool]) -> frozenset[str]:
    """The places ``name`` (as written) names by their form, in ``key`` spelling
    (``org_key``), for ``place_at`` to read beside the lists (f41k, x41r5: these were read
    as real names):

    * a hyphenated name ending the name (or before a bracket): two or more capitalised
      parts of 3+ letters, small joining words between them (``Rhein-Main``,
      ``Emilia-Romagna``, ``Nord-Pas-de-Calais``, ``Provence-Alpes-Côte d'Azur``,
      ``Kujawsko-Pomorskie``), a town and its district (``München-Schwabing``) — with the
      word(s) before it where they and its first part are a place (``Sankt Peter-Ording``);
    * a place then a bracketed qualifier of one to three capitalised words ending the name
      (``Lindau (Bodensee)``, ``Frankfurt (Oder)``, ``Weiden (Oberpfalz)``).

    Only where a place is read at all (after a people word, or before one in an org with
    no legal form: ``catch_all._qualifier``, ``_town_first``), so ``Rhein-Main
    Verkehrsverbund`` and ``Noord-Holland Bouw BV`` stay names."""
    out: set[str] = set()
    for m in _HYPHENED.finditer(name):
        parts = re.split(r"[-\s']+", m[0])
        big = [p for p in parts if p[:1].isupper()]
        if len(big) < 2 or any(len(p) < 3 and p.lower() not in _SMALL_PARTS for p in big) \
                or any(not p[:1].isupper() and p.lower() not in _SMALL_PARTS for p in parts):
            continue
        phrase = key(m[0])
        out.add(phrase)
        before = key(name[:m.start()]).split()
        first = key(parts[0])
        for n in (1, 2):  # Sankt Peter-Ording: its first part ends a place of the words before
            if len(before) >= n and is_place(" ".join([*before[-n:], first])):
                out.add(" ".join([*before[-n:], phrase]))
    if (b := _BRACKET_LAST.fullmatch(name)) and 1 <= len(words := b[2].split()) <= 3 \
            and all(w[:1].isupper() for w in words):
        before = key(b[1]).split()
        for n in (3, 2, 1):
            if len(before) >= n and is_place(" ".join(before[-n:])):
                out.add(" ".join([*before[-n:], key(b[2])]))
                break
    return frozenset(out)


__all__ = ["COMPASS", "COMPASS_ADJECTIVES", "IRREGULAR_DEMONYMS", "PREP_ARTICLES",
           "REGION_NOUNS", "compass_at", "demonym", "formed_places", "prefixed_place",
           "tail_after"]
