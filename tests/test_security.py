"""Security against a hostile web: what the crawler fetches, parses, decompresses, names and
writes, tested on the real crawler (``prakata crawl`` in a subprocess) against local servers.

"Never fetched" is proven by a watched listener on 127.0.0.1 (and [::1]) on its own port that
every hostile link and redirect points at: it must see zero connections. Only 127.0.0.1/::1
is ever contacted; the private and metadata addresses are refused before any connection
(unit level in test_urls.py and test_middlewares.py).
"""

from __future__ import annotations

import gzip
import json
import re
import socket
import subprocess
import sys
import threading
import tracemalloc
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

import pytest
import scrapy
from conftest import FAST, prakata, records
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from prakata_crawler import settings as project_settings
from prakata_crawler.extract import extract
from prakata_crawler.reextract import archived_items

ROOT = Path(__file__).resolve().parents[1]
CHANNEL_ID = "0029VaPrakataNewsTgr01234"
ARTICLE = """<!doctype html><html><head><title>{title} - Prakata.com</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-12-01T09:00:00+07:00"></head><body>
<article><h1>{title}</h1><p>Prakata.com – Pemerintah Kota Tangerang menggelar apel pagi bersama
warga di halaman kantor wali kota, Senin (1/12/2025), yang dihadiri ratusan peserta.</p>
<p>Kegiatan itu diisi pemeriksaan kesehatan gratis dan pelayanan administrasi kependudukan
yang dibuka sejak pukul tujuh pagi hingga siang hari untuk seluruh warga kota.</p>
<p>"Pelayanan harus nyata dan dekat dengan warga," tegasnya. (Rtm)</p>{extra}</article>
</body></html>"""


