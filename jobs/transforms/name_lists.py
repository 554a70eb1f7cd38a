"""Whether a person's name cell lists several persons (``Jane Roe;John Poe``,
``Jane Roe / John Poe``, ``Jane and John Poe``, ``Anna Berg, Bob Roe``, one name a line),
as CRM exports write every contact of a deal in one cell (x23r1 F1: HubSpot's ``Jane
Roe;John Poe`` became ONE person of that name holding both persons' addresses; x46r1 F1:
Freshsales' and monday.com's ``Anna Berg, Bob Roe``, ``Anna Berg und Bob Roe``, ``Carl
Dee + Dora Fox`` did too, and a later row of Bob linked his deal to it; x46r5 F1: so did
``李伟, 王芳``, ``Tanaka Hiroshi、Suzuki Ichiro``, ``Иван Петров и Анна Смирнова``).

One rule for every joiner, outside brackets (``()``, ``[]``, ``<>`` are never split:
``Jane Roe (CEO/CTO)``, ``Ines Koch (n/a) <ines@koch.de>``, x44r9 F4):

- always a list: ``;`` ``|`` a line break, the ideographic comma ``、`` (U+3001), the
  fullwidth comma and semicolon (U+FF0C, U+FF1B), the Arabic comma ``،``, a spaced ``/``
  or ``+``, ``&``, ``and/or`` / ``und/oder`` / ``et/ou`` / ``y/o`` / ``e/o`` (one
  joiner), and the words ``and`` / ``und`` / ``u.`` / ``et`` / ``og`` / ``och`` /
  ``en`` / ``и`` / Ukrainian ``i`` (U+0456) / ``oraz`` / ``ja`` / ``és`` / ``ve`` /
  ``και`` / ``și`` / ``ed`` / ``và`` / ``و`` / Hebrew U+05D5 / ``및`` / ``와`` / ``과`` /
  ``และ`` / ``और`` / ``اور`` / ``和`` / ``与`` / ``及`` / ``と`` / ``dan`` / ``un`` /
  ``ir`` / ``dhe`` ("and" of English, German, French, Norwegian and Danish, Swedish,
  Dutch, Russian and Bulgarian and Serbian, Ukrainian, Polish, Finnish and Estonian,
  Hungarian, Turkish, Greek, Romanian, Italian, Vietnamese, Arabic and Persian, Hebrew,
  Korean, Thai, Hindi, Urdu, Chinese, Japanese, Indonesian and Malay, Latvian,
  Lithuanian, Albanian: x47r1 F3; ``en`` ``ja`` ``ve`` ``ed`` ``dan`` ``un`` ``ir``
  ``dhe`` lower-case only: ``Ed``, ``Dan`` are given names, ``En`` a Chinese one's part,
  ``Tan En Qi``: x47r5 F8) as a whole word between two names,
  spaced (the attached forms — ``وفاطمة``, ``ושרה``, ``王芳和李伟``, ``山田太郎と佐藤花子``
  — are not read: a known limit); a comma right after a bracket (``Ines Koch
  (ines@koch.de), Bob Roe (bob@roe.de)``: x44r9 F7);
- an unspaced ``/``, ``+`` or ``&`` only between names of two words or more, or of two
  letters or more all Han, Hangul or kana (``Jane Roe/John Poe``, ``山田太郎/佐藤花子``:
  x46r9 F1; ``n/a``, ``AT&T``, ``R&D`` (one letter each side of ``&``: a title's
  abbreviation) and the double surname ``Roe/Smith`` are not lists, a title after a
  comma no word of a name: ``Anna Roe/Smith, CEO`` is one, x47r9 F6); a
  nakaguro ``・`` only between two names of three Han letters or more (``山田太郎・佐藤花子``;
  ``ジョン・スミス`` and ``山田・太郎`` are one); ``c/o`` is never a separator, and what
  follows it up to the next comma or separator is not a name (``Jane Roe, c/o Acme
  Corp``: one, x46r5 F3); full-width forms (U+FF01-FF5E but the comma) are read as NFKC
  folds them, the names cut from the cell as written;
- a comma between two full names — two words or more each, titles (``Dr.``) not counted,
  or a name of two letters or more all Han, Hangul or kana, scripts written without
  spaces (``李伟, 王芳``, ``김민준, 박지훈``: two, x46r5 F1) —
  unless the part before it is a surname (one word, or led by a particle: ``Roe, Jane``,
  ``Berg, Anna Maria``, ``van der Berg, Anna Maria``: one name written last-first, which
  takes the part after it as its given names) and unless the part after it is a suffix
  (``Anna Berg, Jr.``, ``, PhD``, ``, MBA``, ``, III``), a job title — every word one of
  a small vocabulary in English, German, French, Spanish, Portuguese, Italian and Dutch
  (and a few Turkish, Czech, Indonesian, Vietnamese words: x47r5 F7) and their joiners,
  a slash too (``Design Director/Lead``), a German compound ending in ``-leiter`` /
  ``-leiterin`` after a known job's first part one word of them (``Verkaufsleiter``;
  ``Schleiter`` is a surname, after a slash too: x47r7 F3, F5) (``Jane Roe, VP Sales``, ``, Head
  of Marketing``, ``Hans Müller, Geschäftsführer``, ``, gerente de ventas``: the name's
  own, x46r5 F3) or holding a
  title's head word, its other words the vocabulary's, a region's or market's too
  (``Ana López, Director Comercial LATAM``, ``Jan
  Kowalski, Prezes Zarządu``, ``Иван Петров, генеральный директор``; Han or kana ending
  in one: ``営業部長``; x46r9 F2; ``Head of`` one, ``Head of Sales North America``,
  after a slash too, ``Jane Roe / Director Europe``: x47r9 F5) when led by a title's or
  a region's word (``North Sales Manager``) or written in lower case in
  a script other than Latin (``Hans Leiter``, ``hans leiter`` are names: x46r12 F1, x46r13
  F4) and holding no other word but a title's joiner in lower case and a title's word
  of a script other than Latin (any other may be a name: ``Jane Roe, CEO Bob Roe``,
  ``Иван Петров, директор анна``, ``Ahmed Ali, مدير محمد``: x47r9 F2,
  ``, CEO Bob van Dijk``, ``, CEO bob roe``, ``, CEO Bob`` are refused as two, x47r5
  F2, x47r7 F2) — or a single word
  ending the cell (``Ann Lee, CEO``; a courtesy title before a name is a word of it:
  ``Anna Berg, Don Lee``, ``Don Lee, Anna Berg`` are two, x47r5 F3); a part that is a job title
  alone is no person (a place's or field's word alone, ``Key``, ``Store``, is no
  title, after a title's ``&`` / ``and`` too: a surname, ``Jane Roe, CEO & Plant`` is
  two, x47r9 F4) (``Jane Roe, Founder & CEO``, ``Jane Roe, Store Manager``, ``Anna
  Berg, Co CEO``, ``田中太郎、営業部長``), after a comma or a slash (``Jane Roe / CEO``;
  every later part at a comma or a slash that is no title, suffix nor company a
  person's, a single given name too: ``Jane Roe/CEO/Bob``, ``Jane Roe, CEO, Bob`` are
  two, x47r9 F3), nor
  one ending in a company's legal form after a comma (``Anna Berg, CEO, Acme GmbH``,
  ``Smith & Sons Ltd``, ``Jane Roe & Co``, ``Anna Berg & Co. KG``: x46r9 F3, x47r1 F5)
  but a bare ``Co``, a surname too (``Anna Berg, Maria Co`` is two; ``Anna Berg, Acme
  Co`` cannot be told from it and is refused, ``Acme Co.`` is one: x47r1 F4), and, the
  same safe side, two words ending in a family's word (``Anna Berg, Bob Partners``,
  ``, Hans Söhne``) or a part led by ``AB`` / ``PT``, initials too (``Anna Berg, AB
  Smith``, ``, AB Volvo``: refused, x47r5 F4); nor one a legal form leads that is no
  name's (``Ivan Petrov, OOO Romashka``, in Cyrillic too, ``田中太郎、株式会社ABC``:
  x46r12 F4), nor a family's or associates' word after its
  joiner, last (``Dupont & Fils``, ``Rossi & Figli S.r.l.``, ``Roe & Associates``: x46r13
  F6; ``Anna Fils & Bob Roe`` is two); a title
  goes on after ``&`` / ``and`` ... with title words only, an initial never one of them
  (``Jane Roe, CEO & T. Manager`` is two: x47r1 F2); so ``Roe, Jane, Poe, John`` is two
  persons, last-first;
- ``y`` / ``e`` / ``i`` / ``a`` / ``at`` (Spanish, Portuguese and Italian, Catalan and
  Polish and Croatian, Czech and Slovak, Tagalog "and"; ``a``, ``at`` lower-case only:
  ``John A Smith``; ``at`` never before a company: ``Jane Roe at Acme Corp``) only between
  two full names, the second led by neither a particle nor a Spanish surname (``-ez``,
  ``-iz``, ``-az``, ``-oz``, not ``Beatriz``) before a particle after a name of three
  words or more: a second surname joined so is one person's (``José Ortega y Gasset``,
  ``Maria da Silva e Souza``, ``Josep Puig i Cadafalch``, ``Juan Pérez y de la Torre``,
  ``Carlos Fitz-James Stuart y Martínez de Irujo``); a lower-case joiner of them also
  between one given name and a full name, the couple ``Jane and John Poe`` is (``Anna i
  Piotr Nowak``, ``Jana a Petr Novákovi``, ``Marco e Anna Rossi``, ``Juan y María
  Pérez``: two, x47r1 F3), never in a surname written first (``Puig i
  Cadafalch, Josep``) nor one word after it (``Gaudí i Cornet``), but between two given
  names after a surname written first (``Rossi, Marco e Anna``, ``Pérez, Juan y María``:
  two, x47r9 F1); the part before a
  name's first comma is read alone, whatever follows it (``Marco e Anna Rossi, CEO``,
  ``Marco e Anna Rossi, Milano``: two; ``José Ortega y Gasset, Director``, ``José Ortega
  y Gasset, Madrid``: one; x47r5 F1, F6, x47r7 F1, F4). The addresses a row
  gives do not decide it: a person's work and home addresses are common beside such a
  name.

Known refusals (the safe side): ``Procter & Gamble`` (one word each side: the row's reason
says the cell "may name" two persons), ``Li Na, 李娜`` (one person in two scripts).
Surnames written last-first of two words with two given names (``García Márquez, Gabriel
José``) read as two persons: the row fails, saying which — a refused row is safe, two
persons made one are not. A pure reader: it never fails a row itself (the row mapper does,
naming the parts).

Why ~870 lines: one rule, its vocabularies (titles, legal forms, joiners) beside it,
so that a word added to one is read by every part of the rule.
"""

