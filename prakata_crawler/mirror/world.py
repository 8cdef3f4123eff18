"""The fixture world as the mirror serves it: routes.json read and checked, bodies with the
real origins rewritten to the mirror's, HTTP dates and targets normalized."""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit


def _fixtures_dir() -> Path:
    """The fixture world: shipped inside the package (an installed wheel), else the
    checkout's ``fixtures/``."""
    shipped = Path(__file__).resolve().parent / "fixtures"
    if (shipped / "routes.json").is_file():
        return shipped
    return Path(__file__).resolve().parents[2] / "fixtures"


DEFAULT_FIXTURES_DIR = _fixtures_dir()
# Served as Last-Modified when a route has no `last_modified`: fixed so that validators,
# and therefore conditional-request behaviour, are identical from run to run.
DEFAULT_LAST_MODIFIED = "Mon, 01 Dec 2025 00:00:00 GMT"
SERVER_HEADER = b"prakata-mirror/0.1 (twisted.web)"
HOSTS = ("site", "channel", "channel_assets")
MAX_CACHED = 1024  # bodies kept in RAM; the fixture world has fewer

_SUFFIX_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
# Characters left as they are when route paths and request targets are compared, so that
# `/tag/kota bogor` in routes.json matches the `/tag/kota%20bogor` a crawler requests.
_TARGET_SAFE = "/?&=:@!$'()*+,;~%"
_PERCENT_ESCAPE = re.compile(rb"%[0-9a-f]{2}", re.IGNORECASE)
_TRACKING_NAMES = (b"fbclid", b"gclid")
_SCHEME_BEFORE = re.compile(rb"https?:\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    """One validated row of routes.json, with its defaults filled in."""

    host: str
    path: str
    file: str | None
    redirect: str | None
    status: int
    content_type: str
    last_modified: int  # seconds since the epoch


@dataclass(frozen=True)
class RouteTable:
    """The parsed routes.json: the real origins and the routes keyed by (host, target)."""

    site_origin: str
    channel_origin: str
    routes: dict[tuple[str, str], Route]
    # WhatsApp's asset hosts (avatars, the channel pages' stylesheets and icons)
    channel_asset_origins: tuple[str, ...] = ("https://pps.whatsapp.net",
                                              "https://static.whatsapp.net")

    def lookup(self, host: str, target: bytes) -> Route | None:
        """Find the route for a raw request target (path plus query) on `host`."""
        return self.routes.get((host, _normalize_target(target)))


def load_routes(fixtures_dir: str | os.PathLike[str]) -> RouteTable:
    """Read and validate `fixtures_dir`/routes.json.

    Validation happens once at start-up so that a broken table (missing file, duplicate
    path, bad date) stops the mirror with a clear message instead of surfacing as an odd
    404 in the middle of a crawl.
    """
    root = Path(fixtures_dir).resolve()
    table_path = root / "routes.json"
    try:
        raw = json.loads(table_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{table_path} not found") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{table_path}: invalid JSON: {exc}") from None
    for key in ("site_origin", "channel_origin"):
        if not isinstance(raw.get(key), str) or not urlsplit(raw[key]).hostname:
            raise ValueError(f"{table_path}: `{key}` must be an absolute URL")
    routes: dict[tuple[str, str], Route] = {}
    for index, entry in enumerate(raw.get("routes", [])):
        try:
            route = _parse_route(entry, root)
        except ValueError as exc:
            raise ValueError(f"{table_path}: route #{index} {entry!r}: {exc}") from None
        key = (route.host, _normalize_target(route.path.encode("utf-8")))
        if key in routes:
            raise ValueError(f"{table_path}: route #{index}: duplicate {route.host} {route.path}")
        routes[key] = route
    assets = raw.get("channel_asset_origins") or RouteTable.channel_asset_origins
    if isinstance(assets, str) or not all(
            isinstance(a, str) and urlsplit(a).hostname for a in assets):
        raise ValueError(f"{table_path}: `channel_asset_origins` must list absolute URLs")
    return RouteTable(raw["site_origin"], raw["channel_origin"], routes, tuple(assets))


def _parse_route(entry: Any, root: Path) -> Route:
    """Turn one routes.json entry into a Route, applying the README's defaults."""
    if not isinstance(entry, dict):
        raise ValueError("not an object")
    host, path = entry.get("host"), entry.get("path")
    if host not in HOSTS:
        raise ValueError(f"`host` must be one of {HOSTS}")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError("`path` must start with /")
    file, redirect = entry.get("file"), entry.get("redirect")
    if (file is None) == (redirect is None):
        raise ValueError("needs exactly one of `file` and `redirect`")
    if not isinstance(file or redirect, str):
        raise ValueError("`file` and `redirect` must be strings")
    if file is not None:
        resolved = (root / file).resolve()
        if not resolved.is_relative_to(root):
            raise ValueError("`file` is outside the fixtures directory")
        if not resolved.is_file():
            raise ValueError(f"file {file} not found")
    status = entry.get("status", 200 if file is not None else 301)
    if not isinstance(status, int) or not 200 <= status <= 599:
        raise ValueError("`status` must be an HTTP status code")
    content_type = entry.get("content_type") or _type_from_suffix(file or "")
    if is_text(content_type) and "charset=" not in content_type.lower():
        content_type += f"; charset={entry.get('charset', 'utf-8')}"
    return Route(
        host=host,
        path=path,
        file=file,
        redirect=redirect,
        status=status,
        content_type=content_type,
        last_modified=_parse_http_date(entry.get("last_modified", DEFAULT_LAST_MODIFIED)),
    )


def _type_from_suffix(file: str) -> str:
    """The Content-Type (without charset) a file is served with when its route names none."""
    suffix = Path(file).suffix.lower()
    if suffix in _SUFFIX_TYPES:
        return _SUFFIX_TYPES[suffix]
    return mimetypes.guess_type(file)[0] or "application/octet-stream"


def is_text(content_type: str) -> bool:
    """Whether a body of this type gets origin rewriting and gzip."""
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime.startswith("text/") or mime.endswith(("/xml", "+xml", "/json", "+json"))


def _parse_http_date(value: Any) -> int:
    """Parse an RFC 1123 date (any zone) to epoch seconds; ValueError if it is not one."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, AttributeError):
        raise ValueError(f"not an RFC 1123 date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp())


def _http_date(epoch: int) -> bytes:
    return format_datetime(datetime.fromtimestamp(epoch, timezone.utc), usegmt=True).encode()


def _normalize_target(target: bytes) -> str:
    """Percent-encode a path+query the way crawlers send it, so equal targets compare equal."""
    quoted = quote_from_bytes(target, safe=_TARGET_SAFE).encode("ascii")
    return _PERCENT_ESCAPE.sub(lambda m: m.group().upper(), quoted).decode("ascii")


def _strip_tracking(query: bytes) -> bytes | None:
    """The query without utm_*/fbclid/gclid/m=1, or None when it carries none of them."""
    kept: list[bytes] = []
    dropped = False
    for part in query.split(b"&"):
        name, _, value = part.partition(b"=")
        name = unquote_to_bytes(name.replace(b"+", b" ")).lower()
        if name.startswith(b"utm_") or name in _TRACKING_NAMES or (name == b"m" and value == b"1"):
            dropped = True
        elif part:
            kept.append(part)
    return b"&".join(kept) if dropped else None


def _accepts_gzip(header: bytes | None) -> bool:
    """Whether an Accept-Encoding value admits gzip (honouring q=0 and `*`)."""
    weights: dict[bytes, float] = {}
    for item in (header or b"").split(b","):
        coding, *params = (piece.strip() for piece in item.split(b";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition(b"=")
            if key.strip().lower() == b"q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding:
            weights[coding.lower()] = weight
    for coding in (b"gzip", b"x-gzip", b"*"):
        if coding in weights:
            return weights[coding] > 0
    return False


class OriginRewriter:
    """Rewrites the real site and channel origins in a body to the mirror's origins.

    Every variant a page may use is matched: http/https, with or without `www.`,
    protocol-relative `//host`, and the JSON-escaped `https:\\/\\/host` that Laravel's
    json_encode writes into inline scripts. It works on bytes, so a windows-1252 (or any
    other ASCII-compatible) page is rewritten without being decoded and re-encoded.
    """

    def __init__(self, origins: dict[str, str]) -> None:
        """`origins` maps each real origin (`https://www.prakata.com`) to its local origin."""
        self._local: dict[str, bytes] = {}
        alternatives = []
        for index, (real, local) in enumerate(origins.items()):
            bare = (urlsplit(real).hostname or "").removeprefix("www.")
            alternatives.append(rb"(?P<o%d>(?:www\.)?%s)" % (index, re.escape(bare.encode())))
            self._local[f"o{index}"] = local.rstrip("/").encode("ascii")
        # The match starts at the slashes and the scheme in front is found by hand: a
        # pattern starting with an optional `https?:` is tried at every byte and is ten
        # times slower on a typical page.
        self._pattern = re.compile(
            rb"(?P<slashes>//|\\/\\/)(?:"
            + b"|".join(alternatives)
            # Not when the host continues: `prakata.community`, `prakata.com.au`.
            + rb")(?![A-Za-z0-9_-]|\.[A-Za-z0-9])",
            re.IGNORECASE,
        )

    def rewrite(self, data: bytes) -> bytes:
        """Return `data` with every real origin replaced by its local origin."""
        pieces = []
        done = 0
        for match in self._pattern.finditer(data):
            start = match.start()
            scheme = _SCHEME_BEFORE.search(data, max(done, start - len(b"https:")), start)
            if scheme is not None:
                start = scheme.start()
            local = self._local[match.lastgroup or ""]
            if match.group("slashes") != b"//":
                local = local.replace(b"/", b"\\/")
            pieces += (data[done:start], local)
            done = match.end()
        pieces.append(data[done:])
        return b"".join(pieces)


class _Body:
    """A response body as served; its ETag and gzip form are computed at most once."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @cached_property
    def etag(self) -> bytes:
        return b'"%s"' % hashlib.sha256(self.data).hexdigest()[:32].encode("ascii")

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.data, compresslevel=6, mtime=0)

    @cached_property
    def csrf_token(self) -> bytes | None:
        """The page's Laravel CSRF token (``<meta name="csrf-token">``), if it has one."""
        match = _CSRF_META.search(self.data)
        return match.group(1) if match else None

    def with_fresh_token(self) -> _Body:
        """The page as the real site serves it to a new visitor: a new CSRF token (in the
        meta tag and every form) on every request, so its bytes never repeat."""
        fresh = secrets.token_urlsafe(40).replace("-", "a").replace("_", "b")[:40]
        return _Body(self.data.replace(self.csrf_token, fresh.encode("ascii")))


_CSRF_META = re.compile(rb'<meta\s+name="csrf-token"\s+content="([A-Za-z0-9]{40})"')