class Server(ThreadingHTTPServer):
    """A local HTTP server answering from a route table; it records every connection and
    every request (path and headers)."""

    daemon_threads = True

    def __init__(self, routes: dict, host: str = "127.0.0.1", port: int = 0):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.routes = routes
        self.connections = 0
        self.requests: list[tuple[str, dict]] = []
        super().__init__((host, port), Handler)

    def get_request(self):
        conn = super().get_request()
        self.connections += 1
        return conn

    @property
    def hostport(self) -> str:
        host, port = self.server_address[:2]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        status, headers, body = self.server.routes.get(
            self.path, (404, {"Content-Type": "text/html"}, b"<h1>404</h1>"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serving(*servers: Server):
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield servers
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def html(body: str) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def xml(body: str) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/xml"}, body.encode()


@pytest.fixture
def watched():
    """Listeners nobody may contact: 127.0.0.1:<port> and [::1]:<same port>."""
    v4 = Server({})
    v6 = Server({}, "::1", v4.server_address[1])
    with serving(v4, v6):
        yield v4, v6


def crawl(site: Server, out: Path, *args: str, channel: Server | None = None):
    cmd = ["crawl", "--site", f"http://{site.hostport}", "--out", str(out), *FAST,
           "-s", "DOWNLOAD_TIMEOUT=10", "-s", "RETRY_TIMES=0", *args]
    if channel is not None:
        cmd += ["--channel-host", channel.hostport]
    proc = prakata(*cmd)
    reports = sorted((out / "runs").glob("*.json"))
    assert reports, proc.stderr[-3000:]
    return proc, json.loads(reports[-1].read_text())


def archive_text(out: Path) -> str:
    """Everything the run wrote outside the WARCs (items, report, indexes, state)."""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*")
                   if p.is_file() and "warc" not in p.parts)


# -- scope: hosts, ports, addresses, schemes, redirects --------------------------------------

def test_links_and_redirects_never_reach_other_hosts_ports_addresses_or_schemes(
        watched, tmp_path):
    v4, v6 = watched
    port = v4.server_address[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a")
    site = Server({})
    channel = Server({f"/channel/{CHANNEL_ID}": html(
        '<meta property="og:title" content="Prakata"><h3>1,2 rb pengikut</h3>')})
    me = site.hostport
    loopbacks = [f"127.0.0.1:{port}", f"localhost:{port}", f"2130706433:{port}",
                 f"0x7f000001:{port}", f"0x7f.0.0.1:{port}", f"127.1:{port}",
                 f"017700000001:{port}", f"[::1]:{port}", f"[::ffff:127.0.0.1]:{port}",
                 f"{me}@127.0.0.1:{port}", f"x@{me}", f"127.0.0.1:{port}\\@{me}"]
    http_targets = [f"http://{h}/t{i}" for i, h in enumerate(loopbacks)] + [
        f"https://127.0.0.1:{port}/tls", f"//127.0.0.1:{port}/scheme-relative"]
    other_schemes = [f"file://{secret}", f"data:text/html,<a href='http://127.0.0.1:{port}/d'>",
                     f"ftp://127.0.0.1:{port}/f", f"gopher://127.0.0.1:{port}/g",
                     f"ws://127.0.0.1:{port}/ws", f"javascript:fetch('//127.0.0.1:{port}/j')"]
    targets = http_targets + other_schemes
    for i, target in enumerate(targets):  # every redirect status, each to its own target
        site.routes[f"/r/{i}"] = ([301, 302, 303, 307, 308][i % 5], {"Location": target}, b"")
    site.routes["/chain"] = (301, {"Location": f"http://{me}/r/0?via=chain"}, b"")
    site.routes["/r/0?via=chain"] = (302, {"Location": f"http://127.0.0.1:{port}/chained"}, b"")
    site.routes["/refresh"] = html(f'<meta http-equiv="refresh" content="0; '
                                   f'url=http://127.0.0.1:{port}/refresh">')
    links = [f"http://{h}/a{i}" for i, h in enumerate(loopbacks)] + [
        f"//127.0.0.1:{port}/pr", *other_schemes,
        f"http://{channel.hostport}/channel/{CHANNEL_ID}",
        f"http://x@{channel.hostport}/channel/0029VaPrakataNewsTgr99999"]
    site.routes["/"] = html(
        "".join(f'<a href="{u}">x</a>' for u in links)
        + "".join(f'<a href="/r/{i}">r</a>' for i in range(len(targets)))
        + f'<a href="/chain">c</a><a href="/refresh">m</a>'
          f'<link rel="next" href="http://127.0.0.1:{port}/next">'
          f'<link rel="amphtml" href="http://[::1]:{port}/amp">')
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                  f"User-agent: *\nSitemap: http://127.0.0.1:{port}/s.xml\n"
                                  f"Sitemap: http://{me}/sitemap.xml\n".encode())
    site.routes["/sitemap.xml"] = xml(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{u}</loc></url>" for u in links[:6]) + "</urlset>")
    site.routes["/feed"] = xml("<rss><channel>" + "".join(
        f"<item><link>{u}</link></item>" for u in links[:6]) + "</channel></rss>")

    with serving(site, channel):
        proc, report = crawl(site, tmp_path / "out", channel=channel)

    assert (v4.connections, v6.connections) == (0, 0), (v4.requests, v6.requests)
    fetched = {path for path, _ in site.requests}
    assert {f"/r/{i}" for i in range(len(targets))} | {"/chain", "/refresh"} <= fetched
    assert sorted(p for p, _ in channel.requests) == [f"/channel/{CHANNEL_ID}", "/robots.txt"]
    # each http(s) redirect, the chain's end, the meta refresh and the userinfo channel link
    # reached the scope check and were refused; other schemes Scrapy drops before a request
    scope = report["out_of_scope"]
    assert scope["refused"] == len(http_targets) + 3, (scope, report["not_fetched_by_policy"])
    assert scope["links"] >= len(links)  # page links, <link>s, robots, sitemap and feed
    refused = report["not_fetched_by_policy"]
    assert any(":" + str(port) in url and "chained" in url for url in refused)
    assert "TOP-SECRET" not in archive_text(tmp_path / "out")
    assert all("TOP-SECRET" not in body.decode("latin-1") for _, _, body in
               records(tmp_path / "out"))
    assert report["status"] == "ok", proc.stderr[-2000:]


def test_requisites_never_reach_other_hosts_and_an_offsite_redirect_is_refused(watched,
                                                                                tmp_path):
    """A page's images, stylesheets and scripts are fetched only from the site (and its
    asset hosts): loopback tricks, other ports, trackers and a photo that redirects off the
    site are left out, each said so in the page's WARC metadata record and the report."""
    v4, v6 = watched
    port = v4.server_address[1]
    site = Server({})
    me = site.hostport
    hostile = [f"http://127.0.0.1:{port}/i.jpg", f"http://localhost:{port}/l.jpg",
               f"http://[::1]:{port}/v6.jpg", f"http://2130706433:{port}/n.jpg",
               f"//127.0.0.1:{port}/pr.jpg", f"http://{me}@127.0.0.1:{port}/u.jpg",
               "file:///etc/passwd", f"http://169.254.169.254:{port}/meta.jpg"]
    extra = "".join(f'<img src="{u}">' for u in hostile) + (
        '<img src="/storage/foto.jpg"><img src="/storage/pindah.jpg">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
        f'<script src="http://localhost:{port}/t.js"></script>'
        '<script src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>')
    site.routes["/"] = html('<a href="/2025/12/apel.html">apel</a>')
    site.routes["/2025/12/apel.html"] = html(ARTICLE.format(title="Apel pagi", extra=extra))
    site.routes["/storage/foto.jpg"] = (200, {"Content-Type": "image/jpeg"},
                                        b"\xff\xd8\xff\xe0 JFIF photo bytes")
    site.routes["/storage/pindah.jpg"] = (302, {"Location": f"http://127.0.0.1:{port}/x.jpg"},
                                          b"")

    with serving(site):
        proc, report = crawl(site, tmp_path / "out")

    assert (v4.connections, v6.connections) == (0, 0), (v4.requests, v6.requests)
    fetched = {path for path, _ in site.requests}
    assert {"/storage/foto.jpg", "/storage/pindah.jpg"} <= fetched, proc.stderr[-2000:]
    requisites = report["requisites"]
    assert requisites["fetched"] == 1 and requisites["ad_or_tracker"] == 1
    assert f"http://{me}/storage/pindah.jpg" in requisites["refused_urls"]
    assert sum(requisites["out_of_scope_hosts"].values()) >= len(hostile) - 1  # file: too
    [item] = [i for i in _items(tmp_path / "out") if i["type"] == "article"]
    archived = {i["url"]: i["archived"] for i in item["images"]}
    assert archived[f"http://{me}/storage/foto.jpg"]
    assert not archived[f"http://{me}/storage/pindah.jpg"]
    [note] = [body.decode() for _, r, body in records(tmp_path / "out")
              if r.rec_type == "metadata" and r.rec_headers.get_header("WARC-Target-URI")
              == f"http://{me}/2025/12/apel.html"]
    assert f"not-captured: http://{me}/storage/pindah.jpg image out of scope" in note
    assert f"not-captured: http://127.0.0.1:{port}/s.css style out of scope" in note
    assert "googletagmanager.com/gtag/js?id=G-1 script ad or tracker" in note
    assert report["status"] == "ok"


def _items(out: Path) -> list[dict]:
    return [json.loads(line) for f in (out / "items").glob("*.jsonl")
            for line in f.read_text(encoding="utf-8").splitlines()]


# -- XML: no entities, no external resources ----------------------------------------------

def xxe_doctype(root: str, secret: Path, port: int) -> str:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n'
            f'  <!ENTITY file SYSTEM "file://{secret}">\n'
            f'  <!ENTITY remote SYSTEM "http://127.0.0.1:{port}/entity">\n'
            f'  <!ENTITY % dtd SYSTEM "http://127.0.0.1:{port}/dtd"> %dtd;\n'
            f'  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n')


def test_xml_external_entities_are_neither_read_nor_fetched(watched, tmp_path):
    v4, v6 = watched
    port = v4.server_address[1]
    secret = tmp_path / "secret.txt"
    secret.write_text("XXE-SECRET-b41d")
    site = Server({})
    me = f"http://{site.hostport}"
    site.routes["/robots.txt"] = (200, {}, f"Sitemap: {me}/external-dtd.xml\n".encode())
    site.routes["/sitemap.xml"] = xml(
        xxe_doctype("urlset", secret, port)
        + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{me}/2025/12/&file;.html</loc></url>"
        f"<url><loc>{me}/2025/12/a-&remote;&lol2;.html</loc></url>"
        f"<url><loc>{me}/2025/12/plain.html</loc></url></urlset>")
    site.routes["/external-dtd.xml"] = xml(
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "http://127.0.0.1:{port}/ext.dtd">'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{me}/2025/12/from-dtd-sitemap.html</loc></url></urlset>")
    site.routes["/feed"] = xml(
        xxe_doctype("rss", secret, port)
        + f"<rss><channel><item><link>{me}/2025/12/&file;-feed.html</link></item>"
        f"<item><link>{me}/2025/12/feed-plain.html</link></item></channel></rss>")
    for path in ("/2025/12/plain.html", "/2025/12/from-dtd-sitemap.html",
                 "/2025/12/feed-plain.html"):
        page = ARTICLE.format(title=f"Apel pagi bersama warga {path}", extra="<p>&file;</p>")
        site.routes[path] = html(xxe_doctype("html", secret, port) + page)

    with serving(site):
        proc, report = crawl(site, tmp_path / "out")

    assert (v4.connections, v6.connections) == (0, 0), (v4.requests, v6.requests)
    fetched = [path for path, _ in site.requests]
    # the sitemaps and the feed were read (their plain entries fetched) ...
    assert {"/2025/12/plain.html", "/2025/12/from-dtd-sitemap.html",
            "/2025/12/feed-plain.html"} <= set(fetched), proc.stderr[-2000:]
    # ... and no entity was expanded into a URL, an item, the report or the index
    assert not any("XXE-SECRET" in path or "lol" in path for path in fetched)
    assert "XXE-SECRET" not in archive_text(tmp_path / "out")
    assert report["articles"] >= 3


def test_html_parsing_resolves_no_entities(tmp_path):
    """Extraction's own lxml parsers (HTML pages, JSON-LD, channel pages) on a page that
    declares external entities: nothing is read from disk or network."""
    secret = tmp_path / "secret.txt"
    secret.write_text("HTML-SECRET-91c2")
    page = (xxe_doctype("html", secret, 9) + ARTICLE.format(
        title="Apel pagi bersama warga", extra="<p>&file;</p>")).encode()
    for url in ("https://www.prakata.com/2025/12/apel.html",
                f"https://www.whatsapp.com/channel/{CHANNEL_ID}"):
        assert "HTML-SECRET" not in json.dumps(extract(page, url))


# -- size caps -----------------------------------------------------------------------------

def test_download_and_decompression_sizes_are_capped():
    """Scrapy (>= 2.11) stops decompressing at DOWNLOAD_MAXSIZE; ours is 16 MB, warns at
    4 MB: a 17 KB gzip bomb of 17 MB is refused, not inflated."""
    assert tuple(map(int, scrapy.__version__.split(".")[:2])) >= (2, 11)
    assert project_settings.DOWNLOAD_WARNSIZE < project_settings.DOWNLOAD_MAXSIZE <= 16 << 20
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": project_settings.DOWNLOAD_MAXSIZE})
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    crawler.spider = scrapy.Spider("x")
    bomb = gzip.compress(b"\0" * (17 << 20))
    response = Response("http://127.0.0.1/sitemap.xml", body=bomb,
                        headers={"Content-Encoding": "gzip"})
    with pytest.raises(IgnoreRequest, match="DOWNLOAD_MAXSIZE"):
        middleware.process_response(scrapy.Request(response.url), response)


def _warc_with(path: Path, url: str, body: bytes, encoding: str) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"),
                                              ("Content-Encoding", encoding)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                      length=len(body), http_headers=headers))


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_reextract_does_not_inflate_an_archived_bomb(tmp_path, encoding):
    """The archive keeps bodies as received, so a bomb the live crawl refused is in it;
    re-extraction skips it with bounded memory instead of inflating 128 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    bomb = compressor.compress(b"<html><body>") + b"".join(
        compressor.compress(b" " * (1 << 20)) for _ in range(128)) + compressor.flush()
    _warc_with(tmp_path / "bomb.warc.gz", "http://127.0.0.1/2025/12/bomb.html", bomb, encoding)
    tracemalloc.start()
    try:
        items = list(archived_items(tmp_path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert items == []
    assert peak < 3 * project_settings.DOWNLOAD_MAXSIZE


# -- file names ----------------------------------------------------------------------------

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def test_no_output_file_name_comes_from_a_url_or_header(tmp_path):
    """A site whose links, redirects and headers carry path tricks: every file the crawl
    writes stays under --out with a name of plain characters."""
    hostile = ["/../../../../tmp/escape.html", "/..%2f..%2fescape.html", "/%2e%2e/%2e%2e/x.html",
               "/2025/12/a%00b.html", "/2025/12/..\\..\\win.html", "/2025/12/" + "x" * 300 + ".html"]
    site = Server({})
    site.routes["/"] = html("".join(f'<a href="{u}">x</a>' for u in hostile))
    site.routes["/robots.txt"] = (200, {"Content-Disposition": "attachment; filename=../../r"},
                                  b"User-agent: *\n")
    for path in hostile:
        site.routes[path] = (301, {"Location": "/../../etc/passwd",
                                   "Content-Disposition": 'attachment; filename="../../x"'}, b"")
    out = tmp_path / "out"
    with serving(site):
        proc, report = crawl(site, out)
    written = list(out.rglob("*"))
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert all(SAFE_NAME.match(p.name) for p in written), [p.name for p in written]
    assert list(tmp_path.iterdir()) == [out]
    assert report["pages"] > len(hostile), proc.stderr[-2000:]


def test_names_from_settings_and_job_files_cannot_escape_either(tmp_path):
    """The WARC prefix (a setting) and a resumed job's run id (a file under --out) are
    reduced to, or checked for, plain characters too."""
    out = tmp_path / "out"
    site = Server({"/": html("<p>x</p>")})
    with serving(site):
        first = prakata("crawl", "--site", f"http://{site.hostport}", "--out", str(out),
                        *FAST, "-s", "PRAKATA_WARC_PREFIX=../../evil/x")
        (out / "job" / "run-id").write_text("../../evil")
        resumed = prakata("crawl", "--site", f"http://{site.hostport}", "--out", str(out),
                          "--resume", *FAST)
    assert first.returncode == 0, first.stderr[-2000:]
    assert resumed.returncode == 2 and "run id" in resumed.stderr
    assert list(tmp_path.iterdir()) == [out]
    assert all(SAFE_NAME.match(p.name) for p in out.rglob("*")), list(out.rglob("*"))


def test_a_run_id_setting_cannot_escape_the_output_dir_through_scrapy_crawl(tmp_path):
    """``scrapy crawl`` bypasses ``prakata crawl``: the spider checks the run id itself
    before anything is written (the site is never contacted: port 9 is not listening)."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "prakata", "-a", "site=http://127.0.0.1:9",
         "-s", f"PRAKATA_OUT={out}", "-s", "PRAKATA_RUN_ID=../../evil"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "PRAKATA_RUN_ID must match" in proc.stderr
    assert not (tmp_path / "evil.jsonl").exists() and not (tmp_path / "evil.json").exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*")), list(tmp_path.rglob("*"))