from __future__ import annotations

import re
from itertools import pairwise

# the separators that always list persons, outside brackets (written as NULs by the
# masking below, so a comma right after one separates: two contacts ``Name (address),
# Name (address)``)
# the word "and" of the languages a CRM export meets, spaced (a whole word between two
# names): English, German, French, Norwegian and Danish, Swedish, Dutch, Russian and
# Bulgarian and Serbian, Ukrainian, Polish, Hungarian, Greek, Romanian, Vietnamese,
# Arabic and Persian (U+0648), Hebrew spaced (U+05D5), Korean (및 와 과), Thai, Hindi,
# Urdu, Chinese and Japanese spaced (和 與 与 及 と); lower-case only, being names too
# (``Ed``, ``Dan``, ``Ja Rule``, ``Tan En Qi``: x47r5 F8): Dutch ``en``, Finnish and
# Estonian, Turkish, Italian ``ed``, Indonesian and Malay, Latvian, Lithuanian,
# Albanian (x47r1 F3: ``محمد علي و فاطمة حسن``, ``김민준 및 박지훈``, ``Nguyễn Văn An và
# Trần Thị Bình`` were one person each)
_AND = ("and|und|u\\.|et|og|och|и|\u0456|oraz|és|και|și|şi|và|\u0648|\u05d5|및|와|과"
        "|\u0e41\u0e25\u0e30|\u0914\u0930|\u0627\u0648\u0631|和|與|与|及|と")
_AND_LOWER = "en|ja|ve|ed|dan|un|ir|dhe"
_SEPARATORS = re.compile(
    r"\s*(?:[;|\n\r\u2028\u2029\u3001\uff0c\uff1b\u060c]"
    r"|\s+(?:and/or|und/oder|et/ou|y/o|e/o|e/ou)\s+|\s/|/\s|\s&\s|\s\+|\+\s"
    rf"|\s+(?:{_AND}|(?-i:{_AND_LOWER}))\s+"
    r"|(?<=\0)\s*,)\s*", re.IGNORECASE)
# "and" in Spanish, Portuguese and Italian, Catalan, Polish and Croatian, Czech and
# Slovak, Tagalog: also a compound surname's joiner (``a`` lower-case only: ``John A
# Smith``; ``at`` too, and never before a company: ``Jane Roe at Acme Corp``)
_WEAK = re.compile(r"\s+((?i:y|e|i)|a|at)\s+")
_QUICK = re.compile(r"[;|/,\n\r\u2028\u2029&+\u3001\uff0c\uff1b\u060c\u30fb]"
                    rf"|\s(?:{_AND}|{_AND_LOWER}|y|e|i|a|at)\s", re.IGNORECASE)
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>"
                       r"|\bc/o\b[^;|,\n\r\u3001\uff0c\uff1b\u060c]*", re.IGNORECASE)
# what follows a name after a comma and is the name's own (dots and case aside)
_SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "v", "vi", "phd", "md", "mba", "esq", "cpa", "dds",
    "dmd", "dvm", "rn", "np", "pa", "do", "jd", "llm", "msc", "bsc", "ma", "ba", "ms",
    "mph", "cfa", "pe", "pmp", "dr", "prof", "ing", "dipl-ing", "mag", "lic", "ret",
    "retd", "obe", "mbe", "cbe", "kc", "qc"})
