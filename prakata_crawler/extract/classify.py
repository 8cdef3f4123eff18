"""Is this page an article? Separate from *where* its text is (maintext.py).

A page with a main text of prose is an article unless it is clearly something else, and
each "something else" has its own test and its own reason:

- a later page of a multi-page article (its URL says ``?page=2``);
- a login or sign-up wall (a password form and next to no text);
- a listing: teasers (maintext.py) and little text of its own (home, section, tag,
  search and index pages), unless the page's markup says it is one article or video;
- a section or static page by its URL (``/kategori/``, ``/tag/``, ``/redaksi``, ...) with
  no article markup and a short text: the URL alone never rejects a page with an article's
  structured data or a real main text;
- no main text: a body shorter than a paragraph in a page that shows more (site chrome
  around an empty article); a short text of three words or more that is all the page
  shows is its article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .text import norm, text_of

PAGE_PARAM = re.compile(r"(?:^|&)(?:page|halaman|hal)=(\d{1,9})(?:&|$)", re.I)
# Listing and static pages of news CMSes. Deliberately not "/", "/page/", "/about" or
# "/index": real articles live under such paths on some sites.
NON_ARTICLE_PATH = re.compile(
    r"^/(?:kategori|category|categories|tag|tags|topik|topic|search|cari|login|masuk|"
    r"register|daftar|bookmark|author|penulis|indeks|feed|rss|redaksi|kontak|contact|"
    r"pedoman|privacy|kebijakan)(?:/|$|\?)", re.I)
NO_BODY = "no article body"
LOGIN = "login or sign-up page"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MIN_BODY_CHARS = 100  # one real paragraph; CJK text counts double (no spaces, dense)
SHORT_STATIC_CHARS = 2000  # a static page's text (contact, policy) is short
LISTING_TEXT = 1000  # beside teasers, a page with less text of its own is a listing


def later_page(url: str) -> int | None:
    """N when ``url`` is page N >= 2 of a multi-page article (``?page=2``, ``?halaman=3``):
    page 1 is the article; later pages are archived but are not articles of their own."""
    match = PAGE_PARAM.search(urlsplit(url).query)
    return int(match.group(1)) if match and int(match.group(1)) >= 2 else None


def text_size(text: str) -> int:
    """Characters, with CJK characters counted twice: a CJK sentence says in 40
    characters what an alphabetic one says in 80."""
    return len(text) + len(_CJK.findall(text)) if not text.isascii() else len(text)


def count_words(text: str) -> int:
    """Words separated by white space, each CJK character a word of its own."""
    if text.isascii():
        return len(text.split())
    cjk = len(_CJK.findall(text))
    return len(_CJK.sub(" ", text).split()) + cjk


def url_verdict(url: str) -> str | None:
    """What the URL alone settles, before any work on the page."""
    page = later_page(url)
    return f"page {page} of a multi-page article" if page else None


@dataclass
class PageFacts:
    """What the verdict looks at: the main text found (teasers set aside), the URL, the
    page's markup and what it shows in all."""

    body: str
    url: str
    has_article_markup: bool = False
    teasers: list = field(default_factory=list)  # maintext.teaser_units
    page_chars: int | None = None  # all the text the page shows
    has_password_form: bool = False


def page_verdict(page: PageFacts) -> str | None:
    """Why the page is not an article, or None when it is one."""
    body = page.body
    size = text_size(body)
    if page.has_password_form and size < 500 and not page.has_article_markup:
        return LOGIN
    if not page.has_article_markup and size < LISTING_TEXT and page.teasers:
        teaser_text = [norm(text_of(unit)) for unit in page.teasers]
        if len(page.teasers) >= 2 and size < sum(map(len, teaser_text)) / 2:
            return f"listing: {len(page.teasers)} teasers and little running text"
        inside = sum(len(p) for p in body.split("\n\n") if any(p in t for t in teaser_text))
        if body and inside >= 0.6 * len(body):  # one card: a listing's last page
            return f"listing: the text is a teaser of {len(page.teasers)} other page(s)"
    if NON_ARTICLE_PATH.search(urlsplit(page.url).path) and not page.has_article_markup \
            and size < SHORT_STATIC_CHARS:
        return "section or static page (by its URL, no article markup)"
    if size < MIN_BODY_CHARS and not (count_words(body) >= 3 and page.page_chars is not None
                                      and page.page_chars <= 1.5 * len(body)):
        return NO_BODY  # a short text is the article only when it is all the page shows
    return None
