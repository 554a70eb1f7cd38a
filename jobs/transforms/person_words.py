"""The vocabularies ``name_lists``' rule reads a person cell with (data only, no rule):
which words join two names, which are a name's own, which make a job title or a
company, which letters a script writes without spaces. A word added here is read by
every part of the rule (``name_lists``' docstring states it in order).

Where the lists come from: the cells of CRM exports (HubSpot, Salesforce, Freshsales,
monday.com, Dynamics 365, Close, Zoho) the testers' rounds met (x23r1 … x47r9: each
finding named beside the words it added), the word "and" and common job titles of the
languages a Pipedrive account is used in, and the legal forms of the companies' countries
(German, British, US, French, Spanish, Italian, Dutch, Nordic, Russian, Japanese, Chinese,
Korean). Words are case-folded unless a list says otherwise (``LEGAL_CASED``,
``LEGAL_FIRST``: as companies write them, being initials or surnames too). Groups:

- joiners: ``AND_WORDS`` / ``AND_WORDS_LOWER`` (a regex alternation, spaced "and" by
  language), the marks between a title's or a company's parts (``TITLE_JOINERS``,
  ``COMPANY_JOINERS``, ``TITLE_AND``, ``JOB_JOINERS``), the commas (``COMMA_GAPS``);
- a name's own words: ``COURTESY_TITLES``, ``NAME_SUFFIXES``, ``PARTICLES``,
  ``SURNAME_ENDS`` / ``GIVEN_ENDING_SO``;
- job titles: ``JOB_WORDS``, ``HEAD_WORDS``, ``QUALIFIERS``, ``REGION_WORDS``,
  ``SCRIPT_TITLE_WORDS``, ``CJK_HEADS``, ``LEITER_JOBS``;
- companies: ``LEGAL_FORMS``, ``LEGAL_CASED``, ``LEGAL_FIRST``, ``LEGAL_INITIALS``,
  ``LEGAL_CJK``, ``FAMILY_WORDS``;
- scripts: ``CJK_LETTER``, ``HAN_LETTER`` (one letter, compiled), ``FULLWIDTH_FOLD``
  (a ``str.translate`` table).

Split from ``name_lists`` (issue #8: modules of ~500 lines at most).
"""

from __future__ import annotations

import re

# --- joiners: the word "and" by language and script, the marks joining a title's or a
# company's words, the commas ---

# the word "and" of the languages a CRM export meets, spaced (a whole word between two
# names): English, German, French, Norwegian and Danish, Swedish, Dutch, Russian and
# Bulgarian and Serbian, Ukrainian, Polish, Hungarian, Greek, Romanian, Vietnamese,
# Arabic and Persian (U+0648), Hebrew spaced (U+05D5), Korean (및 와 과), Thai, Hindi,
# Urdu, Chinese and Japanese spaced (和 與 与 及 と); lower-case only, being names too
# (``Ed``, ``Dan``, ``Ja Rule``, ``Tan En Qi``: x47r5 F8): Dutch ``en``, Finnish and
# Estonian, Turkish, Italian ``ed``, Indonesian and Malay, Latvian, Lithuanian,
# Albanian (x47r1 F3: ``محمد علي و فاطمة حسن``, ``김민준 및 박지훈``, ``Nguyễn Văn An và
# Trần Thị Bình`` were one person each)
AND_WORDS = ("and|und|u\\.|et|og|och|и|\u0456|oraz|és|και|și|şi|và|\u0648|\u05d5|및|와|과"
             "|\u0e41\u0e25\u0e30|\u0914\u0930|\u0627\u0648\u0631|和|與|与|及|と")

# (the lower-case ones: see above)
AND_WORDS_LOWER = "en|ja|ve|ed|dan|un|ir|dhe"

# the commas: ASCII, ideographic, full-width, Arabic
COMMA_GAPS = frozenset({",", "\u3001", "\uff0c", "\u060c"})