# titles before a name: not words of it
_TITLES = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "miss", "herr", "frau", "mme",
                     "mlle", "dott", "dott.ssa", "sig", "sra", "sr", "srta", "dña", "don",
                     "ing", "mag", "sir", "dame"})
# the particles that lead a surname (``van der Berg``, ``de la Cruz``, ``da Silva``)
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "das",
                        "do", "dos", "du", "la", "le", "ten", "ter", "zu", "bin", "al",
                        "el", "mac", "st", "st."})


# the words of a job title written after a name and a comma (``Jane Roe, VP Sales``,
# ``Hans Müller, Geschäftsführer``): the name's own, as a suffix is (case aside)
_JOB_WORDS = frozenset("""
    director directors manager head vp svp evp avp vice president sales marketing officer
    engineer ceo cfo cto coo cmo cio cso cpo cro founder co-founder cofounder partner owner
    consultant assistant lead chief executive senior junior principal account accounts
    business development operations ops finance financial technology technical product
    project program procurement purchasing buyer hr human resources it legal counsel
    general algemeen managing board member chair chairman chairwoman secretary treasurer analyst
    specialist coordinator administrator admin representative rep agent advisor adviser
    architect developer designer supervisor team leader regional global national area
    country key customer success support service services office communications pr
    strategy research quality logistics supply chain commercial creative digital content
    brand growth revenue relations investor interim acting deputy associate staff intern
    controller accountant emea apac dach americas contact primary main billing software
    hardware data security systems inside outside field channel ventas vendas
    geschäftsführer geschäftsführerin gf leiter leiterin vertrieb vertriebsleiter einkauf
    inhaber inhaberin vorstand prokurist abteilungsleiter assistenz assistentin berater
    beraterin verkauf technischer kaufmännischer buchhaltung ingenieur entwicklung
    projektleiter geschäftsleitung
    directeur directrice général générale commerciale gérant gérante responsable chef
    présidente pdg dg adjoint adjointe achats ventes ingénieur fondateur fondatrice
    associé associée chargé chargée d'affaires affaires comptable
    gerente directora diretor diretora jefe jefa compras presidenta fundador fundadora
    socio socia sócio responsabile amministratore delegato titolare vendite acquisti
    dirigente consulente ingeniero engenheiro ingegnere coordinador coordinadora
    asistente administrador administradora eigenaar verkoop inkoop bedrijfsleider
    """.split())
# the head words of a job title: a part led by a title's word and holding one is a title
# whatever its other words (``Director Comercial``, ``Algemeen Directeur``, ``Sales
# Manager Nordics``, ``Prezes Zarządu``, ``генеральный директор``, ``مدير المبيعات``;
# x46r9 F2); not ``head`` nor ``chief``, surnames too (``Edith Head``), which need the
# whole title in the vocabulary
_HEAD_WORDS = frozenset("""
    director directora directeur directrice diretor diretora direttore direttrice
    manager managerin gerente geschäftsführer geschäftsführerin leiter leiterin prezes
    dyrektor kierownik kierowniczka prokurent ceo cfo cto coo cmo cio vp svp evp
    president presidente président présidente presidentin vorstand vorsitzender officer
    директор директора руководитель менеджер начальник председатель
    директорка керівник مدير مديرة رئيس
    jednatel jednatelka ředitel ředitelka müdür müdürü direktur manajer
    """.split())
# how a title written in Han or kana ends (``営業部長``, ``销售经理``)
_CJK_HEADS = ("部長", "課長", "社長", "会長", "係長", "所長", "店長", "室長", "局長", "取締役",
              "部长", "经理", "經理", "总监", "總監", "总裁", "總裁", "董事长", "董事長", "主任",
              "代表", "부장", "과장", "사장", "대표", "이사", "팀장")
# the words that join a job title's words (``Head of Marketing``, ``Founder & CEO``)
# (words of titles joined inside a title: ``R&D Director``, ``Health & Safety Officer``,
# ``QA & Testing Lead``: x46r13 F3)
_JOB_WORDS = _JOB_WORDS | frozenset("""
    r&d m&a p&l qa qc health safety hse ehs testing compliance risk mergers acquisitions
    logistics logistik logistiek logistica einkauf inkoop acquisti communication
    communications kommunikation hoofd responsabile directrice
    store plant branch shop site warehouse factory production manufacturing maintenance
    facility facilities property fleet retail restaurant hotel category territory
    district division department events genel
    export import design engineering people satis pazarlama obchodní obchodni
    utama pemasaran penjualan giám đốc
    """.split()) | {"sat\u0131\u015f"}
# (x47r5 F7: ``Export Manager``, ``Head of Design/Engineering/People``, Turkish ``Satis
# Müdürü`` (``Sat\u0131\u015f``), Czech ``obchodní ředitel``, Indonesian ``Direktur Utama``, ``Manajer
# Pemasaran``, Vietnamese ``Giám đốc`` were left in the name)
# (the places and fields a manager's title names: ``Store Manager``, ``store manager``,
# ``Plant Manager``: every word a title's, so ``Anna Berg, Robert Plant`` stays two;
# x47r1 F4, F5: one person each was refused; ``Genel Müdür``: Turkish, x47r1 F6)
_JOB_JOINERS = frozenset({"of", "and", "&", "the", "for", "de", "del", "des", "du", "la",
                          "le", "für", "der", "y", "e", "et", "und", "di", "della", "da",
                          "do", "in", "-", "/", "+"})
# letters of the scripts that write a name without spaces (Han, Hangul, kana)
_CJK = re.compile(r"[\u1100-\u11ff\u3005\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
                  r"\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
                  r"\U00020000-\U0002ffff]")
_HAN = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# how a Spanish surname ends (``Martínez``, ``Ruiz``, ``Díaz``, ``Muñoz``): one leading
# the part after ``y`` before a particle is a second surname (``... y Martínez de
# Irujo``); the given names ending so are not (``Beatriz de la Cruz``)
_SURNAME_ENDS = ("ez", "iz", "az", "oz", "éz", "íz", "áz", "óz")
_GIVEN_ENDING_SO = frozenset({"inez", "inéz", "beatriz", "paz", "aritz", "feliz", "luz"})


