"""Local mirror of prakata.com and its WhatsApp channel, served from the fixture world.

Tests, the offline demo crawl and the benchmarks crawl this server instead of the real site,
so it imitates what a crawler of the real site meets: keep-alive HTTP/1.1, gzip, validators
and 304s, redirects, tracking-parameter canonicalisation and the Laravel cookies. It is built
on twisted.web (already a Scrapy dependency) rather than ``http.server``, which closes every
connection and would make TCP set-up, not the crawler, dominate the benchmark timings.

What it serves is defined by ``fixtures/routes.json`` (see ``fixtures/README.md``). Text
bodies have the real origins rewritten to the mirror's own ``http://127.0.0.1:PORT``
origins so a crawl of the mirror never leaves the loopback.

Run it with ``python -m prakata_crawler.mirror``; from Python use ``start_mirror_process``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import mimetypes
import os
import queue
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

from twisted.internet.error import CannotListenError
from twisted.logger import (
    FilteringLogObserver,
    LogLevel,
    LogLevelFilterPredicate,
    globalLogBeginner,
    textFileLogObserver,
)
from twisted.web import resource, server

DEFAULT_FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"
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
    if _is_text(content_type) and "charset=" not in content_type.lower():
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


def _is_text(content_type: str) -> bool:
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


class _Mirror:
    """State shared by both ports: routes, local origins and the body cache."""

    def __init__(self, table: RouteTable, fixtures_dir: Path, origins: dict[str, str],
                 volatile_tokens: bool = True) -> None:
        self.volatile_tokens = volatile_tokens
        self.table = table
        self.fixtures_dir = fixtures_dir
        self.origins = origins
        self.rewriter = OriginRewriter(
            {table.site_origin: origins["site"], table.channel_origin: origins["channel"],
             **{origin: origins["channel_assets"] for origin in table.channel_asset_origins}}
        )
        self._bodies: dict[str, _Body] = {}

    def body(self, file: str, text: bool) -> _Body:
        """The body of a fixture file, read and (for text) rewritten on first use only.

        At most MAX_CACHED bodies are kept (oldest dropped first): a generated benchmark
        mirror of 50,000 pages would otherwise hold gigabytes.
        """
        cached = self._bodies.get(file)
        if cached is None:
            data = (self.fixtures_dir / file).read_bytes()
            if len(self._bodies) >= MAX_CACHED:
                del self._bodies[next(iter(self._bodies))]
            cached = self._bodies[file] = _Body(self.rewriter.rewrite(data) if text else data)
        return cached

    def not_found_body(self, host: str) -> _Body:
        """The 404 page: the site's own 404.html on the site port, a stub elsewhere."""
        if host == "site" and (self.fixtures_dir / "site" / "404.html").is_file():
            return self.body("site/404.html", text=True)
        return _STUB_404

    def absolute(self, host: str, location: bytes) -> bytes:
        """A redirect target (a path on `host`, or a URL) as an absolute, ASCII URL."""
        if location.startswith(b"/") and not location.startswith(b"//"):
            location = self.origins[host].encode("ascii") + location
        return self.rewriter.rewrite(quote_from_bytes(location, safe=_TARGET_SAFE + "#").encode())


_STUB_404 = _Body(
    b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 Not Found</title>'
    b"</head><body><h1>404 Not Found</h1></body></html>\n"
)
_HTML_UTF8 = "text/html; charset=utf-8"


