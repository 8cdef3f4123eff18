"""Fault injection for the fixture mirror: the hostile web, on 127.0.0.1.

Real sites answer with 5xx bursts, throttle with 429, trickle or stall, drop connections
mid-body, lie in Content-Length, loop redirects, serve error pages with status 200, gzip
bombs and traps. The crawler's tests need each of those on demand and reproducibly, so
:class:`FaultResource` wraps the mirror's resource and applies a :class:`FaultPlan`: rules
per path, and optionally seeded random faults over a share of the site's pages.

A plan is a JSON object (``prakata mirror --faults SPEC``, ``start_mirror_process(...,
faults=SPEC)``)::

    {"rules": {"/2025/12/a.html": {"kind": "status", "status": 503, "times": 2},
               "/arsip/*": {"kind": "calendar_trap"},
               "channel:/channel/0029Va...": {"kind": "login"}},
     "random": {"rate": 0.1, "seed": 7, "match": "^/\\\\d{4}/", "kinds": ["status", "reset"],
                "permanent": 0.2, "max_times": 3},
     "log": "/tmp/faults.jsonl"}

``times`` is how many requests of a URL get the fault before the real page is served (a
transient fault); without it every request does (a permanent fault). ``log`` receives one
JSON line per injected fault. :data:`KINDS` lists the kinds and their options.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import socket
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from twisted.web import resource, server

from .world import is_text

TRANSIENT_KINDS = ("status", "reset", "truncated_gzip", "length_lie", "stall")
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Fault:
    """One fault: its kind, how many requests it hits (None: all) and its options."""

    kind: str
    times: int | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> Fault:
        options = {k: v for k, v in spec.items() if k not in {"kind", "times"}}
        if spec.get("kind") not in KINDS:
            raise ValueError(f"unknown fault kind {spec.get('kind')!r}; known: {sorted(KINDS)}")
        return cls(spec["kind"], spec.get("times"), options)


@dataclass
class FaultPlan:
    """Which fault, if any, a request gets: exact rules, prefix rules, then random ones."""

    rules: dict[tuple[str, str], Fault] = field(default_factory=dict)
    prefixes: list[tuple[str, str, Fault]] = field(default_factory=list)
    rate: float = 0.0
    seed: int = 0
    match: re.Pattern[str] | None = None
    kinds: tuple[str, ...] = ("status",)
    permanent: float = 0.0
    max_times: int = 2
    log: str | None = None

    @classmethod
    def from_spec(cls, spec: dict[str, Any] | str) -> FaultPlan:
        """Parse a plan from its JSON object (or JSON text); ValueError when malformed."""
        if isinstance(spec, str):
            spec = json.loads(spec)
        plan = cls(log=spec.get("log"))
        for key, value in spec.get("rules", {}).items():
            host, _, path = key.partition(":") if key.startswith("channel:") else ("", "", key)
            fault = Fault.from_spec(value)
            if path.endswith("*"):
                plan.prefixes.append((host or "site", path[:-1], fault))
            else:
                plan.rules[(host or "site", path)] = fault
        chance = spec.get("random")
        if chance:
            plan.rate = float(chance["rate"])
            plan.seed = int(chance.get("seed", 0))
            plan.match = re.compile(chance.get("match", "^/"))
            plan.kinds = tuple(chance.get("kinds", TRANSIENT_KINDS))
            plan.permanent = float(chance.get("permanent", 0.0))
            plan.max_times = int(chance.get("max_times", 2))
            unknown = set(plan.kinds) - set(KINDS)
            if unknown:
                raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        return plan

    def fault_for(self, host: str, uri: str) -> Fault | None:
        """The fault planned for a request target (path plus query) on ``host``."""
        path = uri.split("?", 1)[0]
        for key in (uri, path):
            if (host, key) in self.rules:
                return self.rules[(host, key)]
        for rule_host, prefix, fault in self.prefixes:
            if rule_host == host and path.startswith(prefix):
                return fault
        if host == "site" and self.rate and self.match is not None and self.match.search(uri):
            return self.random_fault(uri)
        return None

    def random_fault(self, uri: str) -> Fault | None:
        """The seeded random fault of ``uri``: the same for a URL whatever the request order,
        so a test can tell in advance which pages are reachable."""
        rng = random.Random(f"{self.seed}|{uri}")
        if rng.random() >= self.rate:
            return None
        kind = rng.choice(self.kinds)
        times = None if rng.random() < self.permanent else rng.randint(1, self.max_times)
        options: dict[str, Any] = {}
        if kind == "status":
            options["status"] = rng.choice([500, 502, 503, 429])
            options["retry_after"] = "0"
        elif kind == "length_lie":
            options["delta"] = 1000
        return Fault(kind, times, options)


class FaultResource(resource.Resource):
    """Wraps the mirror's resource for one port: a request with a planned fault gets it,
    every other request (and a transient fault's later requests) the real answer."""

    isLeaf = True

    def __init__(self, inner: Any, plan: FaultPlan) -> None:
        super().__init__()
        self.inner = inner
        self.plan = plan
        self.hits: Counter[str] = Counter()
        # built now, not on the first request: seconds of compression would stall the
        # reactor and time out every other request in flight
        for fault in [*plan.rules.values(), *(f for _, _, f in plan.prefixes)]:
            if fault.kind == "gzip_bomb":
                _bomb(int(fault.get("size", 2**30)))
            elif fault.kind == "huge":
                _padded_page(int(fault.get("size", 20 * 2**20)))

    def render(self, request: server.Request) -> Any:
        uri = request.uri.decode("latin-1")
        fault = self.plan.fault_for(self.inner.host, uri)
        if fault is None:
            return self.inner.render(request)
        self.hits[uri] += 1
        hit = self.hits[uri]
        if fault.times is not None and hit > fault.times:
            return self.inner.render(request)
        if self.plan.log:
            with open(self.plan.log, "a", encoding="utf-8") as log:
                log.write(json.dumps({"host": self.inner.host, "uri": uri, "kind": fault.kind,
                                      "hit": hit, "times": fault.times}) + "\n")
        request.setHeader(b"server", b"prakata-mirror/0.1 (faults)")
        KINDS[fault.kind](self, request, fault)
        return server.NOT_DONE_YET

    # -- helpers for the fault kinds -------------------------------------------------------

    def real(self, request: server.Request) -> tuple[bytes, str]:
        """The body and Content-Type the mirror would serve for this request (a stub page
        when the path has no route)."""
        route = self.inner.mirror.table.lookup(self.inner.host, request.uri)
        if route is None or route.file is None:
            return page("Prakata.com", "<p>Halaman contoh.</p>"), HTML
        body = self.inner.mirror.body(route.file, is_text(route.content_type))
        return body.data, route.content_type

    def send(self, request: server.Request, status: int, content_type: str, body: bytes,
             headers: dict[bytes, bytes] | None = None) -> None:
        """A well-formed response (the HTTP machinery of twisted.web), uncompressed."""
        request.setResponseCode(status)
        request.setHeader(b"content-type", content_type.encode("ascii"))
        for name, value in (headers or {}).items():
            request.setHeader(name, value)
        request.setHeader(b"content-length", b"%d" % len(body))
        if request.method != b"HEAD":
            request.write(body)
        request.finish()


def raw_head(status: int, content_type: str, length: int | None,
             extra: dict[str, str] | None = None) -> bytes:
    """A status line and headers written straight to the socket, for the faults that
    twisted.web would refuse to produce (a lying Content-Length, a body cut off)."""
    lines = [f"HTTP/1.1 {status} OK", f"Content-Type: {content_type}", "Connection: close",
             "Server: prakata-mirror/0.1 (faults)"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _reset(transport: Any) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed server or middlebox does."""
    sock = transport.getHandle()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abortConnection()


def page(title: str, inner: str) -> bytes:
    """A small HTML page, for the faults that replace a page."""
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{title}'
            f'</title></head><body>{inner}</body></html>\n').encode()


# -- fault kinds: (resource, request, fault) -> None; each finishes or abandons the request --

def _status(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """``status`` (default 503), with ``retry_after`` as a Retry-After header."""
    status = int(fault.get("status", 503))
    headers = {b"retry-after": str(fault.get("retry_after")).encode()} \
        if fault.get("retry_after") is not None else None
    res.send(request, status, HTML, page(f"{status} Error", f"<h1>Error {status}</h1>"), headers)


def _drip(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real page, ``chunk`` bytes every ``interval`` seconds."""
    from twisted.internet import reactor  # not at import time: Scrapy installs its own

    body, content_type = res.real(request)
    transport = request.channel.transport
    transport.write(raw_head(200, content_type, len(body)))
    chunk, interval = int(fault.get("chunk", 1024)), float(fault.get("interval", 0.1))

    def more(offset: int) -> None:
        if transport.disconnecting or not transport.connected:
            return
        transport.write(body[offset:offset + chunk])
        if offset + chunk < len(body):
            reactor.callLater(interval, more, offset + chunk)
        else:
            transport.loseConnection()

    more(0)


def _stall(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """Headers and ``sent`` bytes of the page (``headers: false``: not even headers), then
    silence until the client gives up."""
    if fault.get("headers", True):
        body, content_type = res.real(request)
        request.channel.transport.write(raw_head(200, content_type, len(body))
                                        + body[:int(fault.get("sent", 0))])


def _reset_mid_body(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """Half the page under a Content-Length for all of it, then a TCP reset."""
    from twisted.internet import reactor

    body, content_type = res.real(request)
    transport = request.channel.transport
    transport.write(raw_head(200, content_type, len(body)) + body[:len(body) // 2])
    reactor.callLater(0.05, _reset, transport)


def _truncated_gzip(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The page gzip-encoded and cut at ``keep`` (default 0.6) of its compressed length;
    Content-Length matches what is sent, so only the gzip stream is broken."""
    body, content_type = res.real(request)
    packed = gzip.compress(body, mtime=0)
    cut = packed[:max(20, int(len(packed) * float(fault.get("keep", 0.6))))]
    res.send(request, 200, content_type, cut, {b"content-encoding": b"gzip"})


def _length_lie(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """Content-Length off by ``delta`` bytes (default +1000: more than is sent), then the
    connection closes."""
    body, content_type = res.real(request)
    transport = request.channel.transport
    claimed = max(0, len(body) + int(fault.get("delta", 1000)))
    transport.write(raw_head(200, content_type, claimed) + body)
    transport.loseConnection()


def _redirect_chain(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """``hops`` 301s (``path?hop=1`` ... ``path?hop=N``), then ``to`` (a path or a URL), or back to
    the start when ``loop`` is true."""
    path, _, query = request.uri.decode("latin-1").partition("?")
    hop = int(query.removeprefix("hop=")) if query.startswith("hop=") else 0
    hops = int(fault.get("hops", 5))
    if hop < hops:
        target = f"{path}?hop={hop + 1}"
    else:
        target = path if fault.get("loop") else fault.get("to", "/")
    location = res.inner.mirror.absolute(res.inner.host, target.encode("latin-1"))
    res.send(request, 301, HTML, page("Moved", f'<a href="{target}">moved</a>'),
             {b"location": location})


def _huge(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """An HTML page of ``size`` bytes (default 20 MB); ``chunked``: no Content-Length;
    ``content_type`` to pass it off as something else (a video)."""
    body = _padded_page(int(fault.get("size", 20 * 2**20)))
    request.setHeader(b"content-type", fault.get("content_type", HTML).encode())
    if not fault.get("chunked"):
        request.setHeader(b"content-length", b"%d" % len(body))
    for start in range(0, len(body), 1 << 16):
        request.write(body[start:start + (1 << 16)])
    request.finish()


@lru_cache(maxsize=4)
def _padded_page(size: int) -> bytes:
    head = page("Halaman raksasa", "<h1>Halaman raksasa</h1><p>")[:-len("</body></html>\n")]
    tail = b"</p></body></html>\n"
    filler = b"kata " * ((size - len(head) - len(tail)) // 5 + 1)
    return head + filler[:max(0, size - len(head) - len(tail))] + tail


def _gzip_bomb(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """A sitemap that inflates to ``size`` bytes (default 1 GiB) from about 1/1000 of it."""
    res.send(request, 200, "application/xml", _bomb(int(fault.get("size", 2**30))),
             {b"content-encoding": b"gzip"})


@lru_cache(maxsize=2)
def _bomb(size: int) -> bytes:
    """Gzip members of 1 MiB of spaces each (gzip allows concatenated members): about
    1 KiB per MiB, built at once whatever ``size`` is."""
    block = 1 << 20
    head = (b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
            b'schemas/sitemap/0.9"><url><loc>')
    member = gzip.compress(b" " * block, compresslevel=9, mtime=0)
    return (gzip.compress(head, mtime=0) + member * max(1, size // block)
            + gzip.compress(b"</loc></url></urlset>\n", mtime=0))


def _xxe(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real sitemap (or an empty urlset) with external entities: ``file`` (a local path)
    and ``url`` (a URL the test watches) as SYSTEM entities used in ``<loc>``, the URL
    also as the external DTD and a parameter entity."""
    body, _ = res.real(request)
    if b"<urlset" not in body:
        body = (b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.'
                b'org/schemas/sitemap/0.9"></urlset>\n')
    url, path = fault.get("url", "http://127.0.0.1:9/xxe"), fault.get("file", "/etc/passwd")
    doctype = (f'<!DOCTYPE urlset SYSTEM "{url}/external.dtd" [\n'
               f'  <!ENTITY xfile SYSTEM "file://{path}">\n'
               f'  <!ENTITY xurl SYSTEM "{url}/entity">\n'
               f'  <!ENTITY % xparam SYSTEM "{url}/parameter"> %xparam;\n]>\n').encode()
    declaration = re.match(rb"\s*<\?xml[^>]*\?>\s*", body)
    split = declaration.end() if declaration else 0
    body = body[:split] + doctype + body[split:]
    body = body.replace(b"</urlset>", b"<url><loc>&xfile;</loc></url>"
                                      b"<url><loc>&xurl;</loc></url></urlset>")
    res.send(request, 200, "application/xml; charset=utf-8", body)


def _charset(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real page declared (header and meta) as ``declared`` (default windows-1252)."""
    body, _ = res.real(request)
    declared = fault.get("declared", "windows-1252")
    body = re.sub(rb'<meta\s+charset="[^"]*"', b'<meta charset="%s"' % declared.encode(),
                  body, count=1, flags=re.I)
    res.send(request, 200, f"text/html; charset={declared}", body)


def _nul(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real page with a NUL byte before every ``</p>`` and after ``<head>``."""
    body, content_type = res.real(request)
    res.send(request, 200, content_type,
             body.replace(b"</p>", b"\x00</p>").replace(b"<head>", b"<head>\x00", 1))


def _no_body(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real page without its ``<body>`` and ``</body>`` tags."""
    body, content_type = res.real(request)
    res.send(request, 200, content_type, re.sub(rb"</?body\b[^>]*>", b"", body, flags=re.I))


def _binary(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """``size`` seeded random bytes (default 64 KiB) served as text/html."""
    data = random.Random(request.uri).randbytes(int(fault.get("size", 1 << 16)))
    res.send(request, 200, HTML, data)


SOFT_404_PAGE = page("Halaman tidak ditemukan - Prakata.com",
                     "<h1>Halaman tidak ditemukan</h1><p>Maaf, halaman yang Anda cari tidak "
                     'tersedia. <a href="/">Kembali ke beranda</a></p>')
WAF_PAGE = page("Just a moment...", "<h1>Checking your browser</h1><p>Please complete the "
                "captcha to verify you are human.</p><form><div class=\"g-recaptcha\"></div>"
                "</form>")
LOGIN_PAGE = page("WhatsApp Web", "<h1>Masuk ke WhatsApp</h1><p>Login untuk melihat saluran "
                  "ini. Pindai kode QR dengan ponsel Anda.</p><form action=\"/login\" "
                  'method="post"><input name="phone"><button>Masuk</button></form>')


def _fixed(body: bytes) -> Callable[[FaultResource, server.Request, Fault], None]:
    def serve(res: FaultResource, request: server.Request, fault: Fault) -> None:
        res.send(request, int(fault.get("status", 200)), HTML, body)
    return serve


def _extra_links(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real page with links to ``hrefs`` (and the markup ``html``: requisites, say)
    added before ``</body>``."""
    body, content_type = res.real(request)
    links = ("".join(f'<a href="{h}">tautan</a> ' for h in fault.get("hrefs", []))
             + fault.get("html", "")).encode()
    res.send(request, 200, content_type, body.replace(b"</body>", links + b"</body>", 1))


def _alias(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """The real page of the path ``of`` served here too (200, no redirect), as a server
    that ignores case or unknown parameters does."""
    route = res.inner.mirror.table.lookup(res.inner.host, fault.get("of", "/").encode())
    if route is None or route.file is None:
        res.send(request, 404, HTML, page("404", "<h1>404</h1>"))
        return
    res.inner._send(request, route.status, route.content_type,
                    res.inner.mirror.body(route.file, is_text(route.content_type)))


def _pagination_trap(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """Every ``?page=N`` exists and links to the next five pages; each shows the same
    ``hrefs`` (default: none), as a listing that never runs out does, or with ``new_links``
    three links no other page has (which answer 404)."""
    path, _, query = request.uri.decode("latin-1").partition("?")
    match = re.search(r"(?:^|&)page=(\d+)", query)
    n = int(match.group(1)) if match else 1
    hrefs = list(fault.get("hrefs", []))
    if fault.get("new_links"):
        hrefs += [f"{path.rstrip('/')}/berita-{n}-{k}.html" for k in range(3)]
    links = "".join(f'<li><a href="{h}">berita</a></li>' for h in hrefs)
    pages = "".join(f'<a href="{path}?page={k}">{k}</a> ' for k in range(n + 1, n + 6))
    inner = (f"<h1>Indeks halaman {n}</h1><ul>{links}</ul><nav>{pages}"
             f'<a rel="next" href="{path}?page={n + 1}">Selanjutnya</a></nav>')
    res.send(request, 200, HTML, page(f"Indeks halaman {n}", inner))


def _calendar_trap(res: FaultResource, request: server.Request, fault: Fault) -> None:
    """``<prefix>YYYY/MM/DD`` for every day, each linking to the day before and after: an
    archive calendar with no end and no articles."""
    path = request.uri.decode("latin-1").split("?", 1)[0]
    match = re.search(r"(\d{4})/(\d{2})/(\d{2})/?$", path)
    prefix = path[:match.start()] if match else path.rstrip("/") + "/"
    try:
        day = date(*map(int, match.groups())) if match else date(2025, 12, 1)
    except ValueError:
        day = date(2025, 12, 1)
    links = "".join(f'<a href="{prefix}{d:%Y/%m/%d}">{d:%d %b %Y}</a> '
                    for d in (day - timedelta(days=1), day + timedelta(days=1)))
    inner = f"<h1>Arsip {day:%d/%m/%Y}</h1><p>Tidak ada berita.</p><nav>{links}</nav>"
    res.send(request, 200, HTML, page(f"Arsip {day:%d/%m/%Y}", inner))


KINDS: dict[str, Callable[[FaultResource, server.Request, Fault], None]] = {
    "status": _status,
    "drip": _drip,
    "stall": _stall,
    "reset": _reset_mid_body,
    "truncated_gzip": _truncated_gzip,
    "length_lie": _length_lie,
    "redirect_chain": _redirect_chain,
    "huge": _huge,
    "gzip_bomb": _gzip_bomb,
    "xxe": _xxe,
    "charset": _charset,
    "nul": _nul,
    "no_body": _no_body,
    "binary": _binary,
    "soft404": _fixed(SOFT_404_PAGE),
    "waf": _fixed(WAF_PAGE),
    "login": _fixed(LOGIN_PAGE),
    "extra_links": _extra_links,
    "alias": _alias,
    "pagination_trap": _pagination_trap,
    "calendar_trap": _calendar_trap,
}


def load_plan(value: str) -> FaultPlan:
    """A plan from the command line: JSON text, or the path of a JSON file."""
    text = value if value.lstrip().startswith("{") else open(value, encoding="utf-8").read()
    return FaultPlan.from_spec(text)
