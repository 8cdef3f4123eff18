"""The structured-data layer: JSON-LD (``@graph`` too) and ``og:``/``article:`` meta.

Publishers fill these for search engines, so they are the most stable source of dates,
section, tags and authors when the visible layout changes.
"""

from __future__ import annotations

from .document import Document, node_types
from .text import dedupe, norm

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle",
                           "AnalysisNewsArticle", "OpinionNewsArticle", "BackgroundNewsArticle",
                           "LiveBlogPosting", "Report", "TechArticle", "SatiricalArticle"})

def article_node(doc: Document) -> dict | None:
    """The JSON-LD node describing the article, if any."""
    for node in doc.jsonld:
        if node_types(node) & ARTICLE_TYPES:
            return node
    return None


def text_value(value) -> str | None:
    """A plain string from a JSON-LD value that may be a string, list or object."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("url") or value.get("@id")
    if isinstance(value, (int, float)):
        value = str(value)
    return norm(value) or None if isinstance(value, str) else None


def image_value(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def person_names(value, publisher: str | None = None, organisations: bool = False) -> list[str]:
    """Names of Person authors; organisations are not authors (``organisations=True``
    takes them too, the publisher never)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            if not organisations and node_types(item) & {
                    "Organization", "NewsMediaOrganization", "Corporation"}:
                continue
            name = text_value(item.get("name"))
        else:
            name = text_value(item)
        if not name or name.startswith(("http://", "https://")):
            continue
        if publisher and name.lower() == publisher.lower():
            continue
        names.append(name)
    return dedupe(names)


def keywords(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return dedupe(norm(v) for v in value if isinstance(v, str))


def breadcrumb_section(doc: Document, headline: str | None, url: str) -> str | None:
    """The breadcrumb item before the article itself (JSON-LD BreadcrumbList)."""
    for node in doc.jsonld:
        if "BreadcrumbList" not in node_types(node):
            continue
        items = node.get("itemListElement")
        if not isinstance(items, list):
            continue
        names = []
        for item in sorted((i for i in items if isinstance(i, dict)),
                           key=lambda i: _position(i.get("position"))):
            name = text_value(item.get("name")) or text_value(item.get("item"))
            target = item.get("item")
            target = target.get("@id") if isinstance(target, dict) else target
            if name:
                names.append((name, target))
        if names and (names[-1][0] == headline or names[-1][1] == url) or len(names) > 2:
            names = names[:-1]
        if len(names) >= 2:
            return names[-1][0]
    return None


def _position(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
