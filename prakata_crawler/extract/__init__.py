"""``extract(body, url)``: bytes of one page in, one normalized item out.

Pure: no network, no files, no Scrapy. It decodes and parses once, decides what the page
is (article, WhatsApp channel, or neither) and never raises: a page it cannot read becomes
``{"type": "rejected", "reason": ...}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from ..items import Article, Rejected, WhatsAppChannel
from ..urls import CHANNEL_ID_RE, WHATSAPP_HOSTS, host_key
from .article import NotAnArticle, extract_article
from .channel import NotAChannel, extract_channel
from .dates import WIB, to_iso
from .document import CONTROL_BYTES, Document, EmptyDocument, narrow
from .multipage import Part, join_pages
from .pagination import ALL, pagination
from .text import norm, text_of

BLOCK_MARKERS = re.compile(
    r"access denied|verify you are human|just a moment|please enable javascript|captcha|"
    r"cloudflare|incapsula|sucuri|datadome|perimeterx|ddos-guard|attention required", re.I)
# The title or the main heading *is* a not-found message (a headline may mention "404").
SOFT_404 = re.compile(r"^\W*(?:(?:error\s+)?404\b|halaman\s+(?:tidak|tak)\s+(?:ditemukan|ada)|"
                      r"(?:page|halaman)\s+not\s+found|not\s+found|maaf,?\s+halaman)", re.I)

# Sitemaps and feeds are XML documents, never pages (reextract offers every archived body).
XML_ROOTS = frozenset({b"urlset", b"sitemapindex", b"rss", b"feed", b"rdf:rdf", b"opml"})
_PROLOG = re.compile(rb"\s+|\xef\xbb\xbf|<\?[^>]*>|<!--.*?-->|<!DOCTYPE[^>]*>", re.S | re.I)
_TAG_NAME = re.compile(rb"<([A-Za-z][\w:.-]*)")

# News pages hold a few thousand elements; a hostile or broken page with hundreds of
# thousands would cost seconds of CPU per megabyte.
MAX_ELEMENTS = 50_000

__all__ = ["extract"]


def extract(
    body: bytes,
    url: str,
    *,
    fetched_at: datetime | None = None,
    channel_hosts: Iterable[str] = (),
    content_type: str | None = None,
    pages: Sequence[Part] = (),
) -> dict:
    """Extract the normalized item of one page.

    ``fetched_at`` anchors relative dates ("1 jam yang lalu") and the future-date check;
    ``channel_hosts`` adds hosts (such as a local mirror) whose ``/channel/<ID>`` pages and
    links count as WhatsApp channels; ``content_type`` is the HTTP header, for the charset.
    ``pages``: a multi-page article's later pages in order, or its show-all view, as
    ``(body, url, content_type)``; the item joins their text to page 1's. Without them a
    later page is not an item of its own (a show-all view alone is the whole article).
    """
    now = (fetched_at or datetime.now(WIB)).astimezone(WIB)
    try:
        return _extract(body, url, now, frozenset(channel_hosts) | WHATSAPP_HOSTS, content_type,
                        pages)
    except Exception as exc:  # never raise: a bad page is a counted rejection, not a crash
        return _rejected(url, now, f"extraction error: {type(exc).__name__}: {exc}")


def first_tag(head: bytes) -> bytes | None:
    """The name of the document's first element, lower-cased, after the BOM, white space,
    XML declaration, comments and doctype (skipped one at a time: one regex over a run of
    comments backtracks exponentially when it fails)."""
    pos = 0
    while True:
        match = _PROLOG.match(head, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
    match = _TAG_NAME.match(head, pos)
    return match.group(1).lower() if match else None


def _rejected(url: str, now: datetime, reason: str) -> dict:
    return Rejected(url=url, reason=reason, crawled_at=to_iso(now)).to_dict()


def _extract(body: bytes, url: str, now: datetime, channel_hosts: frozenset[str],
             content_type: str | None, pages: Sequence[Part]) -> dict:
    if not isinstance(body, (bytes, bytearray)):
        return _rejected(url, now, "not bytes")
    body = narrow(bytes(body), content_type)
    head = body[:2048]
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if controls > len(head) // 50 or (head.strip() and b"<" not in head):
        return _rejected(url, now, "not an HTML page")  # text has no control bytes; binary does
    root_tag = first_tag(head)
    if root_tag in XML_ROOTS:
        return _rejected(url, now, f"not an HTML page: XML <{root_tag.decode()}>")
    try:
        doc = Document(body, url, content_type)
    except EmptyDocument as exc:
        return _rejected(url, now, str(exc))
    size = sum(1 for _ in doc.root.iter())
    if size > MAX_ELEMENTS:  # extraction time grows with the tree; no article is this big
        return _rejected(url, now, f"too many elements for an article page ({size})")
    visible = norm(text_of(doc.root)) if len(body) < 20000 else ""
    if visible and len(visible) < 1500 and BLOCK_MARKERS.search(f"{doc.title} {visible}"):
        return _rejected(url, now, "blocked: WAF or captcha page")
    h1 = doc.root.find(".//h1")
    if SOFT_404.search(doc.title) or (h1 is not None and SOFT_404.search(norm(text_of(h1)))):
        return _rejected(url, now, "soft 404: page says not found")
    parts = urlsplit(url)
    if CHANNEL_ID_RE.search(parts.path) and (
            parts.netloc.lower() in channel_hosts
            or host_key(parts.netloc) in {host_key(h) for h in channel_hosts}):
        try:
            return WhatsAppChannel(**extract_channel(doc, url), crawled_at=to_iso(now)).to_dict()
        except NotAChannel as exc:
            return _rejected(url, now, str(exc))
    pager = None if pages else pagination(doc.root, url)
    if pager is not None and pager.number not in (1, ALL):  # a show-all view is the article
        return _rejected(url, now, f"not an article: page {pager.number} of a multi-page "
                                   f"article (its first page: {pager.first})")
    try:
        fields = extract_article(doc, url, now, channel_hosts)
    except NotAnArticle as exc:
        return _rejected(url, now, f"not an article: {exc}")
    fields = join_pages(fields, pages) if pages else {**fields, "pages": [url]}
    return Article(**fields, crawled_at=to_iso(now)).to_dict()
