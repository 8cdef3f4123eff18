"""The ``prakata`` command as a user runs it: exit codes, extract, crawl bounds."""

import json
import socket
from pathlib import Path

import pytest
from conftest import prakata

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=WARNING"]


def crawl_items(mirror, out, *args):
    channel = mirror.channel_origin.split("://", 1)[1]
    proc = prakata("crawl", "--site", mirror.site_origin, "--channel-host", channel,
                   "--out", str(out), *args, *FAST)
    items = [json.loads(line) for f in (out / "items").glob("*.jsonl")
             for line in f.read_text().splitlines()]
    return proc, items


def test_extract_prints_one_json_line_per_file(tmp_path):
    seed = next((FIXTURES / "site").rglob("hut-ke-54-*.html"))
    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(b"\x00\xff" * 50)
    proc = prakata("extract", "--url", "https://www.prakata.com/2025/12/x.html", str(seed), str(garbage))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [item["type"] for item in lines] == ["article", "rejected"]
    assert lines[0]["byline"] == "Rtm"
    assert lines[1]["reason"] == "not an HTML page"


def test_extract_missing_file_is_a_usage_error(tmp_path):
    proc = prakata("extract", str(tmp_path / "nope.html"))
    assert proc.returncode == 2 and "nope.html" in proc.stderr


def test_unreachable_site_exits_3_with_reason(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = prakata("crawl", "--site", f"http://127.0.0.1:{port}", "--out", str(tmp_path), *FAST)
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "unreachable" in proc.stderr
    report = json.loads(next((tmp_path / "runs").glob("*.json")).read_text())
    assert report["status"] == "unreachable" and report["fetch_failures"] >= 1


def test_bad_setting_or_date_is_a_usage_error(tmp_path):
    assert prakata("crawl", "--out", str(tmp_path), "-s", "NOEQUALS").returncode == 2
    proc = prakata("crawl", "--out", str(tmp_path), "--since", "kapan-kapan")
    assert proc.returncode == 2 and "--since" in proc.stderr
    proc = prakata("crawl", "--out", str(tmp_path), "--since", "2025-12-01", "--until", "2025-11-01")
    assert proc.returncode == 2 and "after --until" in proc.stderr
    proc = prakata("crawl", "--out", str(tmp_path), "--urls", str(tmp_path / "missing.txt"))
    assert proc.returncode == 2 and "No such file" in proc.stderr


@pytest.mark.parametrize("args, says", [
    (["--site", "notaurl"], "--site: not an http(s) URL with a host: 'notaurl'"),
    (["--site", "ftp://example.org"], "--site: not an http(s) URL with a host"),
    (["--site", "https://"], "--site: not an http(s) URL with a host"),
    (["-s", "PRAKATA_RECHEK_DAYS=1"], "-s PRAKATA_RECHEK_DAYS: no such setting (did you mean "
                                      "PRAKATA_RECHECK_DAYS?)"),
    (["--urls", "EMPTY"], "lists no http(s) URL"),
])
def test_bad_arguments_stop_before_anything_is_written(tmp_path, args, says):
    """One line saying what is wrong, exit status 2, and nothing under --out."""
    empty = tmp_path / "urls.txt"
    empty.write_text("# nothing yet\n\n")
    out = tmp_path / "out"
    proc = prakata("crawl", "--out", str(out), *[str(empty) if a == "EMPTY" else a for a in args])
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and says in proc.stderr
    assert not out.exists()


def test_max_articles_bounds_the_run(mirror, tmp_path):
    proc, items = crawl_items(mirror, tmp_path, "--max-articles", "3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sum(item["type"] == "article" for item in items) == 3


def test_since_until_bound_by_publication_date(mirror, tmp_path):
    proc, items = crawl_items(mirror, tmp_path, "--since", "2025-11-20", "--until", "2025-11-30")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dates = [item["date_published"] for item in items if item["type"] == "article"]
    assert dates and all("2025-11-20" <= d[:10] <= "2025-11-30" for d in dates)


def test_url_list_run_fetches_listed_pages_once(mirror, tmp_path):
    seed = "/2025/12/hut-ke-54-korpri-wali-kota-tangerang-tekankan-pelayanan-nyata-dan-kolaborasi-untuk-warga.html"
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# one article, three forms\n{mirror.site_origin}{seed}?utm_source=wa\n"
                    f"{mirror.site_origin}{seed}#komentar\n{mirror.site_origin}{seed}?m=1\n")
    proc, items = crawl_items(mirror, tmp_path / "out", "--urls", str(urls))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [i["type"] for i in items] == ["article", "whatsapp_channel"]
    assert items[0]["url"] == mirror.site_origin + seed
    assert items[1]["channel_id"] == items[0]["whatsapp_channels"][0].rsplit("/", 1)[1]


def test_layout_change_exits_7(mirror, tmp_path):
    """Headline or body found on too few articles is the sign of a site redesign."""
    proc, items = crawl_items(mirror, tmp_path, "-s", "PRAKATA_MIN_COVERAGE=1.01")
    assert proc.returncode == 7, proc.stderr[-2000:]
    assert "coverage" in proc.stderr and items


def test_request_budget_stops_the_run(mirror, tmp_path):
    proc, _ = crawl_items(mirror, tmp_path, "--budget", "10")
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(next((tmp_path / "runs").glob("*.json")).read_text())
    assert report["finish_reason"] == "closespider_pagecount"
    assert report["pages"] < 40  # the budget, plus what was already in flight


def test_log_json_writes_one_json_object_per_line(mirror, tmp_path):
    channel = mirror.channel_origin.split("://", 1)[1]
    proc = prakata("crawl", "--site", mirror.site_origin, "--channel-host", channel, "--out",
                   str(tmp_path), "--log-json", "--max-articles", "1", "-s", "DOWNLOAD_DELAY=0",
                   "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO")
    assert proc.returncode == 0
    logs = [line for line in proc.stderr.splitlines() if line.startswith("{")]
    assert len(logs) > 5
    entries = [json.loads(line) for line in logs]
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert not [line for line in proc.stderr.splitlines() if line.startswith("20")]  # no plain lines