def listed_persons(value: object) -> list[str] | None:
    """The names a person cell lists when it lists two or more (each with a letter), in
    the order written; None when it names one person or none (the rule: the module's
    docstring)."""
    if not isinstance(value, str):
        return None
    # full-width forms folded as NFKC does (one letter each: the names keep their own
    # spelling, cut from ``value`` at the same places)
    folded = value if value.isascii() else value.translate(_FOLD)
    if not _QUICK.search(folded):
        return None  # most cells: nothing to split (a quick test before the rest)
    masked = _BRACKETS.sub(lambda m: "\0" * len(m[0]), folded)
    spans: list[tuple[int, int]] = []
    start = 0
    for sep in _SEPARATORS.finditer(masked):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(value)))
    parts = [(a, b) for start, end in spans for c, d in _joined(masked, start, end, "/")
             for e, f in _joined(masked, c, d, "+")
             for i, j in _joined(masked, e, f, "&")
             for k, m in _joined(masked, i, j, "\u30fb")
             for g, h in _commas(masked, k, m) for a, b in _weak(masked, g, h)]
    names: list[str] = []
    gaps: list[str] = []  # what comes before each name (its separator, "" for the first)
    end: int | None = None
    dropped = False  # the part before was a title or a company (``Founder & CEO``)
    for a, b in parts:
        if not any(c.isalpha() for c in value[a:b]):
            continue
        gap = "" if end is None else masked[end:a].strip()
        end = b
        # a job title or a company only after a comma of a name before it (``Anna Berg,
        # Sales Director``, ``Anna Berg, Acme GmbH``) or joined to such a part (``Jane Roe,
        # Founder & CEO``), never a part a list's separator gives after a name (x46r12 F1:
        # ``Anna Leiter & Bob Roe``, ``Maria Co & Jose Santos`` were one person: Leiter
        # and Co are surnames too)
        comma = gap in _COMMA_GAPS
        # (after a title a joiner goes on with the title only, never a company: ``Jane
        # Roe, CEO & Maria Co`` names two persons: x46r13 F1)
        joined = not comma and dropped and gap.casefold() in _COMPANY_JOINERS
        # (a slash before a title of title words alone: ``Jane Roe / CEO``, ``/ Sales
        # Director``; ``Jane Roe / T. Manager`` is two: x47r1 F5)
        if bool(names) and gap == "/" and _title_words(value[a:b]):
            dropped = True
            continue
        dropped = bool(names) and (comma or joined) and (
            _job_title(value[a:b]) or (comma and _company(masked[a:b])
                                       and not _bare_co(masked[a:b])))
        if dropped:
            continue
        names.append(" ".join(value[a:b].split()))
        gaps.append(gap)
        # a name with its title after a comma (``Jane Roe, Founder``): what a joiner adds
        # to it is its title's (``& CEO``)
        dropped = "," in value[a:b] and _job_title(value[a:b].rsplit(",", 1)[1])
    if len(names) > 1 and "," in names[0] and all(g in _TITLE_JOINERS for g in gaps[1:]) \
            and _title_words(_tail_title(names, gaps)):
        # one title joined inside (``Jane Roe, R&D Director``: x46r13 F3)
        return _after_title(value, masked)
    if len(names) == 2 and gaps[1].casefold() in _COMPANY_JOINERS and (
            _company_whole(names[0], names[1])):
        return None  # one company's name (``Smith & Sons Ltd``, ``Jane Roe & Co``)
    return names if len(names) > 1 else _after_title(value, masked)


def _after_title(value: str, masked: str) -> list[str] | None:
    """The persons a one-person cell (``value``, its brackets written as NULs in
    ``masked``) names after a job title cut at a comma or a slash: every later part
    (at ``,`` or ``/``) that is no title, suffix nor company is a person's, a single
    given name too (x47r9 F3: ``Jane Roe/CEO/Bob Roe``, ``Jane Roe, CEO, Bob``, ``Jane
    Roe, CEO/Bob`` were ONE person named with the whole cell, ``Jane Roe/CTO/Bob
    Roe/CEO`` the person ``Jane Roe/CTO/Bob Roe``): the part before the title and those
    parts, in order, or None when there is none (``Ann Lee, CEO``, ``Anna Berg, CEO,
    Acme GmbH``, ``Jane Roe, Founder, CEO``)."""
    bounds = [-1, *(m.start() for m in _PART_MARKS.finditer(masked)), len(masked)]
    titled: int | None = None  # where the first title after a name begins
    names: list[str] = []
    for a, b in pairwise(bounds):
        text = masked[a + 1:b]
        if not any(c.isalpha() for c in text):
            continue
        if titled is None:
            if a >= 0 and _job_title(text) and any(c.isalpha() for c in masked[:a]) \
                    and not _job_title(masked[:a]):
                titled = a
        elif not (_job_title(text) or _suffix(masked, a + 1, b)
                  or (_company(text) and not _bare_co(text))):
            names.append(" ".join(value[a + 1:b].split()))
    if titled is None or not names:
        return None
    return [" ".join(value[:titled].split()), *names]


# the marks a title part follows a name after, and a person's part a title
_PART_MARKS = re.compile("[,/]")


# the commas: ASCII, ideographic, full-width, Arabic
_COMMA_GAPS = frozenset({",", "\u3001", "\uff0c", "\u060c"})
_TITLE_JOINERS = frozenset({"&", "and", "und", "et", "y", "e", "+", "/"})


def _title_words(tail: str) -> bool:
    """Whether ``tail`` (``_tail_title``: a title after a comma with the parts joined to
    it) is one job title, every word a title's: no name in it (``Maria Co``, ``Bob Roe``:
    x46r13 F1). A single letter is a title's only inside its abbreviation (``R & D
    Director``: ``r&d``), never an initial before a name (``CEO & T. Manager``, ``CEO &
    A. B. Partner``: x47r1 F2, each was ONE person)."""
    raw = _INITIALS.sub(r"\1&\2", tail.casefold()).split()
    # (a ``-leiter`` title after a slash as after a comma: x47r7 F5)
    words = [_compound(w.strip(".")) for w in raw]
    # (``und E. Leiter``, ``and Y Manager``: an initial alike a joiner, ``e`` ``y``)
    initial = any(len(w) == 2 and w[1] == "." for w in raw) or any(
        a in _JOB_JOINERS and b in _JOB_JOINERS for a, b in pairwise(words))
    # (a region's word beside a head word: ``Jane Roe / Director Europe``, x47r9 F5)
    headed = any(w in _HEAD_WORDS for w in words)
    return bool(words) and not initial and all(
        w in _JOB_WORDS or w in _JOB_JOINERS or w in _HEAD_WORDS
        or (headed and w in _REGION_WORDS) for w in words) and _job_title(tail)


def _tail_title(names: list[str], gaps: list[str]) -> str:
    """The first name's part after its last comma with every later part joined to it by
    its separator (``R`` ``&`` ``D Director``: ``R & D Director``)."""
    return " ".join([names[0].rsplit(",", 1)[1], *(f"{g} {n}" for g, n in
                                                     zip(gaps[1:], names[1:], strict=True))])
_COMPANY_JOINERS = frozenset({"&", "and", "und", "+", "et", "y", "e"})


def _bare_co(name: str) -> bool:
    """Whether ``name`` (a part after a comma) may be a person's as well as a company's,
    so no company there (the safe side: the cell is refused): its last word ``Co`` with
    no dot, a surname too (x46r13 F4: ``Anna Berg, Maria Co`` was one person); two words,
    the last a family's or associates' word (``Bob Partners``, ``Anna Sons``, ``Hans
    Söhne``: a name or a company, x47r5 F4); or led by a legal form that can be a name's
    initials (``AB Smith``, ``PT Barnum``, ``AB Volvo``: x47r5 F4). ``Acme Sons Ltd``,
    ``OOO Romashka``, ``株式会社ABC`` stay companies."""
    words = name.replace("\0", " ").split()
    return len(words) > 1 and (
        words[-1].casefold() == "co" or words[0] in _LEGAL_INITIALS
        or (len(words) == 2 and words[-1].strip(".").casefold() in _FAMILY_WORDS))


