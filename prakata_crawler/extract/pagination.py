"""Which pages make up a multi-page article, read from the page's own markup (pure).

Portals split long stories: ``?page=2`` (Tribun, Kompas), ``/slug/2/`` (WordPress
``<!--nextpage-->``, tagDiv), ``?halaman=3``, each page with a block of "Halaman 1 2 3
Selanjutnya" links and often ``rel=prev``/``rel=next``; some offer a "Tampilkan semua" view
of every page at once. A page belongs to such an article only when it says it is one
article (JSON-LD Article, ``og:type`` article, ``article:published_time``): a section
page's ``?page=2`` is a listing's pagination, walked by the spider, never merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from ..urls import safe_join
from .classify import NON_ARTICLE_PATH
from .text import norm, text_of

PAGE_KEYS = frozenset({"page", "halaman", "hal", "pg"})  # not "p": WordPress's post ID
ALL_VALUES = frozenset({"all", "semua"})
ALL_KEYS = frozenset({"single", "showall", "show_all", "all", "full"})
ALL_FLAGS = frozenset({"1", "true", "yes", "all", "semua"})
PATH_TAIL = re.compile(r"/(\d{1,3}|all|semua)(/?)$", re.I)  # /slug/2/, /slug/all; after a slug
LETTER = re.compile(r"[A-Za-z]")
NEXT_LABEL = re.compile(
    r"^(?:halaman\s+)?(?:selanjutnya|berikutnya|lanjut(?:kan)?|next)\b|^[»›>]+$", re.I)
PAGE_LABEL = re.compile(r"^(?:(?:halaman|hal\.?|page)\s*)?\d{1,3}$|^(?:halaman\s+)?(?:sebelumnya|"
                        r"selanjutnya|berikutnya|lanjut(?:kan)?|next|prev(?:ious)?|pertama|"
                        r"terakhir|first|last)\b|^[«»‹›<>]+$", re.I)
SHOW_ALL_LABEL = re.compile(r"tampilkan\s+semua|lihat\s+semua(?:\s+halaman)?$|semua\s+halaman|"
                            r"baca\s+(?:dalam\s+)?satu\s+halaman|single\s+page|show\s+all|"
                            r"view\s+all", re.I)
ARTICLE_TYPES = re.compile(rb'"@type"\s*:\s*(?:\[[^\]]*)?"(?:News|Reportage|Analysis|Opinion|'
                           rb'Report|Review|Satirical|Scholarly|Tech)?(?:Article|BlogPosting)"')
ALL = 0  # the page number of a show-all view
# Links that can point to another page of the article: the slug in them, or relative
# ("?page=2", "2/"); filtered in C, a page has hundreds of other links.
_CANDIDATES = etree.XPath(
    "//a[@href][contains(@href, $slug) or not(starts-with(@href, 'http') or "
    "starts-with(@href, '/'))] | //link[@href][contains(' next prev ', concat(' ', @rel, ' '))]")


@dataclass(frozen=True)
class Pagination:
    """What one page of a multi-page article says about the article's pages."""

    first: str  # page 1's URL
    number: int  # this page's number; ALL for a show-all view
    pages: dict[int, str] = field(default_factory=dict)  # page number -> URL, as linked
    next: str | None = None  # the page after this one
    show_all: str | None = None  # a view of every page at once

    @property
    def later(self) -> bool:
        """A later page or the show-all view: part of an article, never one of its own."""
        return self.number != 1


def page_of(url: str) -> tuple[str, int | None]:
    """``(key, number)``: the article's URL without its page marker (lower-cased host, no
    trailing slash, other query parameters kept) and the page number it marks: None for
    no marker (page 1), ALL for a show-all view."""
    parts = urlsplit(url)
    number: int | None = None
    others = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        name, value_l = key.lower(), value.lower()
        if name in PAGE_KEYS and (value.isdigit() or value_l in ALL_VALUES):
            number = int(value) if value.isdigit() else ALL
        elif name in ALL_KEYS and value_l in ALL_FLAGS:
            number = ALL
        else:
            others.append((key, value))
    path = parts.path
    if number is None and (tail := _path_page(path)):
        path, number = tail[0], tail[1]
    if number == 1:
        number = None
    key = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path.rstrip("/") or "/",
                      urlencode(others), ""))
    return key, number


def is_article_markup(root) -> bool:
    """The page says it is one article: a JSON-LD Article node, ``og:type`` article or an
    ``article:published_time``."""
    for meta in root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name == "og:type" and (meta.get("content") or "").strip().lower() == "article":
            return True
        if name == "article:published_time" and (meta.get("content") or "").strip():
            return True
    for script in root.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text and \
                ARTICLE_TYPES.search(script.text.encode("utf-8", "replace")):
            return True
    return False


def pagination(root, url: str) -> Pagination | None:
    """The multi-page article ``url`` is a page of, from the links on the page (the "Halaman
    1 2 3" block, ``rel=prev/next``, "Selanjutnya", "Tampilkan semua") to other pages of the
    same URL; None for a page that is not one (a single-page article, any listing)."""
    key, number = page_of(url)
    slug = key.rsplit("/", 1)[-1].split("?", 1)[0]
    if not slug or NON_ARTICLE_PATH.match(urlsplit(key).path) or not is_article_markup(root):
        return None
    pages: dict[int, str] = {}
    labelled_next = show_all = None
    first = None
    for el in _CANDIDATES(root, slug=slug):
        href = el.get("href")
        rel = (el.get("rel") or "").lower().split()
        target = safe_join(url, href)
        if target is None:
            continue
        target = target.split("#", 1)[0]
        other_key, other = page_of(target)
        if other_key != key or target == url.split("#", 1)[0]:
            continue
        label = norm(text_of(el)) if el.tag == "a" else ""
        if other == ALL or SHOW_ALL_LABEL.search(label):
            show_all = show_all or target
            continue
        if not (rel or PAGE_LABEL.search(label)):
            continue  # a link to the article itself (breadcrumb, share, headline)
        if other is None:
            first = first or target
            continue
        pages.setdefault(other, target)
        if ("next" in rel or NEXT_LABEL.search(label)) and other != number:
            labelled_next = labelled_next or target
    if not pages and not show_all and not (number and first) and number != ALL:
        return None  # (a show-all view says what it is in its URL; it need link nothing)
    if number is None:
        number, first = 1, url
    elif first is None:
        first = _first_url(url)
    nxt = pages.get(number + 1) if number != ALL else None
    if number != ALL and nxt is None and labelled_next:
        nxt = labelled_next
    if first is not None:
        pages[1] = first
    return Pagination(first=first, number=number, pages=dict(sorted(pages.items())), next=nxt,
                      show_all=show_all)


def _first_url(url: str) -> str:
    """Page 1's URL when no link names it: the URL without its page marker."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if k.lower() not in PAGE_KEYS | ALL_KEYS]
    path = parts.path
    if len(query) == len(pairs) and (tail := _path_page(path)):  # the marker is in the path
        path = tail[0] + tail[2]
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def _path_page(path: str) -> tuple[str, int, str] | None:
    """``(path before, number, trailing slash)`` for ``/slug/2/`` or ``/slug/all``; None when
    the number does not follow a slug (``/2025/12/01`` is a date)."""
    match = PATH_TAIL.search(path)
    if not match:
        return None
    before = path[:match.start()]
    if not LETTER.search(before.rsplit("/", 1)[-1]):
        return None
    value = match.group(1)
    return before, int(value) if value.isdigit() else ALL, match.group(2)
