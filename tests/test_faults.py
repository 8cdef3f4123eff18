"""The crawler against a hostile web: one crawl of the fixture mirror with a fault on almost
every page (prakata_crawler.mirror.faults), then one test per fault class asserting what a user
sees: recovered after retries, or a failure with its reason in the run report and the log;
error pages with status 200 as rejects; every exchange in the WARC; the archive verifies;
no item lost or duplicated; bounded memory; the run ends within its timeouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import FAST, prakata, records

from prakata_crawler.mirror import start_mirror_process

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARTICLES = {json.loads(p.read_text(encoding="utf-8"))["expected"]["url"]
            .removeprefix("https://www.prakata.com"): json.loads(p.read_text(encoding="utf-8"))
            ["expected"] for p in (FIXTURES / "goldens").glob("site-*.json")}


def article(word: str) -> str:
    """The path of the one fixture article whose path contains ``word``."""
    [path] = [p for p in ARTICLES if word in p]
    return path


# fault -> article it hits; "permanent" ones can never be fetched
BURST_500, BURST_502, BURST_503 = article("hut-ke-54"), article("dinkes"), article("harga-cabai")
THROTTLED, DOWN = article("turnamen-futsal"), article("perpanjang-program")
DRIP, STALL_ONCE, STALL = article("dprd"), article("beasiswa"), article("mal-pelayanan")
RESET_TWICE, RESET = article("ratusan-guru"), article("polisi-ringkus")
CUT_GZIP_ONCE, CUT_GZIP = article("lurah-diminta"), article("apel-kesiapsiagaan")
LYING_LENGTH_ONCE, LYING_LENGTH = article("bkpsdm"), article("kejari")
WRONG_CHARSET, NULS, NO_BODY = article("rsud"), article("siswa-smpn"), article("dindik")
CHAIN_END = article("musrenbang")
# requisites: the lead photo of an article is gone, the site's stylesheet stalls, the home
# page shows a video too big to fetch and an image that redirects off the site
PHOTO_GONE_ARTICLE = article("tanam-3000")
PHOTO_GONE = urlsplit(ARTICLES[PHOTO_GONE_ARTICLE]["images"][0]["url"]).path
STALLED_CSS = "/css/app.css?id=7c1d6f0e3b2a94d58e61"
VIDEO, OFFSITE_IMAGE = "/media/banjir-cisadane.mp4", "/storage/posts/2025/12/pindah.jpg"
UNREACHABLE = {DOWN: "HTTP 503 (after 3 retries)", STALL: "DownloadTimeoutError",
               RESET: "ResponseDataLossError", CUT_GZIP: "BodyTruncated: truncated gzip body",
               LYING_LENGTH: "ResponseDataLossError"}
LOGIN_WALLED = "/channel/0029Va9KotaTngrX4pLm2Qw7"
DUPLICATES = [BURST_500 + "?utm_source=wa", BURST_502 + "?fbclid=abc",
              BURST_503.replace("harga", "HARGA"), THROTTLED + "?utm_medium=x&fbclid=1"]
BOMB_SIZE = 2**30
MAX_SIZE = 2_000_000  # above the bomb on the wire (1 MB), far below it inflated
TIMEOUT = 3  # seconds: short, with room for a loaded machine
SETTINGS = ["-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}", "-s", "RETRY_TIMES=3", "-s", "RETRY_BACKOFF_BASE=0.1",
            "-s", "RETRY_BACKOFF_MAX=0.5", "-s", f"DOWNLOAD_MAXSIZE={MAX_SIZE}",
            "-s", "PRAKATA_MAX_ERROR_RATE=1", "-s", "PRAKATA_MAX_WALK=5"]


def plan(secret_file: Path, watch: str, log: Path) -> dict:
    rules = {
        BURST_500: {"kind": "status", "status": 500, "times": 1},
        BURST_502: {"kind": "status", "status": 502, "times": 2},
        BURST_503: {"kind": "status", "status": 503, "times": 3},
        THROTTLED: {"kind": "status", "status": 429, "times": 2, "retry_after": 1},
        DOWN: {"kind": "status", "status": 503},
        DRIP: {"kind": "drip", "chunk": 4096, "interval": 0.05},
        STALL_ONCE: {"kind": "stall", "times": 1},
        STALL: {"kind": "stall", "sent": 100},
        RESET_TWICE: {"kind": "reset", "times": 2},
        RESET: {"kind": "reset"},
        CUT_GZIP_ONCE: {"kind": "truncated_gzip", "times": 1},
        CUT_GZIP: {"kind": "truncated_gzip"},
        LYING_LENGTH_ONCE: {"kind": "length_lie", "times": 1},
        LYING_LENGTH: {"kind": "length_lie"},
        WRONG_CHARSET: {"kind": "charset", "declared": "windows-1252"},
        NULS: {"kind": "nul"},
        NO_BODY: {"kind": "no_body"},
        "/lama/berita": {"kind": "redirect_chain", "hops": 5, "to": CHAIN_END},
        "/putar": {"kind": "redirect_chain", "hops": 3, "loop": True},
        "/panjang": {"kind": "redirect_chain", "hops": 25, "to": "/"},
        "/besar.html": {"kind": "huge", "size": 3 * MAX_SIZE},
        "/besar-chunked.html": {"kind": "huge", "size": 3 * MAX_SIZE, "chunked": True},
        "/biner.html": {"kind": "binary"},
        "/2025/12/cek-keamanan.html": {"kind": "waf"},
        "/2025/12/hilang-lunak.html": {"kind": "soft404"},
        "/sitemap-pages.xml": {"kind": "gzip_bomb", "size": BOMB_SIZE},
        "/rss": {"kind": "status", "status": 502},  # a discovery probe
        "/sitemap-news.xml": {"kind": "xxe", "url": watch, "file": str(secret_file)},
        "/kategori/tanpa-akhir": {"kind": "pagination_trap", "hrefs": [CHAIN_END]},
        "/kategori/tanpa-batas": {"kind": "pagination_trap", "new_links": True},
        "/arsip/*": {"kind": "calendar_trap"},
        PHOTO_GONE: {"kind": "status", "status": 404},
        STALLED_CSS: {"kind": "stall"},
        VIDEO: {"kind": "huge", "size": 3 * MAX_SIZE, "content_type": "video/mp4"},
        OFFSITE_IMAGE: {"kind": "redirect_chain", "hops": 0, "to": watch + "/foto-curian.jpg"},
        DUPLICATES[2]: {"kind": "alias", "of": BURST_503},
        "channel:" + LOGIN_WALLED: {"kind": "login"},
        "/": {"kind": "extra_links", "hrefs": [
            "/lama/berita", "/putar", "/panjang", "/besar.html", "/besar-chunked.html",
            "/biner.html", "/2025/12/cek-keamanan.html", "/2025/12/hilang-lunak.html",
            "/kategori/tanpa-akhir", "/kategori/tanpa-batas", "/arsip/2025/12/01",
            *DUPLICATES],
            "html": f'<video src="{VIDEO}" controls></video><img src="{OFFSITE_IMAGE}" alt="">'},
    }
    return {"rules": rules, "log": str(log)}


@dataclass(frozen=True)
class Run:
    proc: subprocess.CompletedProcess
    out: Path
    site: str
    items: list[dict]
    report: dict
    max_rss_kb: int
    watched: list[str]
    secret: str
    injected: list[dict]

    def url(self, path: str) -> str:
        return self.site + path

    def failure(self, path: str) -> str | None:
        return self.report["fetch_failure_urls"].get(self.url(path))

    def emitted(self, path: str) -> list[dict]:
        return [i for i in self.items if i["url"] == self.url(path)]

    def exchanges(self, path: str) -> list[tuple[str, str]]:
        """(record type, HTTP status or error) of the archive's records for ``path``."""
        found = []
        for _, record, body in records(self.out):
            if record.rec_headers.get_header("WARC-Target-URI") != self.url(path):
                continue
            if record.rec_type == "response":
                found.append(("response", record.http_headers.get_statuscode()))
            elif record.rec_type == "metadata" and body.startswith(b"outcome: fetch-error"):
                found.append(("fetch-error", body.decode().split("error: ", 1)[1].strip()))
            elif record.rec_type == "request":
                found.append(("request", ""))
        return found


