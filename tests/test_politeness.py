"""Politeness against real servers: Retry-After, backoff and robots.txt Crawl-delay."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import FAST, prakata, statuses


def test_every_retried_attempt_is_archived_after_retry_after(tmp_path):
    """A page that answers 503 (Retry-After: 1) twice and then 200: the crawler waits as
    asked, and all three exchanges are in the WARC."""
    hits, times = [], []

    class Flaky(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path == "/2025/12/flaky.html":
                times.append(time.monotonic())
            flaky = self.path == "/2025/12/flaky.html" and hits.count(self.path) <= 2
            status = 503 if flaky else (200 if self.path == "/2025/12/flaky.html" else 404)
            body = b"<html><body><h1>x</h1></body></html>"
            self.send_response(status)
            if flaky:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_port}"
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site}/2025/12/flaky.html\n")
    try:
        proc = prakata("crawl", "--site", site, "--urls", str(urls), "--out", str(tmp_path),
                       *FAST, "-s", "RETRY_TIMES=3")
    finally:
        server.shutdown()
    assert hits.count("/2025/12/flaky.html") == 3, proc.stderr[-2000:]
    # each retry waited the second that Retry-After asked for
    assert all(later - earlier >= 0.9 for earlier, later in zip(times, times[1:], strict=False))
    archived = statuses(tmp_path)
    assert archived.count("503") == 2 and archived.count("200") == 1



def test_robots_crawl_delay_is_honoured(tmp_path):
    """robots.txt says Crawl-delay: 1; even with DOWNLOAD_DELAY=0 pages come a second apart."""
    times = []

    class Site(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\nCrawl-delay: 1\n", "text/plain"
            else:
                times.append(time.monotonic())
                links = "".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(4))
                body, kind = f"<html><body>{links}</body></html>".encode(), "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proc = prakata("crawl", "--site", f"http://127.0.0.1:{server.server_port}",
                       "--out", str(tmp_path), *FAST)
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(times) >= 5  # home, the feed/sitemap probes' 200s and p0..p3
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps
