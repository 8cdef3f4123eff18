"""URL canonicalization shared by extraction and the spider.

One article must be fetched and emitted once whatever form a link takes (scheme, ``www.``,
tracking parameters, ``?m=1``, fragments, AMP twins), so every component compares URLs
through :func:`canonicalize`. Pure functions, no Scrapy.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "amp"}
)
WHATSAPP_HOSTS = frozenset({"whatsapp.com", "www.whatsapp.com"})
CHANNEL_ID_RE = re.compile(r"/channel/([A-Za-z0-9]{20,32})(?=$|[/?#])")
CANONICAL_CHANNEL = "https://www.whatsapp.com/channel/{}"
_AMP_PATH_RE = re.compile(r"^/amp(?=/)|/amp/?$")


def _is_tracking(key: str, value: str) -> bool:
    key = key.lower()
    if key == "m":  # Blogger's mobile switch ``?m=1``/``?m=0``
        return value in {"0", "1"}
    return key.startswith("utm_") or key in TRACKING_PARAMS


def safe_join(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, or None when it is not a parseable URL (pages
    carry links such as ``http://[broken/``: one must never cost the whole page)."""
    if not href:
        return None
    href = href.strip()
    if (href.startswith("/") and not href.startswith("//")) or _WITH_HOST.match(href):
        # depends on the base's scheme and host only: every page's menus and sidebars
        # repeat the same links, and urljoin was a tenth of a crawl's CPU
        start = base.find("//") + 2
        end = base.find("/", start) if start > 1 else -1
        return _join(base if end < 0 else base[:end], href)
    return _join(base, href)


_WITH_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#\\]")


@lru_cache(maxsize=16384)
def _join(base: str, href: str) -> str | None:
    try:
        url = urljoin(base, href)
        urlsplit(url)
    except ValueError:
        return None
    return url


def host_key(netloc: str) -> str:
    """Host (with port) lower-cased and without ``www.``: the identity of a site."""
    netloc = netloc.lower().rsplit("@", 1)[-1]
    return netloc[4:] if netloc.startswith("www.") else netloc


def canonicalize(url: str, base: str | None = None) -> str:
    """Return the canonical form of ``url`` (resolved against ``base``).

    Lower-cases scheme and host, drops the fragment, tracking parameters and the default
    port, removes an AMP ``/amp`` path marker, and sorts nothing else: the path and the
    remaining query are kept as the site wrote them. Never raises: a string urllib cannot
    split (``http://[broken``) is returned stripped, so it only ever equals itself.
    """
    try:
        if base:
            url = urljoin(base, url.strip())
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if (scheme, netloc.rsplit(":", 1)[-1]) in {("http", "80"), ("https", "443")}:
        netloc = netloc.rsplit(":", 1)[0]
    path = parts.path or "/"
    if not netloc and path.startswith("//"):  # urlunsplit would make "//x" the host
        path = "/" + path.lstrip("/")
    if _AMP_PATH_RE.search(path) and path not in {"/amp", "/amp/"}:
        path = _AMP_PATH_RE.sub("/" if path.endswith("/amp/") else "", path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not _is_tracking(k, v)]
    # stripped again: "/a ?" loses its empty query and must not keep the space before it
    return urlunsplit((scheme, netloc, path, urlencode(query), "")).strip()


_SECOND_LEVEL = frozenset({"co", "or", "go", "ac", "web", "my", "sch", "net", "com", "org", "gov",
                           "edu", "biz", "ponpes", "mil", "desa"})


@lru_cache(maxsize=4096)  # a page links the same few hosts dozens of times
def site_domain(netloc: str) -> str:
    """The registrable domain (``megapolitan.kompas.com`` -> ``kompas.com``,
    ``www.radarbanten.co.id`` -> ``radarbanten.co.id``); an IP or ``localhost`` keeps its
    port, so two mirrors on one machine stay apart."""
    host = host_key(netloc)
    name, _, port = host.partition(":")
    labels = name.split(".")
    if name.replace(".", "").isdigit() or len(labels) < 2:
        return host
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def same_site(url: str, site: str) -> bool:
    """True when ``url`` is on ``site``'s host, with or without ``www.``."""
    try:
        return host_key(urlsplit(url).netloc) == host_key(urlsplit(site).netloc)
    except ValueError:  # not a URL at all
        return False


# Userinfo, backslashes, white space and control characters: URL parsers disagree on where
# such a host ends (urllib vs Twisted vs WHATWG), so a URL carrying them is never fetched.
_AMBIGUOUS_NETLOC = re.compile(r"[@\\\s\x00-\x1f\x7f]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def fetch_netloc(url: str) -> str | None:
    """``host[:port]`` an http(s) URL would connect to (lower-case, default port dropped),
    or None for any other scheme and for a host that parsers could read two ways."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # "Invalid IPv6 URL", a port out of range or not a number
        return None
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or _AMBIGUOUS_NETLOC.search(netloc):
        return None
    if port == _DEFAULT_PORTS[scheme] or netloc.endswith(":"):
        netloc = netloc.rsplit(":", 1)[0]
    return netloc


def in_scope(url: str, site: str, channel_hosts: Iterable[str] = ()) -> bool:
    """True when ``url`` may be fetched: http(s) on the configured site's exact host and port
    (with or without ``www.`` for a named host) or on a configured channel host.

    An allow-list, not a block-list: loopback, private and link-local addresses, other ports
    of the site's machine, and the same address spelled otherwise (``2130706433``,
    ``0x7f.1``, ``[::ffff:127.0.0.1]``, ``localhost``) are all simply not the site."""
    netloc = fetch_netloc(url)
    site_netloc = fetch_netloc(site)
    if netloc is None or site_netloc is None:
        return False
    allowed = {site_netloc, *(h.strip().lower() for h in channel_hosts)}
    name = urlsplit(site).hostname or ""
    try:
        ipaddress.ip_address(name)
    except ValueError:  # a name: its www. twin is the same site (an address has none)
        allowed.add(site_netloc[4:] if site_netloc.startswith("www.") else "www." + site_netloc)
    return netloc in allowed


def rebase(url: str, site: str) -> str:
    """Move ``url`` onto ``site``'s scheme and exact host (``http://prakata.com/x`` ->
    ``https://www.prakata.com/x``) so one article has one key whatever host form linked it."""
    parts, target = urlsplit(url), urlsplit(site)
    return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, parts.fragment))


def channel_id(url: str, channel_hosts: frozenset[str] | set[str] = WHATSAPP_HOSTS) -> str | None:
    """The WhatsApp channel ID a link points to, or None.

    Accepts ``https://(www.)whatsapp.com/channel/<ID>``, ``.../<ID>/384``, query strings,
    ``whatsapp://channel/<ID>`` and the same path on any extra channel host (a mirror).
    """
    url = url.strip()
    if url.lower().startswith("whatsapp://channel/"):
        match = re.match(r"whatsapp://channel/([A-Za-z0-9]{20,32})", url, re.I)
        return match.group(1) if match else None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https", ""}:
        return None
    netloc = parts.netloc.lower()
    if netloc not in channel_hosts and host_key(netloc) not in {host_key(h) for h in channel_hosts}:
        return None
    match = CHANNEL_ID_RE.search(parts.path)
    return match.group(1) if match else None


def canonical_channel_url(channel: str) -> str:
    return CANONICAL_CHANNEL.format(channel)