# the separators a title goes on after, past a name's comma (``Jane Roe, R & D
# Director``, ``Founder & CEO``: one title)
TITLE_JOINERS = frozenset({"&", "and", "und", "et", "y", "e", "+", "/"})

# the separators inside a company's name (``Smith & Sons Ltd``, ``Dupont & Fils``)
COMPANY_JOINERS = frozenset({"&", "and", "und", "+", "et", "y", "e"})

# the joiners between two titles (``Founder & CEO``, ``Design Director/Lead``): a place's
# word is a title's only beside another title's word on its side of them
TITLE_AND = frozenset({"&", "and", "und", "et", "y", "e", "+", "/"})

# the words that join a job title's words (``Head of Marketing``, ``Founder & CEO``)
JOB_JOINERS = frozenset({"of", "and", "&", "the", "for", "de", "del", "des", "du", "la",
                         "le", "für", "der", "y", "e", "et", "und", "di", "della", "da",
                         "do", "in", "-", "/", "+"})

# --- a name's own words: courtesy titles before it, suffixes after it, surname
# particles, Spanish surname endings ---

# titles before a name: not words of it
COURTESY_TITLES = frozenset({
    "dr", "prof", "mr", "mrs", "ms", "mx", "miss", "herr", "frau", "mme", "mlle", "dott",
    "dott.ssa", "sig", "sra", "sr", "srta", "dña", "don", "ing", "mag", "sir", "dame"})

# what follows a name after a comma and is the name's own (dots and case aside)
NAME_SUFFIXES = frozenset({
    "jr", "sr", "ii", "iii", "iv", "v", "vi", "phd", "md", "mba", "esq", "cpa", "dds",
    "dmd", "dvm", "rn", "np", "pa", "do", "jd", "llm", "msc", "bsc", "ma", "ba", "ms",
    "mph", "cfa", "pe", "pmp", "dr", "prof", "ing", "dipl-ing", "mag", "lic", "ret",
    "retd", "obe", "mbe", "cbe", "kc", "qc"})

# the particles that lead a surname (``van der Berg``, ``de la Cruz``, ``da Silva``)
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "das",
                       "do", "dos", "du", "la", "le", "ten", "ter", "zu", "bin", "al",
                       "el", "mac", "st", "st."})

# how a Spanish surname ends (``Martínez``, ``Ruiz``, ``Díaz``, ``Muñoz``): one leading
# the part after ``y`` before a particle is a second surname (``... y Martínez de
# Irujo``); the given names ending so are not (``Beatriz de la Cruz``)
SURNAME_ENDS = ("ez", "iz", "az", "oz", "éz", "íz", "áz", "óz")

GIVEN_ENDING_SO = frozenset({"inez", "inéz", "beatriz", "paz", "aritz", "feliz", "luz"})

# --- job titles: their words, head words, qualifiers, regions, other scripts' words ---

# the words of a job title written after a name and a comma (``Jane Roe, VP Sales``,
# ``Hans Müller, Geschäftsführer``): the name's own, as a suffix is (case aside)
JOB_WORDS = frozenset("""
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
    """.split()) | frozenset(w.casefold() for w in """
    sr snr jr jnr inkoper verkoper dyrektor dyrektorka handlowy handlowa kierownik
    kierowniczka prezes διευθυντής διευθύντρια υπεύθυνος υπεύθυνη πωλήσεων γενικός γενική
    vd daglig leder direktør direktor säljchef inköpare
    """.split())  # (casefolded as ``job_title`` reads them: a final sigma as a medial one; x50r1 F8:
#                 ``Sr. Manager`` was a second person, ``Inkoper`` the name's)