class _HostResource(resource.Resource):
    """Answers every request on one port (`site` or `channel`) from the route table."""

    isLeaf = True

    def __init__(self, mirror: _Mirror, host: str) -> None:
        super().__init__()
        self.mirror = mirror
        self.host = host

    def render(self, request: server.Request) -> int:
        request.setHeader(b"server", SERVER_HEADER)
        if request.method not in (b"GET", b"HEAD"):
            request.setHeader(b"allow", b"GET, HEAD")
            self._send(request, 405, "text/plain; charset=utf-8", _Body(b"Method Not Allowed\n"))
            return server.NOT_DONE_YET
        path, _, query = request.uri.partition(b"?")
        stripped = _strip_tracking(query) if query else None
        if stripped is not None:
            # Prefixed here rather than by absolute(): the request path is local even when
            # it starts with `//`, which absolute() would take for another host.
            target = self.mirror.origins[self.host].encode("ascii") + path
            target += b"?" + stripped if stripped else b""
            self._redirect(request, 301, self.mirror.absolute(self.host, target))
            return server.NOT_DONE_YET
        route = self.mirror.table.lookup(self.host, request.uri)
        if route is None:
            self._send(request, 404, _HTML_UTF8, self.mirror.not_found_body(self.host))
        elif route.redirect is not None:
            self._redirect(
                request, route.status, self.mirror.absolute(self.host, route.redirect.encode())
            )
        else:
            self._serve_file(request, route)
        return server.NOT_DONE_YET

    def _serve_file(self, request: server.Request, route: Route) -> None:
        text = _is_text(route.content_type)
        body = self.mirror.body(route.file or "", text)
        request.setHeader(b"etag", body.etag)
        request.setHeader(b"last-modified", _http_date(route.last_modified))
        if route.status == 200 and _not_modified(request, body.etag, route.last_modified):
            request.setResponseCode(304)
            if text:
                request.setHeader(b"vary", b"Accept-Encoding")
            request.finish()
            return
        self._send(request, route.status, route.content_type, body)

    def _redirect(self, request: server.Request, status: int, location: bytes) -> None:
        request.setHeader(b"location", location)
        escaped = html.escape(location.decode("ascii")).encode("ascii")
        page = (
            b'<!DOCTYPE html>\n<html><head><meta charset="UTF-8">'
            b'<meta http-equiv="refresh" content="0;url=\'%s\'"><title>Redirecting to %s</title>'
            b'</head><body>Redirecting to <a href="%s">%s</a>.</body></html>\n'
        ) % (escaped, escaped, escaped, escaped)
        self._send(request, status, _HTML_UTF8, _Body(page))

    def _send(self, request: server.Request, status: int, content_type: str, body: _Body) -> None:
        """Write a complete response: headers, negotiated encoding, body unless HEAD."""
        request.setResponseCode(status)
        request.setHeader(b"content-type", content_type.encode("ascii"))
        if self.host == "site" and content_type.startswith("text/html"):
            _add_laravel_cookies(request)
        if self.mirror.volatile_tokens and body.csrf_token:
            body = body.with_fresh_token()
        payload = body.data
        if _is_text(content_type):
            request.setHeader(b"vary", b"Accept-Encoding")
            if _accepts_gzip(request.getHeader(b"accept-encoding")):
                request.setHeader(b"content-encoding", b"gzip")
                payload = body.gzipped
        request.setHeader(b"content-length", b"%d" % len(payload))
        if request.method != b"HEAD":
            request.write(payload)
        request.finish()