class Watch(BaseHTTPRequestHandler):
    """The 127.0.0.1 URL the XXE sitemap points at: any request here is a leak."""

    hits: list[str] = []

    def do_GET(self):
        Watch.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    tmp = tmp_path_factory.mktemp("faults")
    secret = "RAHASIA-" + os.urandom(6).hex()
    secret_file = tmp / "secret.txt"
    secret_file.write_text(secret + "\n")
    watch = ThreadingHTTPServer(("127.0.0.1", 0), Watch)
    threading.Thread(target=watch.serve_forever, daemon=True).start()
    out, log = tmp / "out", tmp / "faults.jsonl"
    try:
        with start_mirror_process(
                faults=plan(secret_file, f"http://127.0.0.1:{watch.server_port}", log)) as m:
            cmd = [sys.executable, "-m", "prakata_crawler.cli", "crawl", "--site", m.site,
                   "--channel-host", m.channel.split("://", 1)[1], "--out", str(out),
                   *FAST, *SETTINGS]
            with open(tmp / "stdout", "w") as stdout, open(tmp / "stderr", "w") as stderr:
                child = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
                timer = threading.Timer(240, child.kill)  # a hang fails here, not in CI
                timer.start()
                _, status, usage = os.wait4(child.pid, 0)  # the crawl's own peak RSS
                timer.cancel()
    finally:
        watch.shutdown()
    proc = subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status),
                                       (tmp / "stdout").read_text(), (tmp / "stderr").read_text())
    items = [json.loads(line) for f in (out / "items").glob("*.jsonl")
             for line in f.read_text(encoding="utf-8").splitlines()]
    [report] = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    injected = [json.loads(line) for line in log.read_text().splitlines()]
    return Run(proc, out, m.site, items, report, usage.ru_maxrss, list(Watch.hits), secret,
               injected)