# (words of titles joined inside a title: ``R&D Director``, ``Health & Safety Officer``,
# ``QA & Testing Lead``: x46r13 F3)
JOB_WORDS = JOB_WORDS | frozenset("""
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

# the head words of a job title: a part led by a title's word and holding one is a title
# whatever its other words (``Director Comercial``, ``Algemeen Directeur``, ``Sales
# Manager Nordics``, ``Prezes Zarządu``, ``генеральный директор``, ``مدير المبيعات``;
# x46r9 F2); not ``head`` nor ``chief``, surnames too (``Edith Head``), which need the
# whole title in the vocabulary
HEAD_WORDS = frozenset("""
    director directora directeur directrice diretor diretora direttore direttrice
    manager managerin gerente geschäftsführer geschäftsführerin leiter leiterin prezes
    dyrektor kierownik kierowniczka prokurent ceo cfo cto coo cmo cio vp svp evp
    president presidente président présidente presidentin vorstand vorsitzender officer
    директор директора руководитель менеджер начальник председатель
    директорка керівник مدير مديرة رئيس
    jednatel jednatelka ředitel ředitelka müdür müdürü direktur manajer
    """.split())

# the words of a manager's place or field (``Store Manager``, ``Key Account Manager``,
# ``Field Sales``): a title's beside another of its words, never alone (x47r7: ``Jane
# Roe, Key``, ``Jane Roe, Plant`` were cut, ``Jane Roe / Store`` read as her title)
QUALIFIERS = frozenset("""
    key plant store shop site field branch area country district territory warehouse
    factory restaurant hotel property fleet facility facilities retail category division
    department inside outside channel brand primary main global national regional
    """.split())

# the regions, markets and fields a head word's title names (``Director Comercial
# LATAM``, ``Directora Comercial España``, ``Sales Manager Nordics``): title words only
# beside a head word (x47r7 F2, F4)
REGION_WORDS = frozenset("""
    comercial commercial latam emea apac dach iberia nordics nordic benelux españa spain
    europe european north south east west america americas asia pacific africa
    region regional global international national key account accounts zarządu
    internacional nacional méxico mexico brasil brazil france deutschland germany
    italia italy uk us usa canada worldwide central northern southern eastern western
    """.split())

# the words of a title written in Cyrillic (Russian, Ukrainian), Arabic, Greek, Hebrew
# beside its head word (``генеральный директор``, ``руководитель отдела продаж``,
# ``головний менеджер відділу продажів``, ``مدير المبيعات``, ``نائب الرئيس``): any other
# word of those scripts may be a name (x47r9 F2)
SCRIPT_TITLE_WORDS = frozenset("""
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

# how a title written in Han or kana ends (``営業部長``, ``销售经理``)
CJK_HEADS = ("部長", "課長", "社長", "会長", "係長", "所長", "店長", "室長", "局長", "取締役",
             "部长", "经理", "經理", "总监", "總監", "总裁", "總裁", "董事长", "董事長", "主任",
             "代表", "부장", "과장", "사장", "대표", "이사", "팀장")
# the words of a department or a rank before a head word in Han, Hangul or kana
# (``営業部長``, ``销售经理``, ``영업부장``, ``副总经理``): a title so written is one of the
# vocabulary whole, each of its words a head word or one of these, its last a head word;
# any other letter may be a name's (x48r1 F1: ``김민준, 박지훈 부장``, ``山田太郎、佐藤花子部長``,
# ``李伟, 王经理`` were cut to the first person, the second hidden as the title)
CJK_LEADS = ("営業", "技術", "開発", "人事", "総務", "経理", "企画", "広報", "製造", "品質",
             "海外", "購買", "財務", "法務", "事業", "本部", "支店", "工場", "常務", "専務",
             "副", "销售", "銷售", "市场", "市場", "财务", "人力资源", "技术", "研发", "研發",
             "行政", "采购", "採購", "运营", "運營", "产品", "產品", "项目", "項目", "区域",
             "區域", "大区", "总", "總", "执行", "執行", "营销", "營銷", "业务", "業務",
             "영업", "마케팅", "기술", "개발", "인사", "총무", "재무", "기획", "구매", "생산",
             "품질", "해외", "전략", "경영")

# the first parts of a German ``-leiter`` / ``-leiterin`` title (``Verkaufsleiter``,
# ``Niederlassungsleiterin``); any other compound so ending is a surname (``Schleiter``)
LEITER_JOBS = frozenset("""
    verkaufs vertriebs niederlassungs team abteilungs projekt bereichs filial produktions
    betriebs marketing export import einkaufs lager werks gruppen geschäftsbereichs bau
    schicht büro personal kunden service labor qualitäts entwicklungs fertigungs
    logistik it finanz kundendienst geschäftsstellen gebiets regional markt
    konstruktions montage versand technik objekt standort fach
    """.split())

# --- companies: legal forms and family words ---

# the legal forms that end a company's name (case, dots and a comma before them aside):
# a part ending so is no person (``Anna Berg, Acme GmbH``, ``Smith & Sons Ltd``)
LEGAL_FORMS = frozenset("""
    gmbh mbh ltd limited llp llc inc incorporated corp corporation co company plc sarl
    sons söhne partners holdings pty
    """.split())

# the short ones, also surnames (``Anna Sa``, ``Bob Ab``): only as companies write them,
# their dots aside (``S.p.A.``, ``s.r.o.``; x46r12 F4: the dotted ones were read as their
# letters, so ``Anna Berg, Bob A`` was one person — ``A`` of ``S.p.A``)
LEGAL_CASED = frozenset("AG KG OHG GbR UG LP SA SAS SRL Srl SpA BV NV Oy Oyj AB ASA ApS "
                        "Kft sro Zrt".split())

# the legal forms a company's name starts with (``AB Volvo``, ``OOO Romashka`` in Latin
# or Cyrillic letters: x46r12 F4),
# as companies write them; ``SA`` is not one (``SA Renault``: initials too, two persons)
LEGAL_FIRST = frozenset(("AB", "OOO", "PT", "\u041e\u041e\u041e", "\u041e\u0410\u041e",
                         "\u0417\u0410\u041e", "\u041f\u0410\u041e", "\u0422\u041e\u0412"))

# those that can be a name's initials too (``AB Smith``, ``PT Barnum``: x47r5 F4)
LEGAL_INITIALS = frozenset(("AB", "PT"))

# a Japanese, Chinese or Korean company's legal form, before or after its name, unspaced
LEGAL_CJK = ("株式会社", "有限会社", "合同会社", "有限公司", "公司", "주식회사", "유한회사")

# a family's or associates' word ending a company's name after its joiner (``Dupont &
# Fils``: French, Italian, Spanish, Portuguese, German, Dutch, Danish / Norwegian, English)
FAMILY_WORDS = frozenset("""
    fils figli hijos filhos söhne sohne zonen sønner sonner sons associates partners
    brothers bros
    """.split())

# --- scripts: the letters written without spaces, the full-width forms ---

# letters of the scripts that write a name without spaces (Han, Hangul, kana)
CJK_LETTER = re.compile(r"[\u1100-\u11ff\u3005\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
                        r"\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
                        r"\U00020000-\U0002ffff]")

# the most common single-letter Chinese surnames (simplified and traditional), so that two
# names of two Han letters each joined by ``・`` read as two persons (``李伟・王芳``),
# where ``山田・太郎`` (a Japanese surname and given name) is one; a Japanese name led by
# one of them (``高橋・一郎``) is refused only when both are: the safe side
CN_SURNAMES = frozenset(
    "王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何林罗羅郑鄭梁谢謝宋唐许許韩韓"
    "冯馮邓鄧曹彭曾萧蕭肖董袁潘蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁沈姚卢盧姜崔钟鍾谭譚陆陸"
    "汪范金廖贾賈夏韦韋付方邹鄒孟熊秦邱尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵钱錢"
    "严嚴覃戴莫孔汤湯")
HAN_LETTER = re.compile(r"[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")

# the full-width forms of ASCII (U+FF01-FF5E) and the ideographic space, as NFKC folds
# them; the full-width comma stays (always a list, as ``、`` is)
FULLWIDTH_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if c != 0xFF0C} | {
    0x3000: 0x20, 0xFF65: 0x30FB}

