"""Catch-all names in scripts written without spaces between words, or whose words the
Latin reading cannot tell apart: Chinese, Japanese, Korean, Thai, Arabic, Persian, Hebrew,
Hindi.

x42r2 F2: ``個人顧客``, ``お客様``, ``散客``, ``零售客户``, ``一般客``, ``개인 고객``,
``عملاء أفراد``, ``לקוחות פרטיים``, ``ग्राहक``, ``ลูกค้าทั่วไป`` were read as real names (two
customers' deals on such a record merged unattended). ``catch_all_world.readings`` writes
them in Latin letters (``GeRenGuKe``, ``ml frd``), where a word of the lexicon cannot be
told from a syllable of another name, so these are read in their own script: the name,
without spaces, punctuation and digits, must be made wholly of the words below — at least
one of them saying who (``PEOPLE``: customer, guest, member...) or no one (``NOBODY``:
anonymous, unknown), the others what kind (``LIKE``: private, individual, retail,
general, walk-in) or set aside (``GENERIC``: other, various). A company's name holds other
words (``顾客满意研究所``, a customer-satisfaction institute; ``客家菜馆``, a Hakka
restaurant): it is no catch-all.

Sources: the usual words for the walk-in / private / anonymous customer and for the
customers of a shop, a practice, a club, in each language's Wiktionary entries for
"customer", "client", "guest", "member", "private", "individual", "retail", "anonymous",
"unknown", "other". Pure; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

PEOPLE = frozenset({
    # Chinese (simplified and traditional)
    "客户", "客戶", "顾客", "顧客", "客人", "客", "散客", "买家", "買家", "消费者", "消費者",
    "会员", "會員", "访客", "訪客", "游客", "遊客", "患者", "病人", "学生", "學生", "用户", "用戶",
    "订单", "訂單", "宾客", "賓客", "住客", "宿泊客", "注文", "訪問者", "来場者",
    "방문객", "투숙객", "주문", "손님들", "ผู้เยี่ยมชม", "ผู้มาเยือน", "زائر", "زوار", "ضيف", "ضيوف",
    "אורח", "אורחים", "מבקר", "מבקרים", "अतिथि", "मेहमान", "आगंतुक",
    # Japanese
    "お客様", "お客さま", "お客", "会員", "来店客", "来客", "購入者", "利用者",
    "ユーザー", "ゲスト", "メンバー", "カスタマー", "クライアント",
    # Korean
    "고객", "손님", "회원", "구매자", "소비자", "방문자", "환자", "학생", "사용자", "고객님",
    # Thai
    "ลูกค้า", "สมาชิก", "ผู้ซื้อ", "ผู้บริโภค", "แขก",
    # Arabic and Persian
    "عميل", "عملاء", "العملاء", "العميل", "زبون", "زبائن", "الزبائن", "مشتري", "مشتريين",
    "مستهلك", "مشتری", "مشتریان", "عضو", "أعضاء",
    # Hebrew
    "לקוח", "לקוחות", "הלקוחות", "קונה", "קונים", "צרכן", "צרכנים", "חבר", "חברים",
    # Hindi
    "ग्राहक", "ग्राहकों", "उपभोक्ता", "खरीदार", "सदस्य",
})
LIKE = frozenset({
    "个人", "個人", "一般", "普通", "零售", "散", "私人", "个体", "個體", "临时", "臨時", "现金",
    "現金", "直接", "飛び込み", "通りすがり", "개인", "일반", "소매", "현금", "ทั่วไป",
    "บุคคล", "เงินสด", "ขายปลีก", "أفراد", "الأفراد", "فردي", "أفرادي", "نقدي", "عام", "خاص",
    "حقيقي", "פרטיים", "פרטי", "פרטיות", "כללי", "מזדמנים", "מזדמן", "व्यक्तिगत",
    "खुदरा", "सामान्य", "نقدی", "عمومی", "متفرقه", "حقیقی", "نقديون", "नकद", "หน้าร้าน",
    # where or how they came: online, the net, a hotel, a clinic (x42r6 F2)
    "网上", "網上", "在线", "線上", "ネット", "オンライン", "온라인", "ออนไลน์", "酒店", "ホテル",
    "호텔", "الفندق", "فندق", "המלון", "מלון", "होटल", "诊所", "クリニック", "병원",
})
NOBODY = frozenset({
    "匿名", "未知", "不明", "无名", "無名", "未指定", "익명", "미상", "알수없음", "ไม่ระบุ",
    "ไม่ทราบ", "مجهول", "غير معروف", "نامعلوم", "ناشناس", "אלמוני", "לא ידוע", "अज्ञात",
    "अनाम",
})
GENERIC = frozenset({
    "其他", "其它", "各种", "各種", "その他", "他", "様", "さま", "기타", "여러", "อื่นๆ", "อื่น",
    "ต่างๆ", "آخرون", "أخرى", "متنوع", "متفرقون", "שונים", "אחרים", "अन्य", "विविध", "の", "的",
    "เป็นราย", "ราย", "ال", "و",
})
# the scripts read here: Han, Hiragana, Katakana, Hangul, Thai, Arabic, Hebrew, Devanagari
SCRIPTS = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff"
                      r"\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _letters(name: str) -> str:
    """``name`` in NFC without what separates or qualifies its words: spaces, punctuation,
    symbols, digits (``客户 (1)``, ``عملاء - أفراد``)."""
    return "".join(c for c in unicodedata.normalize("NFC", name)
                   if unicodedata.category(c)[0] in "LM")


_SAYS = frozenset(_letters(w) for w in PEOPLE | NOBODY)  # who / no one, as compared
_WORDS = _SAYS | frozenset(_letters(w) for w in LIKE | GENERIC)
_LONGEST = max(len(w) for w in _WORDS)


@lru_cache(maxsize=8192)
def script_catch_all(name: str) -> bool:
    """Whether ``name``, written in one of the scripts above, is made wholly of this
    module's words with at least one saying who or no one (``散客``, ``個人顧客``,
    ``お客様``, ``개인 고객``, ``عملاء أفراد``, ``לקוחות פרטיים``, ``ลูกค้าทั่วไป``: True;
    ``顾客满意研究所``, ``客家菜馆``, ``サムスン``: False). A name with no letter of these
    scripts is False. Raises nothing."""
    if not SCRIPTS.search(name):
        return False
    text = _letters(name)
    if not text or not SCRIPTS.search(text):
        return False
    n = len(text)
    # reach[i]: the text up to i splits into words; said[i]: one of them says who / no one
    reach = [False] * (n + 1)
    said = [False] * (n + 1)
    reach[0] = True
    for i in range(n):
        if not reach[i]:
            continue
        for j in range(i + 1, min(n, i + _LONGEST) + 1):
            word = text[i:j]
            if word in _WORDS:
                reach[j] = True
                said[j] = said[j] or said[i] or word in _SAYS
    return reach[n] and said[n]


__all__ = ["GENERIC", "LIKE", "NOBODY", "PEOPLE", "SCRIPTS", "script_catch_all"]