def test_the_run_ends_cleanly_and_the_archive_verifies(run):
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    assert run.report["status"] == "ok" and run.report["finish_reason"] == "finished"
    assert "Traceback" not in run.proc.stderr
    check = prakata("verify", "--out", str(run.out))
    assert check.returncode == 0, check.stdout + check.stderr


def test_no_article_lost_or_duplicated(run):
    """Every article is emitted exactly once unless its page can never be fetched, and
    then it is a failure in the report."""
    emitted = [i["url"].removeprefix(run.site) for i in run.items if i["type"] == "article"]
    assert len(emitted) == len(set(emitted))
    by_content = [(i["headline"], i["content_sha256"]) for i in run.items
                  if i["type"] == "article"]
    assert len(by_content) == len(set(by_content))
    for path in ARTICLES:
        if path in UNREACHABLE:
            assert UNREACHABLE[path] in run.failure(path)
            assert not run.emitted(path)
        elif path == BURST_503:  # served under two URLs: one item, whichever came first
            assert run.emitted(path) or run.emitted(DUPLICATES[2])
        else:
            assert len(run.emitted(path)) == 1, path
    assert run.report["articles"] == len(ARTICLES) - len(UNREACHABLE)


@pytest.mark.parametrize("path,status,times", [(BURST_500, "500", 1), (BURST_502, "502", 2),
                                               (BURST_503, "503", 3)])
def test_5xx_bursts_are_retried_and_recover(run, path, status, times):
    assert run.report["recovered_urls"][run.url(path)] == times
    assert f"recovered {run.url(path)} after {times} retries" in run.proc.stderr
    assert run.failure(path) is None
    responses = [s for kind, s in run.exchanges(path) if kind == "response"]
    assert responses == [status] * times + ["200"]


def test_a_permanent_5xx_is_a_failure_with_its_reason(run):
    assert run.failure(DOWN) == "HTTP 503 (after 3 retries)"
    assert f"fetch failed {run.url(DOWN)}: HTTP 503 (after 3 retries)" in run.proc.stderr
    assert [s for kind, s in run.exchanges(DOWN) if kind == "response"] == ["503"] * 4
    assert run.report["retry_reasons"]["503 Service Unavailable"] >= 3 + 3