def _company_whole(first: str, last: str) -> bool:
    """Whether ``first`` & ``last`` is one company's name: ``last`` legal forms alone
    (``Jane Roe & Co``, ``Anna Berg & Co. KG``: x47r1 F5) or a family's or associates'
    word alone, or before legal forms (``Dupont & Fils``, ``Rossi & Figli S.r.l.``, ``Anna
    Dupont & Fils``: x46r13 F6), or a company after a one-word ``first`` (``Smith & Sons
    Ltd``, ``Ernst & Young LLP``); never a name before a company (``Anna Berg & Bob Co``)
    nor such a word leading (``Anna Fils & Bob Roe``)."""
    words = last.split()
    if words and words[0].strip(".").casefold() in _FAMILY_WORDS \
            and all(_legal_word(w) for w in words[1:]):
        return True
    if not _company(last):
        return False
    return all(_legal_word(w) for w in words) or len(first.split()) == 1


# the full-width forms of ASCII (U+FF01-FF5E) and the ideographic space, as NFKC folds
# them; the full-width comma stays (always a list, as ``、`` is)
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if c != 0xFF0C} | {
    0x3000: 0x20, 0xFF65: 0x30FB}
# the legal forms that end a company's name (case, dots and a comma before them aside):
# a part ending so is no person (``Anna Berg, Acme GmbH``, ``Smith & Sons Ltd``)
_LEGAL_FORMS = frozenset("""
    gmbh mbh ltd limited llp llc inc incorporated corp corporation co company plc sarl
    sons söhne partners holdings pty
    """.split())
# the short ones, also surnames (``Anna Sa``, ``Bob Ab``): only as companies write them,
# their dots aside (``S.p.A.``, ``s.r.o.``; x46r12 F4: the dotted ones were read as their
# letters, so ``Anna Berg, Bob A`` was one person — ``A`` of ``S.p.A``)
_LEGAL_CASED = frozenset("AG KG OHG GbR UG LP SA SAS SRL Srl SpA BV NV Oy Oyj AB ASA ApS "
                         "Kft sro Zrt".split())
# the legal forms a company's name starts with (``AB Volvo``, ``OOO Romashka`` in Latin
# or Cyrillic letters: x46r12 F4),
# as companies write them; ``SA`` is not one (``SA Renault``: initials too, two persons)
_LEGAL_FIRST = frozenset(("AB", "OOO", "PT", "\u041e\u041e\u041e", "\u041e\u0410\u041e",
                          "\u0417\u0410\u041e", "\u041f\u0410\u041e", "\u0422\u041e\u0412"))
# those that can be a name's initials too (``AB Smith``, ``PT Barnum``: x47r5 F4)
_LEGAL_INITIALS = frozenset(("AB", "PT"))
# a Japanese, Chinese or Korean company's legal form, before or after its name, unspaced
_LEGAL_CJK = ("株式会社", "有限会社", "合同会社", "有限公司", "公司", "주식회사", "유한회사")
# a family's or associates' word ending a company's name after its joiner (``Dupont &
# Fils``: French, Italian, Spanish, Portuguese, German, Dutch, Danish / Norwegian, English)
_FAMILY_WORDS = frozenset("""
    fils figli hijos filhos söhne sohne zonen sønner sonner sons associates partners
    brothers bros
    """.split())


def _legal_word(word: str) -> bool:
    """Whether ``word`` (dots and commas aside) is a legal form (``Ltd``, ``S.r.l.``)."""
    bare = word.replace(".", "").replace(",", "")
    return bare.casefold() in _LEGAL_FORMS or bare in _LEGAL_CASED


def _company(name: str) -> bool:
    """Whether ``name`` (a part of a person cell) is a company's: its last word (dots and
    commas aside) a legal form (``Acme GmbH``, ``Sons Ltd``, ``Co``, ``Rossi S.p.A.``), or
    its first a legal form written first before a name (``AB Volvo``, ``OOO Romashka``),
    or a CJK legal form at either end of it (``株式会社ABC``, ``北京星光有限公司``)."""
    words = name.replace(",", " ").replace("\0", " ").split()
    if not words:
        return False
    if _legal_word(words[-1]) or (len(words) > 1 and words[0] in _LEGAL_FIRST):
        return True
    whole = "".join(words)
    return any(len(whole) > len(form) and (whole.startswith(form) or whole.endswith(form))
               for form in _LEGAL_CJK)


def _words(masked: str, a: int, b: int) -> list[str]:
    """The words of ``masked[a:b]`` that are a name's (with a letter; a title not)."""
    return [w for w in masked[a:b].replace("\0", " ").split()
            if any(c.isalpha() for c in w) and w.casefold().strip(".") not in _TITLES]


def _person_words(masked: str, a: int, b: int) -> int:
    """How many words ``masked[a:b]`` holds as a person's name written after or before a
    comma: ``_words`` and each title before a capitalised word (``Don Lee``, ``Mr Smith``,
    ``Herr Schmidt``: two, a person; x47r5 F3: ``Anna Berg, Don Lee`` read as one name
    ending in one word, and ``Don Lee, Anna Berg`` as a surname before given names);
    ``Dr. med.`` is one word."""
    raw = masked[a:b].replace("\0", " ").split()
    titled = sum(w.casefold().strip(".") in _TITLES and nxt[:1].isupper()
                 for w, nxt in pairwise(raw))
    return len(_words(masked, a, b)) + titled


def _joined(masked: str, start: int, end: int, mark: str) -> list[tuple[int, int]]:
    """The part ``start:end`` of a cell (``masked``: its brackets written as NULs, so a
    ``mark`` in one is no separator) split at its unspaced ``mark`` (``/``, ``+``) when
    every piece is a name of two words or more, else the part whole: (start, end) of
    each piece."""
    part = masked[start:end]
    if mark not in part:
        return [(start, end)]
    # a title's abbreviation (``R&D``, ``P&L``, ``M&A``: one letter each side) joins no
    # names (x47r1 F2: ``Jane Roe, R&D Director & T. Manager`` read as three parts)
    inside = {m.start() + 1 for m in _ABBREVIATION.finditer(part)} if mark == "&" else set()
    spans: list[tuple[int, int]] = []
    at = start
    for i, ch in enumerate(part):
        if ch == mark and i not in inside:
            spans.append((at, start + i))
            at = start + i + 1
    spans.append((at, end))
    if len(spans) == 1:
        return spans
    if mark == "\u30fb":  # nakaguro: between all-kanji full names only (not ジョン・スミス)
        return spans if all(_kanji_name(masked, a, b) for a, b in spans) else [(start, end)]
    # (a piece's words before the title or suffix it ends with after a comma: ``Anna
    # Roe/Smith, CEO`` is one double surname, x47r9 F6, was refused as ``Anna Roe`` and
    # ``Smith, CEO``)
    return spans if all(len(masked[a:_before_title(masked, a, b)].replace("\0", " ")
                            .split()) > 1
                        or _cjk_name(masked, a, b) for a, b in spans) else [(start, end)]