# -- cookies and session tokens stay out of items ------------------------------------------

def test_cookies_and_csrf_tokens_are_archived_but_never_in_items(mirror_crawl):
    out = mirror_crawl.out
    secrets_seen = set()
    for _, record, body in records(out):
        if record.rec_type != "response":
            continue
        for name, value in record.http_headers.headers:
            if name.lower() == "set-cookie":
                secrets_seen.add(value.split(";", 1)[0].split("=", 1)[1])
        text = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode(
            "utf-8", "replace")
        secrets_seen.update(re.findall(r'name="csrf-token" content="([A-Za-z0-9]{40})"', text))
        secrets_seen.update(re.findall(r'name="_token" value="([A-Za-z0-9]{40})"', text))
    requests_with_cookies = [r for _, r, _ in records(out) if r.rec_type == "request"
                             and r.http_headers.get_header("Cookie")]
    assert len(secrets_seen) > 20 and requests_with_cookies  # the WARC keeps them all
    items = "\n".join(json.dumps(item, ensure_ascii=False) for item in mirror_crawl.items)
    assert mirror_crawl.items
    leaked = sorted(s for s in secrets_seen if s in items)
    assert not leaked
    for word in ("XSRF-TOKEN", "prakata_session", "laravel_session", "csrf-token", "_token"):
        assert word not in items


