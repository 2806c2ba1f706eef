"""What a live comment says, with the noise of how it was typed taken out (pure, no I/O).

Live comments are 1–20 characters of phone typing: full-width and half-width forms, traditional
characters, 哈哈哈哈哈 and ？？？？, pinyin abbreviations (yyds, kd), phone numbers and links
written to dodge filters. The classifier's features are character n-grams, so the normal form
makes equal things equal characters:

- NFKC (full-width Latin and digits become ASCII), lower case, traditional → simplified;
- a run of one character longer than three is cut to three (哈哈哈哈哈 → 哈哈哈);
- known pinyin abbreviations become the words they stand for (yyds → 永远的神);
- links, contact handles and long digit strings become one marker character each, and other
  numbers another, so that 160斤 and 120斤 read alike. The markers are private-use characters:
  nothing a viewer types normalises to them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

LINK = "\ue000"  # http://…, www.…, xx.com
CONTACT = "\ue001"  # vx / wx / qq handles, 加V, phone-length digit strings
NUMBER = "\ue002"  # any other number: 160, 38, 99.9

_LINK = re.compile(r"(?:https?://|www\.)\S*|[a-z0-9-]+\.(?:com|cn|net|cc|top|vip|xyz)\b")
# A contact handle: a messenger's name (in Latin or dodging homophones) next to an id, or a
# digit string as long as a QQ or phone number.
_CONTACT = re.compile(
    r"(?:vx|wx|v信|微信|薇信|威信|维信|徽信|qq|扣扣|企鹅|加v|\+v|加微|tel)[:：]?\s*[a-z0-9_-]{5,}"
    r"|\d{6,}"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_RUN = re.compile(r"(.)\1{3,}")
_LATIN_WORD = re.compile(r"[a-z]+")

# Abbreviations live viewers type, as the words they stand for. Size letters (s, m, l, xl) and
# brand-like words are left alone: they are features in their own right.
_ABBREVIATIONS = {
    "yyds": "永远的神",
    "xswl": "笑死我了",
    "zqsg": "真情实感",
    "nsdd": "你说得对",
    "plmm": "漂亮妹妹",
    "bhys": "不好意思",
    "dbq": "对不起",
    "awsl": "啊我死了",
    "kswl": "磕死我了",
    "xjj": "小姐姐",
    "gg": "哥哥",
    "jms": "姐妹们",
    "kd": "快递",
    "kf": "客服",
    "tk": "退款",
    "sf": "顺丰",
    "jd": "京东",
    "bj": "北京",
    "sh": "上海",
    "zfb": "支付宝",
    "vx": "微信",
    "wx": "微信",
    "v": "微信",
    "qq": "扣扣",
    "nb": "牛",
    "cpdd": "处对象",
    "hhh": "哈哈哈",
    "hh": "哈哈",
}


@functools.cache
def _traditional_to_simplified() -> dict[int, str]:
    table: dict[int, str] = {}
    text = resources.files("liveops.comments").joinpath("data/t2s.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        traditional, simplified = line.split("\t")
        table[ord(traditional)] = simplified
    return table


def _expand(match: re.Match[str]) -> str:
    word = match.group(0)
    return _ABBREVIATIONS.get(word, word)


def normalize(text: str) -> str:
    """The comment's normal form; the empty string when nothing of it is left."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.translate(_traditional_to_simplified())
    text = _LINK.sub(LINK, text)
    # Runs first: 666666 is a cheer, not a phone number.
    text = _RUN.sub(r"\1\1\1", text)
    text = _CONTACT.sub(CONTACT, text)
    text = _NUMBER.sub(_number, text)
    text = _LATIN_WORD.sub(_expand, text)
    return "".join(text.split())


def _number(match: re.Match[str]) -> str:
    digits = match.group(0)
    # 666 and 111 are cheers and game replies, not quantities: keep them as typed.
    if len(set(digits)) == 1 and len(digits) >= 2:
        return digits
    return NUMBER
