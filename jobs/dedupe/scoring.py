"""Pair scoring: one score in [0, 1] from title similarity and the other evidence, with reasons.

Why ~900 lines: one score, and its caps apply in one order over the same reasons (a cap
read apart from the others would let one lift what another held at review), and the
customer's name in one title only is read here, where the pair's org records and person
are known; the title's own rules live in ``title_diff`` and ``order``, the context's in
``evidence``.

The title carries most of the weight: rapidfuzz similarity of the normalized
titles (the better of in-order and sorted-words, so words reordered around a
dash still match), stretched so that 0.5 similarity counts as nothing. Then:

* number tokens differ on both sides (``2024``/``2025``, ``q3``/``q4``, ``+5``/``-5``,
  ``%``/``€``: signs and symbols are identifying tokens, ``normalize``): capped at 0.40;
  the shared words in another order (``order.order_moved``: only the org name and label
  parts, which leave the title, may move, and a topic part and a short qualifier part may
  swap places, ``Catering rollout - Lyon`` / ``Lyon - Catering rollout``, and so may the
  customer's name and a topic, ``_name_words_of``, and a title with no separator be read
  as the other's parts reordered, x42r2 F6): capped at 0.40
  when numbers, symbols or letters moved (``Phase 2 Los 3`` / ``Phase 3 Los 2``, ``70/30`` /
  ``30/70``), at 0.80 when words did
  (``Berlin nach Hamburg`` / ``Hamburg nach Berlin``, ``Hamburg - Shanghai`` / ``Shanghai -
  Hamburg``), a ``different order`` reason;
* a meaningful word on one side only (``Storno Auftrag`` / ``Auftrag``; not a legal form or
  an org-name word, ``_meaningful``): -0.10 and at most 0.80 (review); at one org record, the
  org's name (exact or two letters swapped) and legal forms on one side only are left out of
  the title score and cost nothing (``_customer_name_only``), and so is the name one letter
  off as a title part of its own when org record, person and value agree (``_name_slip``; a
  name of two or more words with one word mistyped, the others spelled: ``Orio Textiles``
  at org ``Orion Textiles``); a deal with no org whose title names the other's org, one
  person on both, is read as at that org (``_read_at_org``: ``Office move (Gustav Motoren)``
  / ``Gustav Motoren - Office move``); such names are compared whatever their length
  (``_below_cutoff``: the name alone kept them under the cutoff, x40r3 F4); such a name one
  letter off beside other words of its part, the other title naming the org itself (``Kunde
  Kaul`` / ``Kunde Kaulx``), is two names and keeps the cap (``_named_otherwise``);
  a number on one side only: -0.15 and capped at 0.75 (review at most);
* title words are paired by ``word_pair``: two neighbours swapped is a typo; two words one
  edit apart that are BOTH real words or common names (``trial`` / ``trail``, ``schmidt`` /
  ``schmitt``; ``lexicon.is_known_word``) and two forms of one word (``abendkurs`` /
  ``abendkurse``, ``inflected``) are two words: at most 0.80 (review), whatever the other
  evidence (``two real words`` / ``word forms`` reasons); a letter replaced, added or dropped
  after the first letter, at any length (``linz`` / ``lienz``, ``heilbronn`` / ``heilbrunn``) is
  a near word: at most 0.80 (review), even in a double submission — but a common word's
  plausible slip into a spelling written under Zipf 2 (``servce``, ``lexicon.rare_slip``) is
  the word when org record, person and value agree (``_agree``), and so is any one-letter
  slip into a spelling written nowhere of a common word the account's titles use
  (``lexicon.account_slip``, ``Prepared.vocab``: ``pilut`` among 200 ``pilot`` titles); two
  edits each a typo of one common word are that word (``mistyped_alike``); two edits, a changed
  first letter or a word under 4 letters is no partner at all: a
  substituted word; month and weekday names count as numbers
  (``normalize``: ``Messe Juni`` / ``Messe Juli`` differ like ``Q3`` / ``Q4``);
* the expected close date or a date custom field more than 45 days apart: at most 0.80;
* a categorical custom field (an option, a set, a user, a person, an organization) with
  another value on each deal: at most 0.80 (``category_conflicts``), and so a measured one
  (an amount and its currency, a number, a time, a phone number, an address:
  ``measure_conflicts``; ``config.MEASURE_FIELD_TYPES``);
* added more than 2 days apart (``COPY_GAP_DAYS``) with no equal identifier (the only sign
  of a copy that lifts it: a same expected close date or date field is a default many
  orders share, x33r3 F4): a weekly order, a repeat service call as often as one deal
  retyped; at most 0.80 (review), a ``a repeat? added 7 days apart`` reason
  (``evidence.added_apart``; f33h S1: weekly orders merged night by night); lifted, the
  reason says so and the gap (``added 7 days apart, the repeat rule lifted by the same
  identifier: PO number 4711``);
* recurring (added >= 21 days apart, or one added at or after the other's won_time / lost_time
  — 1-s times: a tie could be after —,
  never its update_time: a renewal, a retainer, a re-opened opportunity): at most 0.80 (review);
* words are compared with their accents folded (``normalize.fold``: ``région`` = ``region``,
  one word, neither a typo nor two real words);
* a whole word substituted (``crm licences`` / ``erp licences``, ``app`` / ``api``: words under 4
  letters have no typos): -0.25 and at most 0.80 (review); a word only on one side: -0.10;
* same org +0.05 (same company on two org records, ``normalize.same_company``, +0.03; none
  when either record is a catch-all, ``evidence._context``);
  different orgs -0.40; two org records alike but for different legal forms (``Acme GmbH`` /
  ``Acme Inc``: two legal entities, ``normalize.other_legal_entity``): no support, at most 0.80;
* same person +0.04, different persons -0.08 (-0.30 when no org confirms the customer) and
  at most 0.80 (review: two customers of one org name as often as one customer twice); two
  person records sharing an e-mail or a name and phone (``evidence.one_person``) are one
  person entered twice, as one record (x42r2 F5);
* an org on one deal and a person on the other, nothing shared (``nothing ties the deals to
  one customer: org only on one, person only on the other``): at most 0.80 (review);
* one letter more at a word's end (``frank`` / ``franka``) is two word forms, ``ß`` against
  ``ss`` (``maße`` / ``masse``) is ``ß or ss``: at most 0.80, even in a double submission;
* nothing tying the pair to one customer (no shared org or company, no shared person):
  at most 0.80 whatever the title and the time gap (``nothing ties the deals to one
  customer: ...`` reason; an equal identifier lifts it);
* same non-zero value (a cent apart at most) +0.04, different non-zero values -0.08 (a
  0/empty value is no evidence) and at most 0.80 (review), a rounding too (``amounts.
  value_conflict``: ``two amounts: 480≠530``, x24r4 1; ``two amounts: 5,600≠5,650 (maybe
  5,650 rounded to hundreds)``, x45r2 F1);
  a currency or pipeline that differs when the config dropped its guard: at most 0.80 too
  (``record differs: ...``);
  an open deal beside a won or lost one at a different value is a second piece against (no
  weight of its own): review at most (a new opportunity as often as a copy left open);
* add_time ≤ 1 h apart +0.05, ≤ 2 days +0.02, > 90 days -0.08; same pipeline +0.02.

The evidence for a match is added to the title's part first and that sum capped at
1.0; the evidence against is subtracted after the cap (an identical title cannot
absorb it), and two or more pieces against (different org, person, value, added
months apart, a title word one edit from the other's) cap the score at 0.80 (review
at most) with a ``contradicting evidence: ...`` reason.

The caps (0.40, 0.75, 0.80) are absolute scores, and a pair one of them holds (the rule's
condition is met) is never in the duplicate band, whatever the thresholds: a config whose
duplicate threshold is 0.80 or below puts such a pair in review with a ``review at most:
RULE`` reason (x21r2 F1: "review at most" held only for a duplicate threshold above 0.80).

Identifier fields (``DedupeConfig.identifier_fields``: a PO number, a contract id, the
import's source key): a value on both deals that differs is a guard (``guard: different PO
number 4711≠4712``: never merged, however alike the titles); an equal value is strong
evidence for (+0.15, ``same identifier: PO number 4711``), and then a near word, two real
words or no shared org/person cap nothing: the source system says it is one record. Such a pair
is compared whatever its titles and reaches review at least; titles too unlike to reach review
on their own keep it at 0.80 at most (an identifier alone never merges). A value read as a
placeholder loses only the evidence its equality gives: two values that differ where one reads
as a filler of digits (``PO-1111`` / ``PO-1112``, ``12345`` / ``12346``, ``9999`` / a real
id) cap the pair at 0.80 (``different identifier, one read as a filler: ...``, x44r2 F1);
only a value that says none (empty, ``n/a``, ``TBD``, ``xxxx``: ``evidence.blank_identifier``)
tells nothing.

Guards (``DedupeConfig.guards``, and differing identifiers) are checked first: a guarded pair
is band ``distinct`` whatever its score, with a ``guard: ...`` reason. Nothing here
does I/O; scores are deterministic.

The rules live in two modules beside this one (their names are importable from here too):
``title_diff`` (how the words of two titles relate: typos, near words, real words, word
forms, a letter or a roman numeral) and ``evidence`` (what the records say: guards,
identifiers, org / person / value / time, dates, recurrence). This module weighs them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

from rapidfuzz import fuzz

from ..transforms.legal_forms import form_run
from .amounts import same_value
from .catch_all import places
from .config import DedupeConfig
from .evidence import (
    COPY_GAP_DAYS,
    DATE_GAP_DAYS,
    DATES_DIFFER,
    DIFFERENT_ORG_WEIGHT,
    FAR_APART_DAYS,
    FILLER_DIFFERS,
    LEGAL_ENTITIES,
    NO_CONTACT,
    NO_CUSTOMER,
    ONE_PERSONS_ORG,
    ORG_MARKS_APART,
    RECURRING_DAYS,
    REPEAT,
    SAME_IDENTIFIER,
    TWO_ORG_RECORDS,
    UNTIED,
    UNTIED_SIDES,
    Prepared,
    _context,
    _identifiers,
    _recurring,
    added_apart,
    category_conflicts,
    date_gaps,
    days_apart,
    different_org,
    epoch,
    filler_differences,
    guard_reasons,
    guarded,
    identifier_value,
    one_person,
    record_conflicts,
)
from .letters import typed_alike
from .lexicon import is_known_word
from .measures import measure_conflicts
from .model import Band, DealRecord, ScoredPair
from .normalize import (
    LEGAL_SUFFIXES,
    NormTitle,
    _org_spelled,
    canonical,
    fold,
    half_of_compound,
    is_identifying,
    normalize_title,
    org_key,
    org_key_dotless,
)
from .order import order_moved
from .title_diff import (
    FORMS,
    INFLECTIONS,
    NEAR,
    REAL,
    SHARP_S,
    SLIP,
    TYPO,
    WordDiff,
    _letter_or_numeral,
    _only,
    _typo_of,
    clear_typo,
    connectors_apart,
    connectors_read,
    inflected,
    marks_written,
    months_typed,
    or_against_and,
    word_diff,
    word_pair,
)
from .title_tokens import parted_words, words

MAX_BOOST = 0.05 + 0.04 + 0.04 + 0.05 + 0.02  # the most the non-title evidence can add
SUBSTITUTION_CAP = 0.80  # a word swapped for another (not a typo): review at most
NO_CUSTOMER_CAP = 0.80  # no shared org or person: review at most
NEAR_WORD = "near word"  # reason prefix: a word one letter from another, maybe another word
RARE_SLIP = "slip into a rare spelling"  # reason prefix: servce≈service (lexicon.rare_slip)
TYPO_WORD = "typo"  # reason prefix: a word read as another mistyped (wesbite≈website)
NEAR_WORD_CAP = 0.80  # a near word (linz/lienz) without a double submit's evidence: review at most
REAL_WORDS = "two real words"  # reason prefix: two known words one edit apart (trial/trail)
REAL_WORDS_CAP = 0.80  # two real words are two words: review at most, whatever the evidence
WORD_FORMS = "word forms"  # reason prefix: one word with two endings (abendkurs/abendkurse)
SHARP_S_WORDS = "ß or ss"  # reason prefix: maße / masse (dimensions / mass): review at most
ROMAN = "a letter or a roman numeral"  # reason prefix: Phase I / Phase 1, Projekt X / 10
ROMAN_CAP = 0.80  # a single letter is no numeral for sure, nor surely a letter: review
PERSONS_CAP = 0.80  # two person records on the deals: two customers as often as one, review
RECURRING_CAP = 0.80
ADDED_APART = "added days apart"  # "review at most" rule: evidence.added_apart, a repeat?
REPEAT_LIFTED = "the repeat rule lifted"  # reason: days apart, but an equal identifier
CONTRADICTION_CAP = 0.80  # two or more pieces of evidence against (person, value, dates...): review
IDENTIFIER_BOOST = 0.15  # an equal identifier (PO number, source key): strong evidence for
LEGAL_ENTITIES_CAP = 0.80  # Acme GmbH / Acme Inc: subsidiaries or national entities, review at most
TWO_ORG_RECORDS_CAP = 0.80  # one org name on two records, no shared person: branches? review
DATES_CAP = 0.80
IDENTIFIER_CAP = 0.80  # identifiers differ, one read as a filler (PO-1111 / PO-1112): review at most
RECORD_CAP = 0.80  # two amounts, or a currency / pipeline no guard holds: review at most
RECORD_DIFFERS = "record differs"  # "review at most" rule: the records say two deals
CATEGORIES_CAP = 0.80  # a categorical custom field differs (an option, a user...): review
ORDER = "different order"  # reason prefix: the same words or numbers in another order
ORDER_WORDS_CAP = 0.80  # words moved inside a part (Berlin nach Hamburg / Hamburg nach Berlin)
ORDER_NUMBERS_CAP = 0.40  # numbers or letters moved (Phase 2 Los 3 / Phase 3 Los 2): two deals
EXTRA_WORD_CAP = 0.80  # a meaningful word on one side only (Storno Auftrag / Auftrag): review
EXTRA_WORD = "word only on one"  # reason prefix
EXTRA_WORD_PENALTY = 0.10
CUSTOMER_NAME = "customer's name on one only"  # reason prefix: the org name (mistyped) in one title
UNLIKE_TITLES = "titles unlike"  # reason: an equal identifier, titles no match on their own
REVIEW_AT_MOST = "review at most"  # reason prefix: a pair in the duplicate band's scores held at review


def score_if_kept(p: Prepared, q: Prepared, config: DedupeConfig) -> ScoredPair | None:
    """``score_pair`` for pairs that may reach the review band; None for a guarded pair
    or one whose title is too far apart for any evidence to lift it to review."""
    if guarded(p.deal, q.deal, config.guards, config.identifier_fields):
        return None
    return _score_unguarded(p, q, config)


def _score_unguarded(p: Prepared, q: Prepared, config: DedupeConfig) -> ScoredPair | None:
    """``score_if_kept`` of a pair known not to be guarded (``find_duplicates`` checked)."""
    cutoff = max(0.0, 0.5 + (config.review_threshold - MAX_BOOST) / 2)
    x, y = p.title, q.title
    if not x.text or not y.text:
        return None
    if not _share_identifier(p, q) and _below_cutoff(p, q, cutoff * 100, config.noise_words):
        return None
    if (ctx := _against_keeps_out(p, q, config)) is None:
        return None
    sp = _scored(p, q, config, every_cap=False, context=ctx)[0]
    return None if sp.band == "distinct" else sp


def score_held(p: Prepared, q: Prepared, config: DedupeConfig) -> ScoredPair | None:
    """``score_pair`` of a guarded pair that would reach the review band but for its
    guard (band ``distinct``, the guard in its reasons); None otherwise."""
    x, y = p.title, q.title
    cutoff = max(0.0, 0.5 + (config.review_threshold - MAX_BOOST) / 2) * 100
    if not x.text or not y.text or (not _share_identifier(p, q) and _below_cutoff(
            p, q, cutoff, config.noise_words)) or (ctx := _against_keeps_out(p, q, config)) is None:
        return None
    sp = _scored(p, q, config, every_cap=False, context=ctx)[0]
    return sp if sp.score >= config.review_threshold else None


# the non-title evidence of a pair as ``_context`` gives it: (support, against, its reasons)
Context = tuple[float, list[tuple[float, str]], list[str]]


def _against_keeps_out(p: Prepared, q: Prepared, config: DedupeConfig) -> Context | None:
    """(speed) None when the evidence against a pair alone keeps its ``score_pair`` score
    below ``config.review_threshold``: that evidence (``_context``: a different org is -0.40)
    is subtracted after everything else is capped at 1.0, later steps only lower a score,
    and only an equal identifier lifts one (to review), so the score is at most
    1.0 + the weights against. Two thirds of the pairs a full plan compares are at two
    companies and need no title comparison then. Else the pair's ``_context`` (ordered by
    deal id), which ``_scored`` takes rather than reading it again (f41d 4: a quarter of the
    ``_context`` calls of a full plan were the same pairs' again)."""
    a, b = (p, q) if p.deal.id < q.deal.id else (q, p)
    same_id = bool(config.identifier_fields
                   and _identifiers(a.deal, b.deal, config.identifier_fields)[1])
    if not same_id and round(1.0 + DIFFERENT_ORG_WEIGHT, 4) < config.review_threshold \
            and different_org(a, b):
        return None  # (speed) two companies: -0.40 alone keeps it out, the rest is not built
    ctx = _pair_context(a, b)
    against = ctx[1]
    if not against or same_id:
        return ctx
    bound = 1.0 + sum(w for w, _ in against)
    return None if round(min(1.0, max(0.0, bound)), 4) < config.review_threshold else ctx


def _pair_context(a: Prepared, b: Prepared) -> Context:
    """``_context`` of deals ``a`` and ``b`` (``a`` the lower id) with the reasons it gives."""
    reasons: list[str] = []
    support, against = _context(a, b, reasons)
    return support, against, reasons


def _below_cutoff(p: Prepared, q: Prepared, cutoff: float, noise_words: frozenset[str]) -> bool:
    """(speed) The titles are too unlike (rapidfuzz ratio under ``cutoff``, 0-100) for the pair
    to reach review: in order and with sorted words, and also with the customer's name left
    out where ``_scored`` may leave it out (``_customer_words``: the org record's name, maybe
    mistyped, in one title only; ``_read_at_org``: a copy with no org naming the other's).
    Without that, a long name in one title only kept a copy from ever being scored (x40r3 F4:
    ``Orio Textiles - Security audit`` / ``Orion Textiles - Security audit``, ``Office move
    (Gustav Motoren)`` / ``Gustav Motoren - Office move``: never compared, 32 of 32)."""
    x, y = p.title, q.title
    tx, ty, sx, sy = _typed_texts(x.tokens, y.tokens, x, y)
    if fuzz.ratio(sx, sy, score_cutoff=cutoff) or fuzz.ratio(tx, ty, score_cutoff=cutoff):
        return False
    dp, dq = p.deal, q.deal
    if dp.org_id is not None and dp.org_id == dq.org_id:
        drop = _customer_words(p, q)
        return not drop or _similarity_without(x, y, drop) * 100 < cutoff
    if (dp.org_id is None) == (dq.org_id is None) or not _same_person(p, q):
        return True  # (speed) no org record on one deal only, one person: ``_read_at_org`` is None
    read = _read_at_org(p, q, noise_words)
    return read is None or title_similarity(read[0].title, read[1].title) * 100 < cutoff


def _customer_words(a: Prepared, b: Prepared) -> frozenset[str]:
    """The words of either title that may name the customer of two deals at one org record:
    its name's words, spelled or one edit off (``_typo_of``), and legal forms; empty for deals
    at two org records or none. Whether they do name it is ``_customer_name_only``'s to say."""
    if a.deal.org_id is None or a.deal.org_id != b.deal.org_id or not a.org:
        return frozenset()
    key = a.org if a.org == b.org else f"{a.org} {b.org}"
    named = _name_words(a.title.text, key) | _name_words(b.title.text, key)
    if not named:  # most titles: the name spelled right was taken out already (normalize)
        return named
    return named - set(a.title.tokens).intersection(b.title.tokens)


@lru_cache(maxsize=65536)
def _name_words(text: str, org: str) -> frozenset[str]:
    """The tokens of a normalized title's ``text`` that are a word of org key ``org``, one
    edit off one, or a legal form (keyed by strings: their hash is kept, a tuple's is not)."""
    words_ = org.split()
    return frozenset(t for t in text.split()
                     if t in LEGAL_SUFFIXES or any(t == o or _typo_of(t, o) for o in words_))


def _read_at_org(a: Prepared, b: Prepared, noise_words: frozenset[str]
                 ) -> tuple[Prepared, Prepared, str] | None:
    """A deal with no org record whose title names the other deal's org, the two of one
    person (no catch-all on either): ``(a, b, what was read)`` with that title normalized as
    if the deal were at that org (``normalize_title`` takes the name out, exactly as written
    or spaced otherwise, never with a typo, and the legal form after it); None otherwise.
    ``Office move (Gustav Motoren)`` with no org beside ``Gustav Motoren - Office move`` at org
    ``Gustav Motoren`` reads ``office move`` twice (x40r3 F4: 19 of 19 never compared). The
    person is the tie: without one shared, the name alone says nothing of whose deal it is."""
    da, db = a.deal, b.deal
    if (da.org_id is None) == (db.org_id is None) or not _same_person(a, b) \
            or a.weak_person or b.weak_person or a.weak_org or b.weak_org:
        return None
    bare, at = (a, b) if da.org_id is None else (b, a)
    if not at.org or not at.deal.org_name:
        return None
    title = _at_org(bare.deal.title, at.deal.org_name, noise_words)
    if len(title.tokens) >= len(bare.title.tokens):
        return None  # the name is not in it (or is all of it: ``normalize_title`` keeps it then)
    left = Counter(title.tokens)
    gone: list[str] = []
    for t in bare.title.tokens:
        if left[t]:
            left[t] -= 1
        else:
            gone.append(t)
    what = (f"{' '.join(gone)} (the org of deal {at.deal.id}, in the title of deal "
            f"{bare.deal.id}, which has no org)")
    read = replace(bare, title=title)
    return (read, at, what) if bare is a else (at, read, what)


# (speed) a no-org deal's title read at each org its person's other deals are at, once
_at_org = lru_cache(maxsize=16384)(normalize_title)


def _same_person(a: Prepared, b: Prepared) -> bool:
    """One person on both deals: one person record, or two records of one person entered
    twice (``evidence.one_person``: a shared e-mail under one name, a name and a phone),
    which tie deals as one record does (README, "A person entered twice is one person";
    x44r2 F2: a copy with no org under a second record of its person, its title naming the
    org, was never compared: 12 of 22 labelled pairs in no band)."""
    da, db = a.deal, b.deal
    return da.person_id is not None and db.person_id is not None and (
        da.person_id == db.person_id or one_person(a, b) is not None)


def _share_identifier(p: Prepared, q: Prepared) -> bool:
    """The two deals carry one equal identifier value (their titles may differ more)."""
    return bool(p.idents) and bool(q.idents) and not set(p.idents).isdisjoint(q.idents)


def title_similarity(x: NormTitle, y: NormTitle, score_cutoff: float = 0.0) -> float:
    """rapidfuzz similarity in [0, 1] of two normalized titles (in order or sorted, the better).

    Returns 0.0 when below ``score_cutoff`` (a fast reject) or when a title is empty.
    """
    if not x.text or not y.text:
        return 0.0
    cut = score_cutoff * 100
    tx, ty, sx, sy = _typed_texts(x.tokens, y.tokens, x, y)
    r = max(fuzz.ratio(tx, ty, score_cutoff=cut), fuzz.ratio(sx, sy, score_cutoff=cut))
    return r / 100.0


def _typed_texts(tx: Sequence[str], ty: Sequence[str], x: NormTitle | None = None,
                 y: NormTitle | None = None) -> tuple[str, str, str, str]:
    """Two titles' tokens as the similarity compares them, in order and sorted: a word
    written with letters and its copy typed without them as one word, folded (``letters.
    typed_alike``; x52r4 F2: ``Hợp đồng bảo trì`` / ``Hop dong bao tri`` were compared
    letter by letter and fell below the cutoff). ASCII titles as they are (``x``, ``y``: their
    texts, read once)."""
    if all(t.isascii() for t in tx) and all(t.isascii() for t in ty):
        if x is not None and y is not None:
            return x.text, y.text, x.sorted_text, y.sorted_text
        fx, fy = list(tx), list(ty)
    else:
        fx, fy = typed_alike(tx, ty)
    return " ".join(fx), " ".join(fy), " ".join(sorted(fx)), " ".join(sorted(fy))


def score_pair(p: Prepared, q: Prepared, config: DedupeConfig) -> ScoredPair:
    """Score two prepared deals; ``a < b`` in the result. Pure and deterministic."""
    return _scored(p, q, config, every_cap=False)[0]


# The "review at most" rules that are evidence *against* one deal (not the absence of
# evidence for it, nor a title's wording): a survivor inherits them from the deals merged
# into it (``find_duplicates``' ``absorbed``), as it inherits their guards.
AGAINST_RULES = frozenset({"contradicting evidence", "two persons", "two legal entities",
                           "numbers differ", "categories differ", "measures differ",
                           "dates apart", "recurring", ADDED_APART,
                           "two org records", RECORD_DIFFERS, FILLER_DIFFERS})


def held_against(p: Prepared, q: Prepared, config: DedupeConfig) -> tuple[str, ...]:
    """The ``AGAINST_RULES`` that hold for the pair, every cap evaluated whatever the
    score (``score_pair`` skips a cap that cannot change its band); () for a pair below
    the review threshold (what no plan showed holds nothing back)."""
    sp, held = _scored(p, q, config, every_cap=True)
    if sp.score < config.review_threshold:
        return ()
    return tuple(h for h in held if h in AGAINST_RULES)


def held_rules(p: Prepared, q: Prepared, config: DedupeConfig) -> tuple[str, ...]:
    """Every "review at most" rule that holds for the pair, each cap checked whatever the
    score (``score_pair`` names them only for a pair the duplicate band's score would take):
    a review pair with none is in the review band by its score alone. ``apply`` leaves a
    pair with one to a person's ``decision = merge``, even with --include-review."""
    return tuple(_scored(p, q, config, every_cap=True)[1])


def _scored(p: Prepared, q: Prepared, config: DedupeConfig, *, every_cap: bool,
            context: Context | None = None) -> tuple[ScoredPair, list[str]]:
    """``score_pair`` and the "review at most" rules that held (``every_cap``: each one
    checked, not only those that can change the band); ``context``: the pair's ``_context``
    read already (``_against_keeps_out``)."""
    a, b = (p, q) if p.deal.id < q.deal.id else (q, p)
    da, db = a.deal, b.deal
    guards = guard_reasons(da, db, config.guards, config.identifier_fields)
    same_id = _identifiers(da, db, config.identifier_fields)[1] if config.identifier_fields else []
    cutoff = max(0.0, 0.5 + (config.review_threshold - MAX_BOOST) / 2)  # below: cannot reach review
    # a copy with no org naming the other's org in its title: read as at that org (x40r3 F4)
    if (read := _read_at_org(a, b, config.noise_words)) is not None:
        a, b, named_org = read
    if (written := marks_written(a.title, b.title)) != (a.title, b.title):  # vöruhús / vöruhus
        a, b = replace(a, title=written[0]), replace(b, title=written[1])
    if (typed := months_typed(a.title, b.title)) != (a.title, b.title):  # ``may`` / ``máy``
        a, b = replace(a, title=typed[0]), replace(b, title=typed[1])
    apart = connectors_apart(a.title, b.title, da.title, db.title) \
        or or_against_and(da.title, db.title)  # y / i, of / en: two words
    if (read_and := connectors_read(a.title, b.title)) != (a.title, b.title):  # og / OG
        a, b = replace(a, title=read_and[0]), replace(b, title=read_and[1])
    # an equal identifier is compared whatever its titles (it reaches review at least, below)
    title = title_similarity(a.title, b.title, score_cutoff=0.0 if same_id else cutoff)
    if title == 0.0 and not same_id and (drop := _customer_words(a, b)) \
            and _similarity_without(a.title, b.title, drop) >= cutoff:
        title = title_similarity(a.title, b.title)  # the customer's name in one title only?
    if title == 0.0 and not same_id:
        return ScoredPair(da.id, db.id, 0.0, "distinct", ("title below cutoff", *guards)), []
    reasons = [f"title {title:.2f}"]
    if apart is not None:
        reasons.append(f"{REAL_WORDS}: {apart[0]}≠{apart[1]}")
    penalty, extra = _title_evidence(a.title, b.title, reasons, a.vocab)
    if read is not None:  # the name names the customer: no evidence either way, said (as below)
        reasons.append(f"{CUSTOMER_NAME}: {named_org}")
    if extra and (named := _customer_name_only(extra, a, b) or _company_part(extra, a, b)):
        title = _similarity_without(a.title, b.title, frozenset(extra))
        penalty += EXTRA_WORD_PENALTY
        reasons[0] = f"title {title:.2f}"
        reasons[:] = [f"{CUSTOMER_NAME}: {named}" if r.startswith(EXTRA_WORD) else r for r in reasons]
        extra = ()  # the customer's name: no extra word to cap
    s = max(0.0, (title - 0.5) / 0.5) + penalty
    if context is None:
        support, against = _context(a, b, reasons)
    else:  # (speed) read once a pair: the deals' records, not the titles read at an org
        support, against = context[0], list(context[1])
        reasons.extend(context[2])
    if same_id:  # the source system says it is one record
        support += IDENTIFIER_BOOST
        reasons.extend(same_id)
    # evidence for a match cannot lift the score past 1.0 and so hide the evidence against it
    s = min(1.0, s + support) + sum(w for w, _ in against)
    held: list[str] = []  # the "review at most" rules that hold for the pair (never duplicate)

    def over(cap: float) -> bool:
        """A cap at ``cap`` can matter: the score is above it, or in the duplicate band
        (a config whose duplicate threshold is at or below a cap: x21r2 F1)."""
        return every_cap or s > cap or s >= config.duplicate_threshold

    if len(contra := _contradictions(a.title, b.title, against)) >= 2:
        s = min(s, CONTRADICTION_CAP)
        reasons.append(f"contradicting evidence: {', '.join(contra)}")
        held.append("contradicting evidence")
    if any(r.startswith("different words:") for r in reasons):
        s = min(s, SUBSTITUTION_CAP)  # other evidence may lift it to review, never beyond
        held.append("different words")
    if not same_id and any(r.startswith(UNTIED) for r in reasons):
        s = min(s, NO_CUSTOMER_CAP)  # no shared org, company or person: review at most
        held.append("nothing ties the deals to one customer")
    if over(PERSONS_CAP) and da.person_id is not None and db.person_id is not None \
            and da.person_id != db.person_id and one_person(a, b) is None:
        s = min(s, PERSONS_CAP)  # two persons, one org name (Müller GmbH twice): maybe two customers
        reasons.append("two persons: review")
        held.append("two persons")
    if over(TWO_ORG_RECORDS_CAP) and not same_id and TWO_ORG_RECORDS in reasons \
            and (da.person_id is None or da.person_id != db.person_id) \
            and one_person(a, b) is None:
        # two org records of one name (``evidence.one_company``: the one normalization, so
        # ``Acme GmbH`` / ``Acme GmbH.`` / ``Müller`` / ``Mueller`` too: x36r2 F2) and no
        # person on both: an import keeps one record per name unless the addresses differ
        # (pdbulk's does), so these are two branches as often as a copy (x9r5: Köln's and
        # Düsseldorf's "Netzwerk Upgrade" merged); a shared person says one customer
        s = min(s, TWO_ORG_RECORDS_CAP)
        reasons.append("two org records of the same name, no shared person (branches?): "
                       "review")
        held.append("two org records")
    if over(TWO_ORG_RECORDS_CAP) and not same_id \
            and any(r.startswith(ORG_MARKS_APART) for r in reasons):
        # two org names alike once every mark is dropped, a word written in both with marks
        # that differ (``Vöruhús AB`` / ``Vöruhus AB``): two names as two title words are,
        # whoever is on both deals, so a person says which (f56e: merged at 1.00)
        s = min(s, TWO_ORG_RECORDS_CAP)
        held.append("two org records")
    if over(TWO_ORG_RECORDS_CAP) and not same_id and ONE_PERSONS_ORG in reasons:
        # two org names, one written shorter (``Celik Makine`` / ``Çelik Makine San. Tic.
        # A.Ş.``), one person by e-mail (x43r2 F4): one customer, but which org is its own a
        # person says
        s = min(s, TWO_ORG_RECORDS_CAP)
        reasons.append(f"{ONE_PERSONS_ORG}: review")
        held.append("two org records")
    if over(REAL_WORDS_CAP) and not same_id \
            and any(r.startswith((REAL_WORDS, WORD_FORMS, SHARP_S_WORDS)) for r in reasons):
        s = min(s, REAL_WORDS_CAP)  # two words, not a typo: review at most, even a double submit
        held.append("two words")
    if any(r.startswith(LEGAL_ENTITIES) for r in reasons):
        s = _cap_legal_entities(s, reasons)
        held.append("two legal entities")
    if over(NEAR_WORD_CAP) and any(r.startswith(NEAR_WORD) for r in reasons) and not same_id:
        s = min(s, NEAR_WORD_CAP)  # maybe another word (linz/lienz, woking/working): review
        held.append("near word")
    if over(NEAR_WORD_CAP) and not same_id and any(r.startswith(RARE_SLIP) for r in reasons) \
            and not _agree(a, b):
        s = min(s, NEAR_WORD_CAP)  # servce/service: a slip, when nothing else could tell the deals apart
        reasons.append(f"{RARE_SLIP}: review unless org record, person and value agree")
        held.append("rare slip")
    if over(RECURRING_CAP) and (recurring := _recurring(da, db)):  # (only where it can matter)
        s = min(s, RECURRING_CAP)
        reasons.append(recurring)
        held.append("recurring")
    if over(DATES_CAP) and (gaps := date_gaps(da, db, config.date_fields)):
        s = min(s, DATES_CAP)  # a renewal or the next period's deal: review at most
        reasons.extend(gaps)
        held.append("dates apart")
    if over(CATEGORIES_CAP) and (other := category_conflicts(
            da, db, config.category_fields, config.field_options)):
        s = min(s, CATEGORIES_CAP)  # filed under other categories (CRM / Analytics): review at most
        reasons.extend(other)
        held.append("categories differ")
    if over(CATEGORIES_CAP) and (measured := measure_conflicts(da, db, config.measure_fields)):
        s = min(s, CATEGORIES_CAP)  # Contract value 10,000 / 90,000 EUR: two records, review at most
        reasons.extend(measured)
        held.append("measures differ")
    if over(IDENTIFIER_CAP) and config.identifier_fields and (
            fillers := filler_differences(da, db, config.identifier_fields)):
        s = min(s, IDENTIFIER_CAP)  # PO-1111 / PO-1112: two orders' ids, or a form's filler
        reasons.extend(fillers)
        held.append(FILLER_DIFFERS)
    if over(RECORD_CAP) and (conflicts := record_conflicts(da, db, config.guards)):
        s = min(s, RECORD_CAP)  # two amounts (480 / 530): two orders as often as one retyped
        reasons.extend(c for c in conflicts if c not in reasons)  # two amounts: said once
        held.append(RECORD_DIFFERS)
    if over(RECURRING_CAP) and not same_id and "recurring" not in held \
            and (repeat := added_apart(da, db, config.date_fields)):
        s = min(s, RECURRING_CAP)  # a weekly order, a repeat call: review at most (f33h S1)
        reasons.append(repeat)
        held.append(ADDED_APART)
    elif same_id and "recurring" not in held and added_apart(da, db) is not None:
        # said, not silent (x33r3 F4): what lifted the repeat rule, and the gap
        assert da.add_time is not None and db.add_time is not None
        gap = days_apart(abs(epoch(da.add_time) - epoch(db.add_time)))
        reasons.append(f"added {gap} days apart, {REPEAT_LIFTED} by the {same_id[0]}")
    if over(EXTRA_WORD_CAP) and not same_id and _meaningful(extra, a, b):
        s = min(s, EXTRA_WORD_CAP)  # ``Storno Auftrag`` / ``Auftrag``: another deal as often as a copy
        held.append("word only on one")
    if a.title.numbers != b.title.numbers:  # no other evidence may lift a differing number
        roman = _letter_or_numeral(a.title.numbers, b.title.numbers)
        if roman:  # Phase I / Phase 1: maybe one phase, maybe Projekt X / Projekt 10
            s = min(s, ROMAN_CAP)
            reasons.append(f"{ROMAN}: {roman}")
        else:
            s = min(s, 0.40 if a.title.numbers and b.title.numbers else 0.75)
        held.append("numbers differ")
    if over(ORDER_NUMBERS_CAP) and (moved := order_moved(a.title, b.title, _name_words_of(a, b))) is not None:
        what, why = moved
        if what == "numbers":
            s = min(s, ORDER_NUMBERS_CAP)
            reasons.append(f"{ORDER}: {why}")
            held.append(ORDER)
        elif not same_id and over(ORDER_WORDS_CAP):
            s = min(s, ORDER_WORDS_CAP)
            reasons.append(f"{ORDER}: {why}")
            held.append(ORDER)
    if same_id:  # the source system says one record: a person looks, at least
        if title < cutoff:  # ... but an identifier alone never merges unlike titles
            s = min(s, SUBSTITUTION_CAP)
            reasons.append(f"{UNLIKE_TITLES}: the equal identifier alone merges nothing")
            held.append(UNLIKE_TITLES)
        s = max(s, config.review_threshold)
    score = round(min(1.0, max(0.0, s)), 4)
    reasons.extend(guards)
    band: Band
    if guards:
        band = "distinct"
    elif score >= config.duplicate_threshold and held:
        # a "review at most" rule holds: review whatever the thresholds (x21r2 F1)
        band = "review"
        reasons.append(f"{REVIEW_AT_MOST}: {', '.join(held)}")
    elif score >= config.duplicate_threshold:
        band = "duplicate"
    elif score >= config.review_threshold:
        band = "review"
    else:
        band = "distinct"
    return ScoredPair(da.id, db.id, score, band, tuple(reasons)), held


def _name_words_of(a: Prepared, b: Prepared) -> frozenset[str]:
    """The words of the customer's name two deals share, as ``order.order_moved`` compares
    them (folded): the one person's name (one person record, no catch-all) and the one org
    record's name (no catch-all), place names left out (``catch_all.places``: ``Berlin -
    Hamburg`` at org ``Berlin Logistik`` is a lane, not a name moved). Empty when they share
    neither. ``Anna Weber - Coaching`` / ``Coaching - Anna Weber`` (x42r2 F6)."""
    da, db = a.deal, b.deal
    out: set[str] = set()
    if _same_person(a, b) and not (a.weak_person or b.weak_person):
        out.update(_folded_words(da.person_name), _folded_words(db.person_name))
    if da.org_id is not None and da.org_id == db.org_id and not (a.weak_org or b.weak_org):
        out.update(_folded_words(da.org_name), _folded_words(db.org_name))
    return frozenset(out - places()) if out else frozenset()


@lru_cache(maxsize=65536)
def _folded_words(name: str | None) -> frozenset[str]:
    """A person's or org's name as a title's folded tokens (``canonical``, ``fold``), legal
    forms left out."""
    return frozenset(fold(canonical(w)) for w in words(name or "")) - LEGAL_SUFFIXES


def _customer_name_only(extra: tuple[str, ...], a: Prepared, b: Prepared) -> str:
    """The extra words (on one title only), when both deals are at one org record and those
    words are its whole name (legal forms aside; one word of a longer name is not) — its
    words spelled exactly or with two neighbouring letters
    swapped (``clear_typo``: ``Nadrra - Support`` / ``Support`` at org ``Nardra AG``) — and
    legal forms, as a reason detail
    (``nadrra (nardra)``); else empty. Such words name the customer the org record already
    names: no evidence either way. A name one letter replaced, added or dropped (``Wean`` at
    org ``Wenan``, ``Kunde Maier`` at org ``Meier``) may be another person or company: it
    stays an extra word."""
    if a.deal.org_id is None or a.deal.org_id != b.deal.org_id or not a.org:
        return ""
    orgs = set(a.org.split()) | set(b.org.split())
    out: list[str] = []
    named: set[str] = set()  # the org's words the extra words spell
    if any(half_of_compound(w, orgs, a.deal.title, b.deal.title) for w in extra):
        # half of a hyphenated word (``Nord-Ost Trasse`` / ``Ost Trasse`` at org ``Nord
        # AG``: north-east, not the customer's name): x13r6 F3, merged at 1.00
        return ""
    for w in extra:
        if w in orgs:
            out.append(w)
            named.add(w)
        elif (o := next((o for o in orgs if clear_typo(w, o)), None)) is not None:
            out.append(f"{w} ({o})")
            named.add(o)
        elif (o := _name_slip(w, orgs, a, b)) is not None:
            out.append(f"{w} ({o})")
            named.add(o)
        elif w not in LEGAL_SUFFIXES:
            return ""
    # the whole name, not a word of it: ``Berlin office move`` / ``Office move`` at org
    # ``Berlin Consulting GmbH`` names a site of the customer, maybe another office's deal
    # (x13r2 F1: scored 1.00 and merged)
    # (the name as a title spells it: ``Harbor & Finch`` is ``harbor finch``, x40r3 F4)
    return " ".join(out) if named and all(w in named for w in _spelled(a)) else ""


def _spelled(p: Prepared) -> tuple[str, ...]:
    """The words a title spells ``p``'s org name with (``normalize._org_spelled``: an inner
    ``and`` / ``&`` left out), or its org key's words when the record carries no name."""
    return _org_spelled(p.deal.org_name) if p.deal.org_name else tuple(p.org.split())


def _company_part(extra: tuple[str, ...], a: Prepared, b: Prepared) -> str:
    """The extra words (on one title only) as a reason detail when they are a whole title
    part naming a company — a name and its legal form, no known word
    (``Jorqua GmbH - Website implementation`` / ``Website implementation``) — while neither
    deal has an org record and both have one person (no catch-all) and no two values: the
    customer that person is at, named in one title only, is no evidence either way, as
    ``_customer_name_only`` says of an org record's name, and so is the legal form alone on
    one title (``Rubri SRL - ...`` / ``... - Rubri``; f35e: 6-8 true pairs a bench seed were
    below review, -0.10 and the title's score without the name); else empty."""
    da, db = a.deal, b.deal
    if da.org_id is not None or db.org_id is not None or not _same_person(a, b) \
            or a.weak_person or b.weak_person \
            or (da.value and db.value and not same_value(da, db)):
        return ""
    title = a.title if extra[0] in a.title.tokens else b.title
    if not title.parts:
        return ""
    k = title.parts[title.tokens.index(extra[0])]
    part = tuple(t for t, p in zip(title.tokens, title.parts, strict=True) if p == k)
    # the name, then its legal form to the part's end (``Ixtem Sp. z o.o.``, ``Jorqua GmbH``)
    cut = next((j for j in range(1, len(part)) if form_run(part, j) == len(part)), None)
    if cut is None or not set(extra) <= set(part) \
            or any(is_known_word(t) or is_identifying(t) for t in part[:cut]):
        return ""
    return f"{' '.join(extra)} (no org record; one person)"


def _agree(a: Prepared, b: Prepared) -> bool:
    """The deals agree on all a customer is known by: one org record, one person, and no
    two different values (equal to a cent, or 0 / empty on one side: no evidence)."""
    da, db = a.deal, b.deal
    return da.org_id is not None and da.org_id == db.org_id and _same_person(a, b) and not (
            da.value and db.value and not same_value(da, db))


def _name_slip(w: str, orgs: set[str], a: Prepared, b: Prepared) -> str | None:
    """The org-name word ``w`` mistypes by one letter replaced, added or dropped after the
    first (``Wean - Firewall upgrade`` / ``Wenan - Firewall upgrade`` at org ``Wenan NV``), or
    None. Only where nothing else could be meant: ``w`` is no known word (``lexicon``: ``Plan``
    at org ``Pelan``, ``Loren`` at org ``Lozen`` stay extra words), it stands as a title part
    of its own (with legal forms at most: ``Kunde Maier`` at org ``Meier`` names a person), and
    the deals agree on everything else: one org record (checked by the caller), one person,
    one non-zero value.

    In a name of two or more words, ``w`` may be any word's slip, a known word too, when its
    part is the whole name with that one word mistyped (``Orio Textiles - Security audit``,
    ``Mistral Yacht - Fleet leasing`` at org ``Orion Textiles``, ``Mistral Yachts``): the words
    spelled around it say whose name it is (x40r3 F4: such a part stood for another word)."""
    if not _agree(a, b):
        return None
    o = next((o for o in orgs if o[:1] == w[:1] and _typo_of(w, o)), None)
    if o is None:
        return None
    title = a.title if w in a.title.tokens else b.title
    if not title.parts:
        return None
    k = title.parts[title.tokens.index(w)]
    part = [t for t, p in zip(title.tokens, title.parts, strict=True)
            if p == k and t not in LEGAL_SUFFIXES]
    if part == [w]:
        return None if is_known_word(w) else o
    name = _spelled(a)
    whole = len(part) == len(name) > 1 and part.count(w) == 1 \
        and all(t == n or (t == w and n == o) for t, n in zip(part, name, strict=True))
    return o if whole else None


def _similarity_without(x: NormTitle, y: NormTitle, drop: frozenset[str]) -> float:
    """``title_similarity`` of two titles with the tokens ``drop`` left out (0.0 when a title
    is left empty)."""
    tx = [t for t in x.tokens if t not in drop]
    ty = [t for t in y.tokens if t not in drop]
    if not tx or not ty:
        return 0.0
    jx, jy, sx, sy = _typed_texts(tx, ty)
    return max(fuzz.ratio(jx, jy), fuzz.ratio(sx, sy)) / 100.0


def _meaningful(extra: tuple[str, ...], a: Prepared, b: Prepared) -> bool:
    """Extra words (on one title only) that say something: not a legal form and not a word
    of either deal's organization name (``Website Acme`` / ``Website`` at org ``Acme
    Holding``), nor, when both deals are at one org, such a word one letter off (``Rkilo -
    Support`` / ``Support`` at org ``Riklo LLC``: the customer's name mistyped, the org
    record confirms the customer). Noise words are gone already where they are noise
    (``normalize``)."""
    orgs = set(a.org.split()) | set(b.org.split())
    one_org = a.deal.org_id is not None and a.deal.org_id == b.deal.org_id
    return any((w not in LEGAL_SUFFIXES or _between_words(w, a, b, orgs | set(extra))) and w not in orgs
               and not (one_org and any(_typo_of(w, o) and not _named_otherwise(w, o, a, b)
                                        for o in orgs)) for w in extra)


def _between_words(w: str, a: Prepared, b: Prepared, names: set[str]) -> bool:
    """Whether ``w``, a legal form's word (``LEGAL_SUFFIXES``) on one title only, stands
    there as a word, not as a legal form: between two words of its title part, neither of
    them a legal form and the one before it none of ``names`` (the org names' words and the
    words on that title only: ``Luubel LLC phase 2``, a mistyped name's form)
    (y54r1 F2: ``Achat ou Vente`` / ``Achat Vente``,
    ``Abo ab Januar``, ``Wartung sau Vertrag`` read the French "or", the German "from", the
    Romanian "or" as the Estonian ``OÜ``, the Swedish ``AB``, the Spanish ``S.A.U.``, no
    word, and merged at 0.86-0.94). ``Acme AB - Website``, ``Website - Acme AB`` keep their
    legal form."""
    for p in (a, b):
        if w not in p.title.tokens:
            continue
        toks, parts = parted_words(p.deal.title)
        read = [canonical(t) for t in toks]
        for i, t in enumerate(read):
            if t != w or i == 0 or i + 1 == len(read) or not parts[i - 1] == parts[i] == parts[i + 1]:
                continue
            before, after = read[i - 1], read[i + 1]
            if before not in names and before not in LEGAL_SUFFIXES and after not in LEGAL_SUFFIXES:
                return True
    return False


def _named_otherwise(w: str, o: str, a: Prepared, b: Prepared) -> bool:
    """Whether ``w``, a word on one title only one letter off the org-name word ``o``, names
    someone other than the customer: the other title names ``o`` itself (normalizing took it
    out as the org's name) and ``w`` shares its title part with other words (``Support -
    Kunde Kaul`` / ``Support - Kunde Kaulx`` at org ``Kaul GmbH``: two names, a person's or
    a branch's, where the words beside them say whose). A part that is the name alone, or
    beside numbers and legal forms only (``Kaulx - Support`` / ``Kaul - Support``, ``Q2
    Kaulx - Support``), or the name with its legal form after it (``Kaulx GmbH phase 2``),
    is the customer's name mistyped (f35e:
    --include-review took 2 such pairs a bench seed, ``name`` hard negatives)."""
    mine, other = (a, b) if w in a.title.tokens else (b, a)
    if o not in words(other.deal.title):
        return False
    title = mine.title
    at = title.tokens.index(w)
    if title.tokens[at + 1:at + 2] and title.tokens[at + 1] in LEGAL_SUFFIXES:
        return False  # ``Luubel LLC phase 2``: its legal form says the company's name
    k = title.parts[at] if title.parts else 0
    parts = title.parts or (0,) * len(title.tokens)
    return any(p == k and t != w and t not in LEGAL_SUFFIXES and not is_identifying(t)
               for t, p in zip(title.tokens, parts, strict=True))


def _title_evidence(x: NormTitle, y: NormTitle, reasons: list[str],
                    vocab: Mapping[str, int] | None = None) -> tuple[float, tuple[str, ...]]:
    """The title's evidence (a negative weight, reasons appended) and the words on one side
    only when the other side has no word of its own (extra words, ``word only on one``)."""
    s = 0.0
    if x.numbers != y.numbers:
        if x.numbers and y.numbers:
            reasons.append(f"numbers differ: {' '.join(sorted(x.numbers))}≠{' '.join(sorted(y.numbers))}")
        else:
            s -= 0.15
            reasons.append(f"number only on one: {' '.join(sorted(x.numbers | y.numbers))}")
    d = word_diff(x, y, vocab)
    if d.typo:  # read as one word mistyped: said, so the score is explained (v11r8: sennder)
        reasons.append(f"{TYPO_WORD}: {' '.join(f'{t}≈{u}' for t, u in d.typo)}")
    if d.real:
        reasons.append(f"{REAL_WORDS}: {' '.join(f'{t}≠{u}' for t, u in d.real)}")
    if d.forms:
        reasons.append(f"{WORD_FORMS}: {' '.join(f'{t}≠{u}' for t, u in d.forms)}")
    if d.sharp_s:
        reasons.append(f"{SHARP_S_WORDS}: {' '.join(f'{t}≠{u}' for t, u in d.sharp_s)}")
    if d.near:
        reasons.append(f"{NEAR_WORD}: {' '.join(f'{t}≈{u}' for t, u in d.near)}")
    if d.slip:
        reasons.append(f"{RARE_SLIP}: {' '.join(f'{t}≈{u}' for t, u in d.slip)}")
    ux, uy = d.only_x, d.only_y
    if ux and uy:
        s -= 0.25
        reasons.append(f"different words: {' '.join(ux)}≠{' '.join(uy)}")
    elif ux or uy:
        s -= EXTRA_WORD_PENALTY
        reasons.append(f"{EXTRA_WORD}: {' '.join(ux or uy)}")
    return s, (ux or uy) if not (ux and uy) else ()


def _cap_legal_entities(s: float, reasons: list[str]) -> float:
    """Deals at two legal entities of one group reach review at most."""
    if s > LEGAL_ENTITIES_CAP and any(r.startswith(LEGAL_ENTITIES) for r in reasons):
        return LEGAL_ENTITIES_CAP
    return s


def _contradictions(x: NormTitle, y: NormTitle, against: list[tuple[float, str]]) -> list[str]:
    """The pieces of evidence against a pair for the two-pieces rule: the context's
    (``_context``: person, value, dates, org) plus a title word one edit from the other
    title's (``schmidt≈schmitt``, ``linz≈lienz``, a typo too), which counts as one piece:
    with a different person it may well be another customer's deal."""
    out = [what for _, what in against]
    only_x, only_y = _only(x, y), _only(y, x)
    near = [f"{t}≈{u}" for t in only_x for u in only_y if _typo_of(t, u)]
    if near:
        out.append(f"title word one letter off ({' '.join(near)})")
    return out


def prepare(deal: DealRecord, config: DedupeConfig) -> Prepared:
    """Normalize once per deal (see normalize.normalize_title)."""
    title = normalize_title(deal.title, deal.org_name, config.noise_words)
    idents = tuple((k, v) for k in config.identifier_fields
                   if (v := identifier_value(deal, k)) is not None)
    return Prepared(deal, title, org_key(deal.org_name), idents,
                    org_key_dotless(deal.org_name))


__all__ = ["ADDED_APART", "AGAINST_RULES", "COPY_GAP_DAYS", "REPEAT", "CATEGORIES_CAP", "CONTRADICTION_CAP",
           "CUSTOMER_NAME", "DATES_CAP", "DATES_DIFFER", "DATE_GAP_DAYS",
           "EXTRA_WORD", "EXTRA_WORD_CAP", "EXTRA_WORD_PENALTY", "FAR_APART_DAYS", "FORMS",
           "IDENTIFIER_BOOST", "INFLECTIONS", "LEGAL_ENTITIES", "LEGAL_ENTITIES_CAP", "MAX_BOOST",
           "NEAR", "NEAR_WORD", "NEAR_WORD_CAP", "NO_CONTACT", "NO_CUSTOMER", "NO_CUSTOMER_CAP",
           "ORDER", "ORDER_NUMBERS_CAP", "ORDER_WORDS_CAP", "PERSONS_CAP", "Prepared", "RARE_SLIP",
           "REAL", "REAL_WORDS", "REAL_WORDS_CAP", "RECORD_CAP", "RECORD_DIFFERS",
           "RECURRING_CAP", "RECURRING_DAYS", "REVIEW_AT_MOST", "ROMAN",
           "ROMAN_CAP", "SAME_IDENTIFIER", "SHARP_S", "SHARP_S_WORDS", "SLIP", "SUBSTITUTION_CAP",
           "TYPO", "TYPO_WORD", "UNLIKE_TITLES", "UNTIED", "UNTIED_SIDES", "WORD_FORMS", "WordDiff",
           "clear_typo", "date_gaps", "epoch", "guard_reasons", "guarded", "held_against", "held_rules",
           "identifier_value",
           "inflected", "prepare", "score_held", "score_if_kept", "score_pair", "title_similarity",
           "word_diff", "word_pair"]
