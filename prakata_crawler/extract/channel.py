"""Public WhatsApp channel pages: name, description, follower count, avatar, badge.

The page's class names are obfuscated and rotate, so ``og:`` meta comes first, then the
known class sets (older ``_9vd5`` headings, newer ``h1 > span._as2p``), then the visible
"followers"/"pengikut" text.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..urls import CHANNEL_ID_RE
from .document import Document
from .text import norm, norm_or_none, text_of

# Indonesian "M" is miliar (10^9); English "M" is million.
ID_SUFFIXES = {"rb": 3, "ribu": 3, "jt": 6, "juta": 6, "m": 9, "miliar": 9, "t": 12, "triliun": 12}
EN_SUFFIXES = {"k": 3, "m": 6, "b": 9}
# More followers than people on Earth is a misread (or a hostile page), not a count; an
# integer of thousands of digits would also break JSON encoding (int-to-str limit).
MAX_FOLLOWERS = 10**10
FOLLOWERS_RE = re.compile(
    r"(?P<num>\d[\d.,]*)\s*(?P<suffix>[A-Za-z]+)?\s*(?P<word>pengikut|followers?)\b", re.I)
_OG_TITLE_NOISE = re.compile(r"\s*[|-]\s*WhatsApp(?: Channel| Saluran)?\s*$", re.I)


class NotAChannel(Exception):
    """A channel URL that shows no channel: dead ID, login wall, interstitial."""


def parse_followers(text: str | None) -> int | None:
    """``1,2 rb pengikut`` -> 1200, ``12.5K followers`` -> 12500, ``3 jt`` -> 3000000."""
    if not text:
        return None
    match = FOLLOWERS_RE.search(text)
    if not match:
        match = re.search(r"(?P<num>\d[\d.,]*)\s*(?P<suffix>rb|ribu|jt|juta|miliar)\b"
                          r"(?P<word>)", text, re.I)
        if not match:
            return None
    indonesian = match["word"].lower() == "pengikut" or (
        match["suffix"] or "").lower() in {"rb", "ribu", "jt", "juta", "miliar"}
    suffixes = ID_SUFFIXES if indonesian else EN_SUFFIXES
    suffix = (match["suffix"] or "").lower()
    if suffix and suffix not in suffixes:
        return None
    number = match["num"].rstrip(".,")
    decimal_mark, group_mark = (",", ".") if indonesian else (".", ",")
    if not suffix and re.fullmatch(rf"\d{{1,3}}(?:\{group_mark}\d{{3}})+", number):
        number = number.replace(group_mark, "")
    number = number.replace(group_mark, "").replace(decimal_mark, ".")
    if len(number) > 20:
        return None
    try:
        value = Decimal(number) * (Decimal(10) ** suffixes.get(suffix, 0))
    except InvalidOperation:
        return None
    return int(value) if value <= MAX_FOLLOWERS else None


def _first_text(doc: Document, *xpaths: str) -> str | None:
    for xpath in xpaths:
        for el in doc.root.xpath(xpath):
            text = norm(visible_text(el) if not isinstance(el, str) else el)
            if text:
                return text
    return None


_NOT_TEXT = frozenset({"svg", "img", "script", "style", "title", "button", "picture", "video"})
BADGE = re.compile(r"^\W*(?:verified|terverifikasi|akun\s+terverifikasi)\W*$", re.I)


def visible_text(el) -> str:
    """The text a reader sees in ``el``: no ``<svg><title>``, alt text, icons or badge
    words ("Verified") glued to it."""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node.tag, str) and node.tag not in _NOT_TEXT and not (
                node.get("role") == "img" or BADGE.match(norm(text_of(node)) or "-")):
            parts.append(node.text or "")
            for child in node:
                walk(child)
        parts.append("" if node is el else node.tail or "")

    walk(el)
    return norm(" ".join(parts))


def _is_description(text: str | None, name: str | None) -> bool:
    """The channel's own words: never a follower line, the name, a badge or the page's
    buttons."""
    return bool(text) and not FOLLOWERS_RE.search(text) and parse_followers(text) is None \
        and not _COUNT_LINE.search(text) and norm(text).lower() != (name or "").lower() \
        and not BADGE.match(text) and not _UI_TEXT.match(text)


_COUNT_LINE = re.compile(r"^\W*(?:saluran|channel)\s*[|•·]", re.I)
_UI_TEXT = re.compile(r"^\W*(?:follow|ikuti|view channel|lihat saluran|download|unduh|"
                      r"don't have whatsapp yet\??|belum punya whatsapp\??)\W*$", re.I)


def extract_channel(doc: Document, url: str) -> dict:
    match = CHANNEL_ID_RE.search(url)
    if not match:
        raise NotAChannel("no channel id in URL")
    og_name = norm_or_none(_OG_TITLE_NOISE.sub("", doc.meta_first("og:title") or ""))
    name = _first_text(
        doc, "//h1/span[contains(concat(' ', @class, ' '), ' _as2p ')]",
        "//h3[contains(@class, '_9vd5') and contains(@class, '_9t2_')]", "//h1") or og_name
    count_text = _first_text(doc, "//h5[contains(@class, '_9scy')]")
    if not count_text or parse_followers(count_text) is None:
        count_text = next((norm(t) for t in doc.root.xpath("//body//text()")
                           if FOLLOWERS_RE.search(str(t))), None)
    followers = parse_followers(count_text)
    if not name or followers is None:
        raise NotAChannel("channel not found: no name or follower count (dead or invalid ID)")
    candidates = [doc.meta_first("og:description")] + [
        norm(visible_text(el)) for el in doc.root.xpath(
            "//h5[contains(@class, '_9vd5') and not(contains(@class, '_9scy'))]"
            " | //h4[contains(@class, '_9vd5') and contains(@class, '_9scb')]"
            " | //main//*[self::h2 or self::h3 or self::h4 or self::h5 or self::p]")]
    description = next((text for text in candidates if _is_description(text, name)), None)
    image = doc.meta_first("og:image") or _first_text(
        doc, "//img[contains(@class, '_9vx6')]/@src")
    verified = bool(doc.root.xpath(
        "//h1//img[contains(@class, '_a93a')] | //*[contains(@class, 'verified')]"
        " | //h1//*[self::img or self::svg or @role='img'][@alt or @aria-label or .//title]"
        "[contains(translate(concat(@alt, @aria-label, string(.//title)), 'VT', 'vt'), 'verifi')]"))
    return {
        "url": url,
        "channel_id": match.group(1),
        "name": name,
        "description": description,
        "followers": followers,
        "followers_text": count_text,
        "image_url": image,
        "image_archived": False,  # what the archive holds is the crawl's to say
        "image_payload_digest": None,
        "verified": verified,
    }
