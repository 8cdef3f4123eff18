"""The headline: the article's own heading, never the site's name.

In order: the ``<h1>`` (or, when the ``<h1>`` is the logo, an ``<h2>``/``<h3>``) that best
matches one of the page's titles (JSON-LD ``headline`` and ``name``, ``og:title``,
``<title>``); else JSON-LD ``headline``, ``og:title``, ``twitter:title``, ``<title>``, each
cleaned of the site's name printed before or after it ("Prakata.com - ...",
"... | Kompas.com", "..._科技_腾讯网").
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..urls import site_domain
from . import sites
from .document import Document, node_types
from .structured import text_value
from .text import norm, text_of

# Separators between a headline and a site's name in titles: spaced dashes and bars,
# " :: ", " · ", " » ", and CJK sites' underscores.
_SEPARATOR = re.compile(r"(\s+[|\-–—·»:]{1,2}\s+|\s*\|\s*|_(?=\S))")
_MIN_MATCH = 0.5  # share of a title's words a heading must hold to be the headline


def site_names(doc: Document, url: str) -> set[str]:
    """What the site calls itself, normalized: ``og:site_name``, ``application-name``,
    the JSON-LD publisher and WebSite names, and the host's own name (``prakata``)."""
    names = {doc.meta_first("og:site_name"), doc.meta_first("application-name"),
             doc.meta_first("apple-mobile-web-app-title")}
    for node in doc.jsonld:
        if "WebSite" in node_types(node) or "Organization" in node_types(node):
            names.add(text_value(node.get("name")))
        publisher = node.get("publisher")
        if isinstance(publisher, dict):
            names.add(text_value(publisher.get("name")))
    host = site_domain(urlsplit(url).netloc) if url else ""
    names.update({host, host.split(".")[0]})
    # a "site name" of many words is a page's title put in the wrong field
    return {_key(name) for name in names if name and _key(name) and len(name.split()) <= 5}


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _is_site_name(segment: str, names: set[str]) -> bool:
    key = _key(segment)
    return bool(key) and any(key == name or (len(name) >= 4 and name in key and len(key) <= 2
                                             * len(name) + 8) for name in names)


def clean_title(title: str | None, names: set[str], trust_shape: bool = False) -> str | None:
    """``title`` without the site's name printed before or after it. ``trust_shape``
    also drops a short last segment (``... – My website``) when no name is known to
    match: only for the ``<title>`` of a page that has no better headline."""
    title = sites.strip_title_suffix(title)
    if not title:
        return None
    parts = _SEPARATOR.split(title)
    segments, separators = parts[::2], parts[1::2]
    while len(segments) > 1 and _is_site_name(segments[-1], names):
        segments, separators = segments[:-1], separators[:-1]
    while len(segments) > 1 and _is_site_name(segments[0], names):
        segments, separators = segments[1:], separators[1:]
    if trust_shape and len(segments) > 1 and len(segments[-1].split()) <= 3 \
            and len(" ".join(segments[:-1]).split()) >= 3 and "_" not in separators[-1]:
        segments, separators = segments[:-1], separators[:-1]
    cleaned = segments[0] + "".join(
        sep + seg for sep, seg in zip(separators, segments[1:], strict=True))
    return norm(cleaned) or None


def find_headline(doc: Document, node: dict, url: str, root=None):
    """``(element, text)``: the headline element (or None) and the headline text."""
    root = doc.root if root is None else root
    names = site_names(doc, url)
    titles = [text_value(node.get("headline")), text_value(node.get("name")),
              clean_title(doc.meta_first("og:title"), names),
              clean_title(doc.meta_first("twitter:title"), names)]
    titles = [title for title in titles if title and not _is_site_name(title, names)]
    page_title = clean_title(doc.title, names)
    branded = page_title != sites.strip_title_suffix(doc.title)  # the site's name was cut off
    if page_title and _is_site_name(page_title, names):
        page_title = None
    element = _heading(root, titles + [page_title], names)
    if element is None and not titles and (page_title is None or branded and len(
            page_title.split()) <= 4):
        # the <title> is the site's name, or its name and a tagline: the page's h1 wins
        element = next((h for h in root.iter("h1") if norm(text_of(h))
                        and not _is_site_name(norm(text_of(h)), names)), None)
    if element is not None:
        return element, norm(text_of(element))
    return None, titles[0] if titles else clean_title(doc.title, names, trust_shape=True)


def _heading(root, references: list, names: set[str]):
    """The heading that holds most of one of the ``references``' words."""
    headings = [h for h in root.iter("h1") if norm(text_of(h))
                and not _is_site_name(norm(text_of(h)), names)]
    references = [ref for ref in references if ref]
    if not references:
        return headings[0] if headings else None
    word_sets = [set(ref.lower().split()) for ref in references]

    def match(el) -> float:
        words = set(norm(text_of(el)).lower().split())
        return max(len(words & ref) / max(len(ref), 1) for ref in word_sets)

    for candidates in (headings, [h for h in root.iter("h2", "h3") if norm(text_of(h))]):
        best = max(candidates, key=match, default=None)
        if best is not None and match(best) >= _MIN_MATCH:
            return best
    return None