# -- user agent and contact ----------------------------------------------------------------

@pytest.mark.parametrize(("setting", "expected"), [
    ("PRAKATA_CONTACT=mailto:arsip@example.org",
     re.compile(r"^prakata-crawler/\S+ \(news archiver; \+mailto:arsip@example\.org\)$")),
    ("USER_AGENT=ArsipBot/2.0 (+https://arsip.example/bot)",
     re.compile(r"^ArsipBot/2\.0 \(\+https://arsip\.example/bot\)$")),
])
def test_configured_user_agent_is_sent_and_in_warcinfo(tmp_path, setting, expected):
    page = ARTICLE.format(title="Apel pagi bersama warga", extra="")
    site = Server({"/robots.txt": (200, {}, b"User-agent: *\n"), "/": html(page)})
    with serving(site):
        proc, report = crawl(site, tmp_path, "-s", setting)
    agents = {headers.get("User-Agent") for _, headers in site.requests}
    assert len(agents) == 1 and expected.match(agents.pop()), (agents, proc.stderr[-1000:])
    assert "/robots.txt" in [path for path, _ in site.requests]
    info = [body.decode() for _, r, body in records(tmp_path) if r.rec_type == "warcinfo"]
    assert info and all(expected.match(re.search(r"http-header-user-agent: (.*)\r\n", i)[1])
                        for i in info)
    if "CONTACT" in setting:
        assert all("operator: mailto:arsip@example.org" in i for i in info)