# the labels a phone is written after (``Tel.``, ``Mobil:``, ``Tél.``, ``Тел.``, ``Tlf.``,
# ``Móvil``, ``Ph.``, ``Cel.``, ``Telemóvel``, ``Τηλ.``, ``電話``, ``携帯``, ``手机``, ``전화``,
# ``هاتف``, ``Direct:``, ``Office:``, ``Kom.``, ``Portable:``, ``Tel/Fax:``; ``T:`` ``M:``
# ``W:`` ``P:`` only before a colon), one list for every reader of a name cell (x50r1 F7:
# ten of them stayed in the person's name; x50r7 F5: fifteen more; x51r1 F4: ``Cep``,
# ``İş``, ``Κινητό`` (and its short form), ``Τηλέφωνο``, ``טל'``, ``נייד``, ``โทร.``, ``มือถือ``, ``ĐT``,
# ``SĐT``, ``DĐ``, ``Điện thoại``, ``HP``, ``Telp.``, ``WA``, ``WhatsApp``, ``Tel bimbit``,
# ``Matkapuhelin``, ``Telefonas``, ``Tālr.``, ``Mob. tel.``, ``Tel. kom.``, ``Mobiltelefon``,
# ``Handphone``, ``Cellphone``, ``Cellular``, ``Móvel``, ``Sabit``, ``Mobile No.``; x52r1:
# ``Tel.-Nr.``); a regex
# alternation
PHONE_LABELS = ("cep\\s*tel|mob\\.?\\s*tel|tel\\.?\\s*kom|mobile\\s*no|tel\\s*bimbit"
                "|\u0111i\u1ec7n\\s*tho\u1ea1i|mobiltelefon|matkapuhelin|telefonas|handphone"
                "|cellphone|cellular|whatsapp|m\u00f3vel|movel|telp|t\u0101lr|sabit|cep"
                "|\u0130\u015f|i\u015f|s\u0111t|\u0111t|d\u0111|hp(?=\\s*:)|wa(?=\\s*:)"
                "|\u03c4\u03b7\u03bb\u03ad\u03c6\u03c9\u03bd\u03bf|\u03ba\u03b9\u03bd\u03b7\u03c4\u03cc"
                "|\u03ba\u03b9\u03bd|\u05e0\u05d9\u05d9\u05d3|\u05d8\u05dc"
                "|\u0e21\u0e37\u0e2d\u0e16\u0e37\u0e2d|\u0e42\u0e17\u0e23"
                "|tel\\.?\\s*-?\\s*nr|tel\\.?\\s*/\\s*fax|telephone|t\u00e9l\u00e9phone|telefono|tel\u00e9fono|telem\u00f3vel"
                "|telemovel|telefone|telefon|tel|t\u00e9l"
                "|tlf|tfn|puhelin|puh|phone|ph|fon|mobile|mobil|mob|m\u00f3vil|movil|cellulare"
                "|cell|cel|handy|natel|gsm|fax|portable|direct|office|kom"
                "|\u03c4\u03b7\u03bb|\u96fb\u8a71|\u643a\u5e2f|\u624b\u673a|\uc804\ud654|\u0647\u0627\u062a\u0641"
                "|\u0442\u0435\u043b\u0435\u0444\u043e\u043d|\u0442\u0435\u043b"
                "|\u043c\u043e\u0431|t(?=\\s*:)|m(?=\\s*:)|w(?=\\s*:)|p(?=\\s*:)")