def test_429_waits_for_retry_after_then_recovers(run):
    assert run.report["recovered_urls"][run.url(THROTTLED)] == 2
    assert run.report["retry_wait_seconds"] >= 2  # Retry-After: 1, twice
    assert [s for kind, s in run.exchanges(THROTTLED) if kind == "response"] == \
        ["429", "429", "200"]


def test_a_slow_drip_within_the_timeout_is_fetched_once(run):
    assert len(run.emitted(DRIP)) == 1
    assert run.url(DRIP) not in run.report["recovered_urls"]
    assert [s for kind, s in run.exchanges(DRIP) if kind == "response"] == ["200"]


def test_a_stalled_connection_times_out_and_is_retried(run):
    assert run.report["recovered_urls"][run.url(STALL_ONCE)] == 1
    assert len(run.emitted(STALL_ONCE)) == 1
    errors = [e for kind, e in run.exchanges(STALL_ONCE) if kind == "fetch-error"]
    assert len(errors) == 1 and errors[0].startswith("DownloadTimeoutError")


def test_a_connection_that_always_stalls_is_a_failure(run):
    assert run.failure(STALL).startswith("DownloadTimeoutError: Getting")
    assert run.failure(STALL).endswith(f"took longer than {TIMEOUT:.1f} seconds. (after 3 retries)")
    assert f"fetch failed {run.url(STALL)}: DownloadTimeoutError" in run.proc.stderr
    exchanges = run.exchanges(STALL)  # each attempt: its request and what went wrong
    assert [k for k, _ in exchanges].count("request") == 4
    assert [k for k, _ in exchanges].count("fetch-error") == 4


def test_a_reset_mid_body_is_retried(run):
    assert run.report["recovered_urls"][run.url(RESET_TWICE)] == 2
    errors = [e for kind, e in run.exchanges(RESET_TWICE) if kind == "fetch-error"]
    assert len(errors) == 2 and all(e.startswith("ResponseDataLossError") for e in errors)
    assert run.failure(RESET) == ("ResponseDataLossError: connection closed before the whole "
                                  "body arrived (after 3 retries)")
    assert run.report["retry_reasons"]["scrapy.exceptions.ResponseDataLossError"] >= 2 + 3


def test_a_truncated_gzip_body_is_retried_never_passed_off_as_the_page(run):
    assert run.report["recovered_urls"][run.url(CUT_GZIP_ONCE)] == 1
    assert run.emitted(CUT_GZIP_ONCE)[0]["body"] == ARTICLES[CUT_GZIP_ONCE]["body"]
    assert run.failure(CUT_GZIP).startswith("BodyTruncated: truncated gzip body")
    assert run.report["retry_reasons"]["truncated gzip body"] == 1 + 3
    # archived as received, the cut gzip stream with its Content-Encoding: once in full,
    # then as identical-payload revisits
    cut = [r for _, r, _ in records(run.out) if r.rec_type in {"response", "revisit"}
           and r.rec_headers.get_header("WARC-Target-URI") == run.url(CUT_GZIP)]
    assert [r.rec_type for r in cut] == ["response"] + ["revisit"] * 3
    assert all(r.http_headers.get_header("Content-Encoding") == "gzip" for r in cut)


def test_a_lying_content_length_is_retried_then_failed(run):
    assert run.report["recovered_urls"][run.url(LYING_LENGTH_ONCE)] == 1
    assert len(run.emitted(LYING_LENGTH_ONCE)) == 1
    assert run.failure(LYING_LENGTH).startswith("ResponseDataLossError")
    errors = [e for kind, e in run.exchanges(LYING_LENGTH) if kind == "fetch-error"]
    assert len(errors) == 4


def test_a_failing_discovery_probe_is_a_failure(run):
    assert run.failure("/rss") == "HTTP 502 (after 3 retries)"
    assert run.failure("/feed") is None


