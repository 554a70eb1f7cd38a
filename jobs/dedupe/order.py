"""Word order: which differences in the order of two titles' words tell two deals apart.

Only what leaves the title (the deal's own org name, a label or copy part; ``normalize``)
may stand anywhere. Of the rest, one move is harmless: two whole parts of different kinds
swapped around a separator — a *topic* (two or more words naming the work, one of them a
``TOPIC_WORDS`` word: ``Catering rollout``, ``Support contract implementation``) and a *short
qualifier* (one or two words, none a topic word: a place, a name, ``Q1``) —, so ``Catering
rollout - Lyon`` / ``Lyon - Catering rollout`` is one deal. Two parts of one kind swapped
(``Hamburg - Shanghai``, ``Long Beach - Shanghai``, ``EUR - USD``, ``Import - Export``,
``Staff training - Security audit``), a pair read in a direction or a change from one thing to
another (``to``, ``vs``, ``nach``, ``migration``, ``replacement``... anywhere in either title:
``SAP - Oracle migration``), any other move and any move of numbers is a different order
(``scoring`` caps it). Why a word list and not word frequency: places and names are made of
common words (``Long Beach``, ``New York``, ``Green Bay``, ``Cape Town``), and a lane in both
directions is two deals. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import permutations

from .normalize import NormTitle, fold, is_identifying

# words that name the work or the product a deal is about, as normalized title tokens
# (casefolded, umlauts as ae/oe/ue): a part holding one (and one more word) is a topic, never
# a place or a name. Not a word of movement or exchange (transport, shipping, freight, flight,
# transfer, delivery, import, export, route, trip, move, Umzug...): a part with such a word
# may be one end of a route.
TOPIC_WORDS = frozenset("""
    redesign rollout upgrade upgrades implementation implementations renewal renewals
    expansion pilot integration integrations licences licenses licence license licensing
    maintenance consulting consultancy training trainings workshop workshops seminar
    coaching audit audits support contract contracts hosting service services campaign
    campaigns production installation setup onboarding offboarding subscription development
    relaunch launch deployment assessment review inspection repair repairs renovation cleaning
    catering design analysis strategy programme refresh purchase procurement
    proposal quote tender retainer outsourcing optimization optimisation modernization
    modernisation overhaul rebuild redevelopment fitout refurbishment servicing helpdesk
    certification evaluation extension renovations
    einfuehrung schulung schulungen wartung beratung lizenz lizenzen umbau sanierung
    implementierung erweiterung verlaengerung einrichtung pflege reinigung renovierung
    planung entwicklung pruefung angebot vertrag kampagne ausstattung modernisierung
    formation contrat licence projet mantenimiento formacion implementacion renovacion
    onderhoud implementatie opleiding licentie