# the messengers a phone is labelled with beside a phone label (``Tel/WhatsApp:``,
# ``Mob./Viber:``, ``Tel./Signal:``, ``Tel/Telegram:``: x52r1 F3, ``Tel`` was left in the
# name) or alone before a colon (``Viber: +33 …``); never a label without one of those (a
# word that may be a surname: ``Line``, ``Signal``); ... and SMS, text messages and
# KakaoTalk, first or after the ``/`` (``Tlf./SMS:``, ``SMS/Tel.:``, ``Cell/Text:``,
# ``Tel./KakaoTalk:``: x52r11 F2, ``Tlf.`` was left in the name and an existing person
# not found); a regex alternation
MESSENGER_LABELS = ("viber|signal|telegram|wechat|skype|threema|imessage|line|whatsapp|wa"
                    "|kakaotalk|kakao|sms|text|mms|rcs")
# the words a phone's extension is written after (en ``ext``, ``x``; de ``Durchwahl``,
# ``DW``, ``Apparat``, ``App.``, ``Nebenstelle``; fr ``poste``; es ``extensi\u00f3n``,
# ``anexo``, ``interno``; it ``interno``, ``int.``; nl ``toestel``, ``tst``; sv / no / da
# ``ankn.``, ``lokal``; fi ``alanro``; pl ``wewn.``, ``wew.``; pt ``ramal``; cs ``linka``;
# hu ``mellék``; tr ``dahili``; ru ``доб.``; ja ``内線``; zh ``分机``; ko ``내선``: x50r7 F7;
# x51r1 F7: cs ``kl.``, ``klapka``, ``linka``, ``vnitřní``; hu ``m.``, ``mell.``; tr ``dah.``;
# el ``εσωτ.``, ``εσ.``; he ``שלוחה``; th ``ต่อ``; vi ``máy lẻ``, ``nhánh``; pl ``psw.``; sk
# ``pes.``, ``lok.``; et ``lisa``; lv ``iekšējais``; sl ``int.``; lt ``vid.``; fi ``sisä``,
# ``alanumero``, ``lisä`` (x51r8: ``lisa`` was listed, Finnish ``lisä`` not); ro ``inter.``;
# en ``Xtn``; zh ``内线``, ``分機``, ``轉``),
# a regex alternation, one list for every phone
# reader: the phone column's (``contacts``) and a name cell's (x50r1 F2: ``Durchwahl
# 12`` was refused, ``poste 16`` left in the name)
EXTENSION_WORDS = ("alanumero|iek\u0161\u0113jais|vnit\u0159n\u00ed|klapka|kl|mell|dah|inter|lok|lisa|lis\u00e4"
                   "|vid|psw|pes|sis\u00e4|xtn|m\u00e1y\\s*l\u1ebb|nh\u00e1nh|m(?=\\.)"
                   "|\u03b5\u03c3\u03c9\u03c4|\u03b5\u03c3(?=\\.)|\u05e9\u05dc\u05d5\u05d7\u05d4"
                   "|\u0e15\u0e48\u0e2d|\u5185\u7ebf|\u5206\u6a5f|\u8f49"
                   "|extension|extensi\u00f3n|extn|ext|durchwahl|nebenstelle|apparat|app|dw|nst"
                   "|poste|anexo|interno|int|toestel|tst|anknytning|ankn|lokalnummer|lokal"
                   "|alanro|wewn|wew|ramal|linka|mell\u00e9k|dahili|\u0434\u043e\u0431"
                   "|\u5185\u7dda|\u5206\u673a|\ub0b4\uc120|x")

__all__ = [
    "AND_WORDS", "AND_WORDS_LOWER", "CJK_HEADS", "CJK_LETTER", "CN_SURNAMES", "COMMA_GAPS",
    "COMPANY_JOINERS", "COURTESY_TITLES", "EXTENSION_WORDS", "FAMILY_WORDS", "FULLWIDTH_FOLD",
    "GIVEN_ENDING_SO", "HAN_LETTER", "HEAD_WORDS", "JOB_JOINERS", "JOB_WORDS",
    "LEGAL_CASED", "LEGAL_CJK", "LEGAL_FIRST", "LEGAL_FORMS", "LEGAL_INITIALS",
    "LEITER_JOBS", "MESSENGER_LABELS", "NAME_SUFFIXES", "PARTICLES", "PHONE_LABELS",
    "QUALIFIERS", "REGION_WORDS",
    "SCRIPT_TITLE_WORDS", "SURNAME_ENDS", "TITLE_AND", "TITLE_JOINERS"]