def _not_modified(request: server.Request, etag: bytes, last_modified: int) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.getHeader(b"if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
        return b"*" in tags or etag in tags
    if_modified_since = request.getHeader(b"if-modified-since")
    if if_modified_since is None:
        return False
    try:
        return last_modified <= _parse_http_date(if_modified_since.decode("latin-1"))
    except ValueError:
        return False


def _add_laravel_cookies(request: server.Request) -> None:
    """The two cookies every page of the real (Laravel) site sets.

    They are separate Set-Cookie headers on purpose: WARC writing must keep repeated
    headers. Values are derived from the target, so responses are reproducible.
    """
    token = hashlib.sha256(b"xsrf" + request.uri).hexdigest()[:40]
    session = hashlib.sha256(b"session" + request.uri).hexdigest()[:40]
    request.responseHeaders.addRawHeader(
        b"set-cookie", b"XSRF-TOKEN=%s; path=/; samesite=lax" % token.encode("ascii")
    )
    request.responseHeaders.addRawHeader(
        b"set-cookie",
        b"prakata_session=%s; path=/; httponly; samesite=lax" % session.encode("ascii"),
    )


class _MirrorSite(server.Site):
    """A twisted Site whose access log is one line per request on `access_log`, or none."""

    def __init__(self, host: str, access_log: IO[str] | None) -> None:
        super().__init__(resource.Resource())  # replaced once the ports are known
        self.host = host
        self.access_log = access_log
        self.noisy = False

    def log(self, request: server.Request) -> None:
        if self.access_log is None:
            return
        client = request.getClientAddress()
        method, uri, proto = (
            value.decode("latin-1") for value in (request.method, request.uri, request.clientproto)
        )
        line = (
            f"{time.strftime('%Y-%m-%dT%H:%M:%S')} [{self.host}] {getattr(client, 'host', '-')}"
            f' "{method} {uri} {proto}" {request.code} {request.sentLength}\n'
        )
        self.access_log.write(line)
        self.access_log.flush()


def _origin(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(
    fixtures_dir: str | os.PathLike[str] = DEFAULT_FIXTURES_DIR,
    host: str = "127.0.0.1",
    site_port: int = 0,
    channel_port: int = 0,
    ready: Callable[[dict[str, str]], None] | None = None,
    *,
    channel_asset_port: int = 0,
    verbose: bool = False,
    stop_on_stdin_eof: bool = False,
    volatile_tokens: bool = True,
    faults: str | None = None,
) -> None:
    """Serve the mirror in this process until SIGTERM/SIGINT (blocks; runs the reactor).

    Port 0 picks a free port. Once the ports listen, `ready` is called with
    `{"site": origin, "channel": origin, "channel_assets": origin}`. `verbose` writes an
    access log to stderr.
    `stop_on_stdin_eof` ends the server when stdin closes, so a child started by
    `start_mirror_process` cannot outlive a parent that died without stopping it.
    `faults` (JSON text or a JSON file, see prakata_crawler.faults) injects faults.
    Raises ValueError for a bad routes.json or fault plan and CannotListenError for a busy
    port.
    """
    from twisted.internet import reactor  # not at import time: Scrapy installs its own

    from .faults import FaultResource, load_plan

    plan = load_plan(faults) if faults else None

    root = Path(fixtures_dir).resolve()
    table = load_routes(root)
    # Only warnings and errors (e.g. a failing request) reach stderr, never twisted's chatter.
    globalLogBeginner.beginLoggingTo(
        [
            FilteringLogObserver(
                textFileLogObserver(sys.stderr), [LogLevelFilterPredicate(LogLevel.warn)]
            )
        ],
        redirectStandardIO=False,
    )
    access_log = sys.stderr if verbose else None
    sites = {name: _MirrorSite(name, access_log) for name in HOSTS}
    origins = {}
    for name, port in (("site", site_port), ("channel", channel_port),
                       ("channel_assets", channel_asset_port)):
        listening = reactor.listenTCP(port, sites[name], interface=host)
        origins[name] = _origin(host, listening.getHost().port)
    mirror = _Mirror(table, root, origins, volatile_tokens)
    for name, site in sites.items():
        site.resource = _HostResource(mirror, name)
        if plan is not None:
            site.resource = FaultResource(site.resource, plan)
    if ready is not None:
        reactor.callWhenRunning(ready, dict(origins))
    if stop_on_stdin_eof:
        threading.Thread(target=_stop_on_eof, args=(reactor,), daemon=True).start()
    reactor.run()


def _stop_on_eof(reactor: Any) -> None:
    """Block until stdin closes, then stop the reactor (runs in a daemon thread)."""
    # os.read, not sys.stdin: a daemon thread blocked inside the buffered reader holds its
    # lock, and the interpreter aborts on that lock when it shuts down after SIGTERM.
    while os.read(sys.stdin.fileno(), 4096):
        pass
    reactor.callFromThread(reactor.stop)


def _announce(origins: dict[str, str]) -> None:
    """Print the one JSON line a parent process waits for."""
    sys.stdout.write(json.dumps(origins) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: serve the mirror, print its origins as one JSON line, run until killed."""
    parser = argparse.ArgumentParser(
        prog="python -m prakata_crawler.mirror", description="Serve the prakata fixture world."
    )
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES_DIR)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--site-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--channel-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--channel-asset-port", type=int, default=0,
                        help="serves the channels' avatars (pps.whatsapp.net); 0 picks one")
    parser.add_argument("--verbose", action="store_true", help="access log on stderr")
    parser.add_argument("--stable-tokens", action="store_true",
                        help="serve each page's CSRF token unchanged (default: a fresh token "
                             "per request, as the real site does)")
    parser.add_argument("--faults", metavar="PLAN",
                        help="inject faults: a JSON plan or a JSON file "
                             "(see prakata_crawler/faults.py)")
    parser.add_argument("--stop-on-stdin-eof", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        run(
            args.fixtures,
            args.host,
            args.site_port,
            args.channel_port,
            _announce,
            channel_asset_port=args.channel_asset_port,
            verbose=args.verbose,
            stop_on_stdin_eof=args.stop_on_stdin_eof,
            volatile_tokens=not args.stable_tokens,
            faults=args.faults,
        )
    except (ValueError, OSError, CannotListenError) as exc:
        print(f"prakata mirror: error: {exc}", file=sys.stderr)
        return 2
    return 0


def free_ports(count: int = 3) -> list[int]:
    """Ports free right now, for mirrors that must come back on the same ports: an
    archive holds URLs with the port in them, and a re-crawl must see the same URLs."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class MirrorProcess:
    """A mirror running in a child process; `stop()` or leaving a `with` block ends it."""

    def __init__(self, process: subprocess.Popen[str], site: str, channel: str,
                 channel_assets: str) -> None:
        self.process = process
        self.site = site
        self.channel = channel
        self.channel_assets = channel_assets

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the child (SIGTERM, then kill after `timeout`); safe to call twice."""
        _terminate(self.process, timeout)

    def __enter__(self) -> MirrorProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_mirror_process(
    fixtures_dir: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    site_port: int = 0,
    channel_port: int = 0,
    *,
    channel_asset_port: int = 0,
    verbose: bool = False,
    stable_tokens: bool = False,
    stderr: int | IO[Any] | None = None,
    timeout: float = 30.0,
    faults: dict[str, Any] | None = None,
) -> MirrorProcess:
    """Start the mirror in a child process and return once it listens.

    A child process, not a thread, because the mirror runs its own Twisted reactor and the
    caller (pytest, a Scrapy crawl) may be running another. `stderr` is passed to Popen
    (default: inherited); `faults` is a fault plan (see prakata_crawler.faults). Raises
    RuntimeError if the child exits or stays silent for `timeout` seconds.
    """
    command = [
        sys.executable,
        "-m",
        "prakata_crawler.mirror",
        "--fixtures",
        str(Path(fixtures_dir) if fixtures_dir is not None else DEFAULT_FIXTURES_DIR),
        "--host",
        host,
        "--site-port",
        str(site_port),
        "--channel-port",
        str(channel_port),
        "--channel-asset-port",
        str(channel_asset_port),
        "--stop-on-stdin-eof",
    ]
    if verbose:
        command.append("--verbose")
    if stable_tokens:
        command.append("--stable-tokens")
    if faults is not None:
        command += ["--faults", json.dumps(faults)]
    # The child must import this package even when it is not installed in the venv.
    package_parent = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=env,
        text=True,
        encoding="utf-8",
    )
    stdout = process.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        _terminate(process, timeout=1.0)
        raise RuntimeError(f"mirror did not start listening within {timeout:g}s") from None
    if not line:
        _terminate(process, timeout=10.0)
        raise RuntimeError(
            f"mirror exited with status {process.returncode} before listening (see its stderr)"
        )
    origins = json.loads(line)
    return MirrorProcess(process, origins["site"], origins["channel"], origins["channel_assets"])


def _terminate(process: subprocess.Popen[str], timeout: float) -> None:
    """End a child: SIGTERM, SIGKILL after `timeout`, then close our ends of its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


if __name__ == "__main__":
    sys.exit(main())