""".split())
# words that read a title as a pair in a direction (``Berlin to Hamburg``, ``Team A vs Team
# B``), name a change from one thing to another (``SAP - Oracle migration``: from SAP, or for
# SAP?) or a movement between two places (``Berlin - Hamburg relocation support``: a route, or
# Hamburg's relocation for Berlin?): with one in either title no part may move
DIRECTION_WORDS = frozenset(
    "to from vs versus via against nach von bis gegen naar tegen vers contre hacia desde contra "
    "migration migrations replacement conversion switch switchover changeover cutover swap "
    "exchange transition umstellung wechsel abloesung migrazione migracion migratie "
    "relocation relocations move moving removal shipping shipment shipments transport "
    "transports transportation freight haulage logistics delivery deliveries flight flights "
    "transfer transfers route routes lane lanes trip trips travel import imports export exports "
    "umzug verlagerung lieferung fracht flug reise".split())
MAX_QUALIFIER = 2  # the most words a short qualifier part (a place, a name, ``Q1``) has


def order_moved(x: NormTitle, y: NormTitle, names: frozenset[str] = frozenset()
                ) -> tuple[str, str] | None:
    """How the words two titles share are ordered differently, or None when they are not.

    Only what leaves the title (the deal's own org name, a label or copy part: ``Acme -
    Website redesign`` / ``Website redesign - Acme``, ``Deal: CRM`` / ``CRM (copy)``;
    ``normalize``) may stand anywhere, and a topic part and a short qualifier part may swap
    places (``topic_swap``: ``Catering rollout - Lyon`` / ``Lyon - Catering rollout``); the
    rest keeps its order, across title parts too.
    Returns ``("numbers", why)`` when identifying tokens (numbers with their signs, symbols,
    single letters, months) changed their order among themselves (``Revenue share: 70/30`` /
    ``30/70``, ``06:00 - 22:00`` / ``22:00 - 06:00``, ``Gebaeude A Halle B`` / ``B ... A``)
    or a number now follows another word (``Phase 2 - Los 3`` / ``Phase 3 - Los 2``): two
    deals — unless every moved number kept its word (``Phase 2 - Los 3`` / ``Los 3 - Phase
    2``: words moved); ``("words", why)`` when words moved (``Hamburg - Shanghai`` /
    ``Shanghai - Hamburg``, ``Umzug Berlin nach Hamburg`` / ``Hamburg nach Berlin``): maybe
    the same deal, a person decides. Words are compared with accents folded; a word twice
    in a title and words on one side only are left out.

    ``names``: the folded words of the customer's name both deals share (the one person's
    name, the one org record's; ``scoring``): a part made of them alone may swap with a topic
    part (``_name_swap``: ``Coaching - Anna Weber`` / ``Anna Weber - Coaching``, ``Rossi -
    Nuovo gestionale`` / ``Nuovo gestionale - Rossi`` at org ``Rossi Arredamenti``; x42r2 F6).
    A title written without a separator whose words are the other's parts reordered is read
    as parted so (``_reparted``: ``Catering rollout - Lyon`` / ``Lyon Catering rollout``).
    Words both titles begin or end with stand where they stood and are read apart from the
    swap (``_without_ends``: ``Catering rollout - Lyon 2026`` / ``Lyon - Catering rollout
    2026``, y54r1 F4); only a swap that is one deal without them is one deal with them."""
    if x.text == y.text:
        return None
    kx = x.tokens if x.text.isascii() else [fold(t) for t in x.tokens]
    ky = y.tokens if y.text.isascii() else [fold(t) for t in y.tokens]
    setx, sety = set(kx), set(ky)
    if len(setx) == len(kx) and len(sety) == len(ky):  # no word twice (the usual case)
        shared = setx & sety
    else:
        cx, cy = Counter(kx), Counter(ky)
        shared = {t for t, n in cx.items() if n == 1 and cy.get(t) == 1}
    if len(shared) < 2:
        return None
    sx = [t for t in kx if t in shared]
    sy = [t for t in ky if t in shared]
    if sx == sy:
        return None
    why = f"{' '.join(sx)} / {' '.join(sy)}"
    xp = x.parts if len(x.parts) == len(kx) else (0,) * len(kx)  # () is one part
    yp = y.parts if len(y.parts) == len(ky) else (0,) * len(ky)
    moved = _moved(kx, xp, ky, yp, shared, names)
    if moved is not None and (ends := _without_ends(kx, xp, ky, yp)) is not None \
            and _moved(*ends, shared, names) is None:
        return None  # catering rollout - lyon 2026 / lyon - catering rollout 2026: one deal
    return None if moved is None else (moved, why)


def _without_ends(kx: Sequence[str], xp: Sequence[int], ky: Sequence[str], yp: Sequence[int]
                  ) -> tuple[list[str], list[int], list[str], list[int]] | None:
    """Both titles without the words they both begin and both end with (``2026`` of
    ``catering rollout - lyon 2026`` / ``lyon - catering rollout 2026``), or None when they
    share no such words or nothing of one would be left. Those words stand where they stood:
    they belong to the whole title, not to the part the separator left them in (y54r1 F4:
    ``2026`` read as moved from ``lyon`` to ``rollout``, capped at 0.40, never paired)."""
    n = min(len(kx), len(ky))
    head = 0
    while head < n and kx[head] == ky[head]:
        head += 1
    tail = 0
    while tail < n - head and kx[-1 - tail] == ky[-1 - tail]:
        tail += 1
    if head + tail == 0 or head + tail >= n:
        return None
    return (list(kx[head:len(kx) - tail]), list(xp[head:len(xp) - tail]),
            list(ky[head:len(ky) - tail]), list(yp[head:len(yp) - tail]))


def _moved(kx: Sequence[str], xp: Sequence[int], ky: Sequence[str], yp: Sequence[int],
           shared: set[str], names: frozenset[str]) -> str | None:
    """``order_moved``'s verdict on two titles' tokens and their part indexes: ``"numbers"``,
    ``"words"`` or None (the same order, or a harmless swap)."""
    shared = {t for t in shared if t in kx and t in ky}
    sx = [t for t in kx if t in shared]
    sy = [t for t in ky if t in shared]
    if len(shared) < 2 or sx == sy:
        return None
    lx, ly = _labels(kx, xp, shared), _labels(ky, yp, shared)
    ident = [t for t in sx if is_identifying(t)]
    if any(lx[t] is not None and ly[t] is not None and lx[t] != ly[t] for t in ident):
        return "numbers"  # a number moved to another word: phase 2 - los 3 / phase 3 - los 2
    if ident != [t for t in sy if is_identifying(t)] and not (
            all(lx[t] is not None and lx[t] == ly[t] for t in ident)
            and len({lx[t] for t in ident}) == len(ident)):  # each number kept a word of its own
        return "numbers"  # the numbers' own order changed: 70/30 / 30/70, #1 / 1#
    if len(set(xp)) == 1 < len(set(yp)):  # lyon catering rollout / catering rollout - lyon
        xp = _reparted(ky, yp, kx) or xp
    elif len(set(yp)) == 1 < len(set(xp)):
        yp = _reparted(kx, xp, ky) or yp
    if topic_swap(kx, xp, ky, yp, shared, names):
        return None  # catering rollout - lyon / lyon - catering rollout: one deal
    return "words"


MAX_REPARTED = 4  # the most parts a title without a separator is tried as reordered blocks of


def _reparted(tokens: Sequence[str], parts: Sequence[int], other: Sequence[str]
              ) -> tuple[int, ...] | None:
    """Part indexes for ``other`` (a title of one part) when its tokens are ``tokens``' parts
    (at most ``MAX_REPARTED``) in another order, each part's words kept together and in order
    (``lyon catering rollout`` against ``catering rollout`` | ``lyon``: ``(0, 1, 1)``); None
    when they are not."""
    blocks = _parts(tokens, parts)
    if len(blocks) > MAX_REPARTED or len(tokens) != len(other):
        return None
    for order in permutations(range(len(blocks))):
        if list(order) != sorted(order) and \
                [t for k in order for t in blocks[k]] == list(other):
            return tuple(n for n, k in enumerate(order) for _ in blocks[k])
    return None


def topic_swap(kx: Sequence[str], xp: Sequence[int], ky: Sequence[str], yp: Sequence[int],
               shared: set[str], names: frozenset[str] = frozenset()) -> bool:
    """True when two titles (tokens ``kx`` / ``ky``, each token's part index ``xp`` / ``yp``)
    differ in order only by two whole parts swapped, one a topic and the other a short
    qualifier (``_topic``, ``_qualifier``) or the customer's name (``_name_swap``, of
    ``names``), and neither title reads as a pair in a direction (``DIRECTION_WORDS``).
    Parts are compared by their ``shared`` words; every other part stays where it is."""
    if not DIRECTION_WORDS.isdisjoint(kx) or not DIRECTION_WORDS.isdisjoint(ky):
        return False
    px, py = _parts(kx, xp), _parts(ky, yp)
    fx = [tuple(t for t in p if t in shared) for p in px]
    fy = [tuple(t for t in p if t in shared) for p in py]
    ix = [i for i, f in enumerate(fx) if f]  # the parts that hold a shared word
    iy = [i for i, f in enumerate(fy) if f]
    if len(ix) != len(iy) or len(ix) < 2:
        return False
    moved = [k for k in range(len(ix)) if fx[ix[k]] != fy[iy[k]]]
    if len(moved) != 2:
        return False
    i, j = moved
    if fx[ix[i]] != fy[iy[j]] or fx[ix[j]] != fy[iy[i]]:
        return False
    first = (px[ix[i]], py[iy[j]])  # one part as each title writes it
    second = (px[ix[j]], py[iy[i]])
    return (_topic(*first) and _qualifier(*second)) or (_topic(*second) and _qualifier(*first)) \
        or _name_swap(first, second, names) or _name_swap(second, first, names)


MAX_NAME = 3  # the most words a part naming the customer has (``Anna Maria Weber``)


def _name_swap(name: tuple[Sequence[str], Sequence[str]],
               other: tuple[Sequence[str], Sequence[str]], names: frozenset[str]) -> bool:
    """``name`` (one part as each title writes it) is the customer's name — at most
    ``MAX_NAME`` words, each of ``names`` — and ``other`` names the work: two or more words or
    a ``TOPIC_WORDS`` word, not the name again (``anna weber`` / ``coaching``). The deal of
    one customer, the name before or after its topic: one deal, as with the org name that
    ``normalize`` takes out of the title."""
    return bool(names) and all(0 < len(p) <= MAX_NAME and set(p) <= names for p in name) \
        and all(not set(p) <= names and (len(p) >= 2 or any(t in TOPIC_WORDS for t in p))
                for p in other)


def _parts(tokens: Sequence[str], parts: Sequence[int]) -> list[tuple[str, ...]]:
    """The tokens grouped by part, in title order."""
    out: list[list[str]] = []
    last: int | None = None
    for t, p in zip(tokens, parts, strict=True):
        if p != last:
            out.append([])
            last = p
        out[-1].append(t)
    return [tuple(p) for p in out]


def _topic(a: Sequence[str], b: Sequence[str]) -> bool:
    """A part (as each title writes it) that names the work: two or more words on both sides,
    a ``TOPIC_WORDS`` word among them (``catering rollout``, ``cloud hosting licences``)."""
    return len(a) >= 2 and len(b) >= 2 and any(t in TOPIC_WORDS for t in (*a, *b))


def _qualifier(a: Sequence[str], b: Sequence[str]) -> bool:
    """A short part (as each title writes it) that qualifies a topic: at most
    ``MAX_QUALIFIER`` words on both sides, none a ``TOPIC_WORDS`` word (``lyon``, ``q1``,
    ``new york``)."""
    return len(a) <= MAX_QUALIFIER and len(b) <= MAX_QUALIFIER \
        and not any(t in TOPIC_WORDS for t in (*a, *b))


def _labels(tokens: Sequence[str], parts: Sequence[int], shared: set[str]
            ) -> dict[str, str | None]:
    """For each shared token, the shared word (not identifying) nearest before it in its
    part, or None: the word a number belongs to (``phase`` for ``2`` in ``phase 2``)."""
    out: dict[str, str | None] = {}
    last: str | None = None
    part = -1
    for t, p in zip(tokens, parts, strict=True):
        if p != part:
            last, part = None, p
        if t not in shared:
            continue
        out[t] = last
        if not is_identifying(t):
            last = t
    return out


__all__ = ["DIRECTION_WORDS", "TOPIC_WORDS", "order_moved", "topic_swap"]
