"""The mirror's HTTP server (twisted.web): one site per host of the fixture world, keep-alive,
gzip, validators and 304s, redirects, the Laravel cookies; faults wrapped around it on
demand. ``main`` is ``prakata mirror``."""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote_from_bytes

from twisted.internet.error import CannotListenError
from twisted.logger import (
    FilteringLogObserver,
    LogLevel,
    LogLevelFilterPredicate,
    globalLogBeginner,
    textFileLogObserver,
)
from twisted.web import resource, server

from .faults import FaultResource, load_plan
from .world import (
    _TARGET_SAFE,
    DEFAULT_FIXTURES_DIR,
    HOSTS,
    MAX_CACHED,
    SERVER_HEADER,
    OriginRewriter,
    Route,
    RouteTable,
    _accepts_gzip,
    _Body,
    _http_date,
    _parse_http_date,
    _strip_tracking,
    is_text,
    load_routes,
)


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
        text = is_text(route.content_type)
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
        if is_text(content_type):
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
    `faults` (JSON text or a JSON file, see prakata_crawler.mirror.faults) injects faults.
    Raises ValueError for a bad routes.json or fault plan and CannotListenError for a busy
    port.
    """
    from twisted.internet import reactor  # not at import time: Scrapy installs its own

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
        prog="prakata mirror", description="Serve the prakata fixture world."
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
                             "(see prakata_crawler/mirror/faults.py)")
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
