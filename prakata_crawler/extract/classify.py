"""Is this page an article? Separate from *where* its text is (maintext.py).

A page with a main text of prose is an article unless it is clearly something else, and
each "something else" has its own test and its own reason:

- a later page of a multi-page article (its URL says ``?page=2``);
- a login or sign-up wall (a password form and next to no text);
- a listing: the page's text is mostly teasers, units of one linked heading each (home,
  section, tag, search and index pages);
- a section or static page by its URL (``/kategori/``, ``/tag/``, ``/redaksi``, ...) with
  no article markup and a short text: the URL alone never rejects a page with an article's
  structured data or a real main text;
- no main text at all.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .text import norm, text_of

PAGE_PARAM = re.compile(r"(?:^|&)(?:page|halaman|hal)=(\d+)(?:&|$)", re.I)
# Listing and static pages of news CMSes. Deliberately not "/", "/page/", "/about" or
# "/index": real articles live under such paths on some sites.
NON_ARTICLE_PATH = re.compile(
    r"^/(?:kategori|category|categories|tag|tags|topik|topic|search|cari|login|masuk|"
    r"register|daftar|bookmark|author|penulis|indeks|feed|rss|redaksi|kontak|contact|"
    r"pedoman|privacy|kebijakan)(?:/|$|\?)", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MIN_BODY_CHARS = 100  # one real paragraph; CJK text counts double (no spaces, dense)
SHORT_STATIC_CHARS = 2000  # a static page's text (contact, policy) is short
MAX_TEASER_CHARS = 1000  # a unit with more text than this is a full post, not a teaser
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


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


def page_verdict(root, body: str, url: str, has_article_markup: bool) -> str | None:
    """Why the page is not an article, or None when it is one.

    ``root`` is the cleaned tree (chrome stripped), ``body`` the main text found in it."""
    size = text_size(body)
    if root.find(".//input[@type='password']") is not None and size < 500:
        return "login or sign-up page"
    units, covered = _teaser_units(root, body)
    if units >= 2 and covered >= 0.6 * max(size, 1):
        return f"listing: {units} teasers and little running text"
    if NON_ARTICLE_PATH.search(urlsplit(url).path) and not has_article_markup \
            and size < SHORT_STATIC_CHARS:
        return "section or static page (by its URL, no article markup)"
    if size < MIN_BODY_CHARS:
        return "no article body"
    return None


def _linked_headings(root) -> list:
    """Headings that are links (a teaser's title): the link holds the heading's text,
    or the heading sits inside the link."""
    found = []
    for heading in root.iter(*_HEADINGS):
        text = norm(text_of(heading))
        if len(text) < 10:
            continue
        parent = heading.getparent()
        if parent is not None and (parent.tag == "a" or (
                parent.getparent() is not None and parent.getparent().tag == "a")):
            found.append(heading)
            continue
        linked = sum(len(norm(text_of(a))) for a in heading.iter("a") if a.get("href"))
        if linked >= 0.7 * len(text):
            found.append(heading)
    return found


def _teaser_units(root, body: str) -> tuple[int, int]:
    """``(units, chars)``: teaser units (the largest box around one linked heading and no
    other) whose text is short, and how much of the main text they hold."""
    headings = _linked_headings(root)
    if len(headings) < 2:
        return 0, 0
    owner: dict = {}  # element -> number of linked headings inside it
    for heading in headings:
        for ancestor in heading.iterancestors():
            owner[ancestor] = owner.get(ancestor, 0) + 1
    units = []
    for heading in headings:
        unit = heading
        for ancestor in heading.iterancestors():
            if owner[ancestor] > 1:
                break
            unit = ancestor
        text = norm(text_of(unit))
        if len(text) <= MAX_TEASER_CHARS:
            units.append(text)
    joined = "\n".join(units)
    return len(units), sum(len(p) for p in body.split("\n\n") if p and p in joined)
