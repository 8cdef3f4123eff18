"""The local mirror: routing, HTTP behaviour and origin rewriting.

Almost everything runs against a tiny fixture tree built here, so these tests do not depend
on the content of the real fixtures/ dir; only the last test touches that tree.
"""

from __future__ import annotations

import gzip
import http.client
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from prakata_crawler.mirror import MirrorProcess, start_mirror_process
from prakata_crawler.mirror.world import DEFAULT_LAST_MODIFIED, OriginRewriter, load_routes

INDEX_HTML = b"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>Prakata</title>
<link rel="canonical" href="https://www.prakata.com/">
<script type="application/ld+json">{"url":"https:\\/\\/www.prakata.com\\/e.html"}</script>
</head><body>
<a href="https://www.prakata.com/a.html">a</a>
<a href="https://prakata.com/b.html">b</a>
<a href="http://www.prakata.com/c.html">c</a>
<a href="http://prakata.com/d.html">d</a>
<img src="//www.prakata.com/logo.png">
<a href="https://whatsapp.com/channel/0029AAA">wa</a>
<a href="https://www.whatsapp.com/channel/0029AAA">wa www</a>
<a href="https://prakata.community/">not ours</a>
<a href="https://cdn.prakata.com/x.js">subdomain</a>
</body></html>
"""
FEED_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><link>https://www.prakata.com/</link>
<item><link>https://prakata.com/2025/12/berita.html</link></item></channel></rss>
"""
CP1252_HTML = (
    b'<html><head><meta charset="windows-1252"></head><body>'
    b"<p>\x93Kutipan\x94 caf\xe9 \x96 <a href='https://www.prakata.com/berita'>x</a></p>"
    b"</body></html>\n"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00https://www.prakata.com/\x00"
ARTICLE_LAST_MODIFIED = "Tue, 25 Nov 2025 08:00:00 GMT"

ROUTES = {
    "site_origin": "https://www.prakata.com",
    "channel_origin": "https://www.whatsapp.com",
    "routes": [
        {"host": "site", "path": "/", "file": "site/index.html"},
        {"host": "site", "path": "/kategori/pemerintahan", "file": "site/kategori.html"},
        {"host": "site", "path": "/kategori/pemerintahan?page=2", "file": "site/kategori-2.html"},
        {
            "host": "site",
            "path": "/feed",
            "file": "site/feed.xml",
            "content_type": "application/rss+xml; charset=utf-8",
        },
        {"host": "site", "path": "/sitemap.xml", "file": "site/feed.xml"},
        {"host": "site", "path": "/robots.txt", "file": "site/robots.txt"},
        {"host": "site", "path": "/lama.html", "file": "site/lama.html", "charset": "windows-1252"},
        {"host": "site", "path": "/logo.png", "file": "site/logo.png"},
        {"host": "site", "path": "/tag/kota bogor", "file": "site/tag.html"},
        {"host": "site", "path": "/hilang.html", "file": "site/gone.html", "status": 410},
        {
            "host": "site",
            "path": "/2025/12/berita.html",
            "file": "site/berita.html",
            "last_modified": ARTICLE_LAST_MODIFIED,
        },
        {"host": "site", "path": "/2025/11/old-slug.html", "redirect": "/2025/11/new-slug.html"},
        {
            "host": "site",
            "path": "/pindah",
            "redirect": "https://prakata.com/2025/12/berita.html",
            "status": 302,
        },
        {"host": "channel", "path": "/channel/0029AAA", "file": "channels/prakata.html"},
    ],
}


def build_fixture_tree(root: Path) -> Path:
    """Write a tiny fixture world (files plus routes.json) under `root`."""
    files = {
        "site/index.html": INDEX_HTML,
        "site/kategori.html": b"<h1>KATEGORI PAGE 1</h1>\n",
        "site/kategori-2.html": b"<h1>KATEGORI PAGE 2</h1>\n",
        "site/feed.xml": FEED_XML,
        "site/robots.txt": b"User-agent: *\nSitemap: https://www.prakata.com/sitemap.xml\n",
        "site/lama.html": CP1252_HTML,
        "site/logo.png": PNG,
        "site/tag.html": b"<h1>TAG KOTA BOGOR</h1>\n",
        "site/gone.html": b"<h1>GONE</h1>\n",
        "site/berita.html": b"<h1>BERITA</h1><a href='https://www.prakata.com/'>home</a>\n",
        "site/404.html": b"<h1>HALAMAN TIDAK DITEMUKAN</h1><a href='https://prakata.com/'>x</a>\n",
        "channels/prakata.html": b"<h2>Prakata</h2><a href='https://www.prakata.com/'>site</a>\n",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "routes.json").write_text(json.dumps(ROUTES), encoding="utf-8")
    return root


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(
    origin: str, target: str, method: str = "GET", headers: dict[str, str] | None = None
) -> Response:
    """One request on a fresh connection; no redirect following, no decompression."""
    parts = urlsplit(origin)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, target, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MirrorProcess]:
    root = build_fixture_tree(tmp_path_factory.mktemp("fixture-world"))
    with start_mirror_process(root) as process:
        yield process


