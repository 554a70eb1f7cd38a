"""Common given names of the languages whose "and" is also a compound surname's joiner
(``y`` Spanish, ``e`` Portuguese and Italian, ``i`` Catalan, Polish and Croatian, ``a``
Czech and Slovak), folded (case and accents aside): one of them alone after such a
joiner, a name of two words or more before it, is a second person's given name
(``Marco Rossi e Anna``, ``Rossi Marco e Anna``: two, x48r1 F4), where a second
surname is not one of them (``José Ortega y Gasset``, ``João Pedro e Silva``, ``Jordi
Pujol i Soley``: one). A word not listed is read as a surname: a known limit, the
vocabulary being finite. Names also common as surnames (``Martín``, ``Pedro``) are
listed: the safe side (a refused row) when they are read so.
"""

from __future__ import annotations

import unicodedata

GIVEN_NAMES = frozenset("""
    ana anna andrea angela antonia beatriz carla carmen carolina catalina clara cristina
    daniela elena eva francesca giulia irene isabel isabella juana julia laura lucia luisa
    manuela margarita maria marta martina monica natalia patricia paula pilar raquel rosa
    sara silvia sofia susana teresa valentina veronica victoria ines joana marta mariana
    beatrice chiara alessandra federica giovanna paola roberta serena simona elisa
    agnieszka katarzyna małgorzata magdalena joanna ewa barbara dorota krystyna zofia
    petra jana lenka hana eliska tereza lucie katerina ivana marija ana ivana mirela
    montserrat nuria merce mercedes rocio lourdes dolores concepcion josefa
    alberto alejandro alvaro andres antonio carlos cesar daniel david diego eduardo
    enrique fernando francisco gabriel javier jesus jorge jose juan luis manuel marcos
    mario miguel pablo pedro rafael ramon ricardo roberto santiago sergio tomas vicente
    joao paulo rui tiago andre bruno rodrigo
    marco luca giuseppe giovanni francesco alessandro andrea matteo lorenzo davide
    stefano paolo massimo fabio simone riccardo federico antonio
    jordi josep joan pere marc pau oriol xavier
    piotr paweł tomasz krzysztof andrzej marek michał jan adam łukasz jakub grzegorz
    petr pavel martin jiri josef tomas lukas ondrej milan ivan marko luka ante josip
    john mary james robert michael william richard thomas mark paul peter george anne
    """.split())


def given_name(word: str) -> bool:
    """Whether ``word`` (one word of a name cell) is a common given name of the
    vocabulary, case and accents aside (``Anna``, ``MARÍA``, ``Piotr``)."""
    bare = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in bare if not unicodedata.combining(c)) in GIVEN_NAMES


__all__ = ["GIVEN_NAMES", "given_name"]