def _kanji_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a whole name of three Han letters or more (``山田太郎``;
    ``山田・太郎`` is one person's surname and given name)."""
    letters = [c for c in masked[a:b] if c.isalpha()]
    return len(letters) > 2 and all(_HAN.match(c) for c in letters)


def _suffix(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (after a comma) is a name's suffix: ``Jr.``, ``Ph.D.``,
    ``MBA``, ``III`` ..."""
    words = masked[a:b].replace(".", " ").replace("\0", " ").casefold().split()
    joined = "".join(words)
    return bool(words) and (joined in _SUFFIXES or all(w in _SUFFIXES for w in words))


# a Latin letter: a part of them in lower case may be a name typed so (``hans leiter``:
# x46r13 F4), where Cyrillic and Arabic titles are written in lower case
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_INITIALS = re.compile(r"\b(\w)\s*&\s*(\w)\b")
# one letter each side of an unspaced ``&``: a title's abbreviation (``R&D``, ``P&L``)
_ABBREVIATION = re.compile(r"(?<![^\W\d_])[^\W\d_]&[^\W\d_](?![^\W\d_])")


def _job_title(text: str) -> bool:
    """Whether ``text`` (after a comma) is a job title: its words (case, dots and commas
    aside) are ``_JOB_WORDS`` and their joiners, one of them a job word."""
    # ``R & D``, ``M&A``, ``P & L``: one word of a title (x46r13 F3)
    folded = _INITIALS.sub(r"\1&\2", text.replace("\0", " ").casefold())
    # (``Design Director/Lead``: a slash joins a title's words; a German compound ending
    # in ``-leiter`` / ``-leiterin`` is one: ``Verkaufsleiter``; x47r5 F7)
    words = [_compound(w.strip(".")) for w in
             folded.replace(",", " ").replace("/", " / ").split()]
    if words and words[0] in _JOB_JOINERS and words[0].isalpha():
        return False  # an initial (``E. Leiter``, ``Y. Manager``: x47r1 F2), no joiner
    # ``Co CEO``, ``Co Founder``: a co-CEO (x47r1 F5); ``Co Santos`` is a name
    words = [w for i, w in enumerate(words) if w != "co" or i + 1 == len(words)
             or words[i + 1] not in _JOB_WORDS]
    if _lone_qualifier(words):
        return False  # ``CEO & Plant``: a place's word alone after a joiner (x47r9 F4)
    # a head word, the part led by a title's word or written in lower case (``Director
    # Comercial``, ``Sales Manager Nordics``, ``генеральный директор``), never a name whose
    # surname is a head word (``Hans Leiter``: x46r12 F1)
    # (led by a region's word too, ``Head of`` a head word: ``North Sales Manager``,
    # ``Head of Sales North America``, x47r9 F5, were refused as two)
    led = bool(words) and (words[0] in _HEAD_WORDS or words[0] in _JOB_WORDS
                           or words[0] in _REGION_WORDS or (
        text.strip() == text.strip().lower() and not _LATIN.search(text)))
    headed = any(w in _HEAD_WORDS for w in words) or ["head", "of"] == words[:2]
    if ("," not in text and led and headed
            and not _name_inside(text)) or (
            words and all(_CJK.match(c) for c in words[-1])
            and words[-1].endswith(_CJK_HEADS)):
        # "Director Comercial", "Prezes Zarządu", "営業部長", "مدير المبيعات"; not a name
        # before its title ("Jane Roe, Sales Director": the comma rule's part whole)
        return True
    # (a place's or field's word alone is no title: ``Jane Roe, Key``, ``Jane Roe /
    # Store``: a surname too, x47r7; ``Key Account Manager`` is one)
    return any(w in _JOB_WORDS and w not in _QUALIFIERS for w in words) and all(
        w in _JOB_WORDS or w in _JOB_JOINERS for w in words)


# the words of a manager's place or field (``Store Manager``, ``Key Account Manager``,
# ``Field Sales``): a title's beside another of its words, never alone (x47r7: ``Jane
# Roe, Key``, ``Jane Roe, Plant`` were cut, ``Jane Roe / Store`` read as her title)
_QUALIFIERS = frozenset("""
    key plant store shop site field branch area country district territory warehouse
    factory restaurant hotel property fleet facility facilities retail category division
    department inside outside channel brand primary main global national regional
    """.split())


# the joiners between two titles (``Founder & CEO``, ``Design Director/Lead``): a place's
# word is a title's only beside another title's word on its side of them
_TITLE_AND = frozenset({"&", "and", "und", "et", "y", "e", "+", "/"})


def _lone_qualifier(words: list[str]) -> bool:
    """Whether ``words`` (a title's, case-folded) hold a place's or field's word
    (``_QUALIFIERS``) with no other title word between the joiners around it
    (``_TITLE_AND``): ``ceo & plant``, ``founder and store`` (x47r9 F4: cut as the
    title, a surname too); ``store manager``, ``sales & key account manager`` not."""
    group: list[str] = []
    for word in [*words, "&"]:
        if word not in _TITLE_AND:
            group.append(word)
            continue
        if any(w in _QUALIFIERS for w in group) and not any(
                (w in _JOB_WORDS or w in _HEAD_WORDS) and w not in _QUALIFIERS
                for w in group):
            return True
        group = []
    return False


def _compound(word: str) -> str:
    """``word`` (case-folded) as a title's word: a German compound ending in ``leiter`` /
    ``leiterin`` (``verkaufsleiter``, ``vertriebsleiterin``) is ``leiter`` /
    ``leiterin``, a head word, when its first part is a known job's (``_LEITER_JOBS``);
    any other word as it is (``schleiter``, ``bergleiter``: surnames, the name's own;
    x47r7 F3: ``Anna Berg, Schleiter`` was cut to ``Anna Berg``)."""
    for head in ("leiterin", "leiter"):
        if word.endswith(head) and word[:-len(head)] in _LEITER_JOBS:
            return head
    return word


# the first parts of a German ``-leiter`` / ``-leiterin`` title (``Verkaufsleiter``,
# ``Niederlassungsleiterin``); any other compound so ending is a surname (``Schleiter``)
_LEITER_JOBS = frozenset("""
    verkaufs vertriebs niederlassungs team abteilungs projekt bereichs filial produktions
    betriebs marketing export import einkaufs lager werks gruppen geschäftsbereichs bau
    schicht büro personal kunden service labor qualitäts entwicklungs fertigungs
    logistik it finanz kundendienst geschäftsstellen gebiets regional markt
    konstruktions montage versand technik objekt standort fach
    """.split())


def _name_inside(text: str) -> bool:
    """Whether ``text`` (a title's words after a comma, led by a head word) may hold a
    name: a word that is neither the titles' vocabulary (``_JOB_WORDS``,
    ``_HEAD_WORDS``, ``_REGION_WORDS``, a ``-leiter`` compound) nor a title's joiner in
    lower case (``of``, ``de``, ``für``, ``&``) nor a title's word of a script other
    than Latin (``_SCRIPT_TITLE_WORDS``: ``генеральный директор``, ``مدير المبيعات``;
    x47r9 F2: any lower-case word of such a script was taken, Arabic having no case, so
    ``директор анна смирнова``, ``مدير فاطمة حسن`` were cut and hidden). x47r5 F2 read
    a name as two capitalised words in a row, so ``CEO Bob van Dijk``, ``Director Juan
    de la Cruz``, ``CEO Bob-Roe``, ``CEO bob roe``, ``CEO Bob`` were cut as the title
    (x47r7 F2): any other word now keeps the part a person's, the cell refused (the safe
    side)."""
    for word in _INITIALS.sub(r"\1&\2", text.replace("\0", " ").replace(",", " ")
                              .replace("/", " / ")).split():
        bare = word.strip(".")
        folded = _compound(bare.casefold())
        if folded in _JOB_WORDS or folded in _HEAD_WORDS or folded in _REGION_WORDS \
                or folded in _SCRIPT_TITLE_WORDS:
            continue
        if bare == bare.lower() and folded in _JOB_JOINERS:
            continue
        return True
    return False


# the words of a title written in Cyrillic (Russian, Ukrainian), Arabic, Greek, Hebrew
# beside its head word (``генеральный директор``, ``руководитель отдела продаж``,
# ``головний менеджер відділу продажів``, ``مدير المبيعات``, ``نائب الرئيس``): any other
# word of those scripts may be a name (x47r9 F2)
_SCRIPT_TITLE_WORDS = frozenset("""
    генеральный генерального коммерческий исполнительный финансовый технический
    главный старший ведущий региональный операционный отдела отдел продаж по развитию
    развития маркетинга маркетингу закупкам закупок продажам персоналу
    директор директора руководитель менеджер менеджера начальник
    заместитель председатель правления департамента управления филиала
    головний генеральний комерційний фінансовий виконавчий відділу відділ продажів
    розвитку маркетингу з заступник керівник директорка начальниця
    مدير مديرة المبيعات التسويق العام العامة التنفيذي التنفيذية الرئيس رئيس نائب قسم
    المالي المالية الإدارة إدارة مجلس التطوير العمليات التجاري الموارد البشرية
    διευθυντής διευθύντρια γενικός γενική πωλήσεων εμπορικός υπεύθυνος μάρκετινγκ
    מנהל מנהלת כללי מכירות שיווק סמנכ"ל מנכ"ל
    """.split())


# the regions, markets and fields a head word's title names (``Director Comercial
# LATAM``, ``Directora Comercial España``, ``Sales Manager Nordics``): title words only
# beside a head word (x47r7 F2, F4)
_REGION_WORDS = frozenset("""
    comercial commercial latam emea apac dach iberia nordics nordic benelux españa spain
    europe european north south east west america americas asia pacific africa
    region regional global international national key account accounts zarządu
    internacional nacional méxico mexico brasil brazil france deutschland germany
    italia italy uk us usa canada worldwide central northern southern eastern western
    """.split())

def _cjk_name(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` is a whole name of a script written without spaces: two
    letters or more, every one Han, Hangul or kana (``李伟``, ``김민준``, ``さくら``)."""
    letters = [c for c in masked[a:b] if c.isalpha()]
    return len(letters) > 1 and all(_CJK.match(c) for c in letters)


def _surname(masked: str, a: int, b: int) -> bool:
    """Whether ``masked[a:b]`` (before a comma) reads as a surname written first: one word,
    or led by a particle (``van der Berg``, ``De la Cruz``); a whole name of Han, Hangul
    or kana (``李伟``) is not."""
    words = _words(masked, a, b)
    return not _cjk_name(masked, a, b) and (
        _person_words(masked, a, b) <= 1 or words[0].casefold() in _PARTICLES)


def _commas(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` split at the commas that separate two persons (the module's
    rule), each piece (start, end) in order; the part whole when none does."""
    if "," not in masked[start:end]:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    at = start
    for piece in masked[start:end].split(","):
        pieces.append((at, at + len(piece)))
        at += len(piece) + 1
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        a, b = pieces[i]
        i += 1
        if i < len(pieces) and _surname(masked, a, b) and _words(masked, a, b):
            b = pieces[i][1]  # "Roe, Jane": the given names after the surname
            i += 1
        while i < len(pieces) and (
                _suffix(masked, *pieces[i]) or not _words(masked, *pieces[i])
                or _job_title(masked[slice(*pieces[i])])
                or (i == len(pieces) - 1 and _person_words(masked, *pieces[i]) <= 1
                    and not _cjk_name(masked, *pieces[i]))):
            # "Anna Berg, Jr.", "Anna Berg, PhD, MBA", "Ann Lee, CEO", "Jane Roe, VP
            # Sales", "Jane Roe, c/o Acme Corp" (masked as a bracket)
            b = pieces[i][1]
            i += 1
        out.append((a, b))
    return out


def _weak(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """The part ``start:end`` split at ``y`` / ``e`` / ``i`` / ``a`` when every piece is a
    full name (two words or more, a later one led by neither a particle nor a Spanish
    surname before one: ``... y Martínez de Irujo``; ``at`` never before a company), or
    at a lone lower-case ``i`` / ``a`` / ``y`` / ``e`` / ``at`` between one given name and
    a full name (``Anna i Piotr Nowak``, ``Marco e Anna Rossi``: the couple ``Jane and
    John Poe`` is); else the part whole."""
    # the title or suffix the part ends with after a comma: the name before it judged
    # as if the cell had no comma (x47r5 F1: ``Marco e Anna Rossi, CEO`` was ONE person;
    # F6: ``José Ortega y Gasset, Director`` two)
    core = _before_title(masked, start, end)
    # the part before its first comma judged alone, whatever follows, unless a surname
    # written first (``Puig i Cadafalch, Josep``, ``Roe, Jane``): x47r7 F1, ``Marco e
    # Anna Rossi, Milano`` was ONE person; F4, ``José Ortega y Gasset, Madrid`` two
    after = start
    comma = masked.find(",", start, end)
    if comma > start and not _surname(masked, start, comma):
        head = _weak(masked, start, comma)
        if len(head) > 1:
            return [*head[:-1], (head[-1][0], end)]
        after = comma  # only a joiner after the comma may still list
    if comma > start and _surname(masked, start, comma):
        # the given names after a surname written first: a weak joiner between two of
        # them is a couple's (x47r9 F1: ``Rossi, Marco e Anna``, ``Pérez, Juan y María``
        # were ONE person); the surname's own joiner stays (``Puig i Cadafalch, Josep``)
        given = _given_couple(masked, start, comma, end)
        if given is not None:
            return given
    found = list(_WEAK.finditer(masked, after, core))
    if not found:
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    at = start
    for m in found:
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, core))
    words = [_words(masked, a, b) for a, b in spans]
    if any(m[1] == "at" for m in found) and any(_company(masked[a:b]) for a, b in spans):
        return [(start, end)]  # "Jane Roe at Acme Corp": her company
    whole = [*spans[:-1], (spans[-1][0], end)]  # the title with the last name
    if all(len(w) > 1 for w in words) and not any(
            w[0].casefold() in _PARTICLES or _second_surname(w, len(words[n]))
            for n, w in enumerate(words[1:])):
        return whole
    left, right = words[0], words[-1]
    couple = (len(found) == 1 and found[0][1] in ("i", "a", "y", "e", "at")
              and "," not in masked[start:core]
              and len(left) == 1 and left[0].casefold() not in _PARTICLES
              and len(right) > 1 and right[0].casefold() not in _PARTICLES)
    return whole if couple else [(start, end)]


def _given_couple(masked: str, start: int, comma: int, end: int
                  ) -> list[tuple[int, int]] | None:
    """The part ``start:end`` (a surname written first before ``comma``) split at the
    weak joiners (``y`` / ``e`` / ``i`` / ``a`` / ``at``) between its given names, up to
    the next comma: ``Rossi, Marco e Anna`` -> ``Rossi, Marco`` and ``Anna``, each piece
    (start, end); None when no such joiner joins two words there (``Roe, Jane``) or
    ``at`` joins a company (``Roe, Jane at Acme Corp``)."""
    stop = masked.find(",", comma + 1, end)
    stop = end if stop < 0 else stop
    found = list(_WEAK.finditer(masked, comma + 1, stop))
    if not found:
        return None
    cuts = [comma + 1, *(x for m in found for x in (m.start(), m.end())), stop]
    pieces = list(zip(cuts[::2], cuts[1::2], strict=True))
    if not all(_words(masked, a, b) for a, b in pieces) or (
            any(m[1] == "at" for m in found)
            and any(_company(masked[a:b]) for a, b in pieces)):
        return None
    spans = [(start, found[0].start())]
    spans += [(m.end(), found[i + 1].start() if i + 1 < len(found) else end)
              for i, m in enumerate(found)]
    return spans


def _before_title(masked: str, start: int, end: int) -> int:
    """Where the job titles and suffixes the part ``start:end`` ends with after its
    commas begin (``Marco e Anna Rossi, CEO``, ``José Ortega y Gasset, PhD, MBA``: at the
    first comma), read as ``name_and_title`` cuts them; ``end`` when the part before them
    holds a comma itself (``Puig i Cadafalch, Josep, CEO``) or none ends it."""
    core = end
    for comma in reversed(list(re.finditer(",", masked[start:end]))):
        tail = (start + comma.end(), core)
        if not (_suffix(masked, *tail) or _job_title(masked[slice(*tail)])):
            break
        core = start + comma.start()
    return core if "," not in masked[start:core] else end


def _second_surname(words: list[str], before: int) -> bool:
    """Whether ``words`` (after ``y``, the part before it of ``before`` words) is a second
    surname of a formal Spanish name: a surname (``Martínez``, ``Ruiz``) then a particle,
    after a given name and a surname of three words or more (``Carlos Fitz-James Stuart y
    Martínez de Irujo``, ``María José Carrascosa y Ruiz de Alarcón``)."""
    first = words[0].casefold()
    return (before > 2 and len(words) > 2 and words[1].casefold() in _PARTICLES
            and first.endswith(_SURNAME_ENDS) and first not in _GIVEN_ENDING_SO)


def a_full_name(names: list[str]) -> bool:
    """Whether a name of ``names`` (``listed_persons``' answer) is a full name: two words
    or more, or two letters or more of Han, Hangul or kana (``Jane and John Poe``: the
    couple's 'John Poe'). When none is (``Procter & Gamble``: 'Procter', 'Gamble'), the
    cell only may name that many persons, and a message says so (x46r9 F3)."""
    return any(len(n.split()) > 1 or _cjk_name(n, 0, len(n)) for n in names)


# the commas a job title follows a name after: ASCII, ideographic, full-width, Arabic;
# and a spaced slash (``Jane Roe / CEO``: x47r5 F9, the title was the person's name)
_TITLE_COMMA = re.compile("[,\u3001\uff0c\u060c]|\\s+/\\s*|\\s*/\\s+|/")


def _slashed_title(tail: str) -> bool:
    """Whether ``tail``, after an unspaced slash (``Jane Roe/CEO``), is a title cut from
    the name: every word a title's (``_title_words``) and an abbreviation written in
    capitals (``CEO``, ``VP Sales``) or two words or more (``Sales Director``); a single
    title word so joined may be a second surname (``Jane Roe/Lead``) and stays
    (x47r7 F5: ``Jane Roe/CEO`` kept its title in the name)."""
    words = tail.replace("\0", " ").split()
    return _title_words(tail) and (len(words) > 1 or any(
        len(w) > 1 and w.isupper() for w in words))


def name_and_title(cell: str) -> tuple[str, str | None]:
    """A one-person name cell (``listed_persons`` None) cut before the job title its
    commas end with: ``Jane Roe, VP Sales`` -> ``("Jane Roe", "VP Sales")``, ``Roe, Jane,
    Founder & CEO`` -> ``("Roe, Jane", "Founder & CEO")``, ``田中太郎、営業部長`` ->
    ``("田中太郎", "営業部長")``; every trailing part a title (``_job_title``), the part
    before it a name (a letter, not a title itself). ``(cell, None)`` for anything else: a
    suffix (``Anna Berg, PhD``), ``c/o``, a company after the title (``Anna Berg, CEO,
    Acme GmbH``), a list of persons. Pure; the name and title as written, spaces folded
    (f47f: the title was the person's name in Pipedrive, and the rows of ``Jane Roe, VP
    Sales`` and ``Jane Roe`` two persons)."""
    if not _QUICK.search(cell) or listed_persons(cell) is not None:
        return cell, None
    folded = cell if cell.isascii() else cell.translate(_FOLD)
    masked = _BRACKETS.sub(lambda m: "\0" * len(m[0]), folded)
    cut: int | None = None
    after = end = len(masked)
    for comma in reversed(list(_TITLE_COMMA.finditer(masked))):
        if comma[0] == "/" and not _slashed_title(masked[comma.end():end]):
            continue  # (``Roe/Smith``, ``Design Director/Lead``: the part goes on)
        if not _job_title(masked[comma.end():end]):
            break
        cut, after, end = comma.start(), comma.end(), comma.start()
    if cut is None:
        return cell, None
    name, title = " ".join(cell[:cut].split()), " ".join(cell[after:].split())
    if not any(c.isalpha() for c in name) or _job_title(masked[:cut]):
        return cell, None  # (``Founder, CEO``: no name before the title)
    return name, title


__all__ = ["a_full_name", "listed_persons", "name_and_title"]