# --- routing -------------------------------------------------------------------------------


def test_serves_the_routed_file_with_its_headers(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/")
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.headers["Server"].startswith("prakata-mirror/")
    assert resp.headers["Last-Modified"] == DEFAULT_LAST_MODIFIED
    assert int(resp.headers["Content-Length"]) == len(resp.body)
    assert b'<a href="' + tiny.site.encode() + b'/a.html">' in resp.body


def test_query_string_is_part_of_the_route(tiny: MirrorProcess) -> None:
    assert b"PAGE 1" in fetch(tiny.site, "/kategori/pemerintahan").body
    assert b"PAGE 2" in fetch(tiny.site, "/kategori/pemerintahan?page=2").body
    assert fetch(tiny.site, "/kategori/pemerintahan?page=3").status == 404


def test_percent_encoded_target_matches_a_route_written_unencoded(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/tag/kota%20bogor")
    assert resp.status == 200
    assert b"TAG KOTA BOGOR" in resp.body


def test_unknown_path_is_404_with_the_sites_404_page(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/tidak/ada.html")
    assert resp.status == 404
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"HALAMAN TIDAK DITEMUKAN" in resp.body
    assert f"href='{tiny.site}/'".encode() in resp.body


def test_route_status_serves_the_file_with_that_status(tiny: MirrorProcess) -> None:
    first = fetch(tiny.site, "/hilang.html")
    assert (first.status, first.body) == (410, b"<h1>GONE</h1>\n")
    again = fetch(tiny.site, "/hilang.html", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 410


def test_redirect_route_is_301_to_an_absolute_mirror_url(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/2025/11/old-slug.html")
    assert resp.status == 301
    assert resp.headers["Location"] == f"{tiny.site}/2025/11/new-slug.html"


def test_redirect_to_a_real_absolute_url_is_rewritten_and_status_overridable(
    tiny: MirrorProcess,
) -> None:
    resp = fetch(tiny.site, "/pindah")
    assert resp.status == 302
    assert resp.headers["Location"] == f"{tiny.site}/2025/12/berita.html"


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/?utm_source=wa&utm_medium=social", "/"),
        (
            "/kategori/pemerintahan?utm_campaign=x&page=2&fbclid=abc",
            "/kategori/pemerintahan?page=2",
        ),
        ("/?m=1", "/"),
        ("/2025/12/berita.html?UTM_Source=x&gclid=1", "/2025/12/berita.html"),
        ("/tidak/ada?gclid=1", "/tidak/ada"),  # before route lookup
        ("//evil.example/x?utm_source=1", "//evil.example/x"),  # still a path on the mirror
    ],
)
def test_tracking_parameters_are_301_redirected_away(
    tiny: MirrorProcess, target: str, location: str
) -> None:
    resp = fetch(tiny.site, target)
    assert resp.status == 301
    assert resp.headers["Location"] == tiny.site + location


def test_other_parameters_are_not_redirected(tiny: MirrorProcess) -> None:
    assert fetch(tiny.site, "/?m=0").status == 404
    assert fetch(tiny.site, "/?utmost=1").status == 404


def test_channel_port_serves_channel_routes_only(tiny: MirrorProcess) -> None:
    assert tiny.channel != tiny.site
    resp = fetch(tiny.channel, "/channel/0029AAA")
    assert resp.status == 200
    assert f"href='{tiny.site}/'".encode() in resp.body
    assert fetch(tiny.channel, "/").status == 404
    assert fetch(tiny.channel, "/robots.txt").status == 404
    assert fetch(tiny.site, "/channel/0029AAA").status == 404
    redirect = fetch(tiny.channel, "/channel/0029AAA?utm_source=share")
    assert redirect.headers["Location"] == f"{tiny.channel}/channel/0029AAA"


def test_head_sends_the_headers_of_get_without_a_body(tiny: MirrorProcess) -> None:
    for accept in ("identity", "gzip"):
        get = fetch(tiny.site, "/feed", headers={"Accept-Encoding": accept})
        head = fetch(tiny.site, "/feed", "HEAD", headers={"Accept-Encoding": accept})
        assert head.status == 200
        assert head.body == b""
        for name in ("Content-Length", "Content-Type", "Content-Encoding", "ETag"):
            assert head.headers[name] == get.headers[name]


def test_other_methods_are_405(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/", "POST")
    assert resp.status == 405
    assert resp.headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    ("target", "content_type"),
    [
        ("/feed", "application/rss+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/lama.html", "text/html; charset=windows-1252"),
        ("/logo.png", "image/png"),
    ],
)
def test_content_type_from_route_or_suffix(
    tiny: MirrorProcess, target: str, content_type: str
) -> None:
    assert fetch(tiny.site, target).headers["Content-Type"] == content_type


# --- compression and conditional requests ---------------------------------------------------


def test_gzip_when_accepted(tiny: MirrorProcess) -> None:
    plain = fetch(tiny.site, "/", headers={"Accept-Encoding": "identity"})
    packed = fetch(tiny.site, "/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers["Content-Encoding"] is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) == len(packed.body)
    assert gzip.decompress(packed.body) == plain.body
    # The ETag is that of the served body before compression, so it is the same for both.
    assert packed.headers["ETag"] == plain.headers["ETag"]


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [(None, False), ("gzip;q=0, deflate", False), ("br", False), ("*", True), ("x-gzip", True)],
)
def test_gzip_negotiation(tiny: MirrorProcess, accept: str | None, gzipped: bool) -> None:
    resp = fetch(tiny.site, "/robots.txt", headers={"Accept-Encoding": accept} if accept else {})
    assert (resp.headers["Content-Encoding"] == "gzip") is gzipped


def test_binary_bodies_are_neither_compressed_nor_rewritten(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/logo.png", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] is None
    assert resp.headers["Vary"] is None
    assert resp.body == PNG


def test_if_none_match_gives_304(tiny: MirrorProcess) -> None:
    etag = fetch(tiny.site, "/").headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        resp = fetch(tiny.site, "/", headers={"If-None-Match": header})
        assert (resp.status, resp.body) == (304, b"")
        assert resp.headers["ETag"] == etag
        assert resp.headers["Content-Type"] is None
    assert fetch(tiny.site, "/", headers={"If-None-Match": '"other"'}).status == 200


def test_if_modified_since_gives_304(tiny: MirrorProcess) -> None:
    resp = fetch(tiny.site, "/2025/12/berita.html")
    assert resp.headers["Last-Modified"] == ARTICLE_LAST_MODIFIED
    for since, status in [
        (ARTICLE_LAST_MODIFIED, 304),
        ("Wed, 26 Nov 2025 00:00:00 GMT", 304),
        ("Mon, 24 Nov 2025 00:00:00 GMT", 200),
        ("not a date", 200),
    ]:
        assert (
            fetch(tiny.site, "/2025/12/berita.html", headers={"If-Modified-Since": since}).status
            == status
        )


def test_if_none_match_takes_precedence_over_if_modified_since(tiny: MirrorProcess) -> None:
    headers = {"If-None-Match": '"other"', "If-Modified-Since": ARTICLE_LAST_MODIFIED}
    assert fetch(tiny.site, "/2025/12/berita.html", headers=headers).status == 200


# --- origin rewriting -----------------------------------------------------------------------


def test_html_origins_are_rewritten_in_every_form(tiny: MirrorProcess) -> None:
    body = fetch(tiny.site, "/").body.decode()
    site, channel = tiny.site, tiny.channel
    for letter in "abcd":
        assert f'href="{site}/{letter}.html"' in body
    assert f'src="{site}/logo.png"' in body
    assert f'<link rel="canonical" href="{site}/">' in body
    assert '"url":"' + site.replace("/", "\\/") + '\\/e.html"' in body
    assert body.count(f'href="{channel}/channel/0029AAA"') == 2
    assert "https://prakata.community/" in body
    assert "https://cdn.prakata.com/x.js" in body
    assert "www.prakata.com" not in body and "whatsapp.com" not in body


def test_xml_origins_are_rewritten(tiny: MirrorProcess) -> None:
    body = fetch(tiny.site, "/feed").body.decode()
    assert f"<link>{tiny.site}/</link>" in body
    assert f"<link>{tiny.site}/2025/12/berita.html</link>" in body
    robots = fetch(tiny.site, "/robots.txt").body.decode()
    assert f"Sitemap: {tiny.site}/sitemap.xml" in robots


def test_cp1252_bytes_are_rewritten_without_decoding(tiny: MirrorProcess) -> None:
    expected = CP1252_HTML.replace(b"https://www.prakata.com", tiny.site.encode())
    assert fetch(tiny.site, "/lama.html").body == expected
    packed = fetch(tiny.site, "/lama.html", headers={"Accept-Encoding": "gzip"}).body
    assert gzip.decompress(packed) == expected


def test_origin_rewriter_unit() -> None:
    rewriter = OriginRewriter(
        {"https://www.prakata.com": "http://127.0.0.1:1", "https://whatsapp.com": "http://[::1]:2"}
    )
    source = (
        b"HTTPS://WWW.Prakata.com/x //prakata.com/y https://www.whatsapp.com/channel/Z "
        b"https://prakata.com.au/ https://prakata.com. http:\\/\\/prakata.com\\/q"
    )
    assert rewriter.rewrite(source) == (
        b"http://127.0.0.1:1/x http://127.0.0.1:1/y http://[::1]:2/channel/Z "
        b"https://prakata.com.au/ http://127.0.0.1:1. http:\\/\\/127.0.0.1:1\\/q"
    )


# --- cookies and connections ----------------------------------------------------------------


def test_site_html_sets_two_separate_cookies(tiny: MirrorProcess) -> None:
    cookies = fetch(tiny.site, "/").headers.get_all("Set-Cookie")
    assert len(cookies) == 2
    assert cookies[0].startswith("XSRF-TOKEN=") and "; path=/" in cookies[0]
    assert cookies[1].startswith("prakata_session=") and "; httponly" in cookies[1]
    assert len(fetch(tiny.site, "/tidak/ada").headers.get_all("Set-Cookie")) == 2
    assert fetch(tiny.site, "/feed").headers.get_all("Set-Cookie") is None
    assert fetch(tiny.channel, "/channel/0029AAA").headers.get_all("Set-Cookie") is None


def test_connection_is_kept_alive_across_requests(tiny: MirrorProcess) -> None:
    parts = urlsplit(tiny.site)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", "/robots.txt")
        first = conn.getresponse()
        first_body = first.read()
        sock = conn.sock
        assert sock is not None
        # Bodiless answers (HEAD, 304) must not desynchronise the connection either.
        conn.request("HEAD", "/")
        assert conn.getresponse().read() == b""
        conn.request("GET", "/robots.txt", headers={"If-None-Match": first.headers["ETag"]})
        not_modified = conn.getresponse()
        assert (not_modified.status, not_modified.read()) == (304, b"")
        conn.request("GET", "/robots.txt")
        last = conn.getresponse()
        assert (last.status, last.read()) == (200, first_body)
        assert conn.sock is sock, "the server closed the connection"
    finally:
        conn.close()


# --- route table and process ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"host": "site", "path": "/x", "file": "site/missing.html"}, "not found"),
        ({"host": "www", "path": "/x", "file": "site/a.html"}, "host"),
        ({"host": "site", "path": "x", "file": "site/a.html"}, "path"),
        ({"host": "site", "path": "/x", "file": "site/a.html", "redirect": "/y"}, "exactly one"),
        ({"host": "site", "path": "/x", "file": "../outside.html"}, "outside"),
        ({"host": "site", "path": "/x", "file": "site/a.html", "last_modified": "Sen"}, "RFC 1123"),
        ({"host": "site", "path": "/", "file": "site/a.html"}, "duplicate"),
        ({"host": "site", "path": "/x", "redirect": 3}, "strings"),
    ],
)
def test_load_routes_rejects_broken_tables(tmp_path: Path, route: dict, message: str) -> None:
    root = tmp_path / "fixtures"
    (root / "site").mkdir(parents=True)
    (root / "site" / "a.html").write_text("a")
    (tmp_path / "outside.html").write_text("o")
    table = {
        "site_origin": "https://www.prakata.com",
        "channel_origin": "https://www.whatsapp.com",
        "routes": [{"host": "site", "path": "/", "file": "site/a.html"}, route],
    }
    (root / "routes.json").write_text(json.dumps(table))
    with pytest.raises(ValueError, match=message):
        load_routes(root)


def test_load_routes_applies_defaults(tmp_path: Path) -> None:
    root = build_fixture_tree(tmp_path)
    table = load_routes(root)
    assert len(table.routes) == len(ROUTES["routes"])
    redirect = table.lookup("site", b"/2025/11/old-slug.html")
    assert redirect is not None and redirect.status == 301
    assert table.lookup("channel", b"/") is None


def test_process_with_a_broken_table_fails_fast_with_its_error(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr, pytest.raises(RuntimeError, match="exited with status 2"):
        start_mirror_process(tmp_path, stderr=stderr, timeout=30)
    assert "routes.json not found" in log.read_text()


@pytest.mark.parametrize("verbose", [True, False])
def test_access_log_only_when_verbose(tmp_path: Path, verbose: bool) -> None:
    root = build_fixture_tree(tmp_path / "fixtures")
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = start_mirror_process(root, verbose=verbose, stderr=stderr)
        try:
            fetch(process.site, "/robots.txt")
            fetch(process.channel, "/channel/0029AAA")
        finally:
            process.stop()
    assert process.process.returncode == 0  # SIGTERM is a clean shutdown
    lines = log.read_text().splitlines()
    if verbose:
        assert len(lines) == 2
        assert '[site] 127.0.0.1 "GET /robots.txt HTTP/1.1" 200' in lines[0]
        assert '[channel] 127.0.0.1 "GET /channel/0029AAA HTTP/1.1" 200' in lines[1]
    else:
        assert lines == []


def test_child_exits_when_its_parent_closes_stdin(tmp_path: Path) -> None:
    process = start_mirror_process(build_fixture_tree(tmp_path))
    try:
        assert process.process.stdin is not None
        process.process.stdin.close()
        assert process.process.wait(timeout=10) == 0
    except subprocess.TimeoutExpired:
        pytest.fail("the mirror kept running after its parent went away")
    finally:
        process.stop()


# --- the real fixture tree ------------------------------------------------------------------


def test_real_fixture_tree_starts_and_serves_robots_txt(mirror) -> None:
    """The session mirror over the repository's fixtures/ dir (needs fixtures/routes.json)."""
    assert fetch(mirror.site_origin, "/robots.txt").status == 200
