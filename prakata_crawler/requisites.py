"""Page requisites: the images, stylesheets, scripts, fonts and icons a page needs to be
shown as its reader saw it, and which of them the crawler may fetch.

Discovery reads what a browser would load without running a script: ``img`` ``src``,
``srcset`` and the lazy-loading attributes (``data-src``, ``data-srcset``, ...), ``picture``
``source``, ``amp-img``, ``og:image``/``twitter:image``, ``link rel=stylesheet|icon|preload``,
``script src``, ``video``/``audio`` sources and posters, and ``url(...)``/``@import`` in
stylesheets and ``style`` attributes, all resolved against the page's ``<base>``.

Scope is an allow-list like the crawl's own: the site's host, hosts of the same registrable
domain (``cdn.`` and ``img.`` subdomains, never an IP address), hosts named in
``PRAKATA_REQUISITE_HOSTS``, and for a channel page its avatar host
(``PRAKATA_CHANNEL_ASSET_HOSTS``). Ads, analytics and trackers are never fetched, in scope
or not (``DENIED_HOSTS``, ``DENIED_PATHS``). Pure functions: no Scrapy here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from lxml import etree

from .urls import fetch_netloc, in_scope, safe_join, site_domain

IMAGE, STYLE, SCRIPT, FONT, ICON, MEDIA, OTHER = (
    "image", "style", "script", "font", "icon", "media", "other")
KINDS = (IMAGE, STYLE, SCRIPT, FONT, ICON, MEDIA, OTHER)
IN, OUT, DENIED = "in", "out", "denied"

# Ad, analytics and tracking hosts (and all their subdomains): never fetched.
DENIED_HOSTS = frozenset({
    "googletagmanager.com", "google-analytics.com", "analytics.google.com",
    "doubleclick.net", "googlesyndication.com", "googleadservices.com",
    "adservice.google.com", "googletagservices.com", "facebook.net", "scorecardresearch.com",
    "quantserve.com", "chartbeat.com", "chartbeat.net", "hotjar.com", "taboola.com",
    "outbrain.com", "criteo.com", "criteo.net", "amazon-adsystem.com", "adnxs.com",
    "pubmatic.com", "rubiconproject.com", "openx.net", "casalemedia.com", "mgid.com",
    "mc.yandex.ru", "clarity.ms", "nr-data.net", "cloudflareinsights.com", "statcounter.com",
    "histats.com", "onesignal.com", "adskeeper.com", "revcontent.com", "teads.tv",
    "smartadserver.com", "innity.com", "innity.net", "yieldlove.com", "the-ozone-project.com",
})
# Paths that are ads or measurement whatever host serves them.
DENIED_PATHS = re.compile(
    r"(?:^|/)(?:ads?|adserver|adsbygoogle(?:\.js)?|pagead|gtag|gtm\.js|analytics(?:\.js)?|"
    r"pixel(?:\.gif|\.png)?|beacon|tracking|tracker)(?:/|\.|$|\?)", re.I)

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(['"])([^'"]+)\1""", re.I)
_FONT_EXT = re.compile(r"\.(?:woff2?|ttf|otf|eot)(?:$|[?#])", re.I)
_IMAGE_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|ico)(?:$|[?#])", re.I)
_MEDIA_EXT = re.compile(r"\.(?:mp4|webm|ogv|mov|m4v|mp3|ogg|oga|wav|m4a)(?:$|[?#])", re.I)
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_LAZY = ("src", "data-src", "data-lazy-src", "data-original", "data-lazy", "data-echo")
_LAZY_SETS = ("srcset", "data-srcset", "data-lazy-srcset")
_ICON_RELS = frozenset({"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed",
                        "mask-icon"})
_PRELOAD_KINDS = {"style": STYLE, "script": SCRIPT, "font": FONT, "image": IMAGE}
# The elements that can load something: by tag (lxml's iter() filters in C), then the ones
# with a style or background attribute.
_TAGS = ("img", "amp-img", "source", "image", "input", "video", "audio", "script", "link",
         "meta", "style")
_STYLED = etree.XPath("//*[@style or @background]", smart_strings=False)
_META_IMAGES = frozenset({"og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                          "twitter:image:src"})


def _srcset(value: str) -> list[str]:
    """Every candidate URL of a ``srcset`` (a browser picks one by screen; all are kept)."""
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _kind_of(url: str, default: str) -> str:
    path = urlsplit(url).path
    if _FONT_EXT.search(path):
        return FONT
    if _MEDIA_EXT.search(path):
        return MEDIA
    if default == OTHER and _IMAGE_EXT.search(path):
        return IMAGE
    return default


def html_requisites(root, url: str) -> list[tuple[str, str]]:
    """``(absolute URL, kind)`` of everything the page at ``url`` loads, in document order,
    each once, then the images its JSON-LD names (an item's ``image_url`` may come from
    there); ``root`` is the parsed page (an lxml tree)."""
    base_el = root.find(".//base[@href]")
    base = safe_join(url, base_el.get("href")) if base_el is not None else url
    base = base or url
    found: dict[str, str] = {}

    def add(href: str | None, kind: str) -> None:
        href = (href or "").strip()
        if not href or href.startswith(("data:", "blob:", "javascript:", "about:", "#")):
            return
        absolute = safe_join(base, href)
        if absolute and urlsplit(absolute).scheme in {"http", "https"}:
            found.setdefault(absolute.split("#", 1)[0], _kind_of(absolute, kind))

    structured = []
    for el in root.iter(*_TAGS):
        tag = el.tag
        if tag in {"img", "amp-img", "source", "image", "input"}:
            media = tag == "source" and el.getparent() is not None and \
                el.getparent().tag in {"video", "audio"}
            for name, value in el.items():
                if name in _LAZY:
                    add(value, MEDIA if media else IMAGE)
                elif name in _LAZY_SETS:
                    for candidate in _srcset(value):
                        add(candidate, IMAGE)
                elif tag == "image" and name in {"href", _XLINK_HREF}:  # SVG <image>
                    add(value, IMAGE)
        elif tag in {"video", "audio"}:
            add(el.get("src"), MEDIA)
            add(el.get("poster"), IMAGE)
        elif tag == "script":
            if (el.get("type") or "").strip().lower() == "application/ld+json":
                structured.append(el.text or "")
            else:
                add(el.get("src"), SCRIPT)
        elif tag == "link":
            rels = set((el.get("rel") or "").lower().split())
            href = el.get("href")
            if "stylesheet" in rels:
                add(href, STYLE)
            elif rels & _ICON_RELS:
                add(href, ICON)
            elif "preload" in rels or "modulepreload" in rels:
                add(href, _PRELOAD_KINDS.get((el.get("as") or "").lower(), SCRIPT
                                             if "modulepreload" in rels else OTHER))
        elif tag == "meta":
            key = (el.get("property") or el.get("name") or "").lower()
            if key in _META_IMAGES:
                add(el.get("content"), IMAGE)
        elif tag == "style":
            for href, kind in css_requisites(el.text or "", base):
                add(href, kind)
    for el in _STYLED(root):
        if el.tag in {"body", "table", "td", "th"} and el.get("background"):
            add(el.get("background"), IMAGE)
        style = el.get("style")
        if style and "url(" in style:
            for href, kind in css_requisites(style, base):
                add(href, kind)
    for text in structured:
        for href in _jsonld_images(text):
            add(href, IMAGE)
    return list(found.items())


def _jsonld_images(text: str) -> list[str]:
    """``image`` and ``thumbnailUrl`` values anywhere in a JSON-LD block (a string, an
    ImageObject's ``url``/``contentUrl``, or a list of those)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found: list[str] = []
    stack, visited = [data], 0
    while stack and visited < 2000:  # a hostile block may nest without end
        node = stack.pop()
        visited += 1
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            for key in ("image", "thumbnailUrl"):
                value = node.get(key)
                for candidate in value if isinstance(value, list) else [value]:
                    if isinstance(candidate, str):
                        found.append(candidate)
                    elif isinstance(candidate, dict):
                        href = candidate.get("url") or candidate.get("contentUrl")
                        if isinstance(href, str):
                            found.append(href)
            stack.extend(reversed([v for k, v in node.items()
                                   if k not in {"image", "thumbnailUrl"}
                                   and isinstance(v, (dict, list))]))
    return found


def css_requisites(text: str, url: str) -> list[tuple[str, str]]:
    """``(absolute URL, kind)`` of what a stylesheet at ``url`` loads: ``@import``ed
    stylesheets, then fonts and images in ``url(...)``."""
    found: dict[str, str] = {}
    imports = {match.group(2) for match in _CSS_IMPORT.finditer(text)}
    for href in [m.group(2) for m in _CSS_IMPORT.finditer(text)] + \
            [m.group(2) for m in _CSS_URL.finditer(text)]:
        if href.startswith(("data:", "#", "about:")):
            continue
        absolute = safe_join(url, href)
        if absolute and urlsplit(absolute).scheme in {"http", "https"}:
            found.setdefault(absolute, STYLE if href in imports else _kind_of(absolute, IMAGE))
    return list(found.items())


def denied(url: str) -> bool:
    """An ad, analytics or tracking resource."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    if any(".".join(labels[i:]) in DENIED_HOSTS for i in range(len(labels) - 1)):
        return True
    return bool(DENIED_PATHS.search(parts.path))


def scope(url: str, site: str, hosts: Iterable[str] = ()) -> str:
    """``IN`` when the requisite may be fetched, ``DENIED`` for ads and trackers, ``OUT``
    for anything else (another site, a non-HTTP scheme, a host parsers read two ways).

    ``hosts``: extra allowed hosts (``PRAKATA_REQUISITE_HOSTS``; a channel page's avatar
    host). Hosts of the site's registrable domain count only as names, never as addresses
    (an IP literal must be the site's own netloc)."""
    netloc = fetch_netloc(url)
    if netloc is None:
        return OUT
    if denied(url):
        return DENIED
    if in_scope(url, site, hosts):
        return IN
    host = urlsplit(url).hostname or ""
    site_netloc = fetch_netloc(site) or ""
    if _is_name(host) and _is_name(urlsplit(site).hostname or "") and \
            site_domain(netloc) == site_domain(site_netloc):
        return IN
    return OUT


def _is_name(host: str) -> bool:
    """A DNS name, not an address or ``localhost``."""
    return bool(host) and "." in host and not host.replace(".", "").isdigit() and ":" not in host