def test_a_redirect_chain_within_the_limit_is_followed(run):
    hops = ["/lama/berita"] + [f"/lama/berita?hop={k}" for k in range(1, 6)]
    for hop in hops:
        assert [s for kind, s in run.exchanges(hop) if kind == "response"] == ["301"]
    assert len(run.emitted(CHAIN_END)) == 1


def test_a_redirect_loop_is_a_failure(run):
    assert run.failure("/putar") == (f"redirect loop after 4 redirects back to "
                                     f"{run.url('/putar')}")
    assert f"fetch failed {run.url('/putar')}: redirect loop" in run.proc.stderr
    assert [s for kind, s in run.exchanges("/putar?hop=3") if kind == "response"] == ["301"]


def test_a_redirect_chain_over_the_limit_is_a_failure(run):
    assert run.failure("/panjang") == "IgnoreRequest: max redirections reached"
    archived = [run.exchanges(f"/panjang?hop={k}") for k in range(1, 21)]
    assert all(("response", "301") in hop for hop in archived)


@pytest.mark.parametrize("path", ["/besar.html", "/besar-chunked.html"])
def test_a_page_over_the_size_limit_is_a_failure(run, path):
    assert run.failure(path).startswith("DownloadCancelledError")
    errors = [e for kind, e in run.exchanges(path) if kind == "fetch-error"]
    assert errors and errors[-1].startswith("DownloadCancelledError")


def test_a_gzip_bomb_sitemap_is_stopped_at_the_size_cap(run):
    reason = run.failure("/sitemap-pages.xml")
    assert f"exceeded DOWNLOAD_MAXSIZE ({MAX_SIZE} B) during decom" in reason
    assert run.max_rss_kb * 1024 < BOMB_SIZE // 2  # inflating it would take 1 GiB
    [(kind, status)] = [e for e in run.exchanges("/sitemap-pages.xml") if e[0] == "response"]
    assert status == "200"  # archived compressed, as received (about 1 MB)


def test_an_xxe_sitemap_resolves_no_entity(run):
    assert run.watched == []  # neither the external DTD, the entity nor the parameter entity
    assert run.secret not in run.proc.stderr
    assert all(run.secret not in json.dumps(i) for i in run.items)
    assert all(run.secret.encode() not in body for _, _, body in records(run.out))
    assert run.report["fetch_failure_urls"].get(run.url("/sitemap-news.xml")) is None


def test_a_wrong_charset_nul_bytes_or_no_body_still_give_the_article(run):
    for path in (WRONG_CHARSET, NULS, NO_BODY):
        [item] = run.emitted(path)
        assert item["headline"] == ARTICLES[path]["headline"]
    for path in (WRONG_CHARSET, NULS, NO_BODY):  # UTF-8 declared windows-1252 reads as UTF-8
        assert run.emitted(path)[0]["body"] == ARTICLES[path]["body"]
    assert "\x00" not in json.dumps(run.items)


def test_binary_served_as_html_is_not_an_item(run):
    assert not run.emitted("/biner.html")
    assert run.report["rejected_urls"][run.url("/biner.html")] == "not an HTML page"
    outcomes = [body.decode("utf-8", "replace") for _, r, body in records(run.out)
                if r.rec_type == "metadata"
                and r.rec_headers.get_header("WARC-Target-URI") == run.url("/biner.html")]
    assert len(outcomes) == 1 and "reason: " in outcomes[0]


@pytest.mark.parametrize("path,reason", [
    ("/2025/12/hilang-lunak.html", "soft 404: page says not found"),
    ("/2025/11/banjir-setinggi-50-cm-rendam-permukiman-warga-periuk.html",
     "soft 404: page says not found"),
    ("/2025/12/cek-keamanan.html", "blocked: WAF or captcha page")])
def test_error_pages_with_status_200_are_rejects(run, path, reason):
    assert run.report["rejected_urls"][run.url(path)] == reason
    assert f"Dropped {reason}: {run.url(path)}" in run.proc.stderr
    assert not run.emitted(path)
    assert ("response", "200") in run.exchanges(path)


def test_a_login_wall_instead_of_a_channel_is_a_reject(run):
    channel = run.report["rejected_urls"]
    [url] = [u for u in channel if u.endswith(LOGIN_WALLED)]
    assert channel[url].startswith("channel not found")
    assert not [i for i in run.items if i.get("channel_id") == LOGIN_WALLED.split("/")[-1]]


def test_duplicate_urls_give_one_item(run):
    # tracking parameters are dropped before the request, so those are never fetched
    for url in DUPLICATES[:2] + DUPLICATES[3:]:
        assert not run.exchanges(url)
    # the case variant is a second URL with the same page: fetched, emitted once
    harga = run.emitted(BURST_503) + run.emitted(DUPLICATES[2])
    assert len(harga) == 1
    assert run.report["skipped"]["duplicate"] == 1


def test_infinite_pagination_stops_when_nothing_new_shows(run):
    pages = {e["uri"] for e in run.injected if e["uri"].startswith("/kategori/tanpa-akhir")}
    assert len(pages) <= 6  # the first page and the five it links to
    stopped = run.report["pagination_stopped_urls"]
    assert stopped[run.url("/kategori/tanpa-akhir?page=2")] == "shows nothing new"
    assert f"pagination stopped at {run.url('/kategori/tanpa-akhir?page=2')}" in \
        run.proc.stderr


def test_pagination_that_keeps_showing_new_links_stops_at_max_walk(run):
    pages = {e["uri"] for e in run.injected if e["uri"].startswith("/kategori/tanpa-batas")
             and "berita-" not in e["uri"]}
    assert 5 <= len(pages) <= 1 + 5 * 5  # five walk steps, five page links on each
    assert "walked 5 pages (PRAKATA_MAX_WALK)" in run.report["pagination_stopped_urls"].values()


def test_a_calendar_trap_stops(run):
    days = {e["uri"] for e in run.injected if e["uri"].startswith("/arsip/")}
    assert len(days) <= 3  # the linked day and its two neighbours
    assert run.report["pagination_stopped"] >= 2


# -- requisites: the same faults, the same rules -------------------------------------------

def test_a_missing_photo_is_a_requisite_failure_and_the_article_stays(run):
    requisites = run.report["requisites"]
    assert requisites["failed_urls"][run.url(PHOTO_GONE)] == "HTTP 404"
    [item] = run.emitted(PHOTO_GONE_ARTICLE)
    lead = item["images"][0]
    assert lead["url"] == run.url(PHOTO_GONE) and not lead["archived"]
    assert lead["payload_digest"] is None and item["images"][1]["archived"]
    assert ("response", "404") in run.exchanges(PHOTO_GONE)  # archived as answered


def test_a_stalled_stylesheet_is_retried_then_reported_and_holds_up_nothing(run):
    reason = run.report["requisites"]["failed_urls"][run.url(STALLED_CSS)]
    assert reason.startswith("DownloadTimeoutError"), reason
    errors = [e for e in run.exchanges(STALLED_CSS) if e[0] == "fetch-error"]
    assert len(errors) == 4  # the first try and RETRY_TIMES retries, each in the WARC
    # every page that loads it still became its item (test_no_article_lost_or_duplicated)
    assert run.report["articles"] >= 19 - len(UNREACHABLE)


def test_an_oversize_video_is_skipped_not_fetched(run):
    reason = run.report["requisites"]["skipped_urls"][run.url(VIDEO)]
    assert reason == f"larger than the {MAX_SIZE}-byte cap for media"
    assert not [e for e in run.exchanges(VIDEO) if e[0] == "response"]


def test_an_image_redirecting_off_the_site_is_refused_and_said_so(run):
    assert run.watched == []
    reason = run.report["requisites"]["refused_urls"][run.url(OFFSITE_IMAGE)]
    assert reason.startswith("outside the requisite hosts") and "foto-curian" in reason
    notes = [body.decode() for _, r, body in records(run.out) if r.rec_type == "metadata"
             and r.rec_headers.get_header("WARC-Target-URI") == run.url("/")]
    assert any(f"not-captured: {run.url(OFFSITE_IMAGE)} image out of scope: outside" in n
               for n in notes), notes
    assert any(f"not-captured: {run.url(VIDEO)} media skipped: larger than" in n
               for n in notes)
